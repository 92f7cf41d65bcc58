"""Changes are announced: the polite live region of the phone and of the control page
([data-announcer], never swapped) says each change once, in order, and nothing else; the phone's
title follows the step. A MutationObserver installed by the test records every text the region
takes (Debian chromium, Playwright, a real server)."""

import pytest

from tests.browser.live_workshop import (
    POLL,
    POSTITS,
    RATING,
    TABLE,
    WORKSHOP,
    join,
    kinds_server,  # noqa: F401 (a fixture)
    new_workshop,
)
from tests.browser.test_live_browser import (
    PHONE_A,
    Watch,
    close_all,
    desktop_page,
    expect,
    live,
    login,
    mark_page,
    phone_page,
    pushes,
    wait_for_push,
)

pytestmark = pytest.mark.browser

RECORD = """() => {
    window.__said = [];
    const region = document.querySelector("[data-announcer]");
    new MutationObserver(() => { if (region.textContent) window.__said.push(region.textContent); })
        .observe(region, { childList: true, characterData: true, subtree: true });
}"""


def said(page, expected: list[str]) -> None:
    """The region said exactly these texts, in this order (waiting for the last one)."""
    page.wait_for_function("n => window.__said.length >= n", arg=len(expected))
    assert page.evaluate("window.__said") == expected


def test_each_change_is_announced_once(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch = Watch()
    contexts = []
    try:
        fac, ws = new_workshop(server)
        fac.open_postits(ws["id"], POSTITS)

        ctx_c, control = desktop_page(browser, watch, "control")
        contexts.append(ctx_c)
        login(control, server, fac.email)
        control.goto(f"{server.url}/f/workshops/{ws['id']}")
        live(control)
        control.evaluate(RECORD)

        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx)
        join(phone, server, ws["code"], "Awa Diallo")
        expect(phone).to_have_title(f"Vos idées — {WORKSHOP}")
        phone.evaluate(RECORD)
        mark_page(phone)
        expected: list[str] = []

        # A short timer: its every-second text is not announced, its end is, once.
        assert fac.client.post(f"/f/workshops/{ws['id']}/timer", data={"seconds": 2}).status_code == 200
        expect(phone.locator("#p-timer .timer")).to_have_text("Temps écoulé")
        expected.append("temps écoulé")
        said(phone, expected)
        # The control page counts down on its own: its end is said there before the next steps.
        said(control, ["temps écoulé"])

        # Her post-it, once stored.
        phone.get_by_label("Votre sous-groupe").select_option(label="Groupe 1")
        phone.locator("label.chip", has_text="social").click()
        phone.get_by_label("Votre post-it").fill("Des bus jusqu'aux France Services")
        phone.get_by_role("button", name="Envoyer").click()
        expected.append("envoyé")
        said(phone, expected)

        # A push that changes nothing on her screen says nothing.
        before = pushes(phone)
        assert fac.client.post(f"/f/workshops/{ws['id']}/rename", data={"title": WORKSHOP}).status_code == 303
        wait_for_push(phone, before)
        assert phone.evaluate("window.__said") == expected

        # The next steps, each once; opening one (the same step) says nothing.
        assert fac.goto(ws["id"], POLL).status_code == 200
        expected.append("Étape 2 : Quel scénario ?")
        said(phone, expected)
        expect(phone).to_have_title(f"Quel scénario ? — {WORKSHOP}")
        assert fac.goto(ws["id"], RATING).status_code == 200
        expected.append("Étape 3 : Notez les facteurs")
        said(phone, expected)
        expect(phone).to_have_title(f"Notez les facteurs — {WORKSHOP}")
        before = pushes(phone)
        assert fac.set_state(fac.current_activity_id(ws["id"]), "open").status_code == 200
        wait_for_push(phone, before)
        expect(phone.locator(".rate-btn").first).to_be_enabled()
        assert phone.evaluate("window.__said") == expected

        # Her rating, once the server has stored it.
        phone.locator(".rate-btn").first.click()
        expected.append("enregistré")
        said(phone, expected)

        # The connection lost, then back: once each.
        ctx.set_offline(True)
        expected.append("connexion perdue")
        said(phone, expected)
        phone.screenshot(path=shots / "announce-phone-1-offline.png")
        ctx.set_offline(False)
        expect(phone.locator("[data-conn-status]")).to_have_text("en direct")
        expected.append("reconnecté")
        said(phone, expected)

        # The facilitator's next step: said on the phone and on her own control page.
        control.get_by_role("button", name="Suivante →").click()
        expected.append("Étape 4 : Classez les enjeux")
        said(phone, expected)
        expect(phone).to_have_title(f"Classez les enjeux — {WORKSHOP}")
        expect(control).to_have_title(f"Animer — Classez les enjeux — {WORKSHOP}")
        phone.screenshot(path=shots / "announce-phone-2-step-4.png")

        # A chantier saved in the table's sheet (an htmx swap, not the outbox): « enregistré ».
        assert fac.goto(ws["id"], TABLE).status_code == 200
        assert fac.set_state(fac.current_activity_id(ws["id"]), "open").status_code == 200
        expected.append("Étape 5 : Les chantiers")
        said(phone, expected)
        phone.locator(".tbl-add").click()
        phone.get_by_label("Titre du chantier").fill("Former les secrétaires de mairie")
        phone.locator("[data-sheet]").get_by_role("button", name="Enregistrer").click()
        expected.append("enregistré")
        said(phone, expected)
        # The control page said the timer's end and every step, not the phone's arrival nor what
        # she sent.
        said(control, ["temps écoulé", "Étape 2 : Quel scénario ?", "Étape 3 : Notez les facteurs",
                       "Étape 4 : Classez les enjeux", "Étape 5 : Les chantiers"])
        watch.check()
    finally:
        close_all(contexts, shots, failed=bool(watch.problems))
