"""Other screens' latency while one client reconnects in a loop (issue 11, point 2).

    .venv/bin/python -m bench.reconnect [--phones 50] [--seconds 8] [--rate 5]

A server of its own (fresh SQLite) has one board and N phones on their page's WebSocket. The
facilitator sets the countdown `--rate` times a second, each time to another value, which every
screen receives as its small timer fragment: a screen's latency is from the facilitator's request
sent to the first frame showing that value. Two phases of `--seconds`: quiet, then while one more
client opens the board's WebSocket in a loop, the next attempt as soon as the last one ended.
Run twice: with the production connection limit (WS_CONNECT_LIMITS' default), then with it
lifted, to see what the limit saves the others. Measurement only; everything on 127.0.0.1.
"""

import argparse
import asyncio
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from app.config import Settings
from bench.load import Listening
from bench.postits import LIMITS, cookie_header, now, summary_ms
from tests.support import Facilitator, Participant, create_facilitator, migrate, run_server

BASE_SECONDS = 1000  # tick k sets the countdown to BASE_SECONDS + STEP * k
STEP = 10
FIRST_LOOPING_TICK = 500  # the countdown stays within its 3 hours
REMAINING = re.compile(r'data-remaining="(\d+)"')


@dataclass
class Screen(Listening):
    """A screen that records when each tick's countdown first shows in its frames."""

    seen: dict[int, float] = field(default_factory=dict)

    def _read(self, frame: str | bytes) -> None:
        at = now()
        body = frame.decode() if isinstance(frame, bytes) else frame
        for value in REMAINING.findall(body):
            tick = round((int(value) - BASE_SECONDS) / STEP)
            self.seen.setdefault(tick, at)


async def reconnect_loop(url: str, stop: asyncio.Event) -> Counter[str]:
    """Open the board's WebSocket again and again; how each attempt ended."""
    outcomes: Counter[str] = Counter()
    while not stop.is_set():
        try:
            async with connect(url, proxy=None, max_size=None, open_timeout=10) as sock:
                await asyncio.wait_for(sock.recv(), 10)
            outcomes["accepted"] += 1
        except InvalidStatus as refused:
            outcomes[f"refused {refused.response.status_code}"] += 1
        except (ConnectionClosed, OSError, TimeoutError, InvalidHandshake) as exc:
            outcomes[type(exc).__name__] += 1
    return outcomes


async def phase(fac: httpx.AsyncClient, workshop_id: int, screens: list[Screen], first_tick: int,
                args: argparse.Namespace, loop_url: str | None) -> dict[str, Any]:
    stop = asyncio.Event()
    looping = asyncio.create_task(reconnect_loop(loop_url, stop)) if loop_url else None
    sent: dict[int, float] = {}
    ticks = int(args.rate * args.seconds)
    started = now()
    for k in range(first_tick, first_tick + ticks):
        await asyncio.sleep(max(0.0, started + (k - first_tick) / args.rate - now()))
        sent[k] = now()
        r = await fac.post(f"/f/workshops/{workshop_id}/timer", data={"seconds": BASE_SECONDS + STEP * k})
        r.raise_for_status()
    await asyncio.sleep(1.0)
    stop.set()
    outcomes = await looping if looping else Counter()
    latencies = [s.seen[k] - at for s in screens for k, at in sent.items() if k in s.seen]
    # A change a screen never showed is missed only if it never showed a later one either: the hub
    # sends a screen its newest state, so a change overtaken while a push waited is not lost.
    missed = sum(1 for s in screens for k in sent
                 if k not in s.seen and not any(j > k for j in s.seen))
    overtaken = sum(1 for s in screens for k in sent if k not in s.seen) - missed
    elapsed = now() - started
    return {"latency_ms": summary_ms(latencies), "missed": missed, "overtaken": overtaken,
            "loop": dict(outcomes), "loop_per_s": sum(outcomes.values()) / elapsed}


async def scenario(server: Any, args: argparse.Namespace) -> dict[str, Any]:
    fac = Facilitator(server.url, create_facilitator(server.database_url))
    ws = fac.create_workshop()
    fac.open_postits(ws["id"])
    phones = [Participant(server.url, ws["code"]) for _ in range(args.phones)]
    board_url = f"{server.ws_url}/ws/board/{ws['board_key']}"
    screens = [Screen(board_url)] + [
        Screen(f"{server.ws_url}/ws/p/{ws['code']}", {"Cookie": p.cookie_header}) for p in phones]
    tasks = [asyncio.create_task(s.run()) for s in screens]
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in screens)), 60)
    client = httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30,
                               headers={"Cookie": cookie_header(fac.client.cookies), "Origin": server.url})
    try:
        quiet = await phase(client, ws["id"], screens, 0, args, None)
        looping = await phase(client, ws["id"], screens, FIRST_LOOPING_TICK, args, board_url)
    finally:
        await client.aclose()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"quiet": quiet, "looping": looping,
            "closed": dict(Counter(s.closed for s in screens if s.closed))}


def run(args: argparse.Namespace, ws_limit: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cap-reconnect-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(database_url)
        env = {**LIMITS, "WS_CONNECT_LIMITS": ws_limit}
        with run_server(database_url, Path(tmp), name="reconnect", extra_env=env) as server:
            return asyncio.run(scenario(server, args))


def line(name: str, r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    loop = ", ".join(f"{k} {v}" for k, v in sorted(r["loop"].items())) or "-"
    return (f"  {name:<8} others' latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
            f"max {lat['max']:.0f} ms ({lat['n']} frames, {r['overtaken']} overtaken, "
            f"{r['missed']} missed); "
            f"loop {r['loop_per_s']:.1f} attempts/s ({loop})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.reconnect", description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", type=int, default=50)
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--rate", type=float, default=5, help="countdown changes/s (default 5)")
    args = p.parse_args(argv)
    if not 0 < args.rate * args.seconds <= FIRST_LOOPING_TICK - 1 or args.phones < 0:
        p.error(f"rate × seconds: from 1 to {FIRST_LOOPING_TICK - 1} changes a phase")
    production = str(Settings.model_fields["ws_connect_limits"].default)
    for title, limit in ((f"WS_CONNECT_LIMITS={production} (production)", production),
                         ("WS_CONNECT_LIMITS=1000000/minute (lifted)", "1000000/minute")):
        result = run(args, limit)
        print(f"{title}: 1 board + {args.phones} phones, {args.rate:g} changes/s, {args.seconds:g} s a phase")
        print(line("quiet", result["quiet"]))
        print(line("looping", result["looping"]))
        if result["closed"]:
            print(f"  screens closed: {result['closed']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
