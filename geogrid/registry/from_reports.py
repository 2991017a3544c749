"""Basic-information reports into registry proposals (README "The registry").

A report of a basic-information category (一标三实) is a fact for the registry, not a case:
the intake stores it (route and status `registry`, outside the loop) and, in the same
transaction, files a proposal of kind `report` from it: its id, category, text, point and
time, its unit and community, and the nearest standard address within the lookup's reach
if the registry holds one. The confirming officer completes it into a record or declines
it (`records.decide`). Written as a `Read` so the blocking and the async intake run it alike.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from geogrid.storage.driver import Read
from geogrid.vocabulary import ADDRESS_NEAR_M

# The report's facts as the proposal carries them (its photos are read with it: they are
# linked to the report, often after it was filed).
_PROPOSE = """
insert into registry_proposals (kind, report_id, address_id, unit_code, community_code,
  change, status, proposed_by, source, note)
select 'report', r.id,
  (select a.id from registry_addresses a
   where st_dwithin(a.geom::geography, r.geom::geography, %(near)s)
   order by a.geom <-> r.geom limit 1),
  u.code, c.code,
  jsonb_build_object('report', jsonb_build_object('id', r.id::text, 'category', k.code,
    'category_name', k.name_zh, 'text', r.text, 'reporter', r.reporter,
    'reported_at', r.reported_at, 'lon', st_x(r.geom), 'lat', st_y(r.geom))),
  'pending', coalesce(nullif(r.reporter, ''), 'report'), 'report:' || r.id::text, ''
from reports r join report_categories k on k.id = r.category_id
left join grids u on u.id = r.level3_id left join grids c on c.id = r.level1_id
where r.id = any(cast(%(ids)s as uuid[])) and k.kind = 'basic'
on conflict (report_id) where report_id is not null do nothing
returning id
"""


def proposals_from_reports(report_ids: list[str], near_m: float = ADDRESS_NEAR_M) -> Read[int]:
    """File a pending registry proposal of each stored basic report (a `Read` answering how
    many were filed; a report that has one already is left alone)."""
    return Read(_PROPOSE, {"ids": report_ids, "near": near_m}, len, prepare=False)


# A pending proposal's area follows its report when a redraw moves the report
# (`geogrid reassign`): the officer who confirms is the new unit's.
_FOLLOW = """
update registry_proposals p set unit_code = u.code, community_code = c.code
from reports r left join grids u on u.id = r.level3_id left join grids c on c.id = r.level1_id
where p.report_id = r.id and p.status = 'pending' and r.id = any(cast(:ids as uuid[]))
  and p.unit_code is distinct from u.code
"""


def follow_reports(conn: Connection, report_ids: list[str]) -> int:
    """Move the pending proposals of these reports to their reports' unit and community
    (after a reassignment); how many moved."""
    return conn.execute(text(_FOLLOW), {"ids": report_ids}).rowcount


def proposal_states(conn: Connection, report_ids: list) -> dict:
    """For each of these reports that filed a proposal: (its status: pending, confirmed or
    rejected; the decision's note or None; when it was decided or None), as an Open311
    reader follows a basic report."""
    if not report_ids:
        return {}
    rows = conn.execute(
        text("select report_id, status, note, decided_at from registry_proposals "
             "where report_id = any(cast(:ids as uuid[]))"),
        {"ids": [str(i) for i in report_ids]},
    )  # fmt: skip
    return {str(r.report_id): (r.status, r.note or None, r.decided_at) for r in rows}
