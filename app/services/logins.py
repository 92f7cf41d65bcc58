"""Facilitators' sessions, stored server-side (issue 11, point 6).

A login gives the browser a random token (in its signed cookie); the database keeps the token's
SHA-256 digest, the account, when the session began and when it was last used: nothing else. A
session ends at logout, at a password change (the others of the account), at « Déconnecter mes
autres sessions », when an administrator resets the password (all of them), after
`FACILITATOR_SESSION_IDLE_MINUTES` without a request, and `FACILITATOR_SESSION_MAX_HOURS` after
its login whatever happens. An ended session's control pages are closed: the ids of the deleted
rows are announced (`app.publishing.Revoker`), and each worker also checks its open control
pages' sessions every `FACILITATOR_SESSION_CHECK_SECONDS` (`alive`).
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, update
from sqlmodel import Session, col, select

from app.config import Settings
from app.models import Facilitator, FacilitatorSession, utcnow
from app.publishing import Revoker, revoke_safely

# A token is 43 characters (secrets.token_urlsafe(32)); anything much longer is not one of ours.
LONGEST_TOKEN = 100
# last_seen_at is written at most this often per session (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta
    max_age: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "Lifetime":
        return cls(timedelta(minutes=settings.facilitator_session_idle_minutes),
                   timedelta(hours=settings.facilitator_session_max_hours))

    @property
    def touch_every(self) -> timedelta:
        # A short idle time (a test's) is still kept alive by use.
        return min(TOUCH_EVERY, self.idle / 4)


@dataclass(frozen=True)
class Login:
    """Who a request's session names, and which session it is."""

    account: Facilitator
    session_id: int


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _alive(lifetime: Lifetime, now: datetime) -> ColumnElement[bool]:
    return and_(col(FacilitatorSession.last_seen_at) > now - lifetime.idle,
                col(FacilitatorSession.created_at) > now - lifetime.max_age)


def purge_expired(session: Session, lifetime: Lifetime, now: datetime | None = None) -> int:
    """Delete the expired sessions' rows (committed by the caller); how many."""
    now = now or utcnow()
    doomed = list(session.exec(select(FacilitatorSession.id).where(~_alive(lifetime, now))))
    if doomed:
        session.execute(delete(FacilitatorSession).where(col(FacilitatorSession.id).in_(doomed)))
    return len(doomed)


def open_session(session: Session, account: Facilitator, lifetime: Lifetime) -> str:
    """A new session for `account`; the token its browser's cookie is to hold. The expired
    sessions of every account are deleted on the way."""
    purge_expired(session, lifetime)
    token = secrets.token_urlsafe(32)
    session.add(FacilitatorSession(token_digest=digest(token), facilitator_id=account.id))
    session.commit()
    return token


def resolve(session: Session, token: object, lifetime: Lifetime) -> Login | None:
    """The live session a cookie's token names, or None (unknown, ended, expired or garbage)."""
    if not isinstance(token, str) or not token or len(token) > LONGEST_TOKEN:
        return None
    now = utcnow()
    row = session.exec(select(FacilitatorSession).where(
        FacilitatorSession.token_digest == digest(token), _alive(lifetime, now))).first()
    if row is None:
        return None
    account = session.get(Facilitator, row.facilitator_id)
    if account is None:
        return None
    if now - row.last_seen_at >= lifetime.touch_every:
        session.execute(update(FacilitatorSession).where(col(FacilitatorSession.id) == row.id)
                        .values(last_seen_at=now))
        session.commit()
    return Login(account, row.id)


def alive(session: Session, session_ids: Iterable[int], lifetime: Lifetime) -> set[int]:
    """Which of these sessions still live."""
    ids = list(session_ids)
    if not ids:
        return set()
    return set(session.exec(select(FacilitatorSession.id).where(
        col(FacilitatorSession.id).in_(ids), _alive(lifetime, utcnow()))))


def delete_sessions(session: Session, account_id: int, keep: int | None = None) -> list[int]:
    """Delete an account's sessions but `keep` (not committed); the ids deleted, to revoke once
    the caller has committed."""
    query = select(FacilitatorSession.id).where(FacilitatorSession.facilitator_id == account_id)
    if keep is not None:
        query = query.where(FacilitatorSession.id != keep)
    ids = list(session.exec(query))
    if ids:
        session.execute(delete(FacilitatorSession).where(col(FacilitatorSession.id).in_(ids)))
    return ids


def end(session: Session, token: object, revoker: Revoker) -> None:
    """Logout: the session this token names ends, wherever it is used."""
    if not isinstance(token, str) or len(token) > LONGEST_TOKEN:
        return
    row = session.exec(select(FacilitatorSession).where(
        FacilitatorSession.token_digest == digest(token))).first()
    if row is None:
        return
    session.delete(row)
    session.commit()
    revoke_safely(revoker, [row.id])


def end_others(session: Session, login: Login, revoker: Revoker) -> int:
    """« Déconnecter mes autres sessions »: every session of the account but this one; how many."""
    ids = delete_sessions(session, login.account.id, keep=login.session_id)
    session.commit()
    revoke_safely(revoker, ids)
    return len(ids)
