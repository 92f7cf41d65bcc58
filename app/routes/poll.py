"""A poll's routes: a phone's vote, the facilitator's show-of-hands counts."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from app.screens import poll as screen
from app.services import votes, workshops
from app.web import FacilitatorDep, PublisherDep, SessionDep, joined, pages

router = APIRouter()


@router.post("/p/{code}/activities/{activity_id}/vote", response_class=HTMLResponse)
def vote(
    request: Request, code: str, activity_id: int, session: SessionDep, publisher: PublisherDep,
    choice: Annotated[str, Form(max_length=20)],
) -> Response:
    _workshop, participant = joined(request, session, code)
    ballot, changed = votes.cast_poll(session, participant, activity_id, choice, publisher=publisher)
    activity = workshops.get_activity(session, activity_id)
    return pages.TemplateResponse(
        request, "activities/poll/_vote.html", {"activity": activity, "choice": ballot.value},
        status_code=201 if changed else 200)


@router.post("/f/activities/{activity_id}/hands", response_class=HTMLResponse)
def show_of_hands(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                  publisher: PublisherDep, counts: Annotated[list[str], Form(max_length=10)]) -> Response:
    """Counts typed in for people without a phone (show of hands, paper ballots)."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    votes.set_proxy_counts(session, activity, counts, publisher=publisher)
    return pages.TemplateResponse(request, "activities/poll/control.html",
                                  {"activity": activity, **screen.control(session, activity)})
