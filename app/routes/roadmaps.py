"""The roadmap editor's pages: my roadmaps, a roadmap, a fiche chantier.

One pattern for every editable thing. A page is made of sections (template blocks `sec_<name>`);
a section shows each of its items, or, when `editing` names one (its DOM id), that item's form.
- GET  …/<name>/bloc?modifier=<id>  the section with that item as a form (the page swaps that
  item only, with hx-select); without `modifier`, as shown (the form's « Annuler »);
- POST …/<name>, …/<name>/<id>, …/<name>/<id>/supprimer, …/<name>/<id>/deplacer (▲ ▼),
  …/<name>/ordre (after a drag): the change, then the section again, with the sections that show
  it too swapped out of band (an enjeu's question is also in the défis' checkboxes).
`<name>` is a list of `roadmap_edit.LISTS` or a part of `roadmap_edit.PARTS`; the routes are
declared for each name, so that no path of this module captures another module's.
Every route checks that the roadmap is the facilitator's (404 otherwise), and the chantier and
the row that they belong to it.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from app.domain import roadmap as domain
from app.domain.errors import N_
from app.models import Chantier, Roadmap
from app.services import roadmap_edit as edit
from app.services import roadmaps
from app.web import FacilitatorDep, SessionDep, pages

router = APIRouter()
ROADMAP = "/f/roadmaps/{rid}"
CHANTIER = "/f/roadmaps/{rid}/chantiers/{cid}"
MAX_EDITING = 80


def owned_roadmap(rid: str, me: FacilitatorDep, session: SessionDep) -> Roadmap:
    return roadmaps.get_owned(session, me.id, edit.parse_id(rid, N_("Feuille de route introuvable.")))


RoadmapDep = Annotated[Roadmap, Depends(owned_roadmap)]


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def _go(request: Request, url: str) -> Response:
    """After a create or a delete: htmx follows HX-Redirect, a plain form the 303."""
    if "HX-Request" in request.headers:
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@dataclass
class Scope:
    """Where an editing request acts: the roadmap page (`chantier` None) or a fiche chantier."""

    request: Request
    session: Session
    roadmap: Roadmap
    chantier: Chantier | None

    def row(self, kind: edit.Kind, oid: str) -> Any:
        return edit.row_of(self.session, kind, self.roadmap, self.chantier, oid)

    def show(self, name: str, changed: bool = True, editing: str = "") -> Response:
        """The section `name` again; after a change, with those that show it too (out of band)."""
        if self.chantier is None:
            template, context = "roadmap/page.html", edit.page_view(self.session, self.roadmap)
        else:
            template, context = (
                "roadmap/chantier.html",
                edit.fiche_view(self.session, self.roadmap, self.chantier),
            )
        names = edit.sections(name) if changed else (name,)
        context.update(editing=editing[:MAX_EDITING], oob=names[1:])
        return pages.TemplateResponse(
            self.request, template, context, block_names=[f"sec_{n}" for n in names]
        )


def roadmap_scope(request: Request, roadmap: RoadmapDep, session: SessionDep) -> Scope:
    return Scope(request, session, roadmap, None)


def chantier_scope(request: Request, cid: str, roadmap: RoadmapDep, session: SessionDep) -> Scope:
    return Scope(request, session, roadmap, edit.chantier_of(session, roadmap, cid))


SCOPES = {"roadmap": (ROADMAP, roadmap_scope), "chantier": (CHANTIER, chantier_scope)}


# ---------------------------------------------------------------- pages


@router.get("/f/roadmaps", response_class=HTMLResponse)
def roadmap_list(request: Request, me: FacilitatorDep, session: SessionDep) -> Response:
    owned = roadmaps.list_owned(session, me.id)
    return pages.TemplateResponse(
        request,
        "roadmap/list.html",
        {
            "me": me,
            "roadmaps": owned,
            "counts": edit.counts(session, [r.id for r, _t in owned]),
            "kinds": domain.TERRITORY_KINDS,
            "perimeters": domain.PERIMETERS,
        },
    )


@router.post("/f/roadmaps")
def create_roadmap(request: Request, me: FacilitatorDep, session: SessionDep, form: FormDep) -> Response:
    roadmap = edit.create(session, me.id, form)
    return _go(request, f"/f/roadmaps/{roadmap.id}")


@router.get(ROADMAP, response_class=HTMLResponse)
def roadmap_page(request: Request, me: FacilitatorDep, roadmap: RoadmapDep, session: SessionDep) -> Response:
    return pages.TemplateResponse(
        request, "roadmap/page.html", {"me": me, **edit.page_view(session, roadmap)}
    )


@router.post(ROADMAP + "/supprimer")
def delete_roadmap(request: Request, roadmap: RoadmapDep, session: SessionDep) -> Response:
    roadmaps.delete(session, roadmap)
    return _go(request, "/f/roadmaps")


# ---------------------------------------------------------------- the editable sections


def _register_list(kind: edit.Kind) -> None:
    path, scope_of = SCOPES[kind.scope]
    prefix = f"{path}/{kind.name}"
    ScopeDep = Annotated[Scope, Depends(scope_of)]

    def bloc(s: ScopeDep, modifier: str = "") -> Response:
        return s.show(kind.name, changed=False, editing=modifier)

    def add(s: ScopeDep, form: FormDep) -> Response:
        edit.save(s.session, kind, s.roadmap, s.chantier, None, form)
        return s.show(kind.name)

    def order(s: ScopeDep, form: FormDep) -> Response:
        edit.reorder(s.session, kind, s.roadmap, s.chantier, edit.form_text(form, "ordre"))
        return s.show(kind.name)

    def update(oid: str, s: ScopeDep, form: FormDep) -> Response:
        edit.save(s.session, kind, s.roadmap, s.chantier, s.row(kind, oid), form)
        return s.show(kind.name)

    def remove(oid: str, s: ScopeDep) -> Response:
        edit.delete(s.session, s.roadmap, s.row(kind, oid))
        return s.show(kind.name)

    def step(oid: str, s: ScopeDep, form: FormDep) -> Response:
        edit.move(s.session, kind, s.roadmap, s.chantier, s.row(kind, oid), edit.form_text(form, "sens"))
        return s.show(kind.name)

    # Literal paths before those with an id: « bloc » and « ordre » are never taken for one.
    for suffix, endpoint, method in (
        ("/bloc", bloc, "GET"),
        ("", add, "POST"),
        ("/ordre", order, "POST"),
        ("/{oid}", update, "POST"),
        ("/{oid}/supprimer", remove, "POST"),
        ("/{oid}/deplacer", step, "POST"),
    ):
        router.add_api_route(prefix + suffix, endpoint, methods=[method], response_class=HTMLResponse)


def _register_part(part: str, scope: str) -> None:
    path, scope_of = SCOPES[scope]
    ScopeDep = Annotated[Scope, Depends(scope_of)]

    def bloc(s: ScopeDep, modifier: str = "") -> Response:
        return s.show(part, changed=False, editing=modifier)

    def update(s: ScopeDep, form: FormDep) -> Response:
        edit.save_part(s.session, s.roadmap, s.chantier, part, form)
        return s.show(part)

    router.add_api_route(f"{path}/{part}/bloc", bloc, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{path}/{part}", update, methods=["POST"], response_class=HTMLResponse)


for _kind in edit.LISTS.values():
    _register_list(_kind)
for _part, _scope in edit.PARTS.items():
    _register_part(_part, _scope)


@router.get(CHANTIER, response_class=HTMLResponse)
def fiche_page(
    request: Request, me: FacilitatorDep, roadmap: RoadmapDep, session: SessionDep, cid: str
) -> Response:
    chantier = edit.chantier_of(session, roadmap, cid)
    return pages.TemplateResponse(
        request, "roadmap/chantier.html", {"me": me, **edit.fiche_view(session, roadmap, chantier)}
    )
