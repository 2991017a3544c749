"""Photos as evidence: storing a checked photo, linking photos to a report's step with the
flags of distance and time, and finding a photo only for those who may see its report."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from geogrid.errors import InputError, NotFoundError
from geogrid.media.checks import MAX_PHOTOS_PER_STEP, CheckedPhoto
from geogrid.media.store import CONTENT_ID, MediaStore
from geogrid.reports.queries import ReportScope
from geogrid.storage.media_tables import Photo, ReportPhoto
from geogrid.storage.models import Report, ReportCategory

P, L, R, C = Photo.__table__, ReportPhoto.__table__, Report.__table__, ReportCategory.__table__
STEPS = ("report", "handled", "verified")  # where photos are taken along the loop


@dataclass(frozen=True)
class PhotoFlags:
    """When a photo's EXIF makes it doubtful evidence (from the settings)."""

    max_distance_m: float = 500.0
    max_age: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class AttachedPhoto:
    """One photo linked to a report's step, and why it was flagged (None: it was not)."""

    photo_id: str
    step: str
    flag: str | None


def store_photo(conn: Connection, store: MediaStore, photo: CheckedPhoto, actor: str) -> bool:
    """Keep a checked photo: its files in the store, then its row; False if already kept.

    Files first: a row always has its files, and files without a row (a failure between
    the two) are harmless, found again by their content id on the retry.
    """
    put_photo_files(store, [photo])
    return insert_photo_row(conn, photo, actor)


def put_photo_files(store: MediaStore, photos: list[CheckedPhoto]) -> None:
    """Write the files of these photos to the store (the original, and the copy served when
    it was encoded again), several at once: each write waits on its fsync, and waits that
    overlap cost one. An upright JPEG's copy and every thumbnail are made when first read
    (`usecases.photos.read_photo`)."""
    jobs = [(p.id, p.original, "") for p in photos]
    jobs += [(p.id, p.encoded, "clean") for p in photos if p.encoded is not None]
    if len(jobs) <= 1:
        for job in jobs:
            store.put(*job)
        return
    with ThreadPoolExecutor(max_workers=min(len(jobs), 9)) as pool:
        for _ in pool.map(lambda job: store.put(*job), jobs):
            pass  # a write's error is raised here, before any row names its photo


def insert_photo_row(conn: Connection, photo: CheckedPhoto, actor: str) -> bool:
    """The photo's row (its files are stored already); False if it was kept before."""
    values = {"id": photo.id, "mime": photo.mime, "bytes": photo.size, "width": photo.width,
              "height": photo.height, "exif_time": photo.exif_time, "exif_lon": photo.exif_lon,
              "exif_lat": photo.exif_lat, "uploaded_by": actor}  # fmt: skip
    done = conn.execute(insert(P).values(values).on_conflict_do_nothing().returning(P.c.id))
    return done.first() is not None


def check_photo_ids(conn: Connection, photo_ids: list[str], field: str = "photo_ids") -> None:
    """InputError naming the first id that is malformed or of no uploaded photo."""
    if len(photo_ids) > MAX_PHOTOS_PER_STEP:
        raise InputError(f"at most {MAX_PHOTOS_PER_STEP} photos per step, not {len(photo_ids)}",
                         field=field)  # fmt: skip
    for n, photo_id in enumerate(photo_ids):
        if not CONTENT_ID.match(str(photo_id)):
            raise InputError(f"{photo_id!r} is not a photo id", field=f"{field}[{n}]")
    known = known_photos(conn, photo_ids)
    for n, photo_id in enumerate(photo_ids):
        if photo_id not in known:
            raise InputError(f"no uploaded photo {photo_id}: upload it first (POST /v1/photos)",
                             field=f"{field}[{n}]")  # fmt: skip


def known_photos(conn: Connection, photo_ids: list[str]) -> set[str]:
    """Which of these ids are of uploaded photos."""
    return set(conn.scalars(select(P.c.id).where(P.c.id.in_(list(photo_ids)))))


def attach_photos(
    conn: Connection,
    report_id: str | uuid.UUID,
    photo_ids: list[str],
    *,
    step: str = "report",
    event_id: int | None = None,
    actor: str,
    flags: PhotoFlags | None = None,
) -> list[AttachedPhoto]:
    """Link uploaded photos to a step of a report, flagging those taken far from its point
    or long before it (the report's time for step "report", now for later steps).

    InputError naming the bad id, or the step over its 9 photos; NotFoundError for no such
    report. Linking a photo twice to the same step is harmless (a retry).
    """
    if step not in STEPS:
        raise InputError(f"unknown photo step {step!r} (one of {', '.join(STEPS)})", field="step")
    flags = flags or PhotoFlags()
    check_photo_ids(conn, photo_ids)
    report = conn.execute(select(R.c.reported_at).where(R.c.id == _report_key(report_id))).first()
    if report is None:
        raise NotFoundError(f"no report {report_id}", field="id")
    _check_step_room(conn, report_id, photo_ids, step)
    attached = [AttachedPhoto(photo_id, step, flag)
                for photo_id, flag in _flags(conn, report_id, photo_ids, step, flags)]  # fmt: skip
    rows = [{"report_id": _report_key(report_id), "photo_id": a.photo_id, "step": step,
             "event_id": event_id, "flag": a.flag, "actor": actor} for a in attached]  # fmt: skip
    if rows:
        conn.execute(insert(L).values(rows).on_conflict_do_nothing())
    return attached


def _check_step_room(conn: Connection, report_id, photo_ids: list[str], step: str) -> None:
    """InputError when the step would hold more than 9 photos."""
    held = set(conn.scalars(select(L.c.photo_id).where(
        L.c.report_id == _report_key(report_id), L.c.step == step)))  # fmt: skip
    if len(held | set(photo_ids)) > MAX_PHOTOS_PER_STEP:
        raise InputError(f"a report's {step} step holds at most {MAX_PHOTOS_PER_STEP} photos "
                         f"({len(held)} already)", field="photo_ids")  # fmt: skip


def _flags(conn: Connection, report_id, photo_ids: list[str], step: str, flags: PhotoFlags):
    """(photo id, flag reason or None) for each photo, measured against the report."""
    when = R.c.reported_at if step == "report" else func.now()
    spot = func.ST_SetSRID(func.ST_MakePoint(P.c.exif_lon, P.c.exif_lat), 4326)
    distance = func.ST_DistanceSphere(spot, R.c.geom)
    age = when - P.c.exif_time
    rows = conn.execute(
        select(P.c.id, distance, func.extract("epoch", age))
        .select_from(P.join(R, R.c.id == _report_key(report_id)))
        .where(P.c.id.in_(photo_ids))
    ).all()  # fmt: skip
    found = {r[0]: (r[1], r[2]) for r in rows}
    for photo_id in dict.fromkeys(photo_ids):
        metres, seconds = found[photo_id]
        yield photo_id, _reason(metres, seconds, flags)


def _reason(metres: float | None, seconds: float | None, flags: PhotoFlags) -> str | None:
    reasons = []
    if metres is not None and metres > flags.max_distance_m:
        reasons.append(f"taken {metres:,.0f} m from the report's point")
    if seconds is not None and seconds > flags.max_age.total_seconds():
        reasons.append(f"taken {float(seconds) / 86400:.1f} days before")
    elif seconds is not None and seconds < -3600:  # an hour of clock drift is forgiven
        reasons.append(f"taken {-float(seconds) / 3600:.1f} hours after (a wrong clock?)")
    return "; ".join(reasons) or None


def visible_photo(conn: Connection, photo_id: str, scope: ReportScope, caller_name: str) -> dict:
    """A photo's mime and the sensitive reports linking it, if the caller may see it: a
    report in scope links it (a sensitive one only with details), or the caller uploaded
    it. NotFoundError otherwise (existence does not leak)."""
    if not CONTENT_ID.match(photo_id):
        raise NotFoundError(f"no photo {photo_id}", field="id")
    linked = (
        select(R.c.id, C.c.sensitive, C.c.code).select_from(L.join(R, R.c.id == L.c.report_id)
        .join(C, C.c.id == R.c.category_id)).where(L.c.photo_id == photo_id, scope.condition())
    )  # fmt: skip
    # Whoever may not see a sensitive report's details (its personal data) may not see its
    # photos either.
    reports = [r for r in conn.execute(linked).all() if scope.details or not r[1]]
    if reports:
        photo = conn.execute(select(P.c.mime).where(P.c.id == photo_id)).first()
    else:
        photo = conn.execute(select(P.c.mime).where(
            P.c.id == photo_id, P.c.uploaded_by == caller_name)).first()  # fmt: skip
    if photo is None:
        raise NotFoundError(f"no photo {photo_id}", field="id")
    sensitive = [r for r in reports if r[1]]
    return {"mime": photo[0], "sensitive_reports": [str(r[0]) for r in sensitive],
            "categories": sorted({r[2] for r in sensitive})}  # fmt: skip


def first_photos(conn: Connection, report_ids: list) -> dict:
    """For each report id, the id of its first photo of the report step (if it has one)."""
    if not report_ids:
        return {}
    rows = conn.execute(
        select(L.c.report_id, func.min(L.c.id)).where(
            L.c.report_id.in_([_report_key(r) for r in report_ids]), L.c.step == "report")
        .group_by(L.c.report_id)
    ).all()  # fmt: skip
    if not rows:
        return {}
    photo = dict(conn.execute(select(L.c.id, L.c.photo_id).where(
        L.c.id.in_([r[1] for r in rows]))).all())  # fmt: skip
    return {r[0]: photo[r[1]] for r in rows}


def photos_of(conn: Connection, report_id: str | uuid.UUID) -> list[dict]:
    """The photos of a report, by step and time: id, step, mime, size, EXIF facts, flag."""
    rows = conn.execute(
        select(L.c.photo_id, L.c.step, L.c.event_id, L.c.flag, L.c.actor, L.c.at, P.c.mime,
               P.c.width, P.c.height, P.c.exif_time, P.c.exif_lon, P.c.exif_lat)
        .select_from(L.join(P, P.c.id == L.c.photo_id))
        .where(L.c.report_id == _report_key(report_id)).order_by(L.c.at, L.c.id)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def _report_key(report_id: str | uuid.UUID) -> uuid.UUID:
    try:
        return uuid.UUID(str(report_id))
    except ValueError:
        raise NotFoundError(f"no report {report_id}", field="id") from None
