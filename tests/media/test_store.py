"""The disk media store: content ids, atomic writes, a retry writing nothing twice."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from geogrid.errors import InputError
from geogrid.media.checks import check_photo
from geogrid.media.evidence import put_photo_files
from geogrid.media.store import TEMP_PREFIX, DiskStore
from tests.media.photos import jpeg, png

DATA = b"\xff\xd8 some photo bytes"
ID = hashlib.sha256(DATA).hexdigest()


def test_put_get_exists_delete(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    assert not store.exists(ID) and store.get(ID) is None
    assert store.put(ID, DATA) is True
    assert store.exists(ID) and store.get(ID) == DATA
    assert store.path(ID) == tmp_path / ID[:2] / ID[2:4] / ID
    store.delete(ID)
    assert not store.exists(ID)


def test_a_retry_stores_nothing_twice(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    assert store.put(ID, DATA) is True
    before = store.path(ID).stat().st_mtime_ns
    assert store.put(ID, DATA) is False
    assert store.path(ID).stat().st_mtime_ns == before
    assert store.files() == [store.path(ID)]


def test_an_id_that_is_not_a_content_id_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    with pytest.raises(InputError, match="not a photo id"):
        store.get("../../etc/passwd")


def test_a_writer_killed_before_the_rename_leaves_no_file(tmp_path: Path) -> None:
    # A real process dies between writing (and fsyncing) the temporary file and renaming
    # it: the stored file must not exist, half or whole; only a temp file is left.
    script = (
        "import os, sys\n"
        "from geogrid.media.store import DiskStore\n"
        "os.replace = lambda *a: os._exit(9)\n"  # the kill, at the one moment that matters
        f"DiskStore(sys.argv[1]).put({ID!r}, {DATA!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=False)
    assert done.returncode == 9
    store = DiskStore(tmp_path)
    assert not store.exists(ID) and store.get(ID) is None and store.files() == []
    assert [p.name.startswith(TEMP_PREFIX) for p in tmp_path.rglob("*") if p.is_file()] == [True]
    assert store.sweep_temp() == 1
    assert store.put(ID, DATA) is True and store.get(ID) == DATA


def test_the_files_of_several_photos_are_written_together(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    photos = [check_photo(f"p{n}.jpg", jpeg(color=(n * 40, 90, 10))) for n in range(4)]
    photos.append(photos[0])  # the same photo twice in one upload: written once, no error
    put_photo_files(store, photos)
    for photo in photos:
        assert store.get(photo.id) == photo.original
        # An upright JPEG's copy served and its thumbnail are made on their first read.
        assert not store.exists(photo.id, "clean") and not store.exists(photo.id, "thumb")
    assert len(store.files()) == 4 and store.sweep_temp() == 0
    turned = check_photo("t.png", png((9, 7)))  # encoded again: its copy is written too
    put_photo_files(store, [turned, photos[1]])
    assert store.get(turned.id, "clean") == turned.clean and len(store.files()) == 6
