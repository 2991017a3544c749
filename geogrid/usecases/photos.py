"""Use cases of evidence photos: upload (check and keep), read (scoped, audited), attach."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, Engine

from geogrid.access import audit
from geogrid.access.roles import Caller
from geogrid.errors import InputError, NotFoundError
from geogrid.media.checks import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_STEP,
    CheckedPhoto,
    PhotoError,
    check_photo,
    make_thumbnail,
    served_copy,
)
from geogrid.media.evidence import (
    AttachedPhoto,
    PhotoFlags,
    attach_photos,
    check_photo_ids,
    insert_photo_row,
    known_photos,
    photos_of,
    put_photo_files,
    visible_photo,
)
from geogrid.media.store import KEPT_VARIANTS, MediaStore
from geogrid.settings import Settings


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file: stored (new), repeated (kept already) or rejected."""

    name: str
    outcome: str
    id: str | None = None
    message: str | None = None


def photo_flags(settings: Settings) -> PhotoFlags:
    """The flag limits the settings give."""
    return PhotoFlags(settings.photo_flag_distance_m, timedelta(days=settings.photo_flag_days))


@dataclass(frozen=True)
class KeptPhoto:
    """An uploaded file whose photo is kept already (row and original): not checked again."""

    id: str


def check_files(
    files: list[tuple[str, bytes]], engine: Engine | None = None, store: MediaStore | None = None
) -> list[CheckedPhoto | KeptPhoto | PhotoError]:
    """Each file checked (CPU work: call it off the event loop); at most 9 files. With the
    engine and store, a file whose photo is kept already is known by its SHA-256 and not
    decoded again: a phone's retry of a whole report costs a hash per photo."""
    if len(files) > MAX_PHOTOS_PER_STEP:
        raise InputError(f"at most {MAX_PHOTOS_PER_STEP} photos at once, not {len(files)}",
                         field="files")  # fmt: skip
    digests = [hashlib.sha256(data).hexdigest() if len(data) <= MAX_PHOTO_BYTES else ""
               for _, data in files]  # fmt: skip
    known = engine is not None and store is not None
    kept = _kept_already(engine, store, digests) if known else set()
    todo = [(name, data, digest) for (name, data), digest in zip(files, digests, strict=True)
            if digest not in kept]  # fmt: skip
    checked = iter(_check_all(todo))
    return [KeptPhoto(digest) if digest in kept else next(checked) for digest in digests]


def _check_all(files: list[tuple[str, bytes, str]]) -> list[CheckedPhoto | PhotoError]:
    if len(files) <= 1:
        return [_checked(*file) for file in files]
    # Pillow lets go of the GIL while it decodes: the photos of one request are checked
    # side by side on the cores that are free.
    with ThreadPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1)) as pool:
        return list(pool.map(_checked, *zip(*files, strict=True)))


def _checked(name: str, data: bytes, digest: str) -> CheckedPhoto | PhotoError:
    try:
        return check_photo(name, data, digest=digest or None)
    except PhotoError as exc:
        return exc


def _kept_already(engine: Engine, store: MediaStore, digests: list[str]) -> set[str]:
    """Which of these photos have their row and their original (a restored database
    without its media has rows only: those photos are checked and written again; the
    copy served and the thumbnail are made from the original when read)."""
    ids = sorted({digest for digest in digests if digest})
    if not ids:
        return set()
    with engine.connect() as conn:
        known = known_photos(conn, ids)
    return {i for i in known if all(store.exists(i, variant) for variant in KEPT_VARIANTS)}


def keep_photos(engine: Engine, store: MediaStore, checked: list, actor: str) -> list[UploadResult]:
    """Keep the good photos of `check_files`: their files first (written together, before
    the transaction, so no connection waits on the disk), then their rows in one
    transaction; a result per file."""
    put_photo_files(store, [item for item in checked if isinstance(item, CheckedPhoto)])
    results = []
    with engine.begin() as conn:
        for item in checked:
            if isinstance(item, PhotoError):
                results.append(UploadResult(item.field or "", "rejected", message=str(item)))
                continue
            if isinstance(item, KeptPhoto):
                results.append(UploadResult("", "repeated", id=item.id))
                continue
            new = insert_photo_row(conn, item, actor)
            results.append(UploadResult("", "stored" if new else "repeated", id=item.id))
    return results


def upload_photos(
    engine: Engine, store: MediaStore, files: list[tuple[str, bytes]], actor: str
) -> list[UploadResult]:
    """Check and keep uploaded files, each on its own: a bad file costs the good ones
    nothing. Results in the files' order, each naming its file."""
    checked = check_files(files, engine, store)
    results = keep_photos(engine, store, checked, actor)
    return [UploadResult(name, r.outcome, r.id, r.message)
            for (name, _), r in zip(files, results, strict=True)]  # fmt: skip


def read_photo(
    conn: Connection, store: MediaStore, caller: Caller, photo_id: str, *, thumbnail: bool
) -> tuple[bytes, str]:
    """The EXIF-free bytes (or thumbnail) and their media type, for a caller who may see a
    report linking the photo; a read of a sensitive report's photo is audited."""
    seen = visible_photo(conn, photo_id, caller.report_scope(), caller.name)
    data = thumbnail_of(store, photo_id) if thumbnail else served_of(store, photo_id)
    if data is None:  # a row without its files: restored database without its media
        raise NotFoundError(f"the files of photo {photo_id} are not in the media store",
                            field="id")  # fmt: skip
    if seen["sensitive_reports"]:
        audit.record(conn, caller, "thumbnail" if thumbnail else "read", "photo", photo_id,
                     {"reports": seen["sensitive_reports"][:100],
                      "categories": seen["categories"]})  # fmt: skip
    return data, "image/jpeg" if thumbnail else seen["mime"]


def served_of(store: MediaStore, photo_id: str) -> bytes | None:
    """The photo's EXIF-free copy, made from its original and stored on its first read (an
    upright JPEG's is its original with the metadata segments cut out); None without
    the original. DamagedPhotoError (422) for an original that no longer checks."""
    stored = store.get(photo_id, "clean")
    if stored is not None:
        return stored
    original = store.get(photo_id)
    if original is None:
        return None
    made = served_copy(photo_id, original)
    # Readers at the same time each make the same bytes; the store renames atomically.
    store.put(photo_id, made, "clean")
    return made


def thumbnail_of(store: MediaStore, photo_id: str) -> bytes | None:
    """The photo's thumbnail, made from its EXIF-free copy and stored on its first request
    (the full decode happens here, not in the upload); None without the photo's files.
    DamagedPhotoError (422) for a photo whose pixels do not decode."""
    stored = store.get(photo_id, "thumb")
    if stored is not None:
        return stored
    clean = served_of(store, photo_id)
    if clean is None:
        return None
    made = make_thumbnail(photo_id, clean)
    store.put(photo_id, made, "thumb")
    return made


def check_report_photos(engine: Engine, photo_ids: list[str], field: str = "photo_ids") -> None:
    """InputError naming the first id of no uploaded photo (before a report is stored)."""
    with engine.connect() as conn:
        check_photo_ids(conn, photo_ids, field)


def unknown_photos(engine: Engine, photo_ids: list[str]) -> set[str]:
    """Which of these ids are of no uploaded photo (for a batch: one query for all items)."""
    with engine.connect() as conn:
        return set(photo_ids) - known_photos(conn, photo_ids)


def attach_report_photos(
    engine: Engine, report_id: str, photo_ids: list[str], actor: str, flags: PhotoFlags
) -> list[AttachedPhoto]:
    """Link photos to a stored report's own step, in a transaction of their own."""
    with engine.begin() as conn:
        return attach_photos(conn, report_id, photo_ids, step="report", actor=actor, flags=flags)


def report_photos(conn: Connection, report_id: str) -> list[dict]:
    """A report's photos (id, step, flag ...), for showing it."""
    return photos_of(conn, report_id)
