"""Clean partitions from hand-drawn pieces: slivers, overlaps, real gaps."""

from __future__ import annotations

import shapely
from shapely.geometry import box

from geogrid.building.partition import GAP, OUTSIDE, OVERLAP, partition_within

PARENT = box(0, 0, 200, 100)


def _covers_once(parent, pieces) -> None:
    union = shapely.union_all(pieces)
    assert union.symmetric_difference(parent).area < 1e-6
    assert sum(p.area for p in pieces) - parent.area < 1e-6


def test_sliver_gap_and_thin_overlap_are_snapped() -> None:
    west = box(0, 0, 100.4, 100)  # overlaps east by 0.4 m... east starts at 100.0
    east = box(100.0, 0, 200, 100)
    north_gap_west = box(0, 0, 99.7, 100)  # a 0.3 m sliver next to east
    pieces, issues = partition_within(PARENT, [west, east])
    _covers_once(PARENT, pieces)
    assert [i.kind for i in issues] == [OVERLAP]
    assert issues[0].within_tolerance and issues[0].fixed
    pieces, issues = partition_within(PARENT, [north_gap_west, east])
    _covers_once(PARENT, pieces)
    assert [(i.kind, i.within_tolerance, i.fixed) for i in issues] == [(GAP, True, True)]
    assert abs(issues[0].area_m2 - 30.0) < 1e-6


def test_large_gap_is_reported_not_fixed() -> None:
    pieces, issues = partition_within(PARENT, [box(0, 0, 90, 100), box(100, 0, 200, 100)])
    gap = [i for i in issues if i.kind == GAP]
    assert len(gap) == 1 and not gap[0].fixed and not gap[0].within_tolerance
    assert abs(gap[0].area_m2 - 1000) < 1e-6 and 90 < gap[0].x < 100
    pieces, issues = partition_within(
        PARENT, [box(0, 0, 90, 100), box(100, 0, 200, 100)], fill_large_gaps=True
    )
    _covers_once(PARENT, pieces)


def test_large_overlap_goes_to_the_first_and_is_reported() -> None:
    pieces, issues = partition_within(PARENT, [box(0, 0, 120, 100), box(100, 0, 200, 100)])
    _covers_once(PARENT, pieces)
    overlap = [i for i in issues if i.kind == OVERLAP]
    assert len(overlap) == 1 and not overlap[0].within_tolerance
    assert overlap[0].pieces == (0, 1)
    assert abs(pieces[0].area - 12000) < 1e-6


def test_parts_outside_the_parent_are_clipped_and_reported() -> None:
    pieces, issues = partition_within(PARENT, [box(-50, 0, 100, 100), box(100, 0, 200, 100)])
    _covers_once(PARENT, pieces)
    assert [i.kind for i in issues] == [OUTSIDE]
    assert abs(issues[0].area_m2 - 5000) < 1e-6
