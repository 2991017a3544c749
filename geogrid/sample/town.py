"""The town core: main roads (路) on a loose grid, streets (街) between them, alleys (巷).

Everything is drawn in a local frame (u east-ish, v north-ish, metres from the town centre),
rotated by a small angle and moved onto the centre at the end. The main roads bound the
superblocks, and each superblock is one urban community. Like delivered street data, lines
are not split at crossings, most street ends overshoot the road they meet by a few metres,
some stop a few metres short, a few lines wobble, and alleys end inside their block.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import shapely

from geogrid.sample.names import chinese_number, street_bases
from geogrid.sample.scales import ScaleSpec

BLOCK_SPACING_M = (150.0, 230.0)  # street spacing inside a superblock
ALLEY_SHARE = 0.3  # blocks with an alley


@dataclass
class _Road:
    """A main road: `base` across the road, with small offsets at positions along it."""

    base: float
    along: np.ndarray
    offset: np.ndarray
    name: str

    def at(self, position: float) -> float:
        """The road's cross coordinate at a position along it."""
        return self.base + float(np.interp(position, self.along, self.offset))


@dataclass
class _Lines:
    """Street lines in the local frame, with their names and kinds."""

    coords: list[np.ndarray] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, coords: np.ndarray, name: str, kind: str) -> None:
        """Append one line."""
        self.coords.append(coords)
        self.names.append(name)
        self.kinds.append(kind)


@dataclass
class TownCore:
    """The core in projected metres: communities (row-major from the south-west) and streets."""

    communities: np.ndarray
    streets: np.ndarray
    street_names: list[str]
    street_kinds: list[str]


def build_town_core(rng: np.random.Generator, spec: ScaleSpec, centre: np.ndarray) -> TownCore:
    """Lay out the town core of `spec` around `centre` (projected x, y in metres)."""
    cols, rows, size = spec.core_cols, spec.core_rows, spec.superblock_m
    bases = iter(street_bases(rng, cols + rows + 2 + 12 * (cols + rows)))
    us, vs = _road_positions(rng, cols, size), _road_positions(rng, rows, size)
    verticals = [_main_road(rng, u, vs, size, next(bases)) for u in us]
    horizontals = [_main_road(rng, v, us, size, next(bases)) for v in vs]
    lines = _Lines()
    for road in verticals:
        lines.add(_road_coords(road, vertical=True), road.name + "路", "路")
    for road in horizontals:
        lines.add(_road_coords(road, vertical=False), road.name + "路", "路")
    communities = _superblocks(lines.coords, cols, rows, us, vs)
    col_streets = _add_streets(rng, lines, us, horizontals, bases, vertical=True)
    row_streets = _add_streets(rng, lines, vs, verticals, bases, vertical=False)
    _add_alleys(rng, lines, (verticals, horizontals), (col_streets, row_streets))
    to_world = _local_to_world(rng.uniform(-0.2, 0.2), centre)
    streets = shapely.transform(_linestrings(lines.coords), to_world)
    return TownCore(shapely.transform(communities, to_world), streets, lines.names, lines.kinds)


def _road_positions(rng: np.random.Generator, count: int, size: float) -> np.ndarray:
    positions = (np.arange(count + 1) - count / 2) * size
    return positions + rng.uniform(-0.12, 0.12, count + 1) * size


def _main_road(
    rng: np.random.Generator, base: float, crossing: np.ndarray, size: float, name: str
) -> _Road:
    """A road at `base` reaching past the outer crossing roads, wobbling a little or not."""
    lo = crossing[0] - rng.uniform(120.0, 0.5 * size)
    hi = crossing[-1] + rng.uniform(120.0, 0.5 * size)
    along = np.array([lo, hi])
    if rng.random() < 0.4:
        along = np.sort(np.concatenate([along, rng.uniform(lo, hi, int((hi - lo) // 200))]))
    offset = np.zeros(len(along))
    offset[1:-1] = rng.normal(0.0, rng.uniform(0.8, 2.5), len(along) - 2)
    return _Road(base, along, offset, name)


def _road_coords(road: _Road, vertical: bool) -> np.ndarray:
    across = road.base + road.offset
    return np.column_stack([across, road.along] if vertical else [road.along, across])


def _superblocks(
    road_coords: list[np.ndarray], cols: int, rows: int, us: np.ndarray, vs: np.ndarray
) -> np.ndarray:
    """The faces between the main roads, ordered row by row from the south-west."""
    noded = shapely.node(shapely.multilinestrings(_linestrings(road_coords)))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if len(faces) != cols * rows:
        raise RuntimeError(f"main roads made {len(faces)} superblocks, not {cols * rows}")
    centre = shapely.get_coordinates(shapely.point_on_surface(faces))
    col = np.searchsorted(us, centre[:, 0]) - 1
    row = np.searchsorted(vs, centre[:, 1]) - 1
    return faces[np.lexsort((col, row))]


def _add_streets(
    rng: np.random.Generator,
    lines: _Lines,
    roads_at: np.ndarray,
    crossing_roads: list[_Road],
    bases,
    vertical: bool,
) -> list[list[tuple[float, str]]]:
    """Streets between each pair of parallel main roads; returns (position, name) per gap."""
    per_gap = []
    for lo, hi in itertools.pairwise(roads_at):
        count = max(1, round((hi - lo) / rng.uniform(*BLOCK_SPACING_M)) - 1)
        step = (hi - lo) / (count + 1)
        positions = lo + step * np.arange(1, count + 1) + rng.normal(0.0, 0.1 * step, count)
        named = [(float(p), next(bases)) for p in positions]
        for position, base in named:
            for first, last in _runs(rng, len(crossing_roads) - 1):
                start = crossing_roads[first].at(position) - _end_shift(rng)
                end = crossing_roads[last + 1].at(position) + _end_shift(rng)
                lines.add(_street_coords(rng, position, start, end, vertical), base + "街", "街")
        per_gap.append(named)
    return per_gap


def _runs(rng: np.random.Generator, count: int) -> list[tuple[int, int]]:
    """Split 0..count-1 into consecutive runs of 1-3: a street crosses 1-3 superblocks."""
    runs, first = [], 0
    while first < count:
        last = min(count, first + int(rng.integers(1, 4))) - 1
        runs.append((first, last))
        first = last + 1
    return runs


def _end_shift(rng: np.random.Generator) -> float:
    """How far a street end passes the road it meets: mostly overshoot, sometimes short."""
    draw = rng.random()
    if draw < 0.90:
        return rng.uniform(0.5, 4.0)
    if draw < 0.97:
        return -rng.uniform(1.5, 6.0)
    return 0.0


def _street_coords(
    rng: np.random.Generator, position: float, start: float, end: float, vertical: bool
) -> np.ndarray:
    along = np.array([start, end])
    across = np.full(2, position)
    if rng.random() < 0.15:  # a slightly wobbly street
        inner = np.sort(rng.uniform(start, end, max(1, int(abs(end - start) // 120))))
        along = np.concatenate([[start], inner, [end]])
        across = position + np.concatenate([[0.0], rng.normal(0.0, 1.2, len(inner)), [0.0]])
    return np.column_stack([across, along] if vertical else [along, across])


def _add_alleys(rng: np.random.Generator, lines: _Lines, roads, streets) -> None:
    """Short dead-end alleys from a block's side into about a third of the blocks."""
    verticals, horizontals = roads
    col_streets, row_streets = streets
    counters: dict[str, int] = {}
    for c, column in enumerate(col_streets):
        for r, row in enumerate(row_streets):
            u_sides = [(None, verticals[c]), *column, (None, verticals[c + 1])]
            v_sides = [(None, horizontals[r]), *row, (None, horizontals[r + 1])]
            for i in range(len(u_sides) - 1):
                for k in range(len(v_sides) - 1):
                    if rng.random() < ALLEY_SHARE:
                        block = (u_sides[i : i + 2], v_sides[k : k + 2])
                        coords, parent = _alley(rng, block)
                        counters[parent] = counters.get(parent, 0) + 1
                        lines.add(coords, parent + chinese_number(counters[parent]) + "巷", "巷")


def _alley(rng: np.random.Generator, block) -> tuple[np.ndarray, str]:
    """An alley leaving one side of a block and stopping before the middle of the block."""
    u_pair, v_pair = block
    vertical_side = rng.random() < 0.5
    sides, across_pair = (u_pair, v_pair) if vertical_side else (v_pair, u_pair)
    across_lo, across_hi = (_side_position(side, None) for side in across_pair)
    across = across_lo + (across_hi - across_lo) * rng.uniform(0.3, 0.7)
    which = int(rng.integers(0, 2))
    side = sides[which]
    start = _side_position(side, across)
    depth = abs(_side_position(sides[1 - which], across) - start)
    direction = 1.0 if which == 0 else -1.0
    start -= direction * (rng.uniform(1.0, 2.5) if rng.random() < 0.8 else 0.0)
    end = start + direction * max(20.0, depth * rng.uniform(0.2, 0.42))
    coords = np.array([[start, across], [end, across]])
    return (coords if vertical_side else coords[:, ::-1]), _side_name(side)


def _side_position(side: tuple, along: float | None) -> float:
    """Cross position of a block side: a (position, name) street or a (None, _Road) road."""
    position, line = side
    if position is not None:
        return position
    return line.base if along is None else line.at(along)


def _side_name(side: tuple) -> str:
    position, line = side
    return line if position is not None else line.name


def _linestrings(coords: list[np.ndarray]) -> np.ndarray:
    """An array of LineStrings, one per coordinate array (of any lengths)."""
    index = np.repeat(np.arange(len(coords)), [len(c) for c in coords])
    return shapely.linestrings(np.concatenate(coords), indices=index)


def _local_to_world(angle: float, centre: np.ndarray):
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    return lambda xy: xy @ rotation + centre
