"""The tiny county with a few standard addresses; the registry is emptied after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from sqlalchemy import Engine, text

from geogrid.access.roles import Caller
from geogrid.registry.addresses import AddressIn, address_code, store_addresses
from geogrid.registry.idnumbers import IdCipher
from geogrid.reports.index import AssignmentIndex, load_index
from geogrid.settings import Settings

REGISTRY_TABLES = ("registry_checks", "registry_versions", "registry_proposals",
                   "registry_records", "registry_addresses")  # fmt: skip


def clear_registry(engine: Engine) -> None:
    """Remove every registry row."""
    with engine.begin() as conn:
        for table in REGISTRY_TABLES:
            conn.execute(text(f"delete from {table}"))


@pytest.fixture
def registry_engine(county_engine: Engine) -> Iterator[Engine]:
    """The county database with an empty registry before and after the test."""
    clear_registry(county_engine)
    yield county_engine
    clear_registry(county_engine)


@pytest.fixture
def index(registry_engine: Engine) -> AssignmentIndex:
    """The assignment index of the county's active version."""
    return load_index(registry_engine)


def inside(index: AssignmentIndex, unit: int = 0) -> tuple[float, float]:
    """A lon/lat well inside a unit of the index."""
    point = shapely.point_on_surface(index.units.geoms[unit])
    return point.x, point.y


def fake_id_number(serial: int, birth: str = "19800101") -> str:
    """A clearly fake ID number (area 999999, which no county has) with a right check digit."""
    from geogrid.registry.idnumbers import check_digit

    first17 = f"999999{birth}{serial % 1000:03d}"
    return first17 + check_digit(first17)


ADMIN = Caller(1, "admin", "county_admin")


@pytest.fixture
def cipher(settings: Settings) -> IdCipher:
    """The session's registry cipher."""
    return IdCipher.from_settings(settings)


@pytest.fixture
def place(registry_engine: Engine, index: AssignmentIndex):
    """Two addresses in the first unit, one in another community; the people of the first."""
    first, other = str(index.units.codes[0]), None
    for i, code in enumerate(index.units.codes):
        if str(code)[:12] != first[:12]:
            other = i
            break
    addresses = [
        AddressIn({"street": "人民路", "house_no": "12"}, *inside(index, 0), "370782"),
        AddressIn({"street": "人民路", "house_no": "14"}, *inside(index, 0), "370782"),
        AddressIn({"street": "和平街", "house_no": "1"}, *inside(index, other), "370782"),
    ]
    with registry_engine.begin() as conn:
        store_addresses(conn, index, addresses)
    codes = [address_code("370782", a.parts) for a in addresses]
    return {
        "codes": codes,  # 人民路12, 人民路14, 和平街1
        "staff": Caller(2, "leader", "grid_staff", person_id=5, grid_codes=(first[:15],)),
        "police": Caller(3, "police", "grid_staff", person_id=6, grid_codes=(first[:12],)),
        "station": Caller(4, "p01", "station", station_id=1, communities=frozenset({first[:12]})),
    }  # fmt: skip
