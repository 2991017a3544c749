"""The team's operations in the authorization matrix (tests/api/test_authorization.py),
aimed at P01's objects (tests/api/team_objects.py)."""

from __future__ import annotations

from tests.api.places import MONTH
from tests.api.team_objects import TeamObjects

DESK = ("admin", "p01")
SELF = ("admin", "p01", "staff01")  # the desk, and the assistant themselves
OTHERS = ("p02", "staff02")


def team_cases(case, statuses, grid: str, team: TeamObjects) -> list:
    """Every /v1/team operation, as `case` (test_authorization.Case) objects."""
    leader, leave, base = team.leader, team.refused_leave, "/v1/team"
    person, month = f"{base}/people/{leader}", f"month={MONTH}"
    training = {"held_on": "2031-01-03", "topic": "apitest", "trainer": "x", "hours": 1,
                "station": "370782P01"}  # fmt: skip
    return [
        case("GET", "/v1/team/people/{person_no}/selection", f"{person}/selection",
             statuses(200, DESK, ("p02",))),
        case("POST", "/v1/team/people/{person_no}/selection", f"{person}/selection",
             statuses(201, DESK, ("p02",)),
             json={"stage": "nomination", "outcome": "passed", "decided_on": "2026-01-01"}),
        case("GET", "/v1/team/reviews-due", f"{base}/reviews-due",
             statuses(200, (*DESK, "p02"))),
        case("POST", "/v1/team/assignments", f"{base}/assignments",
             statuses(409, DESK, ("p02",)), json={"person_no": team.candidate,
             "grid_code": grid, "role": "grid_leader", "first_day": "2026-12-01"}),
        case("POST", "/v1/team/people/{person_no}/actions", f"{person}/actions",
             statuses(201, DESK, ("p02",)),
             json={"kind": "commendation", "on_day": "2031-01-05", "reason": "matrix"}),
        # Days upside down: whoever may ask gets the 400 that names last_day.
        case("POST", "/v1/team/leave", f"{base}/leave", statuses(400, SELF, OTHERS),
             json={"person_no": leader, "first_day": "2031-02-02", "last_day": "2031-02-01",
                   "reason": "matrix"}),
        case("GET", "/v1/team/leave", f"{base}/leave?person_no={leader}",
             statuses(200, SELF, OTHERS)),
        case("GET", "/v1/team/leave/{leave_id}/covers", f"{base}/leave/{leave}/covers",
             statuses(200, DESK, ("p02",))),
        case("POST", "/v1/team/leave/{leave_id}/approve", f"{base}/leave/{leave}/approve",
             statuses(409, DESK, ("p02",)), json={}),
        case("POST", "/v1/team/leave/{leave_id}/refuse", f"{base}/leave/{leave}/refuse",
             statuses(409, DESK, ("p02",))),
        case("POST", "/v1/team/leave/{leave_id}/return", f"{base}/leave/{leave}/return",
             statuses(409, SELF, OTHERS), json={"day": "2031-01-02"}),
        case("POST", "/v1/team/training", f"{base}/training", statuses(201, DESK, ("p02",)),
             json=training),
        case("POST", "/v1/team/meetings", f"{base}/meetings", statuses(201, DESK, ("p02",)),
             json={"held_on": "2031-01-03", "station": "370782P01", "topic": "apitest"}),
        # Written by an assistant for themselves: the desks have no person to write as.
        case("POST", "/v1/team/requests", f"{base}/requests",
             statuses(201, ("staff01", "staff02")), json={"subject": "apitest"}),
        case("POST", "/v1/team/requests/{request_id}/reply",
             f"{base}/requests/{team.replied_request}/reply", statuses(409, DESK, ("p02",)),
             json={"reply": "again"}),
        case("GET", "/v1/team/assessment", f"{base}/assessment?{month}",
             statuses(200, ("admin", "p01", "p02", "staff01", "staff02"))),
        # A month not over yet: the desks get the 400 naming month.
        case("POST", "/v1/team/assessment/confirm",
             f"{base}/assessment/confirm?month=2031-01&station=370782P01",
             statuses(400, DESK, ("p02",))),
        case("POST", "/v1/team/assessment/appeals", f"{base}/assessment/appeals",
             statuses(201, SELF, OTHERS),
             json={"month": MONTH, "person_no": leader, "reason": "matrix"}),
        case("GET", "/v1/team/requests", f"{base}/requests",
             statuses(200, ("admin", "p01", "p02", "staff01", "staff02"))),
        case("POST", "/v1/team/assessment/appeals/{appeal_id}/decide",
             f"{base}/assessment/appeals/{team.decided_appeal}/decide",
             statuses(409, DESK, ("p02",)), json={"decision": "again"}),
        case("GET", "/v1/team/payroll", f"{base}/payroll?{month}",
             statuses(200, (*DESK, "p02"))),
        case("GET", "/v1/team/figures", f"{base}/figures?first=2026-01-01&last=2026-06-30",
             statuses(200, (*DESK, "p02"))),
    ]  # fmt: skip
