"""Results flow forward: a rating or ranking takes its items from an earlier activity.

Items are copied (with `origin_id` pointing at the original) the first time the activity
opens, so the facilitator can still add, edit or hide items before and after.
"""

from collections.abc import Callable

from sqlmodel import Session

from app.domain import activities as states
from app.domain.errors import N_, NotAllowed
from app.models import Activity, Item
from app.publishing import Publisher
from app.services import items as items_service
from app.services import orders, workshops

TopProvider = Callable[[Activity, int], list[Item]]


def source_of(session: Session, activity: Activity, ref: str | None = None) -> Activity:
    ref = ref or (activity.config.get("items_from") or {}).get("activity")
    found = workshops.activity_by_ref(session, activity.workshop_id, ref)
    if found is None:
        raise NotAllowed(N_("L'activité source « %(ref)s » n'existe pas dans cet atelier."), ref=ref)
    return found


def candidates(session: Session, activity: Activity, top: TopProvider) -> list[Item]:
    """The items to copy: those of the source, then those of each `also` source, taken alike."""
    spec = activity.config["items_from"]
    taken: list[Item] = []
    for ref in [spec["activity"], *(spec.get("also") or [])]:
        source = source_of(session, activity, ref)
        if spec["take"] == "top":
            taken += top(source, spec["n"])
            continue
        notes = [i for i in items_service.of_activity(session, source.id) if not i.hidden]
        if spec["take"] == "merged":
            taken += [i for i in notes if i.merged_into_id is None]
        else:
            taken += [i for i in notes if i.source != "merge"]
    return taken


def fill(session: Session, activity: Activity, top: TopProvider) -> int:
    """Copy the source's items into an activity that has none copied yet (entries the facilitator
    added beforehand stay beside them); returns how many were copied."""
    if not activity.config.get("items_from") or any(
            i.source == "flow" for i in items_service.of_activity(session, activity.id)):
        return 0
    taken = candidates(session, activity, top)
    for item in taken:
        session.add(Item(activity_id=activity.id, source="flow", origin_id=item.id, text=item.text,
                         category=item.category, group_id=item.group_id))
    session.commit()
    return len(taken)


def set_state(session: Session, activity: Activity, target: str, *, publisher: Publisher) -> None:
    """Drive an activity (open, close, reveal); opening it the first time copies its items from
    its source."""
    states.transition(activity.kind, activity.state, target)  # refused before anything is copied
    if target == "open":
        fill(session, activity, lambda source, n: orders.top(session, source, n))
    workshops.set_state(session, activity, target, publisher=publisher)
