"""Live screens: what each role's WebSocket receives, and when."""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketState

from app import i18n
from app.config import Settings
from app.db import get_engine
from app.deltas import Shown
from app.domain.errors import N_, DomainError
from app.models import Workshop
from app.publishing import CHANGES, ITEMS, MODERATION, PRESENCE, STRUCTURE, TIMER
from app.realtime import ChannelLayer, Connection, Hub, Room, make_channel_layer
from app.rendering import render as render_template
from app.rendering import render_fragment
from app.screens import views
from app.services import logins, participants

log = logging.getLogger("cap.live")

BOARD, CONTROL, PARTICIPANT = "board", "control", "participant"

# A phone's personal part (app/screens/views.py, PhoneView): not a block of the page but the
# elements of her kind's `mine.html`, which replace those of the same ids in `p-activity`.
MINE = "p-mine"
# Which fragments (template blocks, whose root element carries the same id) each kind
# of change refreshes, per role. Participants only follow the structure of the workshop.
FRAGMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    BOARD: {PRESENCE: ("board-presence",), ITEMS: ("board-main",), MODERATION: ("board-main",),
            STRUCTURE: ("board-presence", "board-main"), TIMER: ("board-timer",)},
    CONTROL: {PRESENCE: ("ctl-presence", "ctl-turnout"), ITEMS: ("ctl-main", "ctl-turnout"),
              MODERATION: ("ctl-main",), STRUCTURE: ("ctl-presence", "ctl-main", "ctl-turnout"),
              TIMER: ("ctl-main",)},
    PARTICIPANT: {MODERATION: ("p-activity", MINE), STRUCTURE: ("p-activity", MINE),
                  TIMER: ("p-timer",)},
}
# Blocks that show every screen of a role the same thing, read from the workshop alone: rendered
# once per push whoever receives them; not sent when the block around them is.
WORKSHOP_WIDE = {"board-timer": "board-main", "p-timer": "p-activity"}
PAGES = {BOARD: "board/page.html", CONTROL: "facilitator/control.html",
         PARTICIPANT: "participant/page.html"}
# What replaces each role's main fragment once the workshop is deleted (app/templates/_gone.html).
GONE = {BOARD: "board-main", CONTROL: "ctl-main", PARTICIPANT: "p-activity"}

# Close codes sent to clients (4000-4999 are the application's own).
CLOSE_LOGGED_OUT = 4401  # the facilitator's session ended: her page goes to /login (app.js)
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_STALLED = 1013  # "try again later": the client reconnects and resynchronises
CLOSE_TOO_BIG = 1009


# Where ended facilitator sessions are announced (their ids, a JSON list), to every worker.
REVOKED = "facilitator-sessions:ended"
LOGGED_OUT = N_("session terminée : reconnectez-vous")


def reason(text: str | DomainError, locale: str) -> str:
    """A close reason (a message marked with `N_`, or a refusal) in the screen's language, for its
    console (no page shows it), within the 123 bytes a close frame holds."""
    with i18n.using(locale):
        said = text.said(i18n.gettext) if isinstance(text, DomainError) else i18n.gettext(text)
    return said.encode()[:120].decode(errors="ignore")


class CommandRevoker:
    """Announces sessions ended by the command line (`reset-password`) to the app's workers through
    Redis, when REDIS_URL is set. Without it the one worker has no channel to hear it on: its
    periodic check (FACILITATOR_SESSION_CHECK_SECONDS) closes their pages."""

    def __init__(self, redis_url: str | None) -> None:
        self.redis_url = redis_url

    def revoke(self, session_ids: Sequence[int]) -> None:
        if self.redis_url:
            asyncio.run(self._send(make_channel_layer(self.redis_url), session_ids))

    @staticmethod
    async def _send(layer: ChannelLayer, session_ids: Sequence[int]) -> None:
        await layer.start()
        try:
            await layer.publish(REVOKED, json.dumps(list(session_ids)))
        finally:
            await layer.stop()


def origin_allowed(websocket: WebSocket, base_url: str) -> bool:
    """Refuse cross-site WebSocket handshakes (browsers always send Origin)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    netloc = urlsplit(origin).netloc
    return netloc in {websocket.headers.get("host"), urlsplit(base_url).netloc}


def blocks_for(role: str, changes: set[str], kind: str | None = None) -> set[str]:
    """The blocks a screen of that role receives for these changes. A phone on an activity of that
    kind gets her personal part only where its page has one, and that alone for a moderation
    where a moderation changes nothing else there."""
    fragments = FRAGMENTS[role]
    if role == PARTICIPANT and not views.personal_names(kind):
        fragments = {k: tuple(b for b in bs if b != MINE) for k, bs in fragments.items()}
    elif role == PARTICIPANT and views.moderation_is_personal(kind):
        fragments = {**fragments, MODERATION: (MINE,)}
    blocks = {b for k in changes for b in fragments.get(k, ())}
    return {b for b in blocks if WORKSHOP_WIDE.get(b) not in blocks}


def render(role: str, block: str, ctx: dict[str, Any]) -> str:
    if block == MINE:
        return render_template(f"activities/{ctx['activity'].kind}/mine.html", ctx)
    return render_fragment(PAGES[role], block, ctx)


class Live:
    """The screens' hub in this process; also the app's `Publisher` (`app.publishing`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hub = Hub(make_channel_layer(settings.redis_url), self.refresh,
                       settings.push_interval)
        self._heartbeat: asyncio.Task[None] | None = None
        # Screens are rendered on threads of their own: under a flood of writes, which fill the
        # request threads, the boards still refresh instead of queueing behind them.
        self._renderer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cap-render")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._publishing: set[asyncio.Task[None]] = set()
        # Announcements the channel layer could not take (Redis down), sent again once it is back.
        self._unsent: dict[tuple[int, str], None] = {}
        self._resending: asyncio.Task[None] | None = None
        # This process's control pages, by the facilitator session they were opened with.
        self._controls: dict[int, dict[WebSocket, str]] = {}  # each with its language
        self._lifetime = logins.Lifetime.of(settings)
        self._sessions: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.hub.layer.start()
        self._heartbeat = asyncio.create_task(self._beat())
        self._sessions = [asyncio.create_task(self._hear_revocations(), name="hear-revocations"),
                          asyncio.create_task(self._check_sessions(), name="check-sessions")]

    async def stop(self) -> None:
        if self._heartbeat:
            self._heartbeat.cancel()
        if self._resending:
            self._resending.cancel()
        for task in self._sessions:
            task.cancel()
        await self.hub.close()
        await self.hub.layer.stop()
        self._renderer.shutdown(wait=False, cancel_futures=True)

    def publish(self, workshop_id: int, change: str) -> None:
        """Publish a change after its commit, from any thread, without waiting: the event is
        handed to the event loop and the request thread goes on (its reply is not held up)."""
        if self._loop is None:
            raise RuntimeError("the live hub is not started")
        self._loop.call_soon_threadsafe(self._start_publishing, workshop_id, change)

    def _start_publishing(self, workshop_id: int, change: str) -> None:
        task = asyncio.ensure_future(self.announce(workshop_id, change))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def announce(self, workshop_id: int, change: str) -> None:
        """Publish through the channel layer. While it is down, this process's screens are told
        directly and the announcement is kept (once per workshop and kind of change) to be sent
        again when the layer is back, every 0.5 s: the other workers' screens then catch up. One
        log line when the layer fails, one when it is back."""
        if self._unsent:  # known down: wait behind the others instead of failing again
            self._keep(workshop_id, change)
            return
        try:
            await self.hub.publish(workshop_id, change)
        except Exception as error:
            log.error("could not publish a change (it is stored): channel layer unreachable (%s); "
                      "this worker's screens are told directly, the others once it is back", error)
            self._keep(workshop_id, change)

    def _keep(self, workshop_id: int, change: str) -> None:
        self.hub.tell_here(workshop_id, change)
        self._unsent[(workshop_id, change)] = None
        if self._resending is None or self._resending.done():
            self._resending = asyncio.create_task(self._resend(), name="resend-announcements")

    async def _resend(self) -> None:
        sent = 0
        while self._unsent:
            await asyncio.sleep(0.5)
            for workshop_id, change in list(self._unsent):
                try:
                    await self.hub.publish(workshop_id, change)
                except Exception:
                    break
                del self._unsent[(workshop_id, change)]
                sent += 1
        log.warning("channel layer back: %d announcements sent again", sent)

    def revoke(self, session_ids: Sequence[int]) -> None:
        """Close the control pages of ended sessions, in every worker (a `Revoker`): from any
        thread, without waiting, like `publish`."""
        if self._loop is None:
            raise RuntimeError("the live hub is not started")
        self._loop.call_soon_threadsafe(self._start_revoking, list(session_ids))

    def _start_revoking(self, session_ids: list[int]) -> None:
        task = asyncio.ensure_future(self._announce_revoked(session_ids))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _announce_revoked(self, session_ids: list[int]) -> None:
        try:
            await self.hub.layer.publish(REVOKED, json.dumps(session_ids))
        except Exception as error:
            log.error("could not announce ended sessions (channel layer unreachable: %s); this "
                      "worker closes their pages now, the others at their next check", error)
            await self._close_controls(session_ids)

    async def _hear_revocations(self) -> None:
        async with self.hub.layer.subscribe(REVOKED) as messages:
            async for raw in messages:
                try:
                    ids = [i for i in json.loads(raw) if isinstance(i, int)]
                except (ValueError, TypeError):
                    continue
                await self._close_controls(ids)

    async def _check_sessions(self) -> None:
        """Close the control pages whose session ended without an announcement reaching this
        worker: by the command line without Redis, by expiry, or while Redis was down."""
        while True:
            await asyncio.sleep(self.settings.facilitator_session_check_seconds)
            held = list(self._controls)
            if not held:
                continue
            try:
                live = await run_in_threadpool(self._in_session, logins.alive, held, self._lifetime)
            except Exception:
                log.exception("check of the control pages' sessions failed")
                continue
            await self._close_controls([i for i in held if i not in live])

    async def _close_controls(self, session_ids: Sequence[int]) -> None:
        for session_id in session_ids:
            for websocket, locale in list(self._controls.get(session_id, {}).items()):
                with contextlib.suppress(Exception):
                    await websocket.close(code=CLOSE_LOGGED_OUT, reason=reason(LOGGED_OUT, locale))

    @contextlib.contextmanager
    def _control(self, websocket: WebSocket, session_id: int | None) -> Iterator[None]:
        if session_id is None:
            yield
            return
        self._controls.setdefault(session_id, {})[websocket] = i18n.current()
        try:
            yield
        finally:
            held = self._controls.get(session_id, {})
            held.pop(websocket, None)
            if not held:
                self._controls.pop(session_id, None)

    async def _beat(self) -> None:
        interval = self.settings.participant_ttl_seconds / 3
        while True:
            await asyncio.sleep(interval)
            ids = self.hub.connected_participants()
            try:
                await run_in_threadpool(self._in_session, participants.heartbeat, ids)
            except Exception:
                log.exception("presence heartbeat failed")

    @staticmethod
    def _in_session(fn: Callable[..., Any], *args: Any) -> Any:
        with Session(get_engine(), expire_on_commit=False) as session:
            return fn(session, *args)

    def _render_all(self, workshop_id: int, changes: set[str],
                    conns: list[Connection]) -> list[tuple[Connection, dict[str, str]]]:
        """Every fragment is rendered once per locale that some screen reads it in (a board in the
        workshop's language, each phone in her own), however many screens receive it."""
        ttl = self.settings.participant_ttl_seconds
        out: list[tuple[Connection, dict[str, str]]] = []
        with Session(get_engine(), expire_on_commit=False) as session:
            workshop = session.get(Workshop, workshop_id)
            if workshop is None:
                gone: dict[tuple[str, str], str] = {}
                for c in conns:
                    if (c.role, c.locale) not in gone:
                        with i18n.using(c.locale):
                            gone[c.role, c.locale] = render_fragment("_gone.html", GONE[c.role], {})
                return [(c, {GONE[c.role]: gone[c.role, c.locale]}) for c in conns]
            cache: dict[tuple[str, int | None, str], dict[str, str]] = {}
            phones = [c.participant_id for c in conns if c.participant_id is not None
                      and c.role == PARTICIPANT and blocks_for(PARTICIPANT, changes) - WORKSHOP_WIDE.keys()]
            phone_views = views.participant_views(session, workshop, phones) if phones else {}
            activity = next(iter(phone_views.values())).shared["activity"] if phone_views else None
            # A closed workshop's phones show that it is over, nothing of their own.
            kind = activity.kind if activity and workshop.closed_at is None else None
            wanted = {role: blocks_for(role, changes, kind)
                      for role in {c.role for c in conns}}
            # Phones that see the same thing share one render of it (most of the room, at a step
            # change); her personal part too, where it is the same.
            phone_keys = views.sharing_keys(phone_views)
            phone_parts: dict[tuple[str, Hashable, str], str] = {}
            wide_ctx = views.workshop_wide(workshop)
            wide: dict[tuple[str, str], str] = {}
            for conn in conns:
                blocks = wanted[conn.role]
                if not blocks:
                    continue
                with i18n.using(conn.locale):
                    for b in blocks & WORKSHOP_WIDE.keys():
                        if (b, conn.locale) not in wide:
                            wide[b, conn.locale] = render(conn.role, b, wide_ctx)
                    if blocks <= WORKSHOP_WIDE.keys():
                        out.append((conn, {b: wide[b, conn.locale] for b in blocks}))
                        continue
                    if conn.role == PARTICIPANT:
                        pid = conn.participant_id
                        view = phone_views.get(pid) if pid is not None else None
                        if pid is None or view is None:
                            continue
                        fragments: dict[str, str] = {}
                        # Her personal part last: its elements replace those of the shared part.
                        for block in sorted(blocks, key=lambda b: b == MINE):
                            if block in WORKSHOP_WIDE:
                                fragments[block] = wide[block, conn.locale]
                                continue
                            mine = block == MINE
                            key = (block, phone_keys[pid].personal if mine else phone_keys[pid].shared,
                                   conn.locale)
                            if key not in phone_parts:
                                ctx = view.page if mine else view.shared
                                phone_parts[key] = render(conn.role, block, ctx)
                            fragments[block] = phone_parts[key]
                        out.append((conn, fragments))
                        continue
                    screen = (conn.role, conn.group_id, conn.locale)
                    if screen not in cache:
                        ctx = (views.board(session, workshop, ttl, conn.group_id) if conn.role == BOARD
                               else views.control(session, workshop, ttl))
                        all_blocks = {b for bs in FRAGMENTS[conn.role].values() for b in bs}
                        cache[screen] = {b: render(conn.role, b, ctx) for b in all_blocks}
                    out.append((conn, {b: cache[screen][b] for b in sorted(blocks)}))
        return out

    async def refresh(self, room: Room, changes: set[str], conns: list[Connection]) -> None:
        loop = asyncio.get_running_loop()
        rendered = await loop.run_in_executor(self._renderer, self._render_all, room.workshop_id,
                                              changes, conns)
        for conn, fragments in rendered:
            if fragments:
                conn.offer(fragments)

    async def serve(self, websocket: WebSocket, workshop_id: int, role: str,
                    participant_id: int | None = None, group_id: int | None = None,
                    login_id: int | None = None, locale: str = i18n.DEFAULT) -> None:
        """`login_id`: the facilitator session a control page was opened with; the page is closed
        when it ends. `locale`: the language its fragments are rendered in."""
        if websocket.application_state == WebSocketState.CONNECTING:  # else a joining phone's
            await websocket.accept()
        conn = Connection(role, websocket.send_text, participant_id, group_id,
                          shown=Shown() if role in (BOARD, CONTROL) else None, locale=locale)
        with self._control(websocket, login_id):
            # Ended between its check and its registration here, its announcement unheard.
            if login_id is not None and not await run_in_threadpool(
                    self._in_session, logins.alive, [login_id], self._lifetime):
                await websocket.close(code=CLOSE_LOGGED_OUT, reason=reason(LOGGED_OUT, locale))
                return
            await self._serve(websocket, workshop_id, role, conn)

    async def _serve(self, websocket: WebSocket, workshop_id: int, role: str, conn: Connection) -> None:
        participant_id = conn.participant_id
        async with self.hub.join(workshop_id, conn) as room:
            if participant_id is not None:
                await run_in_threadpool(self._in_session, participants.connected,
                                        participant_id, 1)
                await self.announce(workshop_id, PRESENCE)
            try:
                await self.refresh(room, set(CHANGES), [conn])
                await self._pump(websocket, conn, role)
            finally:
                if participant_id is not None:
                    with contextlib.suppress(Exception):
                        await run_in_threadpool(self._in_session, participants.connected,
                                                participant_id, -1)
                        await self.announce(workshop_id, PRESENCE)

    async def _pump(self, websocket: WebSocket, conn: Connection, role: str) -> None:
        """Listen on the connection's own task; one more task sends. A sender that fails (a client
        that stopped reading) interrupts the listening, and only the listening."""
        listening = asyncio.current_task()
        receiving = True

        def interrupt(_sender: "asyncio.Task[None]") -> None:
            if receiving and listening is not None:
                listening.cancel()

        sender = asyncio.create_task(conn.run_sender(self.settings.send_timeout))
        sender.add_done_callback(interrupt)
        close: tuple[int, str] | None = None
        try:
            close = await self._receive(websocket, role, self.settings.ws_max_size)
        except asyncio.CancelledError:
            if listening is None or not sender.done() or sender.cancelled():
                raise  # cancelled from outside (the server stops)
            listening.uncancel()
            if isinstance(sender.exception(), TimeoutError):
                close = (CLOSE_STALLED, N_("connexion trop lente"))
        finally:
            receiving = False
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        if close:
            with contextlib.suppress(Exception):
                await websocket.close(code=close[0], reason=reason(close[1], conn.locale))

    @staticmethod
    async def _receive(websocket: WebSocket, role: str, max_size: int) -> tuple[int, str] | None:
        """Screens only listen: control goes over HTTP, where roles are checked. A server started
        without uvicorn's --ws-max-size has read a message too big whole; it is refused all the same."""
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        data = message.get("bytes") or (message.get("text") or "").encode()
        if len(data) > max_size:
            return (CLOSE_TOO_BIG, N_("message trop grand"))
        if role == CONTROL:
            return (CLOSE_FORBIDDEN, N_("les commandes passent par HTTP"))
        return (CLOSE_FORBIDDEN, N_("ce rôle ne peut pas piloter l'atelier"))
