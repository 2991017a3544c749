"""`geogrid db ...`: the database in use, embedded or configured."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from geogrid.cli.common import console, engine, settings
from geogrid.errors import ConfigurationError
from geogrid.storage import embedded, schema
from geogrid.storage.database import database_url

app = typer.Typer(help="Start, stop, inspect and migrate the database.", no_args_is_help=True)


def _embedded_cluster() -> embedded.Cluster:
    if settings().database_url:
        raise ConfigurationError(
            "GEOGRID_DATABASE_URL is set: geogrid uses that server and does not start or stop "
            "one of its own"
        )
    return embedded.cluster_for(settings())


@app.command()
def start() -> None:
    """Create (first time) and start the embedded PostgreSQL + PostGIS cluster."""
    state = embedded.ensure_running(_embedded_cluster())
    console.print(f"running (pid {state.pid}), data in {state.data_dir}")
    console.print(f"url: {state.url}")


@app.command()
def stop() -> None:
    """Stop the embedded cluster (fast shutdown)."""
    stopped = embedded.stop(_embedded_cluster())
    console.print("stopped" if stopped else "was not running")


@app.command()
def status() -> None:
    """Show the database in use; restarts an embedded server that died (stale pid file)."""
    if settings().database_url:
        _print_status_table(
            {"database": "configured (GEOGRID_DATABASE_URL)", **_schema_rows()}, ok=True
        )
        return
    cluster = _embedded_cluster()
    if embedded.crashed(cluster):
        state = embedded.ensure_running(cluster)
        console.print("[yellow]the embedded server had died (stale pid file); restarted[/]")
    else:
        state = embedded.status(cluster)
    rows = {
        "database": "embedded",
        "state": f"running, pid {state.pid}" if state.running else "stopped",
        "data directory": str(state.data_dir),
        "url": state.url,
    }
    if state.running:
        rows |= _schema_rows()
    _print_status_table(rows, ok=state.running)


@app.command()
def url() -> None:
    """Print the database URL (libpq form, usable with psql); starts the cluster if needed."""
    print(database_url(settings()))


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the schema up (to the newest revision by default)."""
    reached = schema.upgrade(engine(), revision)
    console.print(f"schema at revision {reached}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Migrate the schema down; 'base' removes every geogrid table (data included)."""
    reached = schema.downgrade(engine(), revision)
    console.print(f"schema at revision {reached or 'base (no geogrid tables)'}")


@app.command()
def backup(
    file: Path = typer.Argument(..., help="The archive to write (a .tar file; replaced whole)."),
) -> None:
    """Back up the database in use and the evidence photos into FILE: pg_dump's format,
    the media store's files, and a manifest with the schema revision, row counts, a
    checksum over reports and events, and every file's SHA-256."""
    from geogrid.storage.backup import create_backup, describe_counts

    config = settings()
    manifest = create_backup(database_url(config), _pg_bindir(), file, config.media_path)
    console.print(f"backed up {describe_counts(manifest.counts) or 'an empty database'} "
                  f"(schema {manifest.schema_revision or 'empty'}) to {file}")  # fmt: skip
    console.print(f"checksum over reports and events: {manifest.checksum}")


@app.command()
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="An archive made by "
                                "geogrid db backup."),
    force: bool = typer.Option(False, "--force", help="Replace the data the database holds."),
) -> None:  # fmt: skip
    """Replace the database in use with the backup in FILE (stop geogrid serve first), and
    check that it holds the same counts and checksum as when it was backed up."""
    from geogrid.storage.backup import describe_counts, restore_backup

    done = restore_backup(lambda: database_url(settings()), _pg_bindir(), file, force=force,
                          media_root=settings().media_path)  # fmt: skip
    if done.replaced:
        console.print(f"replaced {describe_counts(done.replaced)}")
    console.print(
        f"restored {describe_counts(done.contents.counts) or 'an empty database'} "
        f"made {done.manifest.created_at} by geogrid {done.manifest.geogrid_version}"
    )
    console.print("checked: the same row counts and checksum over reports and events "
                  "as when it was backed up")  # fmt: skip
    revision, head = done.manifest.schema_revision, schema.head_revision()
    if revision != head:
        console.print(f"[yellow]its schema is at {revision or 'empty'}, this geogrid's at "
                      f"{head}:[/] run geogrid db upgrade")  # fmt: skip


def _pg_bindir() -> Path:
    """pg_dump and pg_restore of the PostgreSQL that the embedded cluster runs on."""
    return embedded.find_pg_bindir(settings().pg_bindir)


def _schema_rows() -> dict[str, str]:
    from geogrid.storage.database import server_versions

    eng = engine()
    with eng.connect() as conn:
        server, postgis = server_versions(conn)
    revision = schema.current_revision(eng)
    head = schema.head_revision()
    state = "up to date" if revision == head else f"behind (newest is {head}): geogrid db upgrade"
    return {
        "server": f"PostgreSQL {server}, PostGIS {postgis}",
        "schema": f"{revision or 'empty'} ({state})",
    }


def _print_status_table(rows: dict[str, str], *, ok: bool) -> None:
    table = Table(show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows.items():
        table.add_row(f"[bold]{key}[/]", value)
    console.print(table)
    if not ok:
        raise typer.Exit(3)
