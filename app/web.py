"""Shared web plumbing: page rendering, dependencies, identities from the signed session cookie."""

from typing import Annotated, TypeVar

from fastapi import Depends, Request, Response
from jinja2_fragments.fastapi import Jinja2Blocks
from sqlmodel import Session
from starlette.requests import HTTPConnection

from app import rendering
from app.config import Settings, get_settings
from app.db import get_session
from app.domain.errors import N_, DomainError
from app.models import Facilitator, Participant, Workshop
from app.publishing import Publisher, Revoker
from app.screens import views
from app.services import logins, participants, retention, workshops
from app.services.writer import Writer
from app.throttle import Throttle

pages = Jinja2Blocks(env=rendering.env)

# Marks a 409 answer whose body is the current version (an edit that started from an older one).
CONFLICT_HEADERS = {"X-Cap-Conflict": "stale"}

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class LoginRequired(DomainError):
    status = 401


def current_login(request: Request, session: SessionDep, settings: SettingsDep) -> logins.Login:
    """The facilitator session the cookie names (app.services.logins); 401, or the login page,
    when there is none, or it ended or expired."""
    login = logins.resolve(session, request.session.get("f"), logins.Lifetime.of(settings))
    if login is None:
        raise LoginRequired(N_("Connexion animateur requise."))
    return login


LoginDep = Annotated[logins.Login, Depends(current_login)]


def current_facilitator(login: LoginDep) -> Facilitator:
    """Every facilitator-only route's dependency."""
    return login.account


FacilitatorDep = Annotated[Facilitator, Depends(current_facilitator)]

T = TypeVar("T")


def _app_part(conn: HTTPConnection, name: str, kind: type[T]) -> T:
    """`app.state.<name>`, which `create_app` sets, checked to be a `kind`."""
    found = getattr(conn.app.state, name)
    if not isinstance(found, kind):
        raise TypeError(f"app.state.{name} is not a {kind.__name__}")
    return found


def publisher(conn: HTTPConnection) -> Publisher:
    """Where services announce their changes: the app's live hub."""
    return _app_part(conn, "publisher", Publisher)  # type: ignore[type-abstract]  # a runtime_checkable Protocol


PublisherDep = Annotated[Publisher, Depends(publisher)]


def revoker(conn: HTTPConnection) -> Revoker:
    """Where ended facilitator sessions are announced: the app's live hub too."""
    return _app_part(conn, "publisher", Revoker)  # type: ignore[type-abstract]  # a runtime_checkable Protocol


RevokerDep = Annotated[Revoker, Depends(revoker)]


def throttle(conn: HTTPConnection) -> Throttle:
    """The app's rate limits."""
    return _app_part(conn, "throttle", Throttle)


ThrottleDep = Annotated[Throttle, Depends(throttle)]


async def guard(conn: HTTPConnection, limits: ThrottleDep) -> None:
    """Every route's first dependency: screens reconnecting in a loop, join codes guessed."""
    await limits.guard(conn)


async def writer(request: HTTPConnection, limits: ThrottleDep) -> Writer:
    """The batch writer participants' writes go through (`create_app` sets it), once this
    participant's write limit allows one more; async, as a plain function would be called in a
    request thread, the hop the writer is there to save."""
    await limits.wrote(request)
    return _app_part(request, "writer", Writer)


WriterDep = Annotated[Writer, Depends(writer)]


class NotJoined(DomainError):
    status = 401


def joined(request: HTTPConnection, session: Session, code: str,
           why: str = N_("Rejoignez d'abord l'atelier.")) -> tuple[Workshop, Participant]:
    """The workshop of a join code and the participant this browser is in it; 401 if none."""
    workshop, participant = participants.in_workshop(session, code, _tokens(request), writing=True)
    if participant is None:
        raise NotJoined(why)
    return workshop, participant


def member(request: HTTPConnection, session: Session, code: str) -> tuple[Workshop, Participant | None]:
    """The workshop of a join code and this browser's participant in it, if any, to read: a closed
    workshop is shown to its participants (as over), to anyone else as an unknown code."""
    return participants.in_workshop(session, code, _tokens(request))


def _tokens(request: HTTPConnection) -> dict[str, str]:
    """The participant tokens this browser holds, by workshop id."""
    tokens = request.session.get("p")
    return tokens if isinstance(tokens, dict) else {}


def participant_token(request: HTTPConnection, workshop_id: int) -> str | None:
    return _tokens(request).get(str(workshop_id))


def remember_participant(request: Request, participant: Participant) -> None:
    tokens = dict(request.session.get("p") or {})
    tokens[str(participant.workshop_id)] = participant.token
    request.session["p"] = tokens


def identify(request: HTTPConnection, session: Session, workshop: Workshop) -> Participant | None:
    return participants.by_token(session, workshop.id, participant_token(request, workshop.id))


def join_url(settings: Settings, workshop: Workshop) -> str:
    return f"{settings.base_url.rstrip('/')}/j/{workshop.join_code}"


def control_response(request: Request, session: Session, settings: Settings, workshop_id: int,
                     block: str | None = None) -> Response:
    """The facilitator's control page, or one of its blocks: what every facilitator action answers."""
    workshop = workshops.get(session, workshop_id)
    ctx = views.control(session, workshop, settings.participant_ttl_seconds)
    ctx["join_url"] = join_url(settings, workshop)
    ctx["base_url"] = settings.base_url.rstrip("/")
    if block is None:  # the side column, outside the blocks that actions and pushes re-render
        ctx["retention"] = retention.status(session, workshop)
    return pages.TemplateResponse(request, "facilitator/control.html", ctx, block_name=block)
