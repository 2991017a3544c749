"""multipart/form-data bodies, parsed with the standard library's email package.

FastAPI's own form support needs the python-multipart package, which geogrid does not
install; the email parser reads the same MIME structure. The whole body is in memory
already (the upload limit bounds it); the parts are found in it by position, so each
photo's bytes are copied once.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from starlette.requests import Request

from geogrid.errors import InputError

MAX_PARTS = 20  # a JSON field and 9 photos, with room for a client's extra fields


@dataclass(frozen=True)
class FormPart:
    """One field of a form: its name, the file name if it is a file, and its bytes."""

    name: str
    filename: str | None
    data: bytes


async def form_files(request: Request) -> list[tuple[str, bytes]]:
    """The files of a multipart request body (field `files`) as (file name, bytes); 400
    when there is none or the form holds anything else."""
    files, _ = split_form(await form_parts(request), fields=())
    if not files:
        raise InputError("the form holds no file", field="files")
    return files


def split_form(
    parts: list[FormPart], fields: tuple[str, ...], file_field: str = "files"
) -> tuple[list[tuple[str, bytes]], dict[str, bytes]]:
    """(files as (file name, bytes), other fields by name) of a form that may hold files in
    `file_field` and each of `fields` once; InputError naming any other part."""
    files, values = [], {}
    for part in parts:
        if part.name == file_field and part.filename is not None:
            files.append((part.filename or "(no name)", part.data))
        elif part.name in fields and part.filename is None and part.name not in values:
            values[part.name] = part.data
        else:
            kind = "file" if part.filename is not None else "field"
            allowed = "".join(f", `{f}` once" for f in fields)
            raise InputError(f"unexpected form {kind} {part.name!r}: send `{file_field}` as "
                             f"files{allowed}", field=part.name)  # fmt: skip
    return files, values


async def form_parts(request: Request) -> list[FormPart]:
    """The parts of a multipart request body; 400 when it is not one."""
    content_type = request.headers.get("content-type")
    if not is_multipart(content_type):
        raise InputError("send the photos as multipart/form-data", field="Content-Type")
    return parse_form(await request.body(), content_type or "")


def is_multipart(content_type: str | None) -> bool:
    """Whether a Content-Type header announces a multipart form."""
    return (content_type or "").lower().lstrip().startswith("multipart/form-data")


def parse_form(body: bytes, content_type: str) -> list[FormPart]:
    """The parts of a multipart/form-data body; InputError when it is not one."""
    delimiter = b"\r\n--" + _boundary(content_type)
    spans = _part_spans(body, delimiter)
    if len(spans) > MAX_PARTS:
        raise InputError(f"a form holds at most {MAX_PARTS} parts", field="body")
    if len(spans) < 1 or not body.startswith(b"--", spans[-1][1] + len(delimiter)):
        raise InputError("the body is not a complete multipart form", field="body")
    return [_part(body, start, end) for start, end in spans]


def _part_spans(body: bytes, delimiter: bytes) -> list[tuple[int, int]]:
    """(start, end) in `body` of each part between delimiters, found without copying the
    body (a photo's bytes are copied once, into their part). The first delimiter may open
    the body without its leading CRLF."""
    if body.startswith(delimiter[2:]):
        at, shift = 0, 2
    else:
        at, shift = body.find(delimiter), 0
    spans: list[tuple[int, int]] = []
    while at != -1 and len(spans) <= MAX_PARTS:
        start = at + len(delimiter) - shift
        at, shift = body.find(delimiter, start), 0
        if at != -1:
            spans.append((start, at))
    return spans


def _boundary(content_type: str) -> bytes:
    """The boundary of a Content-Type header, as the standard library reads it."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    )  # fmt: skip
    boundary = message.get_boundary()
    if message.get_content_type() != "multipart/form-data" or not boundary:
        raise InputError("a multipart/form-data body needs a boundary in its Content-Type",
                         field="Content-Type")  # fmt: skip
    return boundary.encode("latin-1")


def _part(body: bytes, start: int, end: int) -> FormPart:
    """One part: its headers (parsed by the email package) and its bytes (sliced out as they
    are: finding the boundary is linear, where the email parser takes ~25 ms per MB)."""
    split = body.find(b"\r\n\r\n", start, end)
    if split == -1:
        raise InputError("a form part has no headers", field="body")
    head = body[start:split].lstrip(b"\r\n")
    headers = BytesParser(policy=policy.HTTP).parsebytes(head + b"\r\n\r\n")
    name = headers.get_param("name", header="content-disposition")
    if not name:
        raise InputError("a form part has no name", field="body")
    return FormPart(str(name), headers.get_filename(), body[split + 4 : end])
