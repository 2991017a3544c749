"""Registry objects in station P01's first unit for the API tests, and their removal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from geogrid.access.roles import Caller
from geogrid.registry.addresses import AddressIn, address_code, store_addresses
from geogrid.registry.changes import Change
from geogrid.registry.idnumbers import IdCipher
from geogrid.registry.records import decide, propose
from geogrid.reports.index import AssignmentIndex
from geogrid.settings import Settings
from tests.api.places import Place
from tests.registry.conftest import clear_registry, fake_id_number

ADMIN = Caller(0, "apitest-registry", "county_admin")
PARTS = {"street": "矩阵路", "house_no": "1"}


@dataclass(frozen=True)
class RegistryObjects:
    """An address of P01, a resident and a shop there, a rejected proposal."""

    address: str
    resident: int
    shop: int
    rejected: int
    id_number: str


def make_registry(engine: Engine, settings: Settings, index: AssignmentIndex,
                  place: Place) -> RegistryObjects:  # fmt: skip
    """The objects, stored and confirmed by the county."""
    clear_registry(engine)
    cipher = IdCipher.from_settings(settings)
    number = fake_id_number(42)
    code = address_code("370782", PARTS)
    with engine.begin() as conn:
        store_addresses(conn, index, [AddressIn(PARTS, place.lon, place.lat, "370782")])
        made = [
            decide(conn, ADMIN, propose(conn, ADMIN, change, cipher=cipher), confirm=True).record_id
            for change in (
                Change(
                    "resident", code, {"name": "测试", "residence": "floating"}, id_number=number
                ),
                Change("housing", code, {"use": "shop", "owner": "店主"}),
            )
        ]
        rejected = propose(conn, ADMIN, Change("organisation", code, {"name": "矩阵厂"}))
        decide(conn, ADMIN, rejected, confirm=False)
    return RegistryObjects(code, made[0], made[1], rejected, number)
