"""Printed patrol maps: vector PDF sheets of level-2 grids and station atlases.

The public functions live in geogrid.prints.atlas; they are re-exported here lazily, so that
importing the package (or its data module) does not import matplotlib.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AtlasSummary", "SheetSummary", "write_grid_sheet", "write_station_atlas"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from geogrid.prints import atlas

        return getattr(atlas, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
