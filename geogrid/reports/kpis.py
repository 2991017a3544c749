"""The case loop's KPIs for a month's reports, per group (README "KPIs and the monthly
assessment").

Computed in one SQL pass over the month's reports (by when reported, China time) and their
loop events; a step is on time when it was taken by the deadline in force just before it
(`report_events.due_before`, written by the loop; none known counts as on time):

- 受理及时率 acceptance on time = accepted within the limit / accepted;
- 按期处置率 handling on time = handled by the deadline / (handled + still open past the
  deadline): a case in a working status whose deadline has passed at `now` is a failure,
  as is a case any of whose handle steps came late;
- 返工率 rework rate = cases with a failed verification / cases verified;
- 延期率 extension rate = cases with an extension approved / cases dispatched;
- 结案率 closure rate = closed / reports, refused and duplicates excluded; hours from
  report to close (median, 90th percentile);
- 有效上报率 valid report rate = accepted / reports; verifications on time / verifications.

A rate is None when its denominator is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, extract, func, or_, select, text, true

from geogrid.reports.loop import WORKING
from geogrid.storage.loop_tables import ReportExtension
from geogrid.storage.models import ReportEvent

E = ReportEvent.__table__
X = ReportExtension.__table__
EXCLUDED = ("rejected", "duplicate")  # not cases: left out of 结案率


@dataclass
class Kpis:
    """The loop's counts and rates of one group's month."""

    accepted: int = 0
    accepted_on_time: int = 0
    acceptance_on_time_rate: float | None = None
    handled_or_overdue: int = 0
    handled_on_time: int = 0
    open_overdue: int = 0
    handling_on_time_rate: float | None = None
    verified: int = 0
    reworked: int = 0
    rework_rate: float | None = None
    dispatched: int = 0
    extended: int = 0
    extension_rate: float | None = None
    cases: int = 0
    closed: int = 0
    closure_rate: float | None = None
    median_hours_to_close: float | None = None
    p90_hours_to_close: float | None = None
    valid_report_rate: float | None = None
    verifications_on_time: int = 0


RATES = {
    "acceptance_on_time_rate": ("accepted_on_time", "accepted"),
    "handling_on_time_rate": ("handled_on_time", "handled_or_overdue"),
    "rework_rate": ("reworked", "verified"),
    "extension_rate": ("extended", "dispatched"),
    "closure_rate": ("closed", "cases"),
}


def _late(step: str):
    return and_(E.c.step == step, E.c.at > E.c.due_before)


def _per_case(keyed):
    """What each report's trail says, as a lateral subquery (one index scan per report)."""
    return (
        select(
            func.bool_or(E.c.step == "accept").label("accepted"),
            func.bool_or(_late("accept")).label("accept_late"),
            func.bool_or(E.c.step == "handle").label("handled"),
            func.bool_or(_late("handle")).label("handle_late"),
            func.bool_or(E.c.step == "verify").label("verified"),
            func.bool_or(_late("verify")).label("verify_late"),
            func.bool_or(and_(E.c.step == "verify", E.c.to_status == "rework")).label("reworked"),
            func.bool_or(E.c.step == "dispatch").label("dispatched"),
            func.min(E.c.at).filter(E.c.to_status == "closed").label("closed_at"),
        )
        .where(E.c.report_id == keyed.c.id)
        .lateral("trail")
    )


def kpis_by_key(conn: Connection, keyed, now: datetime) -> dict[str | None, Kpis]:
    """The KPIs per `key` of a keyed subquery of reports (columns key, id, status,
    reported_at, due_at)."""
    without_jit(conn)
    k, t = keyed.c, _per_case(keyed)
    overdue = and_(k.status.in_(WORKING), k.due_at < now)
    # A hashed semi-join: one scan of the extensions, not one look-up per report.
    extended = k.id.in_(select(X.c.report_id).where(X.c.status == "approved"))
    case = k.status.not_in(EXCLUDED)
    closed = or_(k.status == "closed", t.c.closed_at.is_not(None))
    hours = extract("epoch", t.c.closed_at - k.reported_at) / 3600.0
    count = func.count
    query = (
        select(
            k.key,
            count().label("reports"),
            count().filter(t.c.accepted).label("accepted"),
            count().filter(t.c.accepted, ~func.coalesce(t.c.accept_late, False))
            .label("accepted_on_time"),
            count().filter(or_(t.c.handled, overdue)).label("handled_or_overdue"),
            count().filter(t.c.handled, ~overdue, ~func.coalesce(t.c.handle_late, False))
            .label("handled_on_time"),
            count().filter(overdue).label("open_overdue"),
            count().filter(t.c.verified).label("verified"),
            count().filter(t.c.reworked).label("reworked"),
            count().filter(t.c.verified, ~func.coalesce(t.c.verify_late, False))
            .label("verifications_on_time"),
            count().filter(t.c.dispatched).label("dispatched"),
            count().filter(t.c.dispatched, extended).label("extended"),
            count().filter(case).label("cases"),
            count().filter(case, closed).label("closed"),
            func.percentile_cont(0.5).within_group(hours).label("median_hours_to_close"),
            func.percentile_cont(0.9).within_group(hours).label("p90_hours_to_close"),
        )
        .select_from(keyed.join(t, true()))
        .group_by(k.key)
    )  # fmt: skip
    return {row["key"]: _kpis(dict(row)) for row in conn.execute(query).mappings()}


def without_jit(conn: Connection) -> None:
    """Turn PostgreSQL's JIT off for the rest of the transaction: on a month's statistics
    its compiling took 0.49 of 1.24 s (bench/bench_kpis.py, 100,000 reports)."""
    conn.execute(text("set local jit = off"))


def _kpis(row: dict) -> Kpis:
    reports = row.pop("reports")
    row.pop("key")
    for name in ("median_hours_to_close", "p90_hours_to_close"):
        if row[name] is not None:
            row[name] = round(float(row[name]), 2)
    kpis = Kpis(**row)
    for rate, (part, whole) in RATES.items():
        setattr(kpis, rate, _rate(getattr(kpis, part), getattr(kpis, whole)))
    kpis.valid_report_rate = _rate(kpis.accepted, reports)
    return kpis


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
