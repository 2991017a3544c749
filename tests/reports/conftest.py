"""The tiny county with categories seeded; reports are cleared after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from sqlalchemy import Engine, text

from geogrid.reports.categories import seed_categories
from geogrid.reports.index import AssignmentIndex, load_index


@pytest.fixture
def reports_engine(county_engine: Engine) -> Iterator[Engine]:
    """The county database, categories seeded, with no reports before and after."""
    with county_engine.begin() as conn:
        seed_categories(conn)
        conn.execute(text("delete from report_events; delete from reports"))
    yield county_engine
    with county_engine.begin() as conn:
        conn.execute(text("delete from report_events; delete from reports"))


@pytest.fixture
def county_index(reports_engine: Engine) -> AssignmentIndex:
    """The assignment index of the county's active version."""
    return load_index(reports_engine)


def inside_point(index: AssignmentIndex, unit: int = 0) -> tuple[float, float]:
    """A lon/lat well inside a unit of the index."""
    point = shapely.point_on_surface(index.units.geoms[unit])
    return point.x, point.y
