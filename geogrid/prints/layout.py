"""Page geometry of printed maps: paper, orientation, boxes in millimetres and a round scale.

Pure arithmetic, no drawing: a map box of W mm at 1:N shows W * N / 1000 metres, so the
extent is chosen from the box and the scale, never the other way round, and the printed
scale is exact when the PDF is printed at 100 % on the paper it names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geogrid.errors import InputError

PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}  # portrait width, height
# Round scales, largest first; the small ones serve station overviews.
SCALES = (
    1000,
    1500,
    2000,
    2500,
    3000,
    4000,
    5000,
    7500,
    10000,
    15000,
    20000,
    25000,
    30000,
    40000,
    50000,
    75000,
    100000,
    150000,
    200000,
    250000,
    500000,
)
MARGIN_MM = 8.0
HEADER_MM = 30.0
GAP_MM = 4.0
# The panel (legend, tables, notes) sits right of the map in landscape and below it in portrait.
SHEET_PANEL_MM = {"landscape": 74.0, "portrait": 58.0}
OVERVIEW_PANEL_MM = {"landscape": 100.0, "portrait": 92.0}
FILL = 0.92  # share of the map box the grid may take, so its outline never touches the frame


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in millimetres from the bottom-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        """The y of the upper edge."""
        return self.y + self.h


@dataclass(frozen=True)
class PageLayout:
    """One page: paper, orientation, header/map/panel boxes, the scale and the map extent."""

    paper: str
    orientation: str
    width_mm: float
    height_mm: float
    header: Box
    map_box: Box
    panel: Box
    scale: int
    extent: tuple[float, float, float, float]  # minx, miny, maxx, maxy in projected metres

    @property
    def figsize(self) -> tuple[float, float]:
        """The page size in inches, as matplotlib wants it."""
        return self.width_mm / 25.4, self.height_mm / 25.4


def paper_size(paper: str, orientation: str) -> tuple[float, float]:
    """Width and height in mm of a paper name in an orientation; InputError if unknown."""
    key = paper.upper()
    if key not in PAPER_MM:
        raise InputError(f"paper {paper!r} is not one of {', '.join(PAPER_MM)}")
    short, long = PAPER_MM[key]
    return (long, short) if orientation == "landscape" else (short, long)


def page_boxes(width: float, height: float, orientation: str, panel_mm: float) -> tuple[Box, ...]:
    """Header, map and panel boxes of a page of this size."""
    inner_w = width - 2 * MARGIN_MM
    header = Box(MARGIN_MM, height - MARGIN_MM - HEADER_MM, inner_w, HEADER_MM)
    body_h = header.y - GAP_MM - MARGIN_MM
    if orientation == "landscape":
        map_box = Box(MARGIN_MM, MARGIN_MM, inner_w - panel_mm - GAP_MM, body_h)
        panel = Box(map_box.x + map_box.w + GAP_MM, MARGIN_MM, panel_mm, body_h)
    else:
        panel = Box(MARGIN_MM, MARGIN_MM, inner_w, panel_mm)
        map_box = Box(MARGIN_MM, panel.top + GAP_MM, inner_w, body_h - panel_mm - GAP_MM)
    return header, map_box, panel


def round_scale(span_x: float, span_y: float, box: Box) -> int:
    """The largest round scale (smallest N) at which spans in metres fit the box."""
    needed = 1000 * max(span_x / (box.w * FILL), span_y / (box.h * FILL))
    for scale in SCALES:
        if scale >= needed:
            return scale
    return math.ceil(needed / SCALES[-1]) * SCALES[-1]


def plan_page(
    bounds: tuple[float, float, float, float], paper: str = "A4", *, overview: bool = False
) -> PageLayout:
    """The orientation giving the largest round scale for these bounds (metres).

    Between orientations of equal scale, the one whose map box is shaped most like the
    bounds wins, so a wide grid goes landscape even when the panel eats the extra width.
    """
    panels = OVERVIEW_PANEL_MM if overview else SHEET_PANEL_MM
    minx, miny, maxx, maxy = bounds
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    candidates = []
    for orientation in ("portrait", "landscape"):
        width, height = paper_size(paper, orientation)
        header, map_box, panel = page_boxes(width, height, orientation, panels[orientation])
        scale = round_scale(span_x, span_y, map_box)
        misfit = abs(math.log((span_x / span_y) / (map_box.w / map_box.h)))
        candidates.append((scale, misfit, orientation, width, height, header, map_box, panel))
    scale, _, orientation, width, height, header, map_box, panel = min(candidates)
    half_w, half_h = map_box.w * scale / 2000, map_box.h * scale / 2000
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    return PageLayout(
        paper.upper(), orientation, width, height, header, map_box, panel, scale, extent
    )


def table_page(paper: str = "A4") -> tuple[Box, Box, tuple[float, float]]:
    """Header and body boxes of a portrait page that holds only a table, and the page size."""
    width, height = paper_size(paper, "portrait")
    header = Box(MARGIN_MM, height - MARGIN_MM - HEADER_MM, width - 2 * MARGIN_MM, HEADER_MM)
    body = Box(MARGIN_MM, MARGIN_MM, header.w, header.y - GAP_MM - MARGIN_MM)
    return header, body, (width, height)


def nice_length(max_metres: float) -> float:
    """The longest 1-2-5 x 10^k length in metres not above max_metres (for a scale bar)."""
    power = 10 ** math.floor(math.log10(max_metres))
    step = next(step for step in (5, 2, 1) if step * power <= max_metres)
    return float(step * power)
