"""The restitution page: what the room produced, published by the facilitator at /r/<key> for
the participants (the compte-rendu without any name), revocable.

Publishing draws a new secret key (a revoked link stays dead); the phones still on the workshop
are offered the link (a push), and the workshop's own code and QR code lead to it once the
workshop is closed (a closed workshop's code otherwise answers as an unknown one).
"""

import secrets

from sqlmodel import Session, col, select

from app.domain.codes import normalise_code
from app.domain.errors import N_, NotFound
from app.models import Workshop
from app.publishing import STRUCTURE, Publisher, publish_safely

KEY_BYTES = 24  # 32 URL-safe characters


def publish(session: Session, workshop: Workshop, *, publisher: Publisher) -> str:
    workshop.restitution_key = secrets.token_urlsafe(KEY_BYTES)
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)
    return workshop.restitution_key


def revoke(session: Session, workshop: Workshop, *, publisher: Publisher) -> None:
    workshop.restitution_key = None
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def by_key(session: Session, key: str) -> Workshop:
    """The workshop whose restitution this key names; unknown and revoked keys answer alike."""
    workshop = session.exec(select(Workshop).where(Workshop.restitution_key == key[:64])).first() \
        if key else None
    if workshop is None:
        raise NotFound(N_("Cette restitution n'existe pas ou n'est plus publiée."))
    return workshop


def of_closed_code(session: Session, code: str) -> str | None:
    """The restitution key a closed workshop's join code leads to, if one is published."""
    return session.exec(select(Workshop.restitution_key).where(
        Workshop.join_code == normalise_code(code), col(Workshop.closed_at).is_not(None),
        col(Workshop.restitution_key).is_not(None))).first()
