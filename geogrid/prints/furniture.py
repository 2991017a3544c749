"""Map furniture outside the map frame: symbol styles, the legend and the notes block."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes

from geogrid.prints.data import KEY_PLACE_NAMES, StationInfo
from geogrid.prints.draw import HALO, Page, crs_name
from geogrid.prints.layout import Box, PageLayout
from geogrid.prints.streets import CASING, FILL

GRID_RED = "#d62828"
UNIT_BLUE = "#1d4e89"
NEIGHBOUR_GREY = "#9a9a9a"
COMMUNITY_DARK = "#444444"
STATION_NAVY = "#0b2e6b"
UNIT_DASH = (0, (4, 2))
# category -> marker, colour, size in points² (matplotlib scatter)
KEY_PLACE_STYLE = {
    "rental_housing": ("s", "#2a7fff", 16),
    "key_unit": ("^", "#f08c00", 22),
    "dangerous_goods": ("D", "#c1121f", 16),
}
SHEET_LINES = (  # colour, width pt, dash, caption
    (GRID_RED, 2.0, "-", "本网格边界"),
    (UNIT_BLUE, 0.7, UNIT_DASH, "三级网格及编号"),
    (NEIGHBOUR_GREY, 0.6, "-", "相邻二级网格"),
    (COMMUNITY_DARK, 1.0, "-.", "社区边界"),
)
OVERVIEW_LINES = (
    (GRID_RED, 1.0, "-", "二级网格（页码、编码末6位）"),
    (COMMUNITY_DARK, 1.4, "-.", "社区边界"),
)
STATION_PT2 = 70  # the station star's size in points² (matplotlib scatter)
_ENTRY_MM = 4.4


def station_marker(ax: Axes, station: StationInfo, *, named: bool = True) -> None:
    """A station as a star, with its name beside it if `named` (sheets place names apart)."""
    if station.location is None:
        return
    x, y = station.location.x, station.location.y
    ax.scatter(
        [x],
        [y],
        s=STATION_PT2,
        marker="*",
        c=STATION_NAVY,
        edgecolors="white",
        linewidths=0.5,
        zorder=8,
        clip_on=True,
        gid="symbol",
    )
    if not named:
        return
    ax.text(
        x,
        y,
        f"  {station.name}",
        fontsize=6.5,
        color=STATION_NAVY,
        ha="left",
        va="center",
        zorder=8,
        clip_on=True,
        path_effects=HALO,
    )


def draw_legend(page: Page, box: Box, lines: Sequence[tuple], *, key_places: bool) -> None:
    """The legend: boundary lines, streets, key place symbols (if shown) and the station."""
    page.text(box.x, box.top - 2, "图例", 8, va="center")
    y = box.top - 2 - _ENTRY_MM
    for color, width, dash, caption in lines:
        page.line([box.x, box.x + 8], [y, y], color=color, linewidth=width, linestyle=dash)
        page.text(box.x + 10, y, caption, 6.5, va="center")
        y -= _ENTRY_MM
    page.line([box.x, box.x + 8], [y, y], color=CASING, linewidth=2.6, solid_capstyle="butt")
    page.line([box.x, box.x + 8], [y, y], color=FILL, linewidth=1.7, solid_capstyle="butt")
    page.text(box.x + 10, y, "街路巷（路、街、巷）", 6.5, va="center")
    y -= _ENTRY_MM
    symbols = [(*KEY_PLACE_STYLE[c], n) for c, n in KEY_PLACE_NAMES.items()] if key_places else []
    for marker, color, size, caption in [*symbols, ("*", STATION_NAVY, STATION_PT2, "派出所")]:
        page.line(
            [box.x + 4],
            [y],
            marker=marker,
            color=color,
            markersize=size**0.5,
            markeredgecolor="white",
            markeredgewidth=0.4,
            linestyle="none",
        )
        page.text(box.x + 10, y, caption, 6.5, va="center")
        y -= _ENTRY_MM


def draw_notes(
    page: Page, box: Box, layout: PageLayout, epsg: int, extra: Sequence[str] = ()
) -> None:
    """Scale as 1:N, how to print it true, the CRS, and any extra lines, top down."""
    y = box.top - 3
    page.text(box.x, y, f"比例尺 1:{layout.scale:,}", 11, va="center")
    lines = (
        f"{layout.paper} 纸 100% 打印（不缩放）时比例尺准确",
        f"坐标系 {crs_name(epsg)}",
        f"(EPSG:{epsg})，图上方为北",
        *extra,
    )
    y -= 6.5
    for line in lines:
        page.text(box.x, y, line, 6.5, va="center")
        y -= 4.2
