"""Single-use join tokens in Debian chromium (issue 11, point 4): the facilitator switches them on
and prints a batch, a 390 px phone joins by its card's QR link, another by typing the code, a
wrong code gets a French page, and the control page counts who joined, live."""

import re
import subprocess

import pytest

from tests.browser.test_live_browser import PHONE_A, Watch, login, phone_page
from tests.integration.test_join_tokens import TEMPLATE
from tests.support import Facilitator, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


def test_phones_join_with_printed_tokens_by_link_and_by_typing(browser, database_url, tmp_path, shots):
    sessions = catalog(tmp_path, {"vote-une-voix": TEMPLATE})
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        email = create_facilitator(database_url)
        ws = Facilitator(srv.url, email).create_workshop("vote-une-voix")
        watch = Watch()
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        desk.set_default_timeout(10_000)
        control = desk.new_page()
        watch.attach(control, "control")
        phones = [phone_page(browser, watch, name, PHONE_A) for name in ("scan", "typed", "wrong")]
        try:
            login(control, srv, email)
            control.goto(f"{srv.url}/f/workshops/{ws['id']}")
            control.get_by_role("button", name="Activer", exact=True).click()
            expect(control.get_by_text("Activés")).to_be_visible()
            control.get_by_label("Nouveau lot de jetons").fill("14")
            with desk.expect_page() as opened:
                control.get_by_role("button", name="Cartes à imprimer").click()
            cards = opened.value
            watch.attach(cards, "cards")
            expect(cards.locator("article.card")).to_have_count(14)
            cards.screenshot(path=shots / "tokens-1-cards-page.png", full_page=True)
            cards.emulate_media(media="print")
            expect(cards.locator(".sheet-help")).to_be_hidden()
            cards.screenshot(path=shots / "tokens-2-cards-print.png", full_page=True)
            spelled = cards.locator(".card-token").all_inner_texts()
            assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", t) for t in spelled)
            # The PDF of another batch, its first page as an image.
            with control.expect_download() as downloaded:
                control.get_by_role("button", name="PDF", exact=True).click()
            pdf = tmp_path / "jetons.pdf"
            downloaded.value.save_as(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(shots / "tokens-3-cards-pdf")], check=True)

            # The first phone scans its card: the QR code's link joins at once.
            scan, typed, wrong = (page for _ctx, page in phones)
            scan.goto(f"{srv.url}/j/{ws['code']}?jeton={spelled[0]}")
            expect(scan).to_have_url(f"{srv.url}/p/{ws['code']}")
            scan.screenshot(path=shots / "tokens-4-phone-joined-by-link.png")

            # The second types the code of her card on the join page, as it comes.
            typed.goto(f"{srv.url}/j/{ws['code']}")
            expect(typed.get_by_text("Cet atelier se rejoint avec un jeton personnel")).to_be_visible()
            typed.get_by_label("Code de votre jeton").fill(spelled[1].lower().replace("-", " "))
            typed.screenshot(path=shots / "tokens-5-phone-join-typing.png")
            typed.get_by_role("button", name="Participer").click()
            expect(typed).to_have_url(f"{srv.url}/p/{ws['code']}")

            # A wrong code: a French page that says so.
            wrong.goto(f"{srv.url}/j/{ws['code']}")
            wrong.get_by_label("Code de votre jeton").fill("AAAAA-BBBBB")
            wrong.get_by_role("button", name="Participer").click()
            expect(wrong.get_by_text("Jeton inconnu : vérifiez le code de votre carte.")).to_be_visible()
            wrong.screenshot(path=shots / "tokens-6-phone-wrong-token.png")

            # The control page counted both, live.
            turnout = control.locator("#ctl-turnout")
            expect(turnout).to_contain_text("2 participants ont rejoint l'atelier")
            expect(turnout).to_contain_text("Jetons : 2 utilisés sur 28")
            expect(turnout.locator("li").first).to_contain_text("Le maillage")
            control.screenshot(path=shots / "tokens-7-control.png", full_page=True)
            watch.check()
        finally:
            desk.close()
            for ctx, _page in phones:
                ctx.close()
