"""Liveness and the caller's own record (the landing page is in routes/features.py)."""

from __future__ import annotations

from fastapi import APIRouter

from geogrid.api.deps import CallerDep, SingleValues
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas.common import Me

router = APIRouter(tags=["meta"], dependencies=[SingleValues])


@router.get("/healthz", summary="Liveness", include_in_schema=True)
async def healthz() -> dict[str, str]:
    """Answers while the process runs (no token, no database)."""
    return {"status": "ok"}


@router.get("/v1/me", response_model=Me, responses=PROBLEM_RESPONSES, summary="The caller")
async def me(caller: CallerDep) -> Me:
    """Who the token belongs to and the scope it gives."""
    return Me(
        name=caller.name, role=caller.role, station=caller.station_code,
        department=caller.department_code, person=caller.person_no,
        grids=list(caller.grid_codes), communities=sorted(caller.communities),
    )  # fmt: skip
