"""Photo checks: each bad kind refused naming the file; EXIF read, then removed."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import ExifTags, Image

from geogrid.media.checks import MAX_PHOTO_BYTES, PhotoError, check_photo, make_thumbnail
from geogrid.vocabulary import CHINA_TZ
from tests.media.photos import bomb_png, jpeg, pdf, png


def test_a_jpeg_with_exif_is_read_and_served_without_it() -> None:
    photo = check_photo("现场.jpg", jpeg(datetime(2026, 6, 1, 9, 30), 119.4012, 35.9987))
    assert (photo.mime, photo.width, photo.height) == ("image/jpeg", 64, 48)
    assert photo.exif_time == datetime(2026, 6, 1, 9, 30, tzinfo=CHINA_TZ)
    assert photo.exif_lon == pytest.approx(119.4012, abs=1e-6)
    assert photo.exif_lat == pytest.approx(35.9987, abs=1e-6)
    assert len(Image.open(io.BytesIO(photo.original)).getexif()) > 0  # the evidence is kept
    thumbnail = make_thumbnail(photo.id, photo.clean)  # made from what is served
    for served in (photo.clean, thumbnail):
        image = Image.open(io.BytesIO(served))
        assert len(image.getexif()) == 0 and b"Exif" not in served and "exif" not in image.info
    assert Image.open(io.BytesIO(thumbnail)).format == "JPEG"


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


def test_a_jpeg_is_stripped_without_touching_its_pixels() -> None:
    original = jpeg(datetime(2026, 6, 1, 9, 30), 119.4, 36.0, size=(50, 40))
    # An XMP segment (APP1) can carry the position too, and a comment a name.
    xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>36,0N</exif:GPSLatitude>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    comment = b"\xff\xfe\x00\x0bZhang San"
    data = original[:2] + segment + comment + original[2:]
    photo = check_photo("x.jpg", data)
    assert b"GPSLatitude" not in photo.clean and b"Zhang" not in photo.clean
    assert b"Exif" not in photo.clean and len(photo.clean) < len(data)
    served, kept = Image.open(io.BytesIO(photo.clean)), Image.open(io.BytesIO(data))
    assert served.tobytes() == kept.tobytes()  # the same pixels: no encoding again


def test_a_turned_photo_is_served_upright() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was held on its side
    out = io.BytesIO()
    Image.new("RGB", (60, 20), (1, 2, 3)).save(out, "JPEG", exif=exif, comment="Zhang San")
    photo = check_photo("side.jpg", out.getvalue())  # turned: encoded again, upright
    assert b"Zhang" in photo.original and b"Zhang" not in photo.clean
    assert (photo.width, photo.height) == (20, 60)
    assert Image.open(io.BytesIO(photo.clean)).size == (20, 60)
    assert len(Image.open(io.BytesIO(photo.clean)).getexif()) == 0


def test_a_cut_png_or_webp_is_refused_naming_it() -> None:
    webp = io.BytesIO()
    Image.effect_noise((60, 40), 40).convert("RGB").save(webp, "WEBP")
    for name, data in (("cut.png", png((200, 150))), ("cut.webp", webp.getvalue())):
        # (Pillow cannot even read a cut WebP's header: "not a ... image", as before.)
        with pytest.raises(PhotoError, match=r"damaged or cut short|not a JPEG") as refused:
            check_photo(name, data[: len(data) * 2 // 3])
        assert refused.value.field == name
