"""Checking an uploaded photo: its kind by content, its size, its pixels, and its EXIF.

A photo is accepted when Pillow reads its header as JPEG, PNG or WebP within the byte and
pixel limits and its data is whole: a JPEG's segments and scans are walked to its
end-of-image marker (media/jpeg.py, no pixel decoding), a PNG or WebP is decoded to its
end (it is encoded again anyway). What is kept: the original (evidence, EXIF and all,
never served) and an EXIF-free copy that the API serves; the thumbnail is made from that
copy when it is first asked for (`make_thumbnail`), which decodes every pixel.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image, ImageOps

from geogrid.errors import DamagedPhotoError, InputError
from geogrid.media.jpeg import jpeg_structure_error
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
    # A turned JPEG, a PNG or a WebP encoded again without metadata: stored with the
    # original. None for an upright JPEG, whose copy is cut from the original when read.
    encoded: bytes | None = None

    @property
    def clean(self) -> bytes:
        """What is served: no EXIF (metadata segments cut out, or encoded again)."""
        if self.encoded is not None:
            return self.encoded
        stripped = strip_jpeg_metadata(self.original)
        if stripped is None:  # not after jpeg_structure_error passed; kept as a guard
            raise DamagedPhotoError(f"photo {self.id}: its JPEG segments cannot be walked")
        return stripped


def check_photo(name: str, data: bytes, *, digest: str | None = None) -> CheckedPhoto:
    """The photo in `data`, checked; PhotoError naming the file `name` otherwise. `digest`:
    the SHA-256 hex of `data` when the caller has it already."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(f"{name}: {len(data):,} bytes, more than the {MAX_PHOTO_BYTES:,} "
                         "allowed", field=name)  # fmt: skip
    image = _opened(name, data)
    kind, size = image.format, image.size
    if kind == "JPEG":
        why = jpeg_structure_error(data)
        if why is not None:
            raise PhotoError(f"{name}: the image is damaged or cut short ({why})", field=name)
    else:  # a PNG or WebP is decoded to its end (a PNG's EXIF may follow its pixels)
        _loaded(name, image)
    exif = image.getexif()
    when, lon, lat = _exif_time(exif), *_exif_position(exif)
    turned = exif.get(ExifTags.Base.Orientation, 1) not in (1, None)
    encoded = None
    # Most phone photos are upright JPEGs: the copy served is the original with its
    # metadata segments cut out (no decoding, no loss), made when it is first read; the
    # walk above proved the plain segment structure that cutting needs.
    if kind != "JPEG" or turned:
        upright = _loaded(name, image)
        upright = ImageOps.exif_transpose(upright) if turned else upright
        encoded, size = _encoded(upright, kind), upright.size
    return CheckedPhoto(
        id=digest or hashlib.sha256(data).hexdigest(), mime=MIME[kind], size=len(data),
        width=size[0], height=size[1], exif_time=when, exif_lon=lon, exif_lat=lat,
        original=data, encoded=encoded,
    )  # fmt: skip


def served_copy(photo_id: str, original: bytes) -> bytes:
    """The EXIF-free copy of a stored original, made as the upload makes it (for a photo
    whose copy is made on its first read); DamagedPhotoError when it no longer checks."""
    try:
        return check_photo(photo_id, original, digest=photo_id).clean
    except PhotoError as exc:
        raise DamagedPhotoError(f"photo {photo_id} is damaged in the media store: {exc}",
                                field="id") from None  # fmt: skip


def make_thumbnail(photo_id: str, data: bytes) -> bytes:
    """A JPEG of at most THUMBNAIL_PX of the photo in `data` (its EXIF-free copy), decoded
    to its end; DamagedPhotoError when its pixels do not decode."""
    try:
        image = Image.open(io.BytesIO(data), formats=tuple(MIME))
        if image.format == "JPEG":
            # The smallest DCT scale that still covers the thumbnail (1/8 for a phone's
            # photo): libjpeg still Huffman-decodes every byte, but skips the full IDCT.
            image.draft(image.mode, (THUMBNAIL_PX, THUMBNAIL_PX))
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DamagedPhotoError(f"photo {photo_id} is damaged: its pixels do not decode, so "
                                "it has no thumbnail", field="id") from None  # fmt: skip
    return _thumbnail(image)


def _opened(name: str, data: bytes) -> Image.Image:
    """The image's header read (its kind by content, its size), within the pixel limits;
    PhotoError otherwise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=tuple(MIME))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(f"{name}: too many pixels (a decompression bomb)",
                             field=name) from None  # fmt: skip
        except (OSError, ValueError, SyntaxError):
            raise PhotoError(f"{name}: not a JPEG, PNG or WebP image", field=name) from None
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise PhotoError(f"{name}: {width}x{height} pixels, more than "
                         f"{MAX_PHOTO_PIXELS:,} allowed", field=name)  # fmt: skip
    return image


def _loaded(name: str, image: Image.Image) -> Image.Image:
    """The image decoded to its end (a cut file fails here, not when served)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
            raise PhotoError(f"{name}: the image is damaged or cut short", field=name) from None
    return image


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
    # Slices of a view, joined once: the 3 MB of scan data are copied once, not three times.
    view = memoryview(data)
    out, at = [view[:2]], 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == 0xDA:  # start of scan: the rest is image data
            return b"".join([*out, view[at:]])
        if length < 2 or at + 2 + length > len(data):
            return None
        if not ((0xE0 <= marker <= 0xEF and marker not in _KEPT_APP) or marker == 0xFE):
            out.append(view[at : at + 2 + length])
        at += 2 + length
    return None


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
