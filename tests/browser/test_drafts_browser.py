"""The phone never loses a word: a half-typed post-it, its category and its sub-group survive a
reload, a re-render of the step (a push), a step away and back, and a reconnection; results
revealed are scrolled into view, once (Debian chromium, Playwright, a real server)."""

import re

import pytest

from tests.browser.live_workshop import POLL, POSTITS, join, kinds_server, new_workshop  # noqa: F401 (a fixture)
from tests.browser.test_live_browser import (
    Watch,
    close_all,
    expect,
    live,
    mark_page,
    phone_page,
    pushes,
    wait_for_push,
)
from tests.support import Facilitator

pytestmark = pytest.mark.browser

NOTE = "Un bus itinérant pour les démarches, avec"
SMALL_PHONE = {"width": 360, "height": 560}


def rename(fac: Facilitator, workshop_id: int, title: str) -> None:
    """A push that re-renders the whole step on the phones."""
    assert fac.client.post(f"/f/workshops/{workshop_id}/rename", data={"title": title}).status_code == 303


def draft_shown(phone) -> None:
    expect(phone.get_by_label("Votre post-it")).to_have_value(NOTE)
    expect(phone.get_by_role("radio", name="économique")).to_be_checked()
    expect(phone.get_by_label("Votre sous-groupe")).to_have_value(re.compile(r"\d+"))
    expect(phone.get_by_label("Votre sous-groupe").locator("option:checked")).to_have_text("Groupe 2")


def test_a_half_typed_post_it_survives(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch = Watch()
    contexts = []
    try:
        fac, ws = new_workshop(server)
        fac.open_postits(ws["id"], POSTITS)

        ctx, phone = phone_page(browser, watch, "phone", SMALL_PHONE)
        contexts.append(ctx)
        # Every connection of the page's WebSocket passes here: the test can cut it.
        sockets = []

        def relay(route) -> None:
            route.connect_to_server()
            sockets.append(route)

        phone.route_web_socket(re.compile(r"/ws/p/"), relay)
        join(phone, server, ws["code"], "Awa Diallo")
        # The socket opened with the join form, lost: it names her again by the token she drew.
        sockets[-1].close(code=1012, reason="redémarrage")
        expect(phone.locator("[data-conn-status]")).to_have_text(re.compile("connexion perdue"))
        live(phone)
        assert len(sockets) == 2
        phone.get_by_label("Votre sous-groupe").select_option(label="Groupe 2")
        phone.locator("label.chip", has_text="économique").click()
        phone.get_by_label("Votre post-it").press_sequentially(NOTE)

        # A reload.
        phone.reload()
        live(phone)
        draft_shown(phone)
        phone.screenshot(path=shots / "drafts-phone-1-after-reload.png")

        # A push re-rendering the step, then a step away and back.
        mark_page(phone)
        before = pushes(phone)
        rename(fac, ws["id"], "Atelier (matin)")
        wait_for_push(phone, before)
        draft_shown(phone)
        assert fac.goto(ws["id"], POLL).status_code == 200
        expect(phone.locator("#p-activity h1")).to_have_text("Quel scénario ?")
        assert fac.goto(ws["id"], POSTITS).status_code == 200
        expect(phone.locator("#p-activity h1")).to_have_text("Vos idées")
        draft_shown(phone)

        # A reconnection (the server sends the whole step again).
        before = pushes(phone)
        sockets[-1].close(code=1012, reason="redémarrage")  # a server restarting
        expect(phone.locator("[data-conn-status]")).to_have_text(re.compile("connexion perdue"))
        live(phone)
        wait_for_push(phone, before)
        draft_shown(phone)

        # Sent: the text goes (the outbox has it), the category and the sub-group stay chosen.
        phone.get_by_role("button", name="Envoyer").click()
        expect(phone.locator("[data-mine] li", has_text=NOTE)).to_contain_text("✓ envoyé")
        phone.reload()
        live(phone)
        expect(phone.get_by_label("Votre post-it")).to_have_value("")
        expect(phone.get_by_role("radio", name="économique")).to_be_checked()
        watch.check()
    finally:
        close_all(contexts, shots, failed=bool(watch.problems))


def test_results_revealed_are_scrolled_into_view_once(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch = Watch()
    contexts = []
    try:
        fac, ws = new_workshop(server)
        assert fac.goto(ws["id"], POLL).status_code == 200
        poll = fac.current_activity_id(ws["id"])
        assert fac.set_state(poll, "open").status_code == 200

        ctx, phone = phone_page(browser, watch, "phone", SMALL_PHONE)
        contexts.append(ctx)
        join(phone, server, ws["code"], "Awa Diallo")
        phone.get_by_role("button", name="Le second").click()
        expect(phone.locator("[data-mine] li")).to_contain_text("✓")
        mark_page(phone)
        phone.evaluate("window.scrollTo(0, 0)")

        assert fac.set_state(poll, "closed").status_code == 200
        assert fac.set_state(poll, "revealed").status_code == 200
        results = phone.locator("#p-activity [data-results]")
        expect(results).to_be_in_viewport()
        assert phone.evaluate("window.scrollY") > 0
        phone.screenshot(path=shots / "drafts-phone-2-results-revealed.png")

        # Once: the next push leaves her where she scrolled.
        phone.evaluate("window.scrollTo(0, 0)")
        before = pushes(phone)
        rename(fac, ws["id"], "Atelier (soir)")
        wait_for_push(phone, before)
        assert phone.evaluate("window.scrollY") == 0
        watch.check()
    finally:
        close_all(contexts, shots, failed=bool(watch.problems))
