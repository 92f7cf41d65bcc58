"""Grouping suggestions on the control page in Debian's chromium (1280×720 and 1920×1080): 30
labelled post-its sent from phones, the activity closed, the proposed groups shown with their
post-its; one accepted in one click (merged, « Défaire » there), one ignored; the moderation list
sorted and filtered beside them.

Screenshots: artifacts/screenshots/suggestions-*.png."""

import sys
from pathlib import Path

import pytest
import yaml

from tests.browser.live_workshop import (
    control_with_notes,
    kinds_server,  # noqa: F401 (a fixture)
)
from tests.browser.test_live_browser import (
    DESKTOP,
    SMALL_PROJECTOR,
    Watch,
    close_all,
    expect,
    shot_of,
)

pytestmark = pytest.mark.browser

DATA = yaml.safe_load((Path(__file__).parent.parent / "data" / "postits_groups.yaml").read_text())["notes"]


def test_the_facilitator_merges_a_suggested_group_in_one_click(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch, contexts = Watch(), []
    try:
        control = control_with_notes(
            browser, watch, contexts, server, [(n["text"], "social") for n in DATA[:30]], close=True,
            viewport=SMALL_PROJECTOR).control
        proposals = control.locator(".suggest-item")
        expect(proposals.first).to_be_visible()
        count = proposals.count()
        assert count >= 2
        for size in (SMALL_PROJECTOR, DESKTOP):
            control.set_viewport_size(size)
            shot_of(control.locator(".suggestions"),
                    shots / f"suggestions-{size['width']}x{size['height']}.png")

        first = proposals.first
        merged = first.locator(".suggest-notes li").count()
        first.get_by_role("button", name=f"Fusionner ces {merged} post-its").click()
        summary = control.locator(".mod-item .provenance summary")
        expect(summary).to_have_text([f"Fusion de {merged} post-its"])
        expect(control.get_by_role("button", name="Défaire")).to_have_count(1)
        expect(proposals).to_have_count(count - 1)
        proposals.first.get_by_role("button", name="Ignorer").click()
        expect(proposals).to_have_count(count - 2)
        expect(control.get_by_role("button", name="Les proposer de nouveau")).to_be_visible()
        control.screenshot(path=shots / "suggestions-after.png", full_page=True)
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
