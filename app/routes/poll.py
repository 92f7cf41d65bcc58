"""A poll's routes: a phone's vote, the facilitator's show-of-hands counts."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.publishing import Publisher
from app.screens import poll as screen
from app.services import votes, workshops
from app.web import FacilitatorDep, PublisherDep, SessionDep, WriterDep, joined, pages

router = APIRouter()


@router.post("/p/{code}/activities/{activity_id}/vote", response_class=HTMLResponse)
async def vote(
    request: Request, code: str, activity_id: int, writer: WriterDep,
    choice: Annotated[str, Form(max_length=20)],
) -> Response:
    def store(session: Session, publisher: Publisher) -> tuple[dict[str, Any], bool]:
        _workshop, participant = joined(request, session, code)
        ballot, changed = votes.cast_poll(session, participant, activity_id, choice, publisher=publisher)
        return {"activity": workshops.get_activity(session, activity_id), "choice": ballot.value}, changed

    answer, changed = await writer.run(store)
    return pages.TemplateResponse(request, "activities/poll/_vote.html", answer,
                                  status_code=201 if changed else 200)


@router.post("/f/activities/{activity_id}/hands", response_class=HTMLResponse)
def show_of_hands(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                  publisher: PublisherDep, counts: Annotated[list[str], Form(max_length=10)]) -> Response:
    """Counts typed in for people without a phone (show of hands, paper ballots)."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    votes.set_proxy_counts(session, activity, counts, publisher=publisher)
    return pages.TemplateResponse(request, "activities/poll/control.html",
                                  {"activity": activity, **screen.control(session, activity)})
