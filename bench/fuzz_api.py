"""Fuzzing: schemathesis over the served OpenAPI document, every check, every phase.

The longer run behind tests/api/test_schemathesis.py: `geogrid serve` on a loopback port
of a private GEOGRID_HOME holding the demo county (made with `geogrid demo --scale tiny
--no-serve` when the home has none), a county administrator's token made for the run and
revoked after it, then

    schemathesis run http://127.0.0.1:PORT/openapi.json --checks all
        --phases examples,coverage,fuzzing,stateful --max-examples N --seed S

with the settings of schemathesis.toml (which statuses answer a request the document
allows). Prints schemathesis's summary, the time taken and the verdict; exits with
schemathesis's status. Target: no failure.

    .venv/bin/python bench/fuzz_api.py --home /tmp/gg-fuzz --max-examples 100
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEOGRID = str(Path(sys.executable).parent / "geogrid")
PHASES = "examples,coverage,fuzzing,stateful"


def main() -> None:
    """Serve the demo, fuzz it, print the figures."""
    args = _arguments()
    env = os.environ | {"GEOGRID_HOME": str(args.home)}
    if not (args.home / "sample").exists():
        print(f"making the tiny demo in {args.home} ...", flush=True)
        subprocess.run([GEOGRID, "demo", "--scale", "tiny", "--no-serve"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    name = f"fuzz-{secrets.token_hex(4)}"
    added = subprocess.run([GEOGRID, "users", "add", name, "--role", "county_admin"], env=env,
                           check=True, capture_output=True, text=True)  # fmt: skip
    token = added.stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen([GEOGRID, "serve", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        status = _fuzz(port, token, args)
    finally:
        server.terminate()
        server.wait(30)
        subprocess.run([GEOGRID, "users", "revoke", name], env=env, capture_output=True)
        if args.stop:  # the embedded cluster outlives the server; a bench leaves nothing running
            subprocess.run([GEOGRID, "db", "stop"], env=env, capture_output=True)
    sys.exit(status)


def _fuzz(port: int, token: str, args: argparse.Namespace) -> int:
    command = [
        sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; "
        "sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())",
        "run", f"http://127.0.0.1:{port}/openapi.json", "--checks", "all", "--phases", PHASES,
        "--max-examples", str(args.max_examples), "--seed", str(args.seed),
        "--header", f"Authorization: Bearer {token}", "--workers", "1",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - started
    print(done.stdout.replace(token, "[token]")[-6000:])
    print(done.stderr[-2000:], file=sys.stderr)
    verdict = "no failure" if done.returncode == 0 else f"failures (exit {done.returncode})"
    print(f"schemathesis, every check, phases {PHASES}, --max-examples {args.max_examples}, "
          f"--seed {args.seed}: {verdict} in {seconds:.0f} s")  # fmt: skip
    return done.returncode


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None,
                        help="GEOGRID_HOME (default: a new temporary one)")  # fmt: skip
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--keep-running", dest="stop", action="store_false",
                        help="leave the embedded database running afterwards")  # fmt: skip
    args = parser.parse_args()
    args.home = args.home or Path(tempfile.mkdtemp(prefix="geogrid-fuzz-"))
    return args


if __name__ == "__main__":
    main()
