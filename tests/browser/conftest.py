"""Browser fixtures: one Debian chromium for the whole session, driven by Playwright (sync API)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.support import missing

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ARTIFACTS / "screenshots"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    missing(f"{CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install chromium)")


# One chromium for all the browser tests, stopped as soon as they are done: Playwright's sync API
# keeps an asyncio loop marked as running in the main thread while it is started, which would make
# every later `asyncio.run()` of the other test packages fail ("cannot be called from a running
# event loop"). Package scope is this suite's session, without leaking into the others.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    _require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
