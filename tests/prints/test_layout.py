"""Page planning: orientation by shape, the largest round scale that fits, extents, bar lengths."""

from __future__ import annotations

import pytest

from geogrid.errors import InputError
from geogrid.prints.layout import FILL, SCALES, nice_length, plan_page, table_page


def test_wide_grid_goes_landscape_and_tall_grid_portrait() -> None:
    wide = plan_page((0, 0, 3000, 800), "A4")
    tall = plan_page((0, 0, 800, 3000), "A4")
    assert (wide.orientation, wide.width_mm, wide.height_mm) == ("landscape", 297, 210)
    assert (tall.orientation, tall.width_mm, tall.height_mm) == ("portrait", 210, 297)


def test_scale_is_the_largest_round_scale_that_fits() -> None:
    layout = plan_page((1000, 2000, 1900, 2600), "A4")
    box, n = layout.map_box, layout.scale
    shown = (box.w * n / 1000, box.h * n / 1000)  # metres the map box holds at 1:n
    assert n in SCALES
    assert shown[0] >= 900 and shown[1] >= 600
    larger_scale = SCALES[SCALES.index(n) - 1]
    usable = (box.w * larger_scale / 1000 * FILL, box.h * larger_scale / 1000 * FILL)
    assert usable[0] < 900 or usable[1] < 600


def test_extent_is_the_map_box_at_the_scale_centred_on_the_grid() -> None:
    layout = plan_page((500, 500, 1500, 1200), "A3")
    minx, miny, maxx, maxy = layout.extent
    assert maxx - minx == pytest.approx(layout.map_box.w * layout.scale / 1000)
    assert maxy - miny == pytest.approx(layout.map_box.h * layout.scale / 1000)
    assert ((minx + maxx) / 2, (miny + maxy) / 2) == pytest.approx((1000, 850))
    assert layout.paper == "A3"


def test_a3_gives_a_larger_scale_than_a4() -> None:
    bounds = (0, 0, 2500, 2500)
    assert plan_page(bounds, "A3").scale < plan_page(bounds, "A4").scale


def test_a_county_sized_extent_still_gets_a_round_scale() -> None:
    assert plan_page((0, 0, 300_000, 300_000), "A4", overview=True).scale % SCALES[-1] == 0


def test_unknown_paper_is_an_input_error() -> None:
    with pytest.raises(InputError, match="B5"):
        plan_page((0, 0, 10, 10), "B5")
    with pytest.raises(InputError):
        table_page("letter")


@pytest.mark.parametrize(("limit", "length"), [(1234, 1000), (600, 500), (299, 200), (1.5, 1)])
def test_scale_bar_lengths_are_1_2_5(limit: float, length: float) -> None:
    assert nice_length(limit) == length
