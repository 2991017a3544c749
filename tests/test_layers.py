"""The house's layers hold: storage stands under the domain, and no import goes in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "geogrid"
ABOVE_STORAGE = ("building", "inputs", "reports", "maps", "prints", "sample", "api", "cli",
                 "access", "usecases", "export", "console", "app", "qgis", "team",
                 "patrols")  # fmt: skip


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """geogrid modules a file imports anywhere in it (lazy imports inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
            submodules = [name for name in names if name in modules]
            found |= set(submodules)
            if len(submodules) < len(names):  # `from pkg import thing` runs pkg itself
                found.add(node.module)
    return {name for name in found if name in modules}


def test_storage_imports_no_domain_or_front_package() -> None:
    modules = _modules()
    for name, path in modules.items():
        if not name.startswith("geogrid.storage"):
            continue
        above = {i for i in _imports(path, modules) if [*i.split("."), ""][1] in ABOVE_STORAGE}
        assert not above, f"{name} imports {sorted(above)}"


def test_no_import_cycle_in_geogrid() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
