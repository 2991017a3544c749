"""`geogrid load`: check boundary files and, with --commit, store them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from geogrid.cli.common import console, engine
from geogrid.inputs.fieldmap import ROLES, load_field_mapping
from geogrid.inputs.load import LoadOptions, LoadReport

SHOWN_PROBLEMS = 60


def load(
    files: list[Path] = typer.Argument(
        ..., help="GeoPackage, Shapefile, GeoJSON, GeoParquet, CSV."
    ),
    crs: str | None = typer.Option(
        None, help="Coordinates of the files: EPSG code, 'gcj02' (AMap), 'bd09' (Baidu)."
    ),
    encoding: str | None = typer.Option(None, help="Text encoding, e.g. GBK (default: detect)."),
    role: str | None = typer.Option(None, help=f"Role of every layer: {', '.join(ROLES)}."),
    fields: Path | None = typer.Option(None, help="Field-mapping file (TOML)."),
    fix: bool = typer.Option(False, "--fix", help="Repair invalid geometry, swapped lat/lon."),
    commit: bool = typer.Option(False, "--commit", help="Write (default: a dry run)."),
    partial: bool = typer.Option(
        False, "--partial", help="With --commit: store the accepted features despite errors."
    ),
) -> None:
    """Check boundary files and report every problem; --commit stores them if all passed."""
    options = LoadOptions(
        crs=crs, encoding=encoding, role=role, mapping=load_field_mapping(fields), fix=fix
    )
    report = load_with_progress(files, options, commit=commit, partial=partial)
    print_report(report, commit=commit)
    if report.errors:
        raise typer.Exit(1)


def load_with_progress(
    files: list[Path], options: LoadOptions, *, commit: bool, partial: bool = False
) -> LoadReport:
    """Check (and with commit store) the files under a spinner naming the current step."""
    from geogrid.usecases.boundaries import load_boundaries

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("reading", total=None)
        return load_boundaries(
            engine(), files, options, commit=commit, partial=partial,
            progress=lambda what: progress.update(task, description=what),
        )  # fmt: skip


def print_report(report: LoadReport, *, commit: bool = False) -> None:
    """The per-layer summary and the problems, as tables."""
    layers = Table(title="layers", title_justify="left")
    for column in ("file", "layer", "role", "crs", "read", "accepted", "rejected"):
        layers.add_column(column)
    for r in report.layers:
        name = Path(r.file).name
        accepted = str(len(r.accepted))
        layers.add_row(name, r.layer, r.role, r.crs, str(r.read), accepted, str(r.rejected))
    console.print(layers)
    if report.problems:
        _print_problems(report)
    console.print(f"{len(report.errors)} error(s), {len(report.problems)} problem(s)")
    for line in outcome(report, commit=commit):
        console.print(line)


def outcome(report: LoadReport, *, commit: bool) -> list[str]:
    """What was and was not written, in words (a dry run, a refused or a partial commit)."""
    if not commit:
        return ["dry run: nothing written", "add --commit to store the accepted features"]
    accepted = [r for r in report.layers if len(r.accepted)]
    if not report.committed and report.errors:
        unchanged = "nothing written: the stored layers are unchanged"
        if not accepted:
            return [f"{unchanged}; every feature was rejected"]
        kept = ", ".join(f"{r.role} ({len(r.accepted)})" for r in accepted)
        return [
            f"{unchanged}; with an error a load replaces no layer unless asked to",
            f"accepted but not written: {kept}; fix the errors, or add --partial to store them",
        ]
    stored = [r for r in report.layers if r.stored]
    written = ", ".join(f"{r.role} ({len(r.accepted)})" for r in stored)
    lines = [f"written to the database: {written or 'nothing (no feature was accepted)'}"]
    rejected = [f"{r.rejected} of {r.role}" for r in report.layers if r.rejected]
    if rejected:
        lines.append("rejected, not written: " + ", ".join(rejected))
    unchanged = [r.role for r in report.layers if not r.stored]
    if unchanged:
        lines.append("stored layers kept as they were: " + ", ".join(unchanged))
    return lines


def _print_problems(report: LoadReport) -> None:
    table = Table(title="problems", title_justify="left")
    for column in ("severity", "file", "layer", "feature", "field", "problem"):
        table.add_column(column, overflow="fold")
    for p in report.problems[:SHOWN_PROBLEMS]:
        colour = {"error": "red", "warning": "yellow"}.get(p.severity, "green")
        table.add_row(
            f"[{colour}]{p.severity}[/]", Path(p.file).name, p.layer, p.feature, p.field, p.message
        )
    console.print(table)
    if len(report.problems) > SHOWN_PROBLEMS:
        console.print(f"... and {len(report.problems) - SHOWN_PROBLEMS} more")
