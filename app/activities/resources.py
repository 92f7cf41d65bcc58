"""The resource map of a chantier: resources by category, and the state of each link.

Phones add resources (through the outbox: idempotency key, offline retry) and set each link's
state with three buttons; the board draws the map as SVG, in the spirit of seed 004: the chantier
in the centre, the categories around it, a solid line for « opérante », a dotted one for
« connue, sans lien », none for « aucun lien ». Every write announces MODERATION: phones show the
whole map's list, which changes with everyone's taps.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.activities.table import CONFLICT_HEADERS, participant_of
from app.domain import resource_map as domain
from app.domain.activities import accepts_contributions
from app.domain.templates import RESOURCE_LINK_STATES
from app.models import Activity, Participant, ResourceLink, Workshop
from app.realtime import MODERATION
from app.services import resource_maps, workshops
from app.web import FacilitatorDep, SessionDep, SettingsDep, control_response, templates

LIVE_DEFAULT = True
MINE_SHOWN = 3
router = APIRouter()


@dataclass
class ResourceMap:
    chantier: str
    categories: list[str]
    resources: list[ResourceLink]

    @property
    def shown(self) -> list[ResourceLink]:
        return [r for r in self.resources if not r.hidden]

    @property
    def count(self) -> int:
        return len(self.shown)

    def in_category(self, category: str, include_hidden: bool = False) -> list[ResourceLink]:
        return [r for r in self.resources if r.category == category and (include_hidden or not r.hidden)]

    @property
    def by_state(self) -> dict[str, int]:
        counts = Counter(r.state for r in self.shown)
        return {state: counts.get(state, 0) for state in RESOURCE_LINK_STATES}

    def layout(self) -> domain.MapLayout:
        return domain.layout(self.chantier, self.categories, [
            domain.MapResource(r.id, r.name, r.category, r.state) for r in self.shown])


def _map(session: Session, activity: Activity) -> ResourceMap:
    return ResourceMap(activity.config.get("chantier", activity.title),
                       resource_maps.categories_of(activity),
                       resource_maps.resources_of(session, activity.id))


def _common() -> dict[str, Any]:
    return {"link_states": RESOURCE_LINK_STATES, "state_label": domain.STATE_LABELS}


def board(session: Session, activity: Activity) -> dict[str, Any]:
    rmap = _map(session, activity)
    return {**_common(), "rmap": rmap, "count": rmap.count}


control = board


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    rmap = _map(session, activity)
    mine: dict[int, list[ResourceLink]] = {}
    for r in rmap.resources:
        if r.created_by is not None:
            mine.setdefault(r.created_by, []).append(r)
    shared = {**_common(), "rmap": rmap}
    return {pid: {**shared, "mine": mine.get(pid, [])[-MINE_SHOWN:]} for pid in participant_ids}


# ---------------------------------------------------------------- participant routes


def _item(request: Request, workshop: Workshop, activity: Activity, participant: Participant,
          resource: ResourceLink, status_code: int = 200, saved: bool = False, problem: str = "",
          headers: dict[str, str] | None = None) -> Response:
    ctx = {**_common(), "workshop": workshop, "activity": activity, "participant": participant,
           "open": accepts_contributions(activity.kind, activity.state), "r": resource,
           "saved": saved, "problem": problem}
    return templates.TemplateResponse(request, "activities/resources/_resource.html", ctx,
                                      status_code=status_code, headers=headers)


@router.post("/p/{code}/activities/{activity_id}/resources", response_class=HTMLResponse)
def add_resource(
    request: Request, code: str, activity_id: int, session: SessionDep,
    text: Annotated[str, Form(max_length=2000)],
    category: Annotated[str, Form(max_length=200)],
    state: Annotated[str, Form(max_length=40)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    workshop, participant = participant_of(request, session, code)
    resource, outcome = resource_maps.add(session, participant, activity_id, text, category, state,
                                          idempotency_key, group_id)
    if outcome == "created":
        request.app.state.live.announce(workshop.id, MODERATION)
    return templates.TemplateResponse(
        request, "activities/resources/_added.html",
        {"r": resource, "outcome": outcome, "state_label": domain.STATE_LABELS},
        status_code=201 if outcome == "created" else 200)


@router.post("/p/{code}/activities/{activity_id}/resources/{resource_id}/state",
             response_class=HTMLResponse)
def set_state(request: Request, code: str, activity_id: int, resource_id: int, session: SessionDep,
              state: Annotated[str, Form(max_length=40)],
              version: Annotated[int, Form(ge=1)]) -> Response:
    workshop, participant = participant_of(request, session, code)
    try:
        resource, changed = resource_maps.set_state(session, participant, activity_id, resource_id,
                                                    state, version)
    except resource_maps.StaleResource as stale:
        activity = session.get(Activity, activity_id)
        return _item(request, workshop, activity, participant, stale.resource, 409,
                     problem=stale.message, headers=CONFLICT_HEADERS)
    if changed:
        request.app.state.live.announce(workshop.id, MODERATION)
    activity = session.get(Activity, activity_id)
    return _item(request, workshop, activity, participant, resource, saved=True)


# ---------------------------------------------------------------- facilitator routes


def _owned(session: Session, me_id: int, resource_id: int) -> tuple[ResourceLink, Activity]:
    resource = resource_maps.get(session, resource_id)
    return resource, workshops.owned_activity(session, me_id, resource.activity_id)


def _editor(request: Request, activity: Activity, resource: ResourceLink, status_code: int = 200,
            saved: bool = False, problem: str = "", headers: dict[str, str] | None = None) -> Response:
    ctx = {**_common(), "activity": activity, "r": resource, "saved": saved, "problem": problem,
           "categories": resource_maps.categories_of(activity)}
    return templates.TemplateResponse(request, "activities/resources/_editor.html", ctx,
                                      status_code=status_code, headers=headers)


@router.post("/f/activities/{activity_id}/resources", response_class=HTMLResponse)
def facilitator_add(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                    settings: SettingsDep, text: Annotated[str, Form(max_length=2000)],
                    category: Annotated[str, Form(max_length=200)],
                    state: Annotated[str, Form(max_length=40)] = domain.DEFAULT_STATE) -> Response:
    """A resource named aloud or written on paper, typed in by the facilitator."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    _resource, outcome = resource_maps.add_by_facilitator(session, activity, text, category, state)
    if outcome == "created":
        request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.get("/f/resources/{resource_id}/edit", response_class=HTMLResponse)
def facilitator_edit_form(request: Request, resource_id: int, me: FacilitatorDep,
                          session: SessionDep) -> Response:
    resource, activity = _owned(session, me.id, resource_id)
    return _editor(request, activity, resource)


@router.post("/f/resources/{resource_id}", response_class=HTMLResponse)
def facilitator_save(request: Request, resource_id: int, me: FacilitatorDep, session: SessionDep,
                     name: Annotated[str, Form(max_length=2000)],
                     category: Annotated[str, Form(max_length=200)],
                     state: Annotated[str, Form(max_length=40)],
                     version: Annotated[int, Form(ge=1)],
                     note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    resource, activity = _owned(session, me.id, resource_id)
    try:
        resource = resource_maps.edit(session, activity, resource, version, name, category, state, note)
    except resource_maps.StaleResource as stale:
        return _editor(request, activity, stale.resource, 409, problem=stale.message,
                       headers=CONFLICT_HEADERS)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return _editor(request, activity, resource, saved=True)


@router.post("/f/resources/{resource_id}/hidden", response_class=HTMLResponse)
def facilitator_hide(request: Request, resource_id: int, me: FacilitatorDep, session: SessionDep,
                     settings: SettingsDep, hidden: Annotated[bool, Form()]) -> Response:
    resource, activity = _owned(session, me.id, resource_id)
    resource_maps.set_hidden(session, resource, hidden)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
