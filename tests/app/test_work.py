"""The phone app's map and my work in a real browser: the unit found on the phone, a case
verified offline, the shell started with no network, and what a first start costs."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from geogrid.app.shell import release
from tests.api.fixtures import auth
from tests.app.conftest import Phone, photo, sign_in, until

pytestmark = pytest.mark.usefixtures("cleanup")
SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]


def test_the_unit_is_found_on_the_phone_from_its_polygons(phone: Phone, users, county):
    units = [
        {"type": "Feature", "properties": {"name": "甲"},
         "geometry": {"type": "Polygon", "coordinates": [SQUARE, HOLE]}},
        {"type": "Feature", "properties": {"name": "乙"},
         "geometry": {"type": "MultiPolygon", "coordinates": [
             [[[20, 0], [30, 0], [30, 10], [20, 0]]],
             [[[4.5, 4.5], [5.5, 4.5], [5, 5.5], [4.5, 4.5]]],
         ]}},
    ]  # fmt: skip
    sign_in(phone, users.staff01)
    found = phone.page.evaluate(
        "([units, points]) => points.map(p => { const f = GG.geo.featureAt(p[0], p[1], units);"
        " return f ? f.properties.name : null; })",
        [units, [[1, 1], [5, 4.2], [5, 4.8], [29, 5], [21, 5], [-1, 5], [10.5, 5]]],
    )  # fmt: skip
    assert found == ["甲", None, "乙", "乙", None, None, None]


def test_the_phone_knows_its_unit_offline_and_the_server_confirms(phone: Phone, users, county):
    with county.engine.connect() as conn:
        name = conn.execute(text("select name from grids g join grid_versions v on "
                                 "v.id = g.version_id and v.status = 'active' where g.code = :c"),
                            {"c": county.p01.unit}).scalar_one()  # fmt: skip
    with httpx.Client(base_url=phone.site, timeout=30) as http:
        made = http.post("/v1/reports", headers=auth(users.staff01), json={
            "category": "key_unit", "lon": county.p01.lon + 0.0001, "lat": county.p01.lat,
            "text": "<b>东关小学</b>", "client_request_id": "apptest-place-1"})  # fmt: skip
        assert made.status_code == 201, made.text
    sign_in(phone, users.staff01)
    kept = phone.page.inner_text("#area-info")
    assert "1 处重点场所" in kept and "0 段街路巷" not in kept, kept
    size = phone.page.evaluate("GG.area.load().then(a => JSON.stringify(a).length)")
    print(f"one leader's cached grids: {size:,} bytes")
    assert 0 < size <= 300_000
    phone.go_offline()
    phone.page.reload()
    until(phone, f"document.getElementById('unit').textContent == {name!r}")
    tooltips = phone.page.evaluate("[...document.querySelectorAll('.leaflet-interactive')].length")
    assert tooltips >= 3  # grid, units, the key place
    assert "本机计算" in phone.page.inner_text("#unit-source")
    assert "精度 ±12 米" in phone.page.inner_text("#accuracy")
    phone.shot("map-offline")
    phone.go_offline(False)
    phone.context.set_geolocation({"longitude": county.p01.lon, "latitude": county.p01.lat,
                                   "accuracy": 150})  # fmt: skip
    until(phone, "document.getElementById('unit-source').textContent.includes('服务器已确认')")
    assert phone.page.is_visible("#pin-hint"), "a poor fix asks for a pin"
    phone.page.tap("#pin-button")
    box = phone.page.locator("#map").bounding_box()
    phone.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    until(phone, "document.getElementById('pos').textContent.startsWith('手动选点')")
    phone.shot("map-pin")
    assert phone.problems == []


def _case_to_verify(site: str, users, county) -> str:
    """A fire hazard in staff01's unit, accepted, dispatched and handled by the brigade: it
    waits for staff01's verification."""
    with httpx.Client(base_url=site, timeout=30) as http:
        made = http.post("/v1/reports", headers=auth(users.staff01), json={
            "category": "fire_hazard", "lon": county.p01.lon, "lat": county.p01.lat,
            "text": "柴草堆放", "client_request_id": "apptest-verify-1"})  # fmt: skip
        case = made.json()["id"]
        dispatch = {"instruction": "清理", "handler_department": "fire"}
        steps = (("accept", {}), ("dispatch", dispatch), ("handle", {"note": "已清理"}))
        for step, body in steps:
            answer = http.post(f"/v1/reports/{case}/{step}", json=body, headers=auth(users.fire))
            assert answer.status_code == 200, answer.text
    return case


def test_a_verification_done_offline_arrives(phone: Phone, users, county):
    case = _case_to_verify(phone.site, users, county)
    sign_in(phone, users.staff01)
    page = phone.page
    until(phone, f"GG.work.load().then(w => w.inbox.some(c => c.report.id == {case!r}))")
    phone.go_offline()
    page.reload()
    page.tap("#tabs button[data-view=work]")
    item = page.locator(f"#inbox li[data-id='{case}']")
    item.wait_for()
    assert "待核查" in item.inner_text() and "柴草堆放" in item.inner_text()
    item.locator("textarea").fill("现场已清理干净")
    item.locator("input[type=file]").set_input_files([photo(7)])
    page.wait_for_timeout(1500)  # the photo is made small on the phone
    phone.shot("work-offline")
    item.locator("button", has_text="核查通过，待结案").tap()
    item.locator("text=已保存").wait_for()
    page.reload()
    until(phone, "GG.outbox.all().then(e => e.length == 1 && e[0].state == 'waiting')")
    phone.go_offline(False)
    until(phone, "GG.outbox.all().then(e => e[0].state == 'sent')", 60)
    with county.engine.connect() as conn:
        status = conn.execute(text("select status from reports where id = :i"), {"i": case})
        steps = conn.execute(text("select e.note, count(p.id) from report_events e left join "
                                  "report_photos p on p.event_id = e.id where e.report_id = :i "
                                  "and e.step = 'verify' group by e.id, e.note"),
                             {"i": case}).all()  # fmt: skip
        assert status.scalar_one() == "verified", "passed: waiting for the desk's 结案"
    assert steps == [("现场已清理干净", 1)]
    assert phone.problems == []


def test_first_start_is_small_and_later_starts_need_no_network(phone: Phone, users, county):
    sizes: list[int] = []
    phone.page.on("response", lambda r: sizes.append(len(r.body()) if r.ok else 0))
    sign_in(phone, users.staff01)
    total = sum(sizes)
    print(f"first start (shell, Leaflet, kinds, grids, work): {total:,} bytes in {len(sizes)}")
    assert total <= 2_000_000
    reached: list[str] = []
    phone.context.route("**/*", lambda route: (reached.append(route.request.url),
                                               route.continue_()))  # fmt: skip
    phone.go_offline()
    phone.page.reload()
    phone.page.wait_for_selector("#view-map:not([hidden])")
    until(phone, "document.getElementById('area-info').textContent.includes('个单元')")
    assert reached == [], "an offline start is served from the phone"
    phone.shot("start-offline")
    assert phone.problems == []


def test_a_new_release_replaces_the_old_shell_cache(phone: Phone, users):
    phone.page.goto(phone.site + "/healthz")  # same origin, before the app's worker exists
    phone.page.evaluate("caches.open('geogrid-app-0ld0ld0ld0ld').then(c => c.put("
                        "'/app/', new Response('an old release')))")  # fmt: skip
    sign_in(phone, users.staff01)
    until(phone, "caches.keys().then(k => k.length == 1)")
    assert phone.page.evaluate("caches.keys()") == [f"geogrid-app-{release()}"]
    page = phone.page.evaluate("caches.match('/app/').then(r => r.text())")
    assert f'content="{release()}"' in page
    assert phone.problems == []
