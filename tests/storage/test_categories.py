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


def test_the_choices_are_kept_a_while_and_forgotten_on_a_change(engine: Engine, monkeypatch,
                                                                 tmp_path) -> None:  # fmt: skip
    """The choices are read once per CHOICES_KEPT_S: a rename made behind the process's
    back shows once that has passed; one loaded by this process shows at once."""
    from geogrid.reports.categories import load_categories_file
    from geogrid.storage import categories as stored

    with engine.connect() as conn:
        seed_categories(conn)
        stored.forget_choices()
        first = stored.choice_names(conn)[0][0]
        conn.execute(text("update report_categories set name_zh = '改名了' where code = :c"),
                     {"c": first.code})  # fmt: skip
        assert stored.choice_names(conn)[0][0].name_zh == first.name_zh  # kept
        monkeypatch.setattr(stored, "CHOICES_KEPT_S", 0.0)
        assert stored.choice_names(conn)[0][0].name_zh == "改名了"  # read again
        monkeypatch.setattr(stored, "CHOICES_KEPT_S", 60.0)
        path = tmp_path / "c.toml"
        path.write_text('[[department]]\ncode = "zz_dept"\nname_zh = "新单位"\nname_en = "New"\n',
                        encoding="utf-8")  # fmt: skip
        load_categories_file(conn, path)
        assert "新单位" in [d.name_zh for d in stored.choice_names(conn)[1]]
        conn.rollback()
        stored.forget_choices()
