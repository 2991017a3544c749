"""Track points as a phone sends them, checked one by one: a bad point is rejected with
its index and field, the good ones beside it are kept (pure: no database)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from geogrid.errors import InputError
from geogrid.reports.checks import lon_lat_problem
from geogrid.vocabulary import CLOCK_SKEW_S, as_china_time


@dataclass(frozen=True)
class PointIn:
    """One track point as received: when (ISO 8601 text or a time; a naive one is China
    time), where, how exact."""

    at: datetime | str
    lon: float
    lat: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class PointProblem:
    """Why the point at `index` of a batch was not stored."""

    index: int
    field: str
    message: str


@dataclass
class CheckedPoints:
    """The good points as columns, ready for one INSERT, and the problems of the others."""

    at: list[datetime] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    accuracy_m: list[float | None] = field(default_factory=list)
    problems: list[PointProblem] = field(default_factory=list)


def phone_time(moment: datetime, field: str) -> datetime:
    """A time from a phone in China time (a naive one is China time already); InputError
    naming `field` for a year outside 1900-2999, which no phone clock shows."""
    if not 1900 <= moment.year <= 2999:
        raise InputError(f"{moment.isoformat()} is no time a phone records", field=field)
    return as_china_time(moment)


def check_points(
    points: list[PointIn], started_at: datetime, stopped_at: datetime | None, now: datetime
) -> CheckedPoints:
    """Each point checked against the coordinate rules of the intake and the patrol's time
    (from its start to its stop, or to now, each with a phone clock's skew allowed)."""
    skew = timedelta(seconds=CLOCK_SKEW_S)
    first, last = started_at - skew, (stopped_at or now) + skew
    out = CheckedPoints()
    for index, point in enumerate(points):
        problem = _problem(point, first, last)
        if problem is not None:
            out.problems.append(PointProblem(index, *problem))
            continue
        out.at.append(as_china_time(_time(point.at)))  # checked by _problem
        out.lon.append(point.lon)
        out.lat.append(point.lat)
        out.accuracy_m.append(point.accuracy_m)
    return out


def _problem(point: PointIn, first: datetime, last: datetime) -> tuple[str, str] | None:
    if not (math.isfinite(point.lon) and math.isfinite(point.lat)):
        return "lon", "coordinates must be finite numbers"
    problem = lon_lat_problem(point.lon, point.lat)
    if problem is not None:
        return problem
    accuracy = point.accuracy_m
    if accuracy is not None and not (math.isfinite(accuracy) and accuracy >= 0):
        return "accuracy_m", f"{accuracy} is not a distance in metres (0 or more)"
    try:
        at = phone_time(_time(point.at), "at")
    except ValueError:
        return "at", f"{point.at!r} is not an ISO 8601 time (2026-06-01T09:30:05+08:00)"
    except InputError as exc:
        return "at", str(exc)
    if at < first:
        return "at", f"{at.isoformat()} is before the patrol started"
    if at > last:
        return "at", f"{at.isoformat()} is after the patrol stopped (or in the future)"
    return None


def _time(value: datetime | str) -> datetime:
    """A point's time; ValueError for text that is not ISO 8601."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
