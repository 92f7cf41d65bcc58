"""Whole pages: what the board, the control page and each phone show, read from the database
(shared by the HTTP pages and the live pushes). The parts that depend on the activity's kind come
from its module in `app.screens`."""

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlmodel import Session

from app.domain import timer
from app.domain.activities import (
    STATE_LABELS,
    accepts_contributions,
    action_label,
    next_states,
    results_visible,
)
from app.domain.kinds import KINDS
from app.models import Activity, Participant, Workshop, utcnow
from app.screens import SCREENS, opinion_map
from app.services import join_tokens, opinion_maps, participants, workshops


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
        ctx["opinion_shown"] = opinion_maps.shown(activity) and group_id is None
        if ctx["opinion_shown"]:
            ctx.update(opinion_map.view(session, activity))
    return ctx


@dataclass(frozen=True)
class Member:
    """What the shared part of a phone's page knows of her: her sub-group. It has no `id`, so
    that there `x == participant.id` is false (Jinja's undefined): her entries show as anyone's in
    the shared part, and as hers in her personal part, which has her herself."""

    group_id: int | None


@dataclass(frozen=True)
class PhoneView:
    """A phone's page context in two parts. `shared`: what every phone of her sub-group sees alike
    at this state of the activity, her personal values empty and `participant` a `Member`;
    `personal`: the values her kind names `PERSONAL` (`personal_names`) and she herself. The page
    is rendered from both; a live push renders the shared part (`p-activity`) once for the phones
    that see the same, then her kind's `mine.html` from both (`p-mine`), whose elements replace
    those of the same ids in the shared part."""

    shared: dict[str, Any]
    personal: dict[str, Any]

    @property
    def page(self) -> dict[str, Any]:
        return {**self.shared, **self.personal}


def personal_names(kind: str | None) -> tuple[str, ...]:
    """The names of a phone's context that are hers alone, each a list, empty in the shared part
    (`PERSONAL` in the kind's screen module; none where her page shows nothing of her own)."""
    return getattr(SCREENS[kind], "PERSONAL", ()) if kind is not None else ()


def moderation_is_personal(kind: str | None) -> bool:
    """A moderation changes nothing on a phone of that kind but her personal part
    (`MODERATION_IS_PERSONAL` in the kind's screen module)."""
    return kind is not None and getattr(SCREENS[kind], "MODERATION_IS_PERSONAL", False)


def participant_views(session: Session, workshop: Workshop,
                      participant_ids: list[int]) -> dict[int, PhoneView]:
    """Each participant's phone view, read in a constant number of queries."""
    common = _common(session, workshop)
    activity: Activity | None = common["activity"]
    common["open"] = activity is not None and accepts_contributions(activity.kind, activity.state)
    people = participants.by_ids(session, workshop.id, participant_ids)
    own = SCREENS[activity.kind].phones(session, activity, list(people)) if activity else {}
    names = personal_names(activity.kind if activity else None)
    members = {p.group_id: Member(p.group_id) for p in people.values()}
    views: dict[int, PhoneView] = {}
    for pid, person in people.items():
        shared = {**common, **own.get(pid, {}), "participant": members[person.group_id]}
        personal = {name: shared.pop(name) for name in names}
        shared.update(dict.fromkeys(names, ()))  # as for a phone with nothing of her own
        views[pid] = PhoneView(shared, {**personal, "participant": person})
    return views


class Keys(NamedTuple):
    """A phone's sharing keys: of her shared part, and of her personal part."""

    shared: Hashable
    personal: Hashable


def sharing_keys(phone_views: dict[int, PhoneView]) -> dict[int, Keys]:
    """Phones with equal keys are shown the same part: it is rendered once for all of them.

    The shared key is every value of her shared context that is not the very object the first
    phone's holds (what `participant_views` shares is one object), written out with `repr` (each
    distinct object once); her sub-group is one of them (`Member`), and nothing else of her is
    there. The personal key adds her personal values, and her id where her kind marks her entries
    by it (`Kind.marks_own`; what a kind's templates read of her is checked against them by
    tests/services/test_phone_sharing.py). Equal keys, equal contexts, equal fragments.
    """
    reference = next(iter(phone_views.values()), PhoneView({}, {})).shared
    written: dict[int, str] = {}

    def written_out(ctx: dict[str, Any]) -> tuple[object, ...]:
        parts: list[object] = []
        for name in sorted(ctx):
            value = ctx[name]
            if reference.get(name) is value:
                continue
            if id(value) not in written:
                written[id(value)] = repr(value)
            parts.append((name, written[id(value)]))
        return tuple(parts)

    keys: dict[int, Keys] = {}
    for pid, view in phone_views.items():
        shared = written_out(view.shared)
        activity: Activity | None = view.shared["activity"]
        own = pid if activity is not None and KINDS[activity.kind].marks_own else None
        personal = written_out({k: v for k, v in view.personal.items() if k != "participant"})
        keys[pid] = Keys(shared, (shared, own, personal))
    return keys


def participant_view(session: Session, workshop: Workshop, participant: Participant) -> dict[str, Any]:
    """A phone's whole page context (`PhoneView.page`)."""
    return participant_views(session, workshop, [participant.id])[participant.id].page


def control(session: Session, workshop: Workshop, ttl: int) -> dict[str, Any]:
    ctx = _common(session, workshop)
    activity: Activity | None = ctx["activity"]
    ctx["present"] = participants.count_present(session, workshop.id, ttl)
    ctx["actions"] = ([(s, action_label(activity.state, s))
                       for s in next_states(activity.kind, activity.state)] if activity else [])
    ctx["group_sizes"] = participants.group_sizes(session, workshop.id)
    ctx["joined"] = participants.joined(session, workshop.id)
    voted = [a for a in ctx["activities"] if KINDS[a.kind].ballots]
    counted = participants.ballots(session, [a.id for a in voted])
    ctx["turnout"] = [(a, *counted[a.id]) for a in voted]
    ctx["join_tokens"] = join_tokens.counts(session, workshop.id)
    if activity is not None:
        ctx["paper_ballots"] = participants.paper_ballots(session, activity.id)
        ctx.update(SCREENS[activity.kind].control(session, activity))
        # The map while the board shows it; else on the facilitator's demand (its first drawing
        # takes up to a second and loads scikit-learn: not on every close of a vote).
        ctx["opinion_available"] = opinion_maps.available(activity)
        ctx["opinion_shown"] = opinion_maps.shown(activity)
        if ctx["opinion_shown"]:
            ctx.update(opinion_map.view(session, activity))
    return ctx
