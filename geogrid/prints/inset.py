"""An inset at a larger scale for units too small for their codes at the sheet's scale.

When some unit codes find no free place on a sheet's map, the sheet gets one inset: the
area around those units (or the largest cluster of them) drawn again about three times
larger (a round scale, at least 1.5 times the sheet's), in the corner or edge of the map
frame that hides least of the grid (at most a tenth of it), never over the area it enlarges
nor over the scale bar or north arrow. The enlarged area is
outlined on the main map; its codes are placed in the inset with the same rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from geogrid.prints.data import BaseMap, GridSheet
from geogrid.prints.draw import furniture_areas
from geogrid.prints.labels import LabelBoard
from geogrid.prints.layout import SCALES, Box, PageLayout
from geogrid.prints.sheetmap import block_symbols, draw_layers, unit_labels, unit_places

MAX_SHARE = 0.9  # of the map frame's width and height an inset may take
HIDE_SHARE = 0.1  # of the grid's area an inset may hide
CLUSTER_MM = 30.0  # units this close on paper may share an inset when all of them cannot
MIN_MM = 28.0  # the smallest inset side, so its caption and a few codes fit
EDGE_MM = 2.0  # gap between the inset and the map frame
MIN_ZOOM, ZOOM = 1.5, 3.0  # the least enlargement worth an inset, and the one preferred
INSET_ROUNDS = 3  # times the enlarged area may grow to take codes the inset itself displaced


@dataclass(frozen=True)
class InsetPlan:
    """Where an inset goes: its scale, the area it shows and its box on the page and map."""

    scale: int
    extent: tuple[float, float, float, float]  # metres shown in the inset
    box: Box  # on the page, in mm
    footprint: object  # the box on the main map, in metres
    area: object  # the enlarged area, in metres, outlined on the main map


def add_inset(
    ax: Axes, board: LabelBoard, sheet: GridSheet, base: BaseMap, layout: PageLayout, codes
) -> list[str]:
    """Label the main map around an inset that shows `codes`; returns codes shown nowhere."""
    wanted, plan = list(codes), None
    for _ in range(INSET_ROUNDS):
        bigger = plan_inset(board, sheet, layout, wanted)
        if bigger is None:  # keep the inset planned before, if any
            break
        plan = bigger
        trial = board.copy()
        trial.block(plan.footprint)
        _, again = unit_places(trial, sheet.units)
        if set(again) <= set(wanted):
            break
        wanted = sorted(set(wanted) | set(again))
    if plan is None:
        return unit_labels(board, sheet.units)
    board.block(plan.footprint)
    left = unit_labels(board, sheet.units)
    return _draw_inset(ax, plan, sheet, base, left)


def plan_inset(
    board: LabelBoard, sheet: GridSheet, layout: PageLayout, codes: list[str]
) -> InsetPlan | None:
    """The inset for these units, else for the largest cluster of them; None if none fits."""
    for group in [codes, *_clusters(sheet, layout, codes)]:
        plan = _plan_for(sheet, layout, group)
        if plan is not None:
            return plan
    return None


def _plan_for(sheet: GridSheet, layout: PageLayout, codes: list[str]) -> InsetPlan | None:
    """The inset showing all these units at the most fitting scale with a free slot."""
    per_mm = layout.scale / 1000
    units = sheet.units[sheet.units["code"].isin(codes)]
    area = shapely.box(*units.total_bounds).buffer(3 * per_mm, join_style="mitre")
    minx, miny, maxx, maxy = area.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    for scale in _inset_scales(maxx - minx, maxy - miny, layout.map_box, layout.scale):
        w_mm = max(MIN_MM, (maxx - minx) * 1000 / scale)
        h_mm = max(MIN_MM, (maxy - miny) * 1000 / scale)
        half_w, half_h = w_mm * scale / 2000, h_mm * scale / 2000
        extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        best = _corner(sheet, layout, w_mm, h_mm, area, shapely.box(*extent))
        if best is not None and best[0] <= HIDE_SHARE * sheet.geometry.area:
            return InsetPlan(scale, extent, best[1], best[2], area)
    return None


def _clusters(sheet: GridSheet, layout: PageLayout, codes: list[str]) -> list[list[str]]:
    """Groups of these units lying within CLUSTER_MM on paper of one of them, largest first."""
    units = sheet.units[sheet.units["code"].isin(codes)]
    centres = shapely.centroid(units.geometry.values)
    reach = CLUSTER_MM * layout.scale / 1000
    groups = {
        tuple(units["code"].values[shapely.dwithin(centres, centre, reach)]) for centre in centres
    }
    ordered = sorted(groups, key=len, reverse=True)
    return [list(group) for group in ordered[:4] if len(group) < len(codes)]


def _inset_scales(span_x: float, span_y: float, frame: Box, scale: int) -> list[int]:
    """Round scales at least MIN_ZOOM times the sheet's at which the area fits the frame's
    share, nearest to ZOOM times first."""
    fits = [
        n
        for n in SCALES
        if n * MIN_ZOOM <= scale
        and span_x * 1000 / n <= MAX_SHARE * frame.w
        and span_y * 1000 / n <= MAX_SHARE * frame.h
    ]
    return sorted(fits, key=lambda n: abs(math.log(n * ZOOM / scale)))


def _corner(sheet: GridSheet, layout: PageLayout, w_mm: float, h_mm: float, area, shown):
    """The free corner or edge slot hiding the least of the grid: (hidden m², page box,
    map footprint), or None when every slot covers the area, the furniture or the centre
    of a unit that the inset (showing `shown`) does not show again."""
    frame, per_mm = layout.map_box, layout.scale / 1000
    minx, miny = layout.extent[:2]
    xs = (frame.x + EDGE_MM, frame.x + (frame.w - w_mm) / 2, frame.x + frame.w - w_mm - EDGE_MM)
    ys = (frame.y + EDGE_MM, frame.y + (frame.h - h_mm) / 2, frame.y + frame.h - h_mm - EDGE_MM)
    centres = shapely.point_on_surface(sheet.units.geometry.values)
    elsewhere = [c for c in centres if not shown.contains(c)]
    keep_clear = shapely.union_all([area, *furniture_areas(layout), *elsewhere])
    slots = []
    for x in xs:
        for y in ys:
            if x == xs[1] and y == ys[1]:
                continue  # never the middle of the map
            x0, y0 = minx + (x - frame.x) * per_mm, miny + (y - frame.y) * per_mm
            footprint = shapely.box(x0, y0, x0 + w_mm * per_mm, y0 + h_mm * per_mm)
            if not footprint.intersects(keep_clear):
                hidden = footprint.intersection(sheet.geometry).area
                slots.append((hidden, Box(x, y, w_mm, h_mm), footprint))
    return min(slots, key=lambda slot: slot[0]) if slots else None


def _draw_inset(ax: Axes, plan: InsetPlan, sheet: GridSheet, base: BaseMap, codes) -> list[str]:
    """Draw the inset, its codes first; returns the codes it could not show."""
    fig = ax.figure
    width_mm, height_mm = fig.get_size_inches() * 25.4
    b = plan.box
    inset = fig.add_axes((b.x / width_mm, b.y / height_mm, b.w / width_mm, b.h / height_mm))
    inset.set_gid("inset")
    minx, miny, maxx, maxy = plan.extent
    inset.set_xlim(minx, maxx)
    inset.set_ylim(miny, maxy)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    local = base.within(plan.extent)
    draw_layers(inset, sheet, local, plan.extent)
    x0, y0, x1, y1 = plan.area.bounds
    outline = Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linewidth=0.8, zorder=6)
    ax.add_patch(outline)
    board = LabelBoard(inset, plan.scale)
    block_symbols(board, sheet, local.stations)
    _caption(board, plan.scale)
    missing = unit_labels(board, sheet.units, only=set(codes))
    inside = sheet.units[sheet.units.intersects(shapely.box(*plan.extent))]
    unit_labels(board, inside, only=set(inside["code"]) - set(codes))  # context, if room
    return missing


def _caption(board: LabelBoard, scale: int) -> None:
    """'放大 1:N' in a free corner of the inset."""
    text = f"放大图 1:{scale:,}"
    w, h = board.text_size(text, 6.0)
    minx, miny, maxx, maxy = board.frame.bounds
    pad = 1.5 * board.per_pt
    corners = [
        (minx + pad + w / 2, maxy - pad - h / 2),
        (maxx - pad - w / 2, maxy - pad - h / 2),
        (minx + pad + w / 2, miny + pad + h / 2),
        (maxx - pad - w / 2, miny + pad + h / 2),
    ]
    board.place(text, corners, 6.0, color="black", zorder=9, gid="caption")
