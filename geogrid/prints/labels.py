"""Label placement on printed maps: measured text boxes that never overlap each other or symbols.

A LabelBoard belongs to one map axes. Symbols and furniture are blocked first (they cannot
move); labels are then placed in priority order, each at the first free candidate position
and size, its box measured by matplotlib's own text layout (as the drawn label will be),
in map metres at the printed scale. A label that finds no free place is not drawn and the
caller decides what to do instead (an inset, a key, or nothing for minor names).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import shapely
import shapely.affinity
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from geogrid.prints.draw import PT_MM, label

PAD_PT = 0.8  # clear space around every label box: the halo is 1 pt wide
SIZE_STEPS = (1.0, 0.87, 0.75)  # a unit code may shrink to 3/4 of its size, no further
# Offsets of the label centre from its anchor, in label widths and heights, nearest first.
AROUND = ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))


@dataclass
class LabelBoard:
    """The taken boxes of one map axes, in map metres, and the labels placed among them."""

    ax: Axes
    scale: int  # the printed scale 1:N
    boxes: list = field(default_factory=list)  # shapely polygons already taken
    _bounds: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._array: np.ndarray | None = None
        minx, maxx = self.ax.get_xlim()
        miny, maxy = self.ax.get_ylim()
        self.frame = shapely.box(minx, miny, maxx, maxy)

    @property
    def per_pt(self) -> float:
        """Metres of ground per typographic point on paper."""
        return self.scale / 1000 * PT_MM

    def text_size(self, text: str, size: float) -> tuple[float, float]:
        """Width and height of a text in metres, as matplotlib lays it out."""
        w, h = _text_points(text, size)
        return w * self.per_pt, h * self.per_pt

    def block(self, geom) -> None:
        """Mark a shape (a symbol, a piece of furniture, an inset) as taken."""
        self.boxes.append(geom)
        self._bounds.append(geom.bounds)
        self._array = None

    def block_symbols(self, xs: Iterable[float], ys: Iterable[float], size_pt2: float) -> None:
        """Mark scatter markers of `size_pt2` (points², as matplotlib's `s`) as taken."""
        half = (math.sqrt(size_pt2) / 2 + 0.3) * self.per_pt
        for x, y in zip(xs, ys, strict=True):
            self.block(shapely.box(x - half, y - half, x + half, y + half))

    def is_free(self, geom) -> bool:
        """True when a shape lies inside the frame and touches nothing taken."""
        if not self.frame.contains(geom):
            return False
        if not self._bounds:
            return True
        if self._array is None:  # rebuilt once per placement, not per candidate
            self._array = np.asarray(self._bounds)
        b = self._array
        minx, miny, maxx, maxy = geom.bounds
        near = np.flatnonzero(
            (b[:, 0] < maxx) & (b[:, 2] > minx) & (b[:, 1] < maxy) & (b[:, 3] > miny)
        )
        return not any(self.boxes[i].intersects(geom) for i in near)

    def box_at(self, text: str, size: float, xy: tuple[float, float], rotation: float = 0.0):
        """The padded box of a centred text at xy, rotated by `rotation` degrees about it."""
        w, h = self.text_size(text, size)
        pad = PAD_PT * self.per_pt
        x, y = xy
        box = shapely.box(x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad)
        if rotation:
            box = shapely.affinity.rotate(box, rotation, origin=xy)
        return box

    def copy(self) -> LabelBoard:
        """A board with the same taken boxes, for a trial placement that may be thrown away."""
        twin = LabelBoard(self.ax, self.scale, list(self.boxes), list(self._bounds))
        return twin

    def find(
        self,
        text: str,
        candidates: Sequence[tuple[float, float]],
        size: float,
        *,
        steps: Sequence[float] = (1.0,),
        rotation: float = 0.0,
        inside=None,
    ) -> tuple[tuple[float, float], float] | None:
        """Take the first free candidate centre and size for a text; None if none is free.

        `inside`, if given, is a shape the label's centre must stay in (its unit), so a
        moved label never reads as its neighbour's.
        """
        for step in steps:
            for xy in candidates:
                if inside is not None and not inside.covers(shapely.Point(xy)):
                    continue
                box = self.box_at(text, size * step, xy, rotation)
                if self.is_free(box):
                    self.block(box)
                    return xy, size * step
        return None

    def place(self, text: str, candidates, size: float, **kw) -> Text | None:
        """Find a place (see `find`) and draw the label there; None if it fits nowhere."""
        how = {k: kw.pop(k) for k in ("steps", "rotation", "inside") if k in kw}
        found = self.find(text, candidates, size, **how)
        if found is None:
            return None
        rotation = how.get("rotation", 0.0)
        return label(self.ax, found[0], text, found[1], rotation=rotation, **kw)


@lru_cache(maxsize=1)
def _probe() -> tuple[Figure, RendererBase]:
    """A figure and Agg renderer that measure text (sizes in points do not depend on dpi)."""
    figure = Figure()
    return figure, FigureCanvasAgg(figure).get_renderer()


@lru_cache(maxsize=4096)
def _measured(text: str, size: float, family: tuple) -> tuple[float, float]:
    # A Text laid out as the drawn one is: its box holds the font's line height, which is
    # taller than the glyphs of digits alone.
    figure, renderer = _probe()
    probe = Text(0, 0, text, fontproperties=FontProperties(size=size))
    probe.set_figure(figure)
    extent = probe.get_window_extent(renderer)
    px_per_pt = renderer.points_to_pixels(1.0)
    return extent.width / px_per_pt, extent.height / px_per_pt


def _text_points(text: str, size: float) -> tuple[float, float]:
    """Width and height in points of a text at a size in the current font (sheets repeat
    the same codes and names, so the measure is cached per font family)."""
    family = tuple(rcParams["font.family"]) + tuple(rcParams["font.sans-serif"])
    return _measured(text, size, family)


def around(anchor: tuple[float, float], board: LabelBoard, text: str, size: float) -> list:
    """Candidate centres: the anchor, then one label-width or -height step in 8 directions."""
    w, h = board.text_size(text, size)
    x, y = anchor
    near = [(x + dx * w * 0.6, y + dy * h * 0.8) for dx, dy in AROUND]
    far = [(x + dx * w * 1.1, y + dy * h * 1.5) for dx, dy in AROUND[1:]]
    return near + far
