"""A deterministic synthetic county laid inside a real outline, written as one GeoPackage.

The file is shaped like what a county GIS office hands over: layers county, communities,
villages, streets, households, stations (features in WGS-84) and people (a table), with
Chinese field names. Everything is built in EPSG:4549 metres from one numpy Generator, so
the same outline, scale and seed always give the same file content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely import Geometry

from geogrid.sample import admin
from geogrid.sample.households import (
    Households,
    points_off_streets,
    town_households,
    village_households,
    village_sizes,
)
from geogrid.sample.layers import LAYER_NAMES, Communities, VillageSet, sample_layers
from geogrid.sample.names import village_names
from geogrid.sample.output import to_projected, write_geopackage
from geogrid.sample.people import people_register
from geogrid.sample.rural import build_villages, rural_communities
from geogrid.sample.scales import TOWN_CENTRE_WGS84, ScaleSpec, scale_spec
from geogrid.sample.town import TownCore, build_town_core

STEPS = ("county", "town core", "communities", "villages", "households", "people", "WGS-84")
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SampleSummary:
    """What was written: rows per layer, households and residents, and the area covered."""

    scale: str
    seed: int
    path: Path
    counts: dict[str, int]
    households: int  # sum of 户数
    residents: int  # sum of 人口
    area_km2: float


def generate_sample_county(
    outline_wgs84: Geometry,
    scale: str,
    seed: int,
    out_path: Path,
    progress: ProgressCallback | None = None,
) -> SampleSummary:
    """Write a synthetic county inside `outline_wgs84` (lon/lat) to the GeoPackage `out_path`.

    `scale` is 'tiny' (4 communities, seconds), 'town' (30 communities) or 'full' (the whole
    outline, Zhucheng's 235 communities and 1,338 villages). The same scale and seed give
    the same rows, coordinates and names. `progress(step, done, total)` hears each step.
    """
    spec = scale_spec(scale)
    outline = _checked_outline(outline_wgs84)
    step = _StepReporter(progress, len(STEPS) + len(LAYER_NAMES))
    rng = np.random.default_rng(seed)
    step("county")
    county, centre = _county_area(outline, spec)
    step("town core")
    core = build_town_core(rng, spec, centre)
    _check_core_fits(core, county)
    step("communities")
    communities = _communities(rng, spec, county, core)
    step("villages")
    villages = _villages(rng, spec, communities)
    step("households")
    homes, home_community = _households(rng, spec, communities, villages, core, centre)
    step("people")
    people, stations_xy = _people_and_stations(rng, spec, communities, villages, homes,
                                               home_community, core)  # fmt: skip
    step("WGS-84")
    layers = sample_layers(rng, spec, county, communities, villages, core, homes, stations_xy,
                           people)  # fmt: skip
    write_geopackage(layers, out_path, on_layer=lambda name: step(f"writing {name}"))
    step.finish()
    counts = {name: len(frame) for name, frame in layers.items()}
    return SampleSummary(
        scale,
        seed,
        Path(out_path),
        counts,
        int(homes.households.sum()),
        int(homes.residents.sum()),
        county.area / 1e6,
    )


class _StepReporter:
    """Calls progress(step, done, total) as each step starts, and once more at the end."""

    def __init__(self, progress: ProgressCallback | None, total: int) -> None:
        self._progress, self._total, self._done = progress, total, 0

    def __call__(self, step: str) -> None:
        if self._progress is not None:
            self._progress(step, self._done, self._total)
        self._done += 1

    def finish(self) -> None:
        """Report that every step is done."""
        if self._progress is not None:
            self._progress("done", self._total, self._total)


def _checked_outline(outline: Geometry) -> Geometry:
    if not isinstance(outline, shapely.Polygon | shapely.MultiPolygon) or outline.is_empty:
        raise ValueError(f"outline_wgs84 must be a non-empty (Multi)Polygon, got {outline!r:.80}")
    xmin, ymin, xmax, ymax = outline.bounds
    if not (xmin >= 73 and xmax <= 136 and ymin >= 3 and ymax <= 54):
        raise ValueError(f"outline_wgs84 is not lon/lat in China: bounds {outline.bounds}")
    return shapely.make_valid(outline) if not outline.is_valid else outline


def _county_area(outline: Geometry, spec: ScaleSpec) -> tuple[Geometry, np.ndarray]:
    """The area covered (projected) and the town centre: Zhucheng's if inside the outline."""
    centre_lonlat = shapely.Point(TOWN_CENTRE_WGS84)
    if not outline.contains(centre_lonlat):
        centre_lonlat = outline.point_on_surface()
    projected = to_projected(outline)
    centre = shapely.get_coordinates(to_projected(centre_lonlat))[0]
    if spec.radius_m is None:
        return projected, centre
    circle = shapely.Point(centre).buffer(spec.radius_m, quad_segs=32)
    return shapely.intersection(projected, circle), centre


def _check_core_fits(core: TownCore, county: Geometry) -> None:
    if not shapely.covers(county, shapely.union_all(core.communities)):
        raise ValueError("the outline has no room for the town core around the town centre")


def _communities(
    rng: np.random.Generator, spec: ScaleSpec, county: Geometry, core: TownCore
) -> Communities:
    """Town communities from the core, rural ones filling the rest; ordered by code."""
    rural_region = shapely.difference(county, shapely.union_all(core.communities))
    rural = rural_communities(rng, rural_region, spec.rural_communities)
    polygons = np.concatenate([core.communities, rural])
    urban = np.arange(len(polygons)) < len(core.communities)
    towns = admin.assign_towns(spec, polygons, urban)
    order, codes = admin.community_order_and_codes(polygons, urban, towns)
    polygons, urban, towns = polygons[order], urban[order], towns[order]
    stations = admin.police_stations(spec, polygons, towns)
    return Communities(polygons, urban, towns, codes, [], stations)


def _villages(rng: np.random.Generator, spec: ScaleSpec, communities: Communities) -> VillageSet:
    """Villages in every rural community, their names and codes; names the communities."""
    rural_index = np.flatnonzero(~communities.urban)
    built = build_villages(rng, communities.polygons[rural_index], spec.villages)
    community = rural_index[built.community]
    names = village_names(rng, len(community))
    sequence = np.arange(len(community)) - np.searchsorted(community, community)
    codes = [f"{communities.codes[c]}{s + 1:03d}" for c, s in zip(community, sequence, strict=True)]
    village_total = round(spec.households * spec.village_share)
    sizes = village_sizes(rng, shapely.area(built.polygons), village_total)
    seats: dict[int, str] = {}
    for v in np.argsort(-sizes, kind="stable"):
        seats.setdefault(int(community[v]), names[v])
    communities.names = admin.community_names(rng, communities.towns, communities.urban, seats)
    return VillageSet(built.polygons, built.centres, community, codes, names, sizes)


def _households(
    rng: np.random.Generator,
    spec: ScaleSpec,
    communities: Communities,
    villages: VillageSet,
    core: TownCore,
    centre: np.ndarray,
) -> tuple[Households, np.ndarray]:
    """Town buildings then village houses, with the community of each point."""
    town_total = spec.households - int(villages.sizes.sum())
    urban_index = np.flatnonzero(communities.urban)
    town_area = shapely.union_all(communities.polygons[urban_index])
    town = town_households(rng, town_area, core.streets, core.street_names, town_total, centre)
    hits = shapely.STRtree(communities.polygons[urban_index]).query(
        shapely.points(town.xy), predicate="intersects"
    )
    first = np.unique(hits[0], return_index=True)[1]
    town_community = urban_index[hits[1][first]]
    rural = village_households(
        rng, villages.polygons, villages.centres, villages.sizes, villages.names
    )
    homes = Households(
        *(
            np.concatenate([getattr(town, f.name), getattr(rural, f.name)])
            for f in fields(Households)
        )
    )
    community = np.concatenate([town_community, np.repeat(villages.community, villages.sizes)])
    return homes, community


def _people_and_stations(
    rng: np.random.Generator,
    spec: ScaleSpec,
    communities: Communities,
    villages: VillageSet,
    homes: Households,
    home_community: np.ndarray,
    core: TownCore,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The register of people, and where each police station stands."""
    per_community = np.bincount(
        home_community, weights=homes.households, minlength=len(communities.codes)
    )
    people = people_register(
        rng,
        communities.codes,
        per_community,
        communities.urban,
        villages.community,
        spec.urban_grids,
        communities.stations,
    )
    return people, _station_points(rng, communities, villages, per_community, core)


def _station_points(
    rng: np.random.Generator,
    communities: Communities,
    villages: VillageSet,
    households: np.ndarray,
    core: TownCore,
) -> np.ndarray:
    """Each station in its busiest community: in a town block, or beside the biggest village."""
    points = []
    for station in communities.stations:
        members = np.asarray(station.communities)
        seat = int(members[np.argmax(households[members])])
        if communities.urban[seat]:
            polygon = communities.polygons[seat]
            points.append(points_off_streets(rng, polygon, core.streets, 1)[0])
            continue
        in_seat = np.flatnonzero(villages.community == seat)
        village = int(in_seat[np.argmax(villages.sizes[in_seat])])
        angle = rng.uniform(0.0, 2.0 * np.pi)
        beside = villages.centres[village] + 60.0 * np.array([np.cos(angle), np.sin(angle)])
        inside = shapely.contains_xy(villages.polygons[village], *beside)
        points.append(beside if inside else villages.centres[village])
    return np.array(points)
