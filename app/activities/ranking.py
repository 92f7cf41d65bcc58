"""Priority ranking: order the enjeux (Borda, Schulze), spread points, or grade them (majority
judgment); the board shows the aggregated order and the room's agreement; the facilitator keeps
the top N as the workshop's priority enjeux."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.domain.errors import DomainError, NotFound
from app.models import Activity, Item
from app.realtime import ITEMS, MODERATION
from app.services import items, rankings, workshops
from app.web import FacilitatorDep, SessionDep, SettingsDep, control_response, identify, templates

LIVE_DEFAULT = False
router = APIRouter()

top = rankings.top


class NotJoined(DomainError):
    status = 401


def board(session: Session, activity: Activity) -> dict[str, Any]:
    result = rankings.result(session, activity)
    return {"rk": result, "count": result.n_ballots}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    everything = items.of_activity(session, activity.id)
    result = rankings.result(session, activity, shown=[i for i in everything if rankings.is_visible(i)])
    return {"rk": result, "count": result.n_ballots, "list_items": everything}


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    own, shown = rankings.phone_views(session, activity, participant_ids)
    shared: dict[str, Any] = {}
    if activity.state == "revealed" or any(i.kept for i in shown):
        shared["rk"] = rankings.result(session, activity, shown=shown)
    return {pid: {**shared, "rk_phone": own[pid]} for pid in participant_ids}


@router.post("/p/{code}/activities/{activity_id}/ranking", response_class=HTMLResponse)
def cast(
    request: Request, code: str, activity_id: int, session: SessionDep,
    ballot: Annotated[str, Form(max_length=rankings.MAX_BALLOT_CHARS)] = "",
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Store a ballot (a ranking, an allocation of points, or grades), replacing the previous one.

    Replaying a ballot stores nothing new (200); the idempotency key the outbox sends is not
    needed, since a ballot is replaced as a whole rather than added.
    """
    workshop = workshops.by_code(session, code)
    participant = identify(request, session, workshop)
    if participant is None:
        raise NotJoined("Rejoignez d'abord l'atelier : votre bulletin n'a pas été enregistré.")
    activity, changed = rankings.cast(session, participant, activity_id, ballot)
    if changed:
        request.app.state.live.announce(workshop.id, ITEMS)
    mine = rankings.mine_of(session, activity, participant)
    return templates.TemplateResponse(
        request, "activities/ranking/_ballot.html", {"activity": activity, "mine": mine},
        status_code=201 if changed else 200)


@router.post("/f/activities/{activity_id}/keep", response_class=HTMLResponse)
def keep_top(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
             settings: SettingsDep, n: Annotated[int, Form(ge=1, le=60)]) -> Response:
    """« Garder les N premiers »: the first N of the aggregated order become the priority enjeux."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    rankings.keep_top(session, activity, n)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/items/{item_id}/kept", response_class=HTMLResponse)
def set_kept(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
             settings: SettingsDep, kept: Annotated[bool, Form()]) -> Response:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"Élément {item_id} introuvable.")
    activity = workshops.owned_activity(session, me.id, item.activity_id)
    rankings.set_kept(session, activity, item, kept)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
