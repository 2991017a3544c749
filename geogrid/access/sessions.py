"""Sign-in sessions: a browser signs in to the station console, a phone to the assistants'
app, each once with its user's API token; afterwards it holds a session secret instead.

Only a SHA-256 of the secret is stored, as for tokens. A session stands for its user, with
the user's role and scope read afresh at each use, and stops working at once when it
expires, is closed (sign-out) or revoked, or its user is revoked. A console session also
has a CSRF token that its forms and scripts send back with every change.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text

from geogrid.access.errors import Unauthenticated
from geogrid.access.roles import Caller
from geogrid.access.tokens import hash_token, new_token
from geogrid.access.users import caller_for_token, caller_of_row, caller_sql
from geogrid.errors import InputError, NotFoundError
from geogrid.geo.text import unstorable_text
from geogrid.vocabulary import SESSION_KINDS

DEVICE_NAME_MAX = 100
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session


@dataclass(frozen=True)
class OpenedSession:
    """A session just opened: its secret is shown this once and never stored."""

    id: int
    secret: str
    csrf_token: str | None
    expires_at: datetime
    device_name: str | None
    user_name: str


@dataclass(frozen=True)
class SessionState:
    """A live session as a request finds it."""

    id: int
    kind: str
    csrf_token: str | None
    expires_at: datetime

    def csrf_matches(self, given: str | None) -> bool:
        """Whether a form's or header's CSRF token is this session's (constant time)."""
        if not self.csrf_token or not given:
            return False
        return hmac.compare_digest(self.csrf_token.encode(), given.encode("utf-8", "replace"))


@dataclass(frozen=True)
class SessionRow:
    """A session as listed (never with its secret)."""

    id: int
    user_name: str
    kind: str
    device_name: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None


def open_session(
    conn: Connection, token: str, kind: str, *, now: datetime, lifetime: timedelta,
    device_name: str | None = None,
) -> OpenedSession:  # fmt: skip
    """Sign in with an API token: a new session of `kind` for the token's user.

    Unauthenticated for an unknown or revoked token; InputError naming `device_name` when a
    device session has no usable name (it is how the user tells the phones apart).
    """
    if kind not in SESSION_KINDS:
        raise InputError(f"kind must be one of {', '.join(SESSION_KINDS)}", field="kind")
    caller = caller_for_token(conn, token, now.date())
    if caller is None:
        raise Unauthenticated("the API token is unknown or revoked")
    name = _device_name(device_name) if kind == "device" else None
    secret, csrf = new_token(), (new_token() if kind == "console" else None)
    expires_at = now + lifetime
    session_id = conn.execute(
        text("insert into web_sessions (user_id, kind, secret_hash, csrf_token, device_name, "
             "created_at, last_seen_at, expires_at) values (:u, :k, :h, :c, :d, :now, :now, :e) "
             "returning id"),
        {"u": caller.id, "k": kind, "h": hash_token(secret), "c": csrf, "d": name,
         "now": now, "e": expires_at},
    ).scalar_one()  # fmt: skip
    return OpenedSession(session_id, secret, csrf, expires_at, name, caller.name)


def _device_name(given: str | None) -> str:
    name = (given or "").strip()
    if not name:
        raise InputError("a device session needs the phone's name", field="device_name")
    if len(name) > DEVICE_NAME_MAX:
        raise InputError(f"device_name is longer than {DEVICE_NAME_MAX} characters",
                         field="device_name")  # fmt: skip
    problem = unstorable_text(name)
    if problem is not None:
        raise InputError(f"device_name {problem}", field="device_name")
    return name


def session_caller(
    conn: Connection, secret: str, kind: str, *, now: datetime, today: date
) -> tuple[Caller, SessionState] | None:
    """The caller behind a live session secret of `kind`, and the session; None when the
    secret is unknown, of another kind, expired, ended, or its user is revoked."""
    row = conn.execute(_SESSION_CALLER, {"h": hash_token(secret), "k": kind, "now": now}).first()
    if row is None:
        return None
    caller = caller_of_row(conn, row, today)
    if now - row.last_seen_at >= TOUCH_EVERY:
        conn.execute(text("update web_sessions set last_seen_at = :now where id = :id"),
                     {"now": now, "id": row.session_id})  # fmt: skip
    return caller, SessionState(row.session_id, row.kind, row.csrf_token, row.expires_at)


# A live session of a kind and its active user, in one read.
_SESSION_CALLER = text(caller_sql(
    "web_sessions w join api_users u on u.id = w.user_id",
    "w.secret_hash = :h and w.kind = :k and w.ended_at is null and w.expires_at > :now",
    "w.id as session_id, w.kind, w.csrf_token, w.expires_at, w.last_seen_at",
))  # fmt: skip


def close_session(conn: Connection, secret: str, *, now: datetime) -> bool:
    """Sign out: end the session holding this secret; False if none was live."""
    ended = conn.execute(
        text("update web_sessions set ended_at = :now "
             "where secret_hash = :h and ended_at is null"),
        {"h": hash_token(secret), "now": now},
    ).rowcount  # fmt: skip
    return ended > 0


def revoke_session(
    conn: Connection, session_id: int, *, now: datetime, user_id: int | None = None
) -> None:
    """End a session by its id (an admin, or its own user when `user_id` is given);
    NotFoundError naming `session_id` when there is no such session of that user."""
    ended = conn.execute(
        text("update web_sessions set ended_at = coalesce(ended_at, :now) where id = :id "
             "and (cast(:u as integer) is null or user_id = :u)"),
        {"id": session_id, "u": user_id, "now": now},
    ).rowcount  # fmt: skip
    if not ended:
        raise NotFoundError(f"no session {session_id}", field="session_id")


def list_sessions(
    conn: Connection, *, user_id: int | None = None, live_at: datetime | None = None
) -> list[SessionRow]:
    """Sessions, newest first: of one user if `user_id` is given, only live ones at
    `live_at` if that is given."""
    rows = conn.execute(
        text("select s.id, u.name, s.kind, s.device_name, s.created_at, s.last_seen_at, "
             "s.expires_at, s.ended_at from web_sessions s join api_users u on u.id = s.user_id "
             "where (cast(:u as integer) is null or s.user_id = :u) and (cast(:t as timestamptz) "
             "is null or (s.ended_at is null and s.expires_at > :t)) order by s.id desc"),
        {"u": user_id, "t": live_at},
    )  # fmt: skip
    return [SessionRow(*row) for row in rows]
