"""The text encoding of a Chinese data file, with one answer for every reader.

Bytes that decode as UTF-8 are UTF-8 (`utf-8-sig` when they start with a byte-order mark,
so the mark does not end up in the first column's name). Anything else is read as GB18030:
what Chinese office software writes, and a superset of GBK and GB2312, so a GBK file reads
the same and the four-byte characters GBK lacks (rare names, 生僻字) read too. A file in some
third encoding is named with an explicit `--encoding`.
"""

from __future__ import annotations

from pathlib import Path

GB18030 = "gb18030"
SAMPLE_BYTES = 1 << 20  # enough text to tell, however large the file
_BOM = b"\xef\xbb\xbf"


def detect_encoding(data: bytes) -> str:
    """`utf-8`, `utf-8-sig` or `gb18030`: how to read these bytes (or the head of a file)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut by the end of a sample is no evidence against UTF-8; any other
        # error is, even in the last bytes (a short GBK name ends in one).
        if exc.reason != "unexpected end of data":
            return GB18030
    return "utf-8-sig" if data.startswith(_BOM) else "utf-8"


def file_encoding(path: Path) -> str:
    """The encoding of a text file, judged on its first `SAMPLE_BYTES`."""
    with Path(path).open("rb") as handle:
        return detect_encoding(handle.read(SAMPLE_BYTES))
