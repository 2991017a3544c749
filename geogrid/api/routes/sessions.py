"""Device sessions: a phone signs in once with its user's token, then uses its own secret.

The secret works wherever a token does (`Authorization: Bearer`), with the user's role and
scope; it is listed and revoked by its user (or a county admin) without touching the user's
token or the user's other phones. The console's cookie sessions are made by the console.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Response

from geogrid.access.sessions import list_sessions, open_session, revoke_session
from geogrid.api.deps import CallerDep, ConnDep, SingleValues, StateDep
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas.sessions import DeviceSession, DeviceSessionOpened, DeviceSignIn
from geogrid.vocabulary import china_now

SessionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The session's id.")]
router = APIRouter(tags=["devices"], responses=PROBLEM_RESPONSES, dependencies=[SingleValues])


@router.post("/v1/devices", status_code=201, response_model=DeviceSessionOpened,
             summary="Sign a phone in")  # fmt: skip
def sign_in(body: DeviceSignIn, state: StateDep, conn: ConnDep) -> DeviceSessionOpened:
    """Exchange the user's token for this phone's own secret (401 for an unknown token)."""
    lifetime = timedelta(days=state.api.device_session_days)
    opened = open_session(conn, body.token, "device", now=china_now(), lifetime=lifetime,
                          device_name=body.device_name)  # fmt: skip
    return DeviceSessionOpened(id=opened.id, user=opened.user_name, secret=opened.secret,
                               device_name=opened.device_name or "",
                               expires_at=opened.expires_at)  # fmt: skip


@router.get("/v1/devices", response_model=list[DeviceSession], summary="My signed-in phones")
def my_devices(caller: CallerDep, conn: ConnDep) -> list[DeviceSession]:
    """The caller's live device sessions (a county admin: everyone's), newest first."""
    rows = list_sessions(conn, user_id=None if caller.sees_all else caller.id,
                         live_at=china_now())  # fmt: skip
    return [DeviceSession(id=r.id, user=r.user_name, device_name=r.device_name,
                          created_at=r.created_at, last_seen_at=r.last_seen_at,
                          expires_at=r.expires_at, ended_at=r.ended_at)
            for r in rows if r.kind == "device"]  # fmt: skip


@router.delete("/v1/devices/{session_id}", status_code=204, summary="Sign a phone out")
def sign_out(session_id: SessionId, caller: CallerDep, state: StateDep, conn: ConnDep) -> Response:
    """End one of the caller's device sessions (a county admin: anyone's); 404 otherwise."""
    revoke_session(conn, session_id, now=china_now(),
                   user_id=None if caller.sees_all else caller.id)  # fmt: skip
    state.auth.forget()  # this process stops trusting the secret at once
    return Response(status_code=204)
