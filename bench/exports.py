"""Roadmap export benchmark: how long each document format takes, and how big it is.

    .venv/bin/python -m bench.exports [--repeat N] [--scale K]

Reads seed 004's finished roadmap (examples/grand-perigueux.json); `--scale K` repeats its
défis and chantiers K times (with fresh ids and codes), as a roadmap gathering several years of
workshops would. Each format is written N times by the same writers the routes and the command
line call (`app.exports.roadmap_files.write`); the baseline is the JSON file (serialising the
same structure), in the same process. Prints per format: p50 / p95 / max in ms, the ratio of
its p50 to the baseline's, the file's size, and the process's peak RSS after it. Measurement
only: nothing is asserted.
"""

import argparse
import resource
import statistics
import time
from pathlib import Path

from app.domain import roadmap as domain
from app.exports.roadmap_files import FORMATS, write

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "grand-perigueux.json"


def scaled(data: domain.RoadmapFile, k: int) -> domain.RoadmapFile:
    defis, chantiers = [], []
    for copy in range(k):
        for d in data.defis:
            defis.append(d.model_copy(update={"ref": f"{d.ref}-{copy}"}))
        for c in data.chantiers:
            chantiers.append(c.model_copy(update={
                "ref": f"{c.ref}-{copy}", "defi": f"{c.defi}-{copy}" if c.defi else None,
                "code": f"{c.code}.{copy}" if copy else c.code}))
    return data.model_copy(update={"defis": defis, "chantiers": chantiers})


def timed(data: domain.RoadmapFile, fmt: str, repeat: int) -> tuple[list[float], int]:
    durations, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        content, _name, _media = write(data, fmt)
        durations.append((time.perf_counter() - started) * 1000)
        size = len(content)
    return durations, size


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    data = scaled(domain.parse_file(EXAMPLE.read_bytes()), max(1, args.scale))
    actions = sum(len(c.actions) for c in data.chantiers)
    print(f"roadmap: {len(data.enjeux)} enjeux, {len(data.defis)} défis, {len(data.chantiers)} chantiers, "
          f"{actions} actions; {args.repeat} runs per format")
    write(data, "json")  # warm-up: imports, fonts, templates
    base, _ = timed(data, "json", args.repeat)
    base_p50 = statistics.median(base)
    columns = ("p50 ms", "p95 ms", "max ms", "× json", "size KiB", "peak RSS MiB")
    print(f"{'format':<6} " + " ".join(f"{c:>{max(9, len(c))}}" for c in columns))
    for fmt in ["json", *[f for f in FORMATS if f != "json"]]:
        if fmt == "json":
            durations, size = base, len(write(data, "json")[0])
        else:
            durations, size = timed(data, fmt, args.repeat)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        p50 = statistics.median(durations)
        print(f"{fmt:<6} {p50:>9.1f} {percentile(durations, 0.95):>9.1f} {max(durations):>9.1f} "
              f"{p50 / base_p50:>9.0f} {size / 1024:>9.1f} {rss:>12.0f}")


if __name__ == "__main__":
    main()
