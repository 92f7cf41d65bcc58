"""The privacy notice (/confidentialite), the legal notice (/mentions-legales) and the accessibility
statement (/accessibilite)."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.web import SettingsDep, pages

router = APIRouter()


@router.get("/confidentialite", response_class=HTMLResponse)
def privacy(request: Request, settings: SettingsDep) -> Response:
    return pages.TemplateResponse(request, "legal/confidentialite.html", {"s": settings})


@router.get("/mentions-legales", response_class=HTMLResponse)
def legal_notice(request: Request, settings: SettingsDep) -> Response:
    return pages.TemplateResponse(request, "legal/mentions.html", {"s": settings})


@router.get("/accessibilite", response_class=HTMLResponse)
def accessibility(request: Request, settings: SettingsDep) -> Response:
    return pages.TemplateResponse(request, "legal/accessibilite.html", {"s": settings})
