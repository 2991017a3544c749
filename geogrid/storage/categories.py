"""The report categories as stored: the one read that routing, Open311 and the CLI share."""

from __future__ import annotations

from sqlalchemy import Connection, Row, select

from geogrid.storage.models import Department, ReportCategory


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
