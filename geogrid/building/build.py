"""Building the three grid levels from the loaded inputs (pure: no database).

communities -> level 1 (a clean partition of the county)
villages (countryside) / street blocks (town) -> level 2 (a partition of each community)
households -> level 3 units of about 30 households (a partition of each level-2 grid),
              cut between counting points: big buildings count at their entrances (counting.py)

Everything is computed in metres: in the data's Gauss-Krüger zone (EPSG:4549 for Zhucheng),
or, for a county outside China's zones, in the UTM zone of its centre (geo/crs.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from shapely import STRtree

from geogrid.building import town, units
from geogrid.building.codes import child_codes
from geogrid.building.counting import (
    NEAREST_GRID_M,
    URBAN,
    counting_points,
    grid_streets,
    point_owners,
)
from geogrid.building.leftovers import hand_crumbs_to_neighbours, join_detached_parts
from geogrid.building.partition import GAP, OUTSIDE, OVERLAP, PartitionIssue, partition_within
from geogrid.geo.crs import projected_crs_for
from geogrid.vocabulary import (
    BUILD_TOLERANCE_M,
    TOWN_GRID_HOUSEHOLDS,
    UNIT_HOUSEHOLDS,
    UNIT_HOUSEHOLDS_HIGH,
    UNIT_HOUSEHOLDS_LOW,
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """Tolerances and target sizes of a build."""

    tolerance_m: float = BUILD_TOLERANCE_M
    town_grid_households: int = TOWN_GRID_HOUSEHOLDS
    unit_target: int = UNIT_HOUSEHOLDS
    unit_low: int = UNIT_HOUSEHOLDS_LOW
    unit_high: int = UNIT_HOUSEHOLDS_HIGH
    street_snap_m: float = 15.0


@dataclass
class SourceData:
    """The loaded inputs, in WGS-84."""

    county: shapely.Geometry
    communities: gpd.GeoDataFrame  # code, name, kind, town, station_code
    villages: gpd.GeoDataFrame  # code, name, community_code
    streets: gpd.GeoDataFrame  # name, kind
    households: gpd.GeoDataFrame  # households, residents, address


@dataclass(frozen=True)
class BuildIssue:
    """Something the build changed or could not do, with where (lon/lat) and how big."""

    level: int
    severity: str  # error (fails the build), warning, info
    message: str
    lon: float
    lat: float
    area_m2: float = 0.0


@dataclass
class BuiltGrids:
    """The result: every grid of the three levels, the inputs units are counted on, issues."""

    grids: gpd.GeoDataFrame  # level, code, name, parent_code, kind, households (projected)
    household_xy: np.ndarray  # (n, 2) each household row's point (projected)
    household_weight: np.ndarray  # households of each row
    streets: np.ndarray  # street centrelines (projected): entrances keep clear of them
    county: shapely.Geometry  # projected
    issues: list[BuildIssue] = field(default_factory=list)
    # False for a stored version whose inputs were replaced since: then household_xy,
    # household_weight and streets are empty and county is its own level 1.
    inputs_as_built: bool = True

    @property
    def errors(self) -> list[BuildIssue]:
        """Issues that fail the build."""
        return [i for i in self.issues if i.severity == "error"]

    def level(self, number: int) -> gpd.GeoDataFrame:
        """The grids of one level."""
        return self.grids[self.grids["level"] == number]


def build_grids(
    sources: SourceData,
    options: BuildOptions | None = None,
    previous: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> BuiltGrids:
    """Build all three levels; `previous` maps geometry keys of the last version to codes."""
    options = options or BuildOptions()
    centre = shapely.centroid(sources.county)
    epsg = projected_crs_for(centre.x, centre.y)
    project = _projector(epsg)
    county = project(densified(sources.county))
    ctx = _Context(epsg, options, previous or {}, progress, [])
    communities = _projected(_densified_frame(sources.communities.sort_values("code")), epsg)
    communities = communities.reset_index(drop=True)
    level1 = _build_level1(ctx, county, communities)
    households = _projected(sources.households, epsg)
    points = shapely.get_coordinates(households.geometry.to_numpy())
    weights = households["households"].fillna(1).astype(int).to_numpy()
    streets = _projected(sources.streets, epsg).geometry.to_numpy()
    villages = _projected(_densified_frame(sources.villages), epsg)
    level2 = _build_level2(ctx, level1, villages, streets, points, weights)
    level3 = _build_level3(ctx, level2, streets, points, weights)
    _sum_households_into(level1, level2)
    # Communities are snapped last: street blocks are cut from them as drawn, since their
    # streets were drawn against the unsnapped boundary (snapped, it leaves crumb blocks).
    for community, geometry in zip(level1, _cleaned([c["geometry"] for c in level1]), strict=True):
        community["geometry"] = geometry
    grids = gpd.GeoDataFrame(
        [*level1, *level2, *level3], geometry="geometry", crs=f"EPSG:{epsg}"
    ).reset_index(drop=True)
    return BuiltGrids(grids, points, weights, streets, county, ctx.issues)


DENSIFY_DEG = 0.0005  # ~50 m: a straight edge in degrees stays within 1 mm once projected


def densified(geom):
    """Edges long in degrees bow once projected; vertices every ~50 m keep neighbours flush."""
    return shapely.segmentize(geom, DENSIFY_DEG)


def _densified_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.set_geometry(shapely.segmentize(frame.geometry.to_numpy(), DENSIFY_DEG))


def _projected(frame: gpd.GeoDataFrame, epsg: int) -> gpd.GeoDataFrame:
    """The frame in the zone; inputs are WGS-84, and an empty layer read back carries no CRS.

    An all-urban county has no village layer: PostGIS hands back an empty frame without a
    CRS, which geopandas refuses to transform ("Cannot transform naive geometries").
    """
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame.to_crs(epsg)


@dataclass
class _Context:
    epsg: int
    options: BuildOptions
    previous: dict[str, str]
    progress: Progress | None
    issues: list[BuildIssue]

    def note(self, level: int, severity: str, message: str, x: float, y: float, area=0.0):
        lon, lat = _projector(self.epsg, inverse=True)(shapely.Point(x, y)).coords[0]
        self.issues.append(BuildIssue(level, severity, message, lon, lat, area))

    def tick(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    def codes(self, parent_code: str, geometries: list) -> list[str]:
        to_wgs84 = _projector(self.epsg, inverse=True)
        return child_codes(parent_code, [to_wgs84(g) for g in geometries], self.previous)


# Output vertices snap to this grid: it merges vertices a hair apart that cutting and
# gap-filling leave (thin spikes, holes and crumbs of next to no area, parts touching at a
# point), which reprojected to WGS-84 turn into self-intersections and, once repaired, into
# rings GDAL reads with the wrong winding. Small enough to move no shared edge measurably.
OUTPUT_PRECISION_M = 1e-8


def _cleaned(geometries) -> list:
    """Snapped to OUTPUT_PRECISION_M; done before codes and children see the geometry."""
    snapped = shapely.set_precision(np.asarray(geometries, dtype=object), OUTPUT_PRECISION_M)
    # Through WKB: a snapped geometry carries its precision, and every later overlay on it
    # would silently snap too.
    return list(shapely.from_wkb(shapely.to_wkb(snapped)))


@functools.lru_cache(maxsize=8)
def _projector(epsg: int, inverse: bool = False):
    """Geometry projection to/from the zone; cached: building a Transformer takes ~70 ms."""
    from pyproj import Transformer

    source, target = ("EPSG:4326", f"EPSG:{epsg}")[:: -1 if inverse else 1]
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return lambda geom: shapely.transform(geom, lambda xy: np.column_stack(
        transformer.transform(xy[:, 0], xy[:, 1])))  # fmt: skip


def _grid_row(level, code, name, parent_code, kind, geometry, households=0) -> dict:
    return {"level": level, "code": code, "name": name, "parent_code": parent_code,
            "kind": kind, "households": int(households), "geometry": geometry}  # fmt: skip


def _build_level1(ctx: _Context, county, communities: gpd.GeoDataFrame) -> list[dict]:
    ctx.tick("level 1: communities", 0, 1)
    pieces, issues = partition_within(
        county, list(communities.geometry), tolerance_m=ctx.options.tolerance_m
    )
    names = list(communities["name"])
    for issue in issues:
        _note_partition_issue(ctx, 1, issue, names, hard=True)
    return [
        _grid_row(1, row.code, row.name, row.code[:9], "community", geom)
        for row, geom in zip(communities.itertuples(), pieces, strict=True)
    ]


def _note_partition_issue(ctx, level: int, issue: PartitionIssue, names, hard: bool) -> None:
    who = "、".join(names[i] for i in issue.pieces) or "no neighbour"
    what = {GAP: "gap", OVERLAP: "overlap", OUTSIDE: "outside its parent"}[issue.kind]
    if issue.within_tolerance:
        severity, done = "info", "snapped"
    elif hard and issue.kind != OUTSIDE:
        severity, done = "error", "not fixed: correct the input"
    else:
        severity, done = "warning", "resolved" if issue.fixed else "not fixed"
    message = f"{what} of {issue.area_m2:,.1f} m² at {who}: {done}"
    ctx.note(level, severity, message, issue.x, issue.y, issue.area_m2)


def _build_level2(ctx, level1, villages, streets, points, weights) -> list[dict]:
    street_tree = STRtree(streets)
    rows: list[dict] = []
    for done, community in enumerate(level1):
        ctx.tick("level 2: villages and street blocks", done, len(level1))
        mine = villages[villages["community_code"] == community["code"]].sort_values("code")
        if len(mine):
            geoms, names, kind = _village_grids(ctx, community, mine)
        else:
            local = streets[street_tree.query(community["geometry"], predicate="intersects")]
            geoms = _town_grids(ctx, community["geometry"], local, points, weights)
            names, kind = None, URBAN
        geoms = _cleaned(geoms)
        codes = ctx.codes(community["code"], geoms)
        for i, (code, geom) in enumerate(zip(codes, geoms, strict=True)):
            name = names[i] if names else f"{community['name']}第{int(code[-3:])}网格"
            rows.append(_grid_row(2, code, name, community["code"], kind, geom))
    return rows


def _village_grids(ctx, community: dict, villages: gpd.GeoDataFrame):
    pieces, issues = partition_within(
        community["geometry"], list(villages.geometry),
        tolerance_m=ctx.options.tolerance_m, fill_large_gaps=True,
    )  # fmt: skip
    names = list(villages["name"])
    for issue in issues:
        if issue.kind == OUTSIDE:
            message = f"village {names[issue.pieces[0]]} straddles community {community['name']}"
            ctx.note(2, "warning", message + f": {issue.area_m2:,.0f} m² outside clipped",
                     issue.x, issue.y, issue.area_m2)  # fmt: skip
        else:
            _note_partition_issue(ctx, 2, issue, names, hard=False)
    keep = [i for i, p in enumerate(pieces) if not p.is_empty]
    geoms = hand_crumbs_to_neighbours([pieces[i] for i in keep])
    return geoms, [names[i] for i in keep], "rural_village"


def _town_grids(ctx, community, streets, points, weights) -> list:
    options = ctx.options
    blocks = town.street_blocks(community, streets, snap_m=options.street_snap_m)
    # Only the households inside the community's box: the county has ~145k of them.
    x0, y0, x1, y1 = community.bounds
    near = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    per_block = _households_per_polygon(blocks, points[near], weights[near])
    grids = town.merge_blocks_into_grids(blocks, per_block, target=options.town_grid_households)
    return [g.geometry for g in grids]


def _households_per_polygon(polygons: list, points: np.ndarray, weights: np.ndarray):
    owner = point_owners(polygons, points)
    totals = np.zeros(len(polygons), dtype=int)
    inside = owner >= 0
    np.add.at(totals, owner[inside], weights[inside])
    return totals


def _build_level3(ctx, level2: list[dict], streets, points, weights) -> list[dict]:
    options = ctx.options
    geoms = [g["geometry"] for g in level2]
    inside = grid_streets(geoms, [g["kind"] for g in level2], streets)
    counted = counting_points(
        geoms, [g["code"] for g in level2], inside, points, weights,
        target=options.unit_target, high=options.unit_high,
    )  # fmt: skip
    _report_counting(ctx, counted)
    by_grid = np.argsort(counted.grid, kind="stable")
    bounds = np.searchsorted(counted.grid[by_grid], np.arange(len(level2) + 1))
    rows: list[dict] = []
    for index, grid in enumerate(level2):
        ctx.tick("level 3: units of about 30 households", index, len(level2))
        members = by_grid[bounds[index] : bounds[index + 1]]
        pieces = units.split_into_units(
            grid["geometry"], counted.xy[members], counted.households[members],
            streets=inside[index], target=options.unit_target, low=options.unit_low,
            high=options.unit_high,
        )  # fmt: skip
        weights_here = counted.households[members]
        geometries, held = join_detached_parts(
            _cleaned([p.geometry for p in pieces]), [p.household_index for p in pieces],
            counted.xy[members], weights_here, options.unit_low,
        )  # fmt: skip
        geometries = _cleaned(geometries)
        codes = ctx.codes(grid["code"], geometries)
        grid["households"] = int(weights_here.sum())
        for code, index, geom in zip(codes, held, geometries, strict=True):
            name = f"{grid['name']}第{int(code[-3:])}单元"
            households = weights_here[index].sum()
            rows.append(_grid_row(3, code, name, grid["code"], "unit", geom, households))
    return rows


def _sum_households_into(parents: list[dict], children: list[dict]) -> None:
    totals: dict[str, int] = {}
    for child in children:
        totals[child["parent_code"]] = totals.get(child["parent_code"], 0) + child["households"]
    for parent in parents:
        parent["households"] = totals.get(parent["code"], 0)


def _report_counting(ctx, counted) -> None:
    """Households far from every grid fail the build; blocks left whole are noted."""
    lost = np.unique(counted.row[counted.grid < 0])
    for row in lost[:20]:
        x, y = counted.xy[np.flatnonzero(counted.row == row)[0]]
        ctx.note(3, "error", f"household more than {NEAREST_GRID_M:.0f} m outside every grid", x, y)
    if len(lost) > 20:
        x, y = counted.xy[0]
        ctx.note(3, "error", f"{len(lost) - 20} more households outside every grid", x, y)
    for x, y, households in counted.unsplit:
        message = f"building of {households} households at one point: no room for entrances"
        ctx.note(3, "warning", message + ", one unit", x, y)
