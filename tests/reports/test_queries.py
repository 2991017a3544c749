"""Reading reports: scopes, filters, redaction, one report, export rows, last events."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from geogrid.errors import InputError, NotFoundError
from geogrid.reports.lifecycle import add_note, change_status
from geogrid.reports.queries import (
    R,
    ReportFilter,
    ReportScope,
    count_sensitive,
    get_report,
    iter_reports,
    last_events,
    list_reports,
    scoped_report,
)
from geogrid.vocabulary import CHINA_TZ
from tests.api.places import make_reports, person_on, station_places

ALL = ReportScope(everything=True, details=True)
NO_FILTER = ReportFilter()


@pytest.fixture
def known(reports_engine, county_index):
    """The six reports of tests.api.places.make_reports, and the two places."""
    places = station_places(reports_engine, county_index)
    a, b = places["370782P01"][0], places["370782P02"][0]
    return make_reports(reports_engine, county_index, a, b), a, b


def ids(engine, filters: ReportFilter = NO_FILTER, scope=ALL, **page) -> list[str]:
    """Listed report ids."""
    with engine.connect() as conn:
        rows, _ = list_reports(conn, filters, scope, limit=page.get("limit", 50),
                               offset=page.get("offset", 0))  # fmt: skip
    return [str(r["id"]) for r in rows]


def station_id(engine, code: str) -> int:
    """A station's id."""
    with engine.connect() as conn:
        return conn.execute(text("select id from stations where code = :c"), {"c": code}).scalar()


def test_each_scope_sees_its_own(reports_engine, known):
    reports, a, _ = known
    assert set(ids(reports_engine)) == set(reports.all())
    p01 = ReportScope(station_id=station_id(reports_engine, "370782P01"))
    assert set(ids(reports_engine, scope=p01)) == {reports.p01_security, reports.p01_fire,
                                                   reports.p01_population}  # fmt: skip
    with reports_engine.connect() as conn:
        fire = conn.execute(text("select id from departments where code = 'fire'")).scalar()
    assert ids(reports_engine, scope=ReportScope(department_id=fire)) == [reports.p01_fire]
    leader = person_on(reports_engine, a.grid, "grid_leader")[0]
    assert len(ids(reports_engine, scope=ReportScope(person_id=leader))) == 3
    assert ids(reports_engine, scope=ReportScope()) == [], "an empty scope sees nothing"


def test_a_bound_scope_sees_what_its_parameters_say(reports_engine, known):
    """condition(bound=True) is one statement for every scope of a shape: each scope's
    params() give what condition() gives, and a statement run without them is refused."""
    _, a, _ = known
    with reports_engine.connect() as conn:
        fire = conn.execute(text("select id from departments where code = 'fire'")).scalar()
    leader = person_on(reports_engine, a.grid, "grid_leader")[0]
    scopes = [ReportScope(station_id=station_id(reports_engine, code))
              for code in ("370782P01", "370782P02")]  # fmt: skip
    scopes += [ReportScope(department_id=fire), ReportScope(person_id=leader), ReportScope(), ALL]
    built = {}
    with reports_engine.connect() as conn:
        for scope in scopes:
            statement = built.setdefault(scope.shape, select(R.c.id).where(
                scope.condition(bound=True)))  # fmt: skip
            found = set(conn.execute(statement, scope.params()).scalars())
            assert found == set(conn.execute(select(R.c.id).where(scope.condition())).scalars())
            assert len(found) == len(ids(reports_engine, scope=scope))
        with pytest.raises(StatementError, match="scope_station_id"):
            conn.execute(built["station_id"])
    assert [s.shape for s in scopes] == ["station_id", "station_id", "department_id",
                                         "person_id", "nothing", "everything"]  # fmt: skip


def test_sensitive_details_are_blanked_without_the_right(reports_engine, known):
    reports = known[0]
    with reports_engine.connect() as conn:
        hidden = get_report(conn, reports.p01_population, ReportScope(everything=True))
        shown = get_report(conn, reports.p01_population, ALL)
        plain = get_report(conn, reports.p01_fire, ReportScope(everything=True))
    assert hidden["redacted"] and hidden["text"] is None and hidden["reporter"] is None
    assert not shown["redacted"] and shown["reporter"] == "网格员甲"
    assert plain["text"] == "楼道堆放杂物" and not plain["redacted"]
    assert (shown["unit_code"], shown["station_code"]) == (known[1].unit, "370782P01")
    assert shown["leader_name"] and shown["officer_phone"]


def test_filters(reports_engine, known):
    reports, a, b = known

    def listed(**parts) -> set[str]:
        return set(ids(reports_engine, ReportFilter(**parts)))

    assert listed(categories=("dispute",)) == {reports.triage}
    # one category is asked by its id, more by their codes: the same reports either way
    fire = listed(categories=("fire_hazard",))
    assert fire and listed(categories=("dispute", "fire_hazard")) == fire | {reports.triage}
    assert listed(categories=("ufo",)) == set()
    assert listed(methods=("unassigned",)) == listed(routes=("triage",)) == {reports.triage}
    assert listed(statuses=("received",)) == {reports.triage}
    assert listed(grid=a.unit) == listed(grid=a.grid) >= {reports.p01_fire}
    assert reports.p02_security in listed(grid=b.community)
    assert listed(bbox=(b.lon - 1e-4, b.lat - 1e-4, b.lon + 1e-4, b.lat + 1e-4)) == {
        reports.p02_security,
        reports.p02_environment,
    }
    day = datetime(2026, 6, 1, tzinfo=CHINA_TZ)
    assert len(listed(reported_from=day, reported_to=day + timedelta(days=1))) == 6
    assert listed(reported_from=day + timedelta(days=1)) == set()
    assert listed(ids=(reports.triage, "not-a-uuid")) == {reports.triage}


@pytest.mark.parametrize(
    "parts, field",
    [({"statuses": ("lost",)}, "status"), ({"methods": ("guess",)}, "method"),
     ({"routes": ("mail",)}, "route"), ({"grid": "3707"}, "grid"),
     ({"reported_from": datetime(2026, 6, 2, tzinfo=CHINA_TZ),
       "reported_to": datetime(2026, 6, 1, tzinfo=CHINA_TZ)}, "from")],
)  # fmt: skip
def test_bad_filters_name_the_field(parts, field):
    with pytest.raises(InputError) as raised:
        ReportFilter(**parts)
    assert raised.value.field == field


def test_paging_says_whether_more_follow(reports_engine, known):
    first = ids(reports_engine, limit=4)
    rest = ids(reports_engine, limit=4, offset=4)
    assert len(first) == 4 and len(rest) == 2 and not set(first) & set(rest)
    with reports_engine.connect() as conn:
        assert list_reports(conn, ReportFilter(), ALL, limit=4)[1] is True
        assert list_reports(conn, ReportFilter(), ALL, limit=6)[1] is False


def test_one_report_missing_or_out_of_scope_is_not_found(reports_engine, known):
    reports = known[0]
    p01 = ReportScope(station_id=station_id(reports_engine, "370782P01"))
    p02 = ReportScope(station_id=station_id(reports_engine, "370782P02"))
    with reports_engine.connect() as conn:
        # One statement serves every station: P01 reading its case first must not open it
        # to P02.
        assert str(get_report(conn, reports.p01_security, p01)["id"]) == reports.p01_security
        for report_id in (reports.p01_security, str(uuid.uuid4()), "x"):
            with pytest.raises(NotFoundError):
                get_report(conn, report_id, p02)
            with pytest.raises(NotFoundError):
                scoped_report(conn, report_id, p02)
        assert scoped_report(conn, reports.p02_security, p02)["status"] == "assigned"


def test_export_rows_sensitive_counts_and_last_events(reports_engine, known):
    reports = known[0]
    with reports_engine.begin() as conn:
        change_status(conn, reports.p01_security, "dispatched", actor="t", note="派警")
        add_note(conn, reports.p01_security, "已到场", actor="t")
        change_status(conn, reports.p01_fire, "in_progress", actor="t")
    with reports_engine.connect() as conn:
        exported = list(iter_reports(conn, ReportFilter(), ALL, limit=5))
        assert len(exported) == 5 and all("lon" in row for row in exported)
        assert count_sensitive(conn, ReportFilter(), ALL) == 1
        latest = last_events(conn, [uuid.UUID(reports.p01_security), uuid.UUID(reports.p01_fire)])
    assert latest[uuid.UUID(reports.p01_security)][1] == "已到场"
    assert latest[uuid.UUID(reports.p01_fire)][1] is None, "no note, only a status change"
