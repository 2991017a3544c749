"""Grid codes: reading order inside the parent, kept for unchanged geometry."""

from __future__ import annotations

from shapely.geometry import box

from geogrid.building.codes import child_codes, geometry_key

PARENT = "370782001001"
ROW = [box(x, 0, x + 1, 1) for x in (2, 0, 1)]  # listed out of order
ABOVE = box(0, 1, 3, 2)


def test_children_are_numbered_north_to_south_then_west_to_east() -> None:
    codes = child_codes(PARENT, [*ROW, ABOVE])
    assert codes == [f"{PARENT}004", f"{PARENT}002", f"{PARENT}003", f"{PARENT}001"]


def test_unchanged_geometry_keeps_its_code_and_new_ones_take_free_numbers() -> None:
    previous = {geometry_key(ROW[0]): f"{PARENT}007"}
    codes = child_codes(PARENT, ROW, previous)
    assert codes == [f"{PARENT}007", f"{PARENT}001", f"{PARENT}002"]


def test_a_code_from_another_parent_is_not_taken() -> None:
    previous = {geometry_key(ROW[0]): "370782001002007"}
    assert child_codes(PARENT, ROW, previous)[0] == f"{PARENT}003"


def test_a_grid_and_its_only_unit_share_a_key_and_both_keep_their_codes() -> None:
    # One key, two codes: the previous version keeps whichever came last.
    grid_code = f"{PARENT}005"
    for stored in (f"{grid_code}001", grid_code):
        previous = {geometry_key(ROW[0]): stored}
        assert child_codes(PARENT, ROW, previous)[0] == grid_code
        assert child_codes(grid_code, [ROW[0]], previous) == [f"{grid_code}001"]
