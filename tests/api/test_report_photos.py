"""Photos with reports: the multipart single POST, `photo_ids` in the single and batch
POSTs, and the photos shown with a report."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.fixtures import County, auth
from tests.api.places import USER_PREFIX, Users
from tests.media.photos import jpeg, pdf, png

WHEN = datetime(2026, 6, 1, 10, 0)


def _report(county: County, rid: str, **more) -> dict:
    a = county.p01
    return {"category": "public_security", "lon": a.lon, "lat": a.lat, "client_request_id":
            f"{USER_PREFIX}{rid}", "reported_at": "2026-06-01T10:00:00+08:00", "text": "打架",
            "reporter": f"{USER_PREFIX}photos"} | more  # fmt: skip


def _photo_rows(county: County, report_id: str) -> list[tuple]:
    with county.engine.connect() as conn:
        query = "select photo_id, step, flag from report_photos where report_id = :r order by id"
        return conn.execute(text(query), {"r": report_id}).all()


def _cleanup(county: County) -> None:
    with county.engine.begin() as conn:
        conn.execute(text("delete from reports where reporter = :r"), {"r": f"{USER_PREFIX}photos"})


def test_a_multipart_report_with_photos(client: TestClient, users: Users, county: County) -> None:
    a = county.p01
    files = [
        ("files", ("近.jpg", jpeg(WHEN, a.lon, a.lat, color=(5, 6, 7)), "image/jpeg")),
        ("files", ("远.jpg", jpeg(WHEN, a.lon, a.lat + 0.1, color=(5, 6, 8)), "image/jpeg")),
    ]
    body = {"report": json.dumps(_report(county, "mp-1"), ensure_ascii=False)}
    try:
        made = client.post("/v1/reports", data=body, files=files, headers=auth(users.staff01))
        assert made.status_code == 201, made.text
        created = made.json()
        assert created["outcome"] == "accepted" and len(created["photos"]) == 2
        near, far = created["photos"]
        assert near["flag"] is None and "m from the report's point" in far["flag"]
        rows = _photo_rows(county, created["id"])
        assert [(r[0], r[1]) for r in rows] == [(near["id"], "report"), (far["id"], "report")]
        # A retry (the phone lost the answer): the same report, nothing linked twice.
        again = client.post("/v1/reports", data=body, files=files, headers=auth(users.staff01))
        assert again.json()["outcome"] == "repeated" and again.json()["id"] == created["id"]
        assert len(_photo_rows(county, created["id"])) == 2
        shown = client.get(created["href"], headers=auth(users.p01)).json()
        assert [p["id"] for p in shown["photos"]] == [near["id"], far["id"]]
        assert client.get(near["href"], headers=auth(users.p01)).status_code == 200
    finally:
        _cleanup(county)


def test_a_bad_photo_refuses_the_multipart_report_naming_it(
    client: TestClient, users: Users, county: County
) -> None:
    files = [("files", ("ok.png", png((3, 3)), "image/png")),
             ("files", ("发票.jpg", pdf(), "image/jpeg"))]  # fmt: skip
    body = {"report": json.dumps(_report(county, "mp-bad"))}
    made = client.post("/v1/reports", data=body, files=files, headers=auth(users.staff01))
    assert made.status_code == 400 and made.json()["field"] == "发票.jpg"
    with county.engine.connect() as conn:
        stored = conn.execute(text("select count(*) from reports where client_request_id = :c"),
                              {"c": f"{USER_PREFIX}mp-bad"}).scalar()  # fmt: skip
    assert stored == 0


def test_a_multipart_report_needs_its_json_field(client: TestClient, users: Users) -> None:
    files = [("files", ("ok.png", png((4, 3)), "image/png"))]
    made = client.post("/v1/reports", files=files, headers=auth(users.staff01))
    assert made.status_code == 400 and made.json()["field"] == "report"
    stray = client.post("/v1/reports", data={"report": "{}", "x": "1"}, files=files,
                        headers=auth(users.staff01))  # fmt: skip
    assert stray.status_code == 400 and stray.json()["field"] == "x"
    bad = client.post("/v1/reports", data={"report": '{"lon": "x"}'}, files=files,
                      headers=auth(users.staff01))  # fmt: skip
    assert bad.status_code == 422


def test_photo_ids_on_the_json_and_batch_posts(
    client: TestClient, users: Users, county: County
) -> None:
    up = client.post("/v1/photos", files=[("files", ("a.jpg", jpeg(color=(99, 1, 2)), "x/y"))],
                     headers=auth(users.staff01))  # fmt: skip
    photo = up.json()["results"][0]["id"]
    try:
        one = client.post("/v1/reports", json=_report(county, "pid-1", photo_ids=[photo]),
                          headers=auth(users.staff01))  # fmt: skip
        assert one.status_code == 201 and one.json()["photos"][0]["id"] == photo
        assert _photo_rows(county, one.json()["id"]) == [(photo, "report", None)]
        unknown = client.post("/v1/reports", json=_report(county, "pid-2", photo_ids=["b" * 64]),
                              headers=auth(users.staff01))  # fmt: skip
        assert unknown.status_code == 400 and unknown.json()["field"] == "photo_ids[0]"
        items = [
            _report(county, "pid-3", photo_ids=[photo]),
            _report(county, "pid-4", photo_ids=[photo, "c" * 64]),
            _report(county, "pid-5"),
        ]
        batch = client.post("/v1/reports/batch", json={"items": items},
                            headers=auth(users.staff01)).json()  # fmt: skip
        assert [r["outcome"] for r in batch["results"]] == ["accepted", "rejected", "accepted"]
        assert batch["results"][1]["field"] == "photo_ids[1]"
        assert _photo_rows(county, batch["results"][0]["id"]) == [(photo, "report", None)]
        assert _photo_rows(county, batch["results"][2]["id"]) == []
    finally:
        _cleanup(county)


def test_open311_media_url_reads_and_shows_our_photo(
    client: TestClient, users: Users, county: County
) -> None:
    up = client.post("/v1/photos", files=[("files", ("o.jpg", jpeg(color=(0, 99, 1)), "x/y"))],
                     headers=auth(users.staff01)).json()["results"][0]  # fmt: skip
    a = county.p01
    form = {"service_code": "public_security", "lat": a.lat, "long": a.lon,
            "first_name": f"{USER_PREFIX}photos", "media_url": up["href"]}  # fmt: skip
    try:
        made = client.post("/open311/v2/requests.json", data=form, headers=auth(users.staff01))
        assert made.status_code == 201, made.text
        rid = made.json()[0]["service_request_id"]
        assert _photo_rows(county, rid) == [(up["id"], "report", None)]
        shown = client.get(f"/open311/v2/requests/{rid}.json", headers=auth(users.p01)).json()
        assert shown[0]["media_url"] == up["href"]
        elsewhere = client.post("/open311/v2/requests.json", headers=auth(users.staff01),
                                data=form | {"media_url": "http://example.com/x.jpg"})  # fmt: skip
        assert elsewhere.status_code == 400 and elsewhere.json()[0]["code"] == 400
    finally:
        _cleanup(county)
