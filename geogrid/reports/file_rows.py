"""Who a file's row is when it carries no client request id: what it says, and its turn.

`geogrid ingest` killed half way is run again, and every chunk it committed must then be
answered as already stored. A row with a client_request_id is its own; a row without one is
given `file:<128-bit hash of its fields>:<n>`: the hash of what it says (category, place,
CRS, time, reporter, text, as written, under the usual column aliases), and n = how many rows
of the file said exactly that up to and including it. So:
- a rerun finds every row again, however its chunks fall;
- a row written twice in a file is stored twice, as the file says (n tells them apart);
- the same report in another file (an overlapping export of another system) is already
  stored, because its content and turn are the same; a corrected row is a new report.
Nothing of the file's name or other columns takes part, so a renamed copy is the same file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geogrid.reports.checks import COLUMN_ALIASES

CONTENT_FIELDS = ("category", "lon", "lat", "crs", "reported_at", "reporter", "text")
_KEYS = ("geogrid-rows-one", "geogrid-rows-two")  # two 64-bit hashes: 128 bits in the id


class FileRows:
    """The row contents seen so far in one file, counted, to give each row its id."""

    def __init__(self) -> None:
        self._seen = np.empty(0, dtype=np.uint64)  # sorted first halves of the hashes
        self._times = np.empty(0, dtype=np.int64)  # how many rows had each

    def ids(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """For every row of the file's next chunk: its id and its body hash (object arrays:
        the body hash is what tells a rerun of the row from another body under its id)."""
        content = _content(frame)
        first, second = (pd.util.hash_pandas_object(content, index=False, hash_key=key)
                         .to_numpy(dtype=np.uint64) for key in _KEYS)  # fmt: skip
        turn = self._turns(first)
        body = [f"{a:016x}" for a in first.tolist()]
        ids = [f"file:{a}{b:016x}:{n}" for a, b, n in zip(body, second.tolist(), turn.tolist(),
                                                           strict=True)]  # fmt: skip
        return np.array(ids, dtype=object), np.array(body, dtype=object)

    def _turns(self, keys: np.ndarray) -> np.ndarray:
        """How many rows so far (earlier chunks and this one, this row included) had each key."""
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.ones(0, bool)
        rank = np.arange(len(ordered)) - np.maximum.accumulate(
            np.where(starts, np.arange(len(ordered)), 0)
        )
        at = np.minimum(np.searchsorted(self._seen, ordered), max(len(self._seen) - 1, 0))
        known = len(self._seen) > 0
        before = np.where(known & (self._seen[at] == ordered), self._times[at], 0) if known else 0
        turn = np.empty(len(keys), dtype=np.int64)
        turn[order] = before + rank + 1
        unique, counts = np.unique(ordered, return_counts=True)
        merged, inverse = np.unique(np.concatenate([self._seen, unique]), return_inverse=True)
        self._times = np.bincount(inverse, np.concatenate([self._times, counts])).astype(np.int64)
        self._seen = merged
        return turn


def _content(frame: pd.DataFrame) -> pd.DataFrame:
    """The fields that make a row's content, as text, in a fixed order ('' where absent)."""
    named = frame.rename(columns={k: v for k, v in COLUMN_ALIASES.items() if k in frame})
    columns = {}
    for name in CONTENT_FIELDS:
        if name in named:
            column = named[name]
            columns[name] = column.where(column.notna(), "").astype(str).str.strip()
        else:
            columns[name] = pd.Series("", index=named.index, dtype=object)
    return pd.DataFrame(columns)
