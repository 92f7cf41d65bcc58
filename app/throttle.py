"""Rate limits (issue 11): wrong join codes, failed facilitator logins, participants' writes and
screens' WebSocket connections, with the `limits` library. Counters live in this process, or in
Redis when REDIS_URL is set so that every worker shares them. When Redis cannot be reached the
requests go through (with a log line): a workshop is not stopped by its safety net."""

import asyncio
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence

from fastapi import WebSocketException
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from app.config import Settings
from app.db import get_engine
from app.domain.errors import N_, DomainError
from app.services import participants
from app.services.accounts import normalise_email
from app.services.workshops import UnknownCode

log = logging.getLogger("cap.throttle")

# Close code of a refused WebSocket handshake (4000-4999 are the application's own).
CLOSE_TOO_MANY = 4429
# A screen refused for reconnecting too often waits this long for its answer: a client that
# reconnects in a loop, one attempt after the other, is slowed down to one attempt per second.
REFUSAL_DELAY = 1.0


class TooMany(DomainError):
    """429, with the seconds to wait (`Retry-After`)."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        """`message` says « Réessayez dans %(seconds)s s. »."""
        super().__init__(message, seconds=retry_after)
        self.retry_after = retry_after


def client_address(conn: HTTPConnection) -> str:
    """Who is counted: the socket's peer (a trusted proxy's X-Forwarded-For has already replaced
    it, see `create_app`); an IPv6 client by its /64, which one subscriber usually holds whole."""
    host = conn.client.host if conn.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _session_identity(conn: HTTPConnection) -> str:
    """The participant tokens and facilitator session token the signed cookie carries, hashed:
    phones behind one venue's address are told apart by what they joined."""
    tokens = conn.session.get("p")
    held = sorted(t for t in tokens.values() if isinstance(t, str)) if isinstance(tokens, dict) else []
    facilitator = conn.session.get("f")
    if facilitator is None and not held:
        return ""
    return hashlib.sha256("|".join([str(facilitator), *held]).encode()).hexdigest()[:32]


class Throttle:
    def __init__(self, settings: Settings) -> None:
        storage: Storage
        if settings.redis_url:
            storage = RedisStorage(f"async+{settings.redis_url}", implementation="redispy",
                                   key_prefix=settings.rate_limit_prefix, wrap_exceptions=True,
                                   socket_timeout=1, socket_connect_timeout=1)
        else:
            storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(storage)
        self.join_codes = parse_many(settings.join_code_limits)
        self.logins = parse_many(settings.login_limits)
        self.writes = parse_many(settings.write_limits)
        self.ws_connects = parse_many(settings.ws_connect_limits)
        self._warned = 0.0

    def _unavailable(self, err: StorageError) -> None:
        if time.monotonic() - self._warned > 60:
            self._warned = time.monotonic()
            log.warning("rate limits not applied: their storage is unreachable (%s)", err)

    async def _retry_after(self, items: Sequence[RateLimitItem], key: tuple[str, ...]) -> int:
        stats = [await self.limiter.get_window_stats(item, *key) for item in items]
        reset = max((s.reset_time for s in stats if s.remaining == 0), default=time.time())
        return max(1, math.ceil(reset - time.time()))

    async def wait(self, items: Sequence[RateLimitItem], *key: str) -> int:
        """Seconds before `key` may try again, without counting this attempt (0: now)."""
        return await self._check(self.limiter.test, items, key)

    async def hit(self, items: Sequence[RateLimitItem], *key: str) -> int:
        """Count one attempt of `key`; the seconds to wait if it is one too many (0: go on)."""
        return await self._check(self.limiter.hit, items, key)

    async def _check(self, allowed: Callable[..., Awaitable[bool]], items: Sequence[RateLimitItem],
                     key: tuple[str, ...]) -> int:
        try:
            for item in items:
                if not await allowed(item, *key):
                    return await self._retry_after(items, key)
        except StorageError as err:
            self._unavailable(err)
        return 0

    async def missed_code(self, conn: HTTPConnection) -> None:
        await self.hit(self.join_codes, "code", client_address(conn))

    async def login_wait(self, conn: HTTPConnection, email: str) -> int:
        return max(await self.wait(self.logins, "login", client_address(conn)),
                   await self.wait(self.logins, "account", normalise_email(email)))

    async def login_failed(self, conn: HTTPConnection, email: str) -> None:
        await self.hit(self.logins, "login", client_address(conn))
        await self.hit(self.logins, "account", normalise_email(email))

    async def wrote(self, conn: HTTPConnection) -> None:
        """A participant's write: refused (429) past her limit, the rest of the room unaffected."""
        if wait := await self.hit(self.writes, "write", _session_identity(conn) or client_address(conn)):
            raise TooMany(N_("Trop d'envois d'affilée : rien n'a été enregistré. "
                             "Réessayez dans %(seconds)s s."), wait)

    async def guard(self, conn: HTTPConnection) -> None:
        """Before every route: a screen that connects too often is refused, and so is a request
        naming a join code from a client that gave too many wrong ones, unless its session has
        joined that workshop (phones behind the same address as the guesser go on)."""
        if conn.scope["type"] == "websocket":
            key = (client_address(conn), conn.url.path, _session_identity(conn))
            if wait := await self.hit(self.ws_connects, "ws", *key):
                await asyncio.sleep(REFUSAL_DELAY)
                raise WebSocketException(CLOSE_TOO_MANY, f"trop de connexions, réessayez dans {wait} s")
        code = conn.path_params.get("code")
        if code is None:
            return
        wait = await self.wait(self.join_codes, "code", client_address(conn))
        if wait and not await run_in_threadpool(_has_joined, conn, code):
            if conn.scope["type"] == "websocket":
                raise WebSocketException(CLOSE_TOO_MANY, f"trop de codes erronés, réessayez dans {wait} s")
            raise TooMany(N_("Trop de codes d'atelier erronés depuis votre connexion. "
                             "Réessayez dans %(seconds)s s."), wait)


def _has_joined(conn: HTTPConnection, code: str) -> bool:
    tokens = conn.session.get("p")
    if not isinstance(tokens, dict) or not tokens:
        return False
    with Session(get_engine()) as session:
        try:
            return participants.in_workshop(session, code, tokens)[1] is not None
        except UnknownCode:
            return False
