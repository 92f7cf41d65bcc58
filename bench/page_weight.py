"""A participant's first visit on a slow phone network (issue 12, point 12).

    .venv/bin/python -m bench.page_weight [--runs 3] [--no-throttle] [--record bench/results.md]

A server of its own (fresh SQLite, one worker) and a workshop on its post-its activity. Debian's
chromium, driven by Playwright, in a new profile each run (nothing cached), under Chromium's
"Slow 3G" emulation (DevTools' preset: 2,000 ms latency, 50,000 bytes/s each way), at a phone's
size: it opens the join page (`/j/<code>`, where a QR code leads), types a name, taps
« Participer » and waits for the page to be live (its WebSocket up, « en direct » shown).

Printed per run, and as the median of the runs:
- **first visit**: bytes transferred (compressed, headers included, as Chromium counts them)
  from the join page's request to the live page, by request, WebSocket handshake included;
- **join → live**: from the tap on « Participer » to « en direct ».

`tests/browser/test_page_weight_browser.py` runs one measure and checks the issue's bounds
(80 KB, 4 s). Measurement only here; the machine's load is printed beside the figures.
"""

import argparse
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

from bench.postits import append_row, code_version
from tests.support import Facilitator, create_facilitator, migrate, run_server

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Chromium DevTools' (and Puppeteer's) "Slow 3G": 500 kbit/s × 0.8 each way, 400 ms × 5 latency.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "fr-FR"}


@dataclass
class Visit:
    requests: list[tuple[str, int]] = field(default_factory=list)  # (url, bytes transferred)
    join_to_live: float = 0.0

    @property
    def transferred(self) -> int:
        return sum(size for _, size in self.requests)


def visit(browser: Any, url: str, code: str, throttle: bool = True, shots: Path | None = None) -> Visit:
    """One first visit, in a fresh browser context: join page, « Participer », live. `shots`:
    where to save a screenshot of the live page."""
    result = Visit()
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent",
               lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.webSocketCreated", lambda e: urls.__setitem__(e["requestId"], e["url"]))
        cdp.on("Network.loadingFinished", lambda e: result.requests.append(
            (urls.get(e["requestId"], "?"), int(e["encodedDataLength"]))))
        cdp.on("Network.webSocketHandshakeResponseReceived", lambda e: result.requests.append(
            (urls.get(e["requestId"], "?"), _handshake_size(e["response"]))))
        page.goto(f"{url}/j/{code}", wait_until="load", timeout=60_000)
        page.get_by_label("Prénom et nom").fill("Camille")
        started = time.perf_counter()
        page.get_by_role("button", name="Participer").click()
        page.locator("[data-conn-status]", has_text="en direct").wait_for(timeout=60_000)
        result.join_to_live = time.perf_counter() - started
        page.locator("#p-activity h1").wait_for()
        if shots is not None:
            page.screenshot(path=str(shots), full_page=True)
        # The requests still under way once live (none expected) are counted too.
        page.wait_for_load_state("networkidle", timeout=60_000)
    finally:
        context.close()
    return result


def _handshake_size(response: dict) -> int:
    """A WebSocket handshake's response (status line and headers), which Chromium does not count
    in `loadingFinished`."""
    return len(f"HTTP/1.1 {response['status']} {response['statusText']}\r\n") + sum(
        len(f"{k}: {v}\r\n") for k, v in response["headers"].items()) + 2


def workshop_code(server_url: str, database_url: str) -> str:
    fac = Facilitator(server_url, create_facilitator(database_url))
    workshop = fac.create_workshop()
    fac.open_postits(workshop["id"])
    return workshop["code"]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(runs: int, throttle: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="cap-weight-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(database_url)
        with run_server(database_url, Path(tmp), name="weight") as server, sync_playwright() as pw:
            code = workshop_code(server.url, database_url)
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            try:
                before = loadavg()
                visits = [visit(browser, server.url, code, throttle) for _ in range(runs)]
            finally:
                browser.close()
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code": code_version(),
            "load_before": before, "load_after": loadavg(), "throttle": throttle, "visits": visits}


def report(result: dict[str, Any]) -> str:
    visits: list[Visit] = result["visits"]
    lines = [f"first visit of a participant, {'Slow 3G' if result['throttle'] else 'no throttling'}, "
             f"{len(visits)} runs — load {result['load_before']} → {result['load_after']}"]
    for n, one in enumerate(visits, 1):
        lines.append(f"  run {n}: {one.transferred / 1000:.1f} kB in {len(one.requests)} requests, "
                     f"« Participer » → live {one.join_to_live:.2f} s")
    lines.append("  requests of run 1:")
    lines += [f"    {size / 1000:7.1f} kB  {address.split('//', 1)[-1].split('/', 1)[-1][:70]}"
              for address, size in visits[0].requests]
    lines.append(f"  median: {median(v.transferred for v in visits) / 1000:.1f} kB, "
                 f"join → live {median(v.join_to_live for v in visits):.2f} s")
    return "\n".join(lines)


RECORD_HEADER = (
    "\n| date | code | load avg before → after | network | runs | first visit kB (median) "
    "| « Participer » → live s (median) |\n|---|---|---|---|---|---|---|\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--record", type=Path, help="append a row to this results file")
    args = parser.parse_args()
    result = run(max(1, args.runs), not args.no_throttle)
    print(report(result))
    if args.record:
        visits = result["visits"]
        row = (f"| {result['date']} | {result['code']} | {result['load_before']} → {result['load_after']} "
               f"| {'Slow 3G' if result['throttle'] else 'none'} | {len(visits)} "
               f"| {median(v.transferred for v in visits) / 1000:.1f} "
               f"| {median(v.join_to_live for v in visits):.2f} |\n")
        append_row(args.record, "`bench.page_weight` runs", RECORD_HEADER, row)

if __name__ == "__main__":
    main()
