"""The restitution page in Debian's chromium: a room plays every kind of activity (post-its,
poll, rating, ranking with kept enjeux, chantier table, resource map), the facilitator publishes
the restitution; the phone (390 px) still on the workshop is offered the link by a push, opens
it and reads what the room produced, without any name; the same page on a desktop.

Screenshots: artifacts/screenshots/restitution-*.png."""

import re
import sys

import pytest

from tests.browser.live_workshop import (
    POLL,
    POSTITS,
    RANKING,
    RATING,
    join,
    kinds_server,  # noqa: F401 (a fixture)
    new_workshop,
)
from tests.browser.test_live_browser import (
    PHONE_A,
    SMALL_PROJECTOR,
    Watch,
    close_all,
    desktop_page,
    expect,
    phone_page,
)
from tests.support import Participant, sql

pytestmark = pytest.mark.browser

NOTE = "Des bus jusqu'aux France Services"


def test_a_phone_is_offered_the_restitution_and_reads_it(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch, contexts = Watch(), []
    try:
        fac, ws = new_workshop(server)
        notes = fac.open_postits(ws["id"], POSTITS)
        others = [Participant(server.url, ws["code"], name=f"Personne {n}") for n in range(3)]
        for n, phone in enumerate(others):
            r = phone.post(notes, f"{NOTE} {n + 1}" if n else NOTE, group_id=phone.first_group_id())
            assert r.status_code == 201, r.text
        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx)
        join(phone, server, ws["code"], "Awa Diallo")
        # A poll, a rating and a ranking, each voted and revealed.
        for position in (POLL, RATING, RANKING):
            assert fac.goto(ws["id"], position).status_code == 200
            activity = fac.current_activity_id(ws["id"])
            assert fac.set_state(activity, "open").status_code == 200
            items = [str(r[0]) for r in sql(server.database_url, "SELECT id FROM item WHERE activity_id = :a "
                                             "ORDER BY id", a=activity)]
            for n, voter in enumerate(others):
                if position == POLL:
                    r = voter.client.post(f"/p/{ws['code']}/activities/{activity}/vote",
                                          data={"choice": str(n % 2)})
                elif position == RATING:
                    for item in items:
                        for axis in ("impact", "maitrise"):
                            r = voter.client.post(f"/p/{ws['code']}/activities/{activity}/rate",
                                                  data={"item": item, "axis": axis, "value": str(1 + n)})
                else:
                    r = voter.client.post(f"/p/{ws['code']}/activities/{activity}/ranking",
                                          data={"ballot": ",".join(items[n:] + items[:n])})
                assert r.status_code in (200, 201), r.text
            assert fac.set_state(activity, "closed").status_code == 200
            assert fac.set_state(activity, "revealed").status_code == 200
            if position == RANKING:
                assert fac.client.post(f"/f/activities/{activity}/keep", data={"n": 2}).status_code == 200

        r = fac.client.post(f"/f/workshops/{ws['id']}/restitution", data={"publier": "oui"})
        assert r.status_code == 303
        offer = phone.get_by_role("link", name="Voir la restitution de l'atelier")
        expect(offer).to_be_visible()
        expect(phone.locator("[data-announcer]")).to_have_text("restitution de l'atelier publiée")
        phone.screenshot(path=shots / "restitution-phone-offered.png")
        offer.click()
        expect(phone).to_have_url(re.compile(r"/r/[\w-]{32}$"))
        expect(phone.get_by_role("heading", level=1)).to_have_text("Atelier clavier")
        main = phone.locator("main")
        for said in (NOTE, "Quel scénario ?", "Notez les facteurs", "Classez les enjeux",
                     "Enjeux prioritaires retenus"):
            expect(main).to_contain_text(said)
        assert not re.search(r"Personne \d|Awa", phone.content())
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390 px"
        expect(phone.get_by_role("link", name="Télécharger le compte-rendu (PDF)")).to_be_visible()
        phone.screenshot(path=shots / "restitution-phone.png", full_page=True)

        dctx, desk = desktop_page(browser, watch, "desk", SMALL_PROJECTOR)
        contexts.append(dctx)
        desk.goto(phone.url)
        expect(desk.locator(".figure.matrix svg, svg.rate-matrix").first).to_be_visible()
        desk.screenshot(path=shots / "restitution-desktop.png", full_page=True)
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
