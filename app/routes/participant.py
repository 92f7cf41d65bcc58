"""Participant pages: join with a code, follow the current activity, post."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.domain.codes import normalise_code
from app.models import Activity
from app.realtime import ITEMS
from app.services import items, participants, views, votes, workshops
from app.web import (
    SessionDep,
    SettingsDep,
    identify,
    join_url,
    qr_svg,
    remember_participant,
    templates,
)

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, code: str = "") -> Response:
    if code.strip():
        return RedirectResponse(f"/j/{normalise_code(code)[:12]}", status_code=303)
    return templates.TemplateResponse(request, "home.html", {})


@router.get("/j/{code}", response_class=HTMLResponse)
def join_page(request: Request, code: str, session: SessionDep) -> Response:
    workshop = workshops.by_code(session, code)
    if identify(request, session, workshop) is not None:
        return RedirectResponse(f"/p/{workshop.join_code}", status_code=303)
    return templates.TemplateResponse(request, "participant/join.html", {"workshop": workshop})


@router.post("/j/{code}")
def join(request: Request, code: str, session: SessionDep,
         name: Annotated[str, Form(max_length=500)] = "",
         organisation: Annotated[str, Form(max_length=500)] = "") -> Response:
    workshop = workshops.by_code(session, code)
    if identify(request, session, workshop) is None:
        participant = participants.join(session, workshop, name, organisation)
        remember_participant(request, participant)
    return RedirectResponse(f"/p/{workshop.join_code}", status_code=303)


@router.get("/j/{code}/qr.svg")
def qr(code: str, session: SessionDep, settings: SettingsDep) -> Response:
    workshop = workshops.by_code(session, code)
    return Response(qr_svg(join_url(settings, workshop)), media_type="image/svg+xml")


@router.get("/p/{code}", response_class=HTMLResponse)
def participant_page(request: Request, code: str, session: SessionDep) -> Response:
    workshop = workshops.by_code(session, code)
    participant = identify(request, session, workshop)
    if participant is None:
        return RedirectResponse(f"/j/{workshop.join_code}", status_code=303)
    ctx = views.participant_view(session, workshop, participant)
    return templates.TemplateResponse(request, "participant/page.html", ctx)


@router.post("/p/{code}/activities/{activity_id}/items", response_class=HTMLResponse)
def post_item(
    request: Request, code: str, activity_id: int, session: SessionDep,
    text: Annotated[str, Form(max_length=10_000)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    category: Annotated[str, Form(max_length=200)] = "",
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    workshop = workshops.by_code(session, code)
    participant = identify(request, session, workshop)
    if participant is None:
        return HTMLResponse("Rejoignez d'abord l'atelier.", status_code=401)
    item, created = items.post(session, participant, activity_id, text, category, group_id,
                               idempotency_key)
    if created:
        request.app.state.live.announce(workshop.id, ITEMS)
    return templates.TemplateResponse(
        request, "participant/page.html", {"note": item}, block_name="my_note",
        status_code=201 if created else 200)


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
        request, "participant/page.html", {"activity": activity, "choice": ballot.value},
        block_name="my_vote", status_code=201 if changed else 200)
