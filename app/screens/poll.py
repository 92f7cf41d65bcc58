"""Quick polls on a scale (« oui / non / moyennement », « souvent … jamais »): live bars."""

from typing import Any

from sqlmodel import Session

from app.models import Activity
from app.services import votes


def board(session: Session, activity: Activity) -> dict[str, Any]:
    poll = votes.poll_result(session, activity)
    return {"poll": poll, "count": poll.n}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    return {**board(session, activity), "proxy_counts": votes.proxy_counts(session, activity)}


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    choices = votes.choices_of(session, participant_ids, activity.id)
    shared = {"poll": votes.poll_result(session, activity)} if activity.state == "revealed" else {}
    return {pid: {**shared, "my_choice": choices.get(pid)} for pid in participant_ids}
