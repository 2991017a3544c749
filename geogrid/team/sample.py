"""Sample team records for the demo, at rates like the source case's, for one month.

- selection: the register's vetted assistants are filed already (storage/selection.py);
  the pending ones get the first stages passed, the failed ones a stage failed;
- training: two county sessions (about 85 % attend) and one per station (about 70 %);
- meetings: one per station (about 90 % present);
- leave: about 3 % of grid leaders take 2-5 days, approved with the first cover proposed;
- rewards: 一案一奖 for about one police case in ten closed in the month (200 yuan), 一事一奖
  for about 2 % of assistants (100 yuan), a commendation for about 1 %;
- sanctions: warnings for about 3 % (50 yuan), dismissal of about 0.3 % a month (the
  source case adjusted 47 of 1,377 assistants after review).

Written once per month: a second run finds the month's sample sessions and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Connection, text

from geogrid.errors import GeogridError
from geogrid.storage.selection import selection_gaps
from geogrid.team.actions import ActionIn, record_action
from geogrid.team.leave import approve_leave, request_leave
from geogrid.team.metrics import assistants_of_month, month_days
from geogrid.team.people import person_by_id
from geogrid.team.training import SessionIn, add_meeting, add_session
from geogrid.vocabulary import REVIEW_ASPECTS, SELECTION_STAGES

TRAINER = "样例 (sample)"
ACTOR = "sample"


@dataclass
class SampleTeam:
    """How many of each record the sample wrote."""

    selection_steps: int = 0
    sessions: int = 0
    meetings: int = 0
    leave: int = 0
    rewards: int = 0
    warnings: int = 0
    dismissals: int = 0


def sample_team(conn: Connection, month: str, seed: int = 2026) -> SampleTeam:
    """Write the month's sample records (nothing when they are there already)."""
    first, last = month_days(month)
    written = text(
        "select 1 from training_sessions where trainer = :t and held_on between :f and :l"
    )
    if conn.execute(written, {"t": TRAINER, "f": first, "l": last}).first():
        return SampleTeam()
    rng = np.random.default_rng(seed)
    done = SampleTeam(selection_steps=_selection(conn, rng, first))
    people = assistants_of_month(conn, month)
    done.sessions, done.meetings = _training(conn, rng, people, first)
    done.leave = _leave(conn, rng, people, first, last)
    done.rewards, done.warnings, done.dismissals = _actions(conn, rng, people, first, last)
    return done


def _selection(conn: Connection, rng: np.random.Generator, day: date) -> int:
    """Stages for the assistants still pending or failed who have none yet."""
    rows = conn.execute(text(
        "select p.id, p.vetting_status from people p where p.vetting_status <> 'passed'"
        " and p.roles && array['grid_leader', 'information_officer']::varchar[]"
        " and not exists (select 1 from selection_steps s where s.person_id = p.id)"
        " order by p.id")).all()  # fmt: skip
    steps = []
    for person_id, status in rows:
        reached = int(rng.integers(1, len(SELECTION_STAGES)))  # stages passed: 1..4
        for k, stage in enumerate(SELECTION_STAGES[: reached + (status == "failed")]):
            outcome = "failed" if k == reached else "passed"
            aspects = _aspects() if stage == "station_inspection" else None
            steps.append({"p": person_id, "s": stage, "o": outcome, "by": ACTOR, "a": aspects,
                          "d": day - timedelta(days=int(60 - 12 * k))})  # fmt: skip
    if steps:
        conn.execute(text(
            "insert into selection_steps (person_id, stage, outcome, decided_on, decided_by,"
            " aspects) values (:p, :s, :o, :d, :by, cast(:a as jsonb))"), steps)  # fmt: skip
    return len(steps)


def _aspects() -> str:
    import json

    return json.dumps(dict.fromkeys(REVIEW_ASPECTS, "良好"), ensure_ascii=False)


def _training(conn: Connection, rng, people: list, first: date) -> tuple[int, int]:
    numbers = np.array([p.person_no for p in people], dtype=object)
    sessions = 0
    for k, (topic, hours) in enumerate((("矛盾纠纷排查调处", 3), ("基础信息采集规范", 2))):
        chosen = numbers[rng.random(len(numbers)) < 0.85]
        add_session(conn, SessionIn(first + timedelta(days=3 + 10 * k), topic, TRAINER, hours,
                                    attendees=tuple(chosen)))  # fmt: skip
        sessions += 1
    meetings = 0
    for station in sorted({p.station_id for p in people if p.station_id is not None}):
        mine = np.array([p.person_no for p in people if p.station_id == station], dtype=object)
        add_session(conn, SessionIn(first + timedelta(days=17), "消防安全检查", TRAINER, 2,
                                    "station", station,
                                    tuple(mine[rng.random(len(mine)) < 0.7])))  # fmt: skip
        here = rng.random(len(mine)) < 0.9
        add_meeting(conn, first + timedelta(days=24), station, "月度例会 (sample)",
                    tuple(mine[here]), tuple(mine[~here]))  # fmt: skip
        sessions, meetings = sessions + 1, meetings + 1
    return sessions, meetings


def _leave(conn: Connection, rng, people: list, first: date, last: date) -> int:
    taken = 0
    for p in people:
        if rng.random() >= 0.03:
            continue
        start = first + timedelta(days=int(rng.integers(0, 20)))
        end = min(start + timedelta(days=int(rng.integers(1, 5))), last)
        try:
            made = request_leave(conn, person_by_id(conn, p.id), start, end, "事假 (sample)")
            approve_leave(conn, made, ACTOR)
        except GeogridError:
            continue  # nobody free to cover: the sample skips this one, as a station would
        taken += 1
    return taken


def _actions(conn: Connection, rng, people: list, first: date, last: date) -> tuple:
    cases = _closed_police_cases(conn, first, last)
    rewards = warnings = dismissals = 0
    for p in people:
        draw = rng.random()
        day = first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
        action = None
        if p.id in cases and rng.random() < 0.1:
            action = ActionIn("case_reward", day, "协助破案 (sample)", ACTOR, 200, str(cases[p.id]))
        elif draw < 0.02:
            action = ActionIn("deed_reward", day, "劝阻纠纷升级 (sample)", ACTOR, 100)
        elif draw < 0.03:
            action = ActionIn("commendation", day, "月度表彰 (sample)", ACTOR, 50)
        elif draw < 0.06:
            action = ActionIn("warning", day, "工作日志缺报 (sample)", ACTOR, 50)
        elif draw < 0.063 and not selection_gaps(conn, p.id):
            action = ActionIn("dismissal", last, "复审不合格, 调整 (sample)", ACTOR)
        if action is None:
            continue
        record_action(conn, person_by_id(conn, p.id), action)
        rewards += action.kind in ("case_reward", "deed_reward", "commendation")
        warnings += action.kind == "warning"
        dismissals += action.kind == "dismissal"
    return rewards, warnings, dismissals


def _closed_police_cases(conn: Connection, first: date, last: date) -> dict[int, object]:
    """A closed police case of the month per grid leader who had one."""
    rows = conn.execute(text(
        "select distinct on (r.leader_id) r.leader_id, r.id from reports r"
        " where r.status = 'closed' and r.route = 'station' and r.leader_id is not null"
        " and r.reported_at >= :f and r.reported_at < :l"
        " order by r.leader_id, r.reported_at"),
        {"f": first, "l": last + timedelta(days=1)}).all()  # fmt: skip
    return dict(rows)
