"""The restitution page (/r/<key>): the compte-rendu as a web page, without any name, with its
PDF; published and revoked from the control page (app/services/restitutions.py)."""

import functools
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app import rendering
from app.exports.names import attachment
from app.exports.report import collect, report_html
from app.exports.report_files import report_export
from app.services import restitutions, workshops
from app.web import FacilitatorDep, PublisherDep, SessionDep

router = APIRouter()


# The compte-rendu's print stylesheet, its figures' and the screen's: one file, as the page's
# Content-Security-Policy refuses inline styles (the SVG figures' own <style> included).
STYLESHEETS = ("exports/report.css", "exports/contents.css", "exports/figures.css", "exports/restitution.css")


@router.get("/r/{key}", response_class=HTMLResponse)
def restitution(key: str, request: Request, session: SessionDep) -> Response:
    """In the reader's language (the `lang` cookie of the picker in its footer, or her browser's);
    the workshop's own texts as written."""
    workshop = restitutions.by_key(session, key)
    report = collect(session, workshop, include_names=False)
    page = report_html(report, web={"pdf": f"/r/{key}/compte-rendu.pdf", "css": "/restitution.css"},
                       request=request)
    return HTMLResponse(page, headers={"vary": "Accept-Language, Cookie"})


@functools.cache
def _stylesheet() -> str:
    return "\n".join(rendering.render(name, {}) for name in STYLESHEETS)


@router.get("/restitution.css")
def stylesheet() -> Response:
    return Response(_stylesheet(), media_type="text/css", headers={"cache-control": "public, max-age=3600"})


@router.get("/r/{key}/compte-rendu.pdf")
def restitution_pdf(key: str, session: SessionDep) -> Response:
    """In the reader's language, as the page."""
    data, filename, media_type = report_export(session, restitutions.by_key(session, key), "pdf")
    return Response(data, media_type=media_type,
                    headers={**attachment(filename), "vary": "Accept-Language, Cookie"})


@router.post("/f/workshops/{workshop_id}/restitution")
def publish(workshop_id: int, me: FacilitatorDep, session: SessionDep, publisher: PublisherDep,
            publier: Annotated[Literal["oui", "non"], Form()]) -> Response:
    """« Publier la restitution » (a new link each time) or « Retirer la restitution »."""
    workshop = workshops.get_owned(session, me.id, workshop_id)
    if publier == "oui":
        restitutions.publish(session, workshop, publisher=publisher)
    else:
        restitutions.revoke(session, workshop, publisher=publisher)
    return RedirectResponse(f"/f/workshops/{workshop_id}#restitution-title", status_code=303)
