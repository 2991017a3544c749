"""Grid versions in the store of record: write a build as a draft, activate, compare.

Like MapIt's generations, versions are never overwritten: a redraw makes a new version and
the old ones stay with their codes, so reports keep the version they were assigned under.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Engine, func, select, text, update

from geogrid.building.build import BuiltGrids
from geogrid.building.codes import geometry_key
from geogrid.errors import VersionError
from geogrid.geo.crs import projected_crs_for
from geogrid.geo.polygons import valid_polygons
from geogrid.storage.models import SRID, Grid, GridVersion

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


def save_version(
    engine: Engine,
    built: BuiltGrids,
    *,
    validation: dict,
    source: str,
    note: str = "",
    inputs_md5: str | None = None,
) -> int:
    """Store a build as a new draft version, all or nothing; returns its number.

    `inputs_md5` is the fingerprint of the inputs it was built from, taken before they were
    read (default: as they are now); it is kept with the validation report.
    """
    wgs84 = built.grids.to_crs(f"EPSG:{SRID}")
    # Reprojection can turn a zero-width spike into a self-touch: repair those few.
    wgs84["geometry"] = valid_polygons(wgs84.geometry.to_numpy())
    with engine.begin() as conn:
        validation = {**validation, INPUTS_KEY: inputs_md5 or _fingerprint(conn)}
        version_id = conn.execute(
            GridVersion.__table__.insert()
            .values(status="draft", source=source, note=note, validation=validation)
            .returning(GridVersion.id)
        ).scalar_one()
        _copy_grids(conn, version_id, wgs84, built.grids.geometry.area.to_numpy())
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
        status = conn.execute(
            select(GridVersion.status).where(GridVersion.id == version_id)
        ).scalar_one_or_none()
        if status is None:
            raise VersionError(f"grid version {version_id} does not exist")
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


def active_version(engine: Engine) -> int | None:
    """The number of the active version, None before one is activated."""
    with engine.connect() as conn:
        return conn.execute(
            select(GridVersion.id).where(GridVersion.status == "active")
        ).scalar_one_or_none()


def latest_version(engine: Engine) -> int | None:
    """The newest version, whatever its status."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(GridVersion.id))).scalar()


def previous_codes(engine: Engine) -> dict[str, str]:
    """geometry key -> code for every grid of the newest version (keeps codes stable)."""
    version = latest_version(engine)
    if version is None:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(Grid.code, Grid.geom).where(Grid.version_id == version))
        return {geometry_key(_single(to_shape(geom))): code for code, geom in rows}


def _single(geom):
    """Stored as MultiPolygon; the builder's single polygons fingerprint as themselves."""
    return geom.geoms[0] if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1 else geom


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
        known = set(
            conn.execute(select(GridVersion.id).where(GridVersion.id.in_([old, new]))).scalars()
        )
        missing = sorted({old, new} - known)
        if missing:
            raise VersionError(f"grid version {missing[0]} does not exist")
        rows = conn.execute(sql, {"old": old, "new": new}).all()
    return VersionDiff(
        added=[r.code for r in rows if r.added],
        removed=[r.code for r in rows if r.removed],
        changed=[r.code for r in rows if r.changed],
    )


def load_built(engine: Engine, version_id: int) -> BuiltGrids:
    """A stored version as a BuiltGrids (projected), checkable against its own inputs.

    While the loaded inputs are the ones it was built from (same fingerprint), they come
    with it: the stored outline, households and streets. Once other inputs are loaded (or
    for a version stored without a fingerprint) the version stands on its own: its level 1
    is the outline and `inputs_as_built` is False, so households are not recounted.
    """
    import geopandas as gpd

    with engine.connect() as conn:
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
    if grids.empty:
        raise VersionError(f"grid version {version_id} does not exist or holds no grids")
    # The zone of the version's own centre: the loaded outline may be another county's.
    x0, y0, x1, y1 = grids.total_bounds
    epsg = projected_crs_for((x0 + x1) / 2, (y0 + y1) / 2)
    grids = grids.to_crs(epsg)
    grids["geometry"] = valid_polygons(grids.geometry.to_numpy())
    if not as_built:
        outline = shapely.union_all(grids[grids["level"] == 1].geometry.to_numpy())
        empty = np.zeros((0, 2)), np.zeros(0, dtype=int), np.array([], dtype=object)
        return BuiltGrids(grids, *empty, outline, inputs_as_built=False)
    return BuiltGrids(grids, *_stored_inputs(engine, epsg))


def _stored_inputs(engine: Engine, epsg: int) -> tuple:
    """Household points and weights, street lines and the outline, projected to epsg."""
    import geopandas as gpd

    from geogrid.building.build import densified
    from geogrid.storage.sources import stored_outline

    with engine.connect() as conn:
        households = gpd.read_postgis(
            text("select households, geom from source_households order by id"), conn, "geom"
        )
        streets = gpd.read_postgis(
            text("select geom from source_streets order by id"), conn, "geom"
        )
    county = stored_outline(engine)
    located = gpd.GeoSeries(households.geometry.to_numpy(), crs=SRID).to_crs(epsg)
    points = shapely.get_coordinates(located.to_numpy()).reshape(-1, 2)
    county_projected = gpd.GeoSeries([densified(county)], crs=SRID).to_crs(epsg).iloc[0]
    weights = households["households"].fillna(1).astype(int).to_numpy()  # as the build counts
    # An empty table comes back without a CRS: state it, so it projects all the same.
    lines = gpd.GeoSeries(streets.geometry.to_numpy(), crs=SRID).to_crs(epsg).to_numpy()
    return points, weights, lines, county_projected


def version_rows(engine: Engine) -> list[dict]:
    """Every version with its status, dates, note and grid counts per level."""
    sql = text(
        "select v.id, v.status, v.created_at, v.activated_at, v.note, "
        "count(*) filter (where g.level = 1) as l1, count(*) filter (where g.level = 2) as l2, "
        "count(*) filter (where g.level = 3) as l3, "
        "coalesce((v.validation->>'passed')::boolean, false) as passed "
        "from grid_versions v left join grids g on g.version_id = v.id group by v.id order by v.id"
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sql)]
