"""A phone's note through a database outage (issue 11, point 9), in Debian's chromium: the server
answers 503 with Retry-After and its French message; the outbox keeps the note on the phone, says
so and when it tries again, and the note is stored once when the database is back."""

import re

from playwright.sync_api import expect

from tests.browser.test_live_browser import (
    PHONE_A,
    Watch,
    fill_postit,
    join,
    my_note,
    phone_page,
    rows_with_text,
)
from tests.integration.test_faults import database_outage
from tests.support import Facilitator, create_facilitator, run_server


def test_a_note_sent_while_the_database_is_out_of_reach_waits_on_the_phone(browser, database_url, tmp_path,
                                                                             shots):
    with database_outage(database_url) as (app_url, outage), run_server(app_url, tmp_path) as server:
        fac = Facilitator(server.url, create_facilitator(database_url))
        workshop = fac.create_workshop()
        fac.open_postits(workshop["id"])
        watch = Watch()
        context, phone = phone_page(browser, watch, "phone", PHONE_A)
        try:
            join(phone, server, workshop["code"], "", None)
            body = "Envoyé pendant la coupure"
            with outage():
                fill_postit(phone, body, "Groupe 1", "social")
                phone.get_by_role("button", name="Envoyer").click()
                pending = my_note(phone, body)
                expect(pending).to_contain_text("La base de données est momentanément injoignable",
                                                timeout=15_000)
                expect(pending).to_contain_text("Gardé sur ce téléphone : nouvel essai dans 2 s")
                expect(pending).to_have_class(re.compile(r"\bpending\b"))
                phone.screenshot(path=shots / "phone-database-outage-pending.png")
                assert rows_with_text(database_url, body) == []
            expect(pending).to_contain_text("✓ envoyé", timeout=15_000)
            expect(pending).not_to_have_class(re.compile(r"\bpending\b"))
            assert len(rows_with_text(database_url, body)) == 1
            assert phone.evaluate("localStorage.getItem('cap-outbox:' + location.pathname)") in (None, "[]")
            watch.check()
        finally:
            context.close()
