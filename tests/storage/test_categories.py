"""The category read: every seeded category once, in display order, with its department."""

from __future__ import annotations

from sqlalchemy import Engine, text

from geogrid.reports.categories import seed_categories
from geogrid.storage.categories import category_rows


def test_categories_come_in_display_order_with_their_departments(engine: Engine) -> None:
    with engine.connect() as conn:
        seed_categories(conn)
        rows = category_rows(conn)
        stored = conn.execute(text("select code from report_categories order by sort_order, code"))
        assert [r.code for r in rows] == list(stored.scalars())
        assert len({r.code for r in rows}) == len(rows) > 0
        security = [r for r in rows if r.is_security]
        assert security and all(r.department_id is None for r in security)
        routed = [r for r in rows if r.department_id is not None]
        assert routed and all(r.department_name for r in routed)
        conn.rollback()


def test_the_choice_names_are_the_full_reads_codes_and_names(engine: Engine) -> None:
    """What a desk's filters offer: the categories and departments of the full reads, in
    their order, by code and Chinese name."""
    from geogrid.storage.categories import choice_names, department_rows

    with engine.connect() as conn:
        seed_categories(conn)
        categories, departments = choice_names(conn)
        assert [(r.code, r.name_zh) for r in categories] == [
            (r.code, r.name_zh) for r in category_rows(conn)]  # fmt: skip
        assert [(r.code, r.name_zh) for r in departments] == [
            (r.code, r.name_zh) for r in department_rows(conn)]  # fmt: skip
        assert categories and departments
        conn.rollback()
