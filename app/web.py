"""Shared web plumbing: templates, dependencies, identities from the signed session cookie."""

from pathlib import Path
from typing import Annotated

import segno
from fastapi import Depends, Request, Response
from jinja2_fragments.fastapi import Jinja2Blocks
from sqlmodel import Session
from starlette.requests import HTTPConnection

from app.config import Settings, get_settings
from app.db import get_session
from app.domain.errors import DomainError
from app.models import Facilitator, Participant, Workshop
from app.services import participants

templates = Jinja2Blocks(directory=str(Path(__file__).parent / "templates"))

# « capitalize » would lower the rest (« Intervenants dans les alsh »): only the first letter goes up.
templates.env.filters["initial"] = lambda text: str(text)[:1].upper() + str(text)[1:]

# An activity kind may bring its own stylesheet and script: app/static/kinds/<kind>.{css,js}.
_KIND_ASSETS = Path(__file__).parent / "static" / "kinds"
templates.env.globals["kind_assets"] = {
    ext: sorted(p.name for p in _KIND_ASSETS.glob(f"*.{ext}")) for ext in ("css", "js")
}

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class LoginRequired(DomainError):
    status = 401


def current_facilitator(request: Request, session: SessionDep) -> Facilitator:
    fid = request.session.get("f")
    account = session.get(Facilitator, fid) if isinstance(fid, int) else None
    if account is None:
        raise LoginRequired("Connexion animateur requise.")
    return account


FacilitatorDep = Annotated[Facilitator, Depends(current_facilitator)]


def participant_token(request: HTTPConnection, workshop_id: int) -> str | None:
    tokens = request.session.get("p")
    return tokens.get(str(workshop_id)) if isinstance(tokens, dict) else None


def remember_participant(request: Request, participant: Participant) -> None:
    tokens = dict(request.session.get("p") or {})
    tokens[str(participant.workshop_id)] = participant.token
    request.session["p"] = tokens


def identify(request: HTTPConnection, session: Session, workshop: Workshop) -> Participant | None:
    return participants.by_token(session, workshop.id, participant_token(request, workshop.id))


def join_url(settings: Settings, workshop: Workshop) -> str:
    return f"{settings.base_url.rstrip('/')}/j/{workshop.join_code}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#111")


def control_response(request: Request, session: Session, settings: Settings, workshop_id: int,
                     block: str | None = None) -> Response:
    """The facilitator's control page, or one of its blocks: what every facilitator action answers."""
    from app.services import views  # views dispatches to the activity modules, which import this one

    workshop = session.get(Workshop, workshop_id)
    ctx = views.control(session, workshop, settings.participant_ttl_seconds)
    ctx["join_url"] = join_url(settings, workshop)
    return templates.TemplateResponse(request, "facilitator/control.html", ctx, block_name=block)
