"""Standard addresses on the tiny county: stable codes, placement, redraws, search, nearness."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from geogrid.errors import NotFoundError
from geogrid.registry.addresses import (
    AddressIn,
    address_code,
    find_address,
    nearest_addresses,
    reassign_addresses,
    search_addresses,
    store_addresses,
)
from geogrid.reports.index import AssignmentIndex
from tests.registry.conftest import inside

PARTS = {"street": "人民路", "house_no": "12", "building": "3", "unit_no": "2", "floor": "5",
         "room": "501"}  # fmt: skip


def test_the_code_is_stable_and_names_the_county() -> None:
    code = address_code("370782", PARTS)
    assert code.startswith("370782") and len(code) == 18
    assert address_code("370782", dict(PARTS)) == code
    assert address_code("370782", {**PARTS, "room": "502"}) != code
    with pytest.raises(ValueError, match="county_code must be 6 digits, got '3707'"):
        address_code("3707", PARTS)


def test_an_address_lies_where_a_report_at_its_point_would(
    registry_engine: Engine, index: AssignmentIndex
) -> None:
    lon, lat = inside(index, 3)
    with registry_engine.begin() as conn:
        ids = store_addresses(conn, index, [AddressIn(PARTS, lon, lat, "370782"),
                                            AddressIn(PARTS, lon, lat, "370782")])  # fmt: skip
        assert ids[0] == ids[1]  # the same address twice is one row
        found = find_address(conn, address_code("370782", PARTS))
    unit = str(index.units.codes[3])
    assert (found.unit_code, found.grid_code, found.community_code) == (unit, unit[:15], unit[:12])
    assert found.text == "人民路12号3号楼2单元501室" and found.parts == PARTS
    assert found.unit_name


def test_after_a_redraw_addresses_move_with_the_grids(
    registry_engine: Engine, index: AssignmentIndex
) -> None:
    lon, lat = inside(index, 0)
    with registry_engine.begin() as conn:
        store_addresses(conn, None, [AddressIn(PARTS, lon, lat, "370782")])
        assert find_address(conn, address_code("370782", PARTS)).unit_code is None
    assert reassign_addresses(registry_engine) == 1
    assert reassign_addresses(registry_engine) == 0  # nothing moves the second time
    with registry_engine.connect() as conn:
        assert find_address(conn, address_code("370782", PARTS)).unit_code == index.units.codes[0]


def test_search_reads_the_text_and_keeps_to_the_callers_area(
    registry_engine: Engine, index: AssignmentIndex
) -> None:
    lon, lat = inside(index, 0)
    other = {"street": "人民路", "house_no": "14"}
    with registry_engine.begin() as conn:
        store_addresses(conn, index, [AddressIn(PARTS, lon, lat, "370782"),
                                      AddressIn(other, lon, lat, "370782")])  # fmt: skip
        assert [a.text for a in search_addresses(conn, "诸城市人民路12号3号楼")] == [
            "人民路12号3号楼2单元501室"]  # fmt: skip
        assert [a.text for a in search_addresses(conn, "人民路1")] == [
            "人民路12号3号楼2单元501室", "人民路14号"]  # fmt: skip
        assert search_addresses(conn, "人民路12号", areas=("370782999",)) == []
        assert len(search_addresses(conn, "人民路12号", areas=(index.units.codes[0][:12],))) == 1
        assert search_addresses(conn, "100%") == []
        with pytest.raises(NotFoundError, match="no standard address 'nope'"):
            find_address(conn, "nope")


def test_the_nearest_addresses_come_nearest_first_within_reach(
    registry_engine: Engine, index: AssignmentIndex
) -> None:
    lon, lat = inside(index, 0)
    near = [
        AddressIn({"street": "和平街", "house_no": str(n)}, lon + n * 0.0001, lat, "370782")
        for n in range(1, 6)
    ]  # about 9 m apart
    with registry_engine.begin() as conn:
        store_addresses(conn, index, near)
        found = nearest_addresses(conn, lon, lat, limit=3)
        assert [a.parts["house_no"] for a in found] == ["1", "2", "3"]
        assert 8 < found[0].distance_m < 10
        assert [a.parts["house_no"] for a in nearest_addresses(conn, lon, lat, within_m=20)] == [
            "1", "2"]  # fmt: skip
        count = conn.execute(text("select count(*) from registry_addresses")).scalar()
    assert count == 5
