"""Track points are checked one by one: a bad one is named by index and field."""

from __future__ import annotations

from datetime import datetime, timedelta

from geogrid.patrols.points import PointIn, check_points
from geogrid.vocabulary import CHINA_TZ

START = datetime(2026, 6, 1, 9, 0, tzinfo=CHINA_TZ)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=CHINA_TZ)


def test_each_bad_point_is_named_and_the_good_ones_are_kept() -> None:
    good = PointIn(START + timedelta(minutes=1), 119.4, 36.0, 5.0)
    points = [
        good,
        PointIn(START + timedelta(minutes=2), 200.0, 36.0),  # lon out of range
        PointIn(START + timedelta(minutes=3), 36.0, 119.4),  # swapped
        PointIn(START + timedelta(minutes=4), 0.0, 0.0),  # no fix
        PointIn(START + timedelta(minutes=5), 119.4, 36.0, -3.0),  # accuracy
        PointIn(START - timedelta(hours=1), 119.4, 36.0),  # before the start
        PointIn(NOW + timedelta(hours=1), 119.4, 36.0),  # in the future
        PointIn(datetime(2026, 6, 1, 9, 30), 119.41, 36.01, None),  # naive: China time
        PointIn("yesterday", 119.4, 36.0),  # not ISO 8601
        PointIn("2026-06-01T09:40:00", 119.42, 36.0),  # text, naive: China time
    ]
    checked = check_points(points, START, None, NOW)
    assert [(p.index, p.field) for p in checked.problems] == [
        (1, "lon"), (2, "lat"), (3, "lon"), (4, "accuracy_m"), (5, "at"), (6, "at"), (8, "at"),
    ]  # fmt: skip
    assert "before the patrol started" in checked.problems[4].message
    assert "not an ISO 8601 time" in checked.problems[6].message
    assert checked.lon == [119.4, 119.41, 119.42]
    assert checked.at[1] == datetime(2026, 6, 1, 9, 30, tzinfo=CHINA_TZ)
    assert checked.at[2] == datetime(2026, 6, 1, 9, 40, tzinfo=CHINA_TZ)
    assert checked.accuracy_m == [5.0, None, None]


def test_a_stopped_patrol_takes_no_point_from_after_its_stop() -> None:
    stop = START + timedelta(hours=1)
    late = PointIn(stop + timedelta(hours=1), 119.4, 36.0)
    checked = check_points([late], START, stop, NOW)
    assert [(p.index, p.field) for p in checked.problems] == [(0, "at")]
