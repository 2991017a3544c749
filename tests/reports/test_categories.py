"""The categories file: a value the database cannot store is named before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from geogrid.errors import InputError
from geogrid.reports.categories import load_categories_file


def test_a_nul_in_a_category_file_names_the_table_and_field(tmp_path: Path) -> None:
    path = tmp_path / "categories.toml"
    path.write_text('[[category]]\ncode = "noise"\nname_zh = "噪音\\u0000"\nname_en = "Noise"\n'
                    'kind = "dynamic"\nis_security = false\ndepartment = "ep"\n',
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match=r"\[\[category\]\] number 1: field 'name_zh' holds a NUL"):
        load_categories_file(None, path)  # refused before the connection is used


_NOISE = ('[[category]]\ncode = "noise_loop"\nname_zh = "噪音"\nname_en = "Noise"\n'
          'kind = "dynamic"\nis_security = true\n')  # fmt: skip


def test_time_limits_are_edited_in_the_categories_file(tmp_path: Path, reports_engine) -> None:
    path = tmp_path / "categories.toml"
    path.write_text(_NOISE + "handle_days = 0\n", encoding="utf-8")
    with pytest.raises(InputError, match="'handle_days' must be a whole number") as refused:
        load_categories_file(None, path)
    assert refused.value.field == "handle_days"
    path.write_text(_NOISE + "accept_hours = 2\nhandle_days = 7\n", encoding="utf-8")
    with reports_engine.connect() as conn:
        load_categories_file(conn, path)
        stored = conn.execute(
            text(
                "select accept_hours, handle_days, verify_days from "
                "report_categories where code = 'noise_loop'"
            )
        ).one()
        conn.rollback()
    assert tuple(stored) == (2, 7, 2)  # verify_days keeps its default
