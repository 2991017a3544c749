"""Report categories and the departments they are routed to: seeded data a county can edit.

Basic information (基础信息) follows the 一标三实 practice (standard address; actual population,
housing and organisations) with the eight classes a grid assistant keeps current:

| code | 名称 | security | why this class |
| --- | --- | --- | --- |
| population | 实有人口 | yes | residents and their changes, kept by the station |
| rental_housing | 出租房屋 | yes | rentals and tenants, registered with the station |
| key_unit | 重点单位 | yes | schools, hospitals, fuel depots and other protected sites |
| dangerous_goods | 危险物品 | yes | explosives, toxic and flammable goods (治安 licensing) |
| housing | 实有房屋 | no | buildings (一标三实), kept by housing and construction |
| organisation | 实有单位 | no | shops and businesses (一标三实), kept by market regulation |
| key_person | 重点人员 | yes | people under police attention |
| special_group | 特殊人群 | no | elderly living alone, disabled, left-behind children |

Dynamic information (动态信息) is by domain; each non-security domain has its department.
`heat_group` says which station heatmap a category feeds. `sensitive` categories carry
personal details that only the station and the county may read.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import Connection, text

from geogrid.errors import InputError
from geogrid.geo.text import unstorable_in
from geogrid.storage.categories import forget_choices
from geogrid.vocabulary import ACCEPT_HOURS, CATEGORY_KINDS, HANDLE_DAYS, HEAT_GROUPS, VERIFY_DAYS


@dataclass(frozen=True)
class DepartmentSeed:
    """A responsible department (责任单位)."""

    code: str
    name_zh: str
    name_en: str
    phone: str = ""


@dataclass(frozen=True)
class CategorySeed:
    """A report category: kind, routing and display."""

    code: str
    name_zh: str
    name_en: str
    kind: str  # basic | dynamic
    is_security: bool
    department: str | None = None  # code of the department for non-security categories
    heat_group: str | None = None  # hazard | incident
    sensitive: bool = False
    # Time limits of the case loop (README "The case loop"): accept (and dispatch) within
    # working hours, handle and verify within working days; an urgent case gets half.
    accept_hours: int = ACCEPT_HOURS
    handle_days: int = HANDLE_DAYS
    verify_days: int = VERIFY_DAYS


# Tighter limits for incidents and hazards than the defaults (4 h, 5 days, 2 days): the
# same numbers migration 0006 gave the stored categories.
_LIMITS = {
    "public_security": (1, 3, 1), "dispute": (2, 5, 2), "traffic": (1, 3, 1),
    "dangerous_goods": (1, 2, 1), "fire_hazard": (2, 3, 1), "work_safety": (2, 3, 1),
    "environment": (4, 5, 2), "key_person": (2, 3, 1),
}  # fmt: skip


DEPARTMENTS = (
    DepartmentSeed("housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    DepartmentSeed("market", "市场监督管理局", "Market Regulation Administration"),
    DepartmentSeed("civil_affairs", "民政局", "Civil Affairs Bureau"),
    DepartmentSeed("emergency", "应急管理局", "Emergency Management Bureau (work safety)"),
    DepartmentSeed("fire", "消防救援大队", "Fire and Rescue Brigade"),
    DepartmentSeed("environment", "生态环境分局", "Ecology and Environment Bureau"),
    DepartmentSeed(
        "natural_resources", "自然资源和规划局", "Natural Resources and Planning Bureau"
    ),
    DepartmentSeed("social_affairs", "教育和体育局、卫生健康局", "Education and Health Bureaus"),
    DepartmentSeed("urban_management", "综合行政执法局", "Urban Management and Law Enforcement"),
)

CATEGORIES = (
    CategorySeed("population", "实有人口", "Actual population", "basic", True, sensitive=True),
    CategorySeed("rental_housing", "出租房屋", "Rental housing", "basic", True, sensitive=True),
    CategorySeed("key_unit", "重点单位", "Key units", "basic", True),
    CategorySeed("dangerous_goods", "危险物品", "Dangerous goods", "basic", True,
                 heat_group="hazard"),
    CategorySeed("housing", "实有房屋", "Actual housing", "basic", False, "housing"),
    CategorySeed("organisation", "实有单位", "Actual organisations", "basic", False, "market"),
    CategorySeed("key_person", "重点人员", "Persons of concern", "basic", True, sensitive=True),
    CategorySeed("special_group", "特殊人群", "Special-care groups", "basic", False,
                 "civil_affairs", sensitive=True),
    CategorySeed("work_safety", "安全生产隐患（安监）", "Work safety hazard", "dynamic", False,
                 "emergency", "hazard"),
    CategorySeed("fire_hazard", "消防隐患", "Fire hazard", "dynamic", False, "fire", "hazard"),
    CategorySeed("environment", "环保", "Environment", "dynamic", False, "environment", "hazard"),
    CategorySeed("land", "国土", "Land use", "dynamic", False, "natural_resources"),
    CategorySeed("culture_edu_health", "文教卫生", "Culture, education and health", "dynamic",
                 False, "social_affairs"),
    CategorySeed("civil_affairs", "民政", "Civil affairs", "dynamic", False, "civil_affairs"),
    CategorySeed("public_security", "治安", "Public security incident", "dynamic", True,
                 heat_group="incident"),
    CategorySeed("dispute", "矛盾纠纷", "Dispute", "dynamic", True, heat_group="incident"),
    CategorySeed("traffic", "交通安全", "Traffic safety", "dynamic", True, heat_group="incident"),
    CategorySeed("urban_management", "城市管理", "Urban management", "dynamic", False,
                 "urban_management"),
)  # fmt: skip
CATEGORIES = tuple(
    replace(c, **dict(zip(("accept_hours", "handle_days", "verify_days"), _LIMITS[c.code],
                          strict=True)))
    if c.code in _LIMITS else c
    for c in CATEGORIES
)  # fmt: skip


# A category's code: what the API documents for its filters, and files must keep to.
CATEGORY_CODE = r"[a-z][a-z0-9_]{0,31}"


def seed_categories(conn: Connection) -> int:
    """Insert the built-in departments and categories that are missing; returns how many."""
    return _upsert(conn, DEPARTMENTS, CATEGORIES, replace=False)


def load_categories_file(conn: Connection, path: Path) -> int:
    """Add or update departments and categories from a TOML file (`[[department]]`,
    `[[category]]` tables with the seed fields); returns the number of rows written."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read categories: {exc}") from None
    departments = [_seed(DepartmentSeed, row, path, "department", i)
                   for i, row in enumerate(data.get("department", []), 1)]  # fmt: skip
    categories = [_seed(CategorySeed, row, path, "category", i)
                  for i, row in enumerate(data.get("category", []), 1)]  # fmt: skip
    return _upsert(conn, departments, categories, replace=True)


def _seed(kind, row: dict, path: Path, table: str, number: int):
    found = unstorable_in(row)
    if found is not None:
        raise InputError(f"{path}: [[{table}]] number {number}: field {found[0]!r} {found[1]}",
                         field=found[0])  # fmt: skip
    names = {f.name for f in fields(kind)}
    unknown = sorted(set(row) - names)
    if unknown:
        raise InputError(f"{path}: [[{table}]] number {number}: unknown field {unknown[0]!r}")
    try:
        seed = kind(**row)
    except TypeError as exc:
        raise InputError(f"{path}: [[{table}]] number {number}: {exc}") from None
    if isinstance(seed, CategorySeed):
        _check_category(seed, path, number)
    return seed


def _check_category(seed: CategorySeed, path: Path, number: int) -> None:
    where = f"{path}: [[category]] number {number} ({seed.code})"
    if not re.fullmatch(CATEGORY_CODE, str(seed.code)):
        raise InputError(f"{where}: field 'code' must be lower-case letters, digits and _, "
                         "starting with a letter, at most 32")  # fmt: skip
    if seed.kind not in CATEGORY_KINDS:
        raise InputError(f"{where}: field 'kind' must be basic or dynamic, not {seed.kind!r}")
    if seed.heat_group is not None and seed.heat_group not in HEAT_GROUPS:
        raise InputError(f"{where}: field 'heat_group' must be hazard or incident")
    for limit in ("accept_hours", "handle_days", "verify_days"):
        value = getattr(seed, limit)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999:
            raise InputError(f"{where}: field {limit!r} must be a whole number from 1 to 999",
                             field=limit)  # fmt: skip
    if not seed.is_security and not seed.department:
        raise InputError(f"{where}: a non-security category needs field 'department'")


def _upsert(conn: Connection, departments, categories, *, replace: bool) -> int:
    action = "update set name_zh = excluded.name_zh, name_en = excluded.name_en"
    written = 0
    for d in departments:
        written += conn.execute(
            text("insert into departments (code, name_zh, name_en, phone) "
                 "values (:code, :name_zh, :name_en, :phone) on conflict (code) do "
                 + (action + ", phone = excluded.phone" if replace else "nothing")),
            vars(d),
        ).rowcount  # fmt: skip
    known = dict(conn.execute(text("select code, id from departments")).all())
    for order, c in enumerate(categories):
        if c.department and c.department not in known:
            raise InputError(f"category {c.code}: unknown department {c.department!r}")
        row = vars(c) | {"department_id": known.get(c.department), "sort_order": order}
        written += conn.execute(text(_CATEGORY_SQL + (_CATEGORY_UPDATE if replace else "nothing")),
                                row).rowcount  # fmt: skip
    forget_choices()
    return written


_CATEGORY_SQL = """
insert into report_categories (code, name_zh, name_en, kind, is_security, department_id,
                               heat_group, sensitive, sort_order, accept_hours, handle_days,
                               verify_days)
values (:code, :name_zh, :name_en, :kind, :is_security, :department_id, :heat_group,
        :sensitive, :sort_order, :accept_hours, :handle_days, :verify_days)
on conflict (code) do """
_CATEGORY_UPDATE = """update set name_zh = excluded.name_zh, name_en = excluded.name_en,
  kind = excluded.kind, is_security = excluded.is_security,
  department_id = excluded.department_id, heat_group = excluded.heat_group,
  sensitive = excluded.sensitive, accept_hours = excluded.accept_hours,
  handle_days = excluded.handle_days, verify_days = excluded.verify_days"""
