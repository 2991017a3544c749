"""Storing checked boundary inputs: a committed load replaces the roles it carries.

Loading the same file twice leaves one copy: communities, villages, streets, households and
the outline are replaced as a whole; stations and people are updated by their codes, since
other tables point at them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Engine, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert

from geogrid.inputs.load import LayerResult, LoadOptions, LoadReport, prepare_boundaries
from geogrid.storage.models import (
    SRID,
    Person,
    Station,
    StationCommunity,
)
from geogrid.storage.source_tables import SourceCounty, SourceLoad

# role -> (table, columns after the geometry-free ones, geometry kind)
BULK_TABLES = {
    "county": ("source_county", ("code", "name"), "multipolygon"),
    "communities": (
        "source_communities",
        ("code", "name", "kind", "town", "station_code"),
        "multipolygon",
    ),
    "villages": ("source_villages", ("code", "name", "community_code"), "multipolygon"),
    "streets": ("source_streets", ("name", "kind"), "multilinestring"),
    "households": ("source_households", ("households", "residents", "address"), "point"),
}


def load_boundaries(
    engine: Engine,
    paths: list[Path],
    options: LoadOptions,
    *,
    commit: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Check the files against the stored outline; with commit, store what was accepted."""
    report = prepare_boundaries(paths, options, outline=stored_outline(engine), progress=progress)
    if commit and report.layers:
        digests = {str(p): _sha256(Path(p)) for p in paths}
        with engine.begin() as conn:
            for result in report.layers:
                result.file_sha256 = digests.get(result.file, "")
                if progress:
                    progress(f"storing {result.role} ({len(result.accepted)})")
                store_layer(conn, result)
        report.committed = True
    return report


def stored_outline(engine: Engine) -> shapely.Geometry | None:
    """The stored county outline (WGS-84), None before one is loaded."""
    with engine.connect() as conn:
        row = conn.execute(select(func.ST_Union(SourceCounty.geom))).scalar()
    return None if row is None else to_shape(row)


def store_layer(conn: Connection, result: LayerResult) -> None:
    """Write one accepted layer and its provenance row."""
    if result.role in BULK_TABLES:
        _replace_bulk(conn, result)
    elif result.role == "stations":
        _upsert_stations(conn, result)
    elif result.role == "people":
        _upsert_people(conn, result)
    conn.execute(
        insert(SourceLoad).values(
            file=result.file,
            layer=result.layer,
            role=result.role,
            crs=result.crs,
            features=len(result.accepted),
            rejected=result.rejected,
            file_sha256=result.file_sha256,
        )
    )


def _replace_bulk(conn: Connection, result: LayerResult) -> None:
    table, columns, kind = BULK_TABLES[result.role]
    frame = result.accepted
    geometries = _ewkb_hex(frame.geometry.to_numpy(), kind)
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # table names are constants, never user input
        with cursor.copy(f"COPY {table} ({', '.join(columns)}, geom) FROM STDIN") as copy:
            for row in zip(*values, geometries, strict=True):
                copy.write_row(row)
    if result.role == "communities":
        _link_stations(conn, frame)


def _ewkb_hex(geometries: np.ndarray, kind: str) -> list[str]:
    if kind == "multipolygon":
        geometries = np.array([_multi(g, shapely.MultiPolygon) for g in geometries], dtype=object)
    elif kind == "multilinestring":
        geometries = np.array(
            [_multi(g, shapely.MultiLineString) for g in geometries], dtype=object
        )
    with_srid = shapely.set_srid(geometries, SRID)
    return list(shapely.to_wkb(with_srid, hex=True, include_srid=True))


def _multi(geom, multi_type):
    return geom if geom.geom_type.startswith("Multi") else multi_type([geom])


def _link_stations(conn: Connection, communities) -> None:
    """A station's jurisdiction: the communities that name it and whose station is known."""
    stations = dict(conn.execute(select(Station.code, Station.id)).all())
    conn.execute(delete(StationCommunity))
    rows = [
        {"community_code": code, "station_id": stations[station]}
        for code, station in zip(communities["code"], communities["station_code"], strict=True)
        if station in stations
    ]
    if rows:
        conn.execute(insert(StationCommunity), rows)


def _upsert_stations(conn: Connection, result: LayerResult) -> None:
    frame = result.accepted
    for row, geom in zip(frame.itertuples(), frame.geometry, strict=True):
        location = f"SRID={SRID};{geom.wkt}"
        statement = insert(Station).values(
            code=row.code, name=row.name, phone=row.phone or "", location=location
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[Station.code],
                set_={"name": row.name, "phone": row.phone or "", "location": location},
            )
        )


def _upsert_people(conn: Connection, result: LayerResult) -> None:
    stations = dict(conn.execute(select(Station.code, Station.id)).all())
    rows = [
        {
            "person_no": r.person_no,
            "name": r.name,
            "phone": r.phone or "",
            "gender": r.gender or "",
            "age": None if r.age is None or r.age != r.age else int(r.age),
            "roles": [r.role],
            "vetting_status": r.vetting or "pending",
            "community_code": r.community_code,
            "station_id": stations.get(r.station_code),
        }
        for r in result.accepted.itertuples()
    ]
    for start in range(0, len(rows), 2000):  # stay under the server's 65,535 parameters
        statement = insert(Person).values(rows[start : start + 2000])
        updated = {c: statement.excluded[c] for c in rows[0] if c != "person_no"}
        conn.execute(
            statement.on_conflict_do_update(index_elements=[Person.person_no], set_=updated)
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sources(engine: Engine):
    """The stored inputs as a SourceData for the grid builder (WGS-84)."""
    import geopandas as gpd

    from geogrid.building.build import SourceData
    from geogrid.errors import InputError

    def frame(sql: str) -> gpd.GeoDataFrame:
        with engine.connect() as conn:
            return gpd.read_postgis(text(sql), conn, geom_col="geom").rename_geometry("geometry")

    county = frame("select code, name, geom from source_county")
    if county.empty:
        raise InputError("no county outline loaded: geogrid load FILE --commit (role county)")
    communities = frame("select code, name, kind, town, station_code, geom from source_communities")
    if communities.empty:
        raise InputError("no communities loaded: geogrid load FILE --commit (role communities)")
    return SourceData(
        county=county.geometry.union_all(),
        communities=communities,
        villages=frame("select code, name, community_code, geom from source_villages"),
        streets=frame("select name, kind, geom from source_streets order by id"),
        households=frame(
            "select households, residents, address, geom from source_households order by id"
        ),
    )
