"""Storing checked boundary inputs: a stored layer replaces the rows of its role.

Loading the same file twice leaves one copy: communities, villages, streets, households and
the outline are replaced as a whole; stations and people are updated by their codes, since
other tables point at them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Engine, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert

from geogrid.storage.models import (
    SRID,
    Person,
    Station,
    StationCommunity,
)
from geogrid.storage.selection import file_vetted_people
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


def stored_outline(engine: Engine) -> shapely.Geometry | None:
    """The stored county outline (WGS-84), None before one is loaded."""
    with engine.connect() as conn:
        row = conn.execute(select(func.ST_Union(SourceCounty.geom))).scalar()
    return None if row is None else to_shape(row)


def store_layer(conn: Connection, role: str, frame, *, provenance: dict[str, str | int]) -> None:
    """Write one layer's accepted rows (WGS-84 frame) and its provenance row.

    `provenance` holds file, layer, crs, rejected and file_sha256 of the load.
    """
    if role in BULK_TABLES:
        _replace_bulk(conn, role, frame)
    elif role == "stations":
        _upsert_stations(conn, frame)
    elif role == "people":
        _upsert_people(conn, frame)
        file_vetted_people(conn)  # 政审通过 in the file: filed, so they may hold a grid
    values = {"file_sha256": ""} | provenance  # a frame made in code has no file digest
    conn.execute(insert(SourceLoad).values(role=role, features=len(frame), **values))


def _replace_bulk(conn: Connection, role: str, frame) -> None:
    table, columns, kind = BULK_TABLES[role]
    geometries = _ewkb_hex(frame.geometry.to_numpy(), kind)
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # table names are constants, never user input
        with cursor.copy(f"COPY {table} ({', '.join(columns)}, geom) FROM STDIN") as copy:
            for row in zip(*values, geometries, strict=True):
                copy.write_row(row)
    if role == "communities":
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


def _upsert_stations(conn: Connection, frame) -> None:
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


def _upsert_people(conn: Connection, frame) -> None:
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
        for r in frame.itertuples()
    ]
    for start in range(0, len(rows), 2000):  # stay under the server's 65,535 parameters
        statement = insert(Person).values(rows[start : start + 2000])
        updated = {c: statement.excluded[c] for c in rows[0] if c != "person_no"}
        conn.execute(
            statement.on_conflict_do_update(index_elements=[Person.person_no], set_=updated)
        )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks (a load's provenance)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_source_frames(engine: Engine) -> dict:
    """The stored inputs (WGS-84), one GeoDataFrame per role: what the grid builder reads."""
    import geopandas as gpd

    def frame(sql: str) -> gpd.GeoDataFrame:
        with engine.connect() as conn:
            return gpd.read_postgis(text(sql), conn, geom_col="geom").rename_geometry("geometry")

    return {
        "county": frame("select code, name, geom from source_county"),
        "communities": frame(
            "select code, name, kind, town, station_code, geom from source_communities"
        ),
        "villages": frame("select code, name, community_code, geom from source_villages"),
        "streets": frame("select name, kind, geom from source_streets order by id"),
        "households": frame(
            "select households, residents, address, geom from source_households order by id"
        ),
    }
