"""Single-use join tokens (issue 11): the workshop's option, printing a batch, joining with one.

A token's first use creates its participant; any later use, from any phone, resumes that same
participant (a phone that lost its cookie, a person who cleared hers): never a second one, so
never a second ballot. Two phones racing on one fresh token both create a participant, but only
the one whose conditional UPDATE takes the token keeps it; the other rolls back and resumes it.

Switching the option on keeps the participants who already joined with the code: their phones
are still recognised; from then on, a new phone needs a token.
"""

from typing import NamedTuple

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.domain import join_tokens as domain
from app.domain.errors import N_, Forbidden
from app.models import JoinToken, Participant, Workshop, utcnow
from app.publishing import PRESENCE, Publisher, publish_safely
from app.services import participants
from app.services.workshops import UnknownCode

TOKENS_REQUIRED = ("Cet atelier se rejoint avec un jeton personnel : scannez le QR code de votre "
                   "carte ou saisissez son code.")


class UnknownToken(UnknownCode):
    """A token unknown, revoked or of another workshop: all answer alike, and count towards the
    client's wrong-code limit as an unknown join code does (`app.throttle`)."""

    def __init__(self) -> None:
        super().__init__(N_("Jeton inconnu : vérifiez le code de votre carte."))


class TokenCounts(NamedTuple):
    valid: int
    used: int
    revoked: int


def set_required(session: Session, workshop: Workshop, required: bool) -> None:
    workshop.tokens_required = required
    session.add(workshop)
    session.commit()


def generate(session: Session, workshop: Workshop, raw_count: str) -> list[str]:
    """A new batch of clear tokens, stored by digest only: shown once, in the answer that prints them."""
    count = domain.batch_size(raw_count)
    tokens = [domain.new_token() for _ in range(count)]
    session.add_all([JoinToken(workshop_id=workshop.id, digest=domain.digest(t)) for t in tokens])
    session.commit()
    return tokens


def revoke_unused(session: Session, workshop: Workshop) -> int:
    """Revoke the workshop's tokens nobody used yet; used ones keep resuming their participant."""
    result = session.execute(update(JoinToken).where(
        col(JoinToken.workshop_id) == workshop.id, col(JoinToken.participant_id).is_(None),
        col(JoinToken.revoked_at).is_(None)).values(revoked_at=utcnow()))
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult's


def counts(session: Session, workshop_id: int) -> TokenCounts:
    rows = session.exec(select(
        func.count(col(JoinToken.id)).filter(col(JoinToken.revoked_at).is_(None)),
        func.count(col(JoinToken.participant_id)),
        func.count(col(JoinToken.revoked_at)),
    ).where(JoinToken.workshop_id == workshop_id)).one()
    return TokenCounts(*rows)


def join_with_code(session: Session, workshop: Workshop, name: str = "", organisation: str = "",
                   *, publisher: Publisher, phone_token: str | None = None) -> Participant:
    """A new participant by the workshop's code alone, unless the workshop requires tokens.
    `phone_token`: the participant token her phone drew (`participants.join`)."""
    if workshop.tokens_required:
        raise Forbidden(TOKENS_REQUIRED)
    participant = participants.join(session, workshop, name, organisation, phone_token)
    publish_safely(publisher, workshop.id, PRESENCE)
    return participant


def join_with_token(session: Session, workshop: Workshop, raw_token: str, name: str = "",
                    organisation: str = "", *, publisher: Publisher) -> Participant:
    """The participant of a token: created at its first use, the same one afterwards. A token
    unknown, revoked or of another workshop answers as an unknown join code."""
    token = domain.normalise(raw_token)
    found = session.exec(select(JoinToken).where(
        JoinToken.digest == domain.digest(token), JoinToken.workshop_id == workshop.id,
        col(JoinToken.revoked_at).is_(None))).first() if token else None
    if found is None:
        raise UnknownToken()
    if found.participant_id is None:
        fresh = participants.add(session, workshop, name, organisation)
        taken = session.execute(update(JoinToken).where(
            col(JoinToken.id) == found.id, col(JoinToken.participant_id).is_(None),
            col(JoinToken.revoked_at).is_(None)).values(participant_id=fresh.id, used_at=utcnow()))
        if taken.rowcount == 1:  # type: ignore[attr-defined]  # a CursorResult's
            session.commit()
            publish_safely(publisher, workshop.id, PRESENCE)
            return fresh
        session.rollback()  # another phone took it first (or it was revoked): hers, then
        session.refresh(found)
    participant = session.get(Participant, found.participant_id) if found.participant_id else None
    if participant is None:  # revoked while this phone was taking it
        raise UnknownToken()
    return participant
