"""Languages over a real server: the browser's Accept-Language chooses, the picker's `lang` cookie
overrides it, the board keeps the workshop's French while each phone reads its own language,
down to the fragments a WebSocket push renders for it, and a refusal is said in the phone's
language."""

import asyncio
import json
import re
from pathlib import Path

import httpx
import lxml.html
import pytest
import websockets

from tests.support import Participant

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}



async def until(sock, needle: str) -> str:
    """The next frame of `sock` that holds `needle`."""
    while True:
        frame = str(await asyncio.wait_for(sock.recv(), 5))
        if needle in frame:
            return frame

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


# --- the facilitator's side ---------------------------------------------------------------------

# Words of the facilitator's French chrome that no English facilitator page may show (the
# workshop's and the roadmap's own content is dropped first: it stays as the facilitator wrote it).
FACILITATOR_FRENCH = ["Atelier", "atelier", "Enregistrer", "Supprimer", "Activité", "activité",
                      "Feuille de route", "Feuilles de route", "feuille de route", "Mes ateliers",
                      "Animer", "Minuteur", "Précédente", "Suivante", "Étape", "Répartir", "Jetons",
                      "jetons", "Purger", "Modifier", "Ajouter", "Masquer", "Exporter", "Rouvrir",
                      "Clore", "connecté", "bulletin", "Se déconnecter", "Mot de passe", "Modèle",
                      "Résultats", "à préciser", "Rattacher", "Défi", "Chantier", "chantier",
                      "Gouvernance", "Verser", "Importer", "Sous-groupes", "Ouvrir", "Fermer",
                      "Révéler", "ouverte", "fermée", "en préparation", "Enjeu", "enjeu", "Connexion",
                      "Données personnelles", "Aller au contenu", "Restitution", "Réponses",
                      "Avancement", "Ressources", "Catégorie", "Nom", "Titre", "Annuler", "Retour",
                      "papier", "Facile à lire", "participants ont", "Lien à donner"]
# Where the workshop's and the roadmap's content shows on the facilitator's pages.
FACILITATOR_CONTENT = CONTENT + " | " + " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')]" for c in
    ["step-title", "brand", "workshop-title", "rdm-question", "rdm-title", "rdm-prose", "rdm-answer",
     "rdm-card-title", "tbl-ctl-title", "tbl-ctl-cell", "rm-ctl-cat", "suggest-notes", "template-duration",
     "rdm-crumbs", "rdm-group-title", "rdm-territory", "rdm-line", "rdm-res", "rdm-cat-title",
     "promote-choice", "import-problems",
     # the national platform's labels of an action's needs, word for word (app.domain.roadmap.BESOINS)
     "rdm-needs",
     # partials the control page shares with the board, out of this change: rankings' and ratings'
     # tables and legends, the resource map
     "rk-table", "rk-legend", "rk-rule", "rate-table-scroll", "rate-control-figure", "rm-control-map",
     "rdm-map"]
) + " | //select[@name='template'] | //ul[@id='template-list'] | //textarea | //title"


GLOSSARY_TERMS = re.compile(r"\((?:fiche chantier|chantiers?|enjeux?|défis?|carte des sensibilités|"
                            r"restitution|easy-read, FALC)\)")


def french_chrome(html: str) -> list[str]:
    """The facilitator's French words left on a page read in English, its content dropped."""
    page = lxml.html.document_fromstring(html)
    for content in page.xpath(FACILITATOR_CONTENT):
        content.drop_tree()
    text = " ".join(page.body.text_content().split())
    # The glossary's French terms, in brackets after their English (docs/i18n.md), are meant.
    text = GLOSSARY_TERMS.sub("", text)
    return [w for w in FACILITATOR_FRENCH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


@pytest.mark.parametrize("template", ["prospective-10-ans", "chantiers-cles", "cartographie-ressources",
                                      "concertation-fne"])
def test_the_facilitator_pages_in_english(server, facilitator_email, template):
    """Login, workshop list and control page at each step of a template, open, closed and
    revealed, as an English browser reads them: English words, none of the French chrome."""
    from tests.support import Facilitator

    login = httpx.get(f"{server.url}/login", headers=ENGLISH).text
    assert '<html lang="en">' in login and ">Log in</button>" in login and french_chrome(login) == []
    fac = Facilitator(server.url, facilitator_email)
    fac.client.headers.update(ENGLISH)
    ws = fac.create_workshop(template)
    listing = fac.client.get("/f").text
    assert "My workshops" in listing and "New workshop" in listing and ">Facilitate</a>" in listing
    assert 'href="/langue/fr?retour=/f"' in listing  # the picker, at the foot of the facilitator's pages
    assert french_chrome(listing) == []
    problems = []
    steps = len(re.findall(r'<button class="step" type="button"', ws["page"]))
    assert steps > 3
    for position in range(steps):
        assert fac.goto(ws["id"], position).status_code == 200
        page = fac.client.get(f"/f/workshops/{ws['id']}").text
        state_button = re.search(r'/f/activities/(\d+)/state', page)
        for state in ("draft", "open", "closed", "revealed"):
            if state != "draft":
                if state_button is None:
                    break  # a slide has no state
                assert fac.set_state(int(state_button[1]), state).status_code == 200
            page = fac.client.get(f"/f/workshops/{ws['id']}").text
            assert f"Step {position + 1} / {steps}" in page and "Single-use tokens" in page
            assert re.search(r"Automatic purge on \d+ [A-Z][a-z]+ \d{4}:", page)  # an English date
            if found := french_chrome(page):
                problems.append(f"step {position + 1} ({state}): {found}")
    assert not problems, "\n".join(problems)
    # The fragment an htmx step change swaps in is English too.
    swapped = fac.client.post(f"/f/workshops/{ws['id']}/goto", data={"position": 1},
                              headers={"HX-Request": "true"}).text
    assert "Step 2 / " in swapped and "Étape" not in swapped
    # The picker's cookie outweighs the browser's language, for the facilitator as for a phone.
    fac.client.cookies.set("lang", "fr")
    assert "Mes ateliers" in fac.client.get("/f").text


def test_the_roadmap_pages_in_english(server, facilitator_email):
    """The roadmap list, the editor page with its sections filled, a fiche chantier and the
    promote pages, in English."""
    from tests.support import Facilitator

    fac = Facilitator(server.url, facilitator_email)
    fac.client.headers.update({**ENGLISH, "HX-Request": "true"})
    made = fac.client.post("/f/roadmaps", data={"nom": "Numérique 2030", "territoire_nom": "Lyon",
                                                "territoire_type": "commune", "territoire_code": "69123",
                                                "perimetre": "departemental"})
    assert made.status_code == 200, made.text
    base = made.headers["HX-Redirect"]
    for path, data in [("comites", {"nom": "Copil", "type": "strategique", "frequence": "2/an"}),
                       ("enjeux", {"question": "Inclusion ?"}), ("enjeux", {"question": "Accès ?"})]:
        assert fac.client.post(f"{base}/{path}", data=data).status_code == 200
    page = fac.client.get(base).text
    enjeu = re.search(r'id="enjeux-(\d+)"', page)[1]
    assert fac.client.post(f"{base}/defis", data={"titre": "Former", "enjeux": [enjeu]}).status_code == 200
    defi = re.search(r'id="defis-(\d+)"', fac.client.get(base).text)[1]
    assert fac.client.post(f"{base}/chantiers", data={"titre": "Bornes", "code": "",
                                                      "rattacher": f"defi:{defi}"}).status_code == 200
    chantier = re.search(rf'href="{base}/chantiers/(\d+)"', fac.client.get(base).text)[1]
    fiche = f"{base}/chantiers/{chantier}"
    assert fac.client.post(f"{fiche}/actions", data={"nom": "Bus", "budgetGlobal": "1000"}).status_code == 200
    assert fac.client.post(f"{fiche}/ressources", data={"nom": "CAF", "categorie": "financements",
                                                        "lien": "operante"}).status_code == 200
    # A refused form of the editor, in English: its field named, the domain's sentence too.
    refused = fac.client.post(f"{fiche}/actions", data={"nom": "Bus", "dateDeDebut": "demain"})
    assert refused.status_code == 422
    assert refused.json() == {"detail": "Start: “demain” is neither a year (2025) nor a date (2025-03-15)."}
    refused = fac.client.post(f"{base}/comites", data={"nom": "", "type": "strategique"})
    assert refused.status_code == 422 and refused.json() == {"detail": "Name: to be filled in."}
    del fac.client.headers["HX-Request"]

    pages = {
        "list": fac.client.get("/f/roadmaps").text,
        "editor": fac.client.get(base).text,
        "fiche": fac.client.get(fiche).text,
        "promote": fac.client.get(f"{base}/importer-atelier").text,
    }
    ws = fac.create_workshop("chantiers-cles")
    pages["promote with a workshop"] = fac.client.get(f"{base}/importer-atelier",
                                                      params={"atelier": ws["id"]}).text
    pages["an item being edited"] = fac.client.get(f"{base}/enjeux/bloc",
                                                   params={"modifier": f"enjeux-{enjeu}"},
                                                   headers={"HX-Request": "true"}).text
    refused = fac.client.post("/f/roadmaps/import", files={"file": ("r.json", b"{}", "application/json")})
    assert refused.status_code == 422
    pages["import refused"] = refused.text
    assert "schema: “cap-partage/feuille-de-route” expected, not “None”" in refused.text
    example = json.loads((Path(__file__).resolve().parents[2] / "examples" / "grand-perigueux.json")
                         .read_text(encoding="utf-8"))
    example["chantiers"][1]["titre"] = 12
    refused = fac.client.post("/f/roadmaps/import",
                              files={"file": ("r.json", json.dumps(example).encode(), "application/json")})
    assert refused.status_code == 422 and "chantiers[1].titre: must be a text, not “12”" in refused.text
    # References that lead nowhere and a twice-taken id, each said in English.
    example["chantiers"][1]["titre"] = "Un titre"
    example["chantiers"][1]["defi"] = "defi-inconnu"
    example["enjeux"].append(dict(example["enjeux"][0]))
    refused = fac.client.post("/f/roadmaps/import",
                              files={"file": ("r.json", json.dumps(example).encode(), "application/json")})
    assert refused.status_code == 422
    assert "chantiers[1].defi: “defi-inconnu” names no challenge (défi)" in refused.text, refused.text
    assert "is already taken by another element" in refused.text
    assert "ne désigne" not in refused.text and "déjà pris" not in refused.text
    assert "My roadmaps" in pages["list"] and "New roadmap" in pages["list"]
    assert "Governance" in pages["editor"] and "Challenges (défis)" in pages["editor"]
    assert "Delete the roadmap" in pages["editor"] and "Project sheet (fiche chantier)" in pages["fiche"]
    assert "Concrete actions" in pages["fiche"] and "Add the resource" in pages["fiche"]
    assert "Add a workshop's results" in pages["promote"] and "Import refused" in pages["import refused"]
    # roadmap.js's words, in the page
    assert 'id="cap-strings"' in pages["editor"] and "Error %(status)s" in pages["editor"]
    problems = {name: found for name, html in pages.items() if (found := french_chrome(html))}
    assert not problems, problems


def test_a_facilitators_malformed_form_and_refusals_in_english(server, room):
    fac, ws = room["fac"], room["ws"]
    htmx = {**ENGLISH, "HX-Request": "true"}
    r = fac.client.post(f"/f/workshops/{ws['id']}/timer", data={"seconds": "soon"}, headers=htmx)
    assert r.status_code == 422
    assert r.json() == {"detail": "Invalid request — seconds: must be a whole number, not “soon”."}
    french = fac.client.post(f"/f/workshops/{ws['id']}/timer", data={"seconds": "soon"},
                             headers={"HX-Request": "true"})
    assert french.json() == {"detail": "Requête invalide — seconds : doit être un nombre entier, "
                                       "pas « soon »."}
    r = fac.client.post(f"/f/activities/{room['activity']}/state", data={"state": "draft"}, headers=htmx)
    assert r.status_code == 409 and r.json() == {"detail": "Cannot go from “open” to “in preparation”."}
    r = fac.client.post(f"/f/workshops/{ws['id']}/purge", data={}, headers=htmx)
    assert r.json() == {"detail": "Tick the confirmation box to purge the personal data."}


def test_a_ranking_refusal_in_english(server, facilitator_email):
    from tests.support import Facilitator

    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop("chantiers-cles")
    assert fac.goto(ws["id"], 1).status_code == 200
    activity = fac.current_activity_id(ws["id"])
    assert fac.set_state(activity, "open").status_code == 200
    phone = Participant(server.url, ws["code"])
    page = phone.client.get(f"/p/{ws['code']}").text
    ids = list(dict.fromkeys(re.findall(r'data-id="(\d+)"', page)))
    url = f"/p/{ws['code']}/activities/{activity}/ranking"
    r = phone.client.post(url, data={"ballot": ",".join(ids[:-1])}, headers=ENGLISH)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("The ranking must contain every item; ")
    assert "is missing." in r.json()["detail"] and "il manque" not in r.json()["detail"]
    r = phone.client.post(url, data={"ballot": "first, then the other"}, headers=ENGLISH)
    assert r.json() == {"detail": "Unreadable ranking: it takes the list of items, from the highest to the "
                                  "lowest priority."}
    assert phone.client.post(url, data={"ballot": ",".join(ids)}).status_code == 201
    # The results' scores and details, made by the services in French, read in English.
    assert "rang moyen 1,0" in fac.client.get(f"/f/workshops/{ws['id']}").text
    fac.client.headers.update(ENGLISH)
    control = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert "average rank 1.0" in control and "rang moyen" not in control and " pts</td>" in control
    fac.set_state(activity, "closed")
    r = fac.client.post(f"/f/activities/{activity}/keep", data={"n": "50"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and r.json()["detail"].startswith("Keep between 1 and ")
    # Kept, then offered to a roadmap: the promote page lists them in English, with their score.
    assert fac.client.post(f"/f/activities/{activity}/keep", data={"n": "2"},
                           headers={"HX-Request": "true"}).status_code == 200
    made = fac.client.post("/f/roadmaps", headers={"HX-Request": "true"},
                           data={"nom": "R", "territoire_nom": "Lyon", "territoire_type": "commune"})
    promote = fac.client.get(f"{made.headers['HX-Redirect']}/importer-atelier",
                             params={"atelier": ws["id"]}).text
    assert "Issues kept" in promote and "Borda count · 1 ballot" in promote and " pts" in promote
    # The activities' titles (the template's) head their blocks.
    titles = ("Nos enjeux prioritaires", "Les chantiers clés de chaque enjeu")
    assert "Add to the roadmap" in promote and french_chrome(re.sub("|".join(titles), "", promote)) == []


def test_the_control_page_pushes_in_its_readers_language(server, room):
    """Two control pages of one workshop, one English and one French: a step change reaches each
    in its own language (app.live renders per locale)."""
    fac, ws = room["fac"], room["ws"]
    cookie = "; ".join(f"{k}={v}" for k, v in fac.client.cookies.items())

    async def scenario() -> tuple[str, str]:
        headers = {"Origin": server.url, "Cookie": cookie}
        english = await websockets.connect(f"{server.ws_url}/ws/control/{ws['id']}",
                                           additional_headers={**headers, **ENGLISH})
        french = await websockets.connect(f"{server.ws_url}/ws/control/{ws['id']}",
                                          additional_headers=headers)
        for sock in (english, french):
            await asyncio.wait_for(sock.recv(), 5)
        assert (await asyncio.to_thread(fac.goto, ws["id"], 2)).status_code == 200

        frames = await asyncio.gather(until(english, "ctl-main"), until(french, "ctl-main"))
        for sock in (english, french):
            await sock.close()
        return frames

    english, french = asyncio.run(scenario())
    assert "Step 3 / " in english and "Single" not in french and "Étape 3 / " in french
    assert "Étape" not in english and "Timer" in english and "Minuteur" in french


def test_an_unknown_restitution_is_said_in_english(server):
    r = httpx.get(f"{server.url}/r/pas-une-restitution", headers=ENGLISH)
    assert r.status_code == 404
    assert "This results page does not exist or is no longer published." in r.text
    assert "n'existe pas" not in r.text
