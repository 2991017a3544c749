"""Writing assigned reports to PostGIS with COPY, and looking up earlier requests by id
(a `Read`, run on a blocking or an async connection)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

from geogrid.storage.driver import Read

NULL = "\\N"
COPY_SLICE = 20_000
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))  # COPY's text format
SMALL_BATCH = 200  # up to this many rows, COPY text made in Python beats Arrow's set-up
COLUMNS = (
    "id", "client_request_id", "body_hash", "category_id", "geom", "received_x", "received_y",
    "received_crs", "reported_at", "reporter", "text", "version_id", "level1_id", "level2_id",
    "level3_id", "leader_id", "officer_id", "police_id", "station_id", "department_id", "route",
    "assignment_method", "distance_m", "status", "duplicate_of", "urgent", "received_at",
    "due_at",
)  # fmt: skip
TIMES = ("reported_at", "received_at", "due_at")  # timestamps with time zone
COPY_TEXT_SQL = f"copy reports ({', '.join(COLUMNS)}) from stdin"
EWKB_POINT_4326 = "0101000020E6100000"  # little-endian point with SRID 4326, then x, y
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAT = np.iinfo(np.int64).min  # how a missing time (NaT) reads as an integer
_HEX = np.array([f"{i:02x}" for i in range(256)], dtype="S2")
_HEX_UPPER = np.array([f"{i:02X}" for i in range(256)], dtype="S2")


def new_ids(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """n time-ordered UUIDs (version 7: milliseconds, then random bits) as 32 hex digits.

    Time order keeps inserts at the right edge of the primary key's B-tree, which a bulk
    COPY of random (version 4) ids would scatter over the whole index.
    """
    if rng is None:  # the system's generator: no state to set up per call, and thread-safe
        raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    else:
        raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    millis = np.uint64(time.time_ns() // 1_000_000)
    raw[:, :6] = np.frombuffer(int(millis).to_bytes(8, "big")[2:], dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x70
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return _HEX[raw].view("S32").ravel().astype(str).astype(object)


def copy_reports(conn: Connection, rows: dict[str, np.ndarray]) -> int:
    """COPY reports into the table; rows maps each of COLUMNS to an array (None/-1/NaN: null).

    `geom` is given as lon/lat in rows["lon"], rows["lat"]. Returns the rows written.
    """
    n = len(rows["id"])
    if n == 0:
        return 0
    if n <= SMALL_BATCH:
        return _copy_rows(conn, rows)
    table = _arrow_table(rows)
    cursor = conn.connection.driver_connection.cursor()
    # CSV made by Arrow (C++, ~10x pandas' text); every value is quoted, so an unquoted
    # empty field is null and "" an empty text. In slices: ~60 MB per 200,000 rows at once.
    statement = f"copy reports ({', '.join(COLUMNS)}) from stdin with (format csv)"
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with cursor.copy(statement) as copy:
        for start in range(0, n, COPY_SLICE):
            buffer = pa.BufferOutputStream()
            pacsv.write_csv(table.slice(start, COPY_SLICE), buffer, options)
            copy.write(buffer.getvalue())
    return n


def _arrow_table(rows: dict[str, np.ndarray]) -> pa.Table:
    """The rows as an Arrow table in COLUMNS order (None, a negative id, NaN: null)."""
    columns = {}
    for name in COLUMNS:
        if name == "geom":
            columns[name] = pa.array(ewkb_points(rows["lon"], rows["lat"]), pa.string())
            continue
        values = rows[name]
        if name in TIMES:
            micros = _micros(values)
            columns[name] = pa.array(micros, mask=micros == NAT).cast(pa.timestamp("us", tz="UTC"))
        elif values.dtype.kind == "b":
            columns[name] = pa.array(values)
        elif values.dtype.kind in "iu":
            columns[name] = pa.array(values, mask=values < 0)
        elif values.dtype.kind == "f":
            columns[name] = pa.array(values, from_pandas=True)  # NaN -> null
        else:
            columns[name] = pa.array(values, pa.string(), from_pandas=True)
    return pa.table(columns)


def ewkb_points(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Hex EWKB of WGS-84 points (SRID 4326), as PostGIS reads them: byte for byte what
    shapely.to_wkb(hex=True, include_srid=True) writes, without making the points."""
    coords = np.empty((len(lon), 2), dtype="<f8")
    coords[:, 0], coords[:, 1] = lon, lat
    raw = coords.view(np.uint8).reshape(len(lon), 16)
    return np.char.add(EWKB_POINT_4326, _HEX_UPPER[raw].view("S32").ravel().astype(str))


def _copy_rows(conn: Connection, rows: dict[str, np.ndarray]) -> int:
    """A few rows (one report from a phone, say) as COPY text made in plain Python: for
    them, building a DataFrame or adapting each value costs more than the COPY itself."""
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(COPY_TEXT_SQL) as copy:
        copy.write(copy_text(rows))
    return len(rows["id"])


async def copy_reports_async(conn: psycopg.AsyncConnection, rows: dict[str, np.ndarray]) -> int:
    """`copy_reports` on an async connection, as COPY text made in plain Python: for the
    API's groups of single reports (hundreds at most, not a file's chunks)."""
    n = len(rows["id"])
    if n:
        async with conn.cursor().copy(COPY_TEXT_SQL) as copy:
            await copy.write(copy_text(rows))
    return n


def copy_text(rows: dict[str, np.ndarray]) -> str:
    """Rows (as `copy_reports` takes them) in COPY's text format, one line each."""
    points = ewkb_points(rows["lon"], rows["lat"]).tolist()
    columns = [points if name == "geom" else _text_values(rows[name], name) for name in COLUMNS]
    return "".join("\t".join(row) + "\n" for row in zip(*columns, strict=True))


def _text_values(values: np.ndarray, name: str) -> list[str]:
    """One column in COPY's text format (None, a negative id, NaN: null)."""
    if name in TIMES:  # NaT (no deadline: a registry report's) is null
        return [NULL if m == NAT else (EPOCH + timedelta(microseconds=m)).isoformat()
                for m in _micros(values).tolist()]  # fmt: skip
    if values.dtype.kind == "b":
        return ["t" if v else "f" for v in values.tolist()]
    if values.dtype.kind in "iu":
        return [str(v) if v >= 0 else NULL for v in values.tolist()]
    if values.dtype.kind == "f":
        return [NULL if v != v else repr(v) for v in values.tolist()]
    return [NULL if v is None else _escaped(str(v)) for v in values.tolist()]


def _micros(values) -> np.ndarray:
    """Microseconds since 1970 of times (a DatetimeIndex or an array of aware datetimes)."""
    stamps = values if isinstance(values, pd.DatetimeIndex) else pd.DatetimeIndex(
        pd.to_datetime(values, utc=True))  # fmt: skip
    return stamps.as_unit("us").asi8


def _escaped(value: str) -> str:
    for raw, escaped in _ESCAPES:
        if raw in value:
            value = value.replace(raw, escaped)
    return value


def earlier_requests(ids: list[str]) -> Read[dict[str, tuple[str, str]]]:
    """Stored reports of these client request ids: id -> (report id, body hash)."""
    if not ids:
        return Read.nothing(_by_request)
    return Read("select client_request_id, id::text, body_hash from reports "
                "where client_request_id = any(%s)", (ids,), _by_request)  # fmt: skip


def _by_request(rows: list[tuple]) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in rows}
