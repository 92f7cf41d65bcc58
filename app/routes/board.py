"""The projected board, and the WebSockets of every screen."""

import asyncio
import contextlib
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, WebSocket
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.db import get_engine
from app.domain.codes import is_phone_token
from app.domain.errors import N_, DomainError, NotFound
from app.exports.qr import qr_svg
from app.live import (
    BOARD,
    CLOSE_FORBIDDEN,
    CLOSE_LOGGED_OUT,
    CLOSE_NOT_FOUND,
    CONTROL,
    PARTICIPANT,
    Live,
    origin_allowed,
    reason,
)
from app.screens import views
from app.services import logins, participants, workshops
from app.services.workshops import UnknownCode
from app.web import (
    FacilitatorDep,
    LoginRequired,
    PublisherDep,
    SessionDep,
    SettingsDep,
    join_url,
    member,
    pages,
    throttle,
)

router = APIRouter()
NOT_JOINED = N_("rejoignez d'abord l'atelier")


@router.get("/b/{board_key}", response_class=HTMLResponse)
def board_page(request: Request, board_key: str, session: SessionDep,
               settings: SettingsDep, groupe: int | None = None) -> Response:
    """The projected board; `?groupe=<id>` follows one sub-group's contributions."""
    workshop = workshops.by_board_key(session, board_key)
    if groupe is not None:
        workshops.group_of(session, workshop, groupe)
    with i18n.using(workshop.language):  # the workshop's language, as its pushes (see _serve)
        ctx = views.board(session, workshop, settings.participant_ttl_seconds, groupe)
        url = join_url(settings, workshop)
        ctx.update(join_url=url, qr=qr_svg(url))
        return pages.TemplateResponse(request, "board/page.html", ctx)


@router.post("/f/workshops/{workshop_id}/language")
def board_language(workshop_id: int, me: FacilitatorDep, session: SessionDep, publisher: PublisherDep,
                   language: Annotated[str, Form(max_length=12)]) -> Response:
    """The language the workshop's board speaks (app/templates/facilitator/_board_language.html);
    its open boards are rendered again in it."""
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.set_language(session, workshop, language, publisher=publisher)
    return RedirectResponse(f"/f/workshops/{workshop_id}#board-language-title", status_code=303)


def _resolve(websocket: WebSocket, kind: str, key: str,
             lifetime: logins.Lifetime) -> tuple[int, int | None, int | None, int | None, str | None]:
    """Who may watch what: (workshop id, participant id, board's sub-group, facilitator session,
    a board's language) or DomainError."""
    with Session(get_engine()) as session:
        if kind == BOARD:
            workshop = workshops.by_board_key(session, key)
            raw = websocket.query_params.get("groupe")
            if raw is None:
                return workshop.id, None, None, None, workshop.language
            if not raw.isdigit():
                raise NotFound(N_("sous-groupe inconnu"))
            group = workshops.group_of(session, workshop, int(raw))
            return workshop.id, None, group.id, None, workshop.language
        if kind == CONTROL:
            login = logins.resolve(session, websocket.session.get("f"), lifetime)
            if login is None:
                raise LoginRequired(N_("connexion animateur requise"))
            if not key.isdigit():
                raise NotFound(N_("atelier inconnu"))
            owned = workshops.get_owned(session, login.account.id, int(key))
            return owned.id, None, None, login.session_id, None
        workshop, participant = member(websocket, session, key)
        if websocket.query_params.get("rejoindre") is not None:
            # Joining: the token comes as the first message (_joining), on every (re)connection
            # of this socket, whether its handshake came before the join's cookie or after it.
            return workshop.id, None, None, None, None
        if participant is not None:
            return workshop.id, participant.id, None, None, None
        raise DomainError(NOT_JOINED)


async def _joining(websocket: WebSocket, workshop_id: int, wait: float) -> int | None:
    """The participant a joining phone's socket names. The phone draws its participant token,
    posts it with the join form and sends it as this socket's first message, both at once
    (app.js): on a slow network, where each request costs seconds, the page is live after one
    round trip instead of three (the form's POST, its redirect, then the socket). The join may be
    stored a little after the message comes: looked for `wait` seconds, after as many for it."""
    try:
        message = await asyncio.wait_for(websocket.receive(), wait)
    except TimeoutError:
        return None
    token = message.get("text") or ""
    if message["type"] != "websocket.receive" or not is_phone_token(token):
        return None
    deadline, pause = time.monotonic() + wait, 0.05
    while True:
        found = await run_in_threadpool(_participant_id, workshop_id, token)
        if found is not None or time.monotonic() > deadline:
            return found
        await asyncio.sleep(pause)
        pause = min(2 * pause, 1.0)


def _participant_id(workshop_id: int, token: str) -> int | None:
    with Session(get_engine()) as session:
        participant = participants.by_token(session, workshop_id, token)
        return participant.id if participant else None


async def _serve(websocket: WebSocket, kind: str, key: str) -> None:
    live = websocket.app.state.live
    assert isinstance(live, Live)
    if not origin_allowed(websocket, live.settings.base_url):
        await websocket.close(code=CLOSE_FORBIDDEN)  # before accept: the handshake gets a 403
        return
    try:
        workshop_id, participant_id, group_id, login_id, board_language = await run_in_threadpool(
            _resolve, websocket, kind, key, logins.Lifetime.of(live.settings))
    except DomainError as err:
        if isinstance(err, UnknownCode):
            await throttle(websocket).missed_code(websocket)
        # Accepted then closed, so the client reads why (a refused handshake says nothing).
        await websocket.accept()
        code = {404: CLOSE_NOT_FOUND, 401: CLOSE_LOGGED_OUT}.get(err.status, CLOSE_FORBIDDEN)
        await websocket.close(code=code, reason=reason(err, i18n.current()))
        return
    if kind == PARTICIPANT and participant_id is None:
        await websocket.accept()
        participant_id = await _joining(websocket, workshop_id, live.settings.join_socket_wait_seconds)
        if participant_id is None:
            with contextlib.suppress(Exception):
                await websocket.close(code=CLOSE_FORBIDDEN, reason=reason(NOT_JOINED, i18n.current()))
            return
    # The board speaks its workshop's language whoever's browser opens it (a change of it reloads
    # the open boards, app.js); phones and the control page their own (app.main.Locales).
    locale = board_language or i18n.current()
    await live.serve(websocket, workshop_id, kind, participant_id, group_id, login_id, locale)


@router.websocket("/ws/board/{board_key}")
async def ws_board(websocket: WebSocket, board_key: str) -> None:
    await _serve(websocket, BOARD, board_key)


@router.websocket("/ws/control/{workshop_id}")
async def ws_control(websocket: WebSocket, workshop_id: str) -> None:
    await _serve(websocket, CONTROL, workshop_id)


@router.websocket("/ws/p/{code}")
async def ws_participant(websocket: WebSocket, code: str) -> None:
    await _serve(websocket, PARTICIPANT, code)
