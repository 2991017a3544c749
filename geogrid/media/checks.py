"""Checking an uploaded photo: its kind by content, its size, its pixels, and its EXIF.

A photo is accepted when Pillow decodes all of it as JPEG, PNG or WebP, within the byte
and pixel limits, and a JPEG's segments and scans run to its end-of-image marker (libjpeg
decodes a zero-filled tail without complaint: a phone's half-written file). What is kept:
the original (evidence, EXIF and all, never served), an EXIF-free copy that the API
serves, and a JPEG thumbnail.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image, ImageOps

from geogrid.errors import InputError
from geogrid.vocabulary import as_china_time

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_STEP = 9
# Our own pixel limit, below Pillow's bomb guard (89 MP): a 50 MP phone camera passes, a
# small file that would decode to gigabytes does not.
MAX_PHOTO_PIXELS = 60_000_000
THUMBNAIL_PX = 320
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoError(InputError):
    """An uploaded file that is not a photo geogrid keeps (kind, size, pixels, damage)."""


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed the checks, with what is stored of it."""

    id: str  # SHA-256 hex of the original bytes
    mime: str
    size: int
    width: int
    height: int
    exif_time: datetime | None
    exif_lon: float | None
    exif_lat: float | None
    original: bytes
    clean: bytes  # what is served: no EXIF, re-encoded in the same format
    thumbnail: bytes  # JPEG, at most THUMBNAIL_PX on its longer side


def check_photo(name: str, data: bytes, *, digest: str | None = None) -> CheckedPhoto:
    """The photo in `data`, checked; PhotoError naming the file `name` otherwise. `digest`:
    the SHA-256 hex of `data` when the caller has it already."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(f"{name}: {len(data):,} bytes, more than the {MAX_PHOTO_BYTES:,} "
                         "allowed", field=name)  # fmt: skip
    image, size = _decoded(name, data, small=True)
    kind = image.format
    exif = image.getexif()
    when, lon, lat = _exif_time(exif), *_exif_position(exif)
    turned = exif.get(ExifTags.Base.Orientation, 1) not in (1, None)
    clean = None
    if kind == "JPEG" and not turned:
        # Most phone photos: the metadata segments cut out, the pixels untouched (no loss,
        # and no full-size decoding or encoding: ~65 ms each for 12 MP).
        clean = strip_jpeg_metadata(data)
    if clean is None:
        full = image if image.size == size else _decoded(name, data, small=False)[0]
        upright = ImageOps.exif_transpose(full) if turned else full
        clean, image, size = _encoded(upright, kind), upright, upright.size
    return CheckedPhoto(
        id=digest or hashlib.sha256(data).hexdigest(), mime=MIME[kind],
        size=len(data), width=size[0], height=size[1], exif_time=when, exif_lon=lon,
        exif_lat=lat, original=data, clean=clean, thumbnail=_thumbnail(image),
    )  # fmt: skip


def _decoded(name: str, data: bytes, *, small: bool) -> tuple[Image.Image, tuple[int, int]]:
    """The image decoded to its end (a cut file fails here, not when served), its kind
    known by content, and its full size; PhotoError otherwise. With `small`, a JPEG is
    decoded at a fraction of its size (libjpeg's DCT scaling still reads every byte)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=tuple(MIME))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(f"{name}: too many pixels (a decompression bomb)",
                             field=name) from None  # fmt: skip
        except (OSError, ValueError, SyntaxError):
            raise PhotoError(f"{name}: not a JPEG, PNG or WebP image", field=name) from None
        size = image.size
        if size[0] * size[1] > MAX_PHOTO_PIXELS:
            raise PhotoError(f"{name}: {size[0]}x{size[1]} pixels, more than "
                             f"{MAX_PHOTO_PIXELS:,} allowed", field=name)  # fmt: skip
        if small and image.format == "JPEG":
            # The smallest DCT scale that still covers the thumbnail (1/8 for a phone's
            # photo): the same Huffman decoding of every byte, no full inverse DCT.
            image.draft(image.mode, (THUMBNAIL_PX, THUMBNAIL_PX))
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
            raise PhotoError(f"{name}: the image is damaged or cut short", field=name) from None
    if image.format == "JPEG" and not jpeg_reaches_end(data):
        raise PhotoError(f"{name}: the image is damaged or cut short (its data does not "
                         "reach the JPEG's end marker)", field=name)  # fmt: skip
    return image, size


def _encoded(image: Image.Image, format: str) -> bytes:
    """The image in `format` with no metadata (no EXIF, no GPS, no text chunks)."""
    out = io.BytesIO()
    image = image.copy()
    image.info = {}  # Pillow writes a kept JPEG comment, or a PNG's EXIF, back when saving
    if format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90)
    elif format == "WEBP":
        image.save(out, "WEBP", quality=90)
    else:
        image.save(out, "PNG")
    return out.getvalue()


# JPEG segments kept when stripping: JFIF (APP0), the colour profile (APP2), Adobe's colour
# transform (APP14), and everything that is not an APPn or comment (tables, frame, scan).
_KEPT_APP = {0xE0, 0xE2, 0xEE}


def strip_jpeg_metadata(data: bytes) -> bytes | None:
    """The JPEG without its EXIF, XMP, IPTC and comment segments, pixels as they were; None
    when its structure is not the plain one this walks (then it is encoded again)."""
    if data[:2] != b"\xff\xd8":
        return None
    out, at = bytearray(b"\xff\xd8"), 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == 0xDA:  # start of scan: the rest is image data
            return bytes(out + data[at:])
        if length < 2 or at + 2 + length > len(data):
            return None
        if not ((0xE0 <= marker <= 0xEF and marker not in _KEPT_APP) or marker == 0xFE):
            out += data[at : at + 2 + length]
        at += 2 + length
    return None


# In a scan's entropy-coded data, 0xFF is followed by 0x00 (a stuffed byte), a restart
# marker (D0-D7) or fill (FF); any other byte after it is the marker that ends the scan.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def jpeg_reaches_end(data: bytes) -> bool:
    """Whether the JPEG's segments and scans run, one after the other, to an end-of-image
    marker (data after it, like a motion photo's video, is not looked at)."""
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:  # bytes between segments: libjpeg skips them, so do we
            found = _SCAN_END.search(data, at)
            if found is None:
                return False
            at = found.start()
        marker = data[at + 1]
        if marker == 0xD9:
            return True
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            at += 1 if marker == 0xFF else 2
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2 or at + 2 + length > len(data):
            return False
        at += 2 + length
        if marker == 0xDA:  # a scan: its data runs to the next marker
            found = _SCAN_END.search(data, at)
            if found is None:
                return False
            at = found.start()
    return False


def _thumbnail(image: Image.Image) -> bytes:
    # A box reduction by a whole factor first: ~8 times cheaper than resampling 12 MP.
    factor = max(1, max(image.size) // (THUMBNAIL_PX * 2))
    small = (image.reduce(factor) if factor > 1 else image).convert("RGB")
    small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def _exif_time(exif: Image.Exif) -> datetime | None:
    """When the photo was taken (DateTimeOriginal, else DateTime), read as China time."""
    inner = exif.get_ifd(ExifTags.IFD.Exif)
    raw = inner.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    try:
        return as_china_time(datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S"))
    except ValueError:
        return None  # absent or malformed: no time, not a refusal


def _exif_position(exif: Image.Exif) -> tuple[float | None, float | None]:
    """The GPS longitude and latitude in degrees (WGS-84, as phones write them), or Nones."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef))
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None, None
    return lon, lat


def _degrees(dms, ref) -> float:
    d, m, s = (float(v) for v in dms)
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip("\x00 ").upper() in ("S", "W") else value
