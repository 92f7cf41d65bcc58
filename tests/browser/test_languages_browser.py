"""An English phone in a real browser: Chromium set to English joins, posts, is answered and
refused in English, and its page keeps none of the French words of the app's own chrome; the
picker turns it French. The workshop's content (titles, prompts, options) is the facilitator's,
in French, and stays so."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.browser.test_live_browser import MOBILE_UA, PHONE_A, Watch, close_all, expect
from tests.support import Facilitator, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser

TEMPLATE = """\
title: Numérique 2035
activities:
  - kind: postits
    title: Idées
    prompt: "Quelles idées pour 2035 ?"
  - kind: poll
    title: Visibilité
    prompt: "Les lieux sont-ils connus ?"
    scale: oui-non-moyennement
"""
# Words of the app's French chrome that an English page must not show.
FRENCH = ["Envoyer", "Votre", "votre", "Étape", "Patientez", "Participer", "enregistr", "envoyé",
          "connexion", "Mes post-its", "Données personnelles", "Mentions légales", "Résultats",
          "Vous pouvez", "Aller au contenu", "Rejoindre", "vote est"]


def french_left(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [w for w in FRENCH if re.search(rf"(?<!\w){re.escape(w)}", text)]


def test_an_english_phone(browser, database_url, tmp_path, shots):
    sessions = catalog(tmp_path, {"numerique": TEMPLATE})
    watch, contexts, failed = Watch(), [], True
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        try:
            fac = Facilitator(srv.url, create_facilitator(database_url))
            ws = fac.create_workshop("numerique")
            fac.open_postits(ws["id"], position=0)
            context = browser.new_context(viewport=PHONE_A, is_mobile=True, has_touch=True,
                                          device_scale_factor=2, user_agent=MOBILE_UA, locale="en-GB")
            context.set_default_timeout(10_000)
            contexts.append(context)
            phone = context.new_page()
            watch.attach(phone, "english phone")

            phone.goto(srv.url + "/")
            assert french_left(phone) == []
            phone.get_by_label("Workshop code").fill(ws["code"])
            phone.get_by_role("button", name="Join").click()
            expect(phone.get_by_role("button", name="Take part")).to_be_visible()
            assert french_left(phone) == []
            phone.get_by_role("button", name="Take part").click()
            expect(phone.locator("[data-conn-status]")).to_have_text("live")
            expect(phone.locator(".step-line")).to_contain_text("Step 1 / 2")

            phone.get_by_label("Your post-it").fill("   ")
            phone.get_by_role("button", name="Send").click()  # blank: refused by the server, in English
            expect(phone.locator(".note-mine.failed")).to_contain_text("refused: The post-it is empty.")
            phone.get_by_label("Your post-it").fill("Des bornes dans chaque mairie")
            phone.get_by_role("button", name="Send").click()
            expect(phone.locator(".note-mine", has_text="Des bornes")).to_contain_text("✓ sent")
            assert french_left(phone) == []
            phone.screenshot(path=shots / "english-phone-postits.png", full_page=True)

            # The next step arrives by the WebSocket, rendered in English for this phone.
            assert fac.goto(ws["id"], 1).status_code == 200
            expect(phone.locator(".step-line")).to_contain_text("Step 2 / 2")
            expect(phone.locator(".notice")).to_contain_text("Please wait: the facilitator is about to open")
            assert french_left(phone) == []
            phone.screenshot(path=shots / "english-phone-poll.png", full_page=True)

            phone.get_by_role("link", name="Français").click()
            expect(phone.locator(".step-line")).to_contain_text("Étape 2 / 2")
            expect(phone.locator("[data-conn-status]")).to_have_text("en direct")
            assert watch.problems == []
            failed = False
        finally:
            close_all(contexts, shots, failed)


# Words of the facilitator's French chrome that her English pages must not show.
FACILITATOR_FRENCH = ["Mes ateliers", "Enregistrer", "Supprimer", "Activité", "Feuille de route", "Minuteur",
                      "Précédente", "Suivante", "Étape", "Jetons", "Purger", "Modifier", "Ajouter",
                      "Exporter", "Clore", "connecté", "Se déconnecter", "Gouvernance", "Verser", "Répartir",
                      "décembre", "janvier", "juin"]


def facilitator_french_left(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [w for w in FACILITATOR_FRENCH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


def test_an_english_facilitator(browser, database_url, tmp_path, shots):
    """Chromium set to English: the login page, the control page of a ranking (its live status
    word from app.js included) and the roadmap editor, with a refused form's message in English
    in its alert line (roadmap.js). Screenshots of the control page and of the editor."""
    from tests.support import DEMO_PASSWORD

    watch, contexts, failed = Watch(), [], True
    with run_server(database_url, tmp_path) as srv:
        try:
            email = create_facilitator(database_url)
            fac = Facilitator(srv.url, email)
            ws = fac.create_workshop("chantiers-cles")
            assert fac.goto(ws["id"], 1).status_code == 200
            fac.set_state(fac.current_activity_id(ws["id"]), "open")
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
            context.set_default_timeout(10_000)
            contexts.append(context)
            page = context.new_page()
            watch.attach(page, "english facilitator")

            page.goto(srv.url + "/login")
            page.get_by_label("E-mail").fill(email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="My workshops")).to_be_visible()
            assert facilitator_french_left(page) == []

            page.goto(f"{srv.url}/f/workshops/{ws['id']}")
            expect(page.locator("[data-conn-status]")).to_have_text("live")
            expect(page.get_by_text("Step 2 / ")).to_be_visible()
            expect(page.get_by_role("button", name="Close", exact=True)).to_be_visible()
            assert facilitator_french_left(page) == []
            page.screenshot(path=shots / "english-facilitator-control.png", full_page=True)

            page.goto(f"{srv.url}/f/roadmaps")
            page.get_by_label("Name", exact=True).fill("Numérique 2030")
            page.get_by_label("Territory's name").fill("Lyon")
            page.get_by_role("button", name="Create the roadmap").click()
            expect(page.get_by_role("heading", name="Numérique 2030")).to_be_visible()
            page.get_by_label("New issue (enjeu)").fill("Inclusion ?")
            page.get_by_role("button", name="Add the issue").click()
            expect(page.locator("#sec-enjeux .rdm-num")).to_have_text("Issue (enjeu) 1")
            page.get_by_role("button", name="Edit: the header").click()
            page.get_by_label("INSEE or SIREN code").fill("abc")
            page.locator("#sec-infos").get_by_role("button", name="Save").click()
            # Refused by the server, in English, in the form's own alert line (roadmap.js).
            alert = page.locator("#sec-infos [data-form-error]")
            expect(alert).to_be_visible()
            assert "format" in alert.inner_text() and "doit" not in alert.inner_text(), alert.inner_text()
            page.screenshot(path=shots / "english-roadmap-refused.png", full_page=False)
            page.locator("#sec-infos").get_by_role("button", name="Cancel").click()
            assert facilitator_french_left(page) == []
            page.screenshot(path=shots / "english-roadmap-editor.png", full_page=True)
            assert watch.problems == []
            failed = False
        finally:
            close_all(contexts, shots, failed)


BOARD = {"width": 1280, "height": 720}


def test_an_english_board(browser, server, facilitator_email, shots):
    """A projected board (a French browser) of the two-day formation-action, played by 20 phones:
    French, then English as soon as its facilitator sets the workshop's language, without anyone
    touching it (it reloads); its matrix, ranking and resource map in English at 1280×720."""
    from tests.integration.test_languages_exports import content_of, leftovers, page_words
    from tests.integration.test_template_playthrough import Playthrough
    from tests.support import sql

    # The playthrough runs its own event loop: on a thread of its own, Playwright's is running here.
    thread = ThreadPoolExecutor(1)
    play = thread.submit(Playthrough, server, facilitator_email, "formation-action-2-jours", 11).result()
    context = None
    try:
        thread.submit(play.play).result()
        ws, fac = play.ws, play.fac
        kinds = [k for (k,) in sql(server.database_url, "SELECT kind FROM activity WHERE workshop_id = :w "
                                                        "ORDER BY position", w=ws["id"])]
        rating, ranking, resources = (kinds.index(k) for k in ("rating", "ranking", "resources"))
        content = content_of(server.database_url, ws["id"])
        context = browser.new_context(viewport=BOARD, locale="fr-FR")
        context.set_default_timeout(10_000)
        board = context.new_page()
        assert fac.goto(ws["id"], rating).status_code == 200
        board.goto(f"{server.url}/b/{ws['board_key']}")
        expect(board.locator(".board-conn")).to_have_text("en direct")
        french = board.content()
        assert board.locator("html").get_attribute("lang") == "fr"
        board.screenshot(path=shots / "board-french-matrix.png")

        r = fac.client.post(f"/f/workshops/{ws['id']}/language", data={"language": "en"})
        assert r.status_code == 303
        expect(board.locator("html")).to_have_attribute("lang", "en")  # reloaded by itself
        expect(board.locator(".board-conn")).to_have_text("live")
        left = leftovers(page_words(french, content), page_words(board.content(), content))
        assert not left, sorted(left)
        board.screenshot(path=shots / "board-english-matrix.png")
        for position, name in ((ranking, "ranking"), (resources, "resources")):
            assert fac.goto(ws["id"], position).status_code == 200
            expect(board.locator(".board-step")).to_contain_text(f"step {position + 1}/")
            board.screenshot(path=shots / f"board-english-{name}.png")
    finally:
        if context is not None:
            context.close()
        thread.submit(play.close).result()
        thread.shutdown()
