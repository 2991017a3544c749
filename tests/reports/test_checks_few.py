"""The plain-Python checks of a few items agree with the vectorised checks, item for item."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geogrid.reports.checks import body_hash, check_items, items_frame
from geogrid.reports.checks_few import FEW, check_few

CATEGORIES = {"fire_hazard", "public_security", "population"}
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)

odd_number = st.one_of(
    st.floats(min_value=-400, max_value=400),  # out of range
    st.integers(min_value=-200, max_value=200),
    st.sampled_from([0.0, 0, math.nan, None]),
    st.floats(min_value=3.9e5, max_value=4.1e6),  # metres, for a projected CRS
)
# Mostly good values (so that conversion and hashing are compared too), some bad ones.
lon = st.one_of(st.floats(min_value=73, max_value=136), st.floats(min_value=115, max_value=122),
                st.floats(min_value=3, max_value=54), odd_number)  # fmt: skip
lat = st.one_of(st.floats(min_value=3, max_value=54), st.floats(min_value=30, max_value=40),
                st.floats(min_value=73, max_value=136), odd_number)  # fmt: skip
text = st.one_of(st.none(), st.text(max_size=8), st.text(max_size=8),
                 st.sampled_from(["x" * 201, "y" * 4001, "a\x00b", "\ud800",
                                  "z" * 201 + "\x00"]))  # fmt: skip
time = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "2026-05-31T09:30:00+08:00", "2026-05-31 09:30", "2026-05-31T01:30Z",
                     "2026-06-01T12:30:00.25", "2026-06-02T09:30:00+08:00",  # the future
                     "2026-05-31T09:30:00.123456-05:00"]),
)  # fmt: skip
item = st.fixed_dictionaries(
    {"category": st.sampled_from([*CATEGORIES, *CATEGORIES, " fire_hazard ", "", "nope", None]),
     "lon": lon, "lat": lat},
    optional={
        "crs": st.sampled_from([None, "", "gcj02", "bd09", "EPSG:4490", "EPSG:4547", "wgs84",
                                "no such crs", "z" * 65]),
        "reported_at": time, "reporter": text, "text": text,
        "client_request_id": st.sampled_from([None, "", "a", "b", "c" * 129, "d", "e", "f\x00"]),
        "urgent": st.sampled_from([None, True, False, "是", 1]),
    },
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(item, min_size=1, max_size=6))
def test_the_two_paths_agree(items: list[dict]) -> None:
    few = check_few(items, CATEGORIES, now=NOW)
    if few is None:
        return  # a value only the vectorised path reads: it is used instead
    plain, plain_errors = few
    frame_checked, frame_errors = check_items(items_frame(items), CATEGORIES, now=NOW)
    assert [(e.row, e.field, e.message) for e in plain_errors] == [
        (e.row, e.field, e.message) for e in frame_errors
    ]
    for name, values in vars(frame_checked).items():
        mine = getattr(plain, name)
        if name == "reported_at":
            assert list(mine.asi8) == list(values.asi8)
        elif np.asarray(values).dtype.kind == "f":
            np.testing.assert_allclose(mine, values, rtol=0, atol=1e-9)
        else:
            assert list(mine) == list(values), name


def test_plain_items_take_the_plain_path() -> None:
    items = [{"category": "fire_hazard", "lon": 119.4, "lat": 36.0, "client_request_id": "a",
              "reported_at": "2026-05-31T09:30:00+08:00", "text": "楼道"}]  # fmt: skip
    assert check_few(items, CATEGORIES, now=NOW) is not None
    assert check_few(items * (FEW + 1), CATEGORIES, now=NOW) is None


def test_odd_values_go_to_the_vectorised_path() -> None:
    base = {"category": "fire_hazard", "lon": 119.4, "lat": 36.0}
    for odd in ({"lon": "119.4"}, {"lon": True}, {"reported_at": "31/05/2026"},
                {"reported_at": "2026-02-30T10:00"}, {"text": 5}, {"lon": math.inf}):  # fmt: skip
        assert check_few([base | odd], CATEGORIES, now=NOW) is None, odd
    assert check_few([{"x": 119.4, "y": 36.0, "category": "fire_hazard"}], CATEGORIES) is None


def test_the_body_hash_is_fixed() -> None:
    """Stored hashes answer retries: a change of the definition turns retries of reports
    taken before it into conflicts, so it is pinned here."""
    digest = body_hash("fire_hazard", 119.4, 36.0, "EPSG:4326", 1780281000000000, "P1", "楼道")
    assert digest == "06ef4894b50fceb4"
    assert body_hash("fire_hazard", 119.4, 36.0, "EPSG:4326", 1780281000000001, "P1", "楼道") != (
        digest
    )


def test_unstorable_text_is_refused_per_item_naming_the_field() -> None:
    good = {"category": "fire_hazard", "lon": 119.4, "lat": 36.0}
    items = [good, {**good, "text": "a\x00b"}, {**good, "reporter": "\udc80"}, good]
    few = check_few(items, CATEGORIES, now=NOW)
    frame = check_items(items_frame(items), CATEGORIES, now=NOW)
    for checked, errors in (few, frame):
        assert list(checked.rows) == [0, 3]
        assert [(e.row, e.field) for e in errors] == [(1, "text"), (2, "reporter")]
        assert "NUL" in errors[0].message and "U+DC80" in errors[1].message
