"""Running the installed console script as a user would, with a clean GEOGRID_ environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GEOGRID = str(Path(sys.executable).parent / "geogrid")


def run_geogrid(*args: str, cwd: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run `geogrid ARGS` with only the GEOGRID_ variables given; capture its output."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")} | env
    full_env["COLUMNS"] = "200"  # rich wraps tables to the terminal width
    return subprocess.run(
        [GEOGRID, *args], capture_output=True, text=True, env=full_env, timeout=300, cwd=cwd
    )
