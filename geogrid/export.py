"""Exporting grids to files GIS tools open: GeoPackage, GeoJSON, Shapefile (GBK if asked).

Columns carry English names with a Chinese twin for the ones a Chinese office reads
(编码, 名称, 户数, 网格长 ...); Shapefile field names stay within 10 bytes in GBK.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from sqlalchemy import Engine, text

from geogrid.errors import InputError, VersionError
from geogrid.storage.duty import on_duty_sql
from geogrid.vocabulary import china_today

FORMATS = {"gpkg": ("GPKG", ".gpkg"), "geojson": ("GeoJSON", ".geojson"),
           "shp": ("ESRI Shapefile", ".shp")}  # fmt: skip
KIND_ZH = {"community": "社区", "rural_village": "自然村网格", "urban_block": "街巷网格", "unit": "三级网格"}  # fmt: skip  # noqa: E501
CHINESE_TWINS = {"code": "编码", "name": "名称", "households": "户数", "leader": "网格长",
                 "officer": "信息员", "police": "民警", "station": "派出所"}  # fmt: skip

PHONE_COLUMNS = ("leader_tel", "officer_tl")

_SQL = """
select g.code, g.name, g.level, coalesce(p.code, '') as parent, g.kind, g.households,
       round(g.area_m2::numeric, 1)::float as area_m2,
       coalesce(string_agg(distinct pl.name, '、') filter (where a.role = 'grid_leader'), '') as leader,
       coalesce(string_agg(distinct pl.phone, '、') filter (where a.role = 'grid_leader'), '') as leader_tel,
       coalesce(string_agg(distinct pl.name, '、') filter (where a.role = 'information_officer'), '') as officer,
       coalesce(string_agg(distinct pl.phone, '、') filter (where a.role = 'information_officer'), '') as officer_tl,
       coalesce(string_agg(distinct pl.name, '、') filter (where a.role = 'community_police'), '') as police,
       coalesce(max(s.name), '') as station, g.geom
from grids g
left join grids p on p.id = g.parent_id
left join grid_assignments a on a.grid_code = g.code and {on_duty}
left join people pl on pl.id = a.person_id
left join station_communities sc on sc.community_code = left(g.code, 12)
left join stations s on s.id = sc.station_id
where g.version_id = :v and g.level = :level
group by g.id, p.code order by g.code
""".replace("{on_duty}", on_duty_sql("a"))  # noqa: E501


def export_grids(
    engine: Engine, *, level: int, version: int, fmt: str, path: Path, encoding: str | None = None,
    phones: bool = True,
) -> int:  # fmt: skip
    """Write one level of a version to a file; returns the number of grids written.

    `phones=False` leaves out the people's phone numbers (a file meant to be passed on)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if level not in (1, 2, 3):
        raise InputError(f"--level {level} is not 1, 2 or 3")
    with engine.connect() as conn:
        frame = gpd.read_postgis(
            text(_SQL), conn, geom_col="geom",
            params={"v": version, "level": level, "day": china_today()},
        )  # fmt: skip
    if frame.empty:
        raise VersionError(f"grid version {version} has no level-{level} grids")
    if not phones:
        frame = frame.drop(columns=list(PHONE_COLUMNS))
    frame["kind_zh"] = frame["kind"].map(KIND_ZH)
    for english, chinese in CHINESE_TWINS.items():
        frame[chinese] = frame[english]
    driver, suffix = FORMATS[fmt]
    path = path if path.suffix else path.with_suffix(suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"encoding": encoding} if encoding else {}
    frame.rename_geometry("geometry").to_file(path, driver=driver, engine="pyogrio", **options)
    return len(frame)
