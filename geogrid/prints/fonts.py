"""The CJK font of printed maps and the matplotlib settings that embed it in a PDF.

WenQuanYi Micro Hei comes first because its outlines are TrueType: matplotlib embeds every
font as a TrueType (Type 42) font, and for a CFF-outlined font such as Noto Sans CJK the
result does not conform to the PDF specification (matplotlib issue #20870) -- poppler copes,
but Ghostscript and MuPDF, which many printer drivers use, draw no text at all. Noto Sans
CJK SC is the fallback, embedded as Type 3 glyph procedures (with a ToUnicode map, so the
text still extracts), which every renderer draws.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from geogrid.errors import ConfigurationError

# family, file name, pdf.fonttype; the Debian package that ships each is in the error below.
_CANDIDATES = (
    ("WenQuanYi Micro Hei", "wqy-microhei.ttc", 42),
    ("Noto Sans CJK SC", "NotoSansCJK-Regular.ttc", 3),
)
# rcParams are global: one print job at a time, so that a job finishing in one thread
# never resets the font under a job still drawing in another (the API serves in threads).
_PRINT_LOCK = threading.Lock()
_SEARCH_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    str(Path.home() / ".local/share/fonts"),
)


@dataclass(frozen=True)
class CjkFont:
    """A CJK font face known to matplotlib, and how a PDF embeds it."""

    family: str
    path: str
    fonttype: int


def _known_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


def _file_named(name: str) -> str | None:
    for folder in _SEARCH_DIRS:
        found = next(Path(folder).rglob(name), None) if Path(folder).is_dir() else None
        if found:
            return str(found)
    return None


@lru_cache(maxsize=1)
def cjk_font() -> CjkFont:
    """The first usable CJK font, registered with matplotlib (its cache may predate it)."""
    known = _known_families()
    for family, file_name, fonttype in _CANDIDATES:
        path = _file_named(file_name)
        if path is None:
            continue
        if family not in known:
            font_manager.fontManager.addfont(path)
        return CjkFont(family, path, fonttype)
    raise ConfigurationError(
        "no CJK font for printed maps: install the Debian package fonts-wqy-microhei "
        "(or fonts-noto-cjk)"
    )


@contextlib.contextmanager
def print_style() -> Iterator[CjkFont]:
    """matplotlib settings of every printed page (the CJK font, embedded), one job at a time."""
    font = cjk_font()
    settings = {
        "font.family": [font.family],
        "pdf.fonttype": font.fonttype,
        "axes.unicode_minus": False,  # ASCII hyphen: every CJK font has it
        "pdf.compression": 6,
    }
    with _PRINT_LOCK, matplotlib.rc_context(settings):
        yield font
