"""Checking incoming report items, vectorised: one reason per rejected item, naming its field.

An item is a mapping with `category`, `lon`/`lat` (or `x`/`y` in a projected CRS) and
optionally `client_request_id`, `crs`, `reported_at`, `reporter`, `text`, `urgent`. All three intake
doors (one report, a batch, a file) turn their items into a DataFrame and come here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from geogrid.errors import UnknownCRSError
from geogrid.geo.crs import parse_crs, to_wgs84
from geogrid.geo.text import unstorable_mask, unstorable_text
from geogrid.vocabulary import CHINA_ZONE  # a time without an offset is China time

DEFAULT_CRS = "EPSG:4326"
MAX_ID = 128
MAX_TEXT = 4000
MAX_REPORTER = 200
CHINA = (73.0, 135.5, 3.0, 54.0)  # lon min, lon max, lat min, lat max
GEOGRAPHIC_RANGES = {"lon": 180.0, "lat": 90.0}
FUTURE_SLACK = timedelta(hours=1)  # phones' clocks drift
TEXT_FIELDS = ("client_request_id", "category", "reporter", "text", "crs")
LENGTH_LIMITS = {"client_request_id": MAX_ID, "reporter": MAX_REPORTER, "text": MAX_TEXT,
                 "crs": 64}  # fmt: skip
COLUMN_ALIASES = {"x": "lon", "y": "lat", "longitude": "lon", "latitude": "lat", "lng": "lon",
                  "经度": "lon", "纬度": "lat", "类别": "category", "时间": "reported_at",
                  "上报人": "reporter", "内容": "text", "紧急": "urgent"}  # fmt: skip
# What a file's urgent column may hold (case ignored); blank is not urgent.
URGENT_WORDS = {
    "true": True,
    "1": True,
    "yes": True,
    "y": True,
    "是": True,
    "紧急": True,
    "false": False,
    "0": False,
    "no": False,
    "n": False,
    "否": False,
    "": False,
}


@dataclass(frozen=True)
class ItemError:
    """Why one item was rejected: its row (0-based), the field and a message."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"item {self.row + 1}: field {self.field!r}: {self.message}"

    @property
    def conflict(self) -> bool:
        """A request id already used with another body (409), not a malformed item (400)."""
        return self.field == "client_request_id" and self.message.endswith("(conflict)")


@dataclass
class CheckedItems:
    """The accepted items, normalised: WGS-84 points beside what was received."""

    rows: np.ndarray  # positions in the input
    client_request_id: np.ndarray  # object: str or None
    body_hash: np.ndarray  # object: 16 hex digits, or None without a client request id
    category: np.ndarray  # category codes (object)
    lon: np.ndarray
    lat: np.ndarray
    received_x: np.ndarray
    received_y: np.ndarray
    received_crs: np.ndarray  # object: normalised CRS names
    reported_at: pd.DatetimeIndex  # UTC, in microseconds ("us")
    reporter: np.ndarray
    text: np.ndarray
    urgent: np.ndarray  # bool: the reporter's urgent flag (shortens every time limit)

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, keep: np.ndarray) -> CheckedItems:
        """The items selected by a boolean mask or positions."""
        return CheckedItems(**{k: v[keep] for k, v in vars(self).items()})


def items_frame(items: list[dict]) -> pd.DataFrame:
    """Items as a DataFrame, the text fields kept as Python objects: pandas' Arrow strings
    cannot hold a lone surrogate, which the checks must see to refuse it."""
    frame = pd.DataFrame(
        {k: v for k, v in ((k, [item.get(k) for item in items]) for k in _keys(items))
         if k not in TEXT_FIELDS}, index=range(len(items)),
    )  # fmt: skip
    for name in (k for k in _keys(items) if k in TEXT_FIELDS):
        frame[name] = pd.Series([item.get(name) for item in items], dtype=object)
    return frame[_keys(items)]


def _keys(items: list[dict]) -> list:
    return list(dict.fromkeys(k for item in items for k in item))


def check_items(
    frame: pd.DataFrame,
    categories: set[str],
    *,
    default_crs: str = DEFAULT_CRS,
    now: datetime | None = None,
) -> tuple[CheckedItems, list[ItemError]]:
    """Check and normalise items; returns the accepted ones and an error per rejected one."""
    frame = frame.rename(columns={k: v for k, v in COLUMN_ALIASES.items() if k in frame})
    n = len(frame)
    error = np.full(n, None, dtype=object)  # the first problem of each row: (field, message)
    text_of = {name: _text_column(frame, name, n, error) for name in TEXT_FIELDS}
    _check_lengths(text_of, error)
    category = pd.Series(text_of["category"], dtype=object).str.strip().to_numpy(dtype=object)
    _flag(error, category == "", "category", "missing")
    unknown = (category != "") & ~np.isin(category, list(categories))
    _flag(error, unknown, "category", lambda i: f"unknown category {category[i]!r}")
    crs = np.where(text_of["crs"] == "", default_crs, text_of["crs"]).astype(object)
    x = _number_column(frame, "lon", error)
    y = _number_column(frame, "lat", error)
    lon, lat, crs_names = _to_wgs84(x, y, crs, error)
    reported_at = _timestamps(frame, error, now)
    urgent = _urgent_column(frame, error)
    rows = np.flatnonzero(error == None)  # noqa: E711 (elementwise on an object array)
    ids = text_of["client_request_id"].astype(object)
    ids[ids == ""] = None
    hashes = _body_hashes(rows, ids, category, x, y, crs_names, reported_at, text_of, urgent)
    checked = CheckedItems(
        rows, ids[rows], hashes, category[rows].astype(object), lon[rows], lat[rows],
        x[rows], y[rows], crs_names[rows], reported_at[rows],
        text_of["reporter"][rows], text_of["text"][rows], urgent[rows],
    )  # fmt: skip
    problems = [ItemError(int(i), *error[i]) for i in np.flatnonzero(error != None)]  # noqa: E711
    return checked, problems


def _text_column(frame: pd.DataFrame, name: str, n: int, error: np.ndarray) -> np.ndarray:
    """The column as str ("" where missing); text the database cannot store is flagged and
    blanked first (pandas' Arrow strings cannot even hold a lone surrogate)."""
    if name not in frame:
        return np.full(n, "", dtype=object)
    column = frame[name].astype(object)
    bad = unstorable_mask(column.to_numpy(dtype=object))
    if bad.any():
        _flag(error, bad, name, lambda i: unstorable_text(column.iloc[i]))
        column = column.where(~bad, "")
    return column.where(column.notna(), "").astype(str).to_numpy(dtype=object)


def _check_lengths(text_of: dict[str, np.ndarray], error: np.ndarray) -> None:
    for name, limit in LENGTH_LIMITS.items():
        lengths = pd.Series(text_of[name], dtype=object).str.len().to_numpy()
        _flag(error, lengths > limit, name, f"longer than {limit} characters")


def _flag(error: np.ndarray, mask: np.ndarray, field: str, message) -> None:
    """Record a problem on the rows of mask that have none yet."""
    for i in np.flatnonzero(mask & (error == None)):  # noqa: E711
        error[i] = (field, message(i) if callable(message) else message)


def _number_column(frame: pd.DataFrame, name: str, error: np.ndarray) -> np.ndarray:
    if name not in frame:
        _flag(error, np.ones(len(frame), bool), name, "missing")
        return np.full(len(frame), np.nan)
    raw = frame[name]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    blank = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    # A float column cannot tell a missing value from NaN; a text column (CSV) can.
    _flag(error, blank, name, "missing or NaN" if raw.dtype.kind == "f" else "missing")
    _flag(error, ~np.isfinite(values), name, lambda i: f"not a number: {raw.iloc[i]!r}")
    return values


def _urgent_column(frame: pd.DataFrame, error: np.ndarray) -> np.ndarray:
    """The urgent flags: a JSON true/false, or a file's word for yes or no (URGENT_WORDS)."""
    if "urgent" not in frame:
        return np.zeros(len(frame), dtype=bool)
    raw = frame["urgent"].astype(object)
    flags = np.array([urgent_value(v) for v in raw.tolist()], dtype=object)
    _flag(error, flags == None, "urgent",  # noqa: E711 (elementwise on an object array)
          lambda i: f"{raw.iloc[i]!r} is not a yes or no (true/false, 1/0, 是/否)")  # fmt: skip
    return np.array([bool(f) for f in flags], dtype=bool)


def urgent_value(value) -> bool | None:
    """One urgent flag as read from JSON or a file cell; None when it is neither yes nor no."""
    if value is None or isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if value != value:  # NaN: an empty cell of a numeric column
            return False
        return {0: False, 1: True}.get(value)
    return URGENT_WORDS.get(str(value).strip().lower())


def _to_wgs84(x, y, crs, error) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert each CRS group to WGS-84 after the range checks that group allows."""
    lon, lat = np.full(len(x), np.nan), np.full(len(x), np.nan)
    names = np.full(len(x), "", dtype=object)
    for given in pd.unique(crs):
        group = (crs == given) & (error == None)  # noqa: E711
        try:
            spec = parse_crs(given)
        except UnknownCRSError as exc:
            _flag(error, group, "crs", str(exc))
            continue
        if spec.offset or spec.pyproj_crs.is_geographic:
            _check_lon_lat(x, y, group, error)
            group &= error == None  # noqa: E711
        if group.any():
            lon[group], lat[group] = to_wgs84(x[group], y[group], spec)
            names[group] = spec.name
    bad = ~(np.isfinite(lon) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    _flag(error, bad, "lon", lambda i: f"({x[i]}, {y[i]}) does not convert to a point on Earth")
    return lon, lat, names


def _check_lon_lat(x, y, group, error) -> None:
    lo_x, hi_x, lo_y, hi_y = CHINA
    swapped = (lo_x <= y) & (y <= hi_x) & (lo_y <= x) & (x <= hi_y) & (np.abs(y) > 90)
    suspect = group & (swapped | (np.abs(x) > 180) | (np.abs(y) > 90) | ((x == 0) & (y == 0)))
    for i in np.flatnonzero(suspect & (error == None)):  # noqa: E711
        error[i] = lon_lat_problem(float(x[i]), float(y[i]))


def lon_lat_problem(x: float, y: float) -> tuple[str, str] | None:
    """The first problem of one lon/lat pair, as `_check_lon_lat` finds it for arrays:
    (field, message), or None."""
    lo_x, hi_x, lo_y, hi_y = CHINA
    if lo_x <= y <= hi_x and lo_y <= x <= hi_y and abs(y) > 90:
        return "lat", f"lon {x}, lat {y}: apparently swapped (lat given as lon)"
    if abs(x) > 180:
        return "lon", f"{x} is out of range -180..180"
    if abs(y) > 90:
        return "lat", f"{y} is out of range -90..90"
    if x == 0 and y == 0:
        return "lon", "0, 0 is a missing GPS fix, not a place"
    return None


def _timestamps(frame: pd.DataFrame, error: np.ndarray, now: datetime | None) -> pd.DatetimeIndex:
    now_ts = pd.Timestamp(now or datetime.now(UTC))
    now_ts = now_ts.tz_localize(UTC) if now_ts.tzinfo is None else now_ts.tz_convert(UTC)
    now_ts = now_ts.as_unit("us")
    if "reported_at" not in frame:
        return pd.DatetimeIndex([now_ts] * len(frame)).as_unit("us")
    raw = frame["reported_at"]
    blank = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    text = raw.where(~blank, now_ts.isoformat()).astype(str)
    # Times without an offset are China Standard Time: what a phone in the county shows.
    has_zone = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).to_numpy()
    parsed = pd.to_datetime(text.where(has_zone, text + CHINA_ZONE), utc=True, errors="coerce",
                            format="ISO8601")  # fmt: skip
    values = pd.DatetimeIndex(parsed).as_unit("us")
    _flag(error, values.isna(), "reported_at",
          lambda i: f"not an ISO 8601 time: {raw.iloc[i]!r}")  # fmt: skip
    late = np.asarray(values > now_ts + FUTURE_SLACK)
    _flag(error, late, "reported_at", lambda i: f"{raw.iloc[i]} is in the future")
    return values.fillna(now_ts)


def _body_hashes(rows, ids, category, x, y, crs, reported_at, text_of, urgent) -> np.ndarray:
    """The body hash of each accepted item with a client request id (None for the rest)."""
    out = np.full(len(rows), None, dtype=object)
    has_id = np.flatnonzero(ids[rows] != None)  # noqa: E711 (elementwise on an object array)
    at = rows[has_id]
    micros = reported_at.asi8[at]  # microseconds: the index is in "us"
    columns = (category[at], x[at], y[at], crs[at], micros, text_of["reporter"][at],
               text_of["text"][at], urgent[at])  # fmt: skip
    out[has_id] = [
        body_hash(*fields) for fields in zip(*(c.tolist() for c in columns), strict=True)
    ]
    return out


def body_hash(category: str, x: float, y: float, crs: str, micros: int, reporter: str,
              text: str, urgent: bool = False) -> str:  # fmt: skip
    """A 64-bit fingerprint of an item's content (16 hex digits), to tell a retry from a
    conflict: BLAKE2b of the normalised fields (the CRS's name, the time in microseconds
    since 1970 UTC), so it depends on no library's hashing and both checking paths agree."""
    fields = (category, repr(x), repr(y), crs, str(micros), reporter, text)
    # Only a true flag is hashed: items from before the flag keep their hashes.
    body = "\x1f".join((*fields, "urgent") if urgent else fields)
    return hashlib.blake2b(body.encode("utf-8"), digest_size=8).hexdigest()
