"""The restitution page over a real server: published by the facilitator at /r/<key> (a new key
each time, revocable), the compte-rendu without any name (page and PDF, a hidden post-it left
out), offered to the phones still on the workshop by a push, reached from the workshop's code once
it is closed; refused to another facilitator and for a bad value; an unknown or revoked key
answers 404 in French."""

import asyncio
import io
import re

import httpx
import pytest
import websockets
from pypdf import PdfReader

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server, sql

pytestmark = pytest.mark.storage

TEMPLATE = ("title: Atelier du Val\nactivities:\n  - kind: postits\n    title: Vos idées\n"
            "    categories: [social]\n  - kind: poll\n    title: Quel scénario ?\n"
            "    options: [Départemental, Intercommunal]\n")
KEPT, HIDDEN = "Un bus pour les France Services", "Un post-it retiré par l'animatrice"


def httpx_get(base: str, path: str) -> httpx.Response:
    return httpx.get(f"{base}{path}", follow_redirects=False, timeout=30)


def key_of(database_url: str, workshop_id: int) -> str | None:
    return sql(database_url, "SELECT restitution_key FROM workshop WHERE id = :w", w=workshop_id)[0][0]


def test_a_published_restitution_shows_the_room_without_names(database_url, tmp_path):
    with run_server(database_url, tmp_path, extra_env=catalog(tmp_path, {"val": TEMPLATE})) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("val")
        notes = fac.open_postits(ws["id"], position=0)
        lea = Participant(srv.url, ws["code"], name="Léa Roux")
        assert lea.post(notes, KEPT).status_code == 201
        assert lea.post(notes, HIDDEN).status_code == 201
        (hidden,), = sql(database_url, "SELECT id FROM item WHERE text = :t", t=HIDDEN)
        assert fac.client.post(f"/f/items/{hidden}/hidden", data={"hidden": "true"}).status_code == 200
        url = f"/f/workshops/{ws['id']}/restitution"
        assert fac.client.post(url, data={"publier": "peut-être"}).status_code == 422
        other = Facilitator(srv.url, create_facilitator(database_url))
        assert other.client.post(url, data={"publier": "oui"}).status_code in (403, 404)
        assert key_of(database_url, ws["id"]) is None
        assert "Publier la restitution" in fac.client.get(f"/f/workshops/{ws['id']}").text

        # Published while Léa's phone is on the workshop: her page is pushed the link.
        async def offered() -> str:
            headers = {"Cookie": lea.cookie_header, "Origin": srv.url}
            async with websockets.connect(f"{srv.ws_url}/ws/p/{ws['code']}",
                                          additional_headers=headers) as phone:
                r = await asyncio.to_thread(fac.client.post, url, data={"publier": "oui"})
                assert r.status_code == 303
                while True:
                    frame = str(await asyncio.wait_for(phone.recv(), 10))
                    if "data-restitution" in frame:
                        return frame

        frame = asyncio.run(offered())
        key = key_of(database_url, ws["id"])
        assert key and len(key) >= 32 and f'href="/r/{key}"' in frame

        page = httpx_get(srv.url, f"/r/{key}")
        assert page.status_code == 200 and "Restitution de l&#39;atelier" in page.text
        assert KEPT in page.text and HIDDEN not in page.text and "Léa" not in page.text
        assert '<main id="contenu">' in page.text and f'href="/r/{key}/compte-rendu.pdf"' in page.text
        css = httpx_get(srv.url, "/restitution.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        pdf = httpx_get(srv.url, f"/r/{key}/compte-rendu.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert KEPT in " ".join(text.split()) and "Léa" not in text

        # Revoked: the link dies; published again: a new link.
        assert fac.client.post(url, data={"publier": "non"}).status_code == 303
        gone = httpx_get(srv.url, f"/r/{key}")
        assert gone.status_code == 404 and "n'est plus publiée" in gone.text
        assert fac.client.post(url, data={"publier": "oui"}).status_code == 303
        again = key_of(database_url, ws["id"])
        assert again and again != key
        assert httpx_get(srv.url, f"/r/{'x' * 5000}").status_code == 404

        # Closed: the workshop's code (its QR code) leads to the restitution, and only while published.
        assert fac.client.post(f"/f/workshops/{ws['id']}/close").status_code == 303
        r = httpx_get(srv.url, f"/j/{ws['code'].lower()}")
        assert r.status_code == 303 and r.headers["location"] == f"/r/{again}"
        assert fac.client.post(url, data={"publier": "non"}).status_code == 303
        assert httpx_get(srv.url, f"/j/{ws['code']}").status_code == 404


def test_the_control_page_names_the_published_link(database_url, tmp_path):
    with run_server(database_url, tmp_path, extra_env=catalog(tmp_path, {"val": TEMPLATE})) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("val")
        r = fac.client.post(f"/f/workshops/{ws['id']}/restitution", data={"publier": "oui"})
        assert r.status_code == 303
        page = fac.client.get(f"/f/workshops/{ws['id']}").text
        key = key_of(database_url, ws["id"])
        assert re.search(rf'href="/r/{key}"[^>]*>{re.escape(srv.url)}/r/{key}<', page)
        assert "Retirer la restitution" in page
