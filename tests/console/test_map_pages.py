"""The console's map page and its data routes through a TestClient: the sign-in redirect,
the page's headers, and the scope of the panel, layers and patrol sheet."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pyogrio
from sqlalchemy import text

from geogrid.api.routes.console_map import csp_with_tiles
from geogrid.console.render import CSP
from geogrid.reports.loop import OPEN
from geogrid.vocabulary import china_now
from tests.api.fixtures import auth
from tests.api.places import person_on, tile_of
from tests.console.conftest import cookie_header

# A box around the whole tiny county (lon/lat), at county zoom.
COUNTY_BOX = "119.0,35.7,119.9,36.3"


def _leader_name(county, grid: str) -> str:
    person_id, _ = person_on(county.engine, grid, "grid_leader")
    with county.engine.connect() as conn:
        return conn.scalar(text("select name from people where id = :i"), {"i": person_id})


def test_without_a_session_the_map_page_sends_the_browser_to_sign_in(client):
    answer = client.get("/console/map", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/signin")
    ended = client.get("/console/map", follow_redirects=False,
                       headers={"Cookie": "geogrid_session=not-a-session"})  # fmt: skip
    assert ended.status_code == 303


def test_the_map_page_allows_only_this_server_and_has_no_inline_script(client, county, users):
    answer = client.get("/console/map", headers=cookie_header(county.engine, users.p01))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-security-policy"] == CSP
    assert answer.headers["cache-control"] == "no-store"
    page = answer.text
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert " style=" not in page and "<style" not in page
    assert 'id="cm-map"' in page and "data-bounds=" in page
    assert (
        "/static/maps/geogrid/geogrid-map.js" in page and "/console/static/console-map.js" in page
    )
    assert "/static/maps/vectorgrid/Leaflet.VectorGrid.bundled.min.js" in page
    assert client.get("/console/static/console-map.js").status_code == 200


def test_the_map_is_for_the_desk_roles(client, county, users):
    answer = client.get("/console/map", headers=cookie_header(county.engine, users.staff01))
    assert answer.status_code == 403
    assert "cm-map" not in answer.text
    streets = client.get(f"/console/map/streets.json?bbox={COUNTY_BOX}&zoom=12",
                         headers=auth(users.fire))  # fmt: skip
    assert streets.status_code == 403


def test_the_panel_is_scoped_like_the_grid_endpoint(client, county, users):
    grid, unit = county.p01.grid, county.p01.unit
    leader = _leader_name(county, grid)
    for token in (users.p01, users.admin):
        answer = client.get(f"/console/map/grids/{unit}", headers=auth(token))
        assert answer.status_code == 200, answer.text
        assert leader in answer.text and unit in answer.text
        assert f"/console/map/grids/{grid}/sheet.pdf" in answer.text
    for code in (unit, grid, county.p01.community):
        assert client.get(f"/console/map/grids/{code}", headers=auth(users.p02)).status_code == 404
        # The same rule as /v1/grids/{code}.
        assert client.get(f"/v1/grids/{code}", headers=auth(users.p02)).status_code == 404
    assert (
        client.get("/console/map/grids/370782999999999", headers=auth(users.admin)).status_code
        == 404
    )
    assert client.get(f"/console/map/grids/{unit}").status_code == 401


def test_a_panel_showing_phones_is_audited(client, county, users):
    unit = county.p01.unit
    with county.engine.connect() as conn:
        phone = conn.scalar(text(
            "select p.phone from grid_assignments a join people p on p.id = a.person_id "
            "where a.grid_code = :g and a.role = 'grid_leader' and p.phone <> '' limit 1"),
            {"g": unit[:15]})  # fmt: skip
    answer = client.get(f"/console/map/grids/{unit}", headers=auth(users.p01))
    assert phone and phone in answer.text
    with county.engine.connect() as conn:
        found = conn.scalar(text(
            "select count(*) from audit_log where user_name = 'apitest-p01' "
            "and object_type = 'grid_contacts' and object_id = :c"), {"c": unit})  # fmt: skip
    assert found >= 1


def _grid_tiles(client, county, token) -> dict:
    """The tile settings the map page hands its script (data-grid-tiles)."""
    page = client.get("/console/map", headers=cookie_header(county.engine, token)).text
    return json.loads(html.unescape(re.search(r'data-grid-tiles="([^"]*)"', page).group(1)))


def _tile_codes(client, headers, url: str, zxy: tuple[int, int, int], folder,
                layer: str) -> list[str]:  # fmt: skip
    """The codes of one MVT layer of a tile ([] for a 204 or a tile without that layer)."""
    z, x, y = zxy
    got = client.get(url.format(z=z, x=x, y=y), headers=headers)
    if got.status_code == 204:
        return []
    assert got.status_code == 200, got.text
    path = folder / f"{z}-{x}-{y}-{len(list(folder.iterdir()))}.mvt"
    path.write_bytes(got.content)
    if layer not in [name for name, _ in pyogrio.list_layers(path)]:
        return []
    frame = pyogrio.read_dataframe(path, layer=layer)
    # Tiles are cached and kept by browsers: no person, no phone.
    assert set(frame.columns) <= {"code", "name", "level", "kind", "parent", "community",
                                  "households", "version", "mvt_id", "geometry"}  # fmt: skip
    return list(frame["code"])


def test_the_level_tiles_the_page_names_are_within_the_callers_area(client, county, users,
                                                                    tmp_path):  # fmt: skip
    tiles = _grid_tiles(client, county, users.p01)
    assert tiles["levels"]["3"] == {"layer": "units", "minZoom": 13}
    url, places = tiles["url"], [county.p01, county.p02]
    zxys = {(10, *tile_of(place.lon, place.lat, 10)) for place in places}
    mine, every = set(), set()
    for zxy in zxys:  # the session cookie reads the tiles, as the page's script does
        mine |= set(_tile_codes(client, cookie_header(county.engine, users.p01), url, zxy,
                                tmp_path, "grids"))  # fmt: skip
        every |= set(_tile_codes(client, cookie_header(county.engine, users.admin), url, zxy,
                                 tmp_path, "grids"))  # fmt: skip
    assert county.p01.grid in mine and county.p02.grid not in mine
    assert mine < every and county.p02.grid in every
    admin = auth(users.admin)
    assert _tile_codes(client, admin, url, (10, 0, 0), tmp_path, "grids") == []  # far: 204
    low = (10, *tile_of(county.p01.lon, county.p01.lat, 10))
    assert _tile_codes(client, admin, url, low, tmp_path, "units") == []  # units from 13 only
    near = (15, *tile_of(county.p01.lon, county.p01.lat, 15))
    assert county.p01.unit in _tile_codes(client, admin, url, near, tmp_path, "units")
    # The coverage layer's shapes: one collection's tiles.
    one = tiles["collection"].replace("{collection}", "units")
    assert county.p01.unit in _tile_codes(client, admin, one, near, tmp_path, "units")


def test_markers_carry_state_and_no_report_text(client, county, users, reports):
    answer = client.get("/console/map/reports.json?from=2026-05-01&to=2026-06-30",
                        headers=auth(users.p01))  # fmt: skip
    assert answer.status_code == 200, answer.text
    data = answer.json()
    ids = {row[7] for row in data["markers"]["rows"]}
    assert reports.p01_security in ids and reports.p02_security not in ids
    assert all(row[6] == "" for row in data["markers"]["rows"])
    assert "张三" not in answer.text
    assert set(data["heat"]) == {"hazard", "incident"}


def test_the_patrol_sheet_is_a_pdf_for_the_grids_station_only(client, county, users):
    unit = county.p01.unit
    answer = client.get(f"/console/map/grids/{unit}/sheet.pdf", headers=auth(users.p01))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert (
        client.get(f"/console/map/grids/{unit}/sheet.pdf", headers=auth(users.p02)).status_code
        == 404
    )
    community = county.p01.community
    assert client.get(f"/console/map/grids/{community}/sheet.pdf",
                      headers=auth(users.p01)).status_code == 404  # fmt: skip


def test_every_map_route_for_every_role(client, county, users):
    """The console map's own authorization matrix (its routes are not in the OpenAPI
    document, so tests/api/test_authorization.py does not walk them): desk roles 200, the
    other station 404 for p01's grid, the rest 403, no token 401."""
    unit = county.p01.unit
    roles = ("admin", "p01", "p02", "staff01", "staff02", "fire", "environment")
    paths = {
        f"/console/map/streets.json?bbox={COUNTY_BOX}&zoom=12": ("admin", "p01", "p02"),
        "/console/map/stations.json": ("admin", "p01", "p02"),
        "/console/map/reports.json?from=2026-06-01&to=2026-06-02": ("admin", "p01", "p02"),
        "/console/map/changed.json?version=1&codes=": ("admin", "p01", "p02"),
        "/console/map/coverage.json": ("admin", "p01", "p02"),
        f"/console/map/grids/{unit}": ("admin", "p01"),
    }
    tokens = users.by_name()
    for path, allowed in paths.items():
        assert client.get(path).status_code == 401, path
        for role in roles:
            got = client.get(path, headers=auth(tokens[role])).status_code
            want = 200 if role in allowed else 404 if role == "p02" else 403
            assert got == want, (path, role, got)
    for role in ("p02", "staff01", "fire"):
        got = client.get(f"/console/map/grids/{unit}/sheet.pdf", headers=auth(tokens[role]))
        assert got.status_code == (404 if role == "p02" else 403), role


def test_an_intranet_tile_server_is_the_one_other_image_source():
    assert csp_with_tiles(None) == CSP
    assert csp_with_tiles("/tiles/{z}/{x}/{y}.png") == CSP
    policy = csp_with_tiles("http://10.1.2.3:8080/osm/{z}/{x}/{y}.png")
    assert "img-src 'self' http://10.1.2.3:8080 data: blob:" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy


def test_a_diff_draws_the_changed_grids_within_the_callers_area(client, county, users):
    with county.engine.connect() as conn:
        version = conn.scalar(text("select id from grid_versions where status = 'active'"))
    codes = f"{county.p01.grid},{county.p02.grid}"
    url = f"/console/map/changed.json?version={version}&codes={codes}"
    mine = client.get(url, headers=auth(users.p01)).json()["rows"]
    assert [row[0] for row in mine] == [county.p01.grid]
    every = client.get(url, headers=auth(users.admin)).json()["rows"]
    assert sorted(row[0] for row in every) == sorted(codes.split(","))
    missing = client.get(url.replace(f"version={version}", "version=99999"),
                         headers=auth(users.admin))  # fmt: skip
    assert missing.status_code == 404 and "version" in missing.text


def test_coverage_comes_per_unit_within_the_callers_area(client, county, users):
    """A patrol walked through p01's unit this month colours that unit; a station reads
    only its own units, the county all of them."""
    place, started = county.p01, china_now().replace(microsecond=0) - timedelta(minutes=6)
    start = {"client_id": "maptest-coverage-1", "started_at": started.isoformat()}
    walk = client.post("/v1/patrols", headers=auth(users.staff01), json=start)
    assert walk.status_code == 200, walk.text
    patrol = walk.json()["patrol"]["id"]
    points = [{"at": (started + timedelta(seconds=10 * i)).isoformat(), "accuracy_m": 5.0,
               "lon": place.lon + 0.0001 * i, "lat": place.lat} for i in range(6)]  # fmt: skip
    try:
        batch = {"batch_id": "maptest-coverage-1-b1", "points": points}
        sent = client.post(f"/v1/patrols/{patrol}/points", headers=auth(users.staff01), json=batch)
        assert sent.json()["stored"] == 6, sent.text
        stop = (started + timedelta(minutes=2)).isoformat()
        client.post(f"/v1/patrols/{patrol}/stop", headers=auth(users.staff01),
                    json={"stopped_at": stop})  # fmt: skip
        mine = client.get("/console/map/coverage.json", headers=auth(users.p01))
        every = client.get("/console/map/coverage.json", headers=auth(users.admin)).json()
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("delete from patrol_points where patrol_id = :p"), {"p": patrol})
            conn.execute(text("delete from patrols where id = :p"), {"p": patrol})
    assert mine.status_code == 200, mine.text
    units = mine.json()["units"]
    assert mine.json()["month"] == china_now().strftime("%Y-%m")
    area, covered, patrols, days = units[place.unit]
    assert 0 < covered <= area and patrols == 1 and days == 1
    assert county.p02.unit not in units and county.p02.unit in every["units"]
    assert set(units) < set(every["units"])
    bad = client.get("/console/map/coverage.json?month=2026-6", headers=auth(users.p01))
    assert bad.status_code == 422 and "month" in bad.text


def test_the_panel_counts_open_cases_as_the_inbox_does(client, county, users, reports):
    """Handled cases awaiting verification and verified ones awaiting the close are open in
    the panel too (loop.OPEN), read off the grid's ids (migration 0019's indexes)."""
    unit, case = county.p01.unit, reports.p01_security
    with county.engine.begin() as conn:
        before = conn.scalar(text("select status from reports where id = :i"), {"i": case})
        conn.execute(text("update reports set status = 'resolved' where id = :i"), {"i": case})
    try:
        answer = client.get(f"/console/map/grids/{unit}", headers=auth(users.p01))
        shown = int(re.search(r'class="cm-count">(\d+)<', answer.text).group(1))
        with county.engine.connect() as conn:
            expected = conn.scalar(text(
                "select count(*) from reports r join stations s on s.id = r.station_id "
                "where s.code = :s and r.level3_id in (select id from grids where code = :u) "
                "and r.status = any(:open)"),
                {"s": county.p01.station, "u": unit, "open": list(OPEN)})  # fmt: skip
            mine = conn.scalar(text(
                "select level3_id in (select id from grids where code = :u) "
                "from reports where id = :i"), {"u": unit, "i": case})  # fmt: skip
        assert mine, "the resolved case is in the unit"
        assert shown == expected >= 1
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("update reports set status = :b where id = :i"),
                         {"b": before, "i": case})  # fmt: skip
