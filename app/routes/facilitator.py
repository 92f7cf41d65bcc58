"""Facilitator pages: account, workshops, driving a workshop, moderating post-its."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.config import Settings
from app.domain.errors import N_, DomainError, NotAllowed, NotFound
from app.domain.workshop_templates import load_catalog
from app.exports import join_cards
from app.exports.names import attachment
from app.models import Activity, Facilitator, Item
from app.screens import opinion_map
from app.services import (
    accounts,
    flow,
    items,
    join_tokens,
    logins,
    note_groups,
    opinion_maps,
    participants,
    retention,
    workshops,
)
from app.web import (
    FacilitatorDep,
    LoginDep,
    PublisherDep,
    RevokerDep,
    SessionDep,
    SettingsDep,
    ThrottleDep,
    control_response,
    join_url,
    pages,
    remember_participant,
)

router = APIRouter()


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/f"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/f") -> Response:
    return pages.TemplateResponse(request, "facilitator/login.html",
                                      {"next": _safe_next(next), "error": None})


def _login_refused(request: Request, next: str, email: str, error: str, status: int,
                   headers: dict[str, str] | None = None) -> Response:
    return pages.TemplateResponse(request, "facilitator/login.html",
                                  {"next": _safe_next(next), "error": error, "email": email},
                                  status_code=status, headers=headers)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep, settings: SettingsDep, limits: ThrottleDep,
                revoker: RevokerDep, email: Annotated[str, Form(max_length=254)],
                password: Annotated[str, Form(max_length=1024)],
                next: Annotated[str, Form(max_length=500)] = "/f") -> Response:
    if wait := await limits.login_wait(request, email):
        return _login_refused(request, next, email,
                              i18n.gettext("Trop de tentatives de connexion : réessayez dans %(seconds)s s.",
                                           seconds=wait), 429,
                              {"Retry-After": str(wait)})
    account = await run_in_threadpool(accounts.authenticate, session, email, password)
    if account is None:
        await limits.login_failed(request, email)
        return _login_refused(request, next, email, i18n.gettext("E-mail ou mot de passe incorrect."), 401)
    # The session this browser held before, if any, ends: a login always starts a new one.
    await run_in_threadpool(logins.end, session, request.session.get("f"), revoker)
    request.session.clear()
    request.session["f"] = await run_in_threadpool(logins.open_session, session, account,
                                                   logins.Lifetime.of(settings))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, revoker: RevokerDep) -> Response:
    logins.end(session, request.session.get("f"), revoker)
    request.session.pop("f", None)
    return RedirectResponse("/login", status_code=303)


def _workshop_list(request: Request, me: Facilitator, session: Session, settings: Settings,
                   notice: str = "", password_error: str = "", status: int = 200) -> Response:
    available, problems = load_catalog(settings.sessions_dir)
    return pages.TemplateResponse(request, "facilitator/list.html", {
        "me": me, "workshops": workshops.list_owned(session, me.id), "templates": available,
        "template_errors": problems, "notice": notice, "password_error": password_error,
    }, status_code=status)


def _ended(count: int) -> str:
    if count == 0:
        return i18n.gettext("Aucune autre session n'était ouverte.")
    if count == 1:
        return i18n.gettext("1 autre session a été déconnectée.")
    return i18n.gettext("%(count)s autres sessions ont été déconnectées.", count=count)


@router.get("/f", response_class=HTMLResponse)
def workshop_list(request: Request, me: FacilitatorDep, session: SessionDep, settings: SettingsDep,
                  autres: Annotated[int | None, Query(ge=0)] = None, mdp: bool = False) -> Response:
    """Her workshops; after « Déconnecter mes autres sessions » or a password change (the redirect's
    query), what was done."""
    notice = "" if autres is None else _ended(autres)
    if mdp:
        notice = i18n.gettext("Mot de passe changé. %(notice)s", notice=notice)
    return _workshop_list(request, me, session, settings, notice)


@router.post("/f/sessions/autres")
def end_other_sessions(login: LoginDep, session: SessionDep, revoker: RevokerDep) -> Response:
    """« Déconnecter mes autres sessions »: every other browser logged in to this account is
    logged out, its control pages closed."""
    return RedirectResponse(f"/f?autres={logins.end_others(session, login, revoker)}", status_code=303)


@router.post("/f/mot-de-passe", response_class=HTMLResponse)
def change_password(request: Request, login: LoginDep, session: SessionDep, settings: SettingsDep,
                    revoker: RevokerDep, current: Annotated[str, Form(max_length=1024)],
                    new: Annotated[str, Form(max_length=1024)]) -> Response:
    """« Changer mon mot de passe »: the current one asked again; the other sessions end."""
    try:
        ended = accounts.change_password(session, login, current, new, revoker)
    except DomainError as refused:
        session.rollback()
        return _workshop_list(request, login.account, session, settings,
                              password_error=refused.said(i18n.gettext),
                              status=refused.status)
    return RedirectResponse(f"/f?mdp=1&autres={ended}", status_code=303)


@router.post("/f/workshops")
def create_workshop(me: FacilitatorDep, session: SessionDep, settings: SettingsDep,
                    template: Annotated[str, Form(max_length=64)],
                    title: Annotated[str, Form(max_length=500)] = "") -> Response:
    available, _problems = load_catalog(settings.sessions_dir)
    if template not in available:
        raise NotFound(N_("Modèle d'atelier inconnu : « %(template)s »."), template=template)
    workshop = workshops.create_from_template(session, me.id, available[template], title,
                                              settings.retention_months)
    return RedirectResponse(f"/f/workshops/{workshop.id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/rename")
def rename_workshop(workshop_id: int, me: FacilitatorDep, session: SessionDep, publisher: PublisherDep,
                    title: Annotated[str, Form(max_length=500)]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.rename(session, workshop, title, publisher=publisher)
    return RedirectResponse("/f", status_code=303)


@router.post("/f/workshops/{workshop_id}/close")
def close_workshop(workshop_id: int, me: FacilitatorDep, session: SessionDep,
                   publisher: PublisherDep) -> Response:
    workshops.close(session, workshops.get_owned(session, me.id, workshop_id), publisher=publisher)
    return RedirectResponse(f"/f/workshops/{workshop_id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/facile")
def easy_read(workshop_id: int, me: FacilitatorDep, session: SessionDep, publisher: PublisherDep,
              actif: Annotated[Literal["oui", "non"], Form()]) -> Response:
    """« Facile à lire et à comprendre » on the phones, on or off."""
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.set_easy_read(session, workshop, actif == "oui", publisher=publisher)
    return RedirectResponse(f"/f/workshops/{workshop_id}#easy-title", status_code=303)


@router.post("/f/workshops/{workshop_id}/reopen")
def reopen_workshop(workshop_id: int, me: FacilitatorDep, session: SessionDep,
                    publisher: PublisherDep) -> Response:
    workshops.reopen(session, workshops.get_owned(session, me.id, workshop_id), publisher=publisher)
    return RedirectResponse(f"/f/workshops/{workshop_id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/delete")
def delete_workshop(workshop_id: int, me: FacilitatorDep, session: SessionDep,
                    publisher: PublisherDep) -> Response:
    workshops.delete(session, workshops.get_owned(session, me.id, workshop_id), publisher=publisher)
    return RedirectResponse("/f", status_code=303)


@router.post("/f/workshops/{workshop_id}/retention")
def set_retention(workshop_id: int, me: FacilitatorDep, session: SessionDep,
                  months: Annotated[int, Form()]) -> Response:
    retention.set_months(session, workshops.get_owned(session, me.id, workshop_id), months)
    return RedirectResponse(f"/f/workshops/{workshop_id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/purge")
def purge_now(workshop_id: int, me: FacilitatorDep, session: SessionDep,
              confirm: Annotated[str, Form(max_length=10)] = "") -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    if confirm != "oui":
        raise DomainError(N_("Cochez la case de confirmation pour purger les données personnelles."))
    retention.purge(session, workshop, retention.FACILITATOR)
    return RedirectResponse(f"/f/workshops/{workshop_id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/jetons/option")
def set_tokens_required(workshop_id: int, me: FacilitatorDep, session: SessionDep,
                        actif: Annotated[str, Form(max_length=10)]) -> Response:
    """« Jetons à usage unique » on or off, before or during the workshop."""
    if actif not in ("oui", "non"):
        raise DomainError(N_("Jetons à usage unique : « oui » ou « non »."))
    join_tokens.set_required(session, workshops.get_owned(session, me.id, workshop_id), actif == "oui")
    return RedirectResponse(f"/f/workshops/{workshop_id}", status_code=303)


@router.post("/f/workshops/{workshop_id}/jetons")
def print_tokens(workshop_id: int, me: FacilitatorDep, session: SessionDep, settings: SettingsDep,
                 nombre: Annotated[str, Form(max_length=20)] = "",
                 format: Annotated[str, Form(max_length=10)] = "page") -> Response:
    """A new batch of tokens, answered as the cards to print (page or PDF) or a CSV: their only
    showing, as they are stored by digest."""
    workshop = workshops.get_owned(session, me.id, workshop_id)
    fmt = join_cards.check_format(format)
    tokens = join_tokens.generate(session, workshop, nombre)
    data, filename = join_cards.export(workshop, tokens, join_url(settings, workshop), fmt)
    # Never kept by a cache: the clear tokens are in it.
    headers = {"cache-control": "no-store", **({} if fmt == "page" else attachment(filename))}
    return Response(data, media_type=join_cards.FORMATS[fmt], headers=headers)


@router.post("/f/workshops/{workshop_id}/jetons/revoquer")
def revoke_tokens(workshop_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    join_tokens.revoke_unused(session, workshops.get_owned(session, me.id, workshop_id))
    return RedirectResponse(f"/f/workshops/{workshop_id}", status_code=303)


@router.get("/f/workshops/{workshop_id}", response_class=HTMLResponse)
def control_page(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
                 settings: SettingsDep) -> Response:
    workshops.get_owned(session, me.id, workshop_id)
    return control_response(request, session, settings, workshop_id)


@router.post("/f/workshops/{workshop_id}/goto", response_class=HTMLResponse)
def goto(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
         settings: SettingsDep, publisher: PublisherDep, position: Annotated[int, Form()]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.go_to(session, workshop, position, publisher=publisher)
    return control_response(request, session, settings, workshop_id, "ctl_main")


@router.post("/f/workshops/{workshop_id}/groups", response_class=HTMLResponse)
def split_groups(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
                 settings: SettingsDep, publisher: PublisherDep, count: Annotated[int, Form()]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.split_into_groups(session, workshop, count, publisher=publisher)
    return control_response(request, session, settings, workshop_id, "ctl_main")


@router.post("/f/workshops/{workshop_id}/paper-ballot")
def paper_ballot(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    """Type in a paper ballot: this browser becomes a new « bulletin papier » participant."""
    workshop = workshops.get_owned(session, me.id, workshop_id)
    remember_participant(request, participants.join_paper_ballot(session, workshop))
    return RedirectResponse(f"/p/{workshop.join_code}", status_code=303)


@router.post("/f/workshops/{workshop_id}/timer", response_class=HTMLResponse)
def set_timer(request: Request, workshop_id: int, me: FacilitatorDep, session: SessionDep,
              settings: SettingsDep, publisher: PublisherDep, seconds: Annotated[int, Form()]) -> Response:
    workshop = workshops.get_owned(session, me.id, workshop_id)
    workshops.set_timer(session, workshop, seconds, publisher=publisher)
    return control_response(request, session, settings, workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/state", response_class=HTMLResponse)
def change_state(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                 settings: SettingsDep, publisher: PublisherDep,
                 state: Annotated[str, Form(max_length=20)]) -> Response:
    activity = workshops.owned_activity(session, me.id, activity_id)
    flow.set_state(session, activity, state, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")



@router.get("/f/activities/{activity_id}/opinion-map", response_class=HTMLResponse)
def opinion_map_preview(request: Request, activity_id: int, me: FacilitatorDep,
                        session: SessionDep) -> Response:
    """The carte des sensibilités on the control page only, drawn on demand."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    if not opinion_maps.available(activity) or activity.state not in ("closed", "revealed"):
        raise NotAllowed(N_("La carte des sensibilités se calcule une fois clos le vote d'une notation "
                            "ou d'un classement."))
    return pages.TemplateResponse(request, "activities/_opinion_map.html",
                                  {"activity": activity, **opinion_map.view(session, activity)})


@router.post("/f/activities/{activity_id}/opinion-map", response_class=HTMLResponse)
def show_opinion_map(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                     settings: SettingsDep, publisher: PublisherDep,
                     show: Annotated[Literal["oui", "non"], Form()]) -> Response:
    """The board shows the carte des sensibilités instead of the revealed results, or the results."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    opinion_maps.show(session, activity, show == "oui", publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/items", response_class=HTMLResponse)
def add_item(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
             settings: SettingsDep, publisher: PublisherDep, text: Annotated[str, Form(max_length=10_000)],
             category: Annotated[str, Form(max_length=200)] = "") -> Response:
    """A paper post-it typed in, or an entry added to a list before rating or ranking it."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    items.add_by_facilitator(session, activity, text, category, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


def _owned_item(session: Session, me_id: int, item_id: int) -> tuple[Item, Activity]:
    item = items.get(session, item_id)
    return item, workshops.owned_activity(session, me_id, item.activity_id)


@router.post("/f/items/{item_id}/hidden", response_class=HTMLResponse)
def set_hidden(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
               settings: SettingsDep, publisher: PublisherDep, hidden: Annotated[bool, Form()]) -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    items.set_hidden(session, activity, item, hidden, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.get("/f/items/{item_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep) -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    return pages.TemplateResponse(request, "facilitator/control.html",
                                      {"item": item, "activity": activity},
                                      block_name="edit_form")


@router.post("/f/items/{item_id}/edit", response_class=HTMLResponse)
def edit(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
         settings: SettingsDep, publisher: PublisherDep, text: Annotated[str, Form(max_length=10_000)],
         category: Annotated[str, Form(max_length=200)] = "") -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    items.edit(session, activity, item, text, category, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/merge", response_class=HTMLResponse)
def merge(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
          settings: SettingsDep, publisher: PublisherDep,
          item_ids: Annotated[list[int], Form()] = [],  # noqa: B006
          text: Annotated[str, Form(max_length=10_000)] = "") -> Response:
    activity = workshops.owned_activity(session, me.id, activity_id)
    if len(item_ids) > 500:
        raise DomainError(N_("Trop de post-its à fusionner d'un coup (500 au plus)."))
    items.merge(session, activity, item_ids, text, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/suggestions/ignore", response_class=HTMLResponse)
def ignore_suggestion(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                      settings: SettingsDep, publisher: PublisherDep,
                      item_ids: Annotated[list[int], Form(max_length=500)] = []) -> Response:  # noqa: B006
    """« Ignorer » a suggested group: never proposed again."""
    activity = workshops.owned_activity(session, me.id, activity_id)
    note_groups.ignore(session, activity, item_ids, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/activities/{activity_id}/suggestions/restore", response_class=HTMLResponse)
def restore_suggestions(request: Request, activity_id: int, me: FacilitatorDep, session: SessionDep,
                        settings: SettingsDep, publisher: PublisherDep) -> Response:
    activity = workshops.owned_activity(session, me.id, activity_id)
    note_groups.restore(session, activity, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")


@router.post("/f/items/{item_id}/unmerge", response_class=HTMLResponse)
def unmerge(request: Request, item_id: int, me: FacilitatorDep, session: SessionDep,
            settings: SettingsDep, publisher: PublisherDep) -> Response:
    item, activity = _owned_item(session, me.id, item_id)
    items.unmerge(session, activity, item, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
