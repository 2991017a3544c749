"""A report text's characters and character pairs, for a GIN index that finds the reports
holding the words of a search without reading every text.

Searches are short Chinese words (two characters: 纠纷, 诈骗), which trigram indexes
(pg_trgm) cannot serve. So each report stores the distinct single characters and pairs of
its lower-cased text (`geogrid_text_grams`, a generated column: every writer, COPY
included, fills it without knowing it); a search of two or more characters asks for the
reports holding all of its pairs, a one-character search for those holding that
character (`geogrid_query_grams`), and the exact `ilike` then runs on those alone. Lower
case, because PostgreSQL's `ilike` on a multibyte database compares the `lower()` of
both sides: a text matching the search holds every pair of it, so the index never drops
a match.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, Text, func
from sqlalchemy.sql.elements import ColumnElement

# The SQL functions themselves are the schema's: migration 0018 creates them.
STORED = "geogrid_text_grams(text)"  # the reports' generated column text_grams


def holds_words(grams: ColumnElement, words: str) -> ColumnElement:
    """Whether a text's stored grams hold all of those of the search `words` (a superset of
    the texts containing them, case-insensitively; the `ilike` decides)."""
    wanted = func.geogrid_query_grams(words, type_=ARRAY(Text))
    return grams.op("@>", is_comparison=True)(wanted)  # array containment: the GIN's operator
