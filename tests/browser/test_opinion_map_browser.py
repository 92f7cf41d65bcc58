"""The « carte des sensibilités » in a real room (a real server, real clients, Debian's chromium):
16 phones rate 10 factors in two camps, the facilitator closes, reveals and puts the map on the
board; the board (pushed, 1920×1080 and 1280×720) and the control page show two groups of 8 with
what sets each apart, what unites and what divides; the page carries no participant id; back to
the results in one click. A ranking of 6 phones says it has too few participants.

Screenshots: artifacts/screenshots/opinion-map-*.png."""

import io
import re
import sys

import pytest
from docx import Document
from pypdf import PdfReader

from tests.browser.test_live_browser import (
    DESKTOP,
    SMALL_PROJECTOR,
    Watch,
    close_all,
    desktop_page,
    expect,
    live,
    login,
    shot_of,
)
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server, sql

pytestmark = pytest.mark.browser

FACTORS = ["Fermeture des guichets", "Fibre partout", "Vieillissement", "Tiers-lieux",
           "Démarches en ligne", "Conseillers numériques", "Zones blanches", "Coût du matériel",
           "Intelligence artificielle", "Aidants familiaux"]
# Camp A rates the first five high (4) and the next four low (1); camp B the reverse; everyone
# rates « Aidants familiaux » high: what unites the room.
UNITING = FACTORS[9]
TEMPLATE = ("title: Atelier de prospective\n"
            "activities:\n"
            "  - kind: rating\n"
            "    title: Impact et maîtrise des facteurs\n"
            "    items:\n" + "".join(f"      - {f}\n" for f in FACTORS) +
            "  - kind: ranking\n"
            "    title: Les enjeux\n"
            "    items: [Accompagner, Équiper, Former, Orienter]\n")


def test_the_board_shows_where_the_room_agrees_and_divides(browser, database_url, tmp_path, shots):
    env = {**catalog(tmp_path, {"carte": TEMPLATE}), "WRITE_LIMITS": "1000/minute",
           "JOIN_CODE_LIMITS": "100/minute"}
    watch, contexts = Watch(), []
    with run_server(database_url, tmp_path, extra_env=env) as srv:
        try:
            email = create_facilitator(database_url)
            fac = Facilitator(srv.url, email)
            ws = fac.create_workshop("carte")
            assert fac.goto(ws["id"], 0).status_code == 200
            rating = fac.current_activity_id(ws["id"])
            assert fac.set_state(rating, "open").status_code == 200
            ctx, board = desktop_page(browser, watch, "board", DESKTOP)
            contexts.append(ctx)
            board.goto(f"{srv.url}/b/{ws['board_key']}")
            live(board)

            phones = [Participant(srv.url, ws["code"]) for _ in range(16)]
            items = re.findall(r'data-item="(\d+)"', phones[0].client.get(f"/p/{ws['code']}").text)
            assert len(items) == 10
            for p, phone in enumerate(phones):
                camp_a = p % 2 == 0
                for n, item in enumerate(items):
                    high = n == 9 or (n < 5) == camp_a
                    for axis, value in (("impact", 4 if high else 1), ("maitrise", 2)):
                        r = phone.client.post(f"/p/{ws['code']}/activities/{rating}/rate",
                                              data={"item": item, "axis": axis, "value": str(value)})
                        assert r.status_code in (200, 201), r.text
            # Not while the vote is open; refused with a clear word before the reveal.
            r = fac.client.post(f"/f/activities/{rating}/opinion-map", data={"show": "oui"})
            assert r.status_code == 409 and "Révélez d'abord les résultats" in r.text
            assert fac.set_state(rating, "closed").status_code == 200
            assert fac.set_state(rating, "revealed").status_code == 200
            expect(board.locator(".rate-matrix")).to_be_visible()

            r = fac.client.post(f"/f/activities/{rating}/opinion-map", data={"show": "oui"})
            assert r.status_code == 200 and "Revenir aux résultats" in r.text
            expect(board.locator(".om-map .om-dot")).to_have_count(16)
            expect(board.locator(".om-group-title")).to_have_text(
                [re.compile(r"Groupe A · 8 participants"), re.compile(r"Groupe B · 8 participants")])
            sides = board.locator(".om-group").all_inner_texts()
            first_half, second_half = set(FACTORS[:5]), set(FACTORS[5:9])
            for side in sides:  # each group is set apart by one camp's factors
                named = {f for f in FACTORS if f in side}
                assert named and (named <= first_half or named <= second_half), side
            expect(board.locator(".om-side")).to_contain_text(f"Ce qui rassemble {UNITING}")
            expect(board.locator(".om-side")).to_contain_text("Ce qui divise")
            # Dots of the two groups in two marks (colour and shape).
            assert board.locator(".om-map .om-g0 circle").count() == 8
            assert board.locator(".om-map .om-g1 rect").count() == 8
            for size in (DESKTOP, SMALL_PROJECTOR):
                board.set_viewport_size(size)
                board.screenshot(path=shots / f"opinion-map-board-{size['width']}x{size['height']}.png")
                box = board.locator(".om-map").bounding_box()
                assert box and box["y"] + box["height"] <= size["height"] + 1, "the map runs off the screen"
                overflow = board.evaluate("document.documentElement.scrollHeight") - size["height"]
                assert overflow <= 0, f"the board scrolls by {overflow}px at {size}"
            # No participant id leaves the server with the map.
            html = board.content()
            ids = [row[0] for row in sql(database_url, "SELECT id FROM participant WHERE workshop_id = :w",
                                         w=ws["id"])]
            assert len(ids) == 16 and not any(re.search(rf"\b{i}\b", html) for i in ids)

            # The control page shows it too, and goes back to the results.
            cctx, control = desktop_page(browser, watch, "control", DESKTOP)
            contexts.append(cctx)
            login(control, srv, email)
            control.goto(f"{srv.url}/f/workshops/{ws['id']}")
            expect(control.locator(".om-control .om-map .om-dot")).to_have_count(16)
            shot_of(control.locator(".om-control"), shots / "opinion-map-control.png")
            control.get_by_role("button", name="Revenir aux résultats à l'écran").click()
            expect(board.locator(".rate-matrix")).to_be_visible()
            expect(control.get_by_role("button", name="Afficher la carte à l'écran")).to_be_visible()
            # On the control page alone, drawn on demand (not at every close of a vote).
            expect(control.locator(".om-control .om-map")).to_have_count(0)
            control.get_by_role("button", name="Voir la carte ici").click()
            expect(control.locator(".om-control .om-map .om-dot")).to_have_count(16)

            # The compte-rendu carries it, in the PDF and the DOCX.
            pdf = fac.client.get(f"/f/workshops/{ws['id']}/compte-rendu.pdf")
            assert pdf.status_code == 200
            (shots / "opinion-map-report.pdf").write_bytes(pdf.content)
            text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
            text = " ".join(text.split())
            docx = fac.client.get(f"/f/workshops/{ws['id']}/compte-rendu.docx")
            paragraphs = " ".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
            for said in ("Carte des sensibilités", "Groupe A · 8 participants", "Ce qui rassemble",
                         f"{UNITING} : placé haut par 100 % du groupe A, 100 % du groupe B", "Ce qui divise"):
                assert said in text and said in paragraphs, said

            # A ranking with 6 ballots: too few for a map, and it says so.
            assert fac.goto(ws["id"], 1).status_code == 200
            ranking = fac.current_activity_id(ws["id"])
            assert fac.set_state(ranking, "open").status_code == 200
            ranked = [str(row[0]) for row in sql(database_url, "SELECT id FROM item WHERE activity_id = :a "
                                                 "ORDER BY id", a=ranking)]
            for p, phone in enumerate(phones[:6]):
                order = ranked[p % 4:] + ranked[:p % 4]
                r = phone.client.post(f"/p/{ws['code']}/activities/{ranking}/ranking",
                                      data={"ballot": ",".join(order)})
                assert r.status_code in (200, 201), r.text
            assert fac.set_state(ranking, "closed").status_code == 200
            assert fac.set_state(ranking, "revealed").status_code == 200
            r = fac.client.post(f"/f/activities/{ranking}/opinion-map", data={"show": "oui"})
            assert r.status_code == 200
            expect(board.locator(".om-note")).to_contain_text("il faut au moins 8 participants")
            board.screenshot(path=shots / "opinion-map-board-too-few.png")
            watch.check()
        finally:
            close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
