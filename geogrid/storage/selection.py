"""Who may be put on a grid: the one rule of selection (选任), as SQL every writer of
assignments shares (usecases/staffing.py, team/) and the register's "filed" histories.

A person in a selected role (vocabulary.ASSISTANT_ROLES, the assistants) qualifies when the
latest decision of each of the five stages is 'passed', their latest re-review (if any) is
'passed', and they have not been dismissed (调整辞退). Anyone else on the register (the
community police) needs no selection.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from geogrid.vocabulary import ASSISTANT_ROLES, REVIEW_STAGE, SELECTION_STAGES

FILED_BY = "登记册 (register, before selection records)"
FILED_NOTE = "已备案: vetted in the register file when loaded"
_SELECTED = "array[" + ", ".join(f"'{r}'" for r in ASSISTANT_ROLES) + "]::varchar[]"
_STAGES = ", ".join(f"'{s}'" for s in SELECTION_STAGES)


def qualified_sql(alias: str = "p") -> str:
    """The rule as a SQL condition on people `alias` (a name written in code, never input)."""
    return f"""(not ({alias}.roles && {_SELECTED}) or (
  (select count(*) from (select distinct on (s.stage) s.outcome from selection_steps s
     where s.person_id = {alias}.id and s.stage in ({_STAGES})
     order by s.stage, s.decided_on desc, s.id desc) latest
   where latest.outcome = 'passed') = {len(SELECTION_STAGES)}
  and coalesce((select s.outcome from selection_steps s where s.person_id = {alias}.id
                and s.stage = '{REVIEW_STAGE}' order by s.decided_on desc, s.id desc limit 1),
               'passed') = 'passed'
  and not exists (select 1 from team_actions t where t.person_id = {alias}.id
                  and t.kind = 'dismissal')))"""


def is_qualified(conn: Connection, person_id: int) -> bool:
    """Whether the person may be put on a grid today."""
    sql = f"select {qualified_sql('p')} from people p where p.id = :p"
    return bool(conn.execute(text(sql), {"p": person_id}).scalar())


def file_vetted_people(conn: Connection) -> int:
    """Give every vetted assistant without any selection record the five stages, passed,
    as filed before geogrid kept them (a register file's 政审通过); returns how many people."""
    found = conn.execute(
        text(
            "insert into selection_steps (person_id, stage, outcome, decided_on, decided_by, note)"
            " select p.id, s.stage, 'passed', current_date, :by, :note from people p"
            " cross join unnest(cast(:stages as text[])) as s(stage)"
            f" where p.roles && {_SELECTED} and p.vetting_status = 'passed'"
            " and not exists (select 1 from selection_steps x where x.person_id = p.id)"
        ),
        {"by": FILED_BY, "note": FILED_NOTE, "stages": list(SELECTION_STAGES)},
    )
    return found.rowcount // len(SELECTION_STAGES)


def selection_gaps(conn: Connection, person_id: int) -> list[str]:
    """What keeps a person off a grid, in stage order: each stage not (last) passed, a
    failed re-review, a dismissal; empty when they qualify."""
    roles = conn.execute(text("select roles from people where id = :p"), {"p": person_id})
    if not set(roles.scalar_one() or ()) & set(ASSISTANT_ROLES):
        return []
    latest = dict(
        conn.execute(
            text(
                "select distinct on (stage) stage, outcome from selection_steps"
                " where person_id = :p order by stage, decided_on desc, id desc"
            ),
            {"p": person_id},
        ).all()
    )
    gaps = [stage for stage in SELECTION_STAGES if latest.get(stage) != "passed"]
    if latest.get(REVIEW_STAGE) == "failed":
        gaps.append(REVIEW_STAGE)
    dismissed = text("select 1 from team_actions where person_id = :p and kind = 'dismissal'")
    if conn.execute(dismissed, {"p": person_id}).first():
        gaps.append("dismissed")
    return gaps
