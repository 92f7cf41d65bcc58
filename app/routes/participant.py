"""Participant pages: join with a code or a printed token, follow the current activity, post."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.domain.codes import normalise_code
from app.exports.qr import qr_svg
from app.models import Participant, Workshop
from app.screens import views
from app.services import join_tokens, restitutions, workshops
from app.web import (
    PublisherDep,
    SessionDep,
    SettingsDep,
    identify,
    join_url,
    member,
    pages,
    remember_participant,
)

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, code: str = "") -> Response:
    if code.strip():
        return RedirectResponse(f"/j/{normalise_code(code)[:12]}", status_code=303)
    return pages.TemplateResponse(request, "home.html", {})


def _joined(request: Request, workshop: Workshop, participant: Participant | None) -> Response:
    if participant is not None:
        remember_participant(request, participant)
    return RedirectResponse(f"/p/{workshop.join_code}", status_code=303)


@router.get("/j/{code}", response_class=HTMLResponse)
def join_page(request: Request, code: str, session: SessionDep, settings: SettingsDep,
              publisher: PublisherDep, jeton: str = "") -> Response:
    """The join form; with `?jeton=` (a printed card's QR code), joins at once with that token.
    A phone already in the workshop stays who it is, and leaves the token unused. The code of a
    closed workshop whose restitution is published leads to it (the same QR code)."""
    restitution = restitutions.of_closed_code(session, code)
    if restitution is not None:
        return RedirectResponse(f"/r/{restitution}", status_code=303)
    workshop = workshops.by_code(session, code)
    if identify(request, session, workshop) is not None:
        return _joined(request, workshop, None)
    if jeton:
        return _joined(request, workshop,
                       join_tokens.join_with_token(session, workshop, jeton[:40], publisher=publisher))
    return pages.TemplateResponse(request, "participant/join.html", {
        "workshop": workshop, "controller_name": settings.controller_name,
        "activities": workshops.activities_of(session, workshop.id)})


@router.post("/j/{code}")
def join(request: Request, code: str, session: SessionDep, publisher: PublisherDep,
         name: Annotated[str, Form(max_length=500)] = "",
         organisation: Annotated[str, Form(max_length=500)] = "",
         jeton: Annotated[str, Form(max_length=40)] = "",
         cle: Annotated[str, Form(max_length=64)] = "") -> Response:
    """The join form. With `cle`, the participant token the phone drew (app.js), sent beside its
    socket: answered 204 with the cookie, the page turning live by that socket (app.routes.board)."""
    workshop = workshops.by_code(session, code)
    if identify(request, session, workshop) is not None:
        return _joined(request, workshop, None)
    if jeton.strip():
        participant = join_tokens.join_with_token(session, workshop, jeton, name, organisation,
                                                  publisher=publisher)
    else:
        participant = join_tokens.join_with_code(session, workshop, name, organisation,
                                                 publisher=publisher, phone_token=cle or None)
    if cle and participant.token == cle:
        remember_participant(request, participant)
        return Response(status_code=204)
    return _joined(request, workshop, participant)


@router.get("/j/{code}/qr.svg")
def qr(code: str, session: SessionDep, settings: SettingsDep) -> Response:
    workshop = workshops.by_code(session, code)
    return Response(qr_svg(join_url(settings, workshop)), media_type="image/svg+xml")


@router.get("/p/{code}", response_class=HTMLResponse)
def participant_page(request: Request, code: str, session: SessionDep) -> Response:
    workshop, participant = member(request, session, code)
    if participant is None:
        return RedirectResponse(f"/j/{workshop.join_code}", status_code=303)
    ctx = views.participant_view(session, workshop, participant)
    return pages.TemplateResponse(request, "participant/page.html", ctx)
