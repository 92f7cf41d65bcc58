"""Channel layer and per-process fan-out (DESIGN.md §5).

Services publish small events ("something changed in workshop N") *after* their
commit. Each process keeps one `Room` per workshop with local viewers; a room
coalesces events and asks its refresher to re-render state from the database at
most once per `push_interval`. Each connection has a latest-wins mailbox drained
by its own sender task, so a slow phone never delays the board.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from app import i18n
from app.deltas import Shown
from app.publishing import CHANGES, STRUCTURE

log = logging.getLogger("cap.realtime")


def topic_for(workshop_id: int) -> str:
    return f"workshop:{workshop_id}"


class ChannelLayer(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, topic: str, message: str) -> None: ...
    async def ping(self) -> None: ...
    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[
        AsyncIterator[str]]: ...


class _Subscription:
    """A bounded queue of messages for one local subscriber."""

    def __init__(self, maxsize: int = 256) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize)

    def put(self, message: str) -> None:
        # Events only say "re-read the database": dropping the oldest loses nothing.
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(message)

    def __aiter__(self) -> "_Subscription":
        return self

    async def __anext__(self) -> str:
        return await self.queue.get()


class _LocalFanout:
    def __init__(self) -> None:
        self.subscribers: dict[str, set[_Subscription]] = {}

    def dispatch(self, topic: str, message: str) -> None:
        for sub in self.subscribers.get(topic, ()):
            sub.put(message)

    def dispatch_all(self, message: str) -> None:
        for topic in self.subscribers:
            self.dispatch(topic, message)


class MemoryChannelLayer(_LocalFanout):
    """In-process channel layer: one worker, nothing to install."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.subscribers.clear()

    async def publish(self, topic: str, message: str) -> None:
        self.dispatch(topic, message)

    async def ping(self) -> None:
        return None

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[str]]:
        sub = _Subscription()
        self.subscribers.setdefault(topic, set()).add(sub)
        try:
            yield sub
        finally:
            subs = self.subscribers.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self.subscribers[topic]


class RedisChannelLayer(_LocalFanout):
    """Redis pub/sub: several workers or hosts serve one workshop.

    One pub/sub connection per process, one reader task dispatching to local
    subscribers. Redis forgets what a disconnected subscriber missed, so after a
    reconnection every local room is told to resynchronise from the database. A
    topic first subscribed while Redis is down is subscribed by the reader once
    it is back (and its room resynchronised).
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=2)
        self._pubsub = self._redis.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._redis.ping()  # type: ignore[misc]  # typed for redis-py's sync client too
        self._reader = asyncio.create_task(self._read(), name="redis-reader")

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()

    async def publish(self, topic: str, message: str) -> None:
        await self._redis.publish(topic, message)

    async def ping(self) -> None:
        await self._redis.ping()  # type: ignore[misc]  # typed for redis-py's sync client too

    async def _read(self) -> None:
        broken = False
        while True:
            try:
                if any(t not in self._pubsub.channels for t in self.subscribers):
                    async with self._lock:
                        missing = [t for t in self.subscribers if t not in self._pubsub.channels]
                        if missing:
                            await self._pubsub.subscribe(*missing)
                    for topic in missing:
                        self.dispatch(topic, json.dumps({"kind": STRUCTURE}))
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if broken:
                    broken = False
                    log.warning("redis pub/sub connection back: screens resynchronised")
                    self.dispatch_all(json.dumps({"kind": STRUCTURE}))
                if msg and msg.get("type") == "message":
                    self.dispatch(msg["channel"], msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not broken:
                    log.error("redis pub/sub connection lost (%s); retrying every 0.5 s", error)
                broken = True
                await asyncio.sleep(0.5)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[str]]:
        sub = _Subscription()
        async with self._lock:
            first = topic not in self.subscribers
            self.subscribers.setdefault(topic, set()).add(sub)
            if first:
                try:
                    await self._pubsub.subscribe(topic)
                except Exception as error:  # Redis down: the reader subscribes it once it is back
                    log.error("could not subscribe to %s (%s)", topic, error)
        try:
            yield sub
        finally:
            async with self._lock:
                subs = self.subscribers.get(topic, set())
                subs.discard(sub)
                if not subs:
                    self.subscribers.pop(topic, None)
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(topic)


def make_channel_layer(redis_url: str | None) -> ChannelLayer:
    return RedisChannelLayer(redis_url) if redis_url else MemoryChannelLayer()


@dataclass(eq=False)
class Connection:
    """One WebSocket viewer with a latest-wins mailbox of HTML fragments."""

    role: str
    send: Callable[[str], Awaitable[None]]
    participant_id: int | None = None
    # A board that follows one sub-group only.
    group_id: int | None = None
    # What this screen was last sent, for screens that get only what changed (`app.deltas`).
    shown: Shown | None = None
    # The language its fragments are rendered in (app.i18n).
    locale: str = i18n.DEFAULT
    pending: dict[str, str] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, fragments: dict[str, str]) -> None:
        """Queue fragments by id; a newer version of a fragment replaces the unsent one and takes
        its place in the order of these (a phone's personal part goes after the shared part)."""
        for block in fragments:
            self.pending.pop(block, None)
        self.pending.update(fragments)
        self.wake.set()

    async def run_sender(self, timeout: float) -> None:
        """Drain the mailbox; raises TimeoutError if the client stops reading."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            frame = self._take()
            if frame:
                await asyncio.wait_for(self.send(frame), timeout)

    def _take(self) -> str:
        """The queued fragments as one frame, the mailbox emptied: nothing of it stays referenced
        here while the connection idles (a rating page is tens of KB per phone); only what
        changed since the last frame for a screen that keeps what it was shown."""
        batch, self.pending = self.pending, {}
        if self.shown is None:
            return "".join(batch.values())
        return "".join(self.shown.frame(block, html) for block, html in batch.items())


Refresher = Callable[["Room", set[str], list[Connection]], Awaitable[None]]


class Room:
    """A workshop's viewers in this process, refreshed at most once per interval."""

    def __init__(self, workshop_id: int, refresher: Refresher, interval: float) -> None:
        self.workshop_id = workshop_id
        self.connections: set[Connection] = set()
        self._refresher = refresher
        self._interval = interval
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stack = contextlib.AsyncExitStack()

    def mark(self, change: str) -> None:
        self._dirty.add(change)
        self._wake.set()

    async def start(self, layer: ChannelLayer) -> None:
        # Subscribed before the first viewer reads its initial state: no event falls between.
        messages = await self._stack.enter_async_context(
            layer.subscribe(topic_for(self.workshop_id)))
        self._task = asyncio.create_task(self._run(messages), name=f"room-{self.workshop_id}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._stack.aclose()

    async def _run(self, messages: AsyncIterator[str]) -> None:
        listener = asyncio.create_task(self._listen(messages))
        try:
            await self._flush_loop()
        finally:
            listener.cancel()

    async def _listen(self, messages: AsyncIterator[str]) -> None:
        async for raw in messages:
            try:
                change = json.loads(raw).get("kind")
            except ValueError:
                continue
            if change in CHANGES:
                self.mark(change)

    async def _flush_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            started = loop.time()
            changes, self._dirty = self._dirty, set()
            if changes and self.connections:
                try:
                    await self._refresher(self, changes, list(self.connections))
                except Exception:
                    log.exception("refresh of workshop %s failed", self.workshop_id)
            # Coalescing window: events arriving meanwhile join the next refresh.
            await asyncio.sleep(max(0.0, self._interval - (loop.time() - started)))


class Hub:
    """The rooms of this process, created with their first viewer."""

    def __init__(self, layer: ChannelLayer, refresher: Refresher, interval: float) -> None:
        self.layer = layer
        self.refresher = refresher
        self.interval = interval
        self.rooms: dict[int, Room] = {}

    async def publish(self, workshop_id: int, change: str) -> None:
        await self.layer.publish(topic_for(workshop_id), json.dumps({"kind": change}))

    def tell_here(self, workshop_id: int, change: str) -> None:
        """Mark the change on this process's room of the workshop, without the channel layer."""
        room = self.rooms.get(workshop_id)
        if room is not None:
            room.mark(change)

    @contextlib.asynccontextmanager
    async def join(self, workshop_id: int, conn: Connection) -> AsyncIterator[Room]:
        room = self.rooms.get(workshop_id)
        if room is None:
            room = self.rooms[workshop_id] = Room(workshop_id, self.refresher, self.interval)
            await room.start(self.layer)
        room.connections.add(conn)
        try:
            yield room
        finally:
            room.connections.discard(conn)
            if not room.connections and self.rooms.get(workshop_id) is room:
                del self.rooms[workshop_id]
                await room.stop()

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            await room.stop()
        self.rooms.clear()

    def connected_participants(self) -> list[int]:
        return [
            c.participant_id
            for room in self.rooms.values()
            for c in room.connections
            if c.participant_id is not None
        ]
