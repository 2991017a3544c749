"""text_bigrams: a report text's characters and character pairs, GIN-indexed, for the case
list's text search

The console's search (`q=`, two Chinese characters as a rule) was an `ilike '%words%'` that
read the text of all of a station's reports (381,250 at the busiest station of bench_kpis'
million). Trigram indexes cannot serve a two-character word, so each report keeps the
distinct characters and pairs of its lower-cased text in a generated column (every writer,
COPY included, fills it unawares), and a GIN index finds the reports holding all of a
search's pairs; the exact `ilike` then runs on those alone. Adding the column rewrites the
table once, computing it for every existing report (see the README's console Speed).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The one definition of the grams (storage/text_grams.py asks for them by name).
# In PL/pgSQL: a loop of plain expressions costs a quarter of a set-returning SQL query per
# row (22-28 against 88 us a text of ~30 characters at load 5), paid on every report written.
# Repeated grams are kept: the GIN index stores each key of a row once all the same.
TEXT_GRAMS = """
create function geogrid_text_grams(t text) returns text[]
language plpgsql immutable strict parallel safe as $$
declare
  chars text[] := string_to_array(lower(t), null);  -- one element a character
  grams text[] := chars;
begin
  for i in 2 .. cardinality(chars) loop
    grams := grams || (chars[i - 1] || chars[i]);
  end loop;
  return grams;
end
$$
"""
QUERY_GRAMS = """
create function geogrid_query_grams(q text) returns text[]
language sql immutable strict parallel safe as $$
  select case when char_length(l) < 2 then array[l]
    else array(select distinct substr(l, i, 2) from generate_series(1, char_length(l) - 1) i)
    end
  from (select lower(q) as l) s
$$
"""


def upgrade() -> None:
    """Apply this revision."""
    op.execute(TEXT_GRAMS)
    op.execute(QUERY_GRAMS)
    op.add_column("reports", sa.Column(
        "text_grams", postgresql.ARRAY(sa.Text()),
        sa.Computed("geogrid_text_grams(text)", persisted=True), nullable=True))  # fmt: skip
    op.create_index("ix_reports_text_grams", "reports", ["text_grams"], postgresql_using="gin")
    # The case list reads the grams' shares from the statistics (storage/text_grams.py):
    # without them every word looks rare until autovacuum's next ANALYZE.
    op.execute("analyze reports (text_grams)")


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_reports_text_grams", table_name="reports")
    op.drop_column("reports", "text_grams")
    op.execute("drop function geogrid_query_grams(text)")
    op.execute("drop function geogrid_text_grams(text)")
