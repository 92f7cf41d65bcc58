"""Quick polls on a scale (« oui / non / moyennement », « souvent … jamais »): live bars."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.models import Activity
from app.realtime import ITEMS
from app.services import votes, workshops
from app.web import FacilitatorDep, SessionDep, identify, templates

LIVE_DEFAULT = False
router = APIRouter()


def board(session: Session, activity: Activity) -> dict[str, Any]:
    poll = votes.poll_result(session, activity)
    return {"poll": poll, "count": poll.n}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    return {**board(session, activity), "proxy_counts": votes.proxy_counts(session, activity)}


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    choices = votes.choices_of(session, participant_ids, activity.id)
    shared = {"poll": votes.poll_result(session, activity)} if activity.state == "revealed" else {}
    return {pid: {**shared, "my_choice": choices.get(pid)} for pid in participant_ids}


@router.post("/p/{code}/activities/{activity_id}/vote", response_class=HTMLResponse)
def vote(
    request: Request, code: str, activity_id: int, session: SessionDep,
    choice: Annotated[str, Form(max_length=20)],
) -> Response:
    workshop = workshops.by_code(session, code)
    participant = identify(request, session, workshop)
    if participant is None:
        return HTMLResponse("Rejoignez d'abord l'atelier.", status_code=401)
    ballot, changed = votes.cast_poll(session, participant, activity_id, choice)
    if changed:
        request.app.state.live.announce(workshop.id, ITEMS)
    activity = session.get(Activity, activity_id)
    return templates.TemplateResponse(
        request, "activities/poll/_vote.html", {"activity": activity, "choice": ballot.value},
        status_code=201 if changed else 200)


@router.post("/f/activities/{activity_id}/hands", response_class=HTMLResponse)
def show_of_hands(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                  counts: Annotated[list[str], Form(max_length=10)]) -> Response:
    """Counts typed in for people without a phone (show of hands, paper ballots)."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    votes.set_proxy_counts(session, activity, counts)
    request.app.state.live.announce(activity.workshop_id, ITEMS)
    return templates.TemplateResponse(request, "activities/poll/control.html",
                                      {"activity": activity, **control(session, activity)})
