"""The multipart parser: parts found by position, bytes kept exactly, bad forms refused."""

from __future__ import annotations

import os

import pytest

from geogrid.api.multipart import MAX_PARTS, parse_form
from geogrid.errors import InputError

B = "gg-test-boundary"
TYPE = f"multipart/form-data; boundary={B}"


def _file(name: str, data: bytes) -> bytes:
    head = f'--{B}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
    return head.encode() + b"Content-Type: image/jpeg\r\n\r\n" + data + b"\r\n"


def _form(*parts: bytes, preamble: bytes = b"") -> bytes:
    return preamble + b"".join(parts) + f"--{B}--\r\n".encode()


@pytest.mark.parametrize("preamble", [b"", b"a preamble the parser ignores\r\n"])
def test_the_parts_come_back_byte_for_byte(preamble: bytes) -> None:
    # Bytes that look like the form's own framing, but are not its boundary.
    tricky = b"\r\n\r\n--gg-test\r\n--" + os.urandom(3000) + b"\r\n"
    field = f'--{B}\r\nContent-Disposition: form-data; name="report"\r\n\r\n{{"a": 1}}\r\n'
    body = _form(field.encode(), _file("一.jpg", tricky), _file("b.jpg", b""), preamble=preamble)
    parts = parse_form(body, TYPE)
    assert [(p.name, p.filename) for p in parts] == [
        ("report", None), ("files", "一.jpg"), ("files", "b.jpg")
    ]  # fmt: skip
    assert parts[0].data == b'{"a": 1}' and parts[1].data == tricky and parts[2].data == b""


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (_file("a.jpg", b"x"), "not a complete multipart form"),  # no closing delimiter
        (b"no boundary at all", "not a complete multipart form"),
        (_form(f"--{B}\r\nno blank line".encode() + b"\r\n"), "no headers"),
        (_form(*[_file(f"{n}.jpg", b"x") for n in range(MAX_PARTS + 1)]), "at most 20"),
    ],
)
def test_a_bad_form_is_refused(body: bytes, why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_form(body, TYPE)


def test_a_form_of_the_most_parts_is_read() -> None:
    body = _form(*[_file(f"{n}.jpg", bytes([n])) for n in range(MAX_PARTS)])
    assert [p.data for p in parse_form(body, TYPE)] == [bytes([n]) for n in range(MAX_PARTS)]
