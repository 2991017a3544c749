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
- 结案率 closure rate = closed / reports, refused and duplicates excluded (a case verified
  but not yet closed by its desk is not closed); hours from report to the close event
  (结案, not the verification; median, 90th percentile);
- 有效上报率 valid report rate = (accepted + basic reports whose registry proposal was
  confirmed) / reports; verifications on time / verifications.

A basic-information report filed to the registry (status `registry`) is not a case: it is
left out of every loop count (it has no steps, deadline or close) and of 结案率's cases,
but it is one of the reports, and counts as valid once its proposal is confirmed.

A rate is None when its denominator is 0.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Connection, and_, exists, extract, func, or_, select, text

from geogrid.reports.loop import WORKING
from geogrid.storage.loop_tables import ReportExtension
from geogrid.storage.models import ReportEvent
from geogrid.storage.registry_tables import RegistryProposal

E = ReportEvent.__table__
X = ReportExtension.__table__
P = RegistryProposal.__table__
# Not cases, left out of 结案率: refused, duplicates, and basic reports filed to the registry.
EXCLUDED = ("rejected", "duplicate", "registry")


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
    proposals_confirmed: int = 0


RATES = {
    "acceptance_on_time_rate": ("accepted_on_time", "accepted"),
    "handling_on_time_rate": ("handled_on_time", "handled_or_overdue"),
    "rework_rate": ("reworked", "verified"),
    "extension_rate": ("extended", "dispatched"),
    "closure_rate": ("closed", "cases"),
}


def _late(step: str):
    return and_(E.c.step == step, E.c.at > E.c.due_before)


def proposal_confirmed(reports):
    """Whether each of `reports` (a table with `id`) was filed to the registry and its
    proposal confirmed, as a column labelled `proposal_confirmed`."""
    confirmed = select(P.c.id).where(P.c.report_id == reports.c.id, P.c.status == "confirmed")
    return exists(confirmed).label("proposal_confirmed")


def trail_of(reports):
    """What the trail of each of `reports` (a table or subquery with `id`) says, as a
    lateral subquery (one index-only scan per report on `ix_report_events_trail`): the
    KPIs' flags and the first `resolved`."""
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
            func.min(E.c.at).filter(E.c.to_status == "resolved").label("resolved_at"),
        )
        .where(E.c.report_id == reports.c.id, or_(E.c.step.is_not(None),
                                                E.c.to_status.is_not(None)))
        .lateral("trail")
    )  # fmt: skip


def kpi_columns(k, now: datetime) -> list:
    """The aggregates behind the KPIs, labelled as Kpis' counts (and `reports`), over the
    columns `k` of reports (id, status, reported_at, due_at, `proposal_confirmed`) and
    their `trail_of`."""
    overdue = and_(k.status.in_(WORKING), k.due_at < now)
    # A hashed semi-join: one scan of the extensions, not one look-up per report.
    extended = k.id.in_(select(X.c.report_id).where(X.c.status == "approved"))
    case = k.status.not_in(EXCLUDED)
    closed = or_(k.status == "closed", k.closed_at.is_not(None))
    hours = extract("epoch", k.closed_at - k.reported_at) / 3600.0
    count = func.count
    return [
        count().label("reports"),
        count().filter(k.accepted).label("accepted"),
        count().filter(k.accepted, ~func.coalesce(k.accept_late, False))
        .label("accepted_on_time"),
        count().filter(or_(k.handled, overdue)).label("handled_or_overdue"),
        count().filter(k.handled, ~overdue, ~func.coalesce(k.handle_late, False))
        .label("handled_on_time"),
        count().filter(overdue).label("open_overdue"),
        count().filter(k.verified).label("verified"),
        count().filter(k.reworked).label("reworked"),
        count().filter(k.verified, ~func.coalesce(k.verify_late, False))
        .label("verifications_on_time"),
        count().filter(k.dispatched).label("dispatched"),
        count().filter(k.dispatched, extended).label("extended"),
        count().filter(case).label("cases"),
        count().filter(case, closed).label("closed"),
        count().filter(k.proposal_confirmed).label("proposals_confirmed"),
        func.percentile_cont(0.5).within_group(hours).label("median_hours_to_close"),
        func.percentile_cont(0.9).within_group(hours).label("p90_hours_to_close"),
    ]  # fmt: skip


def kpis_by_key(conn: Connection, keyed, now: datetime) -> dict[str | None, Kpis]:
    """The KPIs per `key` of a keyed subquery of reports with their trails' columns
    (key, id, status, reported_at, due_at and those of `trail_of`)."""
    without_jit(conn)
    query = select(keyed.c.key, *kpi_columns(keyed.c, now)).group_by(keyed.c.key)
    return {row["key"]: kpis_of(dict(row)) for row in conn.execute(query).mappings()}


def without_jit(conn: Connection) -> None:
    """Turn PostgreSQL's JIT off for the rest of the transaction: on a month's statistics
    its compiling took 0.49 of 1.24 s (bench/bench_kpis.py, 100,000 reports)."""
    conn.execute(text("set local jit = off"))


KPI_COUNTS = tuple(f.name for f in fields(Kpis) if not f.name.endswith("_rate"))


def kpis_of(row: dict) -> Kpis:
    """The Kpis of a row holding kpi_columns' labels (other keys are left alone)."""
    values = {name: row[name] for name in KPI_COUNTS if name in row}
    for name in ("median_hours_to_close", "p90_hours_to_close"):
        if values[name] is not None:
            values[name] = round(float(values[name]), 2)
    kpis = Kpis(**values)
    for rate, (part, whole) in RATES.items():
        setattr(kpis, rate, _rate(getattr(kpis, part), getattr(kpis, whole)))
    kpis.valid_report_rate = _rate(kpis.accepted + kpis.proposals_confirmed, row["reports"])
    return kpis


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
