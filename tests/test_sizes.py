"""The house's size limits (issue 14): no module over 400 lines, no function over 60.

Short modules and functions are what let a newcomer find the one place of each rule; the
migrations are generated and exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "geogrid"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE)) if path.is_relative_to(PACKAGE) else path.name


def long_modules(paths: list[Path]) -> list[str]:
    """The modules over the limit, with their line counts."""
    counts = ((p, p.read_text(encoding="utf-8").count("\n")) for p in paths)
    return [f"{_name(p)}: {n}" for p, n in counts if n > MAX_MODULE_LINES]


def long_functions(paths: list[Path]) -> list[str]:
    """The functions over the limit, with their line counts."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{_name(path)}:{node.lineno} {node.name}: {lines}")
    return found


def test_no_module_is_over_400_lines() -> None:
    assert long_modules(_modules()) == []


def test_no_function_is_over_60_lines() -> None:
    assert long_functions(_modules()) == []


def test_the_checks_find_what_is_too_long(tmp_path: Path) -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(70))
    path = tmp_path / "probe.py"
    path.write_text(f"def long():\n{body}\n" + "\n" * 400, encoding="utf-8")
    assert long_modules([path]) == ["probe.py: 471"]
    assert long_functions([path]) == ["probe.py:1 long: 71"]
