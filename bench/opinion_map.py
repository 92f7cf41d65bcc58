"""The carte des sensibilités's computing time (app/domain/opinion_map.py, issue 13, part 1).

    .venv/bin/python -m bench.opinion_map [--repeat 5] [--record bench/results.md]

For rooms of several sizes (participants × items), planted in 3 groups or uniform noise (the
generators of tests/unit/test_opinion_map.py): the time of one map from the answer sheets (PCA,
k-means for k = 2..4, the 19 shuffled rooms of the structure test, representativeness), median and
worst of the repeats, and what the map found. The server computes it once per set of ballots
(cached) and never while a vote is open, with OpenBLAS on one thread, as timed here. The machine's
load is printed beside the figures."""

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

from app.domain.opinion_map import opinion_map
from app.services.compute import single_threaded
from bench.login_timing import loadavg
from bench.postits import append_row, code_version, repeated_bench
from tests.unit.test_opinion_map import HIGH, planted, uniform

SIZES = ((16, 10), (30, 10), (80, 45), (200, 20))


# As the server computes it: numpy's maths library on one thread (app/services/compute.py).
opinion_map = single_threaded(opinion_map)


def run(repeat: int) -> dict[str, Any]:
    before = loadavg()
    opinion_map(planted(0, 16, 10, 2).values(), range(10), HIGH)  # imports and first calls
    rows = []
    for people, items in SIZES:
        for room, sheets in (("3 groups planted", planted(1, people, items, 3).values()),
                             ("uniform noise", uniform(1, people, items).values())):
            times, found = [], None
            for _ in range(repeat):
                started = time.perf_counter()
                found = opinion_map(sheets, range(items), HIGH)
                times.append((time.perf_counter() - started) * 1000)
            assert found is not None
            rows.append({"size": f"{people} × {items}", "room": room, "median": median(times),
                         "max": max(times), "found": f"{found.status} ({len(found.groups)} groups)"})
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": code_version(),
            "load_before": before, "load_after": loadavg(), "repeat": repeat, "rows": rows}


def report(r: dict[str, Any]) -> None:
    print(f"Cap Partagé carte des sensibilités — {r['date']} — code {r['code']}")
    print(f"  machine : {os.cpu_count()} cores, load average {r['load_before']} before, "
          f"{r['load_after']} after; {r['repeat']} runs each")
    for row in r["rows"]:
        print(f"  {row['size']:>9} {row['room']:<17}: median {row['median']:.0f} ms, worst "
              f"{row['max']:.0f} ms — {row['found']}")


RECORD_HEADER = ("\n| date | code | load avg before → after | runs | participants × items: median / worst ms "
                 "(planted 3 groups; uniform noise) |\n|---|---|---|---|---|\n")


def record(path: Path, r: dict[str, Any]) -> None:
    cells = "; ".join(f"{row['size']} {row['room']}: {row['median']:.0f} / {row['max']:.0f}"
                      for row in r["rows"])
    row = (f"| {r['date']} | {r['code']} | {r['load_before']} → {r['load_after']} | {r['repeat']} "
           f"| {cells} |\n")
    append_row(path, "`bench.opinion_map` runs", RECORD_HEADER, row)


def main(argv: list[str] | None = None) -> int:
    return repeated_bench(argv, "opinion_map", __doc__ or "", 5, "runs of each room", run, report, record)


if __name__ == "__main__":
    raise SystemExit(main())
