"""Reading patrols: a month's list in the caller's scope, and one patrol with its track."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, func, select

from geogrid.access.roles import Caller
from geogrid.errors import NotFoundError
from geogrid.patrols.scope import PEOPLE, person_filter, visible_rows
from geogrid.patrols.tracks import P, summary

LENGTH_M = func.coalesce(func.ST_Length(func.Geography(P.c.track)), 0.0).label("length_m")


def patrols_between(
    conn: Connection, caller: Caller, start: datetime, end: datetime, *,
    person_no: str | None = None, limit: int = 100, offset: int = 0,
) -> list[dict]:  # fmt: skip
    """The patrols started from `start` to before `end` that the caller may see."""
    query = (
        select(P, LENGTH_M, PEOPLE.c.person_no, PEOPLE.c.name)
        .join(PEOPLE, PEOPLE.c.id == P.c.person_id)
        .where(P.c.started_at >= start, P.c.started_at < end, visible_rows(caller, P),
               person_filter(P, person_no))
        .order_by(P.c.started_at, P.c.id).limit(limit).offset(offset)
    )  # fmt: skip
    return [_listed(row) for row in conn.execute(query)]


def patrol_with_track(conn: Connection, caller: Caller, patrol_id: int) -> dict:
    """One patrol the caller may see, with its track as GeoJSON (null while it runs)."""
    query = (
        select(P, LENGTH_M, PEOPLE.c.person_no, PEOPLE.c.name,
               func.ST_AsGeoJSON(P.c.track, 7).label("geojson"))
        .join(PEOPLE, PEOPLE.c.id == P.c.person_id)
        .where(P.c.id == patrol_id, visible_rows(caller, P))
    )  # fmt: skip
    row = conn.execute(query).one_or_none()
    if row is None:
        raise NotFoundError(f"no patrol {patrol_id} in your area", field="patrol_id")
    return _listed(row) | {"track": json.loads(row.geojson) if row.geojson else None}


def _listed(row) -> dict:
    return summary(row) | {"person_no": row.person_no, "name": row.name,
                           "length_m": round(float(row.length_m), 1)}  # fmt: skip
