"""Retention of participants' personal data: when a workshop's expires, and the purge.

A workshop's personal data is kept `Workshop.retention_months` after it closed (« Clore
l'atelier »), or, for a workshop never closed, after its last activity: its participants' last
sign of life, or its creation when nobody joined.

A purge keeps the workshop's results exactly as they were and removes what ties them to people:
its printed join tokens are deleted, each participant gives way to an anonymous ballot holder
under a new random id, with no token (no phone's cookie names it any more), no name or
organisation, no post-it, chantier or resource attributed to it, and no date but the workshop's
creation. Each voted activity's answers are then dealt again among the holders and stored anew
(`domain.redeal`): a rating's one by one, a ranking's or a poll's ballots whole. So every count,
mean, ranking and the compte-rendu read the same afterwards, and the roadmap's enjeux keep their
scores, while no holder keeps a person's ballot: nothing links an answer to a person, to her
other answers, a contribution or a time of day. Each purge is recorded (`PurgeRecord`) and logged.
"""

import logging
import random
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, bindparam, delete, func, not_, update
from sqlmodel import Session, col, select

from app.domain import retention as domain
from app.domain.codes import ERASED, erased_token
from app.domain.errors import N_, DomainError
from app.domain.kinds import KINDS
from app.models import (
    Activity,
    JoinToken,
    Participant,
    ParticipantIdentity,
    PurgeRecord,
    Vote,
    Workshop,
    utcnow,
)

log = logging.getLogger("app.retention")

# Stored in the journal in French; the command line shows them in its language.
AUTOMATIC, COMMAND, FACILITATOR = N_("automatique"), N_("commande"), N_("animateur")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _known() -> ColumnElement[bool]:
    """Participants whose token a phone may still hold (not purged)."""
    return not_(col(Participant.token).startswith(ERASED))


def last_activity(session: Session, workshop: Workshop) -> datetime:
    """When the retention starts counting."""
    if workshop.closed_at is not None:
        return _aware(workshop.closed_at)
    seen = session.exec(select(func.max(Participant.last_seen)).where(
        Participant.workshop_id == workshop.id, _known())).one()
    created = _aware(workshop.created_at)
    return max(created, _aware(seen)) if seen else created


def set_months(session: Session, workshop: Workshop, months: int) -> None:
    if not domain.MIN_MONTHS <= months <= domain.MAX_MONTHS:
        raise DomainError(N_("Durée de conservation : de %(least)s à %(most)s mois."),
                          least=domain.MIN_MONTHS, most=domain.MAX_MONTHS)
    workshop.retention_months = months
    session.add(workshop)
    session.commit()


def status(session: Session, workshop: Workshop) -> dict[str, object]:
    """What the control page says: the retention, when it ends, the last purge."""
    ends = domain.expires_at(last_activity(session, workshop), workshop.retention_months)
    last = session.exec(select(PurgeRecord).where(PurgeRecord.workshop_id == workshop.id)
                        .order_by(col(PurgeRecord.purged_at).desc())).first()
    return {"months": workshop.retention_months, "ends_on": ends.date(),
            "last_purge": _aware(last.purged_at).date() if last else None}


def purge(session: Session, workshop: Workshop, trigger: str) -> PurgeRecord:
    """Erase the workshop's personal data now (see the module's docstring); its results stay."""
    # Lock the workshop's row first (SQLite: take the write lock before reading), so that two
    # purges of one workshop at once (two workers' daily tasks) run one after the other.
    session.execute(update(Workshop).where(col(Workshop.id) == workshop.id)
                    .values(retention_months=Workshop.retention_months))
    basis = last_activity(session, workshop)
    people = list(session.exec(select(Participant).where(Participant.workshop_id == workshop.id,
                                                         _known())))
    ids = [p.id for p in people]
    names = session.exec(select(func.count()).select_from(ParticipantIdentity).where(
        col(ParticipantIdentity.participant_id).in_(ids))).one()
    ballots = session.exec(select(func.count()).select_from(Vote).where(
        col(Vote.participant_id).in_(ids))).one()
    day = _aware(workshop.created_at)
    moves = []
    for person in people:
        holder = Participant(workshop_id=workshop.id, token=erased_token(), group_id=person.group_id,
                             proxy=person.proxy, created_at=day, last_seen=day)
        session.add(holder)
        moves.append({"old": person.id, "new": holder.id})
    session.flush()
    if moves:
        votes = Vote.__table__  # type: ignore[attr-defined]  # SQLModel hides __table__
        session.connection().execute(
            update(votes).where(votes.c.participant_id == bindparam("old"))
            .values(participant_id=bindparam("new"), created_at=day, updated_at=day), moves)
    _redeal(session, workshop, day)
    # The printed tokens go, used or not: a card no longer names anyone.
    tokens = session.execute(delete(JoinToken).where(col(JoinToken.workshop_id) == workshop.id))
    # Her name goes with her row (ON DELETE CASCADE), her contributions lose their author (SET NULL).
    session.execute(delete(Participant).where(col(Participant.id).in_(ids)))
    record = PurgeRecord(workshop_id=workshop.id, workshop_title=workshop.title, trigger=trigger,
                         last_activity=basis, participants=len(people), names=names, ballots=ballots)
    session.add(record)
    session.commit()
    log.info("purge (%s) of workshop %d: %d participants, %d names, %d join tokens, %d ballots "
             "dealt again", trigger, workshop.id, len(people), names,
             tokens.rowcount, ballots)  # type: ignore[attr-defined]  # a CursorResult's
    return record


def _redeal(session: Session, workshop: Workshop, day: datetime) -> None:
    """Each voted activity's answers, dealt again among their holders (`domain.redeal`) and
    stored anew in random order: no holder keeps a person's ballot, every result stays."""
    votes = Vote.__table__  # type: ignore[attr-defined]  # SQLModel hides __table__
    activities = session.exec(select(Activity).where(Activity.workshop_id == workshop.id)).all()
    rng = random.SystemRandom()
    for activity in (a for a in activities if KINDS[a.kind].ballots):
        answers = [tuple(row) for row in session.connection().execute(
            select(votes.c.participant_id, votes.c.target, votes.c.axis, votes.c.value)
            .where(votes.c.activity_id == activity.id))]
        if not answers:
            continue
        paper = dict(session.connection().execute(
            select(Participant.id, Participant.proxy)
            .where(col(Participant.id).in_({a[0] for a in answers}))).all())
        dealt = domain.redeal(answers, paper, KINDS[activity.kind].whole_ballots, rng)
        session.connection().execute(delete(votes).where(votes.c.activity_id == activity.id))
        session.connection().execute(votes.insert(), [
            {"activity_id": activity.id, "participant_id": holder, "target": target, "axis": axis,
             "value": value, "created_at": day, "updated_at": day}
            for holder, target, axis, value in dealt])


def due(session: Session, now: datetime) -> list[Workshop]:
    """Workshops past their retention that still hold personal data."""
    held = select(Participant.workshop_id).where(_known()).union(select(JoinToken.workshop_id))
    found = session.exec(select(Workshop).where(col(Workshop.id).in_(held)).order_by(col(Workshop.id)))
    return [w for w in found if domain.is_expired(last_activity(session, w), w.retention_months, now)]


def purge_expired(engine: Engine, trigger: str, now: datetime | None = None) -> list[PurgeRecord]:
    """Purge every workshop past its retention; what the command and the daily task run."""
    with Session(engine, expire_on_commit=False) as session:
        return [purge(session, w, trigger) for w in due(session, now or utcnow())]


def journal(session: Session) -> list[PurgeRecord]:
    return list(session.exec(select(PurgeRecord).order_by(col(PurgeRecord.purged_at))))
