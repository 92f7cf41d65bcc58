"""Grouping suggestions (issue 13, part 2): their quality on the labelled post-its, and their time.

    .venv/bin/python -m bench.grouping [--repeat 30] [--record bench/results.md]

Quality: `app.domain.similar_notes.suggest` on the 167 post-its of tests/data/postits_groups.yaml;
a suggested pair is two notes in one suggestion, a true pair two notes of one true group;
precision = suggested pairs that are true / suggested pairs, recall = true pairs suggested / true
pairs, at several thresholds, for average linkage (what the app uses) and for single linkage
(connected components of the pairs above the threshold), the comparison the choice rests on.
Time: `suggest` on 80 of those post-its (a fixed shuffle), `--repeat` times after one warm-up
call (which pays the imports); median and p95. No server, one process; the machine's load average
is printed before and after, as another process's work shifts the times.
"""

import itertools
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

import yaml

from app.domain.similar_notes import DEFAULT_THRESHOLD, Suggestion, suggest
from bench.login_timing import loadavg
from bench.postits import append_row, code_version, percentile, repeated_bench

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "postits_groups.yaml"
THRESHOLDS = tuple(sorted({0.3, 0.35, 0.4, 0.45, 0.5, DEFAULT_THRESHOLD, 0.6, 0.65}))
TIMED_NOTES = 80


def labelled() -> tuple[list[tuple[int, str]], dict[int, str]]:
    """The labelled post-its as (id, text), and each id's true group."""
    rows = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["notes"]
    notes = [(i, row["text"]) for i, row in enumerate(rows, 1)]
    return notes, {i: row["group"] for i, row in enumerate(rows, 1)}


def pairs(groups: Sequence[Sequence[int]]) -> set[frozenset[int]]:
    return {frozenset(pair) for group in groups for pair in itertools.combinations(group, 2)}


def quality(suggestions: list[Suggestion], truth: dict[int, str]) -> dict[str, float]:
    """Precision, recall and F1 of the suggested pairs against the true groups."""
    members: dict[str, list[int]] = {}
    for note_id, group in truth.items():
        members.setdefault(group, []).append(note_id)
    true = pairs(list(members.values()))
    suggested = pairs([s.ids for s in suggestions])
    hits = len(suggested & true)
    precision = hits / len(suggested) if suggested else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "suggested": len(suggested), "true": len(true)}


def run(repeat: int) -> dict[str, Any]:
    before = loadavg()
    notes, truth = labelled()
    table = {
        (linkage, threshold): quality(suggest(notes, threshold, linkage=linkage), truth)
        for linkage in ("average", "single")
        for threshold in THRESHOLDS
    }
    timed = random.Random(13).sample(notes, TIMED_NOTES)
    suggest(timed)
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        suggest(timed)
        seconds.append(time.perf_counter() - start)
    ms = sorted(s * 1000 for s in seconds)
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": code_version(),
            "load_before": before, "load_after": loadavg(), "notes": len(notes), "table": table,
            "default": table[("average", DEFAULT_THRESHOLD)], "repeat": repeat,
            "p50": median(ms), "p95": percentile(ms, 95)}


def report(r: dict[str, Any]) -> None:
    print(f"bench.grouping at {r['code']}, {r['notes']} labelled post-its, {r['default']['true']} true pairs")
    print("  linkage  threshold  pairs  precision  recall   F1")
    for (linkage, threshold), q in r["table"].items():
        mark = "  (default)" if linkage == "average" and threshold == DEFAULT_THRESHOLD else ""
        print(f"  {linkage:8} {threshold:9.2f} {q['suggested']:6} {q['precision']:10.3f} {q['recall']:7.3f}"
              f" {q['f1']:6.3f}{mark}")
    print(f"  time for {TIMED_NOTES} post-its: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms"
          f" over {r['repeat']} calls")
    print(f"  load average {r['load_before']} before, {r['load_after']} after")


RECORD_HEADER = ("\n| date | code | load avg before → after | threshold | precision | recall | F1 "
                 "| 80 post-its p50 / p95 ms |\n|---|---|---|---|---|---|---|---|\n")


def record(path: Path, r: dict[str, Any]) -> None:
    q = r["default"]
    row = (f"| {r['date']} | {r['code']} | {r['load_before']} → {r['load_after']} | {DEFAULT_THRESHOLD} "
           f"| {q['precision']:.3f} | {q['recall']:.3f} | {q['f1']:.3f} "
           f"| {r['p50']:.1f} / {r['p95']:.1f} |\n")
    append_row(path, "`bench.grouping` runs", RECORD_HEADER, row)


def main(argv: list[str] | None = None) -> int:
    return repeated_bench(argv, "grouping", __doc__ or "", 30, "timed calls on 80 post-its",
                          run, report, record)


if __name__ == "__main__":
    raise SystemExit(main())
