"""Languages over a real server: the browser's Accept-Language chooses, the picker's `lang` cookie
overrides it, the board keeps the workshop's French while each phone reads its own language,
down to the fragments a WebSocket push renders for it, and a refusal is said in the phone's
language."""

import asyncio
import re

import httpx
import lxml.html
import pytest
import websockets

from tests.support import Participant

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}


def test_accept_language_chooses_and_the_picker_cookie_overrides_it(server, room):
    code = room["ws"]["code"]
    with httpx.Client(base_url=server.url, follow_redirects=False) as browser:
        french = browser.get(f"/j/{code}")
        assert '<html lang="fr">' in french.text and "Participer" in french.text
        english = browser.get(f"/j/{code}", headers=ENGLISH)
        assert '<html lang="en">' in english.text and ">Take part</button>" in english.text
        assert "Participer" not in english.text
        # The picker's links go back to the page, the choice in a cookie that outweighs the browser.
        assert f'href="/langue/fr?retour=/j/{code}"' in english.text
        picked = browser.get("/langue/fr", params={"retour": f"/j/{code}"}, headers=ENGLISH)
        assert picked.status_code == 303 and picked.headers["location"] == f"/j/{code}"
        assert browser.cookies.get("lang") == "fr"
        again = browser.get(f"/j/{code}", headers=ENGLISH)
        assert '<html lang="fr">' in again.text and ">Participer</button>" in again.text
        browser.get("/langue/en", params={"retour": "/"})
        assert ">Join</button>" in browser.get("/").text
        # Only a path of this site: elsewhere, back home; an unknown language changes nothing.
        assert browser.get("/langue/de", params={"retour": "//evil.example/"}).headers["location"] == "/"
        assert browser.cookies.get("lang") == "en"


def test_an_english_validation_error(server, room):
    alice = room["alice"]
    r = alice.client.post(f"/p/{alice.code}/activities/{room['activity']}/items", headers=ENGLISH,
                          data={"text": "  ", "idempotency_key": "k" * 16, "category": "social"})
    assert r.status_code == 422 and r.json() == {"detail": "The post-it is empty."}
    long = alice.client.post(f"/p/{alice.code}/activities/{room['activity']}/items", headers=ENGLISH,
                             data={"text": "x" * 300, "idempotency_key": "l" * 16, "category": "social"})
    assert long.json() == {"detail": "The post-it is 300 characters long; 280 at most."}
    french = alice.client.post(f"/p/{alice.code}/activities/{room['activity']}/items",
                               data={"text": "  ", "idempotency_key": "m" * 16, "category": "social"})
    assert french.json() == {"detail": "Le post-it est vide."}


@pytest.mark.broadcast
def test_a_french_board_and_english_and_french_phones_at_once(server, room):
    """One push of a step change: the board (opened by an English browser all the same) renders
    in French, the English phone in English, the French phone in French."""
    fac, ws = room["fac"], room["ws"]
    english, french = room["alice"], Participant(server.url, ws["code"])
    page = english.client.get(f"/p/{ws['code']}", headers=ENGLISH).text
    assert "Step 2 / " in page and '<html lang="en">' in page
    board_page = httpx.get(f"{server.url}/b/{ws['board_key']}", headers=ENGLISH).text
    assert '<html lang="fr">' in board_page and "language-picker" not in board_page

    async def scenario() -> tuple[str, str, str]:
        board = await websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}",
                                         additional_headers={"Origin": server.url, **ENGLISH})
        phone_en = await websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                            additional_headers={"Cookie": english.cookie_header, **ENGLISH})
        phone_fr = await websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                            additional_headers={"Cookie": french.cookie_header})
        socks = (board, phone_en, phone_fr)
        for sock in socks:  # the full state first
            await asyncio.wait_for(sock.recv(), 5)
        assert (await asyncio.to_thread(fac.goto, ws["id"], 2)).status_code == 200

        async def until(sock, needle: str) -> str:
            while True:
                frame = str(await asyncio.wait_for(sock.recv(), 5))
                if needle in frame:
                    return frame

        frames = await asyncio.gather(until(board, "board-main"), until(phone_en, "p-activity"),
                                      until(phone_fr, "p-activity"))
        for sock in socks:
            await sock.close()
        return frames

    board, phone_en, phone_fr = asyncio.run(scenario())
    assert "Step 3 / " in phone_en and "Étape" not in phone_en
    assert "Étape 3 / " in phone_fr and "Step 3" not in phone_fr
    assert 'data-step-label="Step 3: ' in phone_en and 'data-step-label="Étape 3 : ' in phone_fr
    assert "Step" not in board


# Words of the app's French chrome that no English phone page may show (the workshop's own
# content, titles, prompts, lists, stays as the facilitator wrote it: these words are not in it).
FRENCH_CHROME = ["Envoyer", "Votre", "votre", "Étape", "Patientez", "Participer", "enregistré",
                 "Résultats", "Vous pouvez", "Mon bulletin", "Valider", "Catégorie", "Aller au contenu",
                 "Données personnelles", "Mentions légales", "connexion…", "Aucun élément", "La carte",
                 "Ajouter un chantier", "Choisissez", "est clos", "est fermé", "sous-groupe"]


# Where the workshop's own content shows: the template's texts, the room's items and names.
CONTENT_CLASSES = ["phone-title", "slide-body", "prompt", "rk-label", "note-text", "rate-label", "chip",
                   "rm-chantier", "tbl-psec-title", "tbl-prow-title", "slide-kept", "rk-kept", "rm-item-name",
                   "rm-pcat-title", "poll-option", "rk-text"]
CONTENT = " | ".join(["//h1", "//legend", "//option", "//*[@data-group-name]"] + [
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')]" for c in CONTENT_CLASSES])


@pytest.mark.parametrize("template", ["prospective-10-ans", "chantiers-cles", "cartographie-ressources",
                                      "concertation-fne"])
def test_every_phone_page_of_a_template_in_english(server, facilitator_email, template):
    """Each step of the shipped templates, open then closed, as an English phone reads it."""
    from tests.support import Facilitator

    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop(template)
    phone = Participant(server.url, ws["code"])
    problems = []
    for position in range(len(ws["activities"]) + 10):
        if fac.goto(ws["id"], position).status_code != 200:
            break
        activity = re.search(r'data-activity="(\d+)"', phone.client.get(f"/p/{ws['code']}").text)[1]
        for state in ("open", "closed", "revealed"):
            fac.set_state(activity, state)  # a slide has no state: refused, the page is the same
            page = lxml.html.document_fromstring(phone.client.get(f"/p/{ws['code']}", headers=ENGLISH).text)
            for content in page.xpath(CONTENT):
                content.drop_tree()
            text = " ".join(page.body.text_content().split())
            found = [w for w in FRENCH_CHROME if w in text]
            if found:
                problems.append(f"step {position + 1} ({state}): {found}")
    assert position > 2 and not problems, "\n".join(problems)
