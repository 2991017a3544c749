"""Legible sheets: measured label boxes overlap no other label or symbol, every code is shown."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import pytest
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from sqlalchemy import Connection, text

from geogrid.prints import sheetmap
from geogrid.prints.data import grid_sheets, read_base_map, read_print_data
from geogrid.prints.fonts import print_style
from geogrid.prints.labels import LabelBoard
from geogrid.prints.layout import plan_page
from geogrid.prints.sheet import KEY_TITLE, _unlabelled_key, draw_sheet
from geogrid.storage.versions import known_version
from tests.prints.test_sheet import _CATEGORIES

# The station whose level-3 units are the smallest on average: the densest sheets.
_DENSEST_SQL = """
select s.code from stations s
join station_communities sc on sc.station_id = s.id
join grids u on u.level = 3 and left(u.code, 12) = sc.community_code
join grid_versions v on v.id = u.version_id and v.status = 'active'
group by s.code order by avg(st_area(u.geom::geography)) limit 1
"""
_PLACES_SQL = """
insert into reports (id, category_id, geom, reported_at, received_crs, reporter, text,
                     assignment_method, status)
select gen_random_uuid(), (select id from report_categories where code = :category),
       p.geom, now(), 'EPSG:4326', '', '', 'inside', 'closed'
from (select (st_dump(st_generatepoints(g.geom, :n, :seed))).geom from grids g
      join grid_versions v on v.id = g.version_id and v.status = 'active'
      where g.level = 2 and g.code = any(:codes)) p
"""


def test_every_sheet_of_the_densest_station_is_legible(conn: Connection) -> None:
    seen = _print_densest_station(conn)
    assert seen.labels > 10 * seen.sheets  # the measure saw the labels it judges
    assert seen.problems == []


def test_codes_too_big_for_their_units_go_to_an_inset_or_a_leader(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheetmap, "UNIT_PT", 11.0)  # as if the units were half the size
    seen = _print_densest_station(conn)
    assert seen.insets >= 1 and seen.leaders >= 1
    assert seen.problems == []  # still no overlap, and every code is on its sheet


@dataclass
class _Seen:
    """What the measure found over a station's sheets."""

    sheets: int = 0
    labels: int = 0
    insets: int = 0
    leaders: int = 0
    problems: list[str] = field(default_factory=list)


def _print_densest_station(conn: Connection) -> _Seen:
    """Draw every sheet of the densest station, with key places, and measure each."""
    codes = _station_grids(conn, conn.scalar(text(_DENSEST_SQL)))
    _add_key_places(conn, codes)  # key-place symbols that labels must keep off
    seen = _Seen()
    with print_style():
        version = known_version(conn)
        data = read_print_data(conn, codes, version)
        sheets = grid_sheets(data)
        layouts = [plan_page(sheet.geometry.bounds, "A4") for sheet in sheets]
        base = read_base_map(conn, version, _union(layouts), data.epsg)
        for sheet, layout in zip(sheets, layouts, strict=True):
            figure = draw_sheet(sheet, base, layout)
            found, shown, count = _measure(figure)
            seen.sheets += 1
            seen.labels += count
            seen.insets += len(figure.axes) - 1
            seen.leaders += len(figure.axes[0].lines)
            seen.problems += [f"{sheet.code}: {p}" for p in found]
            keyed = _keyed(figure)
            for code in sheet.units["code"]:
                if code not in shown and code[-3:] not in keyed:
                    seen.problems.append(f"{sheet.code}: unit {code} shown nowhere")
    return seen


def _station_grids(conn: Connection, station: str) -> list[str]:
    sql = """select g.code from grids g
             join grid_versions v on v.id = g.version_id and v.status = 'active'
             join station_communities sc on sc.community_code = left(g.code, 12)
             join stations s on s.id = sc.station_id
             where g.level = 2 and s.code = :s order by g.code"""
    return list(conn.execute(text(sql), {"s": station}).scalars())


def _add_key_places(conn: Connection, codes: list[str]) -> None:
    conn.execute(text(_CATEGORIES))
    kinds = ("rental_housing", "key_unit", "dangerous_goods")
    for seed, category in enumerate(kinds, start=1):
        conn.execute(
            text(_PLACES_SQL), {"category": category, "n": 8, "seed": seed, "codes": codes}
        )


def _keyed(figure: Figure) -> set[str]:
    """Unit codes listed in the notes as not labelled on the map (the key of last resort)."""
    texts = [t.get_text() for t in figure.texts]
    if KEY_TITLE not in texts:
        return set()
    lines = texts[texts.index(KEY_TITLE) + 1 :]  # the key is the last of the notes
    return {code for line in lines for code in line.split(" ")[0].split("、")}


def _union(layouts) -> tuple[float, float, float, float]:
    boxes = [shapely.box(*layout.extent) for layout in layouts]
    return shapely.union_all(boxes).bounds


def _measure(figure: Figure) -> tuple[list[str], set[str], int]:
    """Overlaps found on the figure's maps, the unit codes shown whole, and labels seen."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    main, *insets = figure.axes
    problems, shown, count = [], set(), 0
    for ax in figure.axes:
        frame = _box(ax.get_window_extent(renderer))
        texts = [(t, _text_shape(t, renderer)) for t in ax.texts if t.get_text()]
        texts = [(t, shape) for t, shape in texts if shape.intersects(frame)]
        symbols = _symbol_shapes(ax, renderer)
        if ax is main:
            symbols += [_box(inset.get_window_extent(renderer)) for inset in insets]
        count += len(texts)
        for t, shape in texts:
            gid = t.get_gid() or ""
            if gid.startswith("unit:") and frame.contains(shape):
                shown.add(gid.removeprefix("unit:"))
            if gid != "furniture" and any(shape.intersects(s) for s in symbols):
                problems.append(f"label {t.get_text()!r} ({gid}) on a symbol")
        for (a, sa), (b, sb) in itertools.combinations(texts, 2):
            both_furniture = a.get_gid() == b.get_gid() == "furniture"
            if not both_furniture and sa.intersection(sb).area > 0:
                problems.append(f"label {a.get_text()!r} over {b.get_text()!r}")
    return problems, shown, count


def _box(bbox) -> shapely.Polygon:
    return shapely.box(bbox.x0, bbox.y0, bbox.x1, bbox.y1)


def _text_shape(t: Text, renderer) -> shapely.Polygon:
    """The text's box as drawn, turned with the text (not its upright bounding box)."""
    angle = t.get_rotation()
    if not angle:
        return _box(t.get_window_extent(renderer))
    assert (t.get_ha(), t.get_va()) == ("center", "center")
    w, h, _ = renderer.get_text_width_height_descent(
        t.get_text(), t.get_fontproperties(), ismath=False
    )
    x, y = t.get_transform().transform(t.get_position())
    box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return shapely.affinity.rotate(box, angle, origin=(x, y))


def _symbol_shapes(ax: Axes, renderer) -> list[shapely.Polygon]:
    """Boxes of scatter markers (key places, stations) and furniture patches."""
    shapes = [_box(p.get_window_extent(renderer)) for p in ax.patches if p.get_gid() == "furniture"]
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and collection.get_gid() == "symbol":
            sizes = collection.get_sizes()
            xy = ax.transData.transform(collection.get_offsets())
            for (x, y), size in zip(xy, itertools.cycle(sizes), strict=False):
                half = math.sqrt(size) / 2 * renderer.points_to_pixels(1.0)
                shapes.append(shapely.box(x - half, y - half, x + half, y + half))
    return shapes


def test_label_board_refuses_a_taken_place() -> None:
    figure = Figure(figsize=(4, 4))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1000)
    ax.set_ylim(0, 1000)
    board = LabelBoard(ax, 10000)
    first = board.place("036", [(500, 500)], 7.5)
    assert first is not None
    assert board.place("028", [(500, 500)], 7.5) is None  # the same spot is taken
    second = board.place("028", [(500, 500), (500, 700)], 7.5)
    assert second is not None and second.get_position() == (500, 700)
    assert board.place("042", [(2000, 500)], 7.5) is None  # outside the frame


def test_the_key_of_last_resort_wraps_and_counts_what_it_cannot_list() -> None:
    codes = [f"370782001001001{n:03d}" for n in range(1, 21)]
    assert _unlabelled_key([]) == []
    title, first, second = _unlabelled_key(codes)
    assert title == KEY_TITLE
    assert first.split("、") == [f"{n:03d}" for n in range(1, 10)]
    assert second.endswith("018 等 20 个")
