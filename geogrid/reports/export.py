"""Reports out to files: GeoPackage, CSV, GeoJSON and XLSX, written chunk by chunk.

Rows come from `queries.iter_reports` (a server-side cursor) and are written as they
arrive, at most CHUNK_ROWS of them in memory, so a million reports fit a small server.
Each file is written next to its final name and moved there when complete: a failed export
never leaves a half file that looks whole, nor removes an older one.

The CSV is UTF-8 with a byte order mark: Excel on Chinese Windows reads a CSV without one in
the ANSI code page (GBK), which turns every Chinese name into mojibake; with the BOM it
reads UTF-8, and GDAL, pandas and Python's "utf-8-sig" skip it.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

import numpy as np

from geogrid.errors import InputError, UnknownCRSError
from geogrid.geo.crs import WGS84_EPSG, CrsSpec, from_wgs84, parse_crs
from geogrid.vocabulary import CHINA_TZ

FORMATS = {"gpkg": ".gpkg", "csv": ".csv", "geojson": ".geojson", "xlsx": ".xlsx"}
CHUNK_ROWS = 5000
LAYER = "reports"
XLSX_MAX_ROWS = 1_048_575  # an Excel sheet holds 1,048,576 rows, the header one of them
OUTPUT_CRS = ("EPSG:4326 (WGS-84, the default), EPSG:4490 (CGCS2000) or a CGCS2000 "
              "Gauss-Krüger zone such as EPSG:4549")  # fmt: skip

# (column, type, Chinese label): str, datetime, float, int or bool. Phones are not exported
# (the API's export has none either); reporter and text are blank where the scope hides them.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "str", "编号"), ("category", "str", "类别代码"), ("category_name", "str", "类别"),
    ("sensitive", "bool", "敏感类"), ("status", "str", "状态"),
    ("reported_at", "datetime", "上报时间"), ("received_at", "datetime", "接收时间"),
    ("lon", "float", "经度"), ("lat", "float", "纬度"), ("received_x", "float", "原始X"),
    ("received_y", "float", "原始Y"), ("received_crs", "str", "原始坐标系"),
    ("method", "str", "定位方式"), ("distance_m", "float", "距离(米)"),
    ("version_id", "int", "网格版本"), ("route", "str", "流向"),
    ("station_code", "str", "派出所代码"), ("station_name", "str", "派出所"),
    ("department_code", "str", "责任单位代码"), ("department_name", "str", "责任单位"),
    ("community_code", "str", "社区编码"), ("community_name", "str", "社区"),
    ("grid_code", "str", "网格编码"), ("grid_name", "str", "网格"),
    ("unit_code", "str", "三级网格编码"), ("unit_name", "str", "三级网格"),
    ("leader_name", "str", "网格长"), ("officer_name", "str", "信息员"),
    ("reporter", "str", "上报人"), ("text", "str", "内容"), ("redacted", "bool", "已隐去"),
    ("duplicate_of", "str", "重复于"),
)  # fmt: skip


@dataclass(frozen=True)
class OutputCrs:
    """The CRS the points are written in: its EPSG code and the parsed system."""

    epsg: int
    spec: CrsSpec

    @property
    def is_wgs84(self) -> bool:
        """Whether the points stay WGS-84 lon/lat (no x/y columns needed)."""
        return self.epsg == WGS84_EPSG


def output_crs(text: str) -> OutputCrs:
    """The CRS for --crs: an EPSG system without the Chinese offsets, else InputError."""
    try:
        spec = parse_crs(text)
    except UnknownCRSError:
        raise InputError(f"--crs {text!r} is not a coordinate system: use {OUTPUT_CRS}",
                         field="crs") from None  # fmt: skip
    epsg = spec.pyproj_crs.to_epsg()
    if spec.offset is not None or epsg is None:
        # A GCJ-02 file would claim EPSG:4326 while its points sit 100-700 m off.
        raise InputError(f"--crs {text!r} has no EPSG code to write: use {OUTPUT_CRS}",
                         field="crs")  # fmt: skip
    return OutputCrs(epsg, spec)


def output_path(path: Path, fmt: str) -> Path:
    """The file to write: the path, with the format's suffix when it has none."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}", field="format")
    return path if path.suffix else path.with_suffix(FORMATS[fmt])


def write_reports(rows: Iterable[dict], path: Path, fmt: str, crs: OutputCrs) -> int:
    """Write streamed report rows to path in a format; returns how many were written."""
    writer = {"gpkg": _write_gpkg, "csv": _write_csv, "geojson": _write_geojson,
              "xlsx": _write_xlsx}[fmt]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.part{path.suffix}")  # GDAL goes by the suffix
    partial.unlink(missing_ok=True)
    try:
        count = writer(_chunks(rows), partial, crs)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return count


def _chunks(rows: Iterable[dict]) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        yield chunk


def _xy(chunk: list[dict], crs: OutputCrs) -> tuple[np.ndarray, np.ndarray]:
    """The chunk's points in the output CRS."""
    lon = np.array([r["lon"] for r in chunk], dtype=np.float64)
    lat = np.array([r["lat"] for r in chunk], dtype=np.float64)
    return (lon, lat) if crs.is_wgs84 else from_wgs84(lon, lat, crs.spec)


def _arrow_schema():
    """One Arrow type per column whatever a chunk holds, so the GeoPackage fields are
    typed (a column of None alone would otherwise be a string). Times are UTC, the only
    zone the GeoPackage standard allows for DateTime."""
    import pyarrow as pa

    types = {"str": pa.string(), "datetime": pa.timestamp("ms", tz="UTC"),
             "float": pa.float64(), "int": pa.int32(), "bool": pa.bool_()}  # fmt: skip
    fields = [pa.field(name, types[kind]) for name, kind, _ in FIELDS]
    return pa.schema([*fields, pa.field("geometry", pa.binary())])


def _arrow_batch(chunk: list[dict], crs: OutputCrs, schema):
    """A chunk as an Arrow record batch, the points as WKB."""
    import pyarrow as pa
    import shapely

    columns = {}
    for name, kind, _ in FIELDS:
        values = [r[name] for r in chunk]
        columns[name] = [None if v is None else str(v) for v in values] if kind == "str" else values
    columns["geometry"] = shapely.to_wkb(shapely.points(*_xy(chunk, crs)))
    return pa.RecordBatch.from_pydict(columns, schema=schema)


def _write_gpkg(chunks: Iterator[list[dict]], path: Path, crs: OutputCrs) -> int:
    """One GDAL write fed a stream of Arrow batches: the file is opened once, whatever
    the number of reports."""
    import pyarrow as pa
    import pyogrio

    schema, count = _arrow_schema(), 0

    def batches():
        nonlocal count
        for chunk in chunks:
            yield _arrow_batch(chunk, crs, schema)
            count += len(chunk)

    stream = pa.RecordBatchReader.from_batches(schema, batches())
    pyogrio.write_arrow(stream, path, layer=LAYER, driver="GPKG", geometry_name="geometry",
                        geometry_type="Point", crs=crs.spec.pyproj_crs.to_wkt())  # fmt: skip
    return count


def _header(crs: OutputCrs) -> list[str]:
    extra = [] if crs.is_wgs84 else [f"x_epsg{crs.epsg}", f"y_epsg{crs.epsg}"]
    return [name for name, _, _ in FIELDS] + extra


def _plain_rows(chunk: list[dict], crs: OutputCrs) -> Iterator[list]:
    """Each row's values in FIELDS order, then x and y when the CRS is not WGS-84."""
    x, y = (None, None) if crs.is_wgs84 else _xy(chunk, crs)
    for n, row in enumerate(chunk):
        values = [row[name] for name, _, _ in FIELDS]
        yield values if x is None else [*values, float(x[n]), float(y[n])]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).isoformat()
    return str(value)


def _write_csv(chunks: Iterator[list[dict]], path: Path, crs: OutputCrs) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(_header(crs))
        for chunk in chunks:
            writer.writerows([_text(v) for v in values] for values in _plain_rows(chunk, crs))
            count += len(chunk)
    return count


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _text(value)


def _write_geojson(chunks: Iterator[list[dict]], path: Path, crs: OutputCrs) -> int:
    """A FeatureCollection; outside WGS-84 it names its CRS in the (pre-RFC 7946) crs member
    that GDAL and QGIS read, since RFC 7946 itself allows WGS-84 only."""
    names = [name for name, _, _ in FIELDS]
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection",')
        if not crs.is_wgs84:
            urn = f"urn:ogc:def:crs:EPSG::{crs.epsg}"
            out.write(f'"crs":{{"type":"name","properties":{{"name":"{urn}"}}}},')
        out.write('"features":[\n')
        for chunk in chunks:
            x, y = _xy(chunk, crs)
            for n, row in enumerate(chunk):
                feature = {"type": "Feature", "id": str(row["id"]),
                           "geometry": {"type": "Point", "coordinates": [x[n], y[n]]},
                           "properties": {k: _json_value(row[k]) for k in names}}  # fmt: skip
                out.write(("" if count == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
                count += 1
        out.write("\n]}\n")
    return count


def _cell(value):
    """Excel has no time zones: times are written as China time without an offset."""
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).replace(tzinfo=None)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _write_xlsx(chunks: Iterator[list[dict]], path: Path, crs: OutputCrs) -> int:
    """A write-only workbook (openpyxl streams its rows to disk); a new sheet per
    XLSX_MAX_ROWS reports, with Chinese and English headers on each."""
    from openpyxl import Workbook

    labels = [f"{zh} {name}" for name, _, zh in FIELDS] + _header(crs)[len(FIELDS) :]
    book = Workbook(write_only=True)
    sheet, on_sheet, count = None, XLSX_MAX_ROWS, 0
    for chunk in chunks:
        for values in _plain_rows(chunk, crs):
            if on_sheet == XLSX_MAX_ROWS:
                sheet = book.create_sheet(LAYER if sheet is None else f"{LAYER}_{count + 1}")
                sheet.append(labels)
                on_sheet = 0
            sheet.append([_cell(v) for v in values])
            on_sheet, count = on_sheet + 1, count + 1
    if sheet is None:
        book.create_sheet(LAYER).append(labels)
    book.save(path)
    return count
