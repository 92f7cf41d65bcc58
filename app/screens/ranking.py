"""Priority ranking: order the enjeux (Borda, Schulze), spread points, or grade them (majority
judgment); the board shows the aggregated order and the room's agreement; the facilitator keeps
the top N as the workshop's priority enjeux."""

from typing import Any

from sqlmodel import Session

from app.models import Activity
from app.services import items, rankings


def board(session: Session, activity: Activity) -> dict[str, Any]:
    result = rankings.result(session, activity)
    return {"rk": result, "count": result.n_ballots}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    everything = items.of_activity(session, activity.id)
    result = rankings.result(session, activity, shown=[i for i in everything if rankings.is_visible(i)])
    return {"rk": result, "count": result.n_ballots, "list_items": everything}


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    own, shown = rankings.phone_views(session, activity, participant_ids)
    shared: dict[str, Any] = {}
    if activity.state == "revealed" or any(i.kept for i in shown):
        shared["rk"] = rankings.result(session, activity, shown=shown)
    return {pid: {**shared, "rk_phone": own[pid]} for pid in participant_ids}
