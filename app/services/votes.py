"""Votes: one answer per participant and target, changed in place while the activity is open."""

from functools import lru_cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.domain.errors import N_, NotAllowed
from app.domain.polls import PollResult, tally, validate_choice, validate_proxy_counts
from app.models import Activity, Participant, ProxyCount, Vote, utcnow
from app.publishing import ITEMS, Publisher, publish_safely
from app.services import workshops


def upsert_vote(session: Session, activity: Activity, participant: Participant, value: int | None,
                target: str = "", axis: str = "") -> tuple[Vote, bool]:
    """Store the answer; returns (vote, changed). Replaying the same answer changes nothing.

    One statement on the hot path (`INSERT … ON CONFLICT DO UPDATE … WHERE the value differs
    RETURNING`, built once per dialect): a row comes back when the answer is new or changed, none
    when it is the same."""
    now = utcnow()
    key = {"activity_id": activity.id, "participant_id": participant.id, "target": target, "axis": axis}
    row = session.connection().execute(_upsert_returning(session.get_bind().dialect.name),
                                       {**key, "value": value, "created_at": now, "updated_at": now}).first()
    if row is None:
        same = select(Vote).where(*(getattr(Vote, k) == v for k, v in key.items()))
        return session.exec(same).one(), False
    session.commit()
    return Vote.model_validate(dict(row._mapping)), True


@lru_cache
def upsert(dialect: str) -> Any:
    """`INSERT … ON CONFLICT DO UPDATE` of votes, the value updated only where it differs."""
    table = Vote.__table__  # type: ignore[attr-defined]  # SQLModel hides __table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(
        index_elements=["activity_id", "participant_id", "target", "axis"],
        set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
        where=table.c.value.is_distinct_from(insert.excluded.value),
    )


@lru_cache
def _upsert_returning(dialect: str) -> Any:
    return upsert(dialect).returning(*Vote.__table__.columns)  # type: ignore[attr-defined]


def cast_poll(session: Session, participant: Participant, activity_id: int, raw_choice: str, *,
              publisher: Publisher) -> tuple[Vote, bool]:
    activity = workshops.open_activity(session, participant, activity_id, "poll")
    choice = validate_choice(raw_choice, activity.config["options"])
    vote, changed = upsert_vote(session, activity, participant, choice)
    if changed:
        publish_safely(publisher, activity.workshop_id, ITEMS)
    return vote, changed


def choices_of(session: Session, participant_ids: list[int], activity_id: int) -> dict[int, int | None]:
    if not participant_ids:
        return {}
    rows = session.exec(select(Vote.participant_id, Vote.value).where(
        Vote.activity_id == activity_id, col(Vote.participant_id).in_(participant_ids)))
    return dict(rows.all())


def proxy_counts(session: Session, activity: Activity) -> list[int]:
    counts = [0] * len(activity.config["options"])
    for row in session.exec(select(ProxyCount).where(ProxyCount.activity_id == activity.id)):
        if 0 <= row.value < len(counts):
            counts[row.value] = row.count
    return counts


def set_proxy_counts(session: Session, activity: Activity, raw: list[str], *,
                     publisher: Publisher) -> None:
    """Replace the show-of-hands / paper counts of a poll (allowed until the results are shown)."""
    if activity.kind != "poll":
        raise NotAllowed(N_("Le comptage à main levée concerne les votes."))
    if activity.state == "revealed":
        raise NotAllowed(N_("Les résultats sont affichés : masquez-les avant de modifier le comptage."))
    counts = validate_proxy_counts(raw, activity.config["options"])
    existing = {r.value: r for r in session.exec(
        select(ProxyCount).where(ProxyCount.activity_id == activity.id))}
    for value, count in enumerate(counts):
        row = existing.get(value) or ProxyCount(activity_id=activity.id, value=value, count=0)
        row.count, row.updated_at = count, utcnow()
        session.add(row)
    session.commit()
    publish_safely(publisher, activity.workshop_id, ITEMS)


def poll_result(session: Session, activity: Activity) -> PollResult:
    values = session.exec(select(Vote.value).where(Vote.activity_id == activity.id)).all()
    return tally([v for v in values if v is not None], activity.config["options"],
                 proxy_counts(session, activity))
