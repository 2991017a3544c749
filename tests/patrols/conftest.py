"""The tiny county for the patrol tests: a rolled-back connection, a unit, its leader."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import pytest
import shapely
from sqlalchemy import Engine, text

from geogrid.reports.index import load_index


@dataclass(frozen=True)
class Unit:
    """A unit of the tiny county (WGS-84 shape), its grid and that grid's leader."""

    code: str
    shape: shapely.Geometry
    leader_id: int
    officer_id: int


@pytest.fixture(scope="session")
def patrol_index(county_engine: Engine):
    """The lookups' index of the tiny county."""
    return load_index(county_engine)


@pytest.fixture(scope="session")
def unit(county_engine: Engine, patrol_index) -> Unit:
    """The first unit (by code) of the county, with its grid's leader and its officer."""
    code = sorted(patrol_index.units.codes)[0]
    shape = patrol_index.units.geoms[list(patrol_index.units.codes).index(code)]
    with county_engine.connect() as conn:
        people = dict(conn.execute(text(
            "select role, person_id from grid_assignments where grid_code in (:g, :u) "
            "and role in ('grid_leader', 'information_officer')"),
            {"g": code[:15], "u": code}).all())  # fmt: skip
    return Unit(code, shape, people["grid_leader"], people["information_officer"])


def metric(shape: shapely.Geometry) -> shapely.Geometry:
    """A WGS-84 shape in Zhucheng's Gauss-Krüger zone (EPSG:4549), metres."""
    project = pyproj.Transformer.from_crs(4326, 4549, always_xy=True)
    return shapely.transform(shape, lambda xy: np.column_stack(project.transform(*xy.T)))
