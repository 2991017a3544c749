"""Photos built in the tests: good ones with EXIF time and GPS, and each kind of bad one."""

from __future__ import annotations

import io
import zlib
from datetime import datetime

from PIL import ExifTags, Image


def jpeg(
    taken: datetime | None = None,
    lon: float | None = None,
    lat: float | None = None,
    size: tuple[int, int] = (64, 48),
    color: tuple[int, int, int] = (200, 40, 40),
) -> bytes:
    """A small JPEG, with EXIF DateTimeOriginal and GPS when given."""
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime(
            "%Y:%m:%d %H:%M:%S"
        )
    if lon is not None and lat is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _dms(abs(lat))
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _dms(abs(lon))
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    """A small PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    """The bytes of a (minimal) PDF document."""
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n"
            b"%%EOF\n")  # fmt: skip


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG header claiming huge dimensions over a few bytes of data (a decompression bomb)."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 16)  # a few rows; the rest is missing
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)
