"""Patrol coverage: the share of a unit within 50 m of the month's tracks, checked against
shapely in the county's zone; visits; a person's area-weighted coverage."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import shapely
from shapely.geometry import LineString

from geogrid.patrols.coverage import coverage_by_person, coverage_by_unit
from geogrid.patrols.points import PointIn
from geogrid.patrols.tracks import add_points, start_patrol, stop_patrol
from geogrid.team.leave import approve_leave, request_leave
from geogrid.team.people import find_person, person_by_id
from geogrid.vocabulary import CHINA_TZ
from tests.patrols.conftest import metric

START = datetime(2026, 6, 3, 9, 0, tzinfo=CHINA_TZ)


def _across(shape: shapely.Geometry, n: int = 40) -> list[tuple[float, float]]:
    """n points on a west-east line through the middle of a unit's bounding box."""
    x0, _, x1, _ = shape.bounds
    y = shapely.point_on_surface(shape).y
    return [(x0 + (x1 - x0) * i / (n - 1), y) for i in range(n)]


def _patrol(conn, person: int, name: str, coords, start: datetime, *, stop: bool = True) -> None:
    _, patrol = start_patrol(conn, person, name, start)
    points = [PointIn(start + timedelta(seconds=5 * i), x, y, 4.0)
              for i, (x, y) in enumerate(coords)]  # fmt: skip
    add_points(conn, person, patrol["id"], "all", points)
    if stop:
        stop_patrol(conn, person, patrol["id"], start + timedelta(hours=1))


def test_a_track_across_a_unit_covers_what_lies_within_50_m(county_conn, unit) -> None:
    line = _across(unit.shape)
    _patrol(county_conn, unit.leader_id, "c-1", line, START)
    # The same walk a day later, still running: drawn on read, one more day, one more patrol.
    _patrol(county_conn, unit.leader_id, "c-2", line, START + timedelta(days=1), stop=False)
    # A walk in May is not June's.
    _patrol(county_conn, unit.leader_id, "c-0", line, START - timedelta(days=10))
    found = {u.code: u for u in coverage_by_unit(county_conn, "2026-06")}
    mine = found[unit.code]
    shape = metric(unit.shape)
    expected = shape.intersection(metric(LineString(line)).buffer(50)).area / shape.area
    assert abs(mine.share - expected) < 0.01, (mine.share, expected)
    assert 0 < mine.share < 1
    assert (mine.patrols, mine.days) == (2, 2)
    assert abs(mine.area_m2 - shape.area) / shape.area < 0.001
    untouched = [u for u in found.values() if u.patrols == 0]
    assert untouched and all(u.share == 0 for u in untouched)


def test_a_persons_coverage_weights_their_units_by_area(county_conn, unit) -> None:
    _patrol(county_conn, unit.leader_id, "c-3", _across(unit.shape), START)
    units = coverage_by_unit(county_conn, "2026-06", area=(unit.code[:15],))
    assert units and all(u.code.startswith(unit.code[:15]) for u in units)
    people = coverage_by_person(county_conn, "2026-06")
    area = sum(u.area_m2 for u in units)
    leader = sum(u.covered_m2 for u in units) / area
    officer = next(u for u in units if u.code == unit.code).share
    assert abs(people[unit.leader_id] - leader) < 1e-3
    assert abs(people[unit.officer_id] - officer) < 1e-3
    assert people[unit.officer_id] > people[unit.leader_id] > 0
    assert coverage_by_person(county_conn, "2026-07")[unit.leader_id] == 0


def test_a_leave_cover_is_credited_with_the_grid_for_its_days(county_conn, unit) -> None:
    # The leader is away all July; the cover walks the unit then: the grid is the cover's
    # that month (storage/duty.py's periods with covers), and not the absent leader's.
    leader = person_by_id(county_conn, unit.leader_id)
    leave_id = request_leave(county_conn, leader, date(2026, 7, 1), date(2026, 7, 31), "探亲")
    cover = approve_leave(county_conn, leave_id, "所长")[0]
    cover_id = find_person(county_conn, cover.person_no).id
    july = datetime(2026, 7, 6, 9, 0, tzinfo=CHINA_TZ)
    _patrol(county_conn, cover_id, "c-cover", _across(unit.shape), july)
    people = coverage_by_person(county_conn, "2026-07", area=(unit.code[:15],))
    assert people[cover_id] > 0
    assert unit.leader_id not in people
