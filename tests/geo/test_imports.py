"""The geo kernel stands on the ground floor: of geogrid it imports only vocabulary and errors."""

from __future__ import annotations

import ast
from pathlib import Path

import geogrid.geo

KERNEL = Path(geogrid.geo.__file__).parent
ALLOWED = {"geogrid.vocabulary", "geogrid.errors"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names


def test_geo_kernel_imports_only_vocabulary_and_errors() -> None:
    ours = {
        f"{path.name}: {name}"
        for path in KERNEL.glob("*.py")
        for name in _imports(path)
        if name.startswith("geogrid") and name not in ALLOWED and not name.startswith("geogrid.geo")
    }
    assert ours == set()


def test_kernel_modules_are_the_agreed_ones() -> None:
    assert {"crs.py", "polygons.py", "encoding.py"} <= {p.name for p in KERNEL.glob("*.py")}
    assert (KERNEL / "__init__.py").read_text(encoding="utf-8") == (
        '"""The geo kernel: CRS, polygon cleaning and text rules that every package shares."""\n'
    )
