"""The fronts stay thin and findable: each command in the module named after it, no SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import typer

from geogrid.cli import app

PACKAGE = Path(__file__).parents[2] / "geogrid"
FRONTS = (PACKAGE / "api" / "routes", PACKAGE / "cli", PACKAGE / "console")

# The rule: a command or group NAME lives in geogrid/cli/NAME.py or NAMEs.py ("-" as "_").
# The exceptions: commands that belong with a group's verbs rather than in a file of their own.
HOMES = {
    "build": "grids",  # making a version sits with managing versions
    "validate": "grids",
    "ingest": "reports",  # reports in, and reports moved, sit with one report's lifecycle
    "reassign": "reports",
    "sample-reports": "sample",  # the sample county's reports beside the sample county
}

SQL = re.compile(
    r"\bselect\b[^;]*\bfrom\b|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b"
    r"|\bshow\s+\w+_version\b|\bcreate\s+(table|index)\b",
    re.IGNORECASE,
)
# SQL a front prints for the user to try, never runs: the demo's psql hint.
PRINTED_HINTS = ("select level, count(*) from grids group by 1",)
SQL_BUILDERS = {"text", "select", "insert", "update", "delete", "literal_column"}


def misplaced(cli: typer.Typer, prefix: str = "geogrid.cli") -> list[str]:
    """Commands whose callback lives outside the module their name calls for."""
    found = []
    entries = [(c.name, [c.callback]) for c in cli.registered_commands]
    entries += [(g.name, [c.callback for c in g.typer_instance.registered_commands])
                for g in cli.registered_groups]  # fmt: skip
    for name, callbacks in entries:
        home = HOMES.get(name, name.replace("-", "_"))
        allowed = {f"{prefix}.{home}", f"{prefix}.{home}s"}
        found += [f"{name}: {cb.__module__}.{cb.__name__}" for cb in callbacks
                  if cb.__module__ not in allowed]  # fmt: skip
    return found


def sql_in(source: str) -> list[str]:
    """SQL builders imported from sqlalchemy, and SQL in string literals (docstrings aside)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
    }  # fmt: skip
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in SQL_BUILDERS]
        elif _is_text(node) and id(node) not in docstrings and _runnable_sql(node.value):
            found.append(f"line {node.lineno}: {node.value.strip()[:60]!r}")
    return found


def _runnable_sql(value: str) -> bool:
    return bool(SQL.search(value)) and not any(hint in value for hint in PRINTED_HINTS)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_each_command_lives_in_the_module_named_after_it() -> None:
    assert misplaced(app) == []
    # The check catches a command registered from another command's module.
    from geogrid.cli import maps

    wrong = typer.Typer()
    wrong.command("print")(maps.maps)
    assert misplaced(wrong) == ["print: geogrid.cli.maps.maps"]


def test_no_sql_in_the_routes_or_the_command_line() -> None:
    files = [path for front in FRONTS for path in sorted(front.rglob("*.py"))]
    assert len(files) > 10
    found = {str(p.relative_to(PACKAGE)): sql_in(p.read_text(encoding="utf-8")) for p in files}
    assert {name: hits for name, hits in found.items() if hits} == {}
    # The check sees both forms it forbids, and leaves a docstring's prose alone.
    sample = (
        '"""Select the grids from a list."""\nfrom sqlalchemy import text\n'
        'Q = "select code from stations order by code"\nD = "delete from api_users"\n'
    )
    assert sql_in(sample) == [
        "imports text",
        "line 3: 'select code from stations order by code'",
        "line 4: 'delete from api_users'",
    ]
