"""Post-its' routes: a phone posts a note (the facilitator's moderation is in `facilitator`)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from app.services import items
from app.web import PublisherDep, SessionDep, joined, pages

router = APIRouter()


@router.post("/p/{code}/activities/{activity_id}/items", response_class=HTMLResponse)
def post_item(
    request: Request, code: str, activity_id: int, session: SessionDep, publisher: PublisherDep,
    text: Annotated[str, Form(max_length=10_000)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    category: Annotated[str, Form(max_length=200)] = "",
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    _workshop, participant = joined(request, session, code)
    item, created = items.post(session, participant, activity_id, text, category, group_id,
                               idempotency_key, publisher=publisher)
    return pages.TemplateResponse(request, "activities/postits/_note.html", {"note": item},
                                  status_code=201 if created else 200)
