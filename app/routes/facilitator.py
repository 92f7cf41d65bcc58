"""Facilitator pages: account, workshops, driving a workshop, moderating post-its."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.activities import KINDS
from app.domain.activities import unsupported_kinds
from app.domain.errors import DomainError, NotAllowed, NotFound
from app.domain.templates import load_catalog
from app.models import Activity, Item
from app.realtime import MODERATION, STRUCTURE
from app.services import accounts, flow, items, participants, workshops
from app.web import (
    FacilitatorDep,
    SessionDep,
    SettingsDep,
    control_response,
    remember_participant,
    templates,
)

router = APIRouter()


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/f"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/f") -> Response:
    return templates.TemplateResponse(request, "facilitator/login.html",
                                      {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep,
          email: Annotated[str, Form(max_length=254)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str, Form(max_length=500)] = "/f") -> Response:
    account = accounts.authenticate(session, email, password)
    if account is None:
        return templates.TemplateResponse(
            request, "facilitator/login.html",
            {"next": _safe_next(next), "error": "E-mail ou mot de passe incorrect.", "email": email},
            status_code=401)
    request.session.clear()
    request.session["f"] = account.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.pop("f", None)
    return RedirectResponse("/login", status_code=303)


@router.get("/f", response_class=HTMLResponse)
def workshop_list(request: Request, me: FacilitatorDep, session: SessionDep,
                  settings: SettingsDep) -> Response:
    available, problems = load_catalog(settings.sessions_dir)
    pending = {slug: unsupported_kinds([a.kind for a in t.activities], KINDS)
               for slug, t in available.items()}
    return templates.TemplateResponse(request, "facilitator/list.html", {
        "me": me, "workshops": workshops.list_owned(session, me.id),
        "templates": {s: t for s, t in available.items() if not pending[s]},
        "pending": {s: (available[s], kinds) for s, kinds in pending.items() if kinds},
        "template_errors": problems,
    })


@router.post("/f/workshops")
def create_workshop(me: FacilitatorDep, session: SessionDep, settings: SettingsDep,
                    template: Annotated[str, Form(max_length=64)],
                    title: Annotated[str, Form(max_length=500)] = "") -> Response:
    available, _problems = load_catalog(settings.sessions_dir)
    if template not in available:
        raise NotFound(f"Modèle d'atelier inconnu : « {template} ».")
    missing = unsupported_kinds([a.kind for a in available[template].activities], KINDS)
    if missing:
        raise NotAllowed(f"Ce modèle utilise des activités pas encore disponibles : {', '.join(missing)}.")
    workshop = workshops.create_from_template(session, me.id, available[template], title)
    return RedirectResponse(f"/f/workshops/{workshop.id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/rename")
def rename_workshop(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
                    title: Annotated[str, Form(max_length=500)]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.rename(session, workshop, title)
    request.app.state.live.announce(workshop.id, STRUCTURE)
    return RedirectResponse("/f", status_code=303)


@router.post("/f/workshops/{workshop_id}/delete")
def delete_workshop(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    workshops.delete(session, workshops.get_owned(session, me.id, workshop_id))
    request.app.state.live.announce(workshop_id, STRUCTURE)  # open screens say it is gone
    return RedirectResponse("/f", status_code=303)


@router.get("/f/workshops/{workshop_id}", response_class=HTMLResponse)
def control_page(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
                 settings: SettingsDep) -> Response:
    workshops.get_owned(session, me.id, workshop_id)
    return control_response(request, session, settings, workshop_id)


@router.post("/f/workshops/{workshop_id}/goto", response_class=HTMLResponse)
def goto(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
         settings: SettingsDep, position: Annotated[int, Form()]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.go_to(session, workshop, position)
    request.app.state.live.announce(workshop.id, STRUCTURE)
    return control_response(request, session, settings, workshop_id, "ctl_main")


@router.post("/f/workshops/{workshop_id}/groups", response_class=HTMLResponse)
def split_groups(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
                 settings: SettingsDep, count: Annotated[int, Form()]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.split_into_groups(session, workshop, count)
    request.app.state.live.announce(workshop.id, STRUCTURE)
    return control_response(request, session, settings, workshop_id, "ctl_main")


@router.post("/f/workshops/{workshop_id}/paper-ballot")
def paper_ballot(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    """Type in a paper ballot: this browser becomes a new « bulletin papier » participant."""
    workshop = workshops.get_owned(session, me.id, workshop_id)
    remember_participant(request, participants.join_paper_ballot(session, workshop))
    return RedirectResponse(f"/p/{workshop.join_code}", status_code=303)


@router.post("/f/workshops/{workshop_id}/timer", response_class=HTMLResponse)
def set_timer(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
              settings: SettingsDep, seconds: Annotated[int, Form()]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.set_timer(session, workshop, seconds)
    request.app.state.live.announce(workshop.id, STRUCTURE)
    return control_response(request, session, settings, workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/state", response_class=HTMLResponse)
def change_state(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                 settings: SettingsDep, state: Annotated[str, Form(max_length=20)]) -> Response:
    activity = workshops.owned_activity(session, me.id, activity_id)
    if state == "open":
        flow.fill(session, activity, lambda source, n: _top(session, source, n))
    workshops.set_state(session, activity, state)
    request.app.state.live.announce(activity.workshop_id, STRUCTURE)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


def _top(session: SessionDep, source: Activity, n: int) -> list[Item]:
    top = getattr(KINDS[source.kind], "top", None)
    if top is None:
        raise NotAllowed(f"Une activité « {source.kind} » n'a pas de classement à reprendre.")
    return top(session, source, n)


@router.post("/f/activities/{activity_id}/items", response_class=HTMLResponse)
def add_item(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
             settings: SettingsDep, text: Annotated[str, Form(max_length=10_000)],
             category: Annotated[str, Form(max_length=200)] = "") -> Response:
    """A paper post-it typed in, or an entry added to a list before rating or ranking it."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    items.add_by_facilitator(session, activity, text, category)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


def _owned_item(session: SessionDep, me_id: int, item_id: int) -> tuple[items.Item, object]:
    item = items.get(session, item_id)
    return item, workshops.owned_activity(session, me_id, item.activity_id)


@router.post("/f/items/{item_id}/hidden", response_class=HTMLResponse)
def set_hidden(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
               settings: SettingsDep, hidden: Annotated[bool, Form()]) -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    items.set_hidden(session, item, hidden)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.get("/f/items/{item_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    return templates.TemplateResponse(request, "facilitator/control.html",
                                      {"item": item, "activity": activity},
                                      block_name="edit_form")


@router.post("/f/items/{item_id}/edit", response_class=HTMLResponse)
def edit(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
         settings: SettingsDep, text: Annotated[str, Form(max_length=10_000)],
         category: Annotated[str, Form(max_length=200)] = "") -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    items.edit(session, item, text, category, activity)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/merge", response_class=HTMLResponse)
def merge(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
          settings: SettingsDep, item_ids: Annotated[list[int], Form()] = [],  # noqa: B006
          text: Annotated[str, Form(max_length=10_000)] = "") -> Response:
    activity = workshops.owned_activity(session, me.id, activity_id)
    if len(item_ids) > 500:
        raise DomainError("Trop de post-its à fusionner d'un coup (500 au plus).")
    items.merge(session, activity, item_ids, text)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/items/{item_id}/unmerge", response_class=HTMLResponse)
def unmerge(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
            settings: SettingsDep) -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    items.unmerge(session, item)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
