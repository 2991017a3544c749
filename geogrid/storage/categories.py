"""The report categories as stored: the one read that routing, Open311 and the CLI share."""

from __future__ import annotations

from sqlalchemy import Connection, Row, select, text

from geogrid.storage.models import Department, ReportCategory
from geogrid.storage.statements import kept_for


def category_rows(conn: Connection) -> list[Row]:
    """Every category in display order (sort order, then code), with its department.

    Columns: code, id, name_zh, name_en, kind, is_security, sensitive, heat_group,
    department_id (None: the police), department_name (None likewise) and accept_hours.
    """
    c, d = ReportCategory, Department
    query = (
        select(c.code, c.id, c.name_zh, c.name_en, c.kind, c.is_security, c.sensitive,
               c.heat_group, c.department_id, d.name_zh.label("department_name"),
               c.accept_hours)
        .outerjoin(d, d.id == c.department_id)
        .order_by(c.sort_order, c.code)
    )  # fmt: skip
    return list(conn.execute(query))


def department_rows(conn: Connection) -> list[Row]:
    """Every department (code, name_zh), by code: where a desk may dispatch a case."""
    return list(conn.execute(select(Department.code, Department.name_zh).order_by(Department.code)))


# How long a process keeps the choices: a category file loaded by the CLI shows in the
# console's forms within this (the process that loads it forgets its copy at once).
CHOICES_KEPT_S = 60.0
_CHOICES_KEPT: dict[object, tuple[float, tuple[tuple[Row, ...], tuple[Row, ...]]]] = {}


def choice_names(conn: Connection) -> tuple[tuple[Row, ...], tuple[Row, ...]]:
    """The categories (display order) and the departments (by code) as a desk's filters
    and dispatch forms offer them: (code, name_zh) each, in one plain read kept for
    CHOICES_KEPT_S (the inbox and the list showed them at every request: a tenth of the
    list's work for rows that change when an administrator loads a file)."""

    def read() -> tuple[tuple[Row, ...], tuple[Row, ...]]:
        rows = conn.execute(_CHOICES).all()
        return tuple(r for r in rows if r.kind == "c"), tuple(r for r in rows if r.kind == "d")

    return kept_for(_CHOICES_KEPT, conn.engine.url, CHOICES_KEPT_S, read)


def forget_choices() -> None:
    """Read the choices afresh next time (after this process changed them)."""
    _CHOICES_KEPT.clear()


_CHOICES = text("""
select 'c' as kind, code, name_zh from (
  select code, name_zh from report_categories order by sort_order, code) c
union all
select 'd', code, name_zh from (select code, name_zh from departments order by code) d
""")
