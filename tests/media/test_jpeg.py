"""The JPEG structure walk (media/jpeg.py): each kind of damage it proves without decoding."""

from __future__ import annotations

import io
import random
import re

import pytest
from PIL import Image

from geogrid.media.checks import PhotoError, check_photo
from geogrid.media.jpeg import NOT_AT_END, jpeg_structure_error


def _noisy(**save) -> bytes:
    """A JPEG that compresses like a photo (noise), so its scan data is most of the file;
    the same bytes every run (a seeded noise), so each damage below is the same too."""
    pixels = random.Random(16).randbytes(400 * 300 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 300), pixels).save(out, "JPEG", quality=85, **save)
    return out.getvalue()


def _segment(data: bytes, marker: int) -> tuple[int, int]:
    """(start, end) of the first segment with this marker."""
    at = data.index(bytes([0xFF, marker]))
    return at, at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")


def _flipped(data: bytes, marker: int, to: int) -> bytes:
    """The first segment with this marker turned into one with the other."""
    at = _segment(data, marker)[0]
    return data[: at + 1] + bytes([to]) + data[at + 2 :]


def _refused(data: bytes, why: str) -> None:
    assert jpeg_structure_error(data) is not None
    with pytest.raises(PhotoError, match=why) as refused:
        check_photo("damaged.jpg", data)
    assert refused.value.field == "damaged.jpg"


def test_a_segment_cut_in_its_middle_is_refused() -> None:
    good = _noisy()
    start, end = _segment(good, 0xC4)  # a Huffman table: its length now runs on too far
    middle = (start + end) // 2
    _refused(good[:middle] + good[middle + 7 :], "cut short")
    start, end = _segment(good, 0xDB)  # the quantisation tables likewise
    _refused(good[: start + 30] + good[start + 31 :], "cut short")


def test_a_jpeg_without_its_end_marker_is_refused() -> None:
    good = _noisy()
    assert good.endswith(b"\xff\xd9")
    _refused(good[:-2], "end marker")
    _refused(good[:-2] + b"\x00\x00", "end marker")


def test_restart_markers_out_of_order_or_missing_are_refused() -> None:
    good = _noisy(restart_marker_blocks=4)
    assert jpeg_structure_error(good) is None
    markers = [m.start() for m in re.finditer(rb"\xff[\xd0-\xd7]", good)]
    first, second = markers[:2]
    swapped = bytearray(good)
    swapped[first + 1], swapped[second + 1] = good[second + 1], good[first + 1]
    _refused(bytes(swapped), "out of order")
    # One whole restart interval spliced out (the 8 markers that follow renumbered so
    # their order holds): only the count gives it away.
    spliced = good[: markers[0]] + good[markers[8] :]
    _refused(spliced, "restart markers in a scan that has")
    # A restart marker in a scan of a frame that declared no restart interval.
    plain = _noisy()
    _, end = _segment(plain, 0xDA)
    _refused(plain[: end + 50] + b"\xff\xd0" + plain[end + 50 :], "more restart markers")


def test_garbage_in_place_of_the_end_is_refused() -> None:
    # (Random bytes whose first marker happens to be an end marker, 1 in 254, would pass;
    # so would they a full decode, which reads them as wrong pixels.)
    good, rng = _noisy(), random.Random(7)
    for fraction in (0.2, 0.5, 0.8, 0.97):
        at = int(len(good) * fraction)
        damaged = good[:at] + rng.randbytes(len(good) - at)
        assert jpeg_structure_error(damaged) is not None, fraction
        with pytest.raises(PhotoError, match="damaged or cut short"):
            check_photo("tail.jpg", damaged)


def test_bytes_between_segments_are_skipped_as_libjpeg_skips_them() -> None:
    """libjpeg decodes such a file whole (with a warning): a good photo, not refused."""
    good = _noisy()
    _, end = _segment(good, 0xDB)
    padded = good[:end] + b"junk\x00\x00" + good[end:]
    assert jpeg_structure_error(padded) is None
    with Image.open(io.BytesIO(padded)) as image:
        image.load()  # Pillow (libjpeg) reads it whole too
    assert jpeg_structure_error(good[:end] + b"junk") == NOT_AT_END  # nothing after it


def test_headers_libjpeg_would_refuse_are_refused() -> None:
    good = _noisy()
    start, _ = _segment(good, 0xC4)
    bad_class = bytearray(good)
    bad_class[start + 4] = 0x25  # table class 2: there are only DC (0) and AC (1)
    _refused(bytes(bad_class), "Huffman table")
    start, _ = _segment(good, 0xDA)
    unknown = bytearray(good)
    unknown[start + 5] = 0x77  # the scan names a component the frame does not have
    _refused(bytes(unknown), "not in the frame")
    undefined = bytearray(good)
    undefined[start + 8] = 0x13  # the second component's AC table: 3, which no DHT defines
    with pytest.raises(OSError):  # libjpeg has standard tables for 0 and 1 only
        Image.open(io.BytesIO(bytes(undefined))).load()
    _refused(bytes(undefined), "Huffman table that is not defined")
    for damaged, why in (
        (_flipped(good, 0xC4, 0xCC), "arithmetic conditioning"),
        (_flipped(_noisy(progressive=True), 0xC2, 0xC0), "two scans"),
    ):
        with pytest.raises(OSError):  # each is a bit flipped in a marker: libjpeg fails
            Image.open(io.BytesIO(damaged)).load()
        _refused(damaged, why)
    start, _ = _segment(good, 0xC0)
    twelve_bits = bytearray(good)
    twelve_bits[start + 4] = 12  # (Pillow's header read refuses it too)
    assert "precision" in jpeg_structure_error(bytes(twelve_bits))


@pytest.mark.parametrize(
    "save",
    [{}, {"progressive": True}, {"restart_marker_rows": 1, "progressive": True},
     {"subsampling": 0}, {"subsampling": 1}, {"restart_marker_blocks": 3}],
)  # fmt: skip
@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_whole_jpegs_pass_the_walk(save: dict, mode: str) -> None:
    out = io.BytesIO()
    Image.effect_noise((403, 301), 50).convert(mode).save(out, "JPEG", **save)
    assert jpeg_structure_error(out.getvalue()) is None
