"""The vocabulary: one definition of each word list and of China time, used by the models."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from geogrid import vocabulary
from geogrid.storage.models import Base
from geogrid.vocabulary import (
    CHINA_TZ,
    as_china_time,
    china_day,
    china_day_number,
    china_midnight,
    china_today,
)

PACKAGE = Path(vocabulary.__file__).parent
# (table, CHECK name, column) -> the vocabulary word list it must allow, and only it.
CHECKS = {
    ("grid_versions", "status", "status"): vocabulary.VERSION_STATUSES,
    ("grids", "kind", "kind"): vocabulary.GRID_KINDS,
    ("report_categories", "kind", "kind"): vocabulary.CATEGORY_KINDS,
    ("report_categories", "heat_group", "heat_group"): vocabulary.HEAT_GROUPS,
    ("people", "vet", "vetting_status"): vocabulary.VETTING_STATUSES,
    ("grid_assignments", "role", "role"): vocabulary.STAFF_ROLES,
    ("reports", "status", "status"): vocabulary.REPORT_STATUSES,
    ("reports", "method", "assignment_method"): vocabulary.ASSIGNMENT_METHODS,
    ("reports", "route", "route"): vocabulary.ROUTES,
    ("report_events", "kind", "kind"): vocabulary.EVENT_KINDS,
    ("api_users", "role", "role"): vocabulary.API_ROLES,
    ("source_communities", "kind", "kind"): vocabulary.COMMUNITY_KINDS,
}


def _check_values(table: str, name: str) -> tuple[str, str, tuple[str, ...]]:
    import geogrid.storage.source_tables  # noqa: F401 - registers the source tables

    for constraint in Base.metadata.tables[table].constraints:
        if str(constraint.name).endswith(f"_{name}") and hasattr(constraint, "sqltext"):
            match = re.fullmatch(r"(\w+) in \((.*)\)", str(constraint.sqltext))
            assert match, f"{table}.{name}: {constraint.sqltext}"
            return match[1], match[2], tuple(re.findall(r"'([^']*)'", match[2]))
    raise AssertionError(f"no CHECK {name} on {table}")


@pytest.mark.parametrize(("table", "name", "column"), list(CHECKS))
def test_model_checks_allow_the_vocabulary_words(table: str, name: str, column: str) -> None:
    checked, _, values = _check_values(table, name)
    assert (checked, values) == (column, CHECKS[table, name, column])


def test_check_text_is_what_the_migrations_wrote() -> None:
    # The schema-drift test compares models and migrations; this pins the spelling it checks.
    assert _check_values("reports", "route")[1] == "'station', 'department', 'triage', 'registry'"


def _literal_values(tree: ast.AST):
    """Every literal tuple, list, set or dict, except the spelled-out `Literal[...]` types."""
    typed = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "Literal"
        for inner in ast.walk(node.slice)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict) and id(node) not in typed:
            try:
                value = ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            yield node.lineno, tuple(value) if isinstance(value, list) else value


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if "migrations" not in p.parts and p.name != "vocabulary.py"]  # fmt: skip


def test_no_word_list_is_defined_twice() -> None:
    words = {
        name: value
        for name, value in vars(vocabulary).items()
        if name.isupper() and isinstance(value, tuple | dict) and len(value) > 1
    }
    again = [
        f"{path.relative_to(PACKAGE.parent)}:{line} repeats vocabulary.{name}"
        for path in _modules()
        for line, value in _literal_values(ast.parse(path.read_text(encoding="utf-8")))
        for name, word in words.items()
        if value == word or (isinstance(value, set) and value == set(word))
    ]
    assert again == []


def test_api_literal_types_spell_the_vocabulary() -> None:
    # OpenAPI needs the words spelled out in the schemas; they must be the vocabulary's.
    from geogrid.api.schemas.grids import VersionOut
    from geogrid.api.schemas.lookup import LookupOut
    from geogrid.api.schemas.reports import EventOut, Method, Route, Status

    def words(annotation: object) -> tuple[str, ...]:
        return get_args(annotation)

    assert words(Status) == vocabulary.REPORT_STATUSES
    assert words(Method) == words(LookupOut.model_fields["method"].annotation)
    assert words(Method) == vocabulary.ASSIGNMENT_METHODS
    assert words(Route) == vocabulary.ROUTES
    assert words(EventOut.model_fields["kind"].annotation) == vocabulary.EVENT_KINDS
    assert words(VersionOut.model_fields["status"].annotation) == vocabulary.VERSION_STATUSES


def test_china_time_is_defined_only_in_the_vocabulary() -> None:
    # date.today() is the server's day, not China's: duty rosters are kept in China days.
    pattern = re.compile(r"hours=8\b|Asia/Shanghai|8 \* 3600|28_?800|\"\+08:00\"|date\.today\(\)")
    again = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in _modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert again == []


def test_vocabulary_imports_nothing_of_geogrid() -> None:
    tree = ast.parse(Path(vocabulary.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert [m for m in imported if m.startswith("geogrid")] == []


def test_china_day_of_a_late_utc_evening_is_the_next_day() -> None:
    moment = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert china_day(moment) == date(2027, 1, 1)
    seconds = int(moment.timestamp())
    day_number = (date(2027, 1, 1) - date(1970, 1, 1)).days
    assert china_day_number(seconds) == day_number
    assert china_day_number(np.array([seconds - 3601, seconds], dtype=np.int64)).tolist() == [
        day_number - 1,
        day_number,
    ]


def test_china_midnight_and_naive_times() -> None:
    assert china_midnight(date(2027, 1, 1)).astimezone(UTC) == datetime(
        2026, 12, 31, 16, tzinfo=UTC
    )
    assert as_china_time(datetime(2026, 6, 1, 8)) == datetime(2026, 6, 1, 0, tzinfo=UTC)
    assert as_china_time(datetime(2026, 6, 1, tzinfo=UTC)).tzinfo is CHINA_TZ


def test_china_today_agrees_with_the_day_number() -> None:
    before = china_day_number()
    today = china_today()
    assert before <= (today - date(1970, 1, 1)).days <= china_day_number()
    assert today in (datetime.now(UTC).date(), datetime.now(CHINA_TZ).date())
