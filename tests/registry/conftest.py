"""The tiny county with a few standard addresses; the registry is emptied after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from sqlalchemy import Engine, text

from geogrid.reports.index import AssignmentIndex, load_index

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
