"""Checking a few report items in plain Python: what a phone's single POST needs.

The vectorised checks (`checks.check_items`) cost about 10 ms whatever the batch size,
mostly pandas building its columns; for one item that is most of the intake. This module
gives the same answers (accepted items, normalised; one error per rejected item with the
same field and message; the same body hashes) for a few items whose values have the plain
types a JSON body gives: numbers for lon/lat, strings for the text fields, ISO 8601 strings
for reported_at. Anything else (a number as text, an odd time format, a column alias) is
answered with None, and the caller takes the vectorised path, so the two never disagree;
a property test holds them to that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from geogrid.errors import UnknownCRSError
from geogrid.geo.crs import parse_crs, to_wgs84
from geogrid.geo.text import unstorable_text
from geogrid.reports.checks import (
    COLUMN_ALIASES,
    DEFAULT_CRS,
    FUTURE_SLACK,
    LENGTH_LIMITS,
    TEXT_FIELDS,
    CheckedItems,
    ItemError,
    body_hash,
    lon_lat_problem,
)
from geogrid.vocabulary import CHINA_ZONE

FEW = 64  # up to this many items, the plain path is the faster one
# The times both paths read alike: date, time to the minute or finer, Z or +hh:mm or none.
PLAIN_TIME = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?P<zone>Z|[+-]\d\d:\d\d)?"
)


class NotPlain(Exception):
    """A value only the vectorised checks know how to read."""


def check_few(
    items: Sequence[Mapping],
    categories: set[str],
    *,
    default_crs: str = DEFAULT_CRS,
    now: datetime | None = None,
) -> tuple[CheckedItems, list[ItemError]] | None:
    """`check_items` for a few plain items; None when one of them is not plain."""
    if len(items) > FEW:
        return None
    try:
        return _check(items, categories, default_crs, _utc(now or datetime.now(UTC)))
    except NotPlain:
        return None


def _check(items, categories, default_crs, now: datetime):
    n = len(items)
    if any(key in COLUMN_ALIASES for item in items for key in item):
        raise NotPlain
    error: list[tuple[str, str] | None] = [None] * n
    text_of = {name: [_text(item.get(name)) for item in items] for name in TEXT_FIELDS}
    for name in TEXT_FIELDS:  # in the vectorised path's order: field by field, then lengths
        for i, value in enumerate(text_of[name]):
            problem = unstorable_text(value)
            if problem is not None:
                error[i] = error[i] or (name, problem)
                text_of[name][i] = ""
    for name, limit in LENGTH_LIMITS.items():
        for i, value in enumerate(text_of[name]):
            if error[i] is None and len(value) > limit:
                error[i] = (name, f"longer than {limit} characters")
    category = [c.strip() for c in text_of["category"]]
    for i, code in enumerate(category):
        if error[i] is None and code == "":
            error[i] = ("category", "missing")
        elif error[i] is None and code not in categories:
            error[i] = ("category", f"unknown category {code!r}")
    crs = [c if c != "" else default_crs for c in text_of["crs"]]
    x = _numbers(items, "lon", error)
    y = _numbers(items, "lat", error)
    lon, lat, crs_names = _to_wgs84(x, y, crs, error)
    stamps = _timestamps(items, error, now)
    urgent = [_flag(item.get("urgent")) for item in items]
    rows = [i for i in range(n) if error[i] is None]
    ids = [value or None for value in text_of["client_request_id"]]
    reporter, text = text_of["reporter"], text_of["text"]
    hashes = [None if ids[i] is None else
              body_hash(category[i], x[i], y[i], crs_names[i], _micros(stamps[i]), reporter[i],
                        text[i], urgent[i]) for i in rows]  # fmt: skip
    checked = CheckedItems(
        np.array(rows, dtype=np.int64), _objects(ids[i] for i in rows), _objects(hashes),
        _objects(category[i] for i in rows), np.array([lon[i] for i in rows]),
        np.array([lat[i] for i in rows]), np.array([x[i] for i in rows]),
        np.array([y[i] for i in rows]), _objects(crs_names[i] for i in rows),
        pd.DatetimeIndex(np.array([_micros(stamps[i]) for i in rows], dtype="datetime64[us]"),
                         tz=UTC),
        _objects(reporter[i] for i in rows), _objects(text[i] for i in rows),
        np.array([urgent[i] for i in rows], dtype=bool),
    )  # fmt: skip
    problems = [ItemError(i, *e) for i, e in enumerate(error) if e is not None]
    return checked, problems


def _text(value) -> str:
    if value is None:
        return ""
    if type(value) is not str:
        raise NotPlain
    return value


def _flag(value) -> bool:
    """The urgent flag of a JSON body (absent or null: not urgent); any other type is read
    by the vectorised path, which names the field when it is no yes or no."""
    if value is None:
        return False
    if type(value) is not bool:
        raise NotPlain
    return value


def _numbers(items, name: str, error: list) -> list[float]:
    """Floats, NaN where missing; the vectorised path's message for a missing value depends
    on whether any item of the batch has one (a float column) or none does."""
    values = [item.get(name) for item in items]
    given = [v for v in values if v is not None]
    if any(type(v) not in (float, int) for v in given):
        raise NotPlain  # text, bool, numpy scalars: the vectorised path reads those
    if any(math.isinf(v) for v in given):
        raise NotPlain  # its message quotes the value as pandas shows it
    message = "missing or NaN" if given else "missing"
    out = []
    for i, value in enumerate(values):
        if value is None or value != value:
            if error[i] is None:
                error[i] = (name, message)
            out.append(math.nan)
        else:
            out.append(float(value))
    return out


def _to_wgs84(x, y, crs, error) -> tuple[list[float], list[float], list[str]]:
    """Per item, as the vectorised `_to_wgs84`: CRS, range checks, conversion, result."""
    n = len(x)
    lon, lat, names = [math.nan] * n, [math.nan] * n, [""] * n
    for i in range(n):
        if error[i] is not None:
            continue
        try:
            spec = parse_crs(crs[i])
        except UnknownCRSError as exc:
            error[i] = ("crs", str(exc))
            continue
        if spec.offset or spec.pyproj_crs.is_geographic:
            error[i] = lon_lat_problem(x[i], y[i])
            if error[i] is not None:
                continue
        if spec.name == "EPSG:4326":
            lon[i], lat[i] = x[i], y[i]
        else:
            a, b = to_wgs84(np.array([x[i]]), np.array([y[i]]), spec)
            lon[i], lat[i] = float(a[0]), float(b[0])
        names[i] = spec.name
    for i in range(n):
        if error[i] is None and not (math.isfinite(lon[i]) and abs(lon[i]) <= 180
                                     and abs(lat[i]) <= 90):  # fmt: skip
            error[i] = ("lon", f"({x[i]}, {y[i]}) does not convert to a point on Earth")
    return lon, lat, names


def _timestamps(items, error: list, now: datetime) -> list[datetime]:
    """UTC times to the microsecond; a time without an offset is China time; none: now."""
    out = []
    for i, item in enumerate(items):
        raw = item.get("reported_at")
        if raw is None or (type(raw) is str and raw.strip() == ""):
            out.append(now)
            continue
        if type(raw) is not str:
            raise NotPlain
        match = PLAIN_TIME.fullmatch(raw)
        if match is None:
            raise NotPlain
        try:
            stamp = datetime.fromisoformat(raw if match["zone"] else raw + CHINA_ZONE)
        except ValueError:
            raise NotPlain from None  # a day that does not exist: let pandas say so
        stamp = stamp.astimezone(UTC)
        if error[i] is None and stamp > now + FUTURE_SLACK:
            error[i] = ("reported_at", f"{raw} is in the future")
        out.append(stamp)
    return out


def _utc(moment: datetime) -> datetime:
    """As the vectorised path reads `now`: a naive time is UTC; microseconds kept."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _objects(values) -> np.ndarray:
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
