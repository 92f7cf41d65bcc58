"""Anonymous participants: joining, identity by token, presence."""

from datetime import timedelta

from sqlalchemy import and_, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain.codes import is_phone_token, new_token, normalise_code
from app.domain.errors import N_, DomainError, NotAllowed, NotFound
from app.models import Participant, ParticipantIdentity, Vote, Workshop, WorkshopGroup, utcnow
from app.services.workshops import closed, unknown_code

MAX_NAME, MAX_ORG = 80, 120


def _clean(raw: str, limit: int, too_long: str) -> str:
    """`too_long`: the refusal, which says « %(limit)s caractères au maximum »."""
    value = " ".join(raw.split())
    if len(value) > limit:
        raise DomainError(too_long, limit=limit)
    return value


def add(session: Session, workshop: Workshop, name: str = "", organisation: str = "",
        token: str | None = None) -> Participant:
    """A new participant, added to the session, not committed; her name and organisation, if she
    gives any, in a row of their own. `token`: the one her phone drew (`codes.is_phone_token`)."""
    name = _clean(name, MAX_NAME, N_("Nom : %(limit)s caractères au maximum."))
    organisation = _clean(organisation, MAX_ORG, N_("Structure : %(limit)s caractères au maximum."))
    participant = Participant(workshop_id=workshop.id, token=token or new_token())
    session.add(participant)
    if name or organisation:
        session.add(ParticipantIdentity(participant_id=participant.id, display_name=name,
                                        organisation=organisation))
    session.flush()
    return participant


def join(session: Session, workshop: Workshop, name: str = "", organisation: str = "",
         token: str | None = None) -> Participant:
    """A new participant; with the `token` her phone drew, the one it names if she is in already
    (the same form sent again after its answer was lost)."""
    refused = N_("Clé de connexion refusée : rechargez la page.")
    if token is not None:
        if not is_phone_token(token):
            raise DomainError(refused)
        known = by_token(session, workshop.id, token)
        if known is not None:
            return known
    try:
        participant = add(session, workshop, name, organisation, token)
        session.commit()
    except IntegrityError:  # a token of another workshop's participant (no phone draws it twice)
        session.rollback()
        if token is None:
            raise
        raise DomainError(refused) from None
    session.refresh(participant)
    return participant


def join_paper_ballot(session: Session, workshop: Workshop) -> Participant:
    """A participant for a paper ballot the facilitator types in."""
    if workshop.closed_at is not None:
        raise NotAllowed(N_("L'atelier est clos : rouvrez-le pour saisir un bulletin papier."))
    participant = Participant(workshop_id=workshop.id, token=new_token(), proxy=True)
    session.add(participant)
    session.commit()
    session.refresh(participant)
    return participant


def paper_ballots(session: Session, activity_id: int) -> int:
    """How many paper ballots answered this activity (votes of proxy participants)."""
    return session.exec(
        select(func.count(func.distinct(Vote.participant_id))).join(
            Participant, col(Participant.id) == Vote.participant_id).where(
            Vote.activity_id == activity_id, col(Participant.proxy).is_(True))
    ).one()


def joined(session: Session, workshop_id: int) -> int:
    """How many phones joined the workshop (paper ballots aside), connected or not."""
    return session.exec(select(func.count()).select_from(Participant).where(
        Participant.workshop_id == workshop_id, col(Participant.proxy).is_(False))).one()


def ballots(session: Session, activity_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per activity, how many participants voted from a phone and on paper (counts only)."""
    found = {a: [0, 0] for a in activity_ids}
    if activity_ids:
        rows = session.exec(
            select(Vote.activity_id, Participant.proxy, func.count(func.distinct(Vote.participant_id)))
            .join(Participant, col(Participant.id) == Vote.participant_id)
            .where(col(Vote.activity_id).in_(activity_ids))
            .group_by(col(Vote.activity_id), col(Participant.proxy)))
        for activity_id, proxy, count in rows:
            found[activity_id][int(proxy)] = count
    return {a: (phone, paper) for a, (phone, paper) in found.items()}


def by_token(session: Session, workshop_id: int, token: str | None) -> Participant | None:
    if not token:
        return None
    return session.exec(
        select(Participant).where(Participant.token == token,
                                  Participant.workshop_id == workshop_id)
    ).first()


def in_workshop(session: Session, code: str, tokens: dict[str, str],
                writing: bool = False) -> tuple[Workshop, Participant | None]:
    """The workshop of a join code and the participant a browser is in it, from the tokens it
    holds by workshop id (`by_code` then `by_token`, read in one query: every phone's write asks).

    A closed workshop answers as an unknown code, except to its participants, who still read that
    it is over; `writing`, they are refused (410), and the workshop's row is read FOR SHARE
    (PostgreSQL; SQLite's writes are serialised anyway): the write and a close wait for each other,
    so nothing is stored after a close is committed."""
    held = [t for t in tokens.values() if isinstance(t, str)]
    query = select(Workshop, Participant).outerjoin(Participant, and_(
        col(Participant.workshop_id) == Workshop.id, col(Participant.token).in_(held),
    )).where(Workshop.join_code == normalise_code(code))
    if writing:
        query = query.with_for_update(read=True, of=Workshop)
    rows = session.exec(query).all()
    if not rows:
        raise unknown_code(code)
    workshop = rows[0][0]
    token = tokens.get(str(workshop.id))
    participant = next((p for _, p in rows if p is not None and p.token == token), None)
    if workshop.closed_at is not None:
        if participant is None:
            raise unknown_code(code)
        if writing:
            raise closed(workshop)
    return workshop, participant


def by_ids(session: Session, workshop_id: int, ids: list[int]) -> dict[int, Participant]:
    if not ids:
        return {}
    found = session.exec(select(Participant).where(
        Participant.workshop_id == workshop_id, col(Participant.id).in_(ids)))
    return {p.id: p for p in found}


def groups_of(session: Session, participant_ids: list[int]) -> dict[int, int | None]:
    """Each participant's sub-group (None: not chosen yet)."""
    if not participant_ids:
        return {}
    rows = session.exec(select(Participant.id, Participant.group_id)
                        .where(col(Participant.id).in_(participant_ids)))
    return dict(rows.all())


def connected(session: Session, participant_id: int, delta: int) -> None:
    """Count an opened (+1) or closed (-1) WebSocket of a participant."""
    session.execute(
        update(Participant).where(col(Participant.id) == participant_id).values(
            connections=func.max(Participant.connections + delta, 0)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(Participant.connections + delta, 0),
            last_seen=utcnow(),
        )
    )
    session.commit()


def heartbeat(session: Session, participant_ids: list[int]) -> None:
    if participant_ids:
        session.execute(update(Participant).where(col(Participant.id).in_(participant_ids))
                        .values(last_seen=utcnow()))
        session.commit()


def count_present(session: Session, workshop_id: int, ttl_seconds: int) -> int:
    since = utcnow() - timedelta(seconds=ttl_seconds)
    return session.exec(
        select(func.count()).select_from(Participant).where(
            Participant.workshop_id == workshop_id,
            col(Participant.proxy).is_(False),
            Participant.connections > 0,
            Participant.last_seen >= since,
        )
    ).one()


def group_sizes(session: Session, workshop_id: int) -> dict[int | None, int]:
    """How many participants each sub-group has (None: not in a group yet)."""
    rows = session.exec(
        select(Participant.group_id, func.count()).where(Participant.workshop_id == workshop_id)
        .group_by(col(Participant.group_id))
    ).all()
    return dict(rows)


def choose_group(session: Session, participant: Participant, group_id: int | None) -> int:
    """The participant's sub-group (chosen now or before); a group of another workshop is refused."""
    group_id = group_id or participant.group_id
    if group_id is None:
        raise DomainError(N_("Choisissez votre sous-groupe avant d'envoyer."))
    group = session.get(WorkshopGroup, group_id)
    if group is None or group.workshop_id != participant.workshop_id:
        raise NotFound(N_("Sous-groupe %(group_id)s introuvable dans cet atelier."), group_id=group_id)
    if participant.group_id != group_id:
        participant.group_id = group_id
        session.add(participant)
    return group_id
