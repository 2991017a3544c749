"""The inbox kept per process (reports/inbox_cache.py): the same answer as a fresh read at
every moment, a change by anyone else visible at the next read, and a deadline passing
noticed with no write at all."""

from __future__ import annotations

from datetime import datetime, timedelta

from geogrid.access.users import caller_for_token
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox import inbox
from geogrid.reports.inbox_cache import InboxCache
from geogrid.reports.loop import StepInput
from geogrid.usecases.cases import take_case_step
from geogrid.vocabulary import china_now, china_today
from tests.api.fixtures import auth

CALENDAR = calendar_of()


def waiting(client, token: str) -> dict[str, str]:
    """The caller's inbox over HTTP: report id -> what waits."""
    answer = client.get("/v1/inbox", headers=auth(token))
    assert answer.status_code == 200, answer.text
    return {i["id"]: i["waiting"] for i in answer.json()["items"]}


def caller_of(engine, token: str):
    """The Caller of a test user's token."""
    with engine.connect() as conn:
        return caller_for_token(conn, token, china_today())


def step(engine, report_id: str, name: str, token: str, **body) -> None:
    """A loop step on a connection of its own, as another worker or the CLI takes it: the
    API process's cache is not told."""
    with engine.begin() as conn:
        take_case_step(conn, report_id, name, StepInput(**body), caller_of(engine, token),
                       calendar=CALENDAR)  # fmt: skip


def test_a_change_made_elsewhere_shows_in_the_inbox_at_once(client, county, users, reports):
    kept = client.app.state.geogrid.inboxes
    first = waiting(client, users.p01)
    assert first[reports.p01_security] == "to_accept"
    hits = kept.hits
    assert waiting(client, users.p01) == first and kept.hits == hits + 1, "kept, unchanged"
    step(county.engine, reports.p01_security, "accept", users.p01, note="受理")
    assert waiting(client, users.p01)[reports.p01_security] == "to_dispatch"
    step(county.engine, reports.p01_security, "supervise", users.admin, note="尽快处置")
    items = client.get("/v1/inbox", headers=auth(users.p01)).json()["items"]
    assert (items[0]["id"], items[0]["supervised"]) == (reports.p01_security, True)
    made = client.post("/v1/reports", headers=auth(users.staff01), json={
        "category": "public_security", "lon": county.p01.lon, "lat": county.p01.lat,
        "text": "深夜喧哗"})  # fmt: skip
    assert made.status_code in (200, 201, 202), made.text
    assert waiting(client, users.p01)[made.json()["id"]] == "to_accept"
    assert made.json()["id"] not in waiting(client, users.p02)


def test_every_desk_gets_what_a_fresh_read_answers(county, users, reports):
    kept, now = InboxCache(), china_now()
    for name, token in users.by_name().items():
        caller = caller_of(county.engine, token)
        for later in (0, 0, 3, 50, 400):  # hours; twice at the same moment: kept
            moment = now + timedelta(hours=later)
            with county.engine.connect() as conn:
                fresh = inbox(conn, caller, calendar=CALENDAR, now=moment, limit=500)
            got = kept.inbox(county.engine, caller, calendar=CALENDAR, now=moment, limit=500)
            assert got == fresh, (name, later)
    assert kept.hits >= len(vars(users)), "the second read at a moment is kept"


def test_a_deadline_passing_brings_a_case_to_the_county_desk(county, users, reports):
    fire = {i["id"]: i for i in _items(county, users.fire)}
    due = datetime.fromisoformat(fire[reports.p01_fire]["due_at"])
    admin, kept = caller_of(county.engine, users.admin), InboxCache()

    def county_desk(moment: datetime) -> dict[str, dict]:
        got = kept.inbox(county.engine, admin, calendar=CALENDAR, now=moment, limit=500)
        with county.engine.connect() as conn:
            assert got == inbox(conn, admin, calendar=CALENDAR, now=moment, limit=500)
        return {i.id: i for i in got}

    assert reports.p01_fire not in county_desk(due - timedelta(minutes=1))
    assert reports.p01_fire not in county_desk(due), "not overdue at its deadline"
    misses = kept.misses
    over = county_desk(due + timedelta(seconds=1))[reports.p01_fire]
    assert kept.misses == misses + 1, "past the horizon: read afresh, with no write"
    assert (over.waiting, over.overdue, over.escalation) == ("attention", True, 1)
    assert reports.p01_fire not in county_desk(due - timedelta(minutes=1)), "earlier again"


def _items(county, token: str) -> list[dict]:
    """A desk's inbox as the fresh read gives it, as JSON-like dictionaries."""
    caller = caller_of(county.engine, token)
    with county.engine.connect() as conn:
        return [{"id": i.id, "due_at": i.due_at.isoformat()} for i in
                inbox(conn, caller, calendar=CALENDAR, limit=500)]  # fmt: skip


def test_past_its_bound_the_cache_forgets_every_desk(county, users, reports):
    station, county_desk = (caller_of(county.engine, t) for t in (users.p01, users.admin))
    now = china_now()
    for bound, misses in ((1_000, 2), (1, 3)):
        kept = InboxCache(max_cases=bound)
        for caller in (station, county_desk, station):
            kept.cases(county.engine, caller, calendar=CALENDAR, now=now)
        assert kept.misses == misses, bound
