"""Photo checks: each bad kind refused naming the file; EXIF read, then removed."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image

from geogrid.media.checks import MAX_PHOTO_BYTES, PhotoError, check_photo
from geogrid.vocabulary import CHINA_TZ
from tests.media.photos import bomb_png, jpeg, pdf, png


def test_a_jpeg_with_exif_is_read_and_served_without_it() -> None:
    photo = check_photo("现场.jpg", jpeg(datetime(2026, 6, 1, 9, 30), 119.4012, 35.9987))
    assert (photo.mime, photo.width, photo.height) == ("image/jpeg", 64, 48)
    assert photo.exif_time == datetime(2026, 6, 1, 9, 30, tzinfo=CHINA_TZ)
    assert photo.exif_lon == pytest.approx(119.4012, abs=1e-6)
    assert photo.exif_lat == pytest.approx(35.9987, abs=1e-6)
    assert len(Image.open(io.BytesIO(photo.original)).getexif()) > 0  # the evidence is kept
    for served in (photo.clean, photo.thumbnail):
        image = Image.open(io.BytesIO(served))
        assert len(image.getexif()) == 0 and b"Exif" not in served and "exif" not in image.info
    assert Image.open(io.BytesIO(photo.thumbnail)).format == "JPEG"


def test_a_png_is_kept_as_png() -> None:
    photo = check_photo("a.png", png())
    assert photo.mime == "image/png" and photo.exif_time is None and photo.exif_lon is None
    assert Image.open(io.BytesIO(photo.clean)).format == "PNG"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("合同.jpg", pdf(), "not a JPEG, PNG or WebP"),
        ("cut.jpg", jpeg(size=(400, 300))[: len(jpeg(size=(400, 300))) // 2], "cut short"),
        ("big.jpg", jpeg() + b"\0" * (MAX_PHOTO_BYTES + 1 - len(jpeg())), "more than"),
        ("bomb.png", bomb_png(), "decompression bomb"),
        ("huge.png", bomb_png(9_000, 8_000), "more than 60,000,000"),  # under Pillow's guard
    ],
)
def test_each_bad_photo_is_refused_naming_the_file(name: str, data: bytes, why: str) -> None:
    assert len(data) < MAX_PHOTO_BYTES + 2
    with pytest.raises(PhotoError, match=why) as refused:
        check_photo(name, data)
    assert refused.value.field == name and name in str(refused.value)
