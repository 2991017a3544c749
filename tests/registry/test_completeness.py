"""采集率 and 按期率 per unit, grid, community and month, and the grid leaders' shares."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from geogrid.errors import InputError
from geogrid.registry.addresses import AddressIn, address_code, store_addresses
from geogrid.registry.changes import Change
from geogrid.registry.completeness import completeness, completeness_by_person, month_bounds
from geogrid.registry.records import decide, log_check, propose
from geogrid.vocabulary import china_today
from tests.registry.conftest import ADMIN, inside


def _confirm(conn, change: Change) -> int:
    return decide(conn, ADMIN, propose(conn, ADMIN, change), confirm=True).record_id


@pytest.fixture
def counted(registry_engine, index):
    """Three addresses of one unit: a home with a resident, an overdue rental with nobody
    recorded, a key person visited five days ago."""
    today = china_today()
    parts = [{"street": "幸福路", "house_no": str(n)} for n in (1, 2, 3)]
    a, b, c = (address_code("370782", p) for p in parts)
    with registry_engine.begin() as conn:
        store_addresses(conn, index, [AddressIn(p, *inside(index, 0), "370782") for p in parts])
        _confirm(conn, Change("housing", a, {"use": "home"}, started_on=today - timedelta(10)))
        _confirm(conn, Change("resident", a, {"name": "甲", "residence": "registered"}))
        _confirm(conn, Change("housing", b, {"use": "rental"}, started_on=today - timedelta(100)))
        person = _confirm(conn, Change("key_person", c, {"name": "乙", "category": "drug_user"},
                                       started_on=today - timedelta(200)))  # fmt: skip
        log_check(conn, ADMIN, person, day=today - timedelta(5))
    return str(index.units.codes[0])


def test_rates_per_unit_grid_and_community(registry_engine, counted):
    month = china_today().strftime("%Y-%m")
    with registry_engine.connect() as conn:
        for level, length in ((3, 18), (2, 15), (1, 12)):
            rows = completeness(conn, month, level)
            assert [r.code for r in rows] == [counted[:length]]
            row = rows[0]
            assert (row.addresses, row.housed, row.households, row.with_residents, row.due,
                    row.on_time) == (3, 2, 2, 1, 2, 1)  # fmt: skip
            assert row.collection_rate == pytest.approx(0.6) and row.on_time_rate == 0.5
        assert completeness(conn, month, 1, areas=("370782999",)) == []


def test_the_share_of_each_grid_leader(registry_engine, counted):
    month = china_today().strftime("%Y-%m")
    with registry_engine.connect() as conn:
        leader = conn.execute(text(
            "select person_id from grid_assignments where role = 'grid_leader' "
            "and grid_code = :g and valid_to is null"), {"g": counted[:15]}).scalar()  # fmt: skip
        shares = completeness_by_person(conn, month)
    assert shares == {leader: pytest.approx(4 / 7)}


def test_a_month_is_read_or_named_as_wrong():
    assert month_bounds("2025-02")[0].isoformat() == "2025-02-01"
    assert month_bounds("2025-02")[1].isoformat() == "2025-02-28"
    with pytest.raises(InputError, match="month: '2025-13' is not a month"):
        month_bounds("2025-13")
