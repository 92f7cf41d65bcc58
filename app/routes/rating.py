"""A rating's routes: a phone rates an item on an axis; the facilitator downloads the results."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.domain.errors import N_, NotAllowed
from app.exports.names import attachment
from app.exports.rating_csv import rating_csv
from app.publishing import Publisher
from app.screens.rating import mine_of
from app.services import ratings, workshops
from app.web import FacilitatorDep, SessionDep, WriterDep, joined, pages

router = APIRouter()


@router.post("/p/{code}/activities/{activity_id}/rate", response_class=HTMLResponse)
async def rate(
    request: Request, code: str, activity_id: int, writer: WriterDep,
    item: Annotated[str, Form(max_length=20)] = "",
    axis: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A phone's rating of one item on one axis; the answer is the item's card, as stored."""

    def store(session: Session, publisher: Publisher) -> tuple[dict[str, Any], bool]:
        workshop, participant = joined(
            request, session, code, N_("Rejoignez d'abord l'atelier : votre note n'a pas été enregistrée."))
        rated = ratings.rate(session, participant, activity_id, item, axis, value, publisher=publisher)
        settings = ratings.settings_of(rated.activity)
        shown = ratings.rateable_ids(session, activity_id)
        answers = ratings.answers_of(session, [participant.id], activity_id)[participant.id]
        number = shown.index(rated.item.id) + 1
        card = {"activity": rated.activity, "workshop": workshop, "open": True, "rate_settings": settings,
                "number": number, "item": rated.item, "mine": mine_of(settings, shown, answers)}
        return card, rated.changed

    card, changed = await writer.run(store)
    return pages.TemplateResponse(request, "activities/rating/_saved.html", card,
                                  status_code=201 if changed else 200)


@router.get("/f/activities/{activity_id}/rating.csv")
def results_csv(activity_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    """The results table for a spreadsheet (French conventions: « ; » and decimal commas)."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    if activity.kind != ratings.KIND:
        raise NotAllowed(N_("Cette activité n'est pas une notation."))
    content, name = rating_csv(session, activity)
    return Response(content, media_type="text/csv; charset=utf-8", headers=attachment(name))
