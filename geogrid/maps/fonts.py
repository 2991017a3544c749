"""A Chinese web font for map pages, cut from an installed Noto Sans CJK to GB 2312's characters.

Pages name the fonts of Chinese desktops first (Microsoft YaHei, PingFang SC, Noto Sans CJK SC,
WenQuanYi ...); this font comes last, for a machine with none of them, and a browser fetches
it only there. It is made once, from Debian's fonts-noto-cjk or a font file given, with
fontTools (which matplotlib already brings): GB 2312's 6,763 characters, its symbols and ASCII,
about 3 MB. Names outside GB 2312 (rare characters) fall back to the system's fonts.
"""

from __future__ import annotations

from pathlib import Path

FONT_FILE = "fonts/geogrid-cjk-sc.otf"  # under the asset folder; geogrid-map.css names it
FAMILY = "Noto Sans CJK SC"
SOURCES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),  # Debian fonts-noto-cjk
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),  # Fedora, Arch
)


def find_cjk_source() -> Path | None:
    """An installed Noto Sans CJK file, or None."""
    return next((path for path in SOURCES if path.is_file()), None)


def gb2312_characters() -> str:
    """Every character of GB 2312 (symbols and both levels of hanzi) and printable ASCII."""
    chars = [chr(code) for code in range(0x20, 0x7F)]
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # an unassigned code point
    return "".join(chars)


def write_cjk_font(path: Path, source: Path | None = None) -> Path | None:
    """Write the subset font to `path` unless it is there; None when no source font exists."""
    if path.is_file():
        return path
    source = source or find_cjk_source()
    if source is None:
        return None
    from fontTools import subset  # a second or so to import: only when a font is made
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() in (".ttc", ".otc"):
        faces = TTCollection(str(source), lazy=True).fonts
        font = next((f for f in faces if f["name"].getDebugName(1) == FAMILY), faces[0])
    else:
        font = TTFont(str(source), lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]  # vertical forms and punctuation spacing stay
    options.hinting = False  # screens at map sizes do without; saves a tenth
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=gb2312_characters())
    subsetter.subset(font)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    font.save(str(partial))
    partial.replace(path)  # a reader never sees half a font
    return path
