"""Places, people and reports of the tiny sample county that the API tests use."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import shapely
from sqlalchemy import Engine, text

from geogrid.access.users import add_user
from geogrid.reports.index import AssignmentIndex
from geogrid.reports.intake import submit_reports

WHEN = "2026-06-01T10:00:00+08:00"  # staffed since 2025-01-01 (tests/county.py)
MONTH = "2026-06"
STATIONS = ("370782P01", "370782P02")


@dataclass(frozen=True)
class Place:
    """A point well inside a unit, with the unit's codes and station."""

    lon: float
    lat: float
    unit: str
    grid: str
    community: str
    station: str


def station_places(engine: Engine, index: AssignmentIndex) -> dict[str, list[Place]]:
    """For each station, a place inside every unit of its jurisdiction, in code order."""
    with engine.connect() as conn:
        station_of = dict(conn.execute(text(
            "select sc.community_code, s.code from station_communities sc "
            "join stations s on s.id = sc.station_id")).all())  # fmt: skip
    found: dict[str, list[Place]] = {code: [] for code in STATIONS}
    for geom, code in zip(index.units.geoms, index.units.codes, strict=True):
        station = station_of.get(code[:12])
        if station in found:
            point = shapely.point_on_surface(geom)
            found[station].append(Place(point.x, point.y, code, code[:15], code[:12], station))
    return found


def person_on(engine: Engine, grid_code: str, role: str) -> tuple[int, str]:
    """(id, person_no) of who holds a grid in a role."""
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "select p.id, p.person_no from grid_assignments a join people p on p.id = a.person_id "
            "where a.grid_code = :g and a.role = :r order by a.valid_from desc limit 1"),
            {"g": grid_code, "r": role}).one())  # fmt: skip


@dataclass(frozen=True)
class Reports:
    """Report ids by what they are (see `make_reports`)."""

    p01_security: str
    p01_fire: str
    p01_population: str
    p02_security: str
    p02_environment: str
    triage: str

    def all(self) -> list[str]:
        """Every id."""
        return list(vars(self).values())


def make_reports(engine: Engine, index: AssignmentIndex, a: Place, b: Place) -> Reports:
    """Six reports: at place a (station P01) public security (to the station), a fire hazard
    (to the fire brigade) and a population update (sensitive); at place b (P02) public
    security and environment; and a dispute 50 km away (county triage)."""
    items = [
        {"category": "public_security", "lon": a.lon, "lat": a.lat, "text": "打架斗殴"},
        {"category": "fire_hazard", "lon": a.lon, "lat": a.lat, "text": "楼道堆放杂物"},
        {"category": "population", "lon": a.lon, "lat": a.lat, "text": "张三 身份证 370782...",
         "reporter": "网格员甲"},
        {"category": "public_security", "lon": b.lon, "lat": b.lat, "text": "盗窃"},
        {"category": "environment", "lon": b.lon, "lat": b.lat, "text": "焚烧秸秆"},
        {"category": "dispute", "lon": a.lon + 0.5, "lat": a.lat, "text": "邻里纠纷"},
    ]  # fmt: skip
    frame = pd.DataFrame([item | {"reported_at": WHEN} for item in items])
    result = submit_reports(engine, frame, index=index)
    assert list(result.outcome) == ["accepted"] * 6, result.errors
    return Reports(*[str(i) for i in result.report_id])


def delete_reports(engine: Engine, ids: list[str] | None = None, reporter: str | None = None):
    """Remove reports (by id, or by reporter) and their events."""
    with engine.begin() as conn:
        if ids:
            conn.execute(text("delete from registry_proposals "
                              "where report_id = any(cast(:ids as uuid[]))"),
                         {"ids": ids})  # fmt: skip
            conn.execute(text("delete from reports where id = any(cast(:ids as uuid[]))"),
                         {"ids": ids})  # fmt: skip
        if reporter:
            conn.execute(text("delete from registry_proposals where report_id in "
                              "(select id from reports where reporter = :r)"),
                         {"r": reporter})  # fmt: skip
            conn.execute(text("delete from reports where reporter = :r"), {"r": reporter})


@dataclass(frozen=True)
class Users:
    """Tokens by user: the county, both stations, a grid leader of each station's first
    grid, the fire brigade and the environment bureau."""

    admin: str
    p01: str
    p02: str
    staff01: str
    staff02: str
    fire: str
    environment: str

    def by_name(self) -> dict[str, str]:
        """name -> token."""
        return dict(vars(self))


USER_PREFIX = "apitest-"


def make_users(engine: Engine, staff01: str, staff02: str) -> Users:
    """Create the users (names start with USER_PREFIX); returns their tokens."""
    specs = {
        "admin": ("county_admin", {}), "p01": ("station", {"station": STATIONS[0]}),
        "p02": ("station", {"station": STATIONS[1]}),
        "staff01": ("grid_staff", {"person": staff01}),
        "staff02": ("grid_staff", {"person": staff02}),
        "fire": ("department", {"department": "fire"}),
        "environment": ("department", {"department": "environment"}),
    }  # fmt: skip
    with engine.begin() as conn:
        tokens = {name: add_user(conn, USER_PREFIX + name, role, **scope)
                  for name, (role, scope) in specs.items()}  # fmt: skip
    return Users(**tokens)


def delete_users(engine: Engine) -> None:
    """Remove the test users and their audit entries."""
    with engine.begin() as conn:
        conn.execute(
            text("delete from audit_log where user_name like :p"), {"p": USER_PREFIX + "%"}
        )
        conn.execute(text("delete from api_users where name like :p"), {"p": USER_PREFIX + "%"})


STATS_WHEN = "2025-03-10T09:00:00+08:00"
STATS_MONTH = "2025-03"


def make_month_of_reports(engine: Engine, index: AssignmentIndex, a: Place, b: Place) -> list[str]:
    """Six reports in March 2025, two of them resolved: at place a (P01) two public-security
    incidents (one resolved), a dispute (resolved) and a fire hazard; at place b (P02) a
    dispute; 50 km away a dispute (unassigned). Totals: 6 reports, 1 hazard, 3 disputes, 1
    mediated, 2 cases assisted, 2 resolved, 4 open, 1 unassigned backlog."""
    from geogrid.reports.lifecycle import change_status

    spots = [("public_security", a), ("public_security", a), ("dispute", a),
             ("fire_hazard", a), ("dispute", b), ("dispute", None)]  # fmt: skip
    frame = pd.DataFrame([
        {"category": category, "lon": (place or a).lon + (0 if place else 0.5),
         "lat": (place or a).lat, "reported_at": STATS_WHEN, "text": f"{category} {n}"}
        for n, (category, place) in enumerate(spots)
    ])  # fmt: skip
    result = submit_reports(engine, frame, index=index)
    ids = [str(i) for i in result.report_id]
    with engine.begin() as conn:
        for resolved in (ids[0], ids[2]):
            change_status(conn, resolved, "resolved", actor="apitest-stats")
    return ids


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The WebMercatorQuad column and row holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def delete_patrol_rows(engine: Engine) -> None:
    """Remove every work log, patrol, track point and check-in (the API tests' own)."""
    with engine.begin() as conn:
        conn.execute(text("truncate work_logs, patrol_points, patrol_batches, patrols, check_ins"))
