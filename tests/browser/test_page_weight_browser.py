"""A participant's first visit on a slow phone network (issue 12, point 12), measured in Debian's
chromium under its "Slow 3G" emulation (2 s of latency for every request, 50 kB/s) by the bench's
own code (bench/page_weight.py, which prints the same figures run after run).

What the bounds catch: bytes are counted exactly, whatever the machine's load; and the time from
« Participer » to a live page is made of emulated round trips (2 s each), so 4 s allows one round
trip and the time to render, and fails as soon as joining takes two trips one after the other (the
POST, its redirect, then the socket took three, 6.5 s)."""

from bench.page_weight import visit, workshop_code

FIRST_VISIT_BYTES = 80_000
JOIN_TO_LIVE_SECONDS = 4.0


def test_a_first_visit_on_slow_3g_is_light_and_live_within_4_seconds(browser, server, shots):
    code = workshop_code(server.url, server.database_url)
    measured = visit(browser, server.url, code, shots=shots / "page-weight-joined.png")
    listing = "\n".join(f"{size:7d}  {url}" for url, size in measured.requests)
    assert measured.transferred < FIRST_VISIT_BYTES, listing
    assert measured.join_to_live < JOIN_TO_LIVE_SECONDS, listing
    # What was counted: the join page, its files, the join's answer and the socket.
    paths = [url.split("/", 3)[-1] for url, _ in measured.requests]
    assert f"j/{code}" in paths and any(p.startswith(f"ws/p/{code}") for p in paths), listing
    assert not any(p == f"p/{code}" for p in paths), f"joining went through a redirect:\n{listing}"
