"""Upload use cases: a photo kept already (row and files) is known by its hash, not decoded."""

from __future__ import annotations

import random
from pathlib import Path

from geogrid.media.checks import CheckedPhoto, PhotoError
from geogrid.media.store import DiskStore
from geogrid.usecases.photos import KeptPhoto, check_files, upload_photos
from tests.api.fixtures import County
from tests.media.photos import jpeg


def test_a_retried_photo_is_not_checked_again(county: County, tmp_path: Path) -> None:
    store, rng = DiskStore(tmp_path), random.Random()
    photo = jpeg(color=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    other = jpeg(color=(rng.randrange(256), 7, 7), size=(30, 20))
    [first] = upload_photos(county.engine, store, [("a.jpg", photo)], "usecase-test")
    assert first.outcome == "stored"
    again = check_files([("a-retry.jpg", photo), ("b.jpg", other), ("c.jpg", photo[:100])],
                        county.engine, store)  # fmt: skip
    assert again[0] == KeptPhoto(first.id)  # known by its SHA-256: no decoding
    assert isinstance(again[1], CheckedPhoto) and isinstance(again[2], PhotoError)
    results = upload_photos(county.engine, store, [("a-retry.jpg", photo)], "usecase-test")
    assert [(r.name, r.outcome, r.id) for r in results] == [("a-retry.jpg", "repeated", first.id)]


def test_a_kept_photo_missing_a_file_is_checked_and_written_again(
    county: County, tmp_path: Path
) -> None:
    # A database restored without its media: the row is there, the files are not.
    store, rng = DiskStore(tmp_path), random.Random()
    photo = jpeg(color=(rng.randrange(256), rng.randrange(256), 99))
    [first] = upload_photos(county.engine, store, [("a.jpg", photo)], "usecase-test")
    store.delete(first.id)
    [again] = check_files([("a.jpg", photo)], county.engine, store)
    assert isinstance(again, CheckedPhoto)
    [kept] = upload_photos(county.engine, store, [("a.jpg", photo)], "usecase-test")
    assert kept.outcome == "repeated" and store.get(first.id) == photo
