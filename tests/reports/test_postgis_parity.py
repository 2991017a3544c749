"""The in-memory index and PostGIS give the same answers on the sample county."""

from __future__ import annotations

import numpy as np
import shapely

from geogrid.reports.assign import place_points
from geogrid.reports.postgis import place_points_in_postgis


def test_index_and_postgis_agree_inside_on_edges_near_and_far(reports_engine, county_index):
    rng = np.random.default_rng(5)
    units = county_index.units.geoms
    x0, y0, x1, y1 = shapely.total_bounds(units)
    random = np.column_stack([rng.uniform(x0 - 0.002, x1 + 0.002, 300),
                              rng.uniform(y0 - 0.002, y1 + 0.002, 300)])  # fmt: skip
    # Vertices of units lie on shared edges and corners: the boundary rule is exercised.
    vertices = shapely.get_coordinates(shapely.boundary(units[:20]))[::7][:200]
    points = np.vstack([random, vertices])
    placement = place_points(county_index, points[:, 0], points[:, 1], 50.0)
    mine = [(county_index.units.codes[u] if u >= 0 else None, m, d)
            for u, m, d in zip(placement.unit, placement.method_names(), placement.distance_m,
                               strict=True)]  # fmt: skip
    with reports_engine.connect() as conn:
        theirs = place_points_in_postgis(conn, county_index.version_id, points[:, 0],
                                         points[:, 1], 50.0, county_index.epsg_m)  # fmt: skip
    assert [(c, m) for c, m, _ in mine] == [(c, m) for c, m, _ in theirs]
    for (_, method, d1), (_, _, d2) in zip(mine, theirs, strict=True):
        if method == "nearest":
            assert abs(d1 - d2) < 0.01
    methods = {m for _, m, _ in mine}
    assert {"inside", "boundary", "nearest", "unassigned"} <= methods, methods
