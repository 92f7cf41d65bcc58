"""Write-path and fan-out benchmark: N phones vote, rate or post post-its at an open-loop rate
while boards watch; then the same phones hold their page's WebSocket while the facilitator drives
the workshop, against a raw `websockets` broadcast server (`bench.raw_ws`) run in the same process
tree with the same clients.

    .venv/bin/python -m bench.load [--kind poll|rating|postits] [--phones N] [--rate R]
                                   [--seconds T] [--burst] [--boards B] [--workshops W]
                                   [--fanout-rate F] [--smoke] [--json PATH]
                                   [--postgres URL --redis URL --workers 2]

Writes (`--kind`): phone i sends write s when s ≡ i (mod N); for a poll or a rating its first
write makes it count on the board (`data-count`: answers to a poll, participants who started a
rating), so write → board latency is measured from the pushed HTML: the k-th phone acknowledged
is shown once a board frame says `data-count` ≥ k. A rating write fills one (item, axis) cell of
its phone, each cell at most once, so every acknowledged write can be checked in the database
afterwards: the stored value is the one sent (nothing lost), no cell holds a value that was never
sent, and no cell is stored twice. A post-it carries a unique text marker (its board latency is
the first board frame containing it) and a fresh idempotency key: every acknowledged post-it must
be stored once with its text, and no row may hold a key that was never sent. `--burst`: every
phone sends one write within 2 s, as when a vote opens.

`--workshops W`: W workshops run at once on the same server, the phones split evenly across
them, each with its own `--boards` boards; write s goes to workshop s mod W (the total rate stays
`--rate`), and during the fan-out each change is made in every workshop (every phone still
receives `--fanout-rate` frames a second, as with one workshop).

Fan-out: every phone also holds `/ws/p/<code>`; the facilitator closes and reopens the activity F
times a second (every phone receives its whole activity again), or with `--fanout-change timer`
sets the countdown (every phone receives the countdown's small fragment). Frames/s received by
the phones and the server's memory per idle connection are compared with `bench.raw_ws`
broadcasting a frame of the same size to the same number of sockets at the same rate.

Measurement only: nothing about timing is asserted. Everything runs on 127.0.0.1.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.postits import (
    LIMITS,
    REQUEST_TIMEOUT,
    Phase,
    Sample,
    append_row,
    code_version,
    cookie_header,
    kib,
    now,
    open_loop,
    ratio,
    server_log_problems,
    summary_ms,
)
from tests.support import (
    ROOT,
    Facilitator,
    create_facilitator,
    free_port,
    fresh_postgres,
    migrate,
    run_server,
)

ITEMS = 12  # a rating's list: each phone has 2 × ITEMS cells to fill
CATEGORIES = ("économique", "social", "technologique")
TEMPLATE = f"""\
title: Banc d'essai
groups: [Groupe 1, Groupe 2, Groupe 3, Groupe 4]
activities:
  - kind: poll
    id: vote
    title: La couverture du territoire en offre est-elle bonne ?
    scale: oui-non-moyennement
  - kind: rating
    id: notation
    title: Impact et maîtrise
    items: [{", ".join(f"Facteur {n}" for n in range(1, ITEMS + 1))}]
  - kind: postits
    id: idees
    title: Facteurs de changement
    categories: [{", ".join(CATEGORIES)}]
    use_groups: true
    live: true
"""
POSITION = {"poll": 0, "rating": 1, "postits": 2}
COUNT = re.compile(r'data-count="(\d+)"')
MARKER_DIGITS = 7  # a post-it's marker: bl<run>-<seq on 7 digits>


@dataclass
class Listening:
    """A screen's WebSocket that reads every frame until it is closed or cancelled; `ready` once
    the first frame (the page's state on connecting) is in, or the connection failed."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    closed: str | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def _first(self, frame: str | bytes) -> None:
        self._read(frame)

    def _read(self, frame: str | bytes) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        try:
            async with connect(self.url, max_size=None, proxy=None, open_timeout=20,
                               ping_interval=None, additional_headers=self.headers) as sock:
                self._first(await asyncio.wait_for(sock.recv(), 20))
                self.ready.set()
                async for frame in sock:
                    self._read(frame)
        except (ConnectionClosed, OSError, TimeoutError, InvalidHandshake) as exc:
            self.closed = repr(exc)
        finally:
            self.ready.set()


@dataclass
class Board(Listening):
    """A board WebSocket that records when its `data-count` first reaches each value, or with a
    pattern (post-its) when each marker first shows in a frame."""

    pattern: re.Pattern[str] | None = None
    reached: dict[int, float] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    frames: int = 0

    def _read(self, frame: str | bytes) -> None:
        at = now()
        self.frames += 1
        body = frame.decode() if isinstance(frame, bytes) else frame
        if self.pattern is not None:
            for marker in set(self.pattern.findall(body)) - self.seen.keys():
                self.seen[marker] = at
            return
        for value in (int(v) for v in COUNT.findall(body)):
            top = max(self.reached, default=0)
            for k in range(top + 1, value + 1):
                self.reached[k] = at


@dataclass
class Listener(Listening):
    """An idle screen that counts the frames it receives (a phone's page, a raw client)."""

    frames: int = 0
    received: int = 0  # bytes

    def _first(self, frame: str | bytes) -> None:
        self.received += len(frame)

    def _read(self, frame: str | bytes) -> None:
        self.frames += 1
        self.received += len(frame)


async def start_all(screens: list[Any], batch: int = 50) -> list[asyncio.Task[None]]:
    tasks: list[asyncio.Task[None]] = []
    for start in range(0, len(screens), batch):
        chunk = screens[start:start + batch]
        tasks += [asyncio.create_task(s.run()) for s in chunk]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in chunk)), 60)
    return tasks


async def stop_all(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# ------------------------------------------------------------------------------------ the writes


@dataclass
class Workshop:
    """One workshop of the run: its codes, its open activity and the phones that joined it."""

    id: int
    code: str
    board_key: str
    activity_id: int
    item_ids: list[int]  # the rating's items
    group_ids: list[int]  # its sub-groups: each phone posts its post-its within one
    phones: list[int]  # indices of the run's phones (and of their clients)


@dataclass
class Write:
    phone: int
    path: str
    data: dict[str, str]
    cell: tuple[str, str]  # (target, axis) the write fills
    workshop: int = 0  # index of its workshop in the run
    first: bool = False  # the phone's first write: from then on it counts on its board
    marker: str = ""  # a post-it's unique text marker, found in the board's frames


def split_phones(phones: int, workshops: int) -> list[list[int]]:
    """Phones 0 … N-1 in W consecutive blocks whose sizes differ by one at most."""
    blocks, start = [], 0
    for w in range(workshops):
        size = phones // workshops + (1 if w < phones % workshops else 0)
        blocks.append(list(range(start, start + size)))
        start += size
    return blocks


def plan_writes(kind: str, workshops: list[Workshop], total: int, rng: random.Random,
                run_id: str = "") -> list[Write]:
    """Write s goes to workshop s mod W, where it is that workshop's write n = s div W, sent by
    its phone n mod (its phones): every workshop gets 1/W of the rate, its phones in turn."""
    writes = []
    for s in range(total):
        w, nth = s % len(workshops), s // len(workshops)
        shop = workshops[w]
        local, turn = nth % len(shop.phones), nth // len(shop.phones)
        phone, base = shop.phones[local], f"/p/{shop.code}/activities/{shop.activity_id}"
        if kind == "poll":
            write = Write(phone, f"{base}/vote", {"choice": str(rng.randrange(3))}, ("", ""))
        elif kind == "rating":
            item, axis = shop.item_ids[(turn // 2) % len(shop.item_ids)], ("impact", "maitrise")[turn % 2]
            write = Write(phone, f"{base}/rate",
                          {"item": str(item), "axis": axis, "value": str(rng.randint(1, 4))},
                          (str(item), axis))
        else:  # a post-it, as a phone posts it: text, fresh idempotency key, category, sub-group
            marker = f"bl{run_id}-{s:0{MARKER_DIGITS}d}"
            write = Write(phone, f"{base}/items",
                          {"text": f"{marker} facteur de changement n° {s}",
                           "idempotency_key": secrets.token_hex(16),
                           "category": CATEGORIES[s % len(CATEGORIES)],
                           "group_id": str(shop.group_ids[local % len(shop.group_ids)])},
                          ("", ""), marker=marker)
        write.workshop, write.first = w, turn == 0
        writes.append(write)
    return writes


async def send(sample: Sample, client: httpx.AsyncClient, write: Write) -> None:
    sample.sent = now()
    try:
        response = await client.post(write.path, data=write.data)
    except httpx.HTTPError as exc:
        sample.done, sample.error = now(), type(exc).__name__
        return
    sample.done, sample.status = now(), response.status_code
    if response.status_code not in (200, 201):
        sample.error = f"HTTP {response.status_code}: {response.text[:80]!r}"


def stored_rows(database_url: str, kind: str, activity_id: int) -> list[tuple[int, str, str, int | None]]:
    """What the activity stored: (participant, target, axis, value) of its votes, or for post-its
    (participant, idempotency key, text, None) of its items."""
    query = ("SELECT participant_id, client_key, text, NULL FROM item WHERE activity_id = :a"
             if kind == "postits" else
             "SELECT participant_id, target, axis, value FROM vote WHERE activity_id = :a")
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(query), {"a": activity_id}).all()
    finally:
        engine.dispose()
    return [(int(p or 0), t or "", a or "", v) for p, t, a, v in rows]


def check_losses(kind: str, writes: list[Write], samples: list[Sample], phone_ids: list[int],
                 stored: list[tuple[int, str, str, int | None]]) -> dict[str, int]:
    """Every acknowledged write stored as sent, nothing stored that was not sent, nothing twice."""
    if kind == "postits":
        return postit_losses(writes, samples, phone_ids, stored)
    cells = Counter((p, t, a) for p, t, a, _v in stored)
    value = {(p, t, a): v for p, t, a, v in stored}
    acked = [(writes[s.seq], s) for s in samples if s.status in (200, 201)]
    sent_cells = {(phone_ids[writes[s.seq].phone], *writes[s.seq].cell) for s in samples}
    if kind == "poll":  # a phone's last acknowledged choice is its vote (choices may repeat)
        last: dict[int, tuple[float, str]] = {}
        for w, s in acked:
            if s.done >= last.get(w.phone, (0.0, ""))[0]:
                last[w.phone] = (s.done, w.data["choice"])
        lost = sum(1 for phone, (_t, choice) in last.items()
                   if value.get((phone_ids[phone], "", "")) != int(choice))
    else:
        lost = sum(1 for w, _s in acked
                   if value.get((phone_ids[w.phone], *w.cell)) != int(w.data["value"]))
    return {"acked": len(acked), "lost": lost,
            "stored_not_sent": sum(1 for c in cells if c not in sent_cells),
            "doubled": sum(1 for n in cells.values() if n > 1)}


def postit_losses(writes: list[Write], samples: list[Sample], phone_ids: list[int],
                  stored: list[tuple[int, str, str, int | None]]) -> dict[str, int]:
    """Post-its, stored as (participant, idempotency key, text, None): every acknowledged post-it
    stored under its phone and key with its text (else lost), no row with a key its phone never
    sent, no post-it stored twice (by key, or by its text, whose marker is unique). `stored_unacked`:
    rows of posts sent but never acknowledged (a timeout): not a loss, as a phone would resend the
    same key, but shown."""
    sent = {(phone_ids[writes[s.seq].phone], writes[s.seq].data["idempotency_key"]): s for s in samples}
    acked = {key: s for key, s in sent.items() if s.status in (200, 201)}
    text_of = {(p, key): body for p, key, body, _v in stored}
    by_key = Counter((p, key) for p, key, _b, _v in stored)
    by_text = Counter(body for _p, _k, body, _v in stored)
    doubled = {body for body, n in by_text.items() if n > 1} | {
        text_of[key] for key, n in by_key.items() if n > 1}
    return {"acked": len(acked),
            "lost": sum(1 for key, s in acked.items() if text_of.get(key) != writes[s.seq].data["text"]),
            "stored_not_sent": sum(1 for key in by_key if key not in sent),
            "doubled": len(doubled),
            "stored_unacked": sum(1 for key in by_key if key in sent and key not in acked)}


def workshop_ids(database_url: str, workshop_id: int, activity_id: int) -> tuple[list[int], list[int]]:
    """(the activity's item ids, the workshop's sub-group ids), in their order."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            items = [int(r[0]) for r in conn.execute(text(
                "SELECT id FROM item WHERE activity_id = :a ORDER BY id"), {"a": activity_id})]
            groups = [int(r[0]) for r in conn.execute(text(
                "SELECT id FROM workshop_group WHERE workshop_id = :w ORDER BY position"),
                {"w": workshop_id})]
    finally:
        engine.dispose()
    return items, groups


def phone_ids(database_url: str, phones: int) -> list[int]:
    """Each phone's participant id: phone i joined as « Banc i » (whatever its workshop)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            named: dict[str, int] = {str(n): int(i) for n, i in conn.execute(text(
                "SELECT display_name, participant_id FROM participant_identity "
                "WHERE display_name LIKE 'Banc %'")).all()}
    finally:
        engine.dispose()
    return [named[f"Banc {i}"] for i in range(phones)]


async def join_phones(url: str, codes: list[str]) -> list[httpx.AsyncClient]:
    """Phone i joins the workshop codes[i] as « Banc i »; one client (own cookies) each."""
    gate = asyncio.Semaphore(16)

    async def join(i: int) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, trust_env=False)
        async with gate:
            r = await client.post(f"/j/{codes[i]}", data={"name": f"Banc {i}"})
        if r.status_code != 303:
            raise RuntimeError(f"join {i} failed: {r.status_code} {r.text[:200]}")
        return client

    return list(await asyncio.gather(*(join(i) for i in range(len(codes)))))


def range_ms(values: list[float]) -> tuple[float, float]:
    known = [v for v in values if not math.isnan(v)]
    return (min(known), max(known)) if known else (math.nan, math.nan)


async def writes_phase(args: argparse.Namespace, server: Any, workshops: list[Workshop],
                       clients: list[httpx.AsyncClient]) -> dict[str, Any]:
    pid = server.process.pid
    rng = random.Random(7)
    run_id = secrets.token_hex(3)
    if args.burst:
        total, rate = args.phones, args.phones / 2.0
    else:
        total, rate = int(args.rate * args.seconds), args.rate
        if args.kind == "rating":  # each cell at most once, in the smallest workshop too
            total = min(total, len(workshops) * min(len(w.phones) for w in workshops) * 2 * ITEMS)
    writes = plan_writes(args.kind, workshops, total, rng, run_id)
    pattern = re.compile(rf"bl{run_id}-\d{{{MARKER_DIGITS}}}") if args.kind == "postits" else None
    boards = [[Board(f"{server.ws_url}/ws/board/{w.board_key}", pattern=pattern) for _ in range(args.boards)]
              for w in workshops]
    watchers = await start_all([b for shop in boards for b in shop])
    phase = Phase(pid)
    phase.start(total / rate + REQUEST_TIMEOUT + 40)

    def fire(sample: Sample) -> Awaitable[None]:
        write = writes[sample.seq]
        return send(sample, clients[write.phone], write)

    samples, unsent = await open_loop(total, rate, fire, args.max_inflight, total / rate + 10)
    acks = [s for s in samples if s.status in (200, 201)]
    # What each workshop's boards must show: every acknowledged post-it's marker; for a poll or a
    # rating, the k-th of its phones acknowledged (first writes, in ack order) once data-count ≥ k.
    firsts: list[list[Sample]] = [[] for _ in workshops]
    markers: list[dict[str, Sample]] = [{} for _ in workshops]
    for s in sorted(acks, key=lambda s: s.done):
        write = writes[s.seq]
        if write.marker:
            markers[write.workshop][write.marker] = s
        elif write.first:
            firsts[write.workshop].append(s)

    def missing(board: Board, w: int) -> int:
        if pattern:
            return len(markers[w].keys() - board.seen.keys())
        return len(firsts[w]) - len(board.reached.keys() & range(1, len(firsts[w]) + 1))

    def latencies(board: Board, w: int) -> list[float]:
        if pattern:
            return [board.seen[m] - s.sent for m, s in markers[w].items() if m in board.seen]
        return [board.reached[k] - s.sent for k, s in enumerate(firsts[w], start=1) if k in board.reached]

    for _ in range(int(args.drain / 0.05)):
        if all(missing(b, w) == 0 or b.closed for w, shop in enumerate(boards) for b in shop):
            break
        await asyncio.sleep(0.05)
    await phase.stop()
    await stop_all(watchers)
    per_workshop = [[lat for b in shop for lat in latencies(b, w)] for w, shop in enumerate(boards)]
    first = min((s.sent for s in samples), default=0.0)
    last_ack = max((s.done for s in acks), default=first)
    result = {
        "planned": total, "offered_rate": rate, "sent": len(samples), "unsent": unsent,
        "acked": len(acks), "errors": dict(Counter(s.error for s in samples if s.error)),
        "ack_rate": len(acks) / (last_ack - first) if last_ack > first else math.nan,
        "ack_ms": summary_ms([s.done - s.sent for s in acks]),
        "ack_from_plan_ms": summary_ms([s.done - s.target for s in acks]),
        "board_ms": summary_ms([lat for lats in per_workshop for lat in lats]),
        "board_frames": [b.frames for shop in boards for b in shop],
        "boards_missing": [missing(b, w) for w, shop in enumerate(boards) for b in shop],
        "server_cpu_ms_per_write": 1000 * phase.server_cpu / max(len(acks), 1),
        **phase.report(), "_samples": samples, "_writes": writes}
    if len(workshops) > 1:
        result["workshop_board_ms"] = [summary_ms(lats) for lats in per_workshop]
        result["workshop_board_p99_min"], result["workshop_board_p99_max"] = range_ms(
            [b["p99"] for b in result["workshop_board_ms"]])
    return result


# ------------------------------------------------------------------------------------ the fan-out


async def idle_memory(pid: int, listeners: list[Listener]) -> tuple[list[asyncio.Task[None]], float]:
    """Connect the listeners; KiB of server RSS per connection once they are idle."""
    await asyncio.sleep(1)
    before = kib(pid, "VmRSS")
    tasks = await start_all(listeners)
    await asyncio.sleep(2)
    after = kib(pid, "VmRSS")
    return tasks, (after - before) / max(len(listeners), 1)


async def churn(listeners: list[Listener], tasks: list[asyncio.Task[None]], share: float,
                period: float, waits: list[float]) -> None:
    """`share` of the listeners each drop their socket and connect again every `period` seconds,
    one after the other; `waits` gets each reconnection's time to its first frame."""
    movers = listeners[:max(1, round(len(listeners) * share))]

    async def timed(listener: Listener, start: float) -> None:
        await listener.ready.wait()
        if listener.closed is None:
            waits.append(now() - start)

    pending: set[asyncio.Task[None]] = set()
    for n in itertools.count():
        await asyncio.sleep(period / len(movers))
        i = n % len(movers)
        tasks[i].cancel()
        await asyncio.gather(tasks[i], return_exceptions=True)
        movers[i].ready = asyncio.Event()
        tasks[i] = asyncio.create_task(movers[i].run())
        watcher = asyncio.create_task(timed(movers[i], now()))
        pending.add(watcher)
        watcher.add_done_callback(pending.discard)


async def drive_fanout(args: argparse.Namespace, pid: int, listeners: list[Listener],
                       trigger: Callable[[int], Awaitable[object]]) -> dict[str, Any]:
    """Connect the idle listeners, then trigger a change `--fanout-rate` times a second (while
    `--reconnect-share` of them reconnect every 10 s); frames received, server CPU and memory per
    idle connection."""
    tasks, per_conn = await idle_memory(pid, listeners)
    before = sum(listener.frames for listener in listeners)
    phase = Phase(pid)
    phase.start(args.fanout_seconds + 30)
    waits: list[float] = []
    churning = (asyncio.create_task(churn(listeners, tasks, args.reconnect_share, 10.0, waits))
                if args.reconnect_share > 0 else None)

    def tick(sample: Sample) -> Awaitable[None]:
        async def go() -> None:
            sample.sent = now()
            await trigger(sample.seq)
            sample.done, sample.status = now(), 200
        return go()

    started = now()
    await open_loop(int(args.fanout_rate * args.fanout_seconds), args.fanout_rate, tick, 50,
                    args.fanout_seconds + 5)
    await asyncio.sleep(args.push_interval_wait)
    elapsed = now() - started
    if churning:
        churning.cancel()
        await asyncio.gather(churning, return_exceptions=True)
    await phase.stop()
    frames = sum(listener.frames for listener in listeners) - before
    size = sum(lst.received for lst in listeners) / max(sum(lst.frames + 1 for lst in listeners), 1)
    await stop_all(tasks)
    return {"connections": len(listeners), "rss_kib_per_connection": per_conn, "frames": frames,
            "frames_per_s": frames / elapsed, "mean_frame_bytes": size,
            "closed": dict(Counter(lst.closed for lst in listeners if lst.closed)),
            "reconnects": len(waits), "reconnect_first_frame_ms": summary_ms(waits), **phase.report()}


async def fanout_app(args: argparse.Namespace, server: Any, workshops: list[Workshop],
                     clients: list[httpx.AsyncClient], facilitator: httpx.AsyncClient) -> dict[str, Any]:
    codes = {phone: w.code for w in workshops for phone in w.phones}
    listeners = [Listener(f"{server.ws_url}/ws/p/{codes[i]}", {"Cookie": cookie_header(c.cookies)})
                 for i, c in enumerate(clients)]

    def change(w: Workshop, seq: int) -> Awaitable[httpx.Response]:
        if args.fanout_change == "timer":  # every phone receives the countdown alone
            return facilitator.post(f"/f/workshops/{w.id}/timer", data={"seconds": str(60 + seq % 600)})
        # The activity closed, then open again: every phone receives its whole activity again.
        return facilitator.post(f"/f/activities/{w.activity_id}/state",
                                data={"state": "closed" if seq % 2 == 0 else "open"})

    async def change_all(seq: int) -> None:
        """The same change in every workshop at once: each phone gets the same frames as in one
        workshop, and the raw server's broadcast to every socket stays the comparison."""
        await asyncio.gather(*(change(w, seq) for w in workshops))

    return await drive_fanout(args, server.process.pid, listeners, change_all)


async def fanout_raw(args: argparse.Namespace, connections: int, frame_bytes: int) -> dict[str, Any]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.raw_ws", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if args.pin:
        pin(proc.pid)  # the same core as the app's server had
    try:
        url = f"ws://127.0.0.1:{port}"
        for _ in range(100):
            with contextlib.suppress(OSError):
                async with connect(url + "/ping", proxy=None, open_timeout=1):
                    break
            await asyncio.sleep(0.1)
        listeners = [Listener(url + "/listen") for _ in range(connections)]
        async with connect(url + "/control", proxy=None, max_size=None) as control:
            return await drive_fanout(args, proc.pid, listeners,
                                      lambda _seq: control.send(str(max(frame_bytes, 1))))
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)


# ------------------------------------------------------------------------------------ the run


async def scenario(args: argparse.Namespace, server: Any, workshops: list[Workshop],
                   facilitator_cookie: str) -> dict[str, Any]:
    codes = {phone: w.code for w in workshops for phone in w.phones}
    clients = await join_phones(server.url, [codes[i] for i in range(args.phones)])
    phones = phone_ids(server.database_url, args.phones)
    facilitator = httpx.AsyncClient(base_url=server.url, timeout=REQUEST_TIMEOUT, trust_env=False,
                                    headers={"Cookie": facilitator_cookie, "Origin": server.url})
    try:
        result: dict[str, Any] = {"writes": await writes_phase(args, server, workshops, clients)}
        result["phone_ids"] = phones
        if args.fanout_seconds > 0:
            app = await fanout_app(args, server, workshops, clients, facilitator)
            raw = await fanout_raw(args, args.phones, int(app["mean_frame_bytes"]))
            result["fanout"] = {"app": app, "raw": raw}
    finally:
        await facilitator.aclose()
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    return result


def fmt(d: dict[str, float]) -> str:
    return f"p50 {d['p50']:7.1f}  p99 {d['p99']:7.1f}  max {d['max']:7.1f} ms (n={d['n']})"


def per_frame(fan: dict[str, Any]) -> str:
    """Server CPU per frame delivered, in µs (the cost of the fan-out, whatever the rate)."""
    frames = fan["frames_per_s"] * fan["wall_s"]
    return f"{1e6 * fan['server_cpu_s'] / frames:.0f} µs/frame" if frames else "no frame"


def workshop_sizes(args: argparse.Namespace) -> str:
    sizes = sorted({len(block) for block in split_phones(args.phones, args.workshops)})
    return "–".join(str(n) for n in sizes)


def print_report(r: dict[str, Any], args: argparse.Namespace) -> None:
    w = r["writes"]
    print()
    print(f"Cap Partagé load bench — {r['date']} — code {r['code']}")
    print(f"  command      : {r['command']}")
    print(f"  machine      : {os.cpu_count()} cores, load average {r['loadavg']}")
    print(f"  server       : {args.workers} worker(s), {'PostgreSQL' if args.postgres else 'SQLite'}, "
          f"channel layer {'Redis' if args.redis else 'in-process'}"
          + ("; server on core 0, generator on core 1" if args.pin else ""))
    print(f"  writes       : {args.kind}, {args.phones} phones"
          + (f" in {args.workshops} workshops ({workshop_sizes(args)} phones each)"
             if args.workshops > 1 else "") + ", "
          + (f"burst of {w['planned']} in 2 s" if args.burst else f"{args.rate:g}/s for {args.seconds:g} s")
          + f", {args.boards} board(s)" + (" per workshop" if args.workshops > 1 else ""))
    print(f"  sent/acked   : {w['sent']} sent ({w['unsent']} unsent), {w['acked']} acked, "
          f"errors {w['errors'] or 0}; acknowledged {w['ack_rate']:.0f}/s")
    print(f"  ack          : {fmt(w['ack_ms'])}")
    print(f"  ack (plan)   : {fmt(w['ack_from_plan_ms'])}")
    print(f"  board        : {fmt(w['board_ms'])}   missing {w['boards_missing']}")
    if args.workshops > 1:
        print(f"  board p99    : per workshop from {w['workshop_board_p99_min']:.1f} to "
              f"{w['workshop_board_p99_max']:.1f} ms ({args.workshops} workshops)")
    print(f"  loss check   : {r['loss']}")
    print(f"  server CPU   : {w['server_cpu_ms_per_write']:.2f} ms per write, {w['server_cpu_pct']:.0f} % "
          f"of a core; client {w['client_cpu_pct']:.0f} %"
          + ("  (client-bound: figures are lower bounds)" if w["client_cpu_pct"] > 80 else "")
          + f"; rest of machine {w['other_cpu_pct']:.0f} %")
    if "fanout" in r:
        app, raw = r["fanout"]["app"], r["fanout"]["raw"]
        print(f"  fan-out      : {app['connections']} phone sockets, {args.fanout_change} changed "
              f"{args.fanout_rate:g}/s"
              + (f" in each of {args.workshops} workshops" if args.workshops > 1 else "")
              + f" for {args.fanout_seconds:g} s")
        print(f"    app        : {app['frames_per_s']:.0f} frames/s, {app['rss_kib_per_connection']:.1f} KiB"
              f" per idle connection, mean frame {app['mean_frame_bytes']:.0f} B, server CPU "
              f"{app['server_cpu_pct']:.0f} % ({per_frame(app)}), closed {app['closed'] or 0}")
        print(f"    raw        : {raw['frames_per_s']:.0f} frames/s, {raw['rss_kib_per_connection']:.1f} KiB"
              f" per idle connection, server CPU {raw['server_cpu_pct']:.0f} % ({per_frame(raw)})")
        if args.reconnect_share > 0:
            for name, fan in (("app", app), ("raw", raw)):
                print(f"    {name + ' churn':<11}: {fan['reconnects']} reconnections, first frame "
                      f"{fmt(fan['reconnect_first_frame_ms'])}")
        print(f"    app / raw  : frames/s {ratio(app['frames_per_s'], raw['frames_per_s'])}, "
              f"memory per connection {ratio(app['rss_kib_per_connection'], raw['rss_kib_per_connection'])}")
    print(f"  server log   : {r['log_problem_lines']} suspicious lines")
    for line in r["log_excerpt"]:
        print(f"    | {line}")


RECORD_HEADER = (
    "\n| date | code | load avg | command | acked/s | ack p50 / p99 ms | board p50 / p99 ms | loss "
    "| CPU ms/write | app frames/s (raw) | KiB/conn (raw) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n")


def record(path: Path, r: dict[str, Any], args: argparse.Namespace) -> None:
    """One Markdown row per run, under a header written once."""
    w, loss = r["writes"], r["loss"]
    fan = r.get("fanout")
    fan_cells = (f"{fan['app']['frames_per_s']:.0f} ({fan['raw']['frames_per_s']:.0f})",
                 f"{fan['app']['rss_kib_per_connection']:.1f} ({fan['raw']['rss_kib_per_connection']:.1f})"
                 ) if fan else ("—", "—")
    row = (f"| {r['date']} | {r['code']} | {r['loadavg']} | `{r['command'].split(' -m ')[1]}` "
           f"| {w['ack_rate']:.0f} | {w['ack_ms']['p50']:.0f} / {w['ack_ms']['p99']:.0f} "
           f"| {w['board_ms']['p50']:.0f} / {w['board_ms']['p99']:.0f}"
           + (f" (p99 per workshop {w['workshop_board_p99_min']:.0f}–{w['workshop_board_p99_max']:.0f})"
              if "workshop_board_p99_min" in w else "") + " "
           f"| {loss['lost']} lost, {loss['doubled']} doubled, {loss['stored_not_sent']} unsent "
           f"| {w['server_cpu_ms_per_write']:.1f} | {fan_cells[0]} | {fan_cells[1]} |\n")
    append_row(path, "`bench.load` runs", RECORD_HEADER, row)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--kind", choices=("poll", "rating", "postits"), default="rating",
                   help="what the phones send: a poll's vote, a rating's (item, axis) cells, "
                        "or post-its (default rating)")
    p.add_argument("--phones", type=int, default=200, help="phones in all workshops together")
    p.add_argument("--workshops", type=int, default=1,
                   help="workshops at once on the server, the phones split evenly across them, "
                        "each with its own boards; the rate is spread across them (default 1)")
    p.add_argument("--rate", type=float, default=100, help="writes/s, open loop (default 100)")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--burst", action="store_true", help="one write per phone within 2 s")
    p.add_argument("--boards", type=int, default=1)
    p.add_argument("--fanout-rate", type=float, default=5, help="changes/s (default 5)")
    p.add_argument("--reconnect-share", type=float, default=0.0,
                   help="share of the phones that drop and reopen their socket every 10 s "
                        "during the fan-out (e.g. 0.1)")
    p.add_argument("--fanout-change", choices=("state", "timer"), default="state",
                   help="what the facilitator changes: the activity's state (every phone gets its "
                        "whole activity again; the default) or the countdown (a small fragment)")
    p.add_argument("--fanout-seconds", type=float, default=5, help="0: no fan-out phase")
    p.add_argument("--max-inflight", type=int, default=4000)
    p.add_argument("--drain", type=float, default=15)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds (make test)")
    p.add_argument("--uvicorn", default="", help='extra uvicorn options, e.g. "--loop uvloop"')
    p.add_argument("--postgres", metavar="URL",
                   help="a PostgreSQL server (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test): "
                        "the run uses a fresh database of its own there instead of SQLite")
    p.add_argument("--redis", metavar="URL", help="the channel layer between workers (REDIS_URL)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    p.add_argument("--repeat", type=int, default=1, help="runs, each on a fresh server; medians printed")
    p.add_argument("--pin", action="store_true",
                   help="one worker: the server's threads on core 0, this generator on core 1")
    p.add_argument("--json", type=Path)
    p.add_argument("--record", type=Path, help="append this run's row to that Markdown file")
    args = p.parse_args(argv)
    if args.smoke:
        args.phones, args.rate, args.seconds, args.fanout_rate, args.fanout_seconds = 12, 20, 1.5, 4, 1
        args.drain = 10
    args.push_interval_wait = 0.5
    if min(args.phones, args.rate, args.seconds, args.boards, args.repeat, args.workshops) <= 0:
        p.error("phones, rate, seconds, boards, repeat and workshops must be positive")
    if args.phones < args.workshops:
        p.error("at least one phone per workshop")
    if args.kind == "postits" and args.rate * args.seconds >= 10 ** MARKER_DIGITS:
        p.error(f"at most {10 ** MARKER_DIGITS - 1} post-its (their markers' digits)")
    if args.pin and (args.workers > 1 or (os.cpu_count() or 1) < 2):
        p.error("--pin needs one worker and two cores")
    return args


def pin(server_pid: int) -> None:
    """A server's threads (those to come inherit it) on core 0, this generator on core 1: the
    generator then cannot steal the server's core, and its own load shows as its own."""
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), {0})
    os.sched_setaffinity(0, {1})


def open_workshop(fac: Facilitator, database_url: str, kind: str, phones: list[int],
                  title: str) -> Workshop:
    """A workshop from the bench's template, its `kind` activity current and open."""
    ws = fac.create_workshop("banc-d-essai", title=title)
    assert fac.goto(ws["id"], POSITION[kind]).status_code == 200
    activity_id = fac.current_activity_id(ws["id"])
    assert fac.set_state(activity_id, "open").status_code == 200
    item_ids, group_ids = workshop_ids(database_url, ws["id"], activity_id)
    return Workshop(ws["id"], ws["code"], ws["board_key"], activity_id, item_ids, group_ids, phones)


def run(args: argparse.Namespace, database_url: str, tmp: Path, sessions: Path) -> dict[str, Any]:
    """One run against a server of its own on that database."""
    migrate(database_url)
    uvicorn_args = [*args.uvicorn.split(), *(["--workers", str(args.workers)] if args.workers > 1 else [])]
    with run_server(database_url, tmp, redis_url=args.redis, name="load",
                    extra_env={"SESSIONS_DIR": str(sessions), **LIMITS}, uvicorn_args=uvicorn_args) as server:
        if args.pin:
            pin(server.process.pid)
        fac = Facilitator(server.url, create_facilitator(database_url))
        workshops = [open_workshop(fac, database_url, args.kind, phones,
                                   "Banc d'essai" + (f" {n}" if args.workshops > 1 else ""))
                     for n, phones in enumerate(split_phones(args.phones, args.workshops), start=1)]
        result = asyncio.run(scenario(args, server, workshops, cookie_header(fac.client.cookies)))
        fac.client.close()
    w = result["writes"]
    writes, samples, ids = w.pop("_writes"), w.pop("_samples"), result.pop("phone_ids")
    # Checked workshop by workshop (its activity's rows against its writes), then summed.
    losses = [check_losses(args.kind, writes, [s for s in samples if writes[s.seq].workshop == n], ids,
                           stored_rows(database_url, args.kind, shop.activity_id))
              for n, shop in enumerate(workshops)]
    result["loss"] = {key: sum(loss[key] for loss in losses) for key in losses[0]}
    if len(losses) > 1:
        result["loss_per_workshop"] = losses
    result["log_problem_lines"], result["log_excerpt"] = server_log_problems(server.log)
    return result


def one_run(args: argparse.Namespace, argv: list[str] | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cap-load-") as tmp:
        sessions = Path(tmp) / "sessions"
        sessions.mkdir()
        (sessions / "banc-d-essai.yaml").write_text(TEMPLATE, encoding="utf-8")
        database = (fresh_postgres(args.postgres) if args.postgres
                    else contextlib.nullcontext(f"sqlite:///{Path(tmp) / 'load.db'}"))
        with database as database_url:
            result = run(args, database_url, Path(tmp), sessions)
    result["code"] = code_version()
    result["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["loadavg"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    result["command"] = " ".join([".venv/bin/python -m bench.load", *(argv or sys.argv[1:])])
    print_report(result, args)
    if args.record:
        record(args.record, result, args)
    return result


# The figures `--repeat` gives the median of: (label, path into a run's result).
MEDIANS = (("acked/s", ("writes", "ack_rate")), ("ack p99 ms", ("writes", "ack_ms", "p99")),
           ("board p99 ms", ("writes", "board_ms", "p99")),
           ("worst workshop's board p99 ms", ("writes", "workshop_board_p99_max")),
           ("CPU ms/write", ("writes", "server_cpu_ms_per_write")),
           ("app frames/s", ("fanout", "app", "frames_per_s")),
           ("raw frames/s", ("fanout", "raw", "frames_per_s")))


def medians(results: list[dict[str, Any]]) -> str:
    cells = []
    for label, path in MEDIANS:
        values = []
        for r in results:
            value: Any = r
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, int | float):
                values.append(float(value))
        if values:
            cells.append(f"{label} {statistics.median(values):.1f} ({', '.join(f'{v:.1f}' for v in values)})")
    return "; ".join(cells)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = [one_run(args, argv) for _ in range(args.repeat)]
    if args.repeat > 1:
        print(f"\nMedians of {args.repeat} runs (each value in parentheses): {medians(results)}")
    if args.json:
        args.json.write_text(json.dumps(results if args.repeat > 1 else results[0], indent=2, default=str))
    losses = [r["loss"] for r in results]
    return 1 if any(loss["lost"] or loss["doubled"] or loss["stored_not_sent"] for loss in losses) else 0


if __name__ == "__main__":
    sys.exit(main())
