"""Post-its' routes: a phone posts a note (the facilitator's moderation is in `facilitator`)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.models import Item
from app.publishing import Publisher
from app.services import items
from app.web import WriterDep, joined, pages

router = APIRouter()


@router.post("/p/{code}/activities/{activity_id}/items", response_class=HTMLResponse)
async def post_item(
    request: Request, code: str, activity_id: int, writer: WriterDep,
    text: Annotated[str, Form(max_length=10_000)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    category: Annotated[str, Form(max_length=200)] = "",
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    def store(session: Session, publisher: Publisher) -> tuple[Item, bool]:
        _workshop, participant = joined(request, session, code)
        return items.post(session, participant, activity_id, text, category, group_id,
                          idempotency_key, publisher=publisher)

    item, created = await writer.run(store)
    return pages.TemplateResponse(request, "activities/postits/_note.html", {"note": item},
                                  status_code=201 if created else 200)
