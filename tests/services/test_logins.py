"""Facilitators' sessions (app/services/logins.py) and the login's two failures
(app/services/accounts.py): what a session stores, when it ends, what is announced after the
commit, and that an unknown e-mail costs the same argon2 verify as a wrong password."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlmodel import Session, select

from app.domain.errors import DomainError, Forbidden
from app.models import Facilitator, FacilitatorSession, utcnow
from app.publishing import RecordingPublisher
from app.services import accounts, logins

LIFETIME = logins.Lifetime(idle=timedelta(hours=4), max_age=timedelta(hours=24))


@pytest.fixture
def anne(session: Session) -> Facilitator:
    return accounts.create_facilitator(session, "anne@example.org", "Anne", "le-bon-mot")


def rows(session: Session) -> list[FacilitatorSession]:
    session.expire_all()
    return list(session.exec(select(FacilitatorSession).order_by(FacilitatorSession.id)))


def backdate(session: Session, token: str, **ago: timedelta) -> None:
    row = session.exec(select(FacilitatorSession).where(
        FacilitatorSession.token_digest == logins.digest(token))).one()
    for field, delta in ago.items():
        setattr(row, field, utcnow() - delta)
    session.add(row)
    session.commit()


class RecordingHasher(PasswordHasher):
    """The real argon2 hasher (same parameters), which also notes what it was asked to do."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.calls.append(("verify", str(hash)))
        return super().verify(hash, password)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.calls.append(("hash", ""))
        return super().hash(password, salt=salt)


def test_an_unknown_email_runs_the_same_argon2_verify_as_a_wrong_password(session, anne, monkeypatch):
    """Point 7: the unknown e-mail's password is verified against a dummy hash of the current
    parameters (no rehash due), as a wrong password is against the account's: one verify each,
    nothing else hashed."""
    current = PasswordHasher()
    assert extract_parameters(accounts.DUMMY_HASH) == extract_parameters(anne.password_hash)
    assert extract_parameters(accounts.DUMMY_HASH) == extract_parameters(current.hash("x"))
    assert not current.check_needs_rehash(accounts.DUMMY_HASH)
    recorder = RecordingHasher()
    monkeypatch.setattr(accounts, "_hasher", recorder)
    assert accounts.authenticate(session, "personne@example.org", "le-bon-mot") is None
    assert recorder.calls == [("verify", accounts.DUMMY_HASH)]
    recorder.calls.clear()
    assert accounts.authenticate(session, "anne@example.org", "pas-le-bon") is None
    assert recorder.calls == [("verify", anne.password_hash)]


def test_a_session_stores_a_digest_and_is_found_by_its_token_only(session, anne):
    token = logins.open_session(session, anne, LIFETIME)
    (row,) = rows(session)
    assert len(token) >= 43 and row.token_digest == logins.digest(token) != token
    assert row.facilitator_id == anne.id
    found = logins.resolve(session, token, LIFETIME)
    assert found is not None and (found.account.id, found.session_id) == (anne.id, row.id)
    for garbage in (None, "", 42, [token], token + "x", token[:-1], "x" * 5000, logins.digest(token)):
        assert logins.resolve(session, garbage, LIFETIME) is None


def test_last_seen_is_written_at_most_once_a_minute(session, anne):
    token = logins.open_session(session, anne, LIFETIME)
    backdate(session, token, last_seen_at=timedelta(seconds=30))
    seen = rows(session)[0].last_seen_at
    assert logins.resolve(session, token, LIFETIME) is not None
    assert rows(session)[0].last_seen_at == seen  # not written again within the minute
    backdate(session, token, last_seen_at=timedelta(minutes=2))
    assert logins.resolve(session, token, LIFETIME) is not None
    assert rows(session)[0].last_seen_at > seen


def test_a_session_expires_when_idle_and_at_its_maximum_age(session, anne):
    idle, old, fresh = (logins.open_session(session, anne, LIFETIME) for _ in range(3))
    backdate(session, idle, last_seen_at=timedelta(hours=4, seconds=1))
    backdate(session, old, created_at=timedelta(hours=24, seconds=1))  # used a moment ago
    assert logins.resolve(session, idle, LIFETIME) is None
    assert logins.resolve(session, old, LIFETIME) is None
    assert logins.resolve(session, fresh, LIFETIME) is not None
    ids = [r.id for r in rows(session)]
    assert logins.alive(session, ids, LIFETIME) == {ids[2]}
    # Their rows go at the next login.
    newest = logins.open_session(session, anne, LIFETIME)
    assert [r.token_digest for r in rows(session)] == [logins.digest(fresh), logins.digest(newest)]


def test_logout_ends_this_session_and_announces_it_after_the_commit(session, anne):
    screens = RecordingPublisher()
    here, there = (logins.open_session(session, anne, LIFETIME) for _ in range(2))
    here_id = logins.resolve(session, here, LIFETIME).session_id
    logins.end(session, here, screens)
    assert screens.revoked == [here_id]
    assert logins.resolve(session, here, LIFETIME) is None
    assert logins.resolve(session, there, LIFETIME) is not None
    for unknown in (here, None, "x" * 5000):
        logins.end(session, unknown, screens)
    assert screens.revoked == [here_id]


def test_the_other_sessions_end_this_one_stays(session, anne):
    bob = accounts.create_facilitator(session, "bob@example.org", "Bob", "un-autre-mot")
    screens = RecordingPublisher()
    here, *others = (logins.open_session(session, anne, LIFETIME) for _ in range(3))
    bobs = logins.open_session(session, bob, LIFETIME)
    other_ids = [logins.resolve(session, t, LIFETIME).session_id for t in others]
    assert logins.end_others(session, logins.resolve(session, here, LIFETIME), screens) == 2
    assert sorted(screens.revoked) == sorted(other_ids)
    assert [logins.resolve(session, t, LIFETIME) is not None for t in (here, *others, bobs)] == [
        True, False, False, True]


def test_a_password_change_checks_the_current_one_and_ends_the_other_sessions(session, anne):
    screens = RecordingPublisher()
    here, there = (logins.open_session(session, anne, LIFETIME) for _ in range(2))
    login = logins.resolve(session, here, LIFETIME)
    hash_before = anne.password_hash
    with pytest.raises(Forbidden, match="Mot de passe actuel incorrect"):
        accounts.change_password(session, login, "pas-le-bon", "un-nouveau-mot", screens)
    with pytest.raises(DomainError, match="au moins 8 caractères"):
        accounts.change_password(session, login, "le-bon-mot", "court", screens)
    session.rollback()
    assert session.get(Facilitator, anne.id).password_hash == hash_before and len(rows(session)) == 2
    assert screens.revoked == []
    assert accounts.change_password(session, login, "le-bon-mot", "un-nouveau-mot", screens) == 1
    assert logins.resolve(session, there, LIFETIME) is None and logins.resolve(session, here, LIFETIME)
    assert accounts.authenticate(session, "anne@example.org", "un-nouveau-mot") is not None
    assert len(screens.revoked) == 1


def test_an_administrators_reset_ends_every_session(session, anne):
    screens = RecordingPublisher()
    tokens = [logins.open_session(session, anne, LIFETIME) for _ in range(2)]
    account, ended = accounts.reset_password(session, "anne@example.org", "remis-par-l-admin", screens)
    assert (account.id, ended, len(screens.revoked)) == (anne.id, 2, 2)
    assert [logins.resolve(session, t, LIFETIME) for t in tokens] == [None, None] and rows(session) == []
