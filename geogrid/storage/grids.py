"""Grid versions in the store of record: write grids as a draft, activate, compare.

Like MapIt's generations, versions are never overwritten: a redraw makes a new version and
the old ones stay with their codes, so reports keep the version they were assigned under.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Engine, func, select, text, update

from geogrid.errors import VersionError
from geogrid.storage.models import SRID, Grid, GridVersion
from geogrid.storage.versions import existing_version

INPUTS_KEY = "inputs_md5"  # in a version's validation report: the inputs it was built from
# What validation reads from the inputs: the outline, the household points with their
# counts, the street lines. Geometries compare as WKB; rows in the order they were loaded.
_FINGERPRINT_SQL = text(
    "select md5(concat_ws('|',"
    " (select string_agg(md5(st_asbinary(geom)), ',' order by md5(st_asbinary(geom)))"
    "  from source_county),"
    " (select string_agg(md5(st_asbinary(geom)) || ':' || coalesce(households, 1), ','"
    "  order by id) from source_households),"
    " (select string_agg(md5(st_asbinary(geom)), ',' order by id) from source_streets)))"
)
GRID_COLUMNS = ("version_id", "level", "code", "name", "kind", "area_m2", "households", "geom")


def insert_version(
    engine: Engine, grids, areas, *, validation: dict, source: str, note: str = ""
) -> int:
    """Store grids (valid WGS-84 polygons, areas in m2) as a new draft version; its number.

    `grids` is a frame with level, code, name, kind, households and geometry; all or nothing.
    """
    with engine.begin() as conn:
        validation = {**validation, INPUTS_KEY: validation.get(INPUTS_KEY) or _fingerprint(conn)}
        version_id = conn.execute(
            GridVersion.__table__.insert()
            .values(status="draft", source=source, note=note, validation=validation)
            .returning(GridVersion.id)
        ).scalar_one()
        _copy_grids(conn, version_id, grids, areas)
        _link_parents(conn, version_id)
    return version_id


def inputs_fingerprint(engine: Engine) -> str:
    """An MD5 of the loaded inputs validation reads (outline, households, streets)."""
    with engine.connect() as conn:
        return _fingerprint(conn)


def _fingerprint(conn: Connection) -> str:
    return conn.execute(_FINGERPRINT_SQL).scalar_one()


def _copy_grids(conn: Connection, version_id: int, grids, areas) -> None:
    multi = [
        g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in grids.geometry
    ]
    ewkb = shapely.to_wkb(shapely.set_srid(shapely.from_wkb(shapely.to_wkb(multi)), SRID),
                          hex=True, include_srid=True)  # fmt: skip
    driver = conn.connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY grids ({', '.join(GRID_COLUMNS)}) FROM STDIN") as copy,
    ):
        for row, area, geom in zip(grids.itertuples(), areas, ewkb, strict=True):
            copy.write_row((version_id, row.level, row.code, row.name, row.kind, float(area),
                            int(row.households), geom))  # fmt: skip


def _link_parents(conn: Connection, version_id: int) -> None:
    """Codes nest (a child's code is its parent's plus three digits), so link by code."""
    conn.execute(
        text(
            "update grids c set parent_id = p.id from grids p "
            "where c.version_id = :v and p.version_id = :v and p.level = c.level - 1 "
            "and p.code = left(c.code, length(c.code) - 3)"
        ),
        {"v": version_id},
    )


def activate(engine: Engine, version_id: int) -> None:
    """Make a version the one used for assignment; the previously active one is retired."""
    with engine.begin() as conn:
        existing_version(conn, version_id)
        validation = conn.execute(
            select(GridVersion.validation).where(GridVersion.id == version_id)
        ).scalar_one()
        if validation and not validation.get("passed", False):
            raise VersionError(f"grid version {version_id} failed validation: not activated")
        conn.execute(
            update(GridVersion).where(GridVersion.status == "active").values(status="retired")
        )
        conn.execute(
            update(GridVersion)
            .where(GridVersion.id == version_id)
            .values(status="active", activated_at=func.now())
        )


def grid_shapes(engine: Engine, version_id: int) -> list[tuple[str, shapely.Geometry]]:
    """(code, geometry) of every grid of a version, WGS-84 as stored (MultiPolygon)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Grid.code, Grid.geom).where(Grid.version_id == version_id))
        return [(code, to_shape(geom)) for code, geom in rows]


@dataclass(frozen=True)
class VersionDiff:
    """Grids added, removed and changed (same code, other geometry) between two versions."""

    added: list[str]
    removed: list[str]
    changed: list[str]


def diff_versions(engine: Engine, old: int, new: int) -> VersionDiff:
    """Compare two versions grid by grid, by code."""
    sql = text(
        "select coalesce(a.code, b.code) as code, a.id is null as added, b.id is null as removed,"
        " (a.id is not null and b.id is not null and not st_equals(a.geom, b.geom)) as changed "
        "from (select * from grids where version_id = :old) a "
        "full join (select * from grids where version_id = :new) b on a.code = b.code "
        "order by 1"
    )
    with engine.connect() as conn:
        existing_version(conn, old, field="old")
        existing_version(conn, new, field="new")
        rows = conn.execute(sql, {"old": old, "new": new}).all()
    return VersionDiff(
        added=[r.code for r in rows if r.added],
        removed=[r.code for r in rows if r.removed],
        changed=[r.code for r in rows if r.changed],
    )


def read_version_frames(engine: Engine, version_id: int) -> dict:
    """A stored version's grids with their parent codes, and the stored households and
    streets, as WGS-84 GeoDataFrames: what re-validating a version needs. `as_built` says
    whether the loaded inputs are still those it was built from (same fingerprint)."""
    import geopandas as gpd

    with engine.connect() as conn:
        existing_version(conn, version_id)
        grids = gpd.read_postgis(
            text("select g.level, g.code, g.name, g.kind, g.households, g.geom,"
                 " coalesce(p.code, left(g.code, 9)) as parent_code from grids g"
                 " left join grids p on p.id = g.parent_id"
                 " where g.version_id = :v order by g.level, g.code"),
            conn, geom_col="geom", params={"v": version_id},
        ).rename_geometry("geometry")  # fmt: skip
        validation = conn.execute(
            select(GridVersion.validation).where(GridVersion.id == version_id)
        ).scalar_one_or_none()
        as_built = bool(validation) and validation.get(INPUTS_KEY) == _fingerprint(conn)
        households = gpd.read_postgis(
            text("select households, geom from source_households order by id"), conn, "geom"
        )
        streets = gpd.read_postgis(
            text("select geom from source_streets order by id"), conn, "geom"
        )
    if grids.empty:
        raise VersionError(f"grid version {version_id} holds no grids")
    return {"grids": grids, "households": households, "streets": streets, "as_built": as_built}


def version_rows(engine: Engine) -> list[dict]:
    """Every version with its status, dates, note and grid counts per level.

    A version's grids are written with it in one transaction and never change, so their
    counts are kept per process once read, under the version's id and creation time (a
    database made again reuses ids): counting every version's grids at each view of the
    grids page grew with every version (8,848 grids each in the source case)."""

    def key(row: dict) -> tuple:
        return engine.url, row["id"], row["created_at"]

    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(_VERSIONS)]
        missing = [r for r in rows if key(r) not in _COUNTED]
        if missing:
            ids = [r["id"] for r in missing]
            counted = {v: (l1, l2, l3) for v, l1, l2, l3 in conn.execute(_COUNTS, {"ids": ids})}
            for row in missing:
                _COUNTED[key(row)] = counted.get(row["id"], (0, 0, 0))
    for row in rows:
        row["l1"], row["l2"], row["l3"] = _COUNTED[key(row)]
    return rows


_COUNTED: dict[tuple, tuple[int, int, int]] = {}  # (database, version, created): per level
_VERSIONS = text(
    "select v.id, v.status, v.created_at, v.activated_at, v.note, "
    "coalesce((v.validation->>'passed')::boolean, false) as passed "
    "from grid_versions v order by v.id"
)
_COUNTS = text(
    "select version_id, count(*) filter (where level = 1), count(*) filter (where level = 2), "
    "count(*) filter (where level = 3) from grids where version_id = any(:ids) "
    "group by version_id"
)
