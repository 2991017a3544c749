"""Vector tiles' geometry: a low-zoom tile's polygons, decoded by GDAL, are valid and cover
each grid's own area within what the simplification and the tile's grid may move."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from sqlalchemy import text

from geogrid.storage.tiles import EXTENT, WORLD_M, TileQuery, grid_tile
from geogrid.storage.versions import active_version
from tests.api.places import tile_of

ZOOM = 9  # the whole tiny county in one tile: every grid whole, one MVT unit ~19 m
GRIDS = """
select code, st_area(st_transform(geom, 3857)), st_perimeter(st_transform(geom, 3857))
from grids where version_id = :v and level = :level
"""


def test_a_low_zoom_tiles_polygons_are_valid_and_cover_each_grid(county_engine, tmp_path):
    with county_engine.connect() as conn:
        version = active_version(conn)
        lon, lat = conn.execute(text(
            "select st_x(p), st_y(p) from (select st_pointonsurface(st_union(geom)) p "
            "from grids where level = 1 and version_id = :v) s"), {"v": version}).one()  # fmt: skip
        x, y = tile_of(lon, lat, ZOOM)
        body = grid_tile(conn, TileQuery(version, ZOOM, x, y, ("communities", "grids")))
        stored = {level: {code: (area, perimeter) for code, area, perimeter
                          in conn.execute(text(GRIDS), {"v": version, "level": level})}
                  for level in (1, 2)}  # fmt: skip
    path = Path(tmp_path) / "low.mvt"
    path.write_bytes(body)
    unit = WORLD_M / 2**ZOOM / EXTENT  # metres per MVT unit
    for name, level in (("communities", 1), ("grids", 2)):
        frame = pyogrio.read_dataframe(path, layer=name, X=x, Y=y, Z=ZOOM)
        assert frame.geometry.is_valid.all() and frame.geom_type.isin(
            ["Polygon", "MultiPolygon"]).all(), name  # fmt: skip
        drawn = frame.geometry.area.groupby(frame["code"]).sum()
        assert set(drawn.index) == set(stored[level]), name  # every grid, none twice
        for code, (area, perimeter) in stored[level].items():
            # Simplifying moves an outline by at most one unit, snapping by half of one.
            assert abs(drawn[code] - area) <= 1.5 * unit * perimeter, (name, code)
        total = sum(area for area, _ in stored[level].values())
        assert abs(drawn.sum() - total) <= 0.01 * total, name
