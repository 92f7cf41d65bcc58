"""Application factory: `uvicorn app.main:create_app --factory`."""

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import assets, i18n, logs
from app.config import Settings, get_settings, secret_key
from app.db import get_engine, get_writer_engine
from app.domain import validation
from app.domain.errors import N_, DomainError
from app.domain.workshop_templates import TemplateError
from app.live import Live
from app.routes import (
    KIND_ROUTERS,
    board,
    facilitator,
    legal,
    participant,
    restitution,
    roadmap_exports,
    roadmap_import,
    roadmaps,
    workshop_exports,
)
from app.services import logins, retention
from app.services.workshops import UnknownCode
from app.services.writer import Writer
from app.throttle import Throttle, TooMany
from app.web import LoginRequired, guard, pages

# Every router. The activity kinds' (app/routes/<kind>.py; a slide has none) come first: they
# take the participants' writes, the most frequent requests, and routes are matched in order.
ROUTERS = (*KIND_ROUTERS.values(), participant.router, facilitator.router, board.router,
           workshop_exports.router, roadmap_import.router, roadmap_exports.router, roadmaps.router,
           legal.router, restitution.router)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CROSS_SITE = N_("Origine refusée : cette requête ne vient pas d'une page de Cap Partagé.")


def _facilitator_route(path: str) -> bool:
    """The facilitator's routes (the roadmap editor's included), and her login and logout."""
    return path in ("/f", "/login", "/logout") or path.startswith("/f/")


class SecurityHeaders:
    """CSP and friends on every response; cross-site writes refused (CSRF).

    A write must come from one of our pages: its Origin (else its Referer) is this site. One
    that says neither is refused on the facilitator's routes, where a session cookie is what
    gives power; a phone's writes may omit both (scripts, the bench: a browser always sends
    Origin on a POST), and carry only the participant token of the phone that sends them.
    `Origin: null` (a sandboxed frame, a file, a cross-site redirect) is refused everywhere:
    our pages send their origin (Referrer-Policy: same-origin).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.allowed = {settings.base_url.rstrip("/")}

    def _same_site(self, source: str, host: str) -> bool:
        parts = urlsplit(source)
        return parts.netloc == host or f"{parts.scheme}://{parts.netloc}" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if scope["method"] in UNSAFE:
            source = (headers.get(b"origin") or headers.get(b"referer") or b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            if not source:
                refused = _facilitator_route(scope["path"])
            else:
                refused = source == "null" or not self._same_site(source, host)
            if refused:
                response = JSONResponse({"detail": i18n.gettext(CROSS_SITE)}, status_code=403)
                await response(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Locales:
    """The language of each request and WebSocket (app.i18n): the picker's `lang` cookie, else the
    browser's Accept-Language, else French."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        with i18n.using(i18n.negotiate(conn.cookies.get(i18n.COOKIE), conn.headers.get("accept-language"))):
            await self.app(scope, receive, send)


def _wants_page(request: Request) -> bool:
    """A page read, or a form a page sent as a navigation (the join form, a facilitator's
    plain form): its refusal is a page that says why, not JSON."""
    navigation = request.method == "GET" or request.headers.get("sec-fetch-mode") == "navigate"
    return (navigation and "HX-Request" not in request.headers
            and "text/html" in request.headers.get("accept", ""))


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, UnknownCode):
        await request.app.state.throttle.missed_code(request)
    if isinstance(exc, LoginRequired) and request.method == "GET" and _wants_page(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    headers = None
    page = _wants_page(request)
    if isinstance(exc, TooMany):
        headers = {"Retry-After": str(exc.retry_after)}
        # The join form is a plain POST: its page says why too.
        page = "HX-Request" not in request.headers and "text/html" in request.headers.get("accept", "")
    message = exc.said(i18n.gettext)
    if page:
        return pages.TemplateResponse(request, "error.html", {"message": message},
                                      status_code=exc.status, headers=headers)
    return JSONResponse({"detail": message}, status_code=exc.status, headers=headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _wants_page(request):
        message = i18n.gettext("Page introuvable.") if exc.status_code == 404 else str(exc.detail)
        return pages.TemplateResponse(request, "error.html", {"message": message},
                                          status_code=exc.status_code)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


# The database out of reach (or, on SQLite, locked past its busy timeout): the request stored nothing
# and may be sent again as it is, after Retry-After; the phone's outbox keeps it and does
# (app/static/app.js).
UNAVAILABLE = N_("La base de données est momentanément injoignable : rien n'a été enregistré. "
                 "Réessayez dans quelques secondes.")
RETRY_AFTER = "2"
# PostgreSQL's serialization failure and deadlock: this request lost a race with another one.
CONFLICTS = {"40001", "40P01"}
CONFLICT = N_("Un autre envoi est passé au même moment : le vôtre n'a pas été enregistré, réessayez.")


async def database_error(request: Request, exc: Exception) -> Response:
    headers = {"Retry-After": RETRY_AFTER}
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in CONFLICTS:
        return JSONResponse({"detail": i18n.gettext(CONFLICT)}, status_code=409, headers=headers)
    message = i18n.gettext(UNAVAILABLE)
    if _wants_page(request):
        return pages.TemplateResponse(request, "error.html", {"message": message}, status_code=503,
                                      headers=headers)
    return JSONResponse({"detail": message}, status_code=503, headers=headers)


async def template_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"detail": i18n.gettext("Modèle d'atelier invalide : %(error)s", error=exc)},
                        status_code=500)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A form field, query parameter or path segment of the wrong type, in the reader's language."""
    assert isinstance(exc, RequestValidationError)
    problems = [i18n.gettext("%(place)s : %(why)s",
                             place=validation.place(err["loc"][1:]) or i18n.gettext("requête"),
                             why=validation.explain(err, form=True, say=i18n.gettext))
                for err in exc.errors()]
    message = i18n.gettext("Requête invalide — %(problems)s.",
                           problems=functools.reduce(lambda said, problem: i18n.gettext(
                               "%(problems)s ; %(problem)s", problems=said, problem=problem), problems))
    if _wants_page(request):
        return pages.TemplateResponse(request, "error.html", {"message": message}, status_code=422)
    return JSONResponse({"detail": message}, status_code=422)


# Zip containers and PDFs: gzipping them again costs the server and saves nothing.
COMPRESSED_DOCUMENTS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/pdf")


class StaticAssets:
    """/static/<name>: from memory (`app.assets`), gzipped when the browser takes it; kept a year
    when asked for at its current version (`?v=`), else revalidated by its ETag."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        name = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
        asset = assets.assets().get(name)
        if asset is None or scope["method"] not in ("GET", "HEAD"):
            missing = JSONResponse({"detail": i18n.gettext("Fichier introuvable.")}, status_code=404)
            await missing(scope, receive, send)
            return
        headers = {"etag": asset.etag, "vary": "Accept-Encoding",
                   "cache-control": ("public, max-age=31536000, immutable"
                                     if request.query_params.get("v") == asset.version else "no-cache")}
        if request.headers.get("if-none-match") == asset.etag:
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        body = asset.body
        if "gzip" in request.headers.get("accept-encoding", ""):
            body, headers["content-encoding"] = asset.gzipped, "gzip"
        response = Response(body if scope["method"] == "GET" else b"", media_type=asset.media_type,
                            headers=headers)
        if scope["method"] == "HEAD":
            response.headers["content-length"] = str(len(body))
        await response(scope, receive, send)


class Health:
    """/healthz: the database and the channel layer, each answering within `timeout`. Probed at
    most once per `ttl` (load balancers and the bench's baseline ask often), requests in between
    sharing the last report."""

    def __init__(self, engine: Engine, live: Live, ttl: float = 1.0, timeout: float = 2.0) -> None:
        self.engine = engine
        self.live = live
        self.ttl = ttl
        self.timeout = timeout
        self._report: dict[str, str] = {}
        self._at = float("-inf")
        self._lock = asyncio.Lock()

    async def report(self) -> dict[str, str]:
        loop = asyncio.get_running_loop()
        async with self._lock:
            if loop.time() - self._at >= self.ttl:
                database, channel = await asyncio.gather(
                    self._probe(asyncio.to_thread(self._select_one)),
                    self._probe(self.live.hub.layer.ping()))
                ok = database == channel == "ok"
                self._report = {"status": "ok" if ok else "unavailable", "database": database,
                                "channel_layer": channel}
                self._at = loop.time()
            return self._report

    def _select_one(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    async def _probe(self, check: Awaitable[Any]) -> str:
        try:
            await asyncio.wait_for(check, self.timeout)
        except Exception:
            return "unreachable"
        return "ok"


def _purge_sessions(lifetime: logins.Lifetime) -> None:
    with Session(get_engine()) as session:
        logins.purge_expired(session, lifetime)
        session.commit()


async def purge_daily(hours: float, lifetime: logins.Lifetime) -> None:
    """Purge the workshops past their retention, and the expired facilitator sessions' rows, at
    start, then every `hours`."""
    while True:
        try:
            await asyncio.to_thread(retention.purge_expired, get_engine(), retention.AUTOMATIC)
            await asyncio.to_thread(_purge_sessions, lifetime)
        except Exception:
            logging.getLogger("app.retention").exception("scheduled purge failed; next try in %s h", hours)
        await asyncio.sleep(hours * 3600)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    live = Live(settings)
    writer = Writer(get_writer_engine(), live)
    throttle = Throttle(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await live.start()
        await writer.start()
        purging = (asyncio.create_task(purge_daily(settings.purge_interval_hours,
                                                   logins.Lifetime.of(settings)))
                   if settings.purge_interval_hours > 0 else None)
        try:
            yield
        finally:
            if purging is not None:
                purging.cancel()
            await writer.stop()
            await live.stop()

    app = FastAPI(title="Cap Partagé", lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(guard)])
    app.state.live = live
    app.state.publisher = live
    app.state.writer = writer
    app.state.settings = settings
    app.state.throttle = throttle
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(TemplateError, template_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(unavailable, database_error)
    app.add_middleware(SessionMiddleware, secret_key=secret_key(settings),
                       session_cookie="cap_session", max_age=60 * 60 * 24 * 30,
                       same_site="lax", https_only=settings.cookie_secure)
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_middleware(Locales)
    # Pages and fragments gzipped for the browsers that take it (a join page: 13 kB → 4 kB on a
    # slow phone network); the static files come gzipped from memory already (StaticAssets), and
    # the office documents and PDFs are compressed files themselves.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *COMPRESSED_DOCUMENTS))
    if settings.trusted_proxies:
        # Outermost: the client address every limit counts is the one the proxy saw.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.mount("/static", StaticAssets(), name="static")
    for router in ROUTERS:
        app.include_router(router)
    logs.configure(settings, ["/static", "/healthz", "/favicon.ico",
                              *(getattr(route, "path", "") for router in ROUTERS for route in router.routes)])

    health = Health(get_engine(), live)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        """For the pages that name no icon (a printed export, a browser's own guess)."""
        return RedirectResponse(assets.url("favicon.svg"), status_code=301)

    @app.get("/healthz")
    async def healthz() -> Response:
        """200 when the database and the channel layer both answer, else 503; which one, in the body."""
        report = await health.report()
        return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)

    return app
