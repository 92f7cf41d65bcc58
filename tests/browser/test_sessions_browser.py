"""A facilitator's sessions in Debian chromium (issue 11, point 6): « Déconnecter mes autres
sessions » and « Changer mon mot de passe » through the real forms, and a control page whose
session is ended elsewhere going to the login page (close code 4401), not reconnecting in a loop;
logging in again brings it back to the workshop."""

import pytest

from tests.browser.test_live_browser import Watch, close_all, desktop_page, expect, live, login
from tests.support import DEMO_PASSWORD, Facilitator, sql

pytestmark = pytest.mark.browser


def test_a_control_page_whose_session_ends_elsewhere_goes_to_the_login_page(browser, server,
                                                                            facilitator_email, shots):
    watch, contexts, failed = Watch(), [], True
    try:
        context, laptop = desktop_page(browser, watch, "laptop")
        contexts.append(context)
        login(laptop, server, facilitator_email)
        elsewhere = Facilitator(server.url, facilitator_email)

        laptop.get_by_role("button", name="Déconnecter mes autres sessions").click()
        expect(laptop.get_by_role("status")).to_have_text("1 autre session a été déconnectée.")
        assert elsewhere.client.get("/f", headers={"HX-Request": "true"}).status_code == 401

        laptop.get_by_text("Changer mon mot de passe", exact=True).first.click()
        laptop.get_by_label("Mot de passe actuel").fill("pas-le-bon-mot")
        laptop.get_by_label("Nouveau mot de passe").fill("un-nouveau-secret")
        laptop.get_by_role("button", name="Changer mon mot de passe").click()
        expect(laptop.get_by_role("alert").first).to_have_text(
            "Mot de passe actuel incorrect : rien n'a été changé.")
        laptop.screenshot(path=shots / "sessions-1-wrong-password.png", full_page=True)
        assert sql(server.database_url, "SELECT count(*) FROM facilitator_session") == [(1,)]

        tablet = Facilitator(server.url, facilitator_email)
        ws = tablet.create_workshop()
        laptop.goto(f"{server.url}/f/workshops/{ws['id']}")
        live(laptop)
        assert tablet.client.post("/f/sessions/autres").status_code == 303
        expect(laptop).to_have_url(f"{server.url}/login?next=%2Ff%2Fworkshops%2F{ws['id']}")
        laptop.screenshot(path=shots / "sessions-2-logged-out.png")
        login_form = laptop.locator("form[action='/login']")
        login_form.get_by_label("E-mail").fill(facilitator_email)
        login_form.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        login_form.get_by_role("button", name="Se connecter").click()
        expect(laptop).to_have_url(f"{server.url}/f/workshops/{ws['id']}")
        live(laptop)
        watch.check()
        failed = False
    finally:
        close_all(contexts, shots, failed)
