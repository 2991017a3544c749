"""The one rule for text PostgreSQL cannot store: NUL (U+0000) and lone surrogates.

PostgreSQL's text types refuse the NUL character, and UTF-8 has no encoding for a lone
surrogate (U+D800..U+DFFF, which Python strings may hold after JSON's "\\ud800"); either
makes the database call fail for the whole statement. Every door where text enters
(API bodies and parameters, report files, boundary files, registers) asks here first
and refuses the one item, naming its field, instead.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# For OpenAPI documents (ECMA 262 syntax): no NUL. A surrogate range is no valid pattern
# to Unicode-scalar regex engines, and a lone surrogate reaches the API only inside JSON,
# whose parser refuses it first.
STORABLE_PATTERN = r"^[^\u0000]*$"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(value: str) -> str | None:
    """What makes `value` unstorable ("holds a NUL character at position 3"), or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    what = "a NUL character (U+0000)" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"
    return f"holds {what} at position {found.start() + 1}, which cannot be stored"


def unstorable_mask(values: np.ndarray | pd.Series) -> np.ndarray:
    """For an array of strings (None and NaN allowed): True where the text is unstorable."""
    # Plain Python: pandas' Arrow strings cannot even hold a lone surrogate.
    search = _UNSTORABLE.search
    return np.fromiter((type(v) is str and search(v) is not None for v in values), bool,
                       count=len(values))  # fmt: skip


def unstorable_in(values: dict) -> tuple[str, str] | None:
    """The first (field, problem) among a mapping's string values, or None."""
    for name, value in values.items():
        if isinstance(value, str):
            problem = unstorable_text(value)
            if problem is not None:
                return str(name), problem
    return None
