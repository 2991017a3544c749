"""Evidence photos over the API: upload, retries, bad files by name, flags, EXIF-free
reads scoped like reports (no station sees another's photos), audited sensitive reads."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text

from geogrid.media.evidence import PhotoFlags, attach_photos, photos_of
from geogrid.media.store import DiskStore
from geogrid.settings import Settings
from tests.api.fixtures import County, auth
from tests.api.places import Reports, Users
from tests.media.photos import jpeg, pdf, png

WHEN = datetime(2026, 6, 1, 10, 0)  # the known reports' time (places.WHEN), China time


def _upload(client: TestClient, token: str, *files: tuple[str, bytes]):
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post("/v1/photos", files=parts, headers=auth(token))


def test_upload_then_retry_stores_nothing_twice(
    client: TestClient, users: Users, settings: Settings
) -> None:
    data = jpeg(WHEN, 119.4, 36.0, color=(1, 2, 3))
    first = _upload(client, users.staff01, ("现场1.jpg", data))
    assert first.status_code == 200, first.text
    [result] = first.json()["results"]
    assert result["outcome"] == "stored" and result["name"] == "现场1.jpg"
    assert result["href"].endswith(f"/v1/photos/{result['id']}")
    store = DiskStore(settings.media_path)
    files = [p for p in store.files() if p.name.startswith(result["id"])]
    assert len(files) == 1  # the original (the copy served and the thumbnail when first read)
    again = _upload(client, users.staff01, ("现场1-retry.jpg", data)).json()["results"]
    assert again[0]["outcome"] == "repeated" and again[0]["id"] == result["id"]
    assert [p for p in store.files() if p.name.startswith(result["id"])] == files


def test_a_bad_file_is_rejected_by_name_and_the_good_one_kept(
    client: TestClient, users: Users
) -> None:
    answer = _upload(client, users.staff01, ("合同.jpg", pdf()), ("ok.png", png((7, 5))))
    assert answer.status_code == 200
    bad, good = answer.json()["results"]
    assert bad["outcome"] == "rejected" and "合同.jpg" in bad["message"] and bad["id"] is None
    assert good["outcome"] in ("stored", "repeated") and len(good["id"]) == 64


def test_only_bad_files_is_a_400_naming_the_file(client: TestClient, users: Users) -> None:
    cut = jpeg(size=(400, 300))
    answer = _upload(client, users.staff01, ("cut.jpg", cut[: len(cut) // 2]))
    assert answer.status_code == 400
    assert answer.json()["field"] == "cut.jpg" and "cut short" in answer.json()["detail"]


def test_ten_photos_at_once_are_refused(client: TestClient, users: Users) -> None:
    answer = _upload(client, users.staff01, *[(f"{n}.png", png((n + 1, 3))) for n in range(10)])
    assert answer.status_code == 400 and answer.json()["field"] == "files"


def test_a_photo_body_over_the_plain_limit_is_taken(client: TestClient, users: Users) -> None:
    # The tests' body limit is 200 kB; multipart photo uploads have their own (91 MB).
    noise = random.Random(16).randbytes(300 * 300 * 3)  # incompressible
    noisy = Image.frombytes("RGB", (300, 300), noise)
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 200_000
    assert _upload(client, users.staff01, ("big.png", out.getvalue())).status_code == 200


def _photo(client: TestClient, token: str, data: bytes) -> str:
    answer = _upload(client, token, ("p.jpg", data))
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]["id"]


def test_photos_are_flagged_when_far_or_old(
    client: TestClient, users: Users, county: County, reports: Reports
) -> None:
    a = county.p01
    near = _photo(client, users.staff01, jpeg(WHEN - timedelta(hours=1), a.lon, a.lat))
    far = _photo(client, users.staff01, jpeg(WHEN, a.lon + 0.05, a.lat, color=(9, 9, 9)))
    old = _photo(client, users.staff01, jpeg(WHEN - timedelta(days=30), color=(8, 8, 8)))
    with county.engine.begin() as conn:
        attached = attach_photos(conn, reports.p01_fire, [near, far, old], actor="apitest-x",
                                 flags=PhotoFlags(max_distance_m=500))  # fmt: skip
        again = attach_photos(conn, reports.p01_fire, [near], actor="apitest-x")  # a retry
        stored = photos_of(conn, reports.p01_fire)
    flags = {a.photo_id: a.flag for a in attached}
    assert flags[near] is None
    assert "m from the report's point" in flags[far] and "4," in flags[far]  # ~4.5 km
    assert "30.0 days before" in flags[old]
    assert [a.flag for a in again] == [None]
    assert sorted(s["photo_id"] for s in stored) == sorted([near, far, old])


def test_attaching_an_unknown_photo_names_it(county: County, reports: Reports) -> None:
    import pytest

    from geogrid.errors import InputError

    with county.engine.begin() as conn, pytest.raises(InputError) as refused:
        attach_photos(conn, reports.p01_fire, ["a" * 64], actor="apitest-x")
    assert refused.value.field == "photo_ids[0]"


def test_served_photo_has_no_exif_and_only_its_station_sees_it(
    client: TestClient, users: Users, county: County, reports: Reports
) -> None:
    a = county.p01
    photo = _photo(client, users.staff01, jpeg(WHEN, a.lon, a.lat, color=(50, 60, 70)))
    with county.engine.begin() as conn:
        attach_photos(conn, reports.p01_security, [photo], actor="apitest-x")
    served = client.get(f"/v1/photos/{photo}", headers=auth(users.p01))
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.content))
    assert len(image.getexif()) == 0 and b"Exif" not in served.content
    assert image.size == (64, 48)
    thumb = client.get(f"/v1/photos/{photo}/thumbnail", headers=auth(users.admin))
    assert thumb.status_code == 200 and b"Exif" not in thumb.content
    for other in (users.p02, users.staff02, users.environment):
        for path in (f"/v1/photos/{photo}", f"/v1/photos/{photo}/thumbnail"):
            refused = client.get(path, headers=auth(other))
            assert refused.status_code == 404, (other, path)  # 404, not 403: ids don't leak
    assert client.get(f"/v1/photos/{'0' * 64}", headers=auth(users.p01)).status_code == 404
    assert client.get("/v1/photos/None", headers=auth(users.p01)).status_code == 404
    assert client.get(f"/v1/photos/{photo}").status_code == 401


def test_an_unlinked_photo_is_seen_by_its_uploader_alone(client: TestClient, users: Users) -> None:
    photo = _photo(client, users.staff01, jpeg(color=(77, 1, 1)))
    assert client.get(f"/v1/photos/{photo}", headers=auth(users.staff01)).status_code == 200
    assert client.get(f"/v1/photos/{photo}", headers=auth(users.staff02)).status_code == 404
    assert client.get(f"/v1/photos/{photo}", headers=auth(users.p02)).status_code == 404


def test_reading_a_sensitive_reports_photo_is_audited(
    client: TestClient, users: Users, county: County, reports: Reports
) -> None:
    photo = _photo(client, users.staff01, jpeg(color=(3, 200, 3)))
    with county.engine.begin() as conn:
        attach_photos(conn, reports.p01_population, [photo], actor="apitest-x")
    assert client.get(f"/v1/photos/{photo}", headers=auth(users.p01)).status_code == 200
    # The fire brigade sees no details of population reports, so not their photos either.
    assert client.get(f"/v1/photos/{photo}", headers=auth(users.fire)).status_code == 404
    with county.engine.connect() as conn:
        entry = conn.execute(text(
            "select user_name, action, detail from audit_log where object_type = 'photo' "
            "and object_id = :p order by id desc limit 1"), {"p": photo}).one()  # fmt: skip
    assert entry[0] == "apitest-p01" and entry[1] == "read"
    assert entry[2]["reports"] == [reports.p01_population]
