"""The categories file: a value the database cannot store is named before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from geogrid.errors import InputError
from geogrid.reports.categories import load_categories_file


def test_a_nul_in_a_category_file_names_the_table_and_field(tmp_path: Path) -> None:
    path = tmp_path / "categories.toml"
    path.write_text('[[category]]\ncode = "noise"\nname_zh = "噪音\\u0000"\nname_en = "Noise"\n'
                    'kind = "dynamic"\nis_security = false\ndepartment = "ep"\n',
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match=r"\[\[category\]\] number 1: field 'name_zh' holds a NUL"):
        load_categories_file(None, path)  # refused before the connection is used
