"""Whole pages: what the board, the control page and each phone show, read from the database
(shared by the HTTP pages and the live pushes). The parts that depend on the activity's kind come
from its module in `app.screens`."""

from collections.abc import Hashable
from typing import Any

from sqlmodel import Session

from app.domain import timer
from app.domain.activities import (
    ACTION_LABELS,
    STATE_LABELS,
    accepts_contributions,
    next_states,
    results_visible,
)
from app.domain.kinds import KINDS
from app.models import Activity, Participant, Workshop, utcnow
from app.screens import SCREENS
from app.services import participants, workshops


def _common(session: Session, workshop: Workshop) -> dict[str, Any]:
    acts = workshops.activities_of(session, workshop.id)
    current = next((a for a in acts if a.position == workshop.current_position), None)
    return {
        "workshop": workshop,
        "activities": acts,
        "activity": current,
        "groups": {g.id: g for g in workshops.groups_of(session, workshop.id)},
        "state_labels": STATE_LABELS,
        **workshop_wide(workshop),
    }


def workshop_wide(workshop: Workshop) -> dict[str, Any]:
    """What the blocks that every screen shows alike need (the countdown)."""
    return {"timer_remaining": timer.remaining(workshop.timer_ends_at, utcnow())}


def board(session: Session, workshop: Workshop, ttl: int, group_id: int | None = None) -> dict[str, Any]:
    """The projected board; with `group_id`, a board that follows one sub-group's contributions."""
    ctx = _common(session, workshop)
    activity: Activity | None = ctx["activity"]
    ctx["present"] = participants.count_present(session, workshop.id, ttl)
    ctx["visible"], ctx["count"] = False, 0
    ctx["board_group"] = ctx["groups"].get(group_id) if group_id is not None else None
    if activity is not None:
        ctx["paper_ballots"] = participants.paper_ballots(session, activity.id)
        screen = SCREENS[activity.kind]
        by_group = getattr(screen, "board_for_group", None)
        if group_id is not None and by_group is not None:
            ctx.update(by_group(session, activity, group_id))
        else:
            ctx.update(screen.board(session, activity))
        live = activity.config.get("live", KINDS[activity.kind].live)
        ctx["visible"] = results_visible(activity.state, live)
    return ctx


def participant_views(session: Session, workshop: Workshop,
                      participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each participant's phone view, read in a constant number of queries."""
    common = _common(session, workshop)
    activity: Activity | None = common["activity"]
    common["open"] = activity is not None and accepts_contributions(activity.kind, activity.state)
    people = participants.by_ids(session, workshop.id, participant_ids)
    own = SCREENS[activity.kind].phones(session, activity, list(people)) if activity else {}
    return {pid: {**common, **own.get(pid, {}), "participant": person}
            for pid, person in people.items()}


def sharing_keys(phone_views: dict[int, dict[str, Any]]) -> dict[int, Hashable]:
    """Phones with equal keys are shown the same fragment: it is rendered once for all of them.

    A key is the participant's sub-group (and her id where the kind marks her own entries:
    `Kind.marks_own`, checked against the templates by tests/services/test_phone_sharing.py),
    then every value of her context that is not the very object the first phone's context
    holds (what `participant_views` shares is one object), written out with `repr` (each
    distinct object once). Equal keys, equal contexts, equal fragments.
    """
    reference = next(iter(phone_views.values()), {})
    written: dict[int, str] = {}
    keys: dict[int, Hashable] = {}
    for pid, ctx in phone_views.items():
        person: Participant = ctx["participant"]
        activity: Activity | None = ctx["activity"]
        own = person.id if activity is not None and KINDS[activity.kind].marks_own else None
        parts: list[object] = [person.group_id, own]
        for name in sorted(ctx):
            value = ctx[name]
            if name == "participant" or reference.get(name) is value:
                continue
            if id(value) not in written:
                written[id(value)] = repr(value)
            parts.append((name, written[id(value)]))
        keys[pid] = tuple(parts)
    return keys


def participant_view(session: Session, workshop: Workshop, participant: Participant) -> dict[str, Any]:
    return participant_views(session, workshop, [participant.id])[participant.id]


def control(session: Session, workshop: Workshop, ttl: int) -> dict[str, Any]:
    ctx = _common(session, workshop)
    activity: Activity | None = ctx["activity"]
    ctx["present"] = participants.count_present(session, workshop.id, ttl)
    ctx["next_states"] = next_states(activity.kind, activity.state) if activity else []
    ctx["group_sizes"] = participants.group_sizes(session, workshop.id)
    ctx["action_labels"] = ACTION_LABELS
    if activity is not None:
        ctx["paper_ballots"] = participants.paper_ballots(session, activity.id)
        ctx.update(SCREENS[activity.kind].control(session, activity))
    return ctx
