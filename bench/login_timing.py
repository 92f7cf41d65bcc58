"""The login's time for an unknown e-mail against a wrong password (issue 11, point 7).

    .venv/bin/python -m bench.login_timing [--attempts 200] [--record bench/results.md]

A server of its own (fresh SQLite, one worker) with one facilitator account. N failed logins of
each kind, interleaved (the order swapped every round so that neither kind always goes first):
the account's e-mail with a wrong password, and an unknown e-mail of the same length (a new one
each time). One keep-alive connection, one request at a time: each latency is one login's own.
All attempts come from 127.0.0.1, so the server runs with LOGIN_LIMITS lifted to 10000/minute
(`bench.postits.LIMITS`): under the production limit (5 failures a minute per account and per
client) the 6th attempt would be answered 429 without checking any password. Measurement only;
the machine's load is printed beside the figures, as another process's work shifts them.
"""

import argparse
import os
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from typing import Any

import httpx

from bench.postits import LIMITS, append_row, code_version, machine_busy_seconds, percentile
from tests.support import create_facilitator, migrate, run_server

WARM_UP = 5  # attempts of each kind, not counted: the first argon2 run, the first queries


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def attempt(client: httpx.Client, email: str) -> float:
    started = time.perf_counter()
    r = client.post("/login", data={"email": email, "password": "pas-le-bon-mot-de-passe"})
    elapsed = time.perf_counter() - started
    if r.status_code != 401:
        raise RuntimeError(f"login answered {r.status_code}, not 401: {r.text[:200]}")
    return elapsed


def measure(url: str, email: str, attempts: int) -> dict[str, list[float]]:
    at = email.index("@")

    def unknown() -> str:
        """An address of the account's length and domain (the page echoes the e-mail typed)."""
        return secrets.token_hex(at)[:at] + email[at:]

    times: dict[str, list[float]] = {"wrong password": [], "unknown e-mail": []}
    with httpx.Client(base_url=url, headers={"Origin": url}, timeout=30, trust_env=False) as client:
        for n in range(WARM_UP + attempts):
            kinds = [("wrong password", email), ("unknown e-mail", unknown())]
            for kind, address in kinds if n % 2 == 0 else reversed(kinds):
                elapsed = attempt(client, address)
                if n >= WARM_UP:
                    times[kind].append(elapsed)
    return times


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(v * 1000 for v in values)
    return {"p50": percentile(ordered, 50), "p90": percentile(ordered, 90), "mean": fmean(ordered),
            "min": ordered[0], "max": ordered[-1]}


def run(attempts: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cap-login-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(database_url)
        with run_server(database_url, Path(tmp), name="login", extra_env=LIMITS) as server:
            email = create_facilitator(database_url)
            before, busy, started = loadavg(), machine_busy_seconds(), time.monotonic()
            times = measure(server.url, email, attempts)
            busy_pct = (machine_busy_seconds() - busy) / (time.monotonic() - started) * 100
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": code_version(),
            "load_before": before, "load_after": loadavg(), "busy_pct": busy_pct,
            "attempts": attempts, **{kind: summary(v) for kind, v in times.items()}}


def report(r: dict[str, Any]) -> None:
    wrong, unknown = r["wrong password"], r["unknown e-mail"]
    print(f"Cap Partagé login timing — {r['date']} — code {r['code']}")
    print(f"  machine        : {os.cpu_count()} cores, load average {r['load_before']} before, "
          f"{r['load_after']} after; {r['busy_pct']:.0f} % of one core busy during the run "
          "(server, this client and anyone else)")
    print(f"  attempts       : {r['attempts']} of each kind, interleaved, after {WARM_UP} of each "
          "to warm up; one connection; LOGIN_LIMITS lifted to 10000/minute")
    for name, s in (("wrong password", wrong), ("unknown e-mail", unknown)):
        print(f"  {name:<15}: median {s['p50']:.1f} ms, p90 {s['p90']:.1f} ms, mean {s['mean']:.1f} ms, "
              f"min {s['min']:.1f} ms, max {s['max']:.1f} ms")
    print(f"  unknown / wrong: median {unknown['p50'] / wrong['p50']:.3f}, "
          f"p90 {unknown['p90'] / wrong['p90']:.3f}")


RECORD_HEADER = (
    "\n| date | code | load avg before → after | attempts of each | wrong password p50 / p90 ms "
    "| unknown e-mail p50 / p90 ms | unknown / wrong p50, p90 |\n|---|---|---|---|---|---|---|\n")


def record(path: Path, r: dict[str, Any]) -> None:
    wrong, unknown = r["wrong password"], r["unknown e-mail"]
    row = (f"| {r['date']} | {r['code']} | {r['load_before']} → {r['load_after']} | {r['attempts']} "
           f"| {wrong['p50']:.1f} / {wrong['p90']:.1f} | {unknown['p50']:.1f} / {unknown['p90']:.1f} "
           f"| {unknown['p50'] / wrong['p50']:.3f}, {unknown['p90'] / wrong['p90']:.3f} |\n")
    append_row(path, "`bench.login_timing` runs", RECORD_HEADER, row)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.login_timing", description=__doc__.split("\n\n")[0])
    p.add_argument("--attempts", type=int, default=200, help="failed logins of each kind (default 200)")
    p.add_argument("--smoke", action="store_true", help="10 of each (make test)")
    p.add_argument("--record", type=Path, help="append this run's row to that Markdown file")
    args = p.parse_args(argv)
    attempts = 10 if args.smoke else args.attempts
    if attempts < 1:
        p.error("--attempts: at least 1")
    result = run(attempts)
    report(result)
    if args.record:
        record(args.record, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
