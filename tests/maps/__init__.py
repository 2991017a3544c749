"""Shared fixture of the map tests: the tiny county with report categories and reports.

Each test module opens `county_with_reports` once in a module fixture; the transaction is
rolled back when the module is done, so the session's county database stays as
tests/county.py made it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

# (code, 中文名, heat group): the heat groups of the source case, and two without heat.
CATEGORIES = (
    ("dangerous_goods", "危险物品", "hazard"), ("work_safety", "安全生产", "hazard"),
    ("fire_hazard", "消防隐患", "hazard"), ("environment", "环境保护", "hazard"),
    ("public_security", "治安", "incident"), ("dispute", "矛盾纠纷", "incident"),
    ("traffic", "交通", "incident"), ("rental_housing", "出租房屋", None),
    ("population", "实有人口", None),
)  # fmt: skip
POINTS_PER_UNIT = 5
NEWEST_TEXT = "<script>alert('x')</script> 邻里纠纷"

_CATEGORY_SQL = """
insert into report_categories (code, name_zh, name_en, kind, is_security, heat_group)
values (:code, :name, :name_en, 'dynamic', :security, :grp) on conflict (code) do nothing
"""
# Deterministic: seeded points in every unit, days and categories from the row number.
_REPORTS_SQL = """
with units as (
    select g.parent_id, g.geom
    from grids g join grid_versions v on v.id = g.version_id and v.status = 'active'
    where g.level = 3
), points as (
    select u.parent_id, (st_dump(st_generatepoints(u.geom, :per_unit, 11))).geom as geom
    from units u
), numbered as (
    select row_number() over (order by st_x(geom), st_y(geom))::int as n, parent_id, geom
    from points
)
insert into reports (id, category_id, geom, reported_at, received_crs, assignment_method,
                     status, route, level2_id, reporter, text)
select gen_random_uuid(), (:categories)[1 + n % cardinality(:categories)], geom,
       timestamptz '2025-01-01 09:00+08' + ((n * 37) % 365) * interval '1 day'
           + (n % 12) * interval '1 hour',
       'EPSG:4326', 'inside', 'assigned', 'station', parent_id, 'test', '上报 ' || n
from numbered
"""
_NEWEST_SQL = """
insert into reports (id, category_id, geom, reported_at, received_crs, assignment_method,
                     status, route, level2_id, reporter, text)
select gen_random_uuid(), :category, st_pointonsurface(g.geom),
       timestamptz '2025-12-31 20:00+08', 'EPSG:4326', 'inside', 'assigned', 'station',
       g.parent_id, 'test', :text
from grids g join grid_versions v on v.id = g.version_id and v.status = 'active'
where g.level = 3 order by g.code limit 1
"""
# A report whose coordinate was unusable: kept, never drawn.
_NO_GEOMETRY_SQL = """
insert into reports (id, category_id, geom, reported_at, received_crs, assignment_method,
                     status, route, reporter, text)
values (gen_random_uuid(), :category, null, timestamptz '2025-12-31 21:00+08', 'EPSG:4326',
        'unassigned', 'received', 'triage', 'test', '坐标无效')
"""


def add_test_reports(conn: Connection) -> dict[str, int]:
    """Insert the categories and about 540 reports; returns category code -> id."""
    for code, name, group in CATEGORIES:
        values = {"code": code, "name": name, "name_en": code, "grp": group}
        conn.execute(text(_CATEGORY_SQL), {**values, "security": group == "incident"})
    ids = dict(conn.execute(text("select code, id from report_categories")).all())
    categories = [ids[code] for code, _name, _group in CATEGORIES]
    conn.execute(text(_REPORTS_SQL), {"per_unit": POINTS_PER_UNIT, "categories": categories})
    conn.execute(text(_NEWEST_SQL), {"category": ids["dispute"], "text": NEWEST_TEXT})
    conn.execute(text(_NO_GEOMETRY_SQL), {"category": ids["dispute"]})
    return ids


@contextmanager
def county_with_reports(county_engine: Engine) -> Iterator[Connection]:
    """A connection to the tiny county with reports added, rolled back at the end."""
    with county_engine.connect() as conn:
        transaction = conn.begin()
        try:
            add_test_reports(conn)
            yield conn
        finally:
            transaction.rollback()
