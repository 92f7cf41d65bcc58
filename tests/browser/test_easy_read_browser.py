"""The easy-read (FALC) mode in Debian's chromium, on a phone at 390 px: switched on by the
facilitator, the phone (pushed) shows each step's words in short sentences with a pictogram, the
rating one item a screen (« Idée 2 sur 3 », kept across the re-render that follows a tap) with
bars beside each value; no axe violation; switched off, the usual page comes back.

Screenshots: artifacts/screenshots/easy-*.png."""

import sys

import pytest

from tests.browser.live_workshop import (
    POSTITS,
    RATING,
    join,
    kinds_server,  # noqa: F401 (a fixture)
    new_workshop,
)
from tests.browser.test_accessibility import AXE, audit
from tests.browser.test_live_browser import PHONE_A, Watch, close_all, expect, phone_page

pytestmark = pytest.mark.browser


def test_a_phone_in_easy_read_mode(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch, contexts = Watch(), []
    try:
        fac, ws = new_workshop(server)
        fac.open_postits(ws["id"], POSTITS)
        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        ctx.add_init_script(path=str(AXE))
        contexts.append(ctx)
        join(phone, server, ws["code"], "Awa Diallo")
        expect(phone.locator(".easy-help")).to_have_count(0)

        url = f"/f/workshops/{ws['id']}/facile"
        assert fac.client.post(url, data={"actif": "peut-être"}).status_code == 422
        assert fac.client.post(url, data={"actif": "oui"}).status_code == 303
        help_ = phone.locator(".easy-help")
        expect(help_).to_contain_text("Une seule idée par post-it.")
        expect(phone.locator("#p-activity.easy")).to_have_count(1)
        phone.screenshot(path=shots / "easy-phone-postits.png", full_page=True)

        assert fac.goto(ws["id"], RATING).status_code == 200
        assert fac.set_state(fac.current_activity_id(ws["id"]), "open").status_code == 200
        expect(help_).to_contain_text("Impact : est-ce que cette idée change beaucoup de choses ?")
        expect(help_).to_contain_text("1 = un peu. 4 = beaucoup.")
        cards = phone.locator(".rate-card")
        expect(cards).to_have_count(3)
        expect(phone.locator(".rate-card:visible")).to_have_count(1)
        expect(phone.locator("[data-easy-where]")).to_have_text("Idée 1 sur 3")
        expect(phone.get_by_role("button", name="← Idée précédente")).to_be_disabled()
        # Each value with its size in bars: 1 of 4 bars on for « 1 », 4 of 4 for « 4 ».
        first = phone.locator(".rate-card:visible .rate-axis").first
        assert first.locator("button").nth(0).locator("rect.is-on").count() == 1
        assert first.locator("button").nth(3).locator("rect.is-on").count() == 4

        phone.get_by_role("button", name="Idée suivante →").click()
        expect(phone.locator("[data-easy-where]")).to_have_text("Idée 2 sur 3")
        visible = phone.locator(".rate-card:visible")
        expect(visible).to_contain_text("Moins de guichets")
        expect(phone.locator("[data-announcer]")).to_have_text("Idée 2 sur 3 : Moins de guichets")
        visible.locator(".rate-axis").first.locator("button").nth(2).click()
        expect(visible.locator("[data-rate-status]")).to_contain_text("enregistré")
        # The card was re-rendered by the server's answer: still the second item, alone.
        expect(phone.locator("[data-easy-where]")).to_have_text("Idée 2 sur 3")
        expect(phone.locator(".rate-card:visible")).to_have_count(1)
        expect(phone.locator(".rate-card:visible")).to_contain_text("Moins de guichets")
        phone.screenshot(path=shots / "easy-phone-rating.png", full_page=True)
        audit(phone, shots, "easy-rating")

        assert fac.client.post(url, data={"actif": "non"}).status_code == 303
        expect(phone.locator(".easy-help")).to_have_count(0)
        expect(phone.locator(".rate-card:visible")).to_have_count(3)
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
