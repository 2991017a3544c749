"""Vector tiles of the grid levels and of report density, made by PostGIS (ST_AsMVT) in the
WebMercatorQuad set.

One layer per level, named as its OGC collection. A layer is clipped to the tile (with a
buffer so outlines do not show seams), simplified by the tile's resolution (one unit of a
4096-unit tile, a sixteenth of a screen pixel) and scoped to the caller's area by code
prefix. The simplification is Douglas-Peucker keeping collapsed rings (ST_Simplify with
preserveCollapsed): ST_SimplifyPreserveTopology gave the same features and bytes within
0.1 % at three to four times the cost; its topology guard is not needed, as ST_AsMVTGeom
snaps to the tile's grid and makes every polygon valid afterwards anyway. Without any
simplification a county-zoom tile is 3.4 times the bytes (the snapped grid keeps every
collinear point), and clipping to the tile first saves nothing at county zoom, where most
grids lie whole in one tile. Tiles carry no personal data
(no responsible person or phone): they are cached and may be kept by a browser.

Report density (layer "reports") counts the reports of a scope in square bins, 16 across a
tile, so the bins halve with every zoom: each bin is a square with its count and its counts
per heat group. The scope is the condition on the reports table that every report read uses
(`ReportScope.condition()`), handed in by the caller; no report's details are in a bin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, func, literal_column, select, text

from geogrid.errors import NotFoundError
from geogrid.storage.models import Report, ReportCategory
from geogrid.vocabulary import HEAT_GROUPS

LAYER_LEVELS = {"communities": 1, "grids": 2, "units": 3}
MIN_ZOOM = {"communities": 0, "grids": 0, "units": 13}  # units are a smear below zoom 13
MAX_ZOOM = 24  # the WebMercatorQuad tile matrix set's deepest matrix
EXTENT = 4096  # MVT units across a tile
BUFFER = 64  # MVT units drawn beyond each edge
WORLD_M = 40_075_016.685_578_5  # the width of the Web Mercator world in metres
DENSITY_LAYER = "reports"
DENSITY_BINS = 16  # bins across a tile: 256 MVT units each


@dataclass(frozen=True)
class TileQuery:
    """One tile of some layers of a version, within an area (code prefixes; None: all)."""

    version: int
    z: int
    x: int
    y: int
    layers: tuple[str, ...]
    area: tuple[str, ...] | None = None


def check_tile(z: int, x: int, y: int) -> None:
    """NotFoundError naming the coordinate that lies outside WebMercatorQuad."""
    if not 0 <= z <= MAX_ZOOM:
        raise NotFoundError(f"zoom {z} is outside 0..{MAX_ZOOM} (WebMercatorQuad)", field="z")
    top = 2**z - 1
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value <= top:
            raise NotFoundError(f"tile {name}={value} is outside 0..{top} at zoom {z}", field=name)


def shown_layers(layers: tuple[str, ...], z: int) -> tuple[str, ...]:
    """The asked-for layers that are drawn at zoom z, in level order."""
    return tuple(name for name in LAYER_LEVELS if name in layers and z >= MIN_ZOOM[name])


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _latitude(mercator_y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(mercator_y)) - math.pi / 2)


def fit_zoom(bounds: tuple[float, ...], size: tuple[int, int]) -> float:
    """The zoom (in half steps, as the console's map snaps) at which Leaflet's fitBounds
    shows the lon/lat box `bounds` whole in a map of `size` pixels."""
    minx, miny, maxx, maxy = bounds
    width = max(maxx - minx, 1e-9) / 360 * 256
    height = max(_mercator_y(maxy) - _mercator_y(miny), 1e-9) / (2 * math.pi) * 256
    return math.floor(math.log2(min(size[0] / width, size[1] / height)) * 2) / 2


def view_box(bounds: tuple[float, ...], zoom: float, size: tuple[int, int]) -> tuple[float, ...]:
    """The lon/lat box a map of `size` pixels shows at `zoom`, centred as fitBounds centres
    `bounds` (the middle of its Web Mercator extent)."""
    minx, miny, maxx, maxy = bounds
    world = 256 * 2**zoom  # the world's width in pixels at this zoom
    half_lon = size[0] / 2 / world * 360
    middle = (_mercator_y(miny) + _mercator_y(maxy)) / 2
    half_y = size[1] / 2 / world * 2 * math.pi
    cx = (minx + maxx) / 2
    top = min(_latitude(middle + half_y), 85.05)
    return (cx - half_lon, max(_latitude(middle - half_y), -85.05), cx + half_lon, top)


def tiles_over(bounds: tuple[float, ...], z: int) -> list[tuple[int, int, int]]:
    """The WebMercatorQuad tiles (z, x, y) of zoom z over the lon/lat box `bounds`."""
    n = 2**z

    def column(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180) / 360 * n)))

    def row(lat: float) -> int:
        return min(n - 1, max(0, int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi)
                                     / 2 * n)))  # fmt: skip

    minx, miny, maxx, maxy = bounds
    return [(z, x, y) for x in range(column(minx), column(maxx) + 1)
            for y in range(row(maxy), row(miny) + 1)]  # fmt: skip


def grid_tile(conn: Connection, query: TileQuery) -> bytes:
    """The tile as MVT bytes; empty bytes when no grid of the layers touches it."""
    check_tile(query.z, query.x, query.y)
    tolerance = WORLD_M / 2**query.z / EXTENT  # one MVT unit in metres
    params = {
        "v": query.version, "z": query.z, "x": query.x, "y": query.y, "tol": tolerance,
        "area": None if query.area is None else list(query.area),
        "margin": BUFFER / EXTENT,
    }  # fmt: skip
    tile = b""
    for name in shown_layers(query.layers, query.z):
        part = conn.execute(text(_LAYER_SQL), params | {"level": LAYER_LEVELS[name], "name": name})
        tile += bytes(part.scalar_one() or b"")
    return tile


_LAYER_SQL = f"""
with bounds as (
  select st_tileenvelope(:z, :x, :y) as tile,
         st_transform(st_tileenvelope(:z, :x, :y, margin => :margin), 4326) as near
)
select st_asmvt(t, :name, {EXTENT}, 'geom') from (
  select g.code, g.name, g.level, g.kind, p.code as parent, left(g.code, 12) as community,
         g.households, g.version_id as version,
         st_asmvtgeom(st_simplify(st_transform(g.geom, 3857), :tol, true),
                      b.tile, {EXTENT}, {BUFFER}, true) as geom
  from grids g cross join bounds b
  left join grids p on p.id = g.parent_id
  where g.version_id = :v and g.level = :level and g.geom && b.near
    and st_intersects(g.geom, b.near)
    and (cast(:area as text[]) is null or exists (
         select 1 from unnest(cast(:area as text[])) a(prefix)
         where starts_with(g.code, a.prefix)))
) t where t.geom is not null
"""


def density_tile(conn: Connection, z: int, x: int, y: int, scope: ColumnElement[bool]) -> bytes:
    """Reports within `scope` counted per square bin of tile z/x/y (MVT layer "reports",
    properties count, hazard, incident, other); empty bytes when the tile holds none."""
    check_tile(z, x, y)
    size = WORLD_M / 2**z
    cell, left, top = size / DENSITY_BINS, -WORLD_M / 2 + x * size, WORLD_M / 2 - y * size
    r, c = Report.__table__, ReportCategory.__table__
    point = func.ST_Transform(r.c.geom, 3857)
    near = func.ST_Transform(func.ST_TileEnvelope(z, x, y), 4326)
    binned = (
        select(func.floor((func.ST_X(point) - left) / cell).label("ix"),
               func.floor((top - func.ST_Y(point)) / cell).label("iy"), c.c.heat_group)
        .select_from(r.join(c, c.c.id == r.c.category_id))
        .where(r.c.geom.op("&&")(near), scope)
    ).subquery("binned")  # fmt: skip
    ix, iy, group = binned.c.ix, binned.c.iy, binned.c.heat_group
    square = func.ST_MakeEnvelope(left + ix * cell, top - (iy + 1) * cell,
                                  left + (ix + 1) * cell, top - iy * cell, 3857)  # fmt: skip
    bins = (
        select(func.count().label("count"),
               *[func.count().filter(group == name).label(name) for name in HEAT_GROUPS],
               func.count().filter(group.is_(None)).label("other"),
               func.ST_AsMVTGeom(square, func.ST_TileEnvelope(z, x, y), EXTENT, 0, False)
               .label("geom"))
        # A point on the tile's east or south edge belongs to the next tile (half-open bins).
        .where(and_(ix.between(0, DENSITY_BINS - 1), iy.between(0, DENSITY_BINS - 1)))
        .group_by(ix, iy)
    ).subquery("t")  # fmt: skip
    tile = select(func.ST_AsMVT(literal_column("t"), DENSITY_LAYER, EXTENT, "geom"))
    return bytes(conn.execute(tile.select_from(bins)).scalar_one() or b"")
