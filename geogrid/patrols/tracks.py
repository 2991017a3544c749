"""Patrols (巡查): start, upload track points in batches, stop; each call idempotent.

A patrol is started with the phone's client id (the same id gives the same patrol back);
points come in batches with a client batch id (a batch sent again stores nothing, and a
point at a moment already stored for the patrol is not stored twice); a bad point is
rejected by index and field while the good ones of the batch are kept; stop draws the
track (and a batch arriving after the stop draws it again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from geogrid.errors import ConflictError, InputError, NotFoundError
from geogrid.patrols.points import PointIn, PointProblem, check_points, phone_time
from geogrid.patrols.track_sql import store_tracks
from geogrid.storage.duty import grids_held
from geogrid.storage.patrol_tables import Patrol, PatrolBatch
from geogrid.vocabulary import (
    CLOCK_SKEW_S,
    PATROL_BATCH_MAX_POINTS,
    as_china_time,
    china_day,
    china_now,
)

P = Patrol.__table__
B = PatrolBatch.__table__
# The batch goes in as four array literals parsed by the server: psycopg adapting lists
# of 10,000 values element by element in Python cost more than the INSERT itself
# (bench/bench_patrols.py: 0.5 s against 0.2 s for the whole statement this way).
INSERT_POINTS = text("""
insert into patrol_points (patrol_id, at, geom, accuracy_m)
select :patrol, t.at, st_setsrid(st_makepoint(t.lon, t.lat), 4326), t.accuracy
from unnest(cast(cast(:at as text) as timestamptz[]), cast(cast(:lon as text) as float8[]),
            cast(cast(:lat as text) as float8[]), cast(cast(:accuracy as text) as float8[]))
     as t(at, lon, lat, accuracy)
on conflict (patrol_id, at) do nothing
""")


def array_literal(values: list) -> str:
    """A PostgreSQL array literal of numbers or times (ISO 8601), None as NULL."""
    return "{" + ",".join("NULL" if v is None else _literal(v) for v in values) + "}"


def _literal(value) -> str:
    # repr of a float is the shortest text that reads back as the same double.
    return f'"{value.isoformat()}"' if isinstance(value, datetime) else repr(float(value))


@dataclass(frozen=True)
class BatchResult:
    """What became of a batch: stored (new) or repeated, the points stored, the rejected."""

    outcome: str
    stored: int
    rejected: list[PointProblem]
    patrol: dict


def start_patrol(
    conn: Connection, person_id: int, client_id: str, started_at: datetime
) -> tuple[str, dict]:
    """("created" or "repeated", the patrol): the same client id gives the same patrol; a
    different start time under it is a ConflictError."""
    started_at = phone_time(started_at, "started_at")
    if started_at > china_now().replace(microsecond=0) + _skew():
        raise InputError(f"{started_at.isoformat()} is in the future", field="started_at")
    made = conn.execute(
        pg_insert(P)
        .values(person_id=person_id, client_id=client_id, started_at=started_at,
                grid_codes=list(grids_held(conn, person_id, china_day(started_at))))
        .on_conflict_do_nothing()
        .returning(P.c.id)
    ).scalar()  # fmt: skip
    row = conn.execute(select(P).where(P.c.person_id == person_id, P.c.client_id == client_id))
    patrol = row.one()
    if made is None and patrol.started_at != started_at:
        raise ConflictError(f"patrol {client_id!r} was started at "
                            f"{as_china_time(patrol.started_at).isoformat()}, not "
                            f"{started_at.isoformat()}", field="client_id")  # fmt: skip
    return ("created" if made else "repeated"), summary(patrol)


def add_points(
    conn: Connection, person_id: int, patrol_id: int, batch_id: str, points: list[PointIn]
) -> BatchResult:
    """Store a batch of a person's own patrol once, the good points of it, in one INSERT."""
    if len(points) > PATROL_BATCH_MAX_POINTS:
        raise InputError(f"at most {PATROL_BATCH_MAX_POINTS} points in a batch, not "
                         f"{len(points)}", field="points")  # fmt: skip
    patrol = own_patrol(conn, person_id, patrol_id, lock=True)
    new = conn.execute(
        pg_insert(B).values(patrol_id=patrol_id, client_batch_id=batch_id, stored=0, rejected=0)
        .on_conflict_do_nothing().returning(B.c.id)
    ).scalar()  # fmt: skip
    if new is None:
        stored = conn.execute(
            select(B.c.stored).where(B.c.patrol_id == patrol_id, B.c.client_batch_id == batch_id)
        )
        return BatchResult("repeated", stored.scalar_one(), [], summary(patrol))  # fmt: skip
    checked = check_points(points, patrol.started_at, patrol.stopped_at, china_now())
    count = 0
    if checked.at:
        columns = {"at": checked.at, "lon": checked.lon, "lat": checked.lat,
                   "accuracy": checked.accuracy_m}  # fmt: skip
        literals = {name: array_literal(values) for name, values in columns.items()}
        count = conn.execute(INSERT_POINTS, {"patrol": patrol_id, **literals}).rowcount
    conn.execute(update(B).where(B.c.id == new)
                 .values(stored=count, rejected=len(checked.problems)))  # fmt: skip
    conn.execute(update(P).where(P.c.id == patrol_id).values(points=P.c.points + count))
    if patrol.stopped_at is not None and count:
        store_tracks(conn, [patrol_id])  # a late batch: the track is drawn again
    return BatchResult("stored", count, checked.problems, _read(conn, patrol_id))


def stop_patrol(
    conn: Connection, person_id: int, patrol_id: int, stopped_at: datetime
) -> tuple[str, dict]:
    """("stopped" or "repeated", the patrol): the first stop's time is kept; the track is
    drawn from the points."""
    patrol = own_patrol(conn, person_id, patrol_id, lock=True)
    if patrol.stopped_at is not None:
        return "repeated", summary(patrol)
    stopped_at = phone_time(stopped_at, "stopped_at")
    if stopped_at < patrol.started_at:
        raise InputError(f"{stopped_at.isoformat()} is before the patrol started",
                         field="stopped_at")  # fmt: skip
    if stopped_at > china_now() + _skew():
        raise InputError(f"{stopped_at.isoformat()} is in the future", field="stopped_at")
    conn.execute(update(P).where(P.c.id == patrol_id).values(stopped_at=stopped_at))
    store_tracks(conn, [patrol_id])
    return "stopped", _read(conn, patrol_id)


def own_patrol(conn: Connection, person_id: int, patrol_id: int, *, lock: bool = False) -> Row:
    """The person's patrol; NotFoundError for any other id (another's patrol too)."""
    query = select(P).where(P.c.id == patrol_id, P.c.person_id == person_id)
    row = conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFoundError(f"no patrol {patrol_id} of yours", field="patrol_id")
    return row


def summary(row: Row) -> dict:
    """A patrol's facts without its track."""
    return {"id": row.id, "client_id": row.client_id, "started_at": row.started_at,
            "stopped_at": row.stopped_at, "points": row.points,
            "grid_codes": list(row.grid_codes)}  # fmt: skip


def _read(conn: Connection, patrol_id: int) -> dict:
    return summary(conn.execute(select(P).where(P.c.id == patrol_id)).one())


def _skew() -> timedelta:
    return timedelta(seconds=CLOCK_SKEW_S)
