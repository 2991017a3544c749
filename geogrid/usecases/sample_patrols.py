"""Sample patrols and work logs for the demo: some grid leaders walk their grid's streets
(or its outline) on about three days a week of last month and write a work log on most
working days, through the patrols' own use cases, with a fixed seed.

Client ids are derived from the person and day, so running it again stores nothing twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import shapely
from sqlalchemy import Engine

from geogrid.geo.crs import from_wgs84, projected_crs_for, to_wgs84
from geogrid.patrols import tracks
from geogrid.patrols.points import PointIn
from geogrid.patrols.sample_routes import leader_routes
from geogrid.patrols.worklogs import WorkLogIn, save_worklog
from geogrid.vocabulary import CHINA_TZ, china_today

PATROL_SHARE = 0.45  # about three patrol days a week
LOG_SHARE = 0.85  # work logs on most working days
STEP_S, SPEED_MS, NOISE_M = 5, 1.2, 3.0  # a point every 5 s at a walk, GPS scatter
LOGS = (
    "走访农户，了解村情民意",
    "巡查村内道路及重点部位，未发现异常",
    "入户核查出租房屋信息",
    "调解邻里纠纷一起，双方达成一致",
    "开展防诈骗宣传，发放宣传资料",
    "参加派出所例会",
)


@dataclass
class SamplePatrols:
    """What was made: the month, patrols, points and work logs."""

    month: str = ""
    leaders: int = 0
    patrols: int = 0
    points: int = 0
    logs: int = 0
    grids: list[str] = field(default_factory=list)


def make_sample_patrols(
    engine: Engine, *, leaders: int = 20, seed: int = 2026, today: date | None = None
) -> SamplePatrols:
    """Patrols and work logs of last month (China time) for the first `leaders` grid leaders."""
    last = (today or china_today()).replace(day=1) - timedelta(days=1)
    days = [last.replace(day=n) for n in range(1, last.day + 1)]
    first = days[0]
    made = SamplePatrols(month=first.strftime("%Y-%m"))
    rng = random.Random(seed)
    with engine.begin() as conn:
        routes = leader_routes(conn, days[-1], leaders)
    made.leaders, made.grids = len(routes), [code for _, code, _ in routes]
    for person, _, lines in routes:
        for day in days:
            with engine.begin() as conn:
                if rng.random() < PATROL_SHARE:
                    made.points += _patrol(conn, person, day, lines, rng)
                    made.patrols += 1
                if day.weekday() < 5 and rng.random() < LOG_SHARE:
                    text = rng.choice(LOGS)
                    save_worklog(conn, person, WorkLogIn(f"sample-log-{person}-{day}", day, text))
                    made.logs += 1
    return made


def _patrol(conn, person: int, day: date, lines, rng: random.Random) -> int:
    """One walk of 400-1,500 m along a random part of the lines; the points stored."""
    start = datetime(day.year, day.month, day.day, rng.randint(8, 15), rng.randint(0, 59),
                     tzinfo=CHINA_TZ)  # fmt: skip
    lon, lat = _walk(lines, rng)
    walked = enumerate(zip(lon, lat, strict=True))
    points = [PointIn(start + timedelta(seconds=STEP_S * i), float(x), float(y),
                      round(rng.uniform(3, 12), 1)) for i, (x, y) in walked]  # fmt: skip
    _, patrol = tracks.start_patrol(conn, person, f"sample-patrol-{person}-{day}", start)
    stored = tracks.add_points(conn, person, patrol["id"], "all", points).stored
    tracks.stop_patrol(conn, person, patrol["id"], points[-1].at + timedelta(seconds=STEP_S))
    return stored


def _walk(lines, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """Points a step apart along part of one of the lines (metric), scattered as GPS does."""
    parts = list(getattr(lines, "geoms", [lines]))
    line = max(rng.sample(parts, min(3, len(parts))), key=lambda g: g.length)
    x, y = np.asarray(line.coords).T
    epsg = projected_crs_for(float(x.mean()), float(y.mean()))
    mx, my = from_wgs84(x, y, epsg)
    metric = shapely.LineString(np.column_stack([mx, my]))
    length = min(metric.length, rng.uniform(400, 1500))
    begin = rng.uniform(0, max(metric.length - length, 0))
    at = np.arange(begin, begin + length, STEP_S * SPEED_MS)
    spots = shapely.line_interpolate_point(metric, at)
    px = shapely.get_x(spots) + np.array([rng.gauss(0, NOISE_M) for _ in at])
    py = shapely.get_y(spots) + np.array([rng.gauss(0, NOISE_M) for _ in at])
    return to_wgs84(px, py, epsg)
