"""Post-its: short notes by category and sub-group, moderated by the facilitator."""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain.errors import N_
from app.models import Activity, Item
from app.services import items, note_groups, workshops

NO_CATEGORY = N_("Sans catégorie")
NO_GROUP = N_("Sans sous-groupe")

PERSONAL = ("mine",)
"""Her own notes: what a phone's page shows of her (`views.PhoneView`), in `mine.html`."""
MODERATION_IS_PERSONAL = True
"""A moderation (a note hidden, edited, merged) changes only her own notes on a phone: the rest of
its page, the prompt and the form, shows nothing moderated."""


@dataclass
class Column:
    name: str
    items: list[Item] = field(default_factory=list)


def _columns(activity: Activity, notes: list[Item], groups: dict[int, str]) -> list[Column]:
    """One column per category; with sub-groups and no categories, one per sub-group."""
    by_group = activity.config.get("use_groups") and not activity.config.get("categories")
    names = groups.values() if by_group else activity.config.get("categories", [])
    columns = {c: Column(c) for c in names}
    no_group, no_category = i18n.translate(NO_GROUP), i18n.translate(NO_CATEGORY)
    for note in notes:
        if by_group:
            name = groups.get(note.group_id, no_group) if note.group_id is not None else no_group
        else:
            name = note.category or no_category
        columns.setdefault(name, Column(name)).items.append(note)
    return list(columns.values())


def _merged_counts(all_items: list[Item]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item in all_items:
        if item.merged_into_id is not None:
            counts[item.merged_into_id] = counts.get(item.merged_into_id, 0) + 1
    return counts


def board(session: Session, activity: Activity) -> dict[str, Any]:
    return board_for_group(session, activity, None)


def board_for_group(session: Session, activity: Activity, group_id: int | None) -> dict[str, Any]:
    """The notes on the board: the whole room's, or one sub-group's (group_id)."""
    all_items = items.of_activity(session, activity.id)
    shown = [i for i in all_items if not i.hidden and i.merged_into_id is None
             and (group_id is None or i.group_id == group_id)]
    groups = {g.id: g.name for g in workshops.groups_of(session, activity.workshop_id)}
    return {"count": len(shown), "merged_counts": _merged_counts(all_items),
            "columns": _columns(activity, shown, groups)}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    notes = items.of_activity(session, activity.id)
    originals: dict[int, list[Item]] = {}
    for note in notes:
        if note.merged_into_id is not None:
            originals.setdefault(note.merged_into_id, []).append(note)
    return {"notes": [n for n in notes if n.merged_into_id is None], "originals": originals,
            "suggestions_ready": note_groups.ready(activity),
            "suggestions": note_groups.proposals(session, activity),
            "ignored_groups": len(note_groups.ignored(activity))}


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    mine = items.of_participants(session, participant_ids, activity.id)
    return {pid: {"mine": mine.get(pid, [])} for pid in participant_ids}
