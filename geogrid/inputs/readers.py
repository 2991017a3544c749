"""Reading boundary files: GeoPackage, Shapefile, GeoJSON, GeoParquet and CSV (lon/lat).

Every reader returns plain GeoDataFrames in the file's own coordinates; conversion to
WGS-84 and the checks come later. A file that cannot be read raises UnreadableFileError
naming the file, never a library traceback.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geogrid.errors import UnreadableFileError
from geogrid.geo.encoding import GB18030, detect_encoding, file_encoding

VECTOR_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".parquet", ".geoparquet", ".csv"}
LON_COLUMNS = ("lon", "lng", "longitude", "x", "经度")
LAT_COLUMNS = ("lat", "latitude", "y", "纬度")
# dBASE "language driver" bytes that name a Chinese code page (936 = GBK, read as GB18030).
_DBF_CHINESE_LDIDS = {0x4D, 0x7A}


@dataclass
class RawLayer:
    """One layer as read: its name, rows, the CRS the file declares and the encoding used."""

    name: str
    frame: gpd.GeoDataFrame
    declared_crs: str | None
    encoding: str | None = None
    unreadable: dict[int, str] = field(default_factory=dict)


def read_layers(path: Path, encoding: str | None = None) -> list[RawLayer]:
    """Every layer of a boundary file, read with the right text encoding."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES:
        known = ", ".join(sorted(VECTOR_SUFFIXES))
        raise UnreadableFileError(f"{path}: unknown file type {suffix!r} (known: {known})")
    try:
        if suffix == ".csv":
            return [_read_csv(path, encoding)]
        if suffix in (".parquet", ".geoparquet"):
            return [_read_parquet(path)]
        return _read_ogr(path, encoding)
    except UnreadableFileError:
        raise
    except Exception as exc:  # GDAL, pyarrow and pandas raise many kinds: report them alike
        raise UnreadableFileError(f"{path}: cannot be read ({_first_line(exc)})") from None


def _read_ogr(path: Path, encoding: str | None) -> list[RawLayer]:
    if path.suffix.lower() == ".shp" and encoding is None:
        encoding = shapefile_encoding(path)
    layers = []
    for name, _geometry_type in pyogrio.list_layers(path):
        try:
            with warnings.catch_warnings():  # GDAL's "non closed ring": reported per feature
                warnings.simplefilter("ignore", RuntimeWarning)
                frame = pyogrio.read_dataframe(path, layer=name, encoding=encoding)
        except shapely.errors.GEOSException:
            layers.append(_read_ogr_feature_by_feature(path, str(name), encoding))
            continue
        if not isinstance(frame, gpd.GeoDataFrame):
            frame = gpd.GeoDataFrame(frame)
        layers.append(RawLayer(str(name), frame, _crs_text(frame), encoding))
    return layers


def _read_ogr_feature_by_feature(path: Path, name: str, encoding: str | None) -> RawLayer:
    """A layer with a geometry GEOS cannot build (an unclosed ring): keep the others."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        meta, _fids, wkb, _fields = pyogrio.raw.read(path, layer=name, encoding=encoding)
    geometries, unreadable = [], {}
    for i, item in enumerate(wkb):
        try:
            geometries.append(None if item is None else shapely.from_wkb(item))
        except shapely.errors.GEOSException as exc:
            geometries.append(None)
            unreadable[i] = str(exc).split(":", 1)[-1].strip()
    attributes = pyogrio.read_dataframe(path, layer=name, encoding=encoding, read_geometry=False)
    frame = gpd.GeoDataFrame(attributes, geometry=geometries, crs=meta["crs"])
    return RawLayer(name, frame, _crs_text(frame), encoding, unreadable)


def _read_parquet(path: Path) -> RawLayer:
    frame = gpd.read_parquet(path)
    return RawLayer(path.stem, frame, _crs_text(frame))


def _read_csv(path: Path, encoding: str | None) -> RawLayer:
    encoding = encoding or file_encoding(path)
    table = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
    lon, lat = _find_column(table, LON_COLUMNS, path), _find_column(table, LAT_COLUMNS, path)
    x = pd.to_numeric(table[lon].str.strip(), errors="coerce")
    y = pd.to_numeric(table[lat].str.strip(), errors="coerce")
    # Rows whose coordinates are not numbers keep a null geometry; the checks name them.
    geometry = gpd.points_from_xy(x, y)
    geometry[(x.isna() | y.isna()).to_numpy()] = None
    frame = gpd.GeoDataFrame(table.drop(columns=[lon, lat]), geometry=geometry)
    frame.attrs["raw_coordinates"] = table[[lon, lat]]
    return RawLayer(path.stem, frame, None, encoding)


def _find_column(table: pd.DataFrame, names: tuple[str, ...], path: Path) -> str:
    by_lower = {str(column).strip().lower(): column for column in table.columns}
    for name in names:
        if name in by_lower:
            return by_lower[name]
    raise UnreadableFileError(
        f"{path}: a CSV needs coordinate columns; none of {', '.join(names)} found "
        f"(columns: {', '.join(map(str, table.columns))})"
    )


def shapefile_encoding(path: Path) -> str | None:
    """The text encoding of a shapefile: its .cpg when there is one, else detected."""
    for cpg in (path.with_suffix(".cpg"), path.with_suffix(".CPG")):
        if cpg.exists():
            return cpg.read_text(errors="replace").strip() or None
    dbf = next(
        (p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None
    )
    if dbf is None:
        return None
    head = dbf.read_bytes()[:2_000_000]
    if len(head) > 29 and head[29] in _DBF_CHINESE_LDIDS:
        return GB18030
    return detect_encoding(_dbf_text(head))


def _dbf_text(head: bytes) -> bytes:
    """Field names and record bytes of a .dbf, without the binary header around them."""
    if len(head) < 32:
        return b""
    header_length = int.from_bytes(head[8:10], "little")
    names = [
        head[offset : offset + 11].split(b"\0", 1)[0]
        for offset in range(32, min(header_length, len(head)) - 31, 32)
        if head[offset] != 0x0D
    ]
    return b" ".join(names) + b" " + head[header_length:]


def _crs_text(frame: gpd.GeoDataFrame) -> str | None:
    if frame._geometry_column_name not in frame or frame.crs is None:
        return None
    epsg = frame.crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
