"""Post-it load benchmark: N participants post at an open-loop rate while B boards watch.

    .venv/bin/python -m bench.postits [--participants N] [--posts M] [--boards B] [--seconds T]
                                      [--rate R] [--baseline-seconds S] [--json PATH]

Starts its own uvicorn server (tests.support.run_server) on a fresh SQLite database in a
temporary directory, creates a facilitator and a workshop (prospective-10-ans), opens the
post-its activity, joins N participants (one httpx.AsyncClient each, own cookies) and connects
B board WebSockets. Then:

1. baseline: the same clients send GET /healthz at the same open-loop rate;
2. posts: the clients post post-its at R posts/s (each with a unique text marker and a fresh
   idempotency key), for T seconds or M posts per participant.

It measures the HTTP acknowledgement latency (send -> 201), the board latency (send -> first
frame on each board containing the marker), what was stored (rows of `item`), what was lost,
the server's RSS and CPU, and prints it all. Measurement only: nothing is asserted about
timing. Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
"""

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
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

from tests.support import (
    ROOT,
    Facilitator,
    Participant,
    Server,
    create_facilitator,
    migrate,
    run_server,
)

TEMPLATE = "prospective-10-ans"
CATEGORY = "social"
POSTITS_POSITION = 1
REQUEST_TIMEOUT = 30.0
JOIN_CONCURRENCY = 16
MAX_POSTS = 999_999  # the marker holds six digits
CLK_TCK = os.sysconf("SC_CLK_TCK")
LAG_PERIOD = 0.005
# The rate limits a bench needs, set on its server: every phone and screen comes from this one
# address, boards share one path, and a churn reconnects hundreds of screens at once.
LIMITS = {"JOIN_CODE_LIMITS": "10000/minute", "LOGIN_LIMITS": "10000/minute",
          "WRITE_LIMITS": "100000/minute", "WS_CONNECT_LIMITS": "100000/minute"}
now = time.perf_counter

# httpcore tries `import sniffio` on every lock it sets up; without sniffio installed, each
# failed import walks sys.path (~10% of this client's CPU). A None entry makes the import fail
# at once, which httpcore already treats as "asyncio". Client side only.
if importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]


# --------------------------------------------------------------------------- measurement helpers

def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (nan when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    values = sorted(s * 1000 for s in seconds)
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": values[-1] if values else math.nan}


def proc_status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def kib(pid: int, key: str) -> int:
    """A /proc status figure in KiB (VmRSS…), summed over the process and its descendants."""
    total = 0
    for member in family(pid):
        with contextlib.suppress(OSError):
            total += int(proc_status(member).get(key, "0 kB").split()[0])
    return total


def machine_busy_seconds() -> float:
    """CPU seconds spent on all cores (not idle, not iowait) since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


def all_processes_cpu() -> dict[int, tuple[str, float]]:
    """pid -> (command name, CPU seconds) of every process, to name who else used the CPU."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            raw = stat.read_text()
            fields = raw.rpartition(")")[2].split()
            out[int(stat.parent.name)] = (raw[raw.index("(") + 1:raw.rindex(")")],
                                          (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return out


def family(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's workers under `--workers`)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its descendants (all their threads), from /proc."""
    total = 0.0
    for member in family(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


@dataclass
class Phase:
    """Wall time and CPU of the client (this process) and of the server over one phase."""

    pid: int
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_cpu: float = 0.0
    others: dict[int, tuple[str, float]] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def _watch_loop(self, max_samples: int) -> None:
        # Event-loop lag of the client: if this grows, the client (not the server) is the limit.
        for _ in range(max_samples):
            start = now()
            await asyncio.sleep(LAG_PERIOD)
            self.lag.append(now() - start - LAG_PERIOD)

    def start(self, max_seconds: float) -> None:
        self.wall, self.client_cpu, self.server_cpu = now(), time.process_time(), cpu_seconds(self.pid)
        self.machine_cpu = machine_busy_seconds()
        self.others = all_processes_cpu()
        self._task = asyncio.create_task(self._watch_loop(int(max_seconds / LAG_PERIOD) + 1))

    async def stop(self) -> None:
        self.wall = now() - self.wall
        self.client_cpu = time.process_time() - self.client_cpu
        self.server_cpu = cpu_seconds(self.pid) - self.server_cpu
        self.machine_cpu = machine_busy_seconds() - self.machine_cpu
        before, self.others = self.others, {}
        ours = {*family(self.pid), os.getpid()}
        for pid, (name, cpu) in all_processes_cpu().items():
            if pid not in ours:
                self.others[pid] = (name, cpu - before.get(pid, (name, 0.0))[1])
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def report(self) -> dict[str, float]:
        wall = max(self.wall, 1e-9)
        lag = summary_ms(self.lag)
        return {"wall_s": self.wall, "server_cpu_s": self.server_cpu,
                "client_cpu_pct": 100 * self.client_cpu / wall,
                "server_cpu_pct": 100 * self.server_cpu / wall,
                # Everything else on the machine (other processes, kernel), in % of one core:
                # when this is high, the figures of this run are not comparable.
                "other_cpu_pct": 100 * (self.machine_cpu - self.server_cpu - self.client_cpu) / wall,
                "top_others": [f"{name}[{pid}] {100 * cpu / wall:.0f}%" for pid, (name, cpu) in
                               sorted(self.others.items(), key=lambda kv: -kv[1][1])[:3]
                               if cpu / wall > 0.02],
                "client_loop_lag_p99_ms": lag["p99"], "client_loop_lag_max_ms": lag["max"]}


# --------------------------------------------------------------------------------- load drivers

@dataclass
class Sample:
    seq: int
    target: float
    sent: float = 0.0
    done: float = 0.0
    status: int | None = None
    error: str | None = None


async def timed(sample: Sample, request: Awaitable[httpx.Response], expect: int) -> None:
    sample.sent = now()
    try:
        response = await request
    except httpx.HTTPError as exc:
        sample.done, sample.error = now(), type(exc).__name__
        return
    sample.done, sample.status = now(), response.status_code
    if response.status_code != expect:
        sample.error = f"HTTP {response.status_code}: {response.text[:100]!r}"


async def open_loop(count: int, rate: float, fire: Callable[[Sample], Awaitable[None]],
                    max_inflight: int, send_cap: float) -> tuple[list[Sample], int]:
    """Start request i at t0 + i/rate, whatever the previous ones are doing (open loop).

    Bounded: at most `count` requests, at most `max_inflight` at once, and no new request
    after `send_cap` seconds. Returns the samples and how many were never sent.
    """
    samples: list[Sample] = []
    inflight: set[asyncio.Task[None]] = set()
    slots = asyncio.Semaphore(max_inflight)
    t0 = now() + 0.05

    def finished(task: asyncio.Task[None]) -> None:
        inflight.discard(task)
        slots.release()

    for i in range(count):
        target = t0 + i / rate
        delay = target - now()
        if delay > 0:
            await asyncio.sleep(delay)
        remaining = t0 + send_cap - now()
        if remaining <= 0:
            break
        try:
            await asyncio.wait_for(slots.acquire(), remaining)
        except TimeoutError:
            break
        sample = Sample(i, target)
        samples.append(sample)
        task = asyncio.create_task(fire(sample))
        inflight.add(task)
        task.add_done_callback(finished)
    if inflight:
        await asyncio.wait(set(inflight), timeout=REQUEST_TIMEOUT + 5)
    return samples, count - len(samples)


class Screen:
    """One live WebSocket (board, control or participant page).

    With a pattern (boards), records when each post-it marker first shows in a frame."""

    def __init__(self, url: str, pattern: re.Pattern[str] | None, compression: str | None,
                 headers: dict[str, str] | None = None) -> None:
        self.url, self.pattern, self.compression = url, pattern, compression
        self.headers = headers or {}
        self.seen: dict[str, float] = {}
        self.frames = self.bytes = self.max_frame = 0
        self.scan_seconds = 0.0
        self.extensions = ""
        self.closed: str | None = None
        self.ready = asyncio.Event()

    def _scan(self, frame: str | bytes, at: float) -> None:
        started = now()
        if isinstance(frame, bytes):
            frame = frame.decode()
        self.frames += 1
        self.bytes += len(frame)
        self.max_frame = max(self.max_frame, len(frame))
        if self.pattern is None:
            return
        for marker in set(self.pattern.findall(frame)) - self.seen.keys():
            self.seen[marker] = at
        self.scan_seconds += now() - started

    async def run(self, max_frames: int) -> None:
        try:
            async with connect(self.url, compression=self.compression, max_size=None, proxy=None,
                               open_timeout=10, ping_interval=None,
                               additional_headers=self.headers) as sock:
                self.extensions = sock.response.headers.get("Sec-WebSocket-Extensions", "")
                self._scan(await asyncio.wait_for(sock.recv(), 10), now())
                self.ready.set()
                for _ in range(max_frames):
                    frame = await sock.recv()
                    self._scan(frame, now())
        except ConnectionClosed as exc:
            self.closed = f"closed {exc.rcvd.code} {exc.rcvd.reason}" if exc.rcvd else f"closed {exc}"
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            self.closed = repr(exc)
        finally:
            self.ready.set()


# ------------------------------------------------------------------------------------- scenario

@dataclass
class Setup:
    server: Server
    code: str
    board_key: str
    workshop_id: int
    activity_id: int
    group_id: int
    facilitator_cookie: str


def cookie_header(cookies: httpx.Cookies) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


async def open_screens(screens: list[Screen]) -> list[asyncio.Task[None]]:
    """Start the screens a few at a time; returns their reader tasks once all are ready."""
    tasks = []
    for start in range(0, len(screens), JOIN_CONCURRENCY):
        batch = screens[start:start + JOIN_CONCURRENCY]
        tasks += [asyncio.create_task(s.run(max_frames=1_000_000)) for s in batch]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in batch)), 15)
    return tasks


async def join_all(setup: Setup, n: int) -> list[httpx.AsyncClient]:
    gate = asyncio.Semaphore(JOIN_CONCURRENCY)

    async def join(i: int) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=setup.server.url, timeout=REQUEST_TIMEOUT,
                                   follow_redirects=False, trust_env=False, verify=False)
        async with gate:
            r = await client.post(f"/j/{setup.code}", data={"name": f"Bench {i}"})
        if r.status_code != 303:
            raise RuntimeError(f"join {i} failed: {r.status_code} {r.text[:200]}")
        return client

    return list(await asyncio.gather(*[join(i) for i in range(n)]))


def pick_totals(args: argparse.Namespace) -> tuple[int, float]:
    """(number of posts, sending window in seconds)."""
    if args.posts:
        total = args.participants * args.posts
        return total, total / args.rate
    return int(args.rate * args.seconds), args.seconds


async def scenario(setup: Setup, args: argparse.Namespace) -> dict[str, Any]:
    pid = setup.server.process.pid
    run_id = secrets.token_hex(3)
    pattern = re.compile(rf"cp{run_id}-(\d{{6}})")
    result: dict[str, Any] = {}

    t = now()
    clients = await join_all(setup, args.participants)
    result["join_s"] = now() - t
    try:
        compression = None if args.no_client_compression else "deflate"
        ws = setup.server.ws_url
        boards = [Screen(f"{ws}/ws/board/{setup.board_key}", pattern, compression)
                  for _ in range(args.boards)]
        others = [Screen(f"{ws}/ws/control/{setup.workshop_id}", None, compression,
                         {"Cookie": setup.facilitator_cookie}) for _ in range(args.control_screens)]
        if args.participant_sockets:
            others += [Screen(f"{ws}/ws/p/{setup.code}", None, compression,
                              {"Cookie": cookie_header(c.cookies)}) for c in clients]
        result["rss_before_screens_kib"] = kib(pid, "VmRSS")
        watchers = await open_screens(boards + others)
        result["ws_extensions"] = sorted({b.extensions or "(none)" for b in boards})
        result["rss_after_setup_kib"] = kib(pid, "VmRSS")

        # 1. Baseline: same clients, same open-loop rate, trivial endpoint.
        base_count = int(args.rate * args.baseline_seconds)
        phase = Phase(pid)
        phase.start(args.baseline_seconds + REQUEST_TIMEOUT + 20)

        def healthz(s: Sample) -> Awaitable[None]:
            return timed(s, clients[s.seq % len(clients)].get("/healthz"), 200)

        base, base_unsent = await open_loop(base_count, args.rate, healthz, args.max_inflight,
                                            args.baseline_seconds + 10)
        await phase.stop()
        result["baseline"] = {
            "sent": len(base), "unsent": base_unsent,
            "ok": sum(s.status == 200 for s in base),
            "errors": dict(Counter(s.error for s in base if s.error)),
            "latency_ms": summary_ms([s.done - s.sent for s in base if s.status == 200]),
            "schedule_lag_ms": summary_ms([s.sent - s.target for s in base]),
            **phase.report(),
        }

        # 2. Posts: unique marker, fresh idempotency key, category and sub-group.
        total, window = pick_totals(args)
        path = f"/p/{setup.code}/activities/{setup.activity_id}/items"
        phase = Phase(pid)
        phase.start(window + 10 + REQUEST_TIMEOUT + args.drain + 20)

        def post(s: Sample) -> Awaitable[None]:
            body = f"cp{run_id}-{s.seq:06d} facteur de changement n° {s.seq}"
            data = {"text": body, "idempotency_key": secrets.token_hex(16),
                    "category": CATEGORY, "group_id": str(setup.group_id)}
            return timed(s, clients[s.seq % len(clients)].post(path, data=data), 201)

        posts, unsent = await open_loop(total, args.rate, post, args.max_inflight, window + 10)
        sent_at = {f"{s.seq:06d}": s.sent for s in posts}
        acked = {f"{s.seq:06d}" for s in posts if s.status == 201}
        # Drain: wait (bounded) until every live board has shown every acknowledged post-it.
        for _ in range(int(args.drain / 0.05)):
            if all(acked <= b.seen.keys() or b.closed for b in boards):
                break
            await asyncio.sleep(0.05)
        await phase.stop()
        result["rss_end_kib"] = kib(pid, "VmRSS")
        result["rss_peak_kib"] = kib(pid, "VmHWM")
        result["server_threads"] = int(proc_status(pid).get("Threads", "0"))

        acks = [s for s in posts if s.status == 201]
        first = min((s.sent for s in posts), default=0.0)
        last_ack = max((s.done for s in acks), default=first)
        last_send = max((s.sent for s in posts), default=first)
        board_lat = [b.seen[m] - sent_at[m] for b in boards for m in b.seen if m in sent_at]
        result["posts"] = {
            "planned": total, "window_s": window, "sent": len(posts), "unsent": unsent,
            "acked_201": len(acks),
            "errors": dict(Counter(s.error for s in posts if s.error)),
            "offered_rate": (len(posts) - 1) / (last_send - first) if last_send > first else math.nan,
            "ack_throughput": len(acks) / (last_ack - first) if last_ack > first else math.nan,
            "ack_ms": summary_ms([s.done - s.sent for s in acks]),
            "ack_from_schedule_ms": summary_ms([s.done - s.target for s in acks]),
            "schedule_lag_ms": summary_ms([s.sent - s.target for s in posts]),
            "board_ms": summary_ms(board_lat),
            "boards": [{"seen": len(b.seen.keys() & sent_at.keys()),
                        "acked_not_seen": len(acked - b.seen.keys()),
                        "frames": b.frames, "max_frame_kb": b.max_frame / 1000,
                        "mean_frame_kb": b.bytes / max(b.frames, 1) / 1000,
                        "client_scan_s": b.scan_seconds, "closed": b.closed} for b in boards],
            "other_screens": {"count": len(others),
                              "frames": sum(o.frames for o in others),
                              "closed": dict(Counter(o.closed for o in others if o.closed))},
            **phase.report(),
        }
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    return result


def code_version() -> str:
    """The commit under test, and whether the server's code differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--", "app", "migrations", "sessions", "tests/support.py")
    except (OSError, subprocess.SubprocessError):
        return "unknown (git unavailable)"
    if not commit:
        return f"unknown ({ROOT} is not a git checkout)"
    n = len(changed.splitlines())
    return f"{commit}" + (f" + {n} uncommitted change(s) in app/migrations/sessions" if n else " (clean)")


def count_items(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT count(*), count(DISTINCT client_key) FROM item")).one()
    finally:
        engine.dispose()
    return int(row[0]), int(row[1])


def server_log_problems(log: Path, after: int = 15, most: int = 60) -> tuple[int, list[str]]:
    """How many lines look like an error, and an excerpt: each of them with the lines after it
    (a traceback's frames), `most` lines at most."""
    lines = log.read_text(errors="replace").splitlines()
    bad = [n for n, line in enumerate(lines) if re.search(r"Traceback|ERROR|Exception|CRITICAL", line)]
    shown = sorted({m for n in bad for m in range(n, min(n + after + 1, len(lines)))})[:most]
    return len(bad), [lines[m] for m in shown]


# -------------------------------------------------------------------------------------- output

def fmt_lat(d: dict[str, float]) -> str:
    return (f"p50 {d['p50']:8.1f}  p95 {d['p95']:8.1f}  p99 {d['p99']:8.1f}  max {d['max']:8.1f} ms"
            f"  (n={d['n']})")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b and not math.isnan(a) and not math.isnan(b) else "n/a"


def print_report(r: dict[str, Any], args: argparse.Namespace) -> None:
    base, posts = r["baseline"], r["posts"]
    print()
    print(f"Cap Partagé post-its bench — {r['date']}")
    print(f"  command       : {r['command']}")
    print(f"  code          : {r['code']}   ({ROOT})")
    print(f"  participants  : {args.participants}   boards: {args.boards}   control screens: "
          f"{args.control_screens}   participant sockets: {'yes' if args.participant_sockets else 'no'}")
    print(f"  target rate   : {args.rate:g}/s   window: {posts['window_s']:.1f} s   push interval: "
          f"{args.push_interval or 'server default (0.1)'} s")
    print(f"  ws deflate    : server {args.server_deflate}, client "
          f"{'off' if args.no_client_compression else 'offered'} -> {', '.join(r['ws_extensions'])}")
    print(f"  setup         : join {args.participants} participants {r['join_s']:.2f} s")
    print()
    print(f"baseline GET /healthz ({base['sent']} sent, {base['ok']} ok, unsent {base['unsent']}, "
          f"errors {base['errors'] or 0})")
    print(f"  latency       : {fmt_lat(base['latency_ms'])}")
    print(f"  server CPU    : {1000 * base['server_cpu_s'] / max(base['ok'], 1):.2f} ms per request")
    print(f"  CPU           : server {base['server_cpu_pct']:.0f}%   client {base['client_cpu_pct']:.0f}%"
          f"   rest of machine {base['other_cpu_pct']:.0f}%   (of one core; {os.cpu_count()} cores)"
          f"   client loop lag p99 {base['client_loop_lag_p99_ms']:.1f} ms")
    print(f"  other procs   : {', '.join(base['top_others']) or 'none above 2%'}")
    print()
    print("posts")
    print(f"  sent          : {posts['sent']} of {posts['planned']} planned (unsent {posts['unsent']})")
    print(f"  acked 201     : {posts['acked_201']}   errors: {posts['errors'] or 0}")
    print(f"  stored (item) : {r['stored']} rows, {r['stored_distinct_keys']} distinct keys")
    print(f"  lost          : {posts['sent'] - r['stored']} sent but not stored; "
          f"{max(0, posts['acked_201'] - r['stored'])} acked but not stored; "
          f"board: {[b['acked_not_seen'] for b in posts['boards']]} acked but never shown")
    print(f"  throughput    : offered {posts['offered_rate']:.1f}/s, acknowledged "
          f"{posts['ack_throughput']:.1f}/s")
    print(f"  ack latency   : {fmt_lat(posts['ack_ms'])}")
    print(f"  ack from plan : {fmt_lat(posts['ack_from_schedule_ms'])}")
    print(f"  send lag      : {fmt_lat(posts['schedule_lag_ms'])}")
    print(f"  board latency : {fmt_lat(posts['board_ms'])}")
    print(f"  server CPU    : {1000 * posts['server_cpu_s'] / max(posts['acked_201'], 1):.2f} ms per acked "
          "post (board pushes included)")
    for i, b in enumerate(posts["boards"]):
        print(f"  board {i}       : {b['frames']} frames, mean {b['mean_frame_kb']:.0f} kB, "
              f"max {b['max_frame_kb']:.0f} kB, client scan {b['client_scan_s']:.2f} s"
              + (f", {b['closed']}" if b["closed"] else ""))
    print(f"  CPU           : server {posts['server_cpu_pct']:.0f}%   client {posts['client_cpu_pct']:.0f}%"
          f"   rest of machine {posts['other_cpu_pct']:.0f}%   client loop lag p99 "
          f"{posts['client_loop_lag_p99_ms']:.1f} ms, max {posts['client_loop_lag_max_ms']:.1f} ms")
    print(f"  other procs   : {', '.join(posts['top_others']) or 'none above 2%'}")
    other = posts["other_screens"]
    if other["count"]:
        print(f"  other screens : {other['count']} (control/participant), {other['frames']} frames"
              + (f", closed: {other['closed']}" if other["closed"] else ""))
    print(f"  server memory : RSS {r['rss_before_screens_kib'] / 1024:.0f} MiB before screens, "
          f"{r['rss_after_setup_kib'] / 1024:.0f} MiB after setup, "
          f"{r['rss_end_kib'] / 1024:.0f} MiB at end, peak {r['rss_peak_kib'] / 1024:.0f} MiB; "
          f"{r['server_threads']} threads")
    print()
    print("ratios vs baseline (post ack / healthz)")
    print(f"  p50 {ratio(posts['ack_ms']['p50'], base['latency_ms']['p50'])}   "
          f"p99 {ratio(posts['ack_ms']['p99'], base['latency_ms']['p99'])}")
    print()
    print(f"server log: {r['log_problem_lines']} suspicious lines ({r['log_lines']} lines)")
    if r["log_problem_lines"]:
        print("---- server log, where it looks wrong ----")
        print("\n".join(r["log_tail"]))
        print("-------------------------")


# ---------------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.postits", description=__doc__.split("\n\n")[0])
    p.add_argument("--participants", type=int, default=100, help="participants (default 100)")
    p.add_argument("--posts", type=int, default=0,
                   help="posts per participant; overrides --seconds (default: rate x seconds in all)")
    p.add_argument("--boards", type=int, default=1, help="board WebSockets (default 1)")
    p.add_argument("--seconds", type=float, default=10, help="sending window (default 10)")
    p.add_argument("--rate", type=float, default=200, help="target posts/s, open loop (default 200)")
    p.add_argument("--baseline-seconds", type=float, default=None,
                   help="GET /healthz window at the same rate (default min(seconds, 5))")
    p.add_argument("--control-screens", type=int, default=0,
                   help="facilitator control pages open on /ws/control (default 0)")
    p.add_argument("--participant-sockets", action="store_true",
                   help="every participant also holds its page's WebSocket, as phones do")
    p.add_argument("--max-inflight", type=int, default=2000, help="cap on requests in flight")
    p.add_argument("--drain", type=float, default=15, help="max wait for the boards after the last ack")
    p.add_argument("--push-interval", type=float, default=None, help="server PUSH_INTERVAL (s)")
    p.add_argument("--server-deflate", choices=("on", "off"), default="off",
                   help="uvicorn WebSocket per-message-deflate (on: uvicorn's default)")
    p.add_argument("--no-client-compression", action="store_true",
                   help="boards do not offer permessage-deflate (browsers do)")
    p.add_argument("--json", type=Path, help="also write the raw results there")
    args = p.parse_args(argv)
    if args.baseline_seconds is None:
        args.baseline_seconds = min(args.seconds, 5)
    if min(args.participants, args.boards, args.rate, args.seconds, args.max_inflight) <= 0:
        p.error("participants, boards, rate, seconds and max-inflight must be positive")
    if args.control_screens < 0 or args.posts < 0:
        p.error("control-screens and posts cannot be negative")
    if pick_totals(args)[0] > MAX_POSTS:
        p.error(f"at most {MAX_POSTS} posts")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    code = code_version()
    extra_env = dict(LIMITS)
    if args.push_interval is not None:
        extra_env["PUSH_INTERVAL"] = str(args.push_interval)
    if args.server_deflate == "on":
        extra_env["UVICORN_WS_PER_MESSAGE_DEFLATE"] = "true"
    with tempfile.TemporaryDirectory(prefix="cap-bench-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(database_url)
        with run_server(database_url, Path(tmp), name="bench", extra_env=extra_env) as server:
            fac = Facilitator(server.url, create_facilitator(database_url))
            ws = fac.create_workshop(TEMPLATE, title="Bench post-its")
            activity_id = fac.open_postits(ws["id"], POSTITS_POSITION)
            probe = Participant(server.url, ws["code"], name="probe")
            setup = Setup(server, ws["code"], ws["board_key"], ws["id"], activity_id,
                          probe.first_group_id(), cookie_header(fac.client.cookies))
            fac.client.close()
            probe.client.close()
            result = asyncio.run(scenario(setup, args))
        # The server has exited: its log is complete.
        result["stored"], result["stored_distinct_keys"] = count_items(database_url)
        problems, tail = server_log_problems(server.log)
        result["log_problem_lines"], result["log_tail"] = problems, tail
        result["log_lines"] = len(server.log.read_text(errors="replace").splitlines())
    result["code"] = code
    result["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["command"] = " ".join([".venv/bin/python -m bench.postits", *(argv or sys.argv[1:])])
    result["args"] = {k: str(v) for k, v in vars(args).items()}
    print_report(result, args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def append_row(path: Path, title: str, header: str, row: str) -> None:
    """A results row appended to `path`, under its own table: when the file's last table is
    another bench's (or a paragraph came since), the header goes down again first, under `title`."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    head = header.lstrip("\n")
    last_header = text.rfind("\n| date |")
    ours = last_header >= 0 and text.startswith(head, last_header + 1)
    tail = text[last_header + 1 + len(head):] if ours else ""
    if not ours or any(line and not line.startswith("|") for line in tail.splitlines()):
        text += f"\n## {title}\n" + header
    path.write_text(text + row, encoding="utf-8")


def repeated_bench(argv: list[str] | None, name: str, doc: str, default: int, what: str,
                   run: Callable[[int], dict[str, Any]], report: Callable[[dict[str, Any]], None],
                   record: Callable[[Path, dict[str, Any]], None]) -> int:
    """The command line of a bench that times `--repeat` runs and may `--record` its row."""
    p = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=doc.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=default, help=f"{what} (default {default})")
    p.add_argument("--record", type=Path, help="append this run's row to that Markdown file")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat: at least 1")
    result = run(args.repeat)
    report(result)
    if args.record:
        record(args.record, result)
    return 0
