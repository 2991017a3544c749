"""Thumbnails made on their first request: stored, served again, EXIF-free, scoped, and a
photo whose pixels do not decode answered with a 422 naming it, never a 500."""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from fastapi.testclient import TestClient
from PIL import Image

from geogrid.media.store import DiskStore
from geogrid.settings import Settings
from tests.api.fixtures import auth
from tests.api.places import Users
from tests.media.photos import jpeg

WHEN = datetime(2026, 6, 1, 10, 0)


def _upload(client: TestClient, token: str, data: bytes) -> str:
    answer = client.post("/v1/photos", files=[("files", ("t.jpg", data, "image/jpeg"))],
                         headers=auth(token))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]["id"]


def _colour() -> tuple[int, int, int]:
    rng = random.Random()  # a new photo each run: the session's media store is shared
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def test_the_first_request_makes_the_thumbnail_and_the_next_serve_it(
    client: TestClient, users: Users, settings: Settings
) -> None:
    photo = _upload(client, users.staff01, jpeg(WHEN, 119.4, 36.0, (900, 600), _colour()))
    store, path = DiskStore(settings.media_path), f"/v1/photos/{photo}/thumbnail"
    assert not store.exists(photo, "thumb") and not store.exists(photo, "clean")  # not yet
    first = client.get(path, headers=auth(users.staff01))
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    kept = store.path(photo, "thumb")
    assert kept.read_bytes() == first.content
    made = kept.stat().st_mtime_ns
    second = client.get(path, headers=auth(users.staff01))
    assert second.content == first.content and kept.stat().st_mtime_ns == made
    image = Image.open(io.BytesIO(second.content))
    assert image.size == (320, 213) and len(image.getexif()) == 0
    assert b"Exif" not in second.content and b"GPS" not in second.content
    assert client.get(path, headers=auth(users.staff02)).status_code == 404  # scoped still
    served = client.get(f"/v1/photos/{photo}", headers=auth(users.staff01))
    assert served.content == store.get(photo, "clean") and b"Exif" not in served.content
    assert store.get(photo)[:2] == b"\xff\xd8" and b"Exif" in store.get(photo)  # evidence


def test_thumbnails_asked_for_at_once_are_made_whole(
    client: TestClient, users: Users, settings: Settings
) -> None:
    photo = _upload(client, users.staff01, jpeg(size=(640, 480), color=_colour()))
    path = f"/v1/photos/{photo}/thumbnail"
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: client.get(path, headers=auth(users.staff01)),
                                range(8)))  # fmt: skip
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    store = DiskStore(settings.media_path)
    assert store.get(photo, "thumb") == answers[0].content and store.sweep_temp() == 0


def test_a_stored_photo_that_does_not_decode_is_a_422_naming_it(
    client: TestClient, users: Users, settings: Settings
) -> None:
    photo = _upload(client, users.staff01, jpeg(size=(400, 300), color=_colour()))
    store = DiskStore(settings.media_path)
    original = store.path(photo)
    data = original.read_bytes()
    original.write_bytes(data[: len(data) // 2])  # damaged on disk after it was checked
    for path in (f"/v1/photos/{photo}", f"/v1/photos/{photo}/thumbnail"):
        answer = client.get(path, headers=auth(users.staff01))
        assert answer.status_code == 422, answer.text
        assert photo in answer.json()["detail"] and "damaged" in answer.json()["detail"]
    assert not store.exists(photo, "thumb") and not store.exists(photo, "clean")


def test_a_copy_whose_pixels_do_not_decode_has_no_thumbnail(
    client: TestClient, users: Users, settings: Settings
) -> None:
    photo = _upload(client, users.staff01, jpeg(size=(400, 300), color=_colour()))
    store = DiskStore(settings.media_path)
    # A copy whose segments are whole but whose Huffman table is not one libjpeg can use:
    # only the full decode, at the thumbnail, finds it.
    served = client.get(f"/v1/photos/{photo}", headers=auth(users.staff01)).content
    table = served.index(b"\xff\xc4")
    broken = bytearray(served)
    broken[table + 5 : table + 21] = bytes(16)  # no codes at all
    store.path(photo, "clean").write_bytes(bytes(broken))
    answer = client.get(f"/v1/photos/{photo}/thumbnail", headers=auth(users.staff01))
    assert answer.status_code == 422 and "no thumbnail" in answer.json()["detail"]
