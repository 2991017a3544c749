"""Basic-information reports become registry proposals at intake, not cases: through the
batch/file path and the API writer's, each stored and answered as before, with a proposal
the confirming officer completes into a record or declines with a reason; the loop's KPIs
leave them out and 有效上报率 counts a confirmed one."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geogrid.access.errors import Forbidden
from geogrid.access.roles import Caller
from geogrid.errors import InputError, NotFoundError
from geogrid.registry import reads
from geogrid.registry.changes import Change
from geogrid.registry.records import decide
from geogrid.reports.categories import seed_categories
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox import inbox
from geogrid.reports.intake import submit_reports
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import monthly_stats
from tests.intake_paths import submit_one
from tests.registry.conftest import inside

BASIC = ("population", "rental_housing", "key_unit", "dangerous_goods", "housing",
         "organisation", "key_person", "special_group")  # fmt: skip
REPORTER = "regintake-test"


@pytest.fixture
def intake_engine(registry_engine: Engine) -> Iterator[Engine]:
    """The county with categories seeded; this module's reports removed afterwards."""
    with registry_engine.begin() as conn:
        seed_categories(conn)
    yield registry_engine
    with registry_engine.begin() as conn:
        conn.execute(text("delete from registry_proposals where report_id is not null"))
        conn.execute(text("delete from report_events where report_id in "
                          "(select id from reports where reporter = :r)"),
                     {"r": REPORTER})  # fmt: skip
        conn.execute(text("delete from reports where reporter = :r"), {"r": REPORTER})


def _items(index, categories, **extra) -> list[dict]:
    lon, lat = inside(index, 0)
    return [{"category": c, "lon": lon, "lat": lat, "text": f"{c} 上报", "reporter": REPORTER,
             "reported_at": "2026-03-02T09:00:00+08:00", **extra} for c in categories]  # fmt: skip


def _proposals(engine: Engine) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select p.report_id::text as report, p.kind, p.status, p.unit_code, "
            "p.community_code, a.code as address, p.change from registry_proposals p "
            "left join registry_addresses a on a.id = p.address_id "
            "where p.report_id is not null")).mappings().all()  # fmt: skip
    return {r["report"]: dict(r) for r in rows}


def _reports(engine: Engine, ids) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(text("select id::text, status, route, due_at, station_id from "
                                 "reports where id = any(cast(:i as uuid[]))"),
                            {"i": list(ids)}).all()  # fmt: skip
    return {r[0]: tuple(r[1:]) for r in rows}


def test_each_basic_category_in_a_batch_is_a_proposal_not_a_case(intake_engine, index, place):
    frame = pd.DataFrame(_items(index, (*BASIC, "public_security")))
    result = submit_reports(intake_engine, frame, index=index)
    assert list(result.outcome) == ["accepted"] * 9, result.errors
    ids = [str(i) for i in result.report_id]
    stored = _reports(intake_engine, ids)
    assert {stored[i][:3] for i in ids[:8]} == {("registry", "registry", None)}
    assert stored[ids[8]][:2] == ("assigned", "station") and stored[ids[8]][2] is not None
    proposals = _proposals(intake_engine)
    assert set(proposals) == set(ids[:8])  # one each, and none of the dynamic report
    unit = str(index.units.codes[0])
    for report_id, category in zip(ids, BASIC, strict=False):
        p = proposals[report_id]
        assert (p["kind"], p["status"], p["unit_code"], p["community_code"]) == (
            "report",
            "pending",
            unit,
            unit[:12],
        )
        assert p["address"] in place["codes"][:2]  # the nearest standard address
        assert p["change"]["report"]["category"] == category
        assert p["change"]["report"]["text"] == f"{category} 上报"
    station = Caller(9, "p", "station", station_id=stored[ids[0]][3])
    with intake_engine.connect() as conn:
        waiting = {str(i.id) for i in inbox(conn, station, calendar=calendar_of())}
    assert ids[8] in waiting and not waiting & set(ids[:8])
    assert result.routes["registry"] == 8


def test_the_api_writer_files_a_proposal_and_a_retry_files_none_again(intake_engine, index):
    item = _items(index, ("rental_housing",), client_request_id="regintake-1")[0]
    first = submit_one(intake_engine, item, index=index)
    again = submit_one(intake_engine, item, index=index)
    assert first == again
    assert list(_proposals(intake_engine)) == [first]
    assert _reports(intake_engine, [first])[first][:2] == ("registry", "registry")


def test_a_report_proposal_is_completed_into_a_record_by_the_officer(intake_engine, index, place):
    report_id = submit_one(intake_engine, _items(index, ("rental_housing",))[0], index=index)
    with intake_engine.begin() as conn:
        pid = conn.execute(text("select id from registry_proposals where report_id = :r"),
                           {"r": report_id}).scalar_one()  # fmt: skip
        shown = reads.get_proposal(conn, place["police"], pid)
        assert shown.report_id == report_id and shown.change["report"]["category"] == (
            "rental_housing"
        )
        other = Caller(8, "p02", "station", station_id=2, communities=frozenset({"999999999999"}))
        with pytest.raises(NotFoundError):
            reads.get_proposal(conn, other, pid)
        with pytest.raises(Forbidden):  # grid staff propose; they do not confirm
            decide(conn, place["staff"], pid, confirm=False, note="x")
        with pytest.raises(InputError, match=r"^record: "):
            decide(conn, place["police"], pid, confirm=True)
        rental = Change("housing", place["codes"][0], {"use": "rental", "landlord": "李四"})
        made = decide(conn, place["police"], pid, confirm=True, completed=rental)
        row = conn.execute(text("select kind, status, report_id::text, change from "
                                "registry_proposals where id = :p"), {"p": pid}).one()  # fmt: skip
        record = conn.execute(text("select kind, category, data from registry_records "
                                   "where id = :r"), {"r": made.record_id}).one()  # fmt: skip
    assert made.status == "confirmed"
    assert tuple(row[:3]) == ("housing", "confirmed", report_id)
    assert row[3]["report"]["id"] == report_id  # the report it came from stays with it
    assert tuple(record) == ("housing", "rental", {"use": "rental", "landlord": "李四"})


def test_a_report_proposal_is_declined_only_with_a_reason(intake_engine, index, place):
    report_id = submit_one(intake_engine, _items(index, ("key_person",))[0], index=index)
    with intake_engine.begin() as conn:
        pid = conn.execute(text("select id from registry_proposals where report_id = :r"),
                           {"r": report_id}).scalar_one()  # fmt: skip
        with pytest.raises(InputError, match=r"^note: "):
            decide(conn, place["police"], pid, confirm=False, note=" ")
        done = decide(conn, place["police"], pid, confirm=False, note="重复上报")
        assert (done.status, done.record_id) == ("rejected", None)
        # grid staff see that it was decided, not what it says (a key person)
        seen = reads.get_proposal(conn, place["staff"], pid)
        assert (seen.status, seen.change, seen.note) == ("rejected", {}, "重复上报")


def test_the_loop_kpis_leave_registry_reports_out(intake_engine, index):
    frame = pd.DataFrame(_items(index, ("population", "population", "public_security")))
    ids = [str(i) for i in submit_reports(intake_engine, frame, index=index).report_id]
    with intake_engine.begin() as conn:
        first = conn.execute(text("select id from registry_proposals where report_id = :r"),
                             {"r": ids[0]}).scalar_one()  # fmt: skip
        conn.execute(text("update registry_proposals set status = 'confirmed' where id = :p"),
                     {"p": first})  # fmt: skip
        totals, _ = monthly_stats(conn, "2026-03", "county",
                                  ReportScope(everything=True, details=True))  # fmt: skip
    kpis = totals.kpis
    assert totals.reports == 3 and totals.by_category == {"population": 2, "public_security": 1}
    assert (kpis.cases, kpis.closed, kpis.closure_rate) == (1, 0, 0.0)  # the one case
    assert (kpis.accepted, kpis.proposals_confirmed) == (0, 1)
    assert kpis.valid_report_rate == round(1 / 3, 4)  # (accepted + confirmed) / reports
    assert totals.open == 1
