"""Migrations from empty to head and back, and models that agree with them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geogrid.errors import DatabaseError
from geogrid.storage import schema
from geogrid.storage.models import Grid, GridVersion, Report, ReportCategory, ReportEvent


@pytest.fixture
def empty_database(engine: Engine) -> Iterator[Engine]:
    """A fresh database on the session's cluster, dropped afterwards."""
    name = "geogrid_migration_test"
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"drop database if exists {name}"))
        conn.execute(text(f"create database {name}"))
    other = create_engine(engine.url.set(database=name))
    yield other
    other.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"drop database {name} with (force)"))


def test_upgrade_from_empty_then_downgrade_to_base(empty_database: Engine) -> None:
    assert schema.current_revision(empty_database) is None
    assert schema.upgrade(empty_database) == schema.head_revision()
    tables = set(inspect(empty_database).get_table_names())
    assert {"grid_versions", "grids", "stations", "people", "reports", "report_events"} <= tables
    assert schema.downgrade(empty_database, "base") is None
    left = set(inspect(empty_database).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
    assert left == set()


def test_a_schema_newer_than_this_geogrid_is_named(empty_database: Engine) -> None:
    schema.upgrade(empty_database)
    with empty_database.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999'"))
    with pytest.raises(DatabaseError, match="at 9999, a revision this geogrid does not know"):
        schema.ensure_schema(empty_database, migrate=True)


def test_models_match_migrations(engine: Engine) -> None:
    assert schema.schema_differences(engine) == []


def test_grid_geometry_has_a_gist_index(engine: Engine) -> None:
    indexes = inspect(engine).get_indexes("grids")
    assert any(ix["column_names"] == ["geom"] for ix in indexes)


def test_chinese_text_and_geometry_round_trip(session: Session) -> None:
    version = GridVersion(status="draft", source="测试", note="")
    session.add(version)
    session.flush()
    shape = MultiPolygon([box(119.40, 35.98, 119.42, 36.00)])
    grid = Grid(
        version_id=version.id,
        level=1,
        code="370782001001",
        name="密州街道和平社区",
        kind="community",
        geom=from_shape(shape, srid=4326),
        area_m2=4.0e6,
    )
    session.add(grid)
    session.flush()
    session.expire_all()
    stored = session.scalars(select(Grid).where(Grid.code == "370782001001")).one()
    assert stored.name == "密州街道和平社区"
    assert to_shape(stored.geom).equals(shape)


def test_report_with_events_round_trips(session: Session) -> None:
    category = ReportCategory(
        code="ZA", name_zh="治安", name_en="public security", kind="dynamic", is_security=True
    )
    session.add(category)
    session.flush()
    report = Report(
        category_id=category.id,
        client_request_id="phone-17-0001",
        geom=from_shape(Point(119.41, 35.99), srid=4326),
        received_x=119.4155,
        received_y=35.9912,
        received_crs="gcj02",
        reported_at=datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        reporter="王建国",
        text="村口发现可疑车辆",
    )
    session.add(report)
    session.flush()
    session.add(ReportEvent(report_id=report.id, actor="王建国", kind="note", note="已上报"))
    session.flush()
    session.expire_all()
    stored = session.get(Report, report.id)
    assert stored.text == "村口发现可疑车辆" and stored.status == "received"
    assert stored.assignment_method == "unassigned"
    assert to_shape(stored.geom).equals(Point(119.41, 35.99))
    events = session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)).all()
    assert [e.note for e in events] == ["已上报"]


def test_duplicate_client_request_id_is_refused(session: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    category = ReportCategory(code="HB", name_zh="环保", name_en="environment", kind="dynamic")
    session.add(category)
    session.flush()
    when = datetime(2026, 11, 1, tzinfo=UTC)
    session.add(Report(category_id=category.id, client_request_id="dup", reported_at=when))
    session.flush()
    session.add(Report(category_id=category.id, client_request_id="dup", reported_at=when))
    with pytest.raises(IntegrityError):
        session.flush()


def test_migration_0006_puts_existing_reports_into_the_loop(empty_database: Engine) -> None:
    schema.upgrade(empty_database, "0005")
    with empty_database.begin() as conn:
        category = conn.execute(text(
            "insert into report_categories (code, name_zh, name_en, kind, is_security) "
            "values ('public_security', '治安', 'Public security', 'dynamic', true) "
            "returning id")).scalar_one()  # fmt: skip
        ids = [conn.execute(text(
            "insert into reports (id, category_id, reported_at, status, route, "
            "assignment_method, received_crs, reporter, text) values (gen_random_uuid(), :c, "
            "'2026-03-02T09:00:00+08', :s, 'station', 'inside', 'EPSG:4326', '', '') "
            "returning id"), {"c": category, "s": s}).scalar_one()
            for s in ("assigned", "dispatched", "closed")]  # fmt: skip
        conn.execute(
            text(
                "insert into report_events (report_id, actor, kind, from_status, "
                "to_status, note, at) values (:r, 'x', 'status', 'assigned', "
                "'dispatched', '', '2026-03-03T10:00:00+08')"
            ),
            {"r": ids[1]},
        )
    schema.upgrade(empty_database)
    with empty_database.begin() as conn:
        limits = conn.execute(text("select accept_hours, handle_days from report_categories")).one()
        due = dict(conn.execute(text("select status, due_at from reports")).all())
        conn.execute(text("update reports set status = 'accepted' where id = :r"), {"r": ids[0]})
    assert tuple(limits) == (1, 3)  # the seeded limits of public security
    assert due["assigned"] == datetime.fromisoformat("2026-03-02T10:00:00+08:00")  # + 1 h
    assert due["dispatched"] == datetime.fromisoformat("2026-03-06T10:00:00+08:00")  # + 3 days
    assert due["closed"] is None
    schema.downgrade(empty_database, "0005")
    with empty_database.connect() as conn:
        assert conn.execute(text("select status from reports where id = :r"),
                            {"r": ids[0]}).scalar() == "assigned"  # fmt: skip


def _open_index_defs(conn) -> list[str]:
    names = "('ix_reports_open_due', 'ix_reports_open_station_inbox')"
    found = text(f"select indexdef from pg_indexes where tablename = 'reports' "
                 f"and indexname in {names}")  # fmt: skip
    return list(conn.execute(found).scalars())


def test_migration_0015_adds_verified_awaiting_close(empty_database: Engine) -> None:
    schema.upgrade(empty_database, "0014")
    with empty_database.begin() as conn:
        category = conn.execute(text(
            "insert into report_categories (code, name_zh, name_en, kind, is_security) "
            "values ('public_security', '治安', 'Public security', 'dynamic', true) "
            "returning id")).scalar_one()  # fmt: skip
        insert = text(
            "insert into reports (id, category_id, reported_at, status, route, "
            "assignment_method, received_crs, reporter, text) values (gen_random_uuid(), :c, "
            "'2026-03-02T09:00:00+08', :s, 'station', 'inside', 'EPSG:4326', '', '') "
            "returning id")  # fmt: skip
        closed = conn.execute(insert, {"c": category, "s": "closed"}).scalar_one()
    schema.upgrade(empty_database, "0021")  # 0022 puts the indexes on is_open
    with empty_database.begin() as conn:
        verified = conn.execute(insert, {"c": category, "s": "verified"}).scalar_one()
        defs = _open_index_defs(conn)
        statuses = dict(conn.execute(text("select id, status from reports")).all())
    assert statuses == {closed: "closed", verified: "verified"}, "closed cases stay closed"
    assert len(defs) == 2 and all("'verified'" in d and "'closed'" not in d for d in defs)
    schema.downgrade(empty_database, "0014")
    with empty_database.connect() as conn:
        assert conn.execute(text("select status from reports where id = :r"),
                            {"r": verified}).scalar() == "closed"  # fmt: skip
        assert all("'verified'" not in d for d in _open_index_defs(conn))
        with pytest.raises(IntegrityError, match="ck_reports_status"):
            conn.execute(text("update reports set status = 'verified'"))


def test_migration_0016_files_open_basic_reports_as_registry_proposals(
    empty_database: Engine,
) -> None:
    schema.upgrade(empty_database, "0014")
    with empty_database.begin() as conn:
        categories = {code: conn.execute(text(
            "insert into report_categories (code, name_zh, name_en, kind, is_security) "
            "values (:c, :n, :e, :k, true) returning id"),
            {"c": code, "e": code, "n": name, "k": kind}).scalar_one()
            for code, name, kind in (("population", "实有人口", "basic"),
                                     ("public_security", "治安", "dynamic"))}  # fmt: skip
        conn.execute(text(
            "insert into registry_addresses (code, county_code, street, house_no, estate, "
            "building, unit_no, floor, room, full_text, geom, assignment_method) values "
            "('A1', '370782', '人民路', '12', '', '', '', '', '', '人民路12号', "
            "'SRID=4326;POINT(119.4001 36.0)', 'unassigned')"))  # fmt: skip

        def report(category: str, status: str) -> str:
            return str(conn.execute(text(
                "insert into reports (id, category_id, reported_at, status, route, geom, "
                "assignment_method, received_crs, reporter, text, due_at) values "
                "(gen_random_uuid(), :c, '2026-03-02T09:00:00+08', :s, 'station', "
                "'SRID=4326;POINT(119.4 36.0)', 'inside', 'EPSG:4326', '网格员甲', '新住户', "
                "'2026-03-02T10:00:00+08') returning id"),
                {"c": categories[category], "s": status}).scalar_one())  # fmt: skip

        made = (
            ("waiting", "population", "assigned"),
            ("working", "population", "dispatched"),
            ("closed", "population", "closed"),
            ("case", "public_security", "assigned"),
        )
        ids = {name: report(category, status) for name, category, status in made}
    schema.upgrade(empty_database)

    def state() -> tuple[dict, dict]:
        with empty_database.connect() as conn:
            reports = {str(r[0]): tuple(r[1:]) for r in conn.execute(text(
                "select id, status, route, due_at is null from reports"))}  # fmt: skip
            proposals = {str(r[0]): tuple(r[1:]) for r in conn.execute(text(
                "select p.report_id, p.kind, p.status, a.code, p.change->'report'->>'text' "
                "from registry_proposals p left join registry_addresses a "
                "on a.id = p.address_id"))}  # fmt: skip
        return reports, proposals

    reports, proposals = state()
    for name in ("waiting", "working"):
        assert reports[ids[name]] == ("registry", "registry", True)
        assert proposals[ids[name]] == ("report", "pending", "A1", "新住户")  # nearest address
    assert reports[ids["closed"]] == ("closed", "station", False)  # history untouched
    assert reports[ids["case"]] == ("assigned", "station", False)
    assert set(proposals) == {ids["waiting"], ids["working"]}
    with empty_database.connect() as conn:
        moved = conn.execute(text("select from_status from report_events where to_status = "
                                  "'registry' order by from_status")).scalars().all()  # fmt: skip
    assert moved == ["assigned", "dispatched"]
    schema.downgrade(empty_database, "0014")
    with empty_database.connect() as conn:
        back = dict(conn.execute(text("select id::text, status from reports")).all())
        assert conn.execute(text("select count(*) from registry_proposals")).scalar() == 0
    # back into the loop waiting to be accepted: in county triage, as they have no unit here
    assert back[ids["waiting"]] == back[ids["working"]] == "received"
    schema.upgrade(empty_database)  # again: the same proposals, once each
    assert state() == (reports, proposals)


def test_coverage_figures_come_and_go_with_migration_0021(empty_database: Engine) -> None:
    """0021 lets the map's coverage be stored as month figures; its downgrade deletes them
    (a cache of the tracks) and keeps the assessment's and team's rows."""
    schema.upgrade(empty_database)
    insert = text("insert into month_figures (kind, scope, month, rows, computed_at)"
                  " values (:kind, 'county', '2026-06', '[]', now())")  # fmt: skip
    with empty_database.begin() as conn:
        for kind in ("assessment", "coverage"):
            conn.execute(insert, {"kind": kind})
    schema.downgrade(empty_database, "0020")
    with empty_database.connect() as conn:
        kinds = conn.execute(text("select kind from month_figures")).scalars().all()
    assert kinds == ["assessment"]
    refused = pytest.raises(IntegrityError, match="ck_month_figures_kind")
    with refused, empty_database.begin() as conn:
        conn.execute(insert, {"kind": "coverage"})
    schema.upgrade(empty_database)
    with empty_database.begin() as conn:
        conn.execute(insert, {"kind": "coverage"})


def test_migration_0022_marks_open_cases_and_puts_the_indexes_on_it(empty_database: Engine) -> None:
    """0022's generated is_open is true for the loop's open statuses and no other, follows a
    status change, and the open cases' partial indexes are on it (a grid's and a unit's
    with the station); the table is vacuumed after; its downgrade puts the status
    predicates back."""
    from geogrid.reports.loop import OPEN
    from geogrid.vocabulary import REPORT_STATUSES

    schema.upgrade(empty_database)
    with empty_database.begin() as conn:
        category = conn.execute(text(
            "insert into report_categories (code, name_zh, name_en, kind, is_security) "
            "values ('public_security', '治安', 'Public security', 'dynamic', true) "
            "returning id")).scalar_one()  # fmt: skip
        for status in REPORT_STATUSES:
            conn.execute(text(
                "insert into reports (id, category_id, reported_at, status, route, "
                "assignment_method, received_crs, reporter, text) values (gen_random_uuid(), "
                ":c, '2026-03-02T09:00:00+08', :s, 'station', 'inside', 'EPSG:4326', '', '')"),
                {"c": category, "s": status})  # fmt: skip
        opened = dict(conn.execute(text("select status, is_open from reports")).all())
        assert {s for s, is_open in opened.items() if is_open} == set(OPEN)
        conn.execute(text("update reports set status = 'closed' where status = 'verified'"))
        assert conn.execute(text("select count(*) from reports where is_open")).scalar() == 7
        where = _all_open_index_defs(conn)
    assert len(where) == 5 and all(d.endswith("WHERE is_open") for d in where), where
    assert sum("INCLUDE (station_id)" in d for d in where) == 2, where  # a grid's and a unit's
    with empty_database.connect() as conn:
        vacuumed = conn.execute(text("select last_vacuum from pg_stat_user_tables "
                                     "where relname = 'reports'")).scalar()  # fmt: skip
    assert vacuumed is not None
    schema.downgrade(empty_database, "0021")
    with empty_database.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("reports")}
        defs = _all_open_index_defs(conn)
    assert "is_open" not in columns and len(defs) == 5
    assert all("'verified'" in d and "'closed'" not in d for d in defs), defs
    schema.upgrade(empty_database)


def _all_open_index_defs(conn) -> list[str]:
    found = text("select indexdef from pg_indexes where tablename = 'reports' "
                 "and indexname like 'ix\\_reports\\_open\\_%'")  # fmt: skip
    return list(conn.execute(found).scalars())
