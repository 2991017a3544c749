"""The embedded PostgreSQL + PostGIS cluster that geogrid runs in its own data directory.

It listens on a unix socket only (no TCP port is opened), is started on first use and reused
by later commands. When geogrid runs as root the server runs as the `postgres` system user,
because postgres refuses to run as root; `setpriv` keeps the DAC-override capability so the
server can reach a data directory below a root-only folder such as /root or pytest's tmp.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from geogrid.errors import DatabaseError, PostGISMissingError
from geogrid.settings import Settings

SUPERUSER = "geogrid"
DATABASE = "geogrid"
POSTGIS_INSTALL_HINT = (
    "On Debian/Ubuntu: apt-get install postgresql-15-postgis-3 (match your PostgreSQL "
    "major version); elsewhere install PostGIS 3 for the server's PostgreSQL."
)
_SETPRIV = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
            "--inh-caps=+dac_override", "--ambient-caps=+dac_override"]  # fmt: skip
_MAX_SOCKET_PATH = 100  # the kernel's limit is 107 bytes including ".s.PGSQL.NNNNN.lock"


@dataclass(frozen=True)
class Cluster:
    """Where one embedded cluster lives: data, log and unix socket folders, and its port."""

    home: Path
    port: int
    bindir: Path
    fsync: bool = True

    @property
    def data_dir(self) -> Path:
        """The PostgreSQL data directory (PGDATA)."""
        return self.home / "pgdata"

    @property
    def log_file(self) -> Path:
        """The server log; its tail is quoted when the server does not start."""
        return self.home / "log" / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        """A short folder for the unix socket: in home when the path fits, else in /tmp."""
        candidate = self.home / "run"
        if len(str(candidate)) + len("/.s.PGSQL.65535.lock") <= _MAX_SOCKET_PATH:
            return candidate
        digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"geogrid-{digest}"

    @property
    def url(self) -> str:
        """A libpq URL for the cluster's geogrid database (works with psql)."""
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@/{DATABASE}?host={host}&port={self.port}"


@dataclass(frozen=True)
class ClusterStatus:
    """What `geogrid db status` reports."""

    initialised: bool
    running: bool
    pid: int | None
    recovered: bool
    url: str
    data_dir: Path


def cluster_for(settings: Settings) -> Cluster:
    """The embedded cluster that these settings describe."""
    return Cluster(
        home=settings.home,
        port=settings.db_port,
        bindir=find_pg_bindir(settings.pg_bindir),
        fsync=settings.db_fsync,
    )


def find_pg_bindir(configured: Path | None = None) -> Path:
    """The folder holding initdb and pg_ctl: configured, Debian's newest, or on PATH."""
    if configured is not None:
        if not (configured / "pg_ctl").exists():
            raise DatabaseError(f"GEOGRID_PG_BINDIR={configured} holds no pg_ctl")
        return configured
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    raise DatabaseError(
        "PostgreSQL server programs (initdb, pg_ctl) were not found. On Debian/Ubuntu: "
        "apt-get install postgresql-15 postgresql-15-postgis-3; or set GEOGRID_DATABASE_URL "
        "to an existing PostGIS server."
    )


def ensure_running(cluster: Cluster) -> ClusterStatus:
    """Create the cluster if needed, start it if it is not running, and return its status."""
    with _cluster_lock(cluster):
        if not (cluster.data_dir / "PG_VERSION").exists():
            _init_cluster(cluster)
        recovered = _clear_stale_pid(cluster)
        if _server_pid(cluster) is None:
            _start_server(cluster)
        _ensure_database(cluster)
        return status(cluster, recovered=recovered)


def status(cluster: Cluster, *, recovered: bool = False) -> ClusterStatus:
    """The cluster's state, without starting or changing anything."""
    pid = _server_pid(cluster)
    return ClusterStatus(
        initialised=(cluster.data_dir / "PG_VERSION").exists(),
        running=pid is not None,
        pid=pid,
        recovered=recovered,
        url=cluster.url,
        data_dir=cluster.data_dir,
    )


def crashed(cluster: Cluster) -> bool:
    """True when a pid file is left by a server that is gone (killed, machine rebooted)."""
    pid_file = cluster.data_dir / "postmaster.pid"
    return pid_file.exists() and _server_pid(cluster) is None


def restart_if_crashed(cluster: Cluster) -> bool:
    """Start the server again when it died (a stale pid file); False when it had not died.

    The lock lets the first of several watching API workers restart it; the others find it
    running. A server stopped on purpose (`geogrid db stop`) leaves no pid file: left so.
    """
    with _cluster_lock(cluster):
        if not _clear_stale_pid(cluster):
            return False
        _start_server(cluster)
        return True


def stop(cluster: Cluster) -> bool:
    """Stop the server (fast shutdown); False when it was not running."""
    with _cluster_lock(cluster):
        if _server_pid(cluster) is None:
            return False
        _pg_ctl(cluster, "stop", "-m", "fast", "-w", "-t", "60")
        return True


@contextlib.contextmanager
def _cluster_lock(cluster: Cluster) -> Iterator[None]:
    """Serialise init/start/stop between geogrid processes sharing one home."""
    cluster.home.mkdir(parents=True, exist_ok=True)
    with open(cluster.home / ".cluster.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _init_cluster(cluster: Cluster) -> None:
    if cluster.data_dir.exists() and any(cluster.data_dir.iterdir()):
        raise DatabaseError(
            f"{cluster.data_dir} exists, is not empty and holds no PostgreSQL cluster; "
            "move it away or set GEOGRID_HOME to another folder"
        )
    for folder in (cluster.data_dir, cluster.log_file.parent):
        folder.mkdir(parents=True, exist_ok=True)
        _give_to_server_user(folder)
    cluster.data_dir.chmod(0o700)
    _run_as_server(
        [str(cluster.bindir / "initdb"), "-D", str(cluster.data_dir), "-U", SUPERUSER,
         "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
        what="initdb",
    )  # fmt: skip
    _write_server_config(cluster)


def _write_server_config(cluster: Cluster) -> None:
    lines = [
        "# written by geogrid: unix socket only, no TCP",
        "listen_addresses = ''",
        f"port = {cluster.port}",
        f"unix_socket_directories = '{cluster.socket_dir}'",
        "unix_socket_permissions = 0777",
        f"fsync = {'on' if cluster.fsync else 'off'}",
        f"synchronous_commit = {'on' if cluster.fsync else 'off'}",
        "max_connections = 100",
        "shared_buffers = 256MB",
        # Bulk report ingest: fewer checkpoints (and so fewer full-page images in the WAL).
        "max_wal_size = 4GB",
        "checkpoint_timeout = 15min",
        "wal_compression = on",
        "logging_collector = off",
        # The sync of the data folder before crash recovery: file by file took 5 s of 8.
        "recovery_init_sync_method = syncfs",
    ]
    conf = cluster.data_dir / "postgresql.conf"
    with conf.open("a", encoding="utf-8") as handle:
        handle.write("\n" + "\n".join(lines) + "\n")


def _start_server(cluster: Cluster) -> None:
    cluster.socket_dir.mkdir(parents=True, exist_ok=True)
    _give_to_server_user(cluster.socket_dir)
    _refuse_foreign_socket(cluster)
    deadline = time.monotonic() + 20
    while True:
        try:
            _pg_ctl(cluster, "start", "-w", "-t", "60", "-l", str(cluster.log_file))
            return
        except DatabaseError:
            # After a kill -9 the old backends hold shared memory for a moment; retry.
            if time.monotonic() > deadline:
                raise
            _clear_stale_pid(cluster)
            time.sleep(0.5)


def _refuse_foreign_socket(cluster: Cluster) -> None:
    """A live server of somebody else's on our socket would be used silently: refuse; a
    dead server's lock is removed."""
    lock = cluster.socket_dir / f".s.PGSQL.{cluster.port}.lock"
    if not lock.exists():
        return
    try:
        other_pid = int(lock.read_text().split()[0])
    except (ValueError, IndexError, OSError):
        return
    if not _alive(other_pid):
        # A killed server's lock: PostgreSQL's own check takes a dead postmaster that is not
        # yet reaped (a zombie) for a live one and refuses to start until it is.
        lock.unlink(missing_ok=True)
    else:
        raise DatabaseError(
            f"the socket {cluster.socket_dir}/.s.PGSQL.{cluster.port} is in use by another "
            f"server (pid {other_pid}); set GEOGRID_DB_PORT to another number or stop it"
        )


def _clear_stale_pid(cluster: Cluster) -> bool:
    """Remove the pid file of a server that died; True when there was one."""
    if not crashed(cluster):
        return False
    with contextlib.suppress(FileNotFoundError):
        (cluster.data_dir / "postmaster.pid").unlink()
    return True


def _server_pid(cluster: Cluster) -> int | None:
    """The postmaster's pid when it is alive, from the data directory's pid file."""
    pid_file = cluster.data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError, PermissionError):
        return None
    return pid if _alive(pid) and _is_postgres(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _state(pid) != "Z"


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[-1].split()[0]


def _is_postgres(pid: int) -> bool:
    """Guard against a recycled pid that now belongs to some other program."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return True  # cannot tell (not Linux, or not ours to read): trust the pid file
    return os.path.basename(exe).startswith("postgres")


def _pg_ctl(cluster: Cluster, *args: str) -> None:
    _run_as_server(
        [str(cluster.bindir / "pg_ctl"), "-D", str(cluster.data_dir), *args],
        what=f"pg_ctl {args[0]}",
        log_file=cluster.log_file,
    )


def _run_as_server(command: list[str], *, what: str, log_file: Path | None = None) -> None:
    if os.geteuid() == 0:
        _server_user()
        command = [*_SETPRIV, *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        if log_file is not None and log_file.exists():
            detail += "\n--- server log (last lines) ---\n" + _tail(log_file)
        raise DatabaseError(f"{what} failed (exit {result.returncode}): {detail}")


def _tail(path: Path, lines: int = 12) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise DatabaseError(
            "geogrid runs as root, and PostgreSQL will not; it needs the 'postgres' system "
            "user, which Debian's postgresql package creates"
        ) from None


def _give_to_server_user(folder: Path) -> None:
    if os.geteuid() == 0:
        user = _server_user()
        os.chown(folder, user.pw_uid, user.pw_gid)


def _ensure_database(cluster: Cluster) -> None:
    """Create the geogrid database and the PostGIS extension in it, once."""
    import psycopg

    admin_url = cluster.url.replace(f"/{DATABASE}?", "/postgres?")
    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as exc:
        # Seen when a data folder was deleted under a running server: the old postmaster
        # lives on and took the socket with it. Say what to do instead of a traceback.
        raise DatabaseError(
            f"the embedded server of {cluster.data_dir} (pid {_server_pid(cluster)}) does not "
            f"answer on {cluster.socket_dir}: {str(exc).strip().splitlines()[0]}. Run "
            "`geogrid db stop` and try again; see the log in "
            f"{cluster.data_dir.parent / 'log'}"
        ) from None
    with admin as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (DATABASE,))
        if exists.fetchone() is None:
            conn.execute(f'create database "{DATABASE}" template template0 encoding UTF8')
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        ensure_postgis(conn)


def ensure_postgis(conn) -> None:
    """Create the PostGIS extension, or say clearly that the server does not have it."""
    available = conn.execute(
        "select 1 from pg_available_extensions where name = 'postgis'"
    ).fetchone()
    if available is None:
        raise PostGISMissingError(
            "the PostgreSQL server has no PostGIS extension available. " + POSTGIS_INSTALL_HINT
        )
    conn.execute("create extension if not exists postgis")


def kill_server_hard(cluster: Cluster) -> int:
    """Kill the postmaster with SIGKILL (for tests and drills); returns the pid killed."""
    pid = _server_pid(cluster)
    if pid is None:
        raise DatabaseError("the embedded server is not running")
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.05)
    return pid
