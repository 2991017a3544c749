"""Loading boundary files: check them all, then store all of it or (if asked) the good part.

A load is all or nothing per run: when any feature or layer is rejected, no stored layer is
replaced unless the caller asks for a partial replace. Even then a layer whose every
feature was rejected keeps what is stored, so a failed load never empties a layer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from geogrid.inputs.load import LayerResult, LoadOptions, LoadReport, prepare_boundaries
from geogrid.storage import sources


def load_boundaries(
    engine: Engine,
    paths: list[Path],
    options: LoadOptions,
    *,
    commit: bool = False,
    partial: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Check the files against the stored outline; with commit, store what was accepted.

    With any error nothing is stored unless `partial`; layers with no accepted feature are
    never stored. `report.committed` says whether anything was written.
    """
    outline = sources.stored_outline(engine)
    report = prepare_boundaries(paths, options, outline=outline, progress=progress)
    if not commit or (report.errors and not partial):
        return report
    storable = [result for result in report.layers if len(result.accepted)]
    if storable:
        _store(engine, paths, storable, progress)
        report.committed = True
    return report


def _store(
    engine: Engine,
    paths: list[Path],
    layers: list[LayerResult],
    progress: Callable[[str], None] | None,
) -> None:
    """Write the layers in one transaction: all of them or, on failure, none."""
    digests = {str(p): sources.file_sha256(Path(p)) for p in paths}
    with engine.begin() as conn:
        for result in layers:
            result.file_sha256 = digests.get(result.file, "")
            if progress:
                progress(f"storing {result.role} ({len(result.accepted)})")
            provenance = {
                "file": result.file,
                "layer": result.layer,
                "crs": result.crs,
                "rejected": result.rejected,
                "file_sha256": result.file_sha256,
            }
            sources.store_layer(conn, result.role, result.accepted, provenance=provenance)
    for result in layers:
        result.stored = True
