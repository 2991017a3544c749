"""Patrols: idempotent start, batches stored once, bad points named, tracks drawn on stop."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from geogrid.errors import ConflictError, NotFoundError
from geogrid.patrols.points import PointIn
from geogrid.patrols.tracks import add_points, start_patrol, stop_patrol
from geogrid.vocabulary import CHINA_TZ

START = datetime(2026, 6, 1, 9, 0, tzinfo=CHINA_TZ)


def walk(n: int, first: int = 0, step_s: int = 10) -> list[PointIn]:
    """n points 10 s and about 9 m apart, walking east from (119.4, 36.0)."""
    return [PointIn(START + timedelta(seconds=step_s * i), 119.4 + 0.0001 * i, 36.0, 5.0)
            for i in range(first, first + n)]  # fmt: skip


def test_starting_twice_gives_the_same_patrol(county_conn, unit) -> None:
    made, patrol = start_patrol(county_conn, unit.leader_id, "p-1", START)
    again, same = start_patrol(county_conn, unit.leader_id, "p-1", START)
    assert (made, again, same["id"]) == ("created", "repeated", patrol["id"])
    with pytest.raises(ConflictError):
        start_patrol(county_conn, unit.leader_id, "p-1", START + timedelta(hours=1))


def test_a_batch_sent_again_stores_nothing_and_bad_points_are_named(county_conn, unit) -> None:
    _, patrol = start_patrol(county_conn, unit.leader_id, "p-2", START)
    points = walk(20)
    points[3] = PointIn(points[3].at, 0.0, 0.0)
    first = add_points(county_conn, unit.leader_id, patrol["id"], "b-1", points)
    assert (first.outcome, first.stored) == ("stored", 19)
    assert [(p.index, p.field) for p in first.rejected] == [(3, "lon")]
    again = add_points(county_conn, unit.leader_id, patrol["id"], "b-1", points)
    assert (again.outcome, again.stored, again.rejected) == ("repeated", 19, [])
    # A new batch id holding points already stored (the phone lost the answer) adds the rest.
    overlap = add_points(county_conn, unit.leader_id, patrol["id"], "b-2", walk(20, first=10))
    assert overlap.stored == 10 and overlap.patrol["points"] == 29
    stored = county_conn.execute(text("select count(*) from patrol_points where patrol_id = :p"),
                                 {"p": patrol["id"]}).scalar()  # fmt: skip
    assert stored == 29


def test_stop_draws_the_track_split_at_a_gap(county_conn, unit) -> None:
    _, patrol = start_patrol(county_conn, unit.leader_id, "p-3", START)
    later = [PointIn(p.at + timedelta(hours=1), p.lon, p.lat + 0.01, 5.0) for p in walk(5)]
    add_points(county_conn, unit.leader_id, patrol["id"], "b", walk(5) + later)
    state, stopped = stop_patrol(
        county_conn, unit.leader_id, patrol["id"], START + timedelta(hours=2)
    )
    assert state == "stopped" and stopped["stopped_at"] == START + timedelta(hours=2)
    parts, length = county_conn.execute(text(
        "select st_numgeometries(track), st_length(track::geography) from patrols where id = :p"),
        {"p": patrol["id"]}).one()  # fmt: skip
    assert parts == 2  # an hour without points splits the walk in two lines
    assert 2 * 4 * 8 < length < 2 * 4 * 10  # two walks of four 9 m steps, no hour-long jump
    assert stop_patrol(county_conn, unit.leader_id, patrol["id"], START)[0] == "repeated"
    # A batch arriving after the stop (taken before it) draws the track again.
    add_points(county_conn, unit.leader_id, patrol["id"], "late", walk(5, first=5))
    assert county_conn.execute(text("select st_numgeometries(track) from patrols where id = :p"),
                               {"p": patrol["id"]}).scalar() == 2  # fmt: skip
    longer = county_conn.execute(text("select st_length(track::geography) from patrols "
                                      "where id = :p"), {"p": patrol["id"]}).scalar()  # fmt: skip
    assert longer > length + 40


def test_another_persons_patrol_is_not_found(county_conn, unit) -> None:
    _, patrol = start_patrol(county_conn, unit.leader_id, "p-4", START)
    with pytest.raises(NotFoundError):
        add_points(county_conn, unit.officer_id, patrol["id"], "b", walk(2))
    with pytest.raises(NotFoundError):
        stop_patrol(county_conn, unit.officer_id, patrol["id"], START)
