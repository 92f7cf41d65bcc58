"""A ranking's routes: a phone's ballot, the facilitator keeping the priority enjeux."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.domain.errors import N_
from app.publishing import Publisher
from app.services import items, rankings, workshops
from app.web import (
    FacilitatorDep,
    PublisherDep,
    SessionDep,
    SettingsDep,
    WriterDep,
    control_response,
    joined,
    pages,
)

router = APIRouter()


@router.post("/p/{code}/activities/{activity_id}/ranking", response_class=HTMLResponse)
async def cast(
    request: Request, code: str, activity_id: int, writer: WriterDep,
    ballot: Annotated[str, Form(max_length=rankings.MAX_BALLOT_CHARS)] = "",
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Store a ballot (a ranking, an allocation of points, or grades), replacing the previous one.

    Replaying a ballot stores nothing new (200); the idempotency key the outbox sends is not
    needed, since a ballot is replaced as a whole rather than added.
    """

    def store(session: Session, publisher: Publisher) -> tuple[dict[str, Any], bool]:
        _workshop, participant = joined(
            request, session, code,
            N_("Rejoignez d'abord l'atelier : votre bulletin n'a pas été enregistré."))
        activity, changed = rankings.cast(session, participant, activity_id, ballot, publisher=publisher)
        return {"activity": activity, "mine": rankings.mine_of(session, activity, participant)}, changed

    answer, changed = await writer.run(store)
    return pages.TemplateResponse(request, "activities/ranking/_ballot.html", answer,
                                  status_code=201 if changed else 200)


@router.post("/f/activities/{activity_id}/keep", response_class=HTMLResponse)
def keep_top(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
             settings: SettingsDep, publisher: PublisherDep,
             n: Annotated[int, Form(ge=1, le=60)]) -> Response:
    """« Garder les N premiers »: the first N of the aggregated order become the priority enjeux."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    rankings.keep_top(session, activity, n, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/items/{item_id}/kept", response_class=HTMLResponse)
def set_kept(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
             settings: SettingsDep, publisher: PublisherDep,
             kept: Annotated[bool, Form()]) -> Response:
    item = items.get(session, item_id)
    activity = workshops.owned_activity(session, me.id, item.activity_id)
    rankings.set_kept(session, activity, item, kept, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
