"""`geogrid db backup` / `geogrid db restore`: a restore gives back what was backed up.

The source is a copy of the tiny county (with reports and events) on the session's
cluster, reached by URL as a configured server would be; the target is a fresh embedded
home, as on a new machine.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import typer
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from geogrid.cli import db as db_commands
from geogrid.errors import GeogridError
from geogrid.reports.categories import seed_categories
from geogrid.reports.index import load_index
from geogrid.reports.intake import submit_reports
from geogrid.reports.lifecycle import add_note
from geogrid.settings import Settings, get_settings
from geogrid.storage import backup, embedded, schema
from geogrid.storage.database import sqlalchemy_url
from tests.county import COUNTY_DATABASE

SOURCE_DATABASE = "backup_source"
FUTURE_DATABASE = "backup_future"


def _run(*args: str):
    """`geogrid db ARGS` in process (domain errors raised, as main() would print them)."""
    cli = typer.Typer()
    cli.add_typer(db_commands.app, name="db")
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _new_database(engine: Engine, name: str) -> str:
    """A new empty database on the session cluster; its URL."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"drop database if exists {name}"))
        conn.execute(text(f"create database {name}"))
    return engine.url.set(database=name).render_as_string(hide_password=False)


def _clone(engine: Engine, source: str, name: str) -> str:
    """A copy of database `source` by pg_dump | pg_restore (a template copy would need the
    API tests' open connections to it closed); its URL."""
    url = _new_database(engine, name)
    bindir = embedded.find_pg_bindir()
    source_url = backup.libpq_url(engine.url.set(database=source).render_as_string(False))
    dump = subprocess.run([bindir / "pg_dump", "-Fc", "-d", source_url], capture_output=True,
                          check=True).stdout  # fmt: skip
    subprocess.run([bindir / "pg_restore", "--no-owner", "-d", backup.libpq_url(url)],
                   input=dump, capture_output=True, check=True)  # fmt: skip
    return url


@pytest.fixture(scope="module")
def source_url(engine: Engine, county_engine: Engine) -> Iterator[str]:
    """The tiny county copied, with just three reports (Chinese text) and a note on one."""
    url = _clone(engine, COUNTY_DATABASE, SOURCE_DATABASE)
    source = create_engine(sqlalchemy_url(url))
    with source.begin() as conn:
        conn.execute(text("delete from reports"))  # what other tests left (events cascade)
        seed_categories(conn)
        lon, lat = conn.execute(text(
            "select ST_X(p), ST_Y(p) from (select ST_PointOnSurface(geom) p from grids "
            "where level = 3 order by code limit 1) s")).one()  # fmt: skip
    said = [
        ("public_security", "打架斗殴"),
        ("fire_hazard", "楼道堆放杂物"),
        ("dispute", "邻里纠纷"),
    ]
    items = [
        {"category": category, "lon": lon, "lat": lat, "text": said_text,
         "client_request_id": f"b-{n}", "reported_at": "2026-06-01T10:00:00+08:00"}
        for n, (category, said_text) in enumerate(said)
    ]  # fmt: skip
    result = submit_reports(source, pd.DataFrame(items), index=load_index(source))
    assert list(result.outcome) == ["accepted"] * 3
    with source.begin() as conn:
        add_note(conn, str(result.report_id[0]), "已到现场", actor="backup-test")
    source.dispose()
    yield url
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"drop database if exists {SOURCE_DATABASE}"))


@pytest.fixture(scope="module")
def fresh_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty geogrid home (its cluster is made by the first restore)."""
    home = tmp_path_factory.mktemp("restore") / "home"
    yield home
    embedded.stop(embedded.cluster_for(Settings(home=home)))


@pytest.fixture
def use(monkeypatch) -> Iterator:
    """Point the CLI at a database: use(url=...) or use(home=...)."""

    def point(*, url: str | None = None, home: Path | None = None) -> None:
        monkeypatch.delenv("GEOGRID_DATABASE_URL", raising=False)
        if url:
            monkeypatch.setenv("GEOGRID_DATABASE_URL", url)
        if home:
            monkeypatch.setenv("GEOGRID_HOME", str(home))
        get_settings.cache_clear()

    yield point
    get_settings.cache_clear()


def _contents(url: str) -> backup.Contents:
    with psycopg.connect(backup.libpq_url(url)) as conn:
        return backup.read_contents(conn)


def test_restore_into_a_fresh_home_gives_the_same_counts_and_checksum(
    source_url, fresh_home, use, tmp_path
):
    archive = tmp_path / "nightly.tar"
    use(url=source_url)
    made = _run("db", "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert archive.stat().st_mode & 0o077 == 0, "personal data: readable by its owner only"
    with tarfile.open(archive) as tar:
        assert tar.getnames()[:2] == ["manifest.json", "database.dump"]
    manifest = backup.read_manifest(archive)
    assert manifest.schema_revision == schema.head_revision()
    assert manifest.counts["reports"] == 3 and manifest.counts["report_events"] >= 1
    source = _contents(source_url)
    assert (manifest.counts, manifest.checksum) == (source.counts, source.checksum)

    use(home=fresh_home)
    restored = _run("db", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "3 reports" in restored.output and "checksum" in restored.output
    target = _contents(embedded.cluster_for(Settings(home=fresh_home)).url)
    assert target == source
    with psycopg.connect(embedded.cluster_for(Settings(home=fresh_home)).url) as conn:
        texts = {t for (t,) in conn.execute("select text from reports")}
    assert texts == {"打架斗殴", "楼道堆放杂物", "邻里纠纷"}


def test_restore_into_a_home_with_data_refuses_unless_forced(source_url, fresh_home, use, tmp_path):
    archive = tmp_path / "again.tar"
    use(url=source_url)
    assert _run("db", "backup", str(archive)).exit_code == 0
    use(home=fresh_home)
    _run("db", "restore", str(archive), "--force")  # the home holds data from here on
    with pytest.raises(GeogridError, match=r"already holds data \(3 reports, .*add --force"):
        _run("db", "restore", str(archive))
    forced = _run("db", "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    assert "replaced 3 reports" in forced.output
    assert _contents(embedded.cluster_for(Settings(home=fresh_home)).url) == _contents(source_url)


def test_restore_refuses_a_dump_of_a_newer_schema(engine, fresh_home, use, tmp_path):
    future = _new_database(engine, FUTURE_DATABASE)
    with psycopg.connect(backup.libpq_url(future), autocommit=True) as conn:
        conn.execute("create table alembic_version (version_num varchar(32) primary key)")
        conn.execute("insert into alembic_version values ('9999_made_by_a_newer_geogrid')")
    archive = tmp_path / "future.tar"
    try:
        use(url=future)
        assert _run("db", "backup", str(archive)).exit_code == 0
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"drop database if exists {FUTURE_DATABASE}"))
    use(home=fresh_home)
    with pytest.raises(GeogridError, match=r"revision 9999_made_by_a_newer_geogrid.*does not know"):
        _run("db", "restore", str(archive), "--force")


def test_a_damaged_archive_is_refused_before_anything_changes(source_url, use, tmp_path):
    archive = tmp_path / "damaged.tar"
    use(url=source_url)
    assert _run("db", "backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json").read()
        dump = bytearray(tar.extractfile("database.dump").read())
    dump[len(dump) // 2] ^= 0xFF
    damaged = tmp_path / "damaged2.tar"
    with tarfile.open(damaged, "w") as tar:
        for name, data in (("manifest.json", manifest), ("database.dump", bytes(dump))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    before = _contents(source_url)
    with pytest.raises(GeogridError, match="does not match its manifest's checksum"):
        _run("db", "restore", str(damaged), "--force")
    assert _contents(source_url) == before
    (tmp_path / "not.tar").write_text("hello")
    with pytest.raises(GeogridError, match="not a geogrid backup archive"):
        _run("db", "restore", str(tmp_path / "not.tar"))


def test_the_media_store_is_archived_and_restored(
    source_url, fresh_home, use, tmp_path, monkeypatch
):
    from geogrid.media.store import DiskStore

    photo = b"\xff\xd8 evidence bytes"
    photo_id = hashlib.sha256(photo).hexdigest()
    source = DiskStore(tmp_path / "media-source")
    source.put(photo_id, photo)
    source.put(photo_id, b"clean copy", "clean")
    (source.path(photo_id).parent / ".tmp-killed").write_bytes(b"half")  # never archived
    archive = tmp_path / "with-media.tar"
    monkeypatch.setenv("GEOGRID_MEDIA_DIR", str(source.root))
    use(url=source_url)
    assert _run("db", "backup", str(archive)).exit_code == 0
    manifest = backup.read_manifest(archive)
    media = sorted(n for n in manifest.files if n.startswith("media/"))
    assert media == [f"media/{photo_id[:2]}/{photo_id[2:4]}/{photo_id}",
                     f"media/{photo_id[:2]}/{photo_id[2:4]}/{photo_id}.clean"]  # fmt: skip

    target = DiskStore(tmp_path / "media-restored")
    monkeypatch.setenv("GEOGRID_MEDIA_DIR", str(target.root))
    use(home=fresh_home)
    restored = _run("db", "restore", "--force", str(archive))
    assert restored.exit_code == 0, restored.output
    assert target.get(photo_id) == photo and target.get(photo_id, "clean") == b"clean copy"
    assert target.files() == [target.path(photo_id), target.path(photo_id, "clean")]
    assert not list(tmp_path.glob(".geogrid-restore-*"))  # the staging folder is gone


def test_an_archive_missing_a_media_file_its_manifest_lists_is_refused(
    source_url, fresh_home, use, tmp_path, monkeypatch
):
    from geogrid.media.store import DiskStore

    photo = b"\xff\xd8 evidence bytes"
    photo_id = hashlib.sha256(photo).hexdigest()
    DiskStore(tmp_path / "media-source").put(photo_id, photo)
    archive = tmp_path / "with-media.tar"
    monkeypatch.setenv("GEOGRID_MEDIA_DIR", str(tmp_path / "media-source"))
    use(url=source_url)
    assert _run("db", "backup", str(archive)).exit_code == 0
    cut = tmp_path / "without-the-photo.tar"
    with tarfile.open(archive) as tar, tarfile.open(cut, "w") as out:
        for member in tar.getmembers():
            if not member.name.startswith("media/"):
                out.addfile(member, tar.extractfile(member))
    target = tmp_path / "media-restored"
    monkeypatch.setenv("GEOGRID_MEDIA_DIR", str(target))
    use(home=fresh_home)
    with pytest.raises(GeogridError, match=rf"media/.*{photo_id} is missing \(damaged"):
        _run("db", "restore", "--force", str(cut))
    assert not target.exists() or not any(target.rglob("*"))  # nothing half-placed
    assert not list(tmp_path.glob(".geogrid-restore-*"))
