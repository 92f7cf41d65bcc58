"""A slide: participants read; nothing to collect. A slide may also list the enjeux an earlier
ranking kept (`show_kept`), read afresh at each render so that it follows the facilitator's
choice."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlmodel import Session

from app.models import Activity, Item
from app.services import rankings, workshops

LIVE_DEFAULT = False
router = APIRouter()


@dataclass(frozen=True)
class Kept:
    """The enjeux a ranking kept, in its order."""

    ranking: str  # the ranking's title
    items: list[Item]


def kept_of(session: Session, activity: Activity) -> Kept | None:
    ref = activity.config.get("show_kept")
    if not ref:
        return None
    source = next((a for a in workshops.activities_of(session, activity.workshop_id)
                   if a.config.get("id") == ref and a.kind == "ranking"), None)
    if source is None:  # the template was checked on load: only a hand-edited database gets here
        return None
    return Kept(source.title, rankings.result(session, source).kept)


def board(session: Session, activity: Activity) -> dict[str, Any]:
    return {"kept": kept_of(session, activity)}


control = board


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    context = board(session, activity)
    return {pid: context for pid in participant_ids}
