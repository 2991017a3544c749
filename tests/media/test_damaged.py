"""Damaged photos: the upload's check refuses what a full decode refuses, and more.

The check no longer decodes a JPEG: it walks its markers, tables and scans to the end
marker (media/jpeg.py), which is cheap because no Huffman decoding is done; these tests
hold it to refusing whatever libjpeg's full decode refuses, over cuts, flipped bits,
garbage blocks and zero-filled tails. The full decode runs when a thumbnail is made.
"""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from geogrid.media.checks import THUMBNAIL_PX, PhotoError, check_photo, make_thumbnail
from geogrid.media.jpeg import jpeg_reaches_end


def _noisy(size: tuple[int, int] = (400, 300), **save) -> bytes:
    """A JPEG that compresses like a photo (noise), so its scan data is most of the file."""
    bands = [Image.effect_noise(size, 60 + 10 * n) for n in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=85, **save)
    return out.getvalue()


def _full_decode_refuses(data: bytes) -> bool:
    try:
        Image.open(io.BytesIO(data), formats=("JPEG",)).load()
    except (OSError, ValueError, SyntaxError):
        return True
    return False


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.99, 0.9999])
def test_a_jpeg_cut_anywhere_is_refused(fraction: float) -> None:
    good = _noisy()
    with pytest.raises(PhotoError, match="cut short") as refused:
        check_photo("cut.jpg", good[: int(len(good) * fraction)])
    assert refused.value.field == "cut.jpg"


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_a_zero_filled_tail_is_refused(fraction: float) -> None:
    # A half-written file of its full length: libjpeg decodes the zeros without an error
    # (Pillow 13 loads it), so it is the end-marker walk that refuses it.
    good = _noisy()
    kept = int(len(good) * fraction)
    with pytest.raises(PhotoError, match="end marker"):
        check_photo("zeros.jpg", good[:kept] + bytes(len(good) - kept))


def test_the_scaled_check_refuses_whatever_a_full_decode_refuses() -> None:
    good, rng = _noisy(), random.Random(16)
    damaged = []
    for _ in range(40):  # one bit flipped anywhere after the start marker
        data = bytearray(good)
        data[rng.randrange(2, len(data))] ^= 1 << rng.randrange(8)
        damaged.append(bytes(data))
    for _ in range(15):  # a block of garbage in the scan
        data, at = bytearray(good), rng.randrange(1000, len(good) - 3000)
        data[at : at + 2000] = rng.randbytes(2000)
        damaged.append(bytes(data))
    refused_fully = [d for d in damaged if _full_decode_refuses(d)]
    assert len(refused_fully) >= 5  # the sample does hold damage a decoder notices
    for data in refused_fully:
        with pytest.raises(PhotoError):
            check_photo("damaged.jpg", data)


def test_files_are_told_by_content_whatever_their_name() -> None:
    webp, png = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(webp, "WEBP")
    Image.new("RGB", (30, 20), (1, 2, 3)).save(png, "PNG")
    assert check_photo("a.jpg", png.getvalue()).mime == "image/png"
    assert check_photo("b.png", webp.getvalue()).mime == "image/webp"
    gif = io.BytesIO()
    Image.new("RGB", (30, 20)).save(gif, "GIF")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(500)
    for name, data in (("c.jpg", gif.getvalue()), ("IMG_0001.jpg", heic)):
        with pytest.raises(PhotoError, match=f"{name}: not a JPEG, PNG or WebP"):
            check_photo(name, data)


@pytest.mark.parametrize(
    "save", [{}, {"progressive": True}, {"optimize": True}, {"restart_marker_blocks": 4}]
)
def test_whole_jpegs_of_every_layout_pass(save: dict) -> None:
    good = _noisy(**save)
    assert jpeg_reaches_end(good)
    # A motion photo carries its video after the end marker: the photo is still whole.
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(2000)
    assert check_photo("motion.jpg", good + video).width == 400


def test_the_thumbnail_comes_from_the_scaled_decode_at_full_size_figures() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 160, 60)).save(out, "JPEG", quality=85)
    photo = check_photo("big.jpg", out.getvalue())
    assert (photo.width, photo.height) == (4000, 3000)  # the photo's size, not the draft's
    thumb = Image.open(io.BytesIO(make_thumbnail(photo.id, photo.clean)))
    assert max(thumb.size) == THUMBNAIL_PX and thumb.getpixel((5, 5)) == pytest.approx(
        (90, 160, 60), abs=3
    )
    assert photo.clean[:2] == b"\xff\xd8" and len(photo.clean) <= len(photo.original)
