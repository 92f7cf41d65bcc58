"""Rate limits as a phone's browser meets them (issue 11, point 1): its outbox keeps a note the
server answered 429 and sends it once the limit allows, the rating cards likewise wait for the
Retry-After, and too many wrong codes get a French page. Debian chromium through Playwright
against a real server."""

import pytest

from tests.browser.test_live_browser import PHONE_A, Watch, fill_postit, join, my_note, phone_page, shot_of
from tests.browser.test_rating_browser import TEMPLATE as RATING
from tests.browser.test_rating_browser import card, stored, tap
from tests.support import Facilitator, catalog, create_facilitator, run_server, sql

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


def test_a_phone_over_its_limits_is_told_so_and_loses_nothing(browser, database_url, tmp_path, shots):
    env = {"WRITE_LIMITS": "2/8 seconds", "JOIN_CODE_LIMITS": "10/minute"}
    with run_server(database_url, tmp_path, extra_env=env) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop()
        fac.open_postits(ws["id"])
        watch = Watch()
        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        guesser_ctx, guesser = phone_page(browser, watch, "guesser", PHONE_A)
        try:
            join(phone, srv, ws["code"], "")
            texts = [f"Idée envoyée d'affilée {n}" for n in range(3)]
            for text in texts:
                fill_postit(phone, text, "Groupe 1", "social")
                phone.get_by_role("button", name="Envoyer").click()
            # The third is over the limit: kept on the phone, said so, sent again later.
            expect(my_note(phone, texts[2])).to_contain_text("Trop d'envois d'affilée")
            phone.screenshot(path=shots / "phone-rate-limited.png")
            expect(my_note(phone, texts[2])).to_contain_text("✓ envoyé", timeout=20_000)
            stored = sql(srv.database_url, "SELECT text FROM item WHERE text LIKE 'Idée envoyée%'")
            assert sorted(t for (t,) in stored) == texts

            # Another phone on the same address types wrong codes: the eleventh is told why.
            for n in range(10):
                guesser.goto(f"{srv.url}/j/ZZZZ{n:02d}")
                expect(guesser.get_by_text("Aucun atelier avec le code")).to_be_visible()
            guesser.goto(srv.url + "/")
            guesser.get_by_label("Code de l'atelier").fill(ws["code"])
            guesser.get_by_role("button", name="Rejoindre").click()
            expect(guesser.get_by_text("Trop de codes d'atelier erronés")).to_be_visible()
            expect(guesser.get_by_text("Réessayez dans")).to_be_visible()
            guesser.screenshot(path=shots / "phone-too-many-codes.png")
            # The phone that had joined goes on.
            fill_postit(phone, "Encore une idée", "Groupe 1", "social")
            phone.get_by_role("button", name="Envoyer").click()
            expect(my_note(phone, "Encore une idée")).to_contain_text("✓ envoyé", timeout=20_000)
            watch.check()
        finally:
            ctx.close()
            guesser_ctx.close()


def test_a_rating_phone_over_its_limit_waits_as_told_and_loses_nothing(
        browser, database_url, tmp_path, shots):
    sessions = catalog(tmp_path, {"prospective": RATING})
    env = {**sessions, "WRITE_LIMITS": "2/8 seconds"}
    with run_server(database_url, tmp_path, extra_env=env) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("prospective")
        fac.open_postits(ws["id"], position=0)
        watch = Watch()
        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        too_many: list[str] = []
        phone.on("response", lambda answer: answer.status == 429 and too_many.append(answer.url))
        try:
            join(phone, srv, ws["code"], "")
            tap(phone, 1, "Impact", "3")
            tap(phone, 1, "Maîtrise", "2")
            tap(phone, 2, "Impact", "4")
            # The third is over the limit: kept, said so in the server's words, sent after the wait.
            status = card(phone, 2).locator(".rate-status")
            expect(status).to_contain_text("Trop d'envois d'affilée")
            expect(status).to_contain_text("nouvel essai dans")
            shot_of(card(phone, 2), shots / "rating-phone-rate-limited.png")
            expect(status).to_contain_text("Impact enregistré", timeout=20_000)
            # Sent again once, after the Retry-After: the 4-second retry did not knock meanwhile.
            assert len(too_many) == 1, too_many
            assert len(stored(srv.database_url)) == 3
            watch.check()
        finally:
            ctx.close()
