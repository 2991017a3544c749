"""The console script as a user runs it: help, db url/status, and clear errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from geogrid.settings import Settings
from tests.cli.runner import run_geogrid as _run


def test_help_lists_every_command() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("db", "demo"):
        assert command in result.stdout
    db_help = _run("db", "--help").stdout
    for command in ("start", "stop", "status", "url", "upgrade", "downgrade", "backup", "restore"):
        assert command in db_help


def test_db_url_works_with_psql(settings: Settings, engine: Engine) -> None:
    result = _run("db", "url", GEOGRID_HOME=str(settings.home))
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith("postgresql://geogrid@/geogrid?host=")
    psql = shutil.which("psql")
    assert psql, "psql comes with the postgresql packages the setup installs"
    answer = subprocess.run(
        [psql, url, "-Atc", "select postgis_full_version()"], capture_output=True, text=True
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("POSTGIS=")


def test_db_status_reports_running_and_schema(settings: Settings, engine: Engine) -> None:
    result = _run("db", "status", GEOGRID_HOME=str(settings.home))
    assert result.returncode == 0, result.stderr
    assert "running, pid" in result.stdout
    assert "up to date" in result.stdout


def test_unreachable_configured_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/nowhere?host={tmp_path}"
    result = _run("db", "upgrade", GEOGRID_DATABASE_URL=url)
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_database_url_names_the_setting() -> None:
    result = _run("db", "status", GEOGRID_DATABASE_URL="mysql://x")
    assert result.returncode == 1
    assert "GEOGRID_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_restore_of_a_file_that_is_no_backup_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.tar").write_text("not an archive")
    home = tmp_path / "home"
    result = _run("db", "restore", str(tmp_path / "notes.tar"), GEOGRID_HOME=str(home))
    assert result.returncode == 1
    assert "not a geogrid backup archive" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (home / "pgdata").exists(), "a refused archive starts no database"


def test_start_refuses_when_a_server_is_configured() -> None:
    result = _run("db", "start", GEOGRID_DATABASE_URL="postgresql://x@/y")
    assert result.returncode == 1
    assert "GEOGRID_DATABASE_URL is set" in result.stderr
