"""A resource map's routes: phones add resources and set each link's state (through the
outbox: idempotency key, offline retry); the facilitator adds, corrects and hides them. A stale
link change is refused with 409 and the current state."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.domain import resource_map as domain
from app.domain.activities import accepts_contributions
from app.models import Activity, Participant, ResourceLink, Workshop
from app.publishing import Publisher
from app.screens import resources
from app.services import resource_maps, workshops
from app.web import (
    CONFLICT_HEADERS,
    FacilitatorDep,
    PublisherDep,
    SessionDep,
    SettingsDep,
    WriterDep,
    control_response,
    joined,
    pages,
)

router = APIRouter()


# ---------------------------------------------------------------- participant routes


def _item_ctx(workshop: Workshop, activity: Activity, participant: Participant, resource: ResourceLink,
              saved: bool = False, problem: str = "") -> dict[str, Any]:
    return {**resources.common(), "workshop": workshop, "activity": activity, "participant": participant,
            "open": accepts_contributions(activity.kind, activity.state), "r": resource,
            "saved": saved, "problem": problem}


def _item(request: Request, ctx: dict[str, Any], status_code: int = 200) -> Response:
    """One resource of the map on a phone; a conflict (409) says so to the phone's outbox."""
    return pages.TemplateResponse(request, "activities/resources/_resource.html", ctx,
                                  status_code=status_code,
                                  headers=dict(CONFLICT_HEADERS) if status_code == 409 else None)


@router.post("/p/{code}/activities/{activity_id}/resources", response_class=HTMLResponse)
async def add_resource(
    request: Request, code: str, activity_id: int, writer: WriterDep,
    text: Annotated[str, Form(max_length=2000)],
    category: Annotated[str, Form(max_length=200)],
    state: Annotated[str, Form(max_length=40)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    def store(session: Session, publisher: Publisher) -> tuple[ResourceLink, str]:
        _workshop, participant = joined(request, session, code)
        return resource_maps.add(session, participant, activity_id, text, category, state,
                                 idempotency_key, group_id, publisher=publisher)

    resource, outcome = await writer.run(store)
    return pages.TemplateResponse(
        request, "activities/resources/_added.html",
        {"r": resource, "outcome": outcome, "state_label": domain.STATE_LABELS},
        status_code=201 if outcome == "created" else 200)


@router.post("/p/{code}/activities/{activity_id}/resources/{resource_id}/state",
             response_class=HTMLResponse)
async def set_state(request: Request, code: str, activity_id: int, resource_id: int, writer: WriterDep,
                    state: Annotated[str, Form(max_length=40)],
                    version: Annotated[int, Form(ge=1)]) -> Response:
    def store(session: Session, publisher: Publisher) -> tuple[dict[str, Any], int]:
        workshop, participant = joined(request, session, code)
        try:
            resource, _changed = resource_maps.set_state(session, participant, activity_id, resource_id,
                                                         state, version, publisher=publisher)
        except resource_maps.StaleResource as stale:
            activity = workshops.get_activity(session, activity_id)
            return _item_ctx(workshop, activity, participant, stale.resource, problem=stale.said_message), 409
        activity = workshops.get_activity(session, activity_id)
        return _item_ctx(workshop, activity, participant, resource, saved=True), 200

    return _item(request, *await writer.run(store))


# ---------------------------------------------------------------- facilitator routes


def _owned(session: Session, me_id: int, resource_id: int) -> tuple[ResourceLink, Activity]:
    resource = resource_maps.get(session, resource_id)
    return resource, workshops.owned_activity(session, me_id, resource.activity_id)


def _editor(request: Request, activity: Activity, resource: ResourceLink, status_code: int = 200,
            saved: bool = False, problem: str = "", headers: dict[str, str] | None = None) -> Response:
    ctx = {**resources.common(), "activity": activity, "r": resource, "saved": saved, "problem": problem,
           "categories": resource_maps.categories_of(activity)}
    return pages.TemplateResponse(request, "activities/resources/_editor.html", ctx,
                                      status_code=status_code, headers=headers)


@router.post("/f/activities/{activity_id}/resources", response_class=HTMLResponse)
def facilitator_add(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                    settings: SettingsDep, publisher: PublisherDep,
                    text: Annotated[str, Form(max_length=2000)],
                    category: Annotated[str, Form(max_length=200)],
                    state: Annotated[str, Form(max_length=40)] = domain.DEFAULT_STATE) -> Response:
    """A resource named aloud or written on paper, typed in by the facilitator."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    resource_maps.add_by_facilitator(session, activity, text, category, state, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.get("/f/resources/{resource_id}/edit", response_class=HTMLResponse)
def facilitator_edit_form(request: Request, resource_id: int, me: FacilitatorDep,
                          session: SessionDep) -> Response:
    resource, activity = _owned(session, me.id, resource_id)
    return _editor(request, activity, resource)


@router.post("/f/resources/{resource_id}", response_class=HTMLResponse)
def facilitator_save(request: Request, resource_id: int, me: FacilitatorDep, session: SessionDep,
                     publisher: PublisherDep, name: Annotated[str, Form(max_length=2000)],
                     category: Annotated[str, Form(max_length=200)],
                     state: Annotated[str, Form(max_length=40)],
                     version: Annotated[int, Form(ge=1)],
                     note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    resource, activity = _owned(session, me.id, resource_id)
    try:
        resource = resource_maps.edit(session, activity, resource, version, name, category, state,
                                      note, publisher=publisher)
    except resource_maps.StaleResource as stale:
        return _editor(request, activity, stale.resource, 409, problem=stale.said_message,
                       headers=CONFLICT_HEADERS)
    return _editor(request, activity, resource, saved=True)


@router.post("/f/resources/{resource_id}/hidden", response_class=HTMLResponse)
def facilitator_hide(request: Request, resource_id: int, me: FacilitatorDep, session: SessionDep,
                     settings: SettingsDep, publisher: PublisherDep,
                     hidden: Annotated[bool, Form()]) -> Response:
    resource, activity = _owned(session, me.id, resource_id)
    resource_maps.set_hidden(session, activity, resource, hidden, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
