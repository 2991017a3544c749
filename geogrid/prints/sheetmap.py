"""The map of a grid sheet: its layers, and the label steps geogrid.prints.sheet runs in order.

Labels go on in priority order on one LabelBoard: the scale bar, north arrow, key-place
symbols and stations are blocked first; then the station names, the unit codes (smallest
unit first, around its representative point, shrinking to 3/4 size at most), the street
names and the neighbouring grids' names. Unit codes that fit nowhere are shown in an inset
at a larger scale (geogrid.prints.inset); any the inset cannot hold (a sliver too long for
one) are set beside their unit with a leader line; the last resort is the sheet's notes.
"""

from __future__ import annotations

import math

import shapely
from matplotlib.axes import Axes

from geogrid.prints.data import BaseMap, GridSheet, StationInfo
from geogrid.prints.draw import label, mask_outside, outlines
from geogrid.prints.furniture import (
    COMMUNITY_DARK,
    GRID_RED,
    KEY_PLACE_STYLE,
    NEIGHBOUR_GREY,
    STATION_NAVY,
    STATION_PT2,
    UNIT_BLUE,
    UNIT_DASH,
    station_marker,
)
from geogrid.prints.labels import SIZE_STEPS, LabelBoard, around
from geogrid.prints.streets import draw_streets

UNIT_PT = 7.5
NEIGHBOUR_PT = 6.5
STATION_PT = 6.5
LEADER_PT = (14, 22, 32)  # how far from its unit a code with a leader line may sit


def draw_layers(ax: Axes, sheet: GridSheet, base: BaseMap, extent: tuple) -> None:
    """Everything on a sheet's map but its labels and furniture."""
    mask_outside(ax, extent, sheet.geometry)
    outlines(ax, base.grids.geometry.values, colors=NEIGHBOUR_GREY, linewidths=0.6, zorder=1)
    outlines(
        ax,
        base.communities.geometry.values,
        colors=COMMUNITY_DARK,
        linewidths=1.0,
        linestyles="dashdot",
        zorder=1.2,
    )
    draw_streets(ax, base.streets)
    outlines(
        ax,
        sheet.units.geometry.values,
        colors=UNIT_BLUE,
        linewidths=0.7,
        linestyles=[UNIT_DASH],
        zorder=5,
    )
    outlines(ax, [sheet.geometry], colors=GRID_RED, linewidths=2.0, zorder=5.5)
    _draw_key_places(ax, sheet)
    for station in base.stations:
        station_marker(ax, station, named=False)


def _draw_key_places(ax: Axes, sheet: GridSheet) -> None:
    for category, (marker, color, size) in KEY_PLACE_STYLE.items():
        places = sheet.key_places[sheet.key_places["category"] == category]
        if len(places):
            ax.scatter(
                places.geometry.x,
                places.geometry.y,
                s=size,
                marker=marker,
                c=color,
                edgecolors="white",
                linewidths=0.4,
                zorder=7,
                gid="symbol",
            )


def block_symbols(board: LabelBoard, sheet: GridSheet, stations: list[StationInfo]) -> None:
    """Key places and station stars: labels keep off them."""
    for category, (_, _, size) in KEY_PLACE_STYLE.items():
        places = sheet.key_places[sheet.key_places["category"] == category]
        board.block_symbols(places.geometry.x, places.geometry.y, size)
    located = [s.location for s in stations if s.location is not None]
    board.block_symbols([p.x for p in located], [p.y for p in located], STATION_PT2)


def label_stations(board: LabelBoard, stations: list[StationInfo]) -> None:
    """Each station's name beside its star: right, left, above or below, where it is free."""
    for station in stations:
        if station.location is None:
            continue
        x, y = station.location.x, station.location.y
        w, h = board.text_size(station.name, STATION_PT)
        gap = 4.5 * board.per_pt  # half the star and a little air
        sides = [
            (x + gap + w / 2, y),
            (x - gap - w / 2, y),
            (x, y + gap + h / 2),
            (x, y - gap - h / 2),
        ]
        board.place(station.name, sides, STATION_PT, color=STATION_NAVY, zorder=8, gid="station")


def unit_labels(board: LabelBoard, units, *, only=None) -> list[str]:
    """Place and draw unit codes, smallest unit first; returns the codes that found no place.

    `only` limits the labels to these codes (an inset labels its own units first).
    """
    placed, missing = unit_places(board, units, only=only)
    draw_unit_codes(board.ax, placed)
    return missing


def unit_places(board: LabelBoard, units, *, only=None) -> tuple[list[tuple], list[str]]:
    """Take places for unit codes on the board without drawing: (code, xy, size) and misses."""
    order = units.assign(_area=units.geometry.area).sort_values("_area")
    placed, missing = [], []
    for code, geom in zip(order["code"], order.geometry.values, strict=True):
        if only is not None and code not in only:
            continue
        text = code[-3:]
        at = shapely.point_on_surface(geom)
        spots = around((at.x, at.y), board, text, UNIT_PT)
        found = board.find(text, spots, UNIT_PT, steps=SIZE_STEPS, inside=geom)
        if found is None:
            missing.append(code)
        else:
            placed.append((code, *found))
    return placed, missing


def draw_unit_codes(ax: Axes, placed: list[tuple]) -> None:
    """Draw unit codes where unit_places put them."""
    for code, xy, size in placed:
        label(ax, xy, code[-3:], size, color=UNIT_BLUE, zorder=6.5, gid=f"unit:{code}")


def leader_label(board: LabelBoard, units, code: str) -> bool:
    """A code beside its unit with a thin line to it (slivers no inset can widen enough).

    Tried nearest first in twelve directions; the label and its line must both be free.
    """
    geom = units.geometry.values[list(units["code"]).index(code)]
    anchor = shapely.point_on_surface(geom)
    text, size = code[-3:], UNIT_PT * SIZE_STEPS[1]
    near = anchor.buffer(2 * board.per_pt)  # the line may start under a symbol at the unit
    for distance_pt in LEADER_PT:
        reach = distance_pt * board.per_pt
        for step in range(12):
            angle = math.radians(step * 30)
            xy = (anchor.x + reach * math.cos(angle), anchor.y + reach * math.sin(angle))
            box = board.box_at(text, size, xy)
            line = shapely.LineString([(anchor.x, anchor.y), xy]).difference(box.union(near))
            if board.is_free(box) and (line.is_empty or board.is_free(line)):
                board.block(box)
                if not line.is_empty:
                    board.block(line)
                    board.ax.plot(*line.xy, color=UNIT_BLUE, linewidth=0.5, zorder=6.4)
                label(board.ax, xy, text, size, color=UNIT_BLUE, zorder=6.5, gid=f"unit:{code}")
                return True
    return False


def label_neighbours(board: LabelBoard, base: BaseMap, own_code: str) -> None:
    """Names of the neighbouring grids inside the frame, in grey, where they fit."""
    minx, miny, maxx, maxy = board.frame.bounds
    grids = base.grids
    for code, name, geom in zip(grids["code"], grids["name"], grids.geometry, strict=True):
        if code == own_code:
            continue
        seen = shapely.clip_by_rect(geom, minx, miny, maxx, maxy)
        if seen.is_empty:
            continue
        at = shapely.point_on_surface(seen)
        spots = around((at.x, at.y), board, name, NEIGHBOUR_PT)
        board.place(
            name,
            spots,
            NEIGHBOUR_PT,
            inside=seen,
            color="#8a8a8a",
            zorder=3,
            path_effects=[],
            gid="grid",
        )
