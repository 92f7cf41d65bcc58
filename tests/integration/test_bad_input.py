"""Bad input gets a clear error and changes nothing in the database."""

import asyncio
import html

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import Facilitator, create_facilitator

pytestmark = pytest.mark.storage


def snapshot(database_url: str) -> tuple:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = (
            conn.execute(text("SELECT id, text, hidden, merged_into_id FROM item ORDER BY id")).all(),
            conn.execute(text("SELECT id, state FROM activity ORDER BY id")).all(),
            conn.execute(text("SELECT id, title, current_position FROM workshop ORDER BY id")).all(),
            conn.execute(text("SELECT count(*) FROM participant")).scalar_one(),
        )
    engine.dispose()
    return rows


def refused(room, response: httpx.Response, status: int, fragment: str, before: tuple) -> None:
    assert response.status_code == status, response.text
    assert fragment in response.json()["detail"], response.json()
    assert snapshot(room["db"]) == before


def test_participant_posts_that_are_refused(room):
    alice, act, gid = room["alice"], room["activity"], room["gid"]
    before = snapshot(room["db"])
    refused(room, alice.post(act, "x" * 281, group_id=gid), 422, "281 caractères", before)
    refused(room, alice.post(act, "   \n ", group_id=gid), 422, "vide", before)
    refused(room, alice.post(act, "ok", category="astrologie", group_id=gid), 422,
            "Catégorie inconnue", before)
    refused(room, alice.post(act, "ok", key="short"), 422, "idempotence", before)
    refused(room, alice.post(999_999, "ok", group_id=gid), 404, "Activité 999999", before)
    refused(room, alice.post(act, "ok", group_id="abc"), 422, "group_id", before)
    refused(room, alice.post(act, "ok", group_id=987_654), 404, "Sous-groupe", before)
    r = alice.client.post("/p/ZZZZZZ/activities/1/items", data={"text": "ok", "idempotency_key": "k" * 16})
    refused(room, r, 404, "Aucun atelier", before)
    r = alice.client.post(f"/p/{room['ws']['code']}/activities/{act}/items", data={"text": "ok"})
    refused(room, r, 422, "idempotency_key", before)


def test_closed_or_draft_activity_refuses_posts(room):
    fac, alice, act, gid = room["fac"], room["alice"], room["activity"], room["gid"]
    assert fac.set_state(act, "closed").status_code == 200
    before = snapshot(room["db"])
    refused(room, alice.post(act, "trop tard", group_id=gid), 409, "pas ouverte", before)
    # The next post-its activity was never opened (draft).
    draft = room["fac"].goto(room["ws"]["id"], 2)
    assert draft.status_code == 200
    draft_id = fac.current_activity_id(room["ws"]["id"])
    before = snapshot(room["db"])
    refused(room, alice.post(draft_id, "trop tôt", group_id=gid), 409, "pas ouverte", before)
    refused(room, fac.set_state(draft_id, "revealed"), 409, "Impossible de passer", before)


def test_participant_cannot_call_facilitator_routes(room):
    alice, act, ws = room["alice"], room["activity"], room["ws"]
    before = snapshot(room["db"])
    calls = [
        ("post", f"/f/activities/{act}/state", {"state": "closed"}),
        ("post", f"/f/workshops/{ws['id']}/goto", {"position": "0"}),
        ("post", f"/f/workshops/{ws['id']}/rename", {"title": "Piraté"}),
        ("post", f"/f/workshops/{ws['id']}/delete", {}),
        ("post", f"/f/activities/{act}/merge", {"item_ids": ["1", "2"]}),
        ("post", "/f/items/1/hidden", {"hidden": "true"}),
        ("post", "/f/workshops", {"template": "prospective-10-ans"}),
    ]
    for method, url, data in calls:
        r = getattr(alice.client, method)(url, data=data)
        refused(room, r, 401, "Connexion animateur requise", before)
    # A page request is sent to the login form instead.
    r = alice.client.get(f"/f/workshops/{ws['id']}", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_facilitator_controls_only_her_own_workshops(room):
    other = Facilitator(room["server"].url, create_facilitator(room["db"]))
    before = snapshot(room["db"])
    refused(room, other.set_state(room["activity"], "closed"), 403, "autre animateur", before)
    refused(room, other.goto(room["ws"]["id"], 0), 403, "autre animateur", before)
    r = other.client.post(f"/f/workshops/{room['ws']['id']}/delete")
    refused(room, r, 403, "autre animateur", before)
    refused(room, other.goto(424242, 0), 404, "introuvable", before)
    refused(room, room["fac"].goto(room["ws"]["id"], 99), 422, "n° 100", before)
    r = room["fac"].client.post("/f/workshops", data={"template": "../../etc/passwd"})
    refused(room, r, 404, "Modèle d'atelier inconnu", before)
    r = room["fac"].client.post(f"/f/workshops/{room['ws']['id']}/rename", data={"title": "x" * 200})
    refused(room, r, 422, "120 au maximum", before)
    r = room["fac"].client.post(f"/f/activities/{room['activity']}/merge", data={"item_ids": ["1"]})
    refused(room, r, 422, "au moins deux", before)
    r = room["fac"].client.post(f"/f/workshops/{room['ws']['id']}/goto", data={"position": "deux"})
    refused(room, r, 422, "position : doit être un nombre entier, pas « deux »", before)
    r = room["fac"].client.post(f"/f/workshops/{room['ws']['id']}/goto", data={})
    refused(room, r, 422, "position : à remplir", before)
    r = room["fac"].client.post(f"/f/workshops/{room['ws']['id']}/goto", data={"position": "1" * 5000})
    refused(room, r, 422, "position : nombre bien trop grand", before)


def test_wrong_types_in_a_page_address_get_the_french_error_page(room):
    before = snapshot(room["db"])
    r = room["fac"].client.get("/f/roadmaps/1/importer-atelier?atelier=abc", headers={"Accept": "text/html"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "atelier : doit être un nombre entier, pas « abc »" in html.unescape(r.text)
    assert "Input should" not in r.text
    assert snapshot(room["db"]) == before


def test_forged_or_foreign_requests(room):
    srv, ws, act = room["server"], room["ws"], room["activity"]
    before = snapshot(room["db"])
    forged = httpx.Client(base_url=srv.url, cookies={"cap_session": "eyJmIjogMX0=.forged.sig"},
                          headers={"Origin": srv.url})
    refused(room, forged.post(f"/f/activities/{act}/state", data={"state": "closed"}), 401,
            "Connexion animateur", before)
    r = forged.post(f"/p/{ws['code']}/activities/{act}/items",
                    data={"text": "ok", "idempotency_key": "k" * 16})
    assert r.status_code == 401 and snapshot(room["db"]) == before
    # A cross-site form post with the facilitator's own cookie is refused (CSRF).
    r = room["fac"].client.post(f"/f/activities/{act}/state", data={"state": "closed"},
                                headers={"Origin": "https://evil.example"})
    refused(room, r, 403, "Origine refusée", before)


def test_websocket_roles_and_origin(room):
    srv, ws, alice = room["server"], room["ws"], room["alice"]
    before = snapshot(room["db"])

    async def close_code(url: str, headers: dict, send: str | None = None) -> int:
        try:
            async with websockets.connect(url, additional_headers=headers) as sock:
                await asyncio.wait_for(sock.recv(), 5)
                if send is not None:
                    await sock.send(send)
                while True:
                    await asyncio.wait_for(sock.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
        except InvalidStatus as rejected:
            return rejected.response.status_code

    cookie = {"Cookie": alice.cookie_header}
    control = f'{{"action": "state", "activity": {room["activity"]}, "state": "closed"}}'
    assert asyncio.run(close_code(f"{srv.ws_url}/ws/p/{ws['code']}", cookie, control)) == 4403
    assert asyncio.run(close_code(f"{srv.ws_url}/ws/board/{ws['board_key']}", {}, control)) == 4403
    assert asyncio.run(close_code(f"{srv.ws_url}/ws/control/{ws['id']}", cookie)) == 4401  # not logged in
    assert asyncio.run(close_code(f"{srv.ws_url}/ws/board/not-a-key", {})) == 4404
    assert asyncio.run(close_code(f"{srv.ws_url}/ws/p/{ws['code']}", {})) == 4403
    foreign = {**cookie, "Origin": "https://evil.example"}
    assert asyncio.run(close_code(f"{srv.ws_url}/ws/p/{ws['code']}", foreign)) == 403
    assert snapshot(room["db"]) == before
