"""`geogrid users add/list/revoke` and `geogrid serve`, run as a user would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import typer
from typer.testing import CliRunner

from geogrid.cli import serve as serve_commands
from geogrid.cli import users as user_commands
from geogrid.settings import get_settings
from tests.api.places import USER_PREFIX

cli = typer.Typer()
cli.command("serve")(serve_commands.serve)
cli.add_typer(user_commands.app, name="users")


@pytest.fixture
def database_url(county, monkeypatch) -> str:
    """The CLI pointed at the county database."""
    url = county.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("GEOGRID_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str):
    """Invoke the commands in process."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_users_add_list_revoke(database_url, users):
    name = USER_PREFIX + "cli"
    added = run("users", "add", name, "--role", "station", "--station", "370782P02")
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert len(token) == 43
    listed = run("users", "list")
    assert name in listed.output and "370782P02" in listed.output and token not in listed.output
    assert run("users", "revoke", name).exit_code == 0
    assert "revoked" in run("users", "list").output


def test_users_sessions_lists_and_ends_a_phone(database_url, users, client):
    phone = client.post("/v1/devices", json={"token": users.staff02, "device_name": "cli 手机"})
    assert phone.status_code == 201, phone.text
    session_id = str(phone.json()["id"])
    listed = run("users", "sessions", USER_PREFIX + "staff02")
    assert session_id in listed.output and "cli 手机" in listed.output
    assert phone.json()["secret"] not in listed.output
    assert run("users", "end-session", session_id).exit_code == 0
    assert session_id not in run("users", "sessions").output.split()
    gone = client.get("/v1/me", headers={"Authorization": f"Bearer {phone.json()['secret']}"})
    assert gone.status_code == 401


@pytest.mark.parametrize(
    "args, message",
    [(["--role", "station"], "needs --station"), (["--role", "boss"], "unknown role"),
     (["--role", "station", "--station", "X9"], "no station"),
     (["--role", "county_admin", "--person", "1"], "takes no --person")],
)  # fmt: skip
def test_users_add_refuses_what_does_not_fit(database_url, users, args, message):
    from geogrid.errors import GeogridError

    with pytest.raises(GeogridError, match=message):
        run("users", "add", USER_PREFIX + "bad", *args)


def test_serve_answers_over_http(database_url, users):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")}
    env["GEOGRID_DATABASE_URL"] = database_url
    code = "import typer; from geogrid.cli.serve import serve; typer.run(serve)"
    command = [sys.executable, "-c", code, "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        me = _get_when_up(f"http://127.0.0.1:{port}/v1/me", users.admin)
        assert me["role"] == "county_admin"
    finally:
        os.killpg(server.pid, signal.SIGINT)
        assert server.wait(timeout=30) in (0, -signal.SIGINT)


def _get_when_up(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                return json.load(answer)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_refuses_a_bad_api_setting_before_starting(monkeypatch):
    from geogrid.errors import ConfigurationError

    monkeypatch.setenv("GEOGRID_API_MAX_PAGE_SIZE", "many")
    with pytest.raises(ConfigurationError, match="GEOGRID_API_MAX_PAGE_SIZE"):
        run("serve", "--port", "1")
