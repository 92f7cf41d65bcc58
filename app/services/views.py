"""What each screen shows, read from the database (shared by pages and live pushes)."""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.domain.activities import (
    ACTION_LABELS,
    STATE_LABELS,
    accepts_contributions,
    next_states,
    results_visible,
)
from app.models import Activity, Item, Participant, Workshop
from app.services import items as items_service
from app.services import participants, votes, workshops

NO_CATEGORY = "Sans catégorie"


@dataclass
class Column:
    name: str
    items: list[Item] = field(default_factory=list)


def _columns(activity: Activity, notes: list[Item]) -> list[Column]:
    columns = {c: Column(c) for c in activity.config.get("categories", [])}
    for note in notes:
        columns.setdefault(note.category or NO_CATEGORY, Column(note.category or NO_CATEGORY))
        columns[note.category or NO_CATEGORY].items.append(note)
    return list(columns.values())


def _merged_counts(all_items: list[Item]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item in all_items:
        if item.merged_into_id is not None:
            counts[item.merged_into_id] = counts.get(item.merged_into_id, 0) + 1
    return counts


def _common(session: Session, workshop: Workshop) -> dict[str, Any]:
    acts = workshops.activities_of(session, workshop.id)
    current = next((a for a in acts if a.position == workshop.current_position), None)
    return {
        "workshop": workshop,
        "activities": acts,
        "activity": current,
        "groups": {g.id: g for g in workshops.groups_of(session, workshop.id)},
        "state_labels": STATE_LABELS,
    }


def board(session: Session, workshop: Workshop, ttl: int) -> dict[str, Any]:
    ctx = _common(session, workshop)
    activity: Activity | None = ctx["activity"]
    ctx["present"] = participants.count_present(session, workshop.id, ttl)
    ctx["columns"], ctx["visible"], ctx["count"] = [], False, 0
    if activity is not None and activity.kind == "postits":
        all_items = items_service.of_activity(session, activity.id)
        shown = [i for i in all_items if not i.hidden and i.merged_into_id is None]
        ctx["count"] = len(shown)
        ctx["merged_counts"] = _merged_counts(all_items)
        ctx["visible"] = results_visible(activity.state, activity.config.get("live", True))
        if ctx["visible"]:
            ctx["columns"] = _columns(activity, shown)
    elif activity is not None and activity.kind == "poll":
        ctx["poll"] = votes.poll_result(session, activity)
        ctx["count"] = ctx["poll"].n
        ctx["visible"] = results_visible(activity.state, activity.config.get("live", False))
    return ctx


def participant_views(session: Session, workshop: Workshop,
                      participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each participant's phone view, read in a constant number of queries."""
    common = _common(session, workshop)
    activity: Activity | None = common["activity"]
    common["open"] = activity is not None and accepts_contributions(activity.kind, activity.state)
    people = participants.by_ids(session, workshop.id, participant_ids)
    kind = activity.kind if activity is not None else None
    mine = items_service.of_participants(session, list(people), activity.id) if kind == "postits" else {}
    choices = votes.choices_of(session, list(people), activity.id) if kind == "poll" else {}
    if kind == "poll" and activity.state == "revealed":
        common["poll"] = votes.poll_result(session, activity)
    return {pid: {**common, "participant": person, "mine": mine.get(pid, []),
                  "my_choice": choices.get(pid)}
            for pid, person in people.items()}


def participant_view(session: Session, workshop: Workshop, participant: Participant) -> dict[str, Any]:
    return participant_views(session, workshop, [participant.id])[participant.id]


def control(session: Session, workshop: Workshop, ttl: int) -> dict[str, Any]:
    ctx = _common(session, workshop)
    activity: Activity | None = ctx["activity"]
    ctx["present"] = participants.count_present(session, workshop.id, ttl)
    ctx["next_states"] = next_states(activity.kind, activity.state) if activity else []
    ctx["action_labels"] = ACTION_LABELS
    if activity is not None and activity.kind == "poll":
        ctx["poll"] = votes.poll_result(session, activity)
    notes = items_service.of_activity(session, activity.id) if activity else []
    ctx["notes"] = [n for n in notes if n.merged_into_id is None]
    ctx["originals"] = {}
    for note in notes:
        if note.merged_into_id is not None:
            ctx["originals"].setdefault(note.merged_into_id, []).append(note)
    return ctx
