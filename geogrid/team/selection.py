"""Selection (选任): recording the stages in order, re-reviews on a cycle, and the register's
vetting status kept in step with them.

The stages, in order: 个人自荐/社区推荐 (nomination) -> 派出所考察 (station inspection,
covering the five aspects 政治面貌、现实表现、社会关系、家庭状况、遵纪守法) -> 镇街考察确定
(town confirmation) -> 体检 (medical check) -> 公安局审核备案 (bureau review and filing).
A stage may be recorded only when every earlier stage last passed; a re-review (复审) only
for someone who passed them all. Who may hold a grid is decided in storage/selection.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, text

from geogrid.errors import InputError
from geogrid.storage.selection import selection_gaps
from geogrid.team.people import PersonRef, plausible_day
from geogrid.vocabulary import (
    ASSISTANT_ROLES,
    REVIEW_ASPECTS,
    REVIEW_STAGE,
    SELECTION_OUTCOMES,
    SELECTION_STAGES,
)

INSPECTION = "station_inspection"


@dataclass(frozen=True)
class StageDecision:
    """One decision: stage, outcome, day, who decided, a note, and (station inspection)
    the finding on each of the five aspects."""

    stage: str
    outcome: str
    decided_on: date
    decided_by: str
    note: str = ""
    aspects: dict[str, str] = field(default_factory=dict)


def record_stage(conn: Connection, person: PersonRef, decision: StageDecision) -> list[str]:
    """Record a decision after checking its order; returns what still keeps the person off
    a grid (empty: they qualify)."""
    _check(conn, person, decision)
    conn.execute(
        text("insert into selection_steps (person_id, stage, outcome, decided_on, decided_by,"
             " note, aspects) values (:p, :s, :o, :d, :by, :note, cast(:a as jsonb))"),
        {"p": person.id, "s": decision.stage, "o": decision.outcome, "d": decision.decided_on,
         "by": decision.decided_by, "note": decision.note,
         "a": _json(decision.aspects) if decision.aspects else None},
    )  # fmt: skip
    gaps = selection_gaps(conn, person.id)
    _sync_vetting(conn, person.id, gaps, decision.outcome)
    return gaps


def _check(conn: Connection, person: PersonRef, decision: StageDecision) -> None:
    plausible_day(decision.decided_on, "decided_on")
    if decision.stage not in (*SELECTION_STAGES, REVIEW_STAGE):
        known = ", ".join((*SELECTION_STAGES, REVIEW_STAGE))
        raise InputError(f"unknown stage {decision.stage!r}: use {known}", field="stage")
    if decision.outcome not in SELECTION_OUTCOMES:
        raise InputError(f"outcome {decision.outcome!r} is not passed or failed", field="outcome")
    if not set(person.roles) & set(ASSISTANT_ROLES):
        raise InputError(f"{person.label()} is not an assistant: no selection", field="person_no")
    gaps = [g for g in selection_gaps(conn, person.id) if g in SELECTION_STAGES]
    earlier = SELECTION_STAGES if decision.stage == REVIEW_STAGE else SELECTION_STAGES[
        : SELECTION_STAGES.index(decision.stage)]  # fmt: skip
    missing = [stage for stage in earlier if stage in gaps]
    if missing:
        raise InputError(f"{person.label()}: {decision.stage} comes after {', '.join(missing)},"
                         " not yet passed", field="stage")  # fmt: skip
    if decision.stage == INSPECTION:
        absent = [a for a in REVIEW_ASPECTS if not (decision.aspects.get(a) or "").strip()]
        extra = sorted(set(decision.aspects) - set(REVIEW_ASPECTS))
        if absent or extra:
            raise InputError(f"the station inspection of {person.label()} must cover each of "
                             f"{', '.join(REVIEW_ASPECTS)}: missing {', '.join(absent) or '-'},"
                             f" unknown {', '.join(extra) or '-'}", field="aspects")  # fmt: skip


def _sync_vetting(conn: Connection, person_id: int, gaps: list[str], outcome: str) -> None:
    """The register's vetting status follows selection: passed when nothing is missing,
    failed after a failed decision, pending while stages remain."""
    status = "passed" if not gaps else "failed" if outcome == "failed" else "pending"
    conn.execute(text("update people set vetting_status = :s where id = :p"),
                 {"s": status, "p": person_id})  # fmt: skip


def _json(value: dict) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class StageRow:
    """One recorded decision, as the history lists it."""

    stage: str
    outcome: str
    decided_on: date
    decided_by: str
    note: str
    aspects: dict | None


def history(conn: Connection, person: PersonRef) -> list[StageRow]:
    """A person's selection and re-review decisions, oldest first."""
    rows = conn.execute(
        text("select stage, outcome, decided_on, decided_by, note, aspects from selection_steps"
             " where person_id = :p order by decided_on, id"), {"p": person.id})  # fmt: skip
    return [StageRow(*row) for row in rows]


@dataclass(frozen=True)
class ReviewDue:
    """An assistant whose last filing or re-review is older than the cycle."""

    person_no: str
    name: str
    last_review: date


def reviews_due(
    conn: Connection, day: date, months: int, area: tuple[str, ...] | None = None
) -> list[ReviewDue]:
    """Qualified assistants (within `area`: community code prefixes, None for the county)
    whose last passed filing or re-review was `months` or more before `day`."""
    rows = conn.execute(
        text(
            "select p.person_no, p.name, max(s.decided_on) as last_review from people p"
            " join selection_steps s on s.person_id = p.id and s.outcome = 'passed'"
            " and s.stage in ('bureau_filing', :review)"
            " where p.active and p.vetting_status = 'passed'"
            " and (cast(:area as text[]) is null or left(p.community_code, 12) = any(:area))"
            " group by p.person_no, p.name"
            " having max(s.decided_on) <= cast(:day as date) - make_interval(months => :m)"
            " order by last_review, p.person_no"
        ),
        {"review": REVIEW_STAGE, "day": day, "m": months,
         "area": None if area is None else list(area)},
    )  # fmt: skip
    return [ReviewDue(*row) for row in rows]
