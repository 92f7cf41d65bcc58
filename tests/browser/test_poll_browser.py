"""A poll in real browsers: phones tap an answer, change their mind, the board reveals the bars."""

import pytest

from tests.browser.test_live_browser import (
    DESKTOP,
    PHONE_A,
    PHONE_B,
    SMALL_PROJECTOR,
    Watch,
    close_all,
    desktop_page,
    expect,
    join,
    live,
    phone_page,
)
from tests.support import Facilitator, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser


TEMPLATE = """\
title: Diagnostic de l'offre
activities:
  - kind: poll
    title: La visibilité
    prompt: "Les publics connaissent-ils les lieux d'accompagnement au numérique ?"
    scale: oui-non-moyennement
"""


def test_phones_vote_and_the_board_reveals_the_bars(browser, database_url, tmp_path, shots):
    sessions = catalog(tmp_path, {"diagnostic": TEMPLATE})
    watch, contexts, failed = Watch(), [], True
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        try:
            fac = Facilitator(srv.url, create_facilitator(database_url))
            ws = fac.create_workshop("diagnostic")
            poll_id = fac.open_postits(ws["id"], position=0)
            board_ctx, board = desktop_page(browser, watch, "board")
            contexts.append(board_ctx)
            board.goto(f"{srv.url}/b/{ws['board_key']}")
            live(board)

            phones = []
            for name, viewport in (("A", PHONE_A), ("B", PHONE_B)):
                ctx, phone = phone_page(browser, watch, f"phone {name}", viewport)
                contexts.append(ctx)
                join(phone, srv, ws["code"], name)
                live(phone)
                phones.append(phone)
            a, b = phones
            a.get_by_role("button", name="non").click()
            expect(a.locator(".vote-mine")).to_contain_text("non")
            expect(a.locator(".vote-mine")).to_contain_text("✓ enregistrée")
            a.get_by_role("button", name="moyennement").click()  # a change of mind
            expect(a.locator(".vote-mine")).to_contain_text("moyennement")
            expect(a.locator(".vote-mine")).to_have_count(1)
            expect(a.get_by_role("button", name="moyennement")).to_have_attribute("aria-pressed", "true")
            b.get_by_role("button", name="oui").click()
            expect(b.locator(".vote-mine")).to_contain_text("✓ enregistrée")
            a.screenshot(path=shots / "poll-phone.png", full_page=True)

            # Hidden until revealed: the board only counts the answers.
            expect(board.locator(".board-waiting")).to_contain_text("2 réponses")
            assert fac.set_state(poll_id, "closed").status_code == 200
            expect(a.locator(".notice")).to_contain_text("Le vote est clos")
            assert fac.set_state(poll_id, "revealed").status_code == 200
            expect(board.locator(".poll-value")).to_have_text(["50 % (1)", "0 % (0)", "50 % (1)"])
            board.screenshot(path=shots / "poll-board-1920x1080.png")
            board.set_viewport_size(SMALL_PROJECTOR)
            board.screenshot(path=shots / "poll-board-1280x720.png")
            board.set_viewport_size(DESKTOP)
            expect(a.locator(".poll-value")).to_have_count(3)  # the phones see the results too
            a.screenshot(path=shots / "poll-phone-results.png", full_page=True)
            watch.check()
            failed = False
        finally:
            close_all(contexts, shots, failed)
