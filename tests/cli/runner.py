"""Running the installed console script as a user would, with a clean GEOGRID_ environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_SCRIPT = Path(sys.executable).parent / "geogrid"
# The installed console script; in a virtualenv without one (a worktree sharing another
# tree's packages), the same entry point run from this tree's sources.
GEOGRID = [str(_SCRIPT)] if _SCRIPT.exists() else [
    sys.executable, "-c", "from geogrid.cli import main; main()"]  # fmt: skip


def run_geogrid(*args: str, cwd: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run `geogrid ARGS` with only the GEOGRID_ variables given; capture its output."""
    return subprocess.run([*GEOGRID, *args], capture_output=True, text=True,
                          env=geogrid_env(**env), timeout=300, cwd=cwd)  # fmt: skip


def geogrid_env(database_url: str | None = None, **env: str) -> dict[str, str]:
    """This process's environment without its GEOGRID_ variables, plus the given ones."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")} | env
    if database_url is not None:
        full_env["GEOGRID_DATABASE_URL"] = database_url
    full_env["COLUMNS"] = "200"  # rich wraps tables to the terminal width
    if not _SCRIPT.exists():
        paths = [str(REPO), full_env.get("PYTHONPATH", "")]
        full_env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return full_env
