"""Every table of the store of record on one MetaData: what migrations and checks compare.

The boundary input tables live in their own module on the same Base; importing both here
(rather than models importing source_tables back) keeps storage free of import cycles.
"""

from __future__ import annotations

from geogrid.storage import (  # noqa: F401  (register their tables)
    figures_tables,
    loop_tables,
    media_tables,
    patrol_tables,
    registry_tables,
    report_grid_indexes,
    session_tables,
    source_tables,
    team_tables,
)
from geogrid.storage.models import Base

METADATA = Base.metadata
