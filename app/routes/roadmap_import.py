"""Bringing results into a roadmap: import a roadmap file, or a workshop's results (promote)."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from app import i18n
from app.domain.roadmap import RoadmapFileError, parse_file
from app.services import promotion, roadmaps, workshops
from app.web import FacilitatorDep, SessionDep, pages

router = APIRouter()

MAX_FILE = 5 * 1024 * 1024


@router.post("/f/roadmaps/import", response_class=HTMLResponse)
async def import_roadmap(
    request: Request, me: FacilitatorDep, session: SessionDep, file: Annotated[UploadFile, File()]
) -> Response:
    raw = await file.read(MAX_FILE + 1)
    try:
        if len(raw) > MAX_FILE:
            too_big = i18n.gettext("le fichier dépasse %(size)s Mo", size=MAX_FILE // (1024 * 1024))
            raise RoadmapFileError([too_big])
        roadmap = roadmaps.import_file(session, me.id, parse_file(raw))
    except RoadmapFileError as err:
        return pages.TemplateResponse(
            request,
            "roadmap_promote/import_error.html",
            {"me": me, "name": file.filename or "", "problems": err.said(i18n.gettext)},
            status_code=422,
        )
    return RedirectResponse(f"/f/roadmaps/{roadmap.id}", status_code=303)


@router.get("/f/roadmaps/{roadmap_id}/importer-atelier", response_class=HTMLResponse)
def promote_page(
    request: Request, roadmap_id: int, me: FacilitatorDep, session: SessionDep, atelier: int | None = None
) -> Response:
    roadmap = roadmaps.get_owned(session, me.id, roadmap_id)
    context = {
        "me": me,
        "roadmap": roadmap,
        "workshops": workshops.list_owned(session, me.id),
        "found": None,
        "new_chantier": promotion.NEW_CHANTIER,
        "chantiers": roadmaps.chantiers_of(session, roadmap.id),
    }
    if atelier is not None:
        workshop = workshops.get_owned(session, me.id, atelier)
        context["found"] = promotion.candidates(session, roadmap, workshop)
    return pages.TemplateResponse(request, "roadmap_promote/promote.html", context)


@router.post("/f/roadmaps/{roadmap_id}/importer-atelier", response_class=HTMLResponse)
async def promote_results(
    request: Request,
    roadmap_id: int,
    me: FacilitatorDep,
    session: SessionDep,
    atelier: Annotated[int, Form()],
) -> Response:
    chosen = promotion.choices(await request.form())
    roadmap = roadmaps.get_owned(session, me.id, roadmap_id)
    workshop = workshops.get_owned(session, me.id, atelier)
    summary = promotion.promote(session, roadmap, workshop, chosen)
    return pages.TemplateResponse(
        request,
        "roadmap_promote/done.html",
        {"me": me, "roadmap": roadmap, "workshop": workshop, "summary": summary},
    )
