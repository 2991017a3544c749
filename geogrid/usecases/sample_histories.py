"""Realistic case histories for the sample reports: last month's police and department
cases walked through the loop with the loop's own steps, a fixed seed and clocks in the past.

Each case gets one kind: closed on time (thirteen in twenty), overdue (left open past its
deadline), reworked, extended, supervised, refused (不予受理), returned (退回, then taken
by the county's triage and closed) or awaiting close (verified, not yet closed by its desk).
A police case is dispatched by its station to the grid's leader and verified by the
information officer (the station when the leader is both); a department case is handled by
its department and verified by the grid's leader. The desk that dispatched a case closes it
(结案) a few hours after its verification passed.
One case in three gets a generated photo on its handled step, kept through the photos use
case. Every step goes through `take_case_step`, so the trail, deadlines and KPIs are the
loop's own.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from PIL import Image
from sqlalchemy import Connection, Engine, text

from geogrid.errors import GeogridError
from geogrid.media.store import MediaStore
from geogrid.reports.deadlines import WorkCalendar
from geogrid.reports.loop import StepInput
from geogrid.usecases.cases import take_case_step
from geogrid.usecases.photos import upload_photos
from geogrid.vocabulary import CHINA_TZ, china_day, china_midnight, china_now

KINDS = ("closed_on_time", "overdue", "reworked", "extended", "supervised", "refused", "returned",
         "awaiting_close")  # fmt: skip
# Every twenty cases: thirteen closed on time, one of each other kind (as in a working
# county, where most of a month's cases are closed); a cycle rather than draws, so even a
# handful of cases shows every kind.
CYCLE = (0, 1, 0, 2, 0, 3, 0, 4, 7, 0, 5, 0, 0, 6, 0, 0, 0, 0, 0, 0)
CLOSED_AFTER = timedelta(hours=3)  # from a passed verification to the desk's 结案
PHOTO_EVERY = 3  # one case in three gets a photo on its handled step
SETTLED = timedelta(days=14)  # cases this old have room for every step before the clock


@dataclass(frozen=True)
class Walker:
    """Who takes the steps (the loop's Actor): a station desk or a grid leader."""

    name: str
    role: str
    station_id: int | None = None
    department_id: int | None = None
    person_id: int | None = None


@dataclass
class Histories:
    """What the walk did: cases per kind, photos stored, the month most cases fall in."""

    kinds: Counter = field(default_factory=Counter)
    photos: int = 0
    skipped: list[str] = field(default_factory=list)  # cases the loop refused, with why
    month: str | None = None
    example: str | None = None  # a closed case with a photo, for showing its trail
    # The station whose inbox is worth showing: the one with the most cases left overdue in
    # its jurisdiction (which one depends on the ids' draw), else the example's station.
    station: str | None = None
    station_id: int | None = None


def walk_histories(
    engine: Engine,
    store: MediaStore,
    calendar: WorkCalendar,
    *,
    limit: int = 150,
    seed: int = 16,
    now: datetime | None = None,
) -> Histories:
    """Walk up to `limit` cases of the month before `now` (those at least SETTLED old)
    through the loop, each in a savepoint of one transaction: a refusal costs only it."""
    now = now or china_now()
    done = Histories()
    months: Counter = Counter()
    overdue: Counter = Counter()  # (station id, code) of the cases left overdue
    photos = [_photo(engine, store, n) for n in range(min(limit, 30))]  # reused in turn
    with engine.begin() as conn:
        for n, case in enumerate(_candidates(conn, now, limit, seed)):
            kind = KINDS[CYCLE[n % len(CYCLE)]]
            photo = photos[n // PHOTO_EVERY % len(photos)] if n % PHOTO_EVERY == 0 else None
            try:
                with conn.begin_nested():
                    _walk(conn, case, kind, photo, calendar)
            except GeogridError as exc:  # the loop refusing a step (4xx errors, Forbidden too)
                done.skipped.append(f"{case['id']}: {exc}")
                continue
            done.kinds[kind] += 1
            done.photos += photo is not None and kind not in ("refused", "overdue")
            months[case["received_at"].astimezone(CHINA_TZ).strftime("%Y-%m")] += 1
            if kind == "overdue" and case["station_id"] is not None:
                overdue[case["station_id"], case["station_code"]] += 1
            if photo and kind == "closed_on_time" and case["route"] == "station" \
                    and done.example is None:  # fmt: skip
                done.example, done.station = str(case["id"]), case["station_code"]
                done.station_id = case["station_id"]
    done.month = months.most_common(1)[0][0] if months else None
    if overdue:
        (done.station_id, done.station), _ = overdue.most_common(1)[0]
    return done


def _candidates(conn: Connection, now: datetime, limit: int, seed: int) -> list[dict]:
    # Police and department cases with a grid leader, not yet accepted, reported in the
    # month before `now` (by their report time: ingesting the sample stamps receipt with
    # today's date), in a fixed pseudo-random order.
    first = china_midnight(china_day(now).replace(day=1))
    start = china_midnight((first - timedelta(days=1)).date().replace(day=1))
    rows = conn.execute(
        text("select r.id, r.reported_at as received_at, r.route, r.station_id, "
             "r.department_id, r.leader_id, r.officer_id, p.person_no, d.code as department, "
             "s.code as station_code from reports r join people p on p.id = r.leader_id "
             "left join stations s on s.id = r.station_id "
             "left join departments d on d.id = r.department_id "
             "where r.route in ('station', 'department') "
             "and r.status in ('received', 'assigned') and r.duplicate_of is null "
             "and r.reported_at >= :start and r.reported_at < least(:end, :settled) "
             "order by md5(r.id::text || :seed) limit :limit"),
        {"start": start, "end": first, "settled": now - SETTLED, "seed": str(seed),
         "limit": limit},
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def _people(case: dict) -> tuple[Walker, Walker, Walker, dict]:
    """The case's desk, handler and verifier, and how the desk names the handler."""
    leader = Walker("网格长", "grid_staff", person_id=case["leader_id"])
    if case["route"] == "department":
        desk = Walker("责任单位", "department", department_id=case["department_id"])
        return desk, desk, leader, {"handler_department": case["department"]}
    desk = Walker("派出所值班", "station", station_id=case["station_id"])
    officer = case["officer_id"]
    checker = desk if officer in (None, case["leader_id"]) else \
        Walker("网格信息员", "grid_staff", person_id=officer)  # fmt: skip
    return desk, leader, checker, {"handler_person": case["person_no"]}


def _walk(conn: Connection, case: dict, kind: str, photo: str | None, calendar) -> None:
    desk, hand, checker, handler = _people(case)
    # The sample stands for a year received as it happened: receipt is backdated to the
    # report's time and the acceptance deadline the intake stored is dropped, so the loop's
    # deadlines run from then (counted from receipt), not from the ingest.
    conn.execute(text("update reports set received_at = :at, due_at = null where id = :id"),
                 {"at": case["received_at"], "id": case["id"]})  # fmt: skip
    t = case["received_at"] + timedelta(minutes=20)

    def step(what: str, who: Walker, at: datetime, **body):
        return take_case_step(conn, str(case["id"]), what, StepInput(**body), who,
                              calendar=calendar, now=at)  # fmt: skip

    if kind == "refused":
        step("refuse", desk, t, note="经核实不属实，不予受理")
        return
    if kind == "returned":
        step("return", desk, t, note="非本单位职责，退回分流")
        desk = Walker("县级分流", "county_admin")
        t += timedelta(minutes=30)
    step("accept", desk, t)
    if kind == "supervised":
        step("supervise", Walker("县级督办", "county_admin"), t, note="督办: 尽快处置")
    due = step("dispatch", desk, t + timedelta(minutes=20), note="请现场处置",
               **handler).due_at  # fmt: skip
    step("start", hand, t + timedelta(minutes=40))
    at = max(t + timedelta(hours=1), t + (due - t) / 2)  # handled well inside the limit
    if kind == "overdue":
        return  # left in hand past its deadline: the inbox shows it overdue
    if kind == "extended":
        step("extension", hand, at, note="需协调相关单位", due_at=due + timedelta(days=3))
        step("extension_decide", desk, at + timedelta(hours=1), approve=True, note="同意延期")
        at = due + timedelta(days=1)
    step("handle", hand, at, note="已现场处置", photo_ids=(photo,) if photo else ())
    if kind == "reworked":
        step("verify", checker, at + timedelta(hours=1), passed=False, note="现场仍有隐患")
        at += timedelta(hours=2)
        step("handle", hand, at, note="已整改完毕")
    step("verify", checker, at + timedelta(hours=1), passed=True, note="核查通过")
    if kind != "awaiting_close":
        step("close", desk, at + timedelta(hours=1) + CLOSED_AFTER, note="结案")


def _photo(engine: Engine, store: MediaStore, n: int) -> str:
    # A small generated JPEG, different per case (content-addressed: equal bytes, one photo).
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40 + n % 200, 120, 200 - n % 150)).save(out, "JPEG")
    kept = upload_photos(engine, store, [(f"sample_{n}.jpg", out.getvalue())], "sample")[0]
    if kept.id is None:
        raise ValueError(f"the generated photo sample_{n}.jpg was rejected: {kept.message}")
    return kept.id
