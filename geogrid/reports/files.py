"""Reading report files for `geogrid ingest`: CSV, GeoJSON or GeoPackage, in chunks.

CSV columns are the item fields (category, lon, lat, crs, reported_at, reporter, text,
client_request_id); text is UTF-8 or GB18030/GBK (detected). GeoJSON and GeoPackage carry points:
their coordinates become lon/lat, the file's CRS becomes the default CRS of its rows, and
the properties are the other fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely

from geogrid.errors import UnreadableFileError
from geogrid.geo.encoding import file_encoding

CSV_SUFFIXES = (".csv", ".txt")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg")


@dataclass
class ReportChunk:
    """Items of one chunk, the file line or feature number of its first row, a default CRS."""

    items: pd.DataFrame
    first_row: int
    crs: str | None
    where: str  # "line" (CSV, header = line 1) or "feature"


def read_report_file(path: Path, chunk_size: int = 200_000) -> Iterator[ReportChunk]:
    """Yield the file's items in chunks."""
    _check_exists(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        yield from _csv_chunks(path, chunk_size)
    elif suffix in VECTOR_SUFFIXES:
        yield from _vector_chunks(path, chunk_size)
    else:
        raise UnreadableFileError(
            f"{path}: not a report file geogrid reads (CSV, GeoJSON, GeoPackage)"
        )


def count_rows(path: Path) -> int:
    """How many items the file holds (for a progress bar)."""
    _check_exists(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        with path.open("rb") as handle:
            return max(sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
                       - 1, 0)  # fmt: skip
    import pyogrio

    try:
        return int(pyogrio.read_info(path)["features"])
    except pyogrio.errors.DataSourceError as exc:
        raise UnreadableFileError(f"{path}: cannot read: {exc}") from None


def _check_exists(path: Path) -> None:
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")


def _csv_chunks(path: Path, chunk_size: int) -> Iterator[ReportChunk]:
    encoding = file_encoding(path)
    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                             chunksize=chunk_size)  # fmt: skip
        first = 2  # line 1 is the header
        for frame in reader:
            yield ReportChunk(frame, first, None, "line")
            first += len(frame)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableFileError(f"{path}: cannot read as CSV: {exc}") from None


def _vector_chunks(path: Path, chunk_size: int) -> Iterator[ReportChunk]:
    import pyogrio

    try:
        info = pyogrio.read_info(path)
        total = int(info["features"])
        crs = info.get("crs")
        for start in range(0, max(total, 1), chunk_size):
            frame = pyogrio.read_dataframe(path, skip_features=start, max_features=chunk_size)
            yield ReportChunk(_points_to_columns(path, frame, start), start + 1, crs, "feature")
    except pyogrio.errors.DataSourceError as exc:
        raise UnreadableFileError(f"{path}: cannot read: {exc}") from None


def _points_to_columns(path: Path, frame, start: int) -> pd.DataFrame:
    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    wrong = (kinds != 0) & (kinds != -1)  # -1: no geometry, left to the checks as missing
    if wrong.any():
        row = int(wrong.argmax())
        raise UnreadableFileError(
            f"{path}: feature {start + row + 1} is a {geoms[row].geom_type}: reports are points"
        )
    items = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    items["lon"] = shapely.get_x(geoms)
    items["lat"] = shapely.get_y(geoms)
    return items
