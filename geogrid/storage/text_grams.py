"""A report text's characters and character pairs, for a GIN index that finds the reports
holding the words of a search without reading every text.

Searches are short Chinese words (two characters: 纠纷, 诈骗), which trigram indexes
(pg_trgm) cannot serve. So each report stores the single characters and pairs of
its lower-cased text (`geogrid_text_grams`, a generated column: every writer, COPY
included, fills it without knowing it); a search of two or more characters asks for the
reports holding all of its pairs, a one-character search for those holding that
character (`geogrid_query_grams`), and the exact `ilike` then runs on those alone. Lower
case, because PostgreSQL's `ilike` on a multibyte database compares the `lower()` of
both sides: a text matching the search holds every pair of it, so the index never drops
a match.
"""

from __future__ import annotations

import re

from sqlalchemy import ARRAY, Connection, Text, func
from sqlalchemy import text as sql_text
from sqlalchemy.sql.elements import ColumnElement

from geogrid.storage.statements import kept_for

# The SQL functions themselves are the schema's: migration 0018 creates them.
STORED = "geogrid_text_grams(text)"  # the reports' generated column text_grams
SHARE_KEPT_S = 600.0  # how long a search's share is kept (ANALYZE runs about as seldom)
SHARE_KEPT_MAX = 4096  # searches kept per process
_KEPT: dict[tuple, tuple[float, float]] = {}  # (database URL, words): (when, share)


def holds_words(grams: ColumnElement, words: str) -> ColumnElement:
    """Whether a text's stored grams hold all of those of the search `words` (a superset of
    the texts containing them, case-insensitively; the `ilike` decides)."""
    wanted = func.geogrid_query_grams(words, type_=ARRAY(Text))
    return grams.op("@>", is_comparison=True)(wanted)  # array containment: the GIN's operator


# Characters without case that no other character lower-cases to: CJK ideographs, CJK and
# full-width punctuation and digits, whitespace, ASCII digits and punctuation. A search made
# only of them matches the same texts with `like` as with `ilike`.
_CASELESS = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff20\uff3b-\uff40"
    "\uff5b-\uff65"
    r"\s0-9!-/:-@\[-`{-~]*"
)


def holds_text(text: ColumnElement, words: str) -> ColumnElement:
    """Whether a text holds the search `words` as they are written, case-insensitively
    (`%` and `_` are plain characters). PostgreSQL's `ilike` lower-cases every text it
    compares: 2 µs a text against 0.1 µs for `like` (a station's 32,000 open cases: 77 ms
    against 13), so a search without cased characters (Chinese words as a rule) uses
    `like`, which then finds exactly the same texts."""
    escaped = words.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    if _CASELESS.fullmatch(words):
        return text.like(f"%{escaped}%", escape="\\")
    return text.ilike(f"%{escaped}%", escape="\\")


def words_share(conn: Connection, words: str) -> float:
    """At most what share of the reports hold the search `words`: that of the rarest of its
    grams among the most common ones ANALYZE keeps (0 for a gram not among them, or with
    no statistics yet); kept in this process for SHARE_KEPT_S."""
    # The planner multiplies the pairs' shares as if independent, but a word's pairs come
    # together (a village's name is in every report from it): it expects hundreds where
    # there are tens of thousands, and reads them all rather than the deadline's index.
    # The share only picks the index a page is read off (either gives the same rows), so a
    # share some minutes old costs at most a slower page; reading it costs a millisecond.
    read = lambda: conn.execute(_SHARE, {"words": words}).scalar() or 0.0  # noqa: E731
    return kept_for(_KEPT, (conn.engine.url, words), SHARE_KEPT_S, read, SHARE_KEPT_MAX)


_SHARE = sql_text("""
select min(coalesce(s.most_common_elem_freqs[
  array_position(s.most_common_elems::text::text[], g)], 0))
from pg_stats s, unnest(geogrid_query_grams(:words)) g
where s.schemaname = current_schema() and s.tablename = 'reports' and s.attname = 'text_grams'
""")
