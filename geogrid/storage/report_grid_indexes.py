"""The reports table's indexes by grid (migration 0019): a level-2 grid's or unit's open
cases by deadline and a unit's reports by month, as the console map's panel reads them.

Without them a unit's panel read its station's open cases (32,291 of the busiest
station's 381,250 reports in the million-report bench county) to find its own few: 127 ms
for the list and 35 ms for the count, against under 1 ms each off these. Kept beside the
Report class rather than in its table arguments, which models.py has no room left for.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy import text as sql_text

from geogrid.storage.models import Report

# The open cases, as the other open-case indexes have them (migration 0022).
OPEN_WHERE = sql_text("is_open")
TABLE = Report.__table__

GRID_INDEXES = (
    # with the station: a station's count of a grid's open cases off the index alone (0022)
    Index("ix_reports_open_level2_due", TABLE.c.level2_id, TABLE.c.due_at,
          postgresql_where=OPEN_WHERE, postgresql_include=["station_id"]),
    Index("ix_reports_open_level3_due", TABLE.c.level3_id, TABLE.c.due_at,
          postgresql_where=OPEN_WHERE, postgresql_include=["station_id"]),
    Index("ix_reports_level3_id_reported_at", TABLE.c.level3_id, TABLE.c.reported_at),
)  # fmt: skip
