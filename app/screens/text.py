"""A slide: participants read; nothing to collect. A slide may also list the enjeux an earlier
ranking kept (`show_kept`), read afresh at each render so that it follows the facilitator's
choice."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.models import Activity, Item
from app.services import rankings, workshops


@dataclass(frozen=True)
class Kept:
    """The enjeux a ranking kept, in its order."""

    ranking: str  # the ranking's title
    items: list[Item]


def kept_of(session: Session, activity: Activity) -> Kept | None:
    source = workshops.activity_by_ref(session, activity.workshop_id, activity.config.get("show_kept"))
    if source is None or source.kind != "ranking":
        return None  # the template was checked on load: only a hand-edited database gets here
    return Kept(source.title, rankings.result(session, source).kept)


def board(session: Session, activity: Activity) -> dict[str, Any]:
    return {"kept": kept_of(session, activity)}


control = board


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    context = board(session, activity)
    return {pid: context for pid in participant_ids}
