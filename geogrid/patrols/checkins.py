"""Check-ins (签到): a person at a place, with photos, placed in a unit by the same
spatial join as reports (the lookups' index); idempotent by client request id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from geogrid.access.roles import Caller
from geogrid.errors import ConflictError, InputError
from geogrid.media.evidence import check_photo_ids
from geogrid.patrols.points import phone_time
from geogrid.patrols.scope import PEOPLE, person_filter, visible_rows
from geogrid.reports.lookup import PointLookup, to_lon_lat
from geogrid.storage.duty import grids_held
from geogrid.storage.models import SRID
from geogrid.storage.patrol_tables import CheckIn
from geogrid.vocabulary import CLOCK_SKEW_S, GPS_TOLERANCE_M, china_day, china_now

K = CheckIn.__table__


@dataclass(frozen=True)
class CheckInIn:
    """A check-in as the phone sends it (a naive time is China time)."""

    client_request_id: str
    at: datetime
    lon: float
    lat: float
    photo_ids: list[str]
    crs: str | None = None
    accuracy_m: float | None = None
    place: str = ""
    note: str = ""


def check_in(
    conn: Connection, lookups: PointLookup, person_id: int, entry: CheckInIn,
    tolerance_m: float = GPS_TOLERANCE_M,
) -> tuple[str, dict]:  # fmt: skip
    """("created" or "repeated", the check-in). At least one photo; the point in any
    accepted CRS; a request id sent again with another point or time is a ConflictError."""
    at = phone_time(entry.at, "at")
    if at > china_now() + timedelta(seconds=CLOCK_SKEW_S):
        raise InputError(f"{at.isoformat()} is in the future", field="at")
    if not entry.photo_ids:
        raise InputError("a check-in needs a photo (upload it first: POST /v1/photos)",
                         field="photo_ids")  # fmt: skip
    lon, lat = to_lon_lat(entry.lon, entry.lat, entry.crs)
    check_photo_ids(conn, entry.photo_ids)
    found = lookups.find(lon, lat, day=china_day(at), tolerance_m=tolerance_m)
    values = {"person_id": person_id, "client_request_id": entry.client_request_id, "at": at,
              "geom": func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID),
              "accuracy_m": entry.accuracy_m, "place": entry.place, "note": entry.note,
              "photo_ids": list(entry.photo_ids), "version_id": found.version_id,
              "unit_code": found.unit.code if found.unit else None, "method": found.method,
              "grid_codes": list(grids_held(conn, person_id, china_day(at)))}  # fmt: skip
    made = conn.execute(pg_insert(K).values(**values).on_conflict_do_nothing()
                        .returning(K.c.id)).scalar()  # fmt: skip
    row = _read(conn, person_id, entry.client_request_id)
    if made is None and (row.at != at or (row.lon, row.lat) != (lon, lat)):
        raise ConflictError(f"check-in {entry.client_request_id!r} was made at another time "
                            "or place", field="client_request_id")  # fmt: skip
    return ("created" if made else "repeated"), _out(row)


def _read(conn: Connection, person_id: int, request_id: str) -> Row:
    query = select(K, func.ST_X(K.c.geom).label("lon"), func.ST_Y(K.c.geom).label("lat")).where(
        K.c.person_id == person_id, K.c.client_request_id == request_id
    )
    return conn.execute(query).one()


def _out(row: Row) -> dict:
    return {"id": row.id, "client_request_id": row.client_request_id, "at": row.at,
            "lon": row.lon, "lat": row.lat, "accuracy_m": row.accuracy_m, "place": row.place,
            "note": row.note, "photo_ids": list(row.photo_ids), "unit_code": row.unit_code,
            "method": row.method, "version_id": row.version_id}  # fmt: skip


def check_ins_between(
    conn: Connection, caller: Caller, start: datetime, end: datetime, *,
    person_no: str | None = None, limit: int = 100, offset: int = 0,
) -> list[dict]:  # fmt: skip
    """The check-ins from `start` to before `end` that the caller may see, by time."""
    query = (
        select(K, func.ST_X(K.c.geom).label("lon"), func.ST_Y(K.c.geom).label("lat"),
               PEOPLE.c.person_no, PEOPLE.c.name)
        .join(PEOPLE, PEOPLE.c.id == K.c.person_id)
        .where(K.c.at >= start, K.c.at < end, visible_rows(caller, K),
               person_filter(K, person_no))
        .order_by(K.c.at, K.c.id).limit(limit).offset(offset)
    )  # fmt: skip
    return [_out(r) | {"person_no": r.person_no, "name": r.name} for r in conn.execute(query)]
