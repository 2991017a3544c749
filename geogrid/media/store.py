"""The media store: files by content id, behind a small interface, on disk by default.

A content id is the SHA-256 hex digest of the original bytes, so storing the same photo
twice (a phone's retry) writes nothing the second time. Derived files (the EXIF-free copy,
the thumbnail) live beside their original under the same id with a suffix.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from geogrid.errors import InputError

CONTENT_ID = re.compile(r"^[0-9a-f]{64}$")
VARIANTS = ("", "clean", "thumb")  # the original, the copy served, the thumbnail
# Written before the photo's row: the original. The copy served and the thumbnail are
# made from it when first read (a turned JPEG's, a PNG's or a WebP's copy is written too).
KEPT_VARIANTS = ("",)
TEMP_PREFIX = ".tmp-"


class MediaStore(Protocol):
    """Where photo bytes live: put, get, exists and delete by content id and variant."""

    def put(self, content_id: str, data: bytes, variant: str = "") -> bool:
        """Store `data`; False when it was already there (nothing written)."""

    def get(self, content_id: str, variant: str = "") -> bytes | None:
        """The stored bytes, or None."""

    def exists(self, content_id: str, variant: str = "") -> bool:
        """Whether the file is stored."""

    def delete(self, content_id: str, variant: str = "") -> None:
        """Remove the file if stored."""


class DiskStore:
    """A MediaStore in a folder: `ab/cd/<id>[.variant]`, written atomically.

    Each file is written to a temporary name in its final folder, flushed to disk (fsync),
    then renamed: a process killed at any moment leaves either the whole file or none
    (only a `.tmp-*` file, which readers never see and `sweep_temp` removes).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, content_id: str, variant: str = "") -> Path:
        """Where a file of this id and variant lives (the id checked: no path tricks)."""
        if not CONTENT_ID.match(content_id):
            raise InputError(f"{content_id!r} is not a photo id (64 hex digits)", field="id")
        if variant not in VARIANTS:
            raise ValueError(f"unknown media variant {variant!r}")
        name = f"{content_id}.{variant}" if variant else content_id
        return self.root / content_id[:2] / content_id[2:4] / name

    def put(self, content_id: str, data: bytes, variant: str = "") -> bool:
        """Store `data` atomically; False when the file already exists (a retry)."""
        target = self.path(content_id, variant)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        with open(temp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)  # the rename itself survives a power cut
        return True

    def get(self, content_id: str, variant: str = "") -> bytes | None:
        """The stored bytes, or None."""
        try:
            return self.path(content_id, variant).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, content_id: str, variant: str = "") -> bool:
        """Whether the file is stored."""
        return self.path(content_id, variant).exists()

    def delete(self, content_id: str, variant: str = "") -> None:
        """Remove the file if stored."""
        self.path(content_id, variant).unlink(missing_ok=True)

    def files(self) -> list[Path]:
        """Every stored file (temporary files left by a killed writer excluded)."""
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.rglob("*")
                      if p.is_file() and not p.name.startswith(TEMP_PREFIX))  # fmt: skip

    def sweep_temp(self) -> int:
        """Remove the temporary files a killed writer left behind; how many there were."""
        found = list(self.root.rglob(f"{TEMP_PREFIX}*")) if self.root.exists() else []
        for path in found:
            path.unlink(missing_ok=True)
        return len(found)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
