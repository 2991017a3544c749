"""The app's shell over HTTP: the page and its headers, the service worker's list, the
manifest, the kinds with their fields, and no file outside the app's folder."""

from __future__ import annotations

import json

from geogrid.app.shell import release
from geogrid.reports.categories import CATEGORIES


def test_the_shell_is_one_page_under_the_workers_scope(client):
    moved = client.get("/app", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/app/"
    page = client.get("/app/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert f"main.js?v={release()}" in page.text and "<script>" not in page.text
    assert "https://" not in page.text and "http://" not in page.text


def test_the_service_worker_lists_files_that_exist(client):
    worker = client.get("/app/sw.js")
    assert worker.headers["service-worker-allowed"] == "/app/"
    assert worker.headers["cache-control"] == "no-cache"
    assert f'"geogrid-app-{release()}"' in worker.text
    files = json.loads(worker.text.split("var FILES = ", 1)[1].split(";\n", 1)[0])
    assert files[0] == "/app/" and len(files) > 10
    for url in files:
        assert client.get(url).status_code == 200, url


def test_the_manifest_makes_it_installable(client):
    manifest = client.get("/app/manifest.webmanifest").json()
    assert manifest["start_url"] == "/app/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).headers["content-type"] == "image/png"


def test_every_kind_has_its_fields_and_sensitivity(client):
    kinds = {k["code"]: k for k in client.get("/app/kinds.json").json()}
    assert set(kinds) == {c.code for c in CATEGORIES}
    assert {c for c, k in kinds.items() if k["sensitive"]} >= {"population", "key_person"}
    basic = [k for k in kinds.values() if k["kind"] == "basic"]
    assert len(basic) == 8 and all(len(k["fields"]) >= 3 for k in basic)
    assert [f["label"] for f in kinds["population"]["fields"]][:2] == ["姓名", "身份证号"]


def test_no_file_outside_the_apps_folder(client):
    for path in ("../shell.py", "..%2Fshell.py", "sw.template.js", "nothing.js", "app.css/x"):
        assert client.get(f"/app/static/{path}").status_code == 404, path
    assert client.get("/app/static/app.css").headers["content-type"].startswith("text/css")
