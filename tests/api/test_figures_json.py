"""Stored figures' JSON bodies kept per worker (api/figures_json.py): rendered once per key
and computed time, again when the figures are computed again, never kept without a key."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import count

from geogrid.api import figures_json
from geogrid.api.figures_json import MAX_BODIES, figures_body
from geogrid.team.month_store import FiguresKey
from geogrid.vocabulary import CHINA_TZ

AT = datetime(2026, 12, 7, 14, 5, tzinfo=CHINA_TZ)


def _numbered():
    calls = count(1)
    return lambda: {"render": next(calls), "名": "统计"}


def test_a_body_is_rendered_once_per_key_and_computed_time():
    key, content = FiguresKey("coverage", "t-body", "2026-06"), _numbered()
    first = figures_body(key, AT, content)
    assert json.loads(first) == {"render": 1, "名": "统计"}  # JSONResponse's UTF-8 JSON
    assert figures_body(key, AT, content) is first
    assert json.loads(figures_body(key, AT + timedelta(seconds=1), content))["render"] == 2
    other = FiguresKey("coverage", "t-body", "2026-07")
    assert json.loads(figures_body(other, AT, content))["render"] == 3
    assert json.loads(figures_body(None, AT, content))["render"] == 4
    assert json.loads(figures_body(None, AT, content))["render"] == 5


def test_the_bodies_kept_are_bounded_oldest_first():
    content = _numbered()
    keys = [FiguresKey("coverage", f"t-bound-{n}", "2026-06") for n in range(MAX_BODIES + 1)]
    for key in keys:
        figures_body(key, AT, content)
    assert len(figures_json._BODIES) == MAX_BODIES
    assert keys[0] not in figures_json._BODIES and keys[-1] in figures_json._BODIES
