"""The tiny county with categories seeded; reports are cleared after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from sqlalchemy import Engine, text

from geogrid.reports.categories import seed_categories
from geogrid.reports.index import AssignmentIndex, load_index

# Basic-information reports come with registry proposals (README "The registry").
CLEAR = ("delete from registry_proposals where report_id is not null; "
         "delete from report_events; delete from reports")  # fmt: skip


@pytest.fixture
def reports_engine(county_engine: Engine) -> Iterator[Engine]:
    """The county database, categories seeded, with no reports before and after."""
    with county_engine.begin() as conn:
        seed_categories(conn)
        conn.execute(text(CLEAR))
    yield county_engine
    with county_engine.begin() as conn:
        conn.execute(text(CLEAR))


@pytest.fixture
def county_index(reports_engine: Engine) -> AssignmentIndex:
    """The assignment index of the county's active version."""
    return load_index(reports_engine)


def inside_point(index: AssignmentIndex, unit: int = 0) -> tuple[float, float]:
    """A lon/lat well inside a unit of the index."""
    point = shapely.point_on_surface(index.units.geoms[unit])
    return point.x, point.y


@pytest.fixture
def redrawn(reports_engine: Engine):
    """A draft version 2: every grid of version 1 moved 300 m east."""
    with reports_engine.begin() as conn:
        version = conn.execute(text(
            "insert into grid_versions (status, source, note) values ('draft', 'test', '') "
            "returning id"
        )).scalar_one()  # fmt: skip
        for statement in _COPY_SHIFTED.split(";"):
            conn.execute(text(statement), {"v": version})
    yield version
    with reports_engine.begin() as conn:
        conn.execute(text("delete from grids where version_id = :v"), {"v": version})
        conn.execute(text("delete from grid_versions where id = :v"), {"v": version})


_COPY_SHIFTED = """
insert into grids (version_id, level, code, name, kind, geom, area_m2, households)
select :v, level, code, name, kind, st_translate(geom, 0.0034, 0), area_m2, households
from grids where version_id = (select id from grid_versions where status = 'active');
update grids c set parent_id = p.id from grids p
where c.version_id = :v and p.version_id = :v and p.level = c.level - 1
  and left(c.code, case c.level when 2 then 12 else 15 end) = p.code
"""
