"""Backups of the database in use, in PostgreSQL's own dump format, and their restore.

An archive is one tar file: `manifest.json` first (what was backed up: schema revision,
geogrid version, row counts, a checksum over reports and events, and every other member
with its size and SHA-256), then `database.dump` (pg_dump's custom format), then the
media store's files (evidence photos) as `media/<path in the store>`, each listed in the
manifest too (archives made before photos simply have none). The counts and the checksum
are taken in the same snapshot that pg_dump dumps, so a restore can prove it got back
what was saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

from geogrid import __version__
from geogrid.errors import DatabaseError, InputError
from geogrid.storage import schema

ARCHIVE_FORMAT = "geogrid-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media/"  # the prefix of the media store's files in an archive
# The checksum covers what must never be lost: reports and their audit trail, in key order.
CHECKSUM_TABLES = {"reports": "id", "report_events": "id"}
_NOT_DATA = {"alembic_version", "spatial_ref_sys"}


@dataclass(frozen=True)
class Manifest:
    """What an archive holds; written as manifest.json."""

    schema_revision: str | None
    counts: dict[str, int]
    checksum: str
    extensions: list[str]
    server_version: str
    files: dict[str, dict] = field(default_factory=dict)  # member -> {"bytes", "sha256"}
    geogrid_version: str = __version__
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    format: str = ARCHIVE_FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        """The manifest as UTF-8 JSON."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes, source: Path) -> Manifest:
        """A manifest read back, or an InputError naming the archive."""
        try:
            data = json.loads(raw)
            if data.get("format") != ARCHIVE_FORMAT:
                raise ValueError(f"format is {data.get('format')!r}")
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise InputError(f"{source}: not a geogrid backup manifest ({exc})") from None


@dataclass(frozen=True)
class Contents:
    """Row counts per table and the checksum over reports and events."""

    counts: dict[str, int]
    checksum: str


def libpq_url(url: str) -> str:
    """A URL pg_dump and pg_restore accept (SQLAlchemy's driver name removed)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def read_contents(conn: psycopg.Connection) -> Contents:
    """Counts of every geogrid table and the checksum, as this connection's snapshot sees."""
    counts = table_counts(conn)
    return Contents(counts, _checksum(conn, [t for t in CHECKSUM_TABLES if t in counts]))


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows in each table of the public schema but PostGIS's and Alembic's own."""
    tables = [name for (name,) in conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1")]  # fmt: skip
    counts = {}
    for name in tables:
        if name not in _NOT_DATA:
            query = sql.SQL("select count(*) from {}").format(sql.Identifier(name))
            counts[name] = conn.execute(query).fetchone()[0]
    return counts


def _checksum(conn: psycopg.Connection, tables: list[str]) -> str:
    """SHA-256 over the text of every row of `tables`, in key order, times in UTC."""
    conn.execute("set timezone to 'UTC'")  # a row's text shows times in the session's zone
    digest = hashlib.sha256()
    for table in tables:
        digest.update(f"\0{table}\0".encode())
        query = sql.SQL("select t::text from {} t order by t.{}").format(
            sql.Identifier(table), sql.Identifier(CHECKSUM_TABLES[table])
        )
        with conn.cursor(name=f"checksum_{table}") as cursor:  # streamed, not all in memory
            cursor.execute(query)
            for (row,) in cursor:
                digest.update(row.encode())
                digest.update(b"\n")
    return digest.hexdigest()


def create_backup(url: str, bindir: Path, target: Path, media_root: Path | None = None) -> Manifest:
    """Dump the database at `url`, and the files of the media store at `media_root`, into
    the archive `target` (written whole or not at all)."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".geogrid-backup-") as work:
        dump = Path(work) / DUMP
        with psycopg.connect(libpq_url(url)) as conn:
            # One snapshot for the counts, the checksum and pg_dump: the manifest describes
            # exactly what the dump holds, however busy the server is.
            conn.execute("set transaction isolation level repeatable read, read only")
            snapshot = conn.execute("select pg_export_snapshot()").fetchone()[0]
            contents = read_contents(conn)
            _pg_tool(bindir, "pg_dump", url, "--format=custom", "--no-owner",
                     "--no-privileges", f"--snapshot={snapshot}", f"--file={dump}")  # fmt: skip
            manifest = Manifest(
                schema_revision=_revision(conn), counts=contents.counts,
                checksum=contents.checksum, extensions=_extensions(conn),
                server_version=conn.execute("show server_version").fetchone()[0],
                files={DUMP: {"bytes": dump.stat().st_size, "sha256": _sha256(dump)}},
            )  # fmt: skip
        # Media after the snapshot: a photo's files are written before its row, so every
        # photo the dump holds has its files here (a later one's extra files are harmless).
        media = _media_files(media_root)
        manifest.files.update({name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
                               for name, path in media.items()})  # fmt: skip
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, manifest.to_json())
            archive.add(dump, arcname=DUMP)
            for name, path in media.items():
                archive.add(path, arcname=name)
        partial.chmod(0o600)  # it holds personal data (reporters, residents): owner only
        os.replace(partial, target)  # a crash mid-way never leaves a half archive named FILE
    return manifest


def _media_files(root: Path | None) -> dict[str, Path]:
    """The media store's files by archive member name (a killed writer's temp files left out)."""
    if root is None or not root.is_dir():
        return {}
    return {f"{MEDIA}{path.relative_to(root).as_posix()}": path for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".tmp-")}  # fmt: skip


def _revision(conn: psycopg.Connection) -> str | None:
    exists = conn.execute("select to_regclass('public.alembic_version')").fetchone()[0]
    if exists is None:
        return None
    row = conn.execute("select version_num from alembic_version").fetchone()
    return row[0] if row else None


def _extensions(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute("select extname from pg_extension where extname <> 'plpgsql' order by 1")
    return [name for (name,) in rows]


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(bindir: Path, program: str, url: str | None, *args: str) -> str:
    """Run pg_dump or pg_restore (on `url`); a password goes in the environment, not argv."""
    env, command = dict(os.environ), [str(bindir / program), *args]
    if url is not None:
        params = conninfo.conninfo_to_dict(libpq_url(url))
        if "password" in params:
            env["PGPASSWORD"] = str(params.pop("password"))
        command.append(f"--dbname={conninfo.make_conninfo(**params)}")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DatabaseError(f"{program} failed (exit {result.returncode}): "
                            + " | ".join(detail[:5]))  # fmt: skip
    return result.stdout


@dataclass(frozen=True)
class Restored:
    """What a restore did: the archive's manifest, the rows it replaced, what is there now."""

    manifest: Manifest
    replaced: dict[str, int]
    contents: Contents


def read_manifest(archive: Path) -> Manifest:
    """The manifest of an archive, or an InputError saying why it is not one."""
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile(MANIFEST)
            raw = member.read() if member is not None else b""
    except (OSError, tarfile.TarError, KeyError) as exc:
        raise InputError(f"{archive}: not a geogrid backup archive ({exc})") from None
    return Manifest.from_json(raw, archive)


def check_restorable(manifest: Manifest, archive: Path) -> None:
    """Refuse an archive this geogrid cannot restore faithfully: a newer format or schema."""
    made_by = f"geogrid {manifest.geogrid_version}"
    if manifest.format_version > FORMAT_VERSION:
        raise InputError(
            f"{archive} is a backup of format {manifest.format_version} made by {made_by}; "
            f"this geogrid ({__version__}) reads format {FORMAT_VERSION}: upgrade geogrid"
        )
    revision = manifest.schema_revision
    if revision is not None and not schema.is_known_revision(revision):
        raise InputError(
            f"{archive} was made by {made_by} with database schema revision {revision}, "
            f"which this geogrid ({__version__}, newest revision {schema.head_revision()}) "
            "does not know: restore it with that geogrid or a newer one; nothing was changed"
        )


def restore_backup(
    target: Callable[[], str], bindir: Path, archive: Path, *, force: bool = False,
    media_root: Path | None = None,
) -> Restored:  # fmt: skip
    """Replace the database whose URL `target` gives with the archive's, and put its media
    files into `media_root`; refuses a database holding data unless `force`. The media
    files are extracted and checked first, pg_restore runs in one transaction: a failed
    restore changes nothing. `target` is called once the archive is checked, so a refused
    archive starts no embedded server."""
    manifest = read_manifest(archive)
    check_restorable(manifest, archive)
    url = target()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        present = {table: rows for table, rows in table_counts(conn).items() if rows}
        if present and not force:
            raise DatabaseError(
                f"the database already holds data ({describe_counts(present)}); restoring "
                f"{archive} would replace all of it: add --force to do so"
            )
        for extension in manifest.extensions:  # created, never dropped: see _restore_list
            conn.execute(sql.SQL("create extension if not exists {}").format(
                sql.Identifier(extension)))  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="geogrid-restore-") as work, \
            _media_staging(manifest, media_root) as staged:  # fmt: skip
        if staged is not None:
            _stage_media(archive, manifest, staged)
        dump = _extract_dump(archive, manifest, Path(work))
        listing = Path(work) / "restore.list"
        listing.write_text(_restore_list(bindir, dump), encoding="utf-8")
        _pg_tool(bindir, "pg_restore", url, "--clean", "--if-exists", "--single-transaction",
                 "--exit-on-error", "--no-owner", "--no-privileges", f"--use-list={listing}",
                 str(dump))  # fmt: skip
        with psycopg.connect(libpq_url(url)) as conn:
            contents = read_contents(conn)
        _check_restored(manifest, contents, archive)
        if staged is not None and media_root is not None:
            _place_media(staged, media_root)
    return Restored(manifest, present, contents)


def describe_counts(counts: dict[str, int]) -> str:
    """'1,234 reports, 56 report_events, ...': the tables people look for first."""
    first = [t for t in ("reports", "report_events", "grid_versions", "people") if t in counts]
    rest = sorted(t for t in counts if t not in first)
    return ", ".join(f"{counts[t]:,} {t}" for t in first + rest if counts[t])


def _extract_dump(archive: Path, manifest: Manifest, work: Path) -> Path:
    """The dump, written to `work` and checked against the manifest's SHA-256."""
    expected = manifest.files.get(DUMP, {}).get("sha256")
    target = work / DUMP
    try:
        with tarfile.open(archive) as tar:
            source = tar.extractfile(DUMP)
            if source is None:
                raise KeyError(DUMP)
            with target.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
    except (OSError, tarfile.TarError, KeyError) as exc:
        raise InputError(f"{archive}: cannot read its {DUMP} ({exc})") from None
    if _sha256(target) != expected:
        raise InputError(f"{archive}: {DUMP} does not match its manifest's checksum (damaged)")
    return target


def _media_staging(manifest: Manifest, media_root: Path | None):
    """A folder beside the media store for the archive's media files (removed afterwards),
    or a null context when there is no store to fill or nothing to fill it with."""
    if media_root is None or not any(n.startswith(MEDIA) for n in manifest.files):
        return contextlib.nullcontext(None)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".geogrid-restore-")


def _stage_media(archive: Path, manifest: Manifest, staged: Path) -> None:
    """Extract the archive's media files into `staged`, each checked against the manifest
    (InputError naming a damaged one): before anything is replaced."""
    with tarfile.open(archive) as tar:
        for name in (n for n in manifest.files if n.startswith(MEDIA)):
            relative = Path(name[len(MEDIA) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise InputError(f"{archive}: a media member {name!r} outside the store")
            try:  # a member the manifest lists but the archive lacks: tarfile's KeyError
                source = tar.extractfile(name)
            except (KeyError, tarfile.TarError):
                source = None
            if source is None:
                raise InputError(f"{archive}: its {name} is missing (damaged archive)")
            out = Path(staged) / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(source.read())
            if _sha256(out) != manifest.files[name]["sha256"]:
                raise InputError(f"{archive}: {name} does not match its manifest (damaged)")


def _place_media(staged: Path, media_root: Path) -> None:
    """Move staged media files into the store (renames on one disk); files already there
    are the same bytes (content-addressed) and stay."""
    for path in sorted(p for p in Path(staged).rglob("*") if p.is_file()):
        final = media_root / path.relative_to(staged)
        final.parent.mkdir(parents=True, exist_ok=True)
        if not final.exists():
            os.replace(path, final)


def _restore_list(bindir: Path, dump: Path) -> str:
    """The dump's table of contents without its extensions, which are created beforehand:
    dropping and re-creating PostGIS would take other users' objects with it."""
    listing = _pg_tool(bindir, "pg_restore", None, "--list", str(dump))
    kept = [line for line in listing.splitlines()
            if not _EXTENSION_ENTRY.match(line)]  # fmt: skip
    return "\n".join(kept) + "\n"


_EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (EXTENSION|COMMENT - EXTENSION) ")


def _check_restored(manifest: Manifest, contents: Contents, archive: Path) -> None:
    """The restored database must hold what the archive's manifest says it held."""
    counts = {table: contents.counts.get(table) for table in manifest.counts}
    if counts != manifest.counts or contents.checksum != manifest.checksum:
        differ = [t for t in manifest.counts if counts[t] != manifest.counts[t]]
        raise DatabaseError(
            f"restored {archive}, but the database does not hold what it held: tables "
            f"differing {differ or 'none'}, checksum over reports and events "
            f"{'matches' if contents.checksum == manifest.checksum else 'differs'}"
        )
