"""Grouping suggestions for the facilitator's post-its (`app.domain.similar_notes`): computed on
the server, nothing sent anywhere; accepted as a merge (`items.merge`, provenance kept, « Défaire »
undoes it), or ignored (the activity remembers the group and never proposes it again, until the
facilitator asks for the ignored ones back).

Computed while the post-its are still (closed or revealed activity), once per set of texts: while
an activity is open every new post-it would compute them again for every control page."""

import functools
from dataclasses import dataclass

from sqlmodel import Session

from app.domain.errors import N_, DomainError, NotAllowed
from app.domain.similar_notes import Suggestion, suggest
from app.models import Activity, Item
from app.publishing import MODERATION, Publisher, publish_safely
from app.services import items
from app.services.compute import single_threaded

IGNORED_KEY = "ignored_groups"  # in the activity's config: lists of post-it ids
MAX_IGNORED = 500


@dataclass(frozen=True)
class Proposed:
    notes: list[Item]
    confidence: float


def _candidates(session: Session, activity: Activity) -> dict[int, Item]:
    return {i.id: i for i in items.of_activity(session, activity.id)
            if not i.hidden and i.merged_into_id is None}


def ignored(activity: Activity) -> list[frozenset[int]]:
    return [frozenset(ids) for ids in activity.config.get(IGNORED_KEY, [])]


def ready(activity: Activity) -> bool:
    return activity.kind == "postits" and activity.state in ("closed", "revealed")


def proposals(session: Session, activity: Activity) -> list[Proposed]:
    if not ready(activity):
        return []
    notes = _candidates(session, activity)
    found = _suggested(tuple(sorted((i, n.text) for i, n in notes.items())),
                       tuple(sorted(tuple(sorted(g)) for g in ignored(activity))))
    return [Proposed([notes[i] for i in s.ids], s.confidence) for s in found]


@functools.lru_cache(maxsize=32)
@single_threaded
def _suggested(notes: tuple[tuple[int, str], ...], ignored: tuple[tuple[int, ...], ...]) -> list[Suggestion]:
    return suggest(notes, dismissed=[frozenset(g) for g in ignored])


def ignore(session: Session, activity: Activity, item_ids: list[int], *, publisher: Publisher) -> None:
    """« Ignorer »: these post-its are not proposed together again."""
    if activity.kind != "postits":
        raise NotAllowed(N_("Les regroupements suggérés concernent les post-its."))
    notes = _candidates(session, activity)
    if len(set(item_ids)) < 2 or not set(item_ids) <= notes.keys():
        raise DomainError(N_("Regroupement inconnu : choisissez au moins deux post-its affichés de cette "
                             "activité."))
    kept = activity.config.get(IGNORED_KEY, [])
    if len(kept) >= MAX_IGNORED:
        raise NotAllowed(N_("Au plus %(most)s regroupements ignorés : proposez de nouveau les ignorés."),
                         most=MAX_IGNORED)
    activity.config = {**activity.config, IGNORED_KEY: [*kept, sorted(set(item_ids))]}
    session.add(activity)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)


def restore(session: Session, activity: Activity, *, publisher: Publisher) -> None:
    """« Proposer de nouveau les regroupements ignorés »."""
    activity.config = {k: v for k, v in activity.config.items() if k != IGNORED_KEY}
    session.add(activity)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)
