"""Photos: upload evidence photos (multipart), and read them EXIF-free, scoped like reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from geogrid.api.deps import CallerDep, ConnDep, StateDep, base_url
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.multipart import form_files
from geogrid.errors import InputError
from geogrid.usecases.photos import read_photo, upload_photos

router = APIRouter(prefix="/v1/photos", tags=["photos"], responses=PROBLEM_RESPONSES)
# Any text: what is not a photo's id (64 hex digits) is simply no photo, a 404 like the rest.
PhotoId = Annotated[str, Path(max_length=200, description="SHA-256 hex of the photo.")]
IMAGE_RESPONSES = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
                         "description": "The photo without EXIF."}}  # fmt: skip
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "maxItems": 9,
                             "items": {"type": "string", "format": "binary"}}},
}}}}}  # fmt: skip


class PhotoResult(BaseModel):
    """One uploaded file: stored (new), repeated (kept already) or rejected (why)."""

    name: str
    outcome: str
    id: str | None = None
    href: str | None = None
    message: str | None = None


class PhotoUpload(BaseModel):
    """The result of an upload, per file in the order sent."""

    results: list[PhotoResult]


@router.post("", response_model=PhotoUpload, summary="Upload evidence photos",
             openapi_extra=UPLOAD_BODY)  # fmt: skip
async def upload(request: Request, caller: CallerDep, state: StateDep) -> PhotoUpload:
    """Up to 9 JPEG, PNG or WebP files (form field `files`, 10 MB each) kept by content:
    the ids to give as a report's `photo_ids`. A bad file is rejected by name, the good
    ones beside it are kept; 400 naming the file when none is good."""
    caller.require("reports.create")
    files = await form_files(request)
    results = await run_in_threadpool(upload_photos, state.engine, state.media, files,
                                      caller.name)  # fmt: skip
    if not any(r.id for r in results):
        raise InputError(results[0].message or "no photo kept", field=results[0].name)
    root = base_url(request)
    return PhotoUpload(results=[
        PhotoResult(name=r.name, outcome=r.outcome, id=r.id, message=r.message,
                    href=f"{root}v1/photos/{r.id}" if r.id else None)
        for r in results
    ])  # fmt: skip


@router.get("/{photo_id}", responses=IMAGE_RESPONSES, response_class=Response,
            summary="A photo, EXIF removed")  # fmt: skip
def get_photo(photo_id: PhotoId, caller: CallerDep, state: StateDep, conn: ConnDep) -> Response:
    """The photo as served: re-encoded without EXIF (no time, no position); 404 unless a
    report in the caller's scope links it (or the caller uploaded it)."""
    caller.require("reports.read")
    data, mime = read_photo(conn, state.media, caller, photo_id, thumbnail=False)
    return Response(data, media_type=mime, headers=_cache())


@router.get("/{photo_id}/thumbnail", responses=IMAGE_RESPONSES, response_class=Response,
            summary="A photo's thumbnail")  # fmt: skip
def get_thumbnail(photo_id: PhotoId, caller: CallerDep, state: StateDep, conn: ConnDep) -> Response:
    """A JPEG at most 320 px on its longer side, scoped as the photo."""
    caller.require("reports.read")
    data, mime = read_photo(conn, state.media, caller, photo_id, thumbnail=True)
    return Response(data, media_type=mime, headers=_cache())


def _cache() -> dict[str, str]:
    # Content-addressed, so it never changes; private: it is evidence, not for shared caches.
    return {"Cache-Control": "private, max-age=86400"}
