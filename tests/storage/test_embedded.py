"""The embedded cluster: start, reuse, stop, recovery after kill -9, refusals."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from geogrid.errors import DatabaseError, PostGISMissingError
from geogrid.settings import Settings
from geogrid.storage import embedded


@pytest.fixture
def cluster(tmp_path: Path):
    """A cluster of its own in this test's tmp folder (below a root-only 0700 folder)."""
    own = embedded.cluster_for(Settings(home=tmp_path / "home", db_fsync=False, db_port=5433))
    yield own
    embedded.stop(own)


def _postgis_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("select postgis_lib_version()").fetchone()[0]


def test_start_creates_cluster_with_postgis_and_reuses_it(cluster: embedded.Cluster) -> None:
    first = embedded.ensure_running(cluster)
    assert first.running and first.initialised
    assert _postgis_version(first.url).startswith("3.")
    again = embedded.ensure_running(cluster)
    assert again.pid == first.pid, "a second use reuses the running server"


def test_stop_then_status_says_stopped(cluster: embedded.Cluster) -> None:
    embedded.ensure_running(cluster)
    assert embedded.stop(cluster) is True
    state = embedded.status(cluster)
    assert not state.running and state.pid is None
    assert not embedded.crashed(cluster)
    assert embedded.stop(cluster) is False


def test_server_killed_with_sigkill_is_restarted(cluster: embedded.Cluster) -> None:
    before = embedded.ensure_running(cluster)
    killed = embedded.kill_server_hard(cluster)
    assert killed == before.pid
    assert embedded.crashed(cluster), "the pid file of the dead server is still there"
    after = embedded.ensure_running(cluster)
    assert after.recovered and after.running and after.pid != before.pid
    assert _postgis_version(after.url).startswith("3.")


def test_restart_if_crashed_restarts_a_killed_server_only(cluster: embedded.Cluster) -> None:
    before = embedded.ensure_running(cluster)
    assert embedded.restart_if_crashed(cluster) is False, "a live server is left alone"
    embedded.kill_server_hard(cluster)
    assert embedded.restart_if_crashed(cluster) is True
    after = embedded.status(cluster)
    assert after.running and after.pid != before.pid
    assert embedded.restart_if_crashed(cluster) is False, "a second watcher finds it running"
    embedded.stop(cluster)
    assert embedded.restart_if_crashed(cluster) is False, "a server stopped on purpose stays so"
    assert not embedded.status(cluster).running


def test_socket_held_by_another_server_is_refused(cluster: embedded.Cluster) -> None:
    embedded.ensure_running(cluster)
    embedded.stop(cluster)
    lock = cluster.socket_dir / f".s.PGSQL.{cluster.port}.lock"
    lock.write_text(f"{os.getpid()}\n")  # a live process that is not our server
    try:
        with pytest.raises(DatabaseError, match="in use by another server"):
            embedded.ensure_running(cluster)
    finally:
        lock.unlink()


def test_socket_path_stays_short_for_a_deep_home(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    cluster = embedded.Cluster(home=deep, port=5432, bindir=Path("/usr/bin"))
    assert len(str(cluster.socket_dir / ".s.PGSQL.5432.lock")) <= 107
    assert str(cluster.socket_dir).startswith("/tmp/geogrid-")


def test_non_empty_foreign_data_dir_is_refused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", db_fsync=False)
    (settings.home / "pgdata").mkdir(parents=True)
    (settings.home / "pgdata" / "notes.txt").write_text("not a cluster")
    with pytest.raises(DatabaseError, match="holds no PostgreSQL cluster"):
        embedded.ensure_running(embedded.cluster_for(settings))


def test_missing_server_programs_say_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="holds no pg_ctl"):
        embedded.find_pg_bindir(tmp_path)


class _ServerWithoutPostGIS:
    """Answers pg_available_extensions like a server with no PostGIS package installed."""

    def execute(self, sql: str):
        assert "pg_available_extensions" in sql
        return self

    def fetchone(self):
        return None


def test_server_without_postgis_gets_install_hint() -> None:
    with pytest.raises(PostGISMissingError, match="apt-get install postgresql-15-postgis-3"):
        embedded.ensure_postgis(_ServerWithoutPostGIS())
