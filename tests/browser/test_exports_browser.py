"""Exports in a real browser: from the control page of a played ranking, one click downloads the
ranked enjeux (CSV), and the « Exports » box downloads the workshop report as PDF (names only when
« inclure les noms » is ticked) and DOCX. Screenshot in artifacts/screenshots/exports-control.png.
"""

import csv
import io
import re

import docx
import pytest
from pypdf import PdfReader

from tests.browser.test_live_browser import DESKTOP, Watch, close_all, desktop_page, expect, login
from tests.support import ANCT_ENJEUX, Facilitator, Participant

pytestmark = pytest.mark.browser


NAME = "Awa Diallo"


def download(page, click) -> tuple[str, bytes]:
    with page.expect_download() as info:
        click()
    got = info.value
    return got.suggested_filename, open(got.path(), "rb").read()


def test_exports_from_the_control_page(browser, server, facilitator_email, shots):
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop("priorisation-enjeux", title="Priorisation à Coulounieix")
    assert fac.goto(ws["id"], 1).status_code == 200
    ranking_id = fac.current_activity_id(ws["id"])
    assert fac.set_state(ranking_id, "open").status_code == 200
    phones = [Participant(server.url, ws["code"], name=NAME)] + [Participant(server.url, ws["code"])
                                                                 for _ in range(2)]
    page = phones[0].client.get(f"/p/{ws['code']}").text
    ids = sorted({int(i) for i in re.findall(r'class="rk-item" data-id="(\d+)"', page)})  # list order
    assert len(ids) == 7
    # Everyone puts the last listed enjeu first and otherwise keeps the list order.
    ballot = ",".join(map(str, [ids[-1], *ids[:-1]]))
    for phone in phones:
        r = phone.client.post(f"/p/{ws['code']}/activities/{ranking_id}/ranking",
                              data={"ballot": ballot, "idempotency_key": "k12345678"})
        assert r.status_code == 201, r.text
    assert fac.set_state(ranking_id, "closed").status_code == 200
    assert fac.client.post(f"/f/activities/{ranking_id}/keep", data={"n": "4"}).status_code == 200

    watch, contexts, failed = Watch(), [], True
    try:
        ctx, control = desktop_page(browser, watch, "control", DESKTOP)
        contexts.append(ctx)
        login(control, server, facilitator_email)
        control.goto(f"{server.url}/f/workshops/{ws['id']}")
        box = control.locator(".exports-box")
        expect(box.get_by_role("heading", name="Exports")).to_be_visible()
        control.screenshot(path=shots / "exports-control.png", full_page=True)

        # The ranked enjeux, one click from the ranking's results.
        name, data = download(control, lambda: control.locator(".rk-exports").get_by_role(
            "link", name="CSV", exact=True).click())
        assert name.startswith(f"enjeux-{ranking_id}-priorisation-a-coulounieix") and name.endswith(".csv")
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
        assert [r[1] for r in rows[1:]] == [ANCT_ENJEUX[-1], *ANCT_ENJEUX[:-1]]
        assert [r[7] for r in rows[1:]] == ["oui"] * 4 + ["non"] * 3
        name, data = download(control, lambda: control.locator(".rk-exports").get_by_role(
            "link", name="XLSX").click())
        assert name.endswith(".xlsx") and data.startswith(b"PK")

        # The report: no names unless asked for.
        name, data = download(control, lambda: box.get_by_role("button", name="Compte-rendu PDF").click())
        assert name == "compte-rendu-priorisation-a-coulounieix.pdf"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert ANCT_ENJEUX[-1] in text and NAME not in text
        box.get_by_label("inclure les noms").check()
        name, data = download(control, lambda: box.get_by_role("button", name="Compte-rendu PDF").click())
        assert name == "compte-rendu-priorisation-a-coulounieix-avec-noms.pdf"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert NAME in text
        box.get_by_label("inclure les noms").uncheck()
        name, data = download(control, lambda: box.get_by_role("button", name="DOCX").click())
        assert name.endswith(".docx")
        document = docx.Document(io.BytesIO(data))
        assert any(p.text == "2. Classez les enjeux par ordre de priorité" for p in document.paragraphs)
        assert NAME not in "\n".join(p.text for p in document.paragraphs)
        watch.check()
        failed = False
    finally:
        close_all(contexts, shots, failed)
