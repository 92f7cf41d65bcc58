"""The privacy notice (/confidentialite), the legal notice (/mentions-legales), the accessibility
statement (/accessibilite), and the language picker (/langue/<code>)."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app import i18n
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


@router.get("/langue/{code}")
def pick_language(request: Request, code: str, settings: SettingsDep, retour: str = "/") -> Response:
    """The picker's links: remember the language in the `lang` cookie, back to the page (only a
    path of this site: `//host` would leave it)."""
    back = retour if retour.startswith("/") and not retour.startswith("//") else "/"
    response = RedirectResponse(back, status_code=303)
    if code in i18n.LOCALES:
        response.set_cookie(i18n.COOKIE, code, max_age=60 * 60 * 24 * 365, samesite="lax",
                            secure=settings.cookie_secure, httponly=True)
    return response
