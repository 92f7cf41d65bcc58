"""Joining in one round trip (issue 12, point 12): the phone draws its participant token, posts it
with the join form (`cle`) and sends it as its socket's first message at the same time
(`/ws/p/<code>?rejoindre`, app.routes.board._joining); the socket turns live once the join is
stored, whichever of the two reaches the server first. And each page loads the stylesheets and
scripts of the kinds its workshop shows, no other."""

import asyncio
import re
import secrets

import httpx
import pytest
import websockets
from sqlmodel import Session, select

from app.db import make_engine
from app.live import CLOSE_FORBIDDEN
from app.models import Participant as ParticipantRow
from app.rendering import kind_assets
from tests.support import Facilitator, catalog, create_facilitator, run_server

FIRST_PUSH = 10.0  # seconds: a live socket's first frame comes within this


def phone_token() -> str:
    return secrets.token_urlsafe(32)


def phone(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, follow_redirects=False, timeout=10, headers={"Origin": url})


async def first_frame(socket: websockets.ClientConnection) -> str:
    frame = await asyncio.wait_for(socket.recv(), FIRST_PUSH)
    return frame if isinstance(frame, str) else frame.decode()


def participants_of(database_url: str, workshop_id: int) -> list[ParticipantRow]:
    with Session(make_engine(database_url)) as session:
        return list(session.exec(select(ParticipantRow).where(ParticipantRow.workshop_id == workshop_id)))


@pytest.mark.storage
@pytest.mark.broadcast
@pytest.mark.parametrize("order", ["socket-first", "form-first", "cookie-first"])
def test_the_socket_opened_beside_the_join_form_turns_live(server, facilitator_email, order):
    """`cookie-first`: the join's answer, and its cookie, came before the socket's handshake (a
    browser slow to open sockets); it sends its token all the same, and is served."""
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop()
    activity_id = fac.open_postits(ws["id"])
    token = phone_token()
    client = phone(server.url)

    def join() -> httpx.Response:
        return client.post(f"/j/{ws['code']}", data={"name": "Camille", "cle": token})

    def connect() -> websockets.connect:
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}?rejoindre", origin=server.url,
                                  additional_headers={"Cookie": cookie} if cookie else None)

    async def scenario() -> tuple[httpx.Response, str]:
        answer = await asyncio.to_thread(join) if order == "cookie-first" else None
        async with connect() as socket:
            if order == "socket-first":  # the token waits on the server for the join to be stored
                await socket.send(token)
                await asyncio.sleep(0.3)
                answer = await asyncio.to_thread(join)
            elif order == "form-first":
                answer = await asyncio.to_thread(join)
                await socket.send(token)
            else:
                await socket.send(token)
            assert answer is not None
            return answer, await first_frame(socket)

    async def reconnection() -> str:
        """The same socket again, after a loss: its token again, with the cookie now."""
        async with connect() as socket:
            await socket.send(token)
            return await first_frame(socket)

    answer, first = asyncio.run(scenario())
    assert answer.status_code == 204, answer.text
    for frame in (first, asyncio.run(reconnection())):
        assert 'id="p-activity"' in frame and f'data-activity="{activity_id}"' in frame, frame[:300]
    # The cookie of the answer is the phone's: its page is hers, with the token it drew.
    assert client.get(f"/p/{ws['code']}").status_code == 200
    rows = participants_of(server.database_url, ws["id"])
    assert [r.token for r in rows] == [token]
    # The same form sent again, its answer (and cookie) lost: the same participant, not a second one.
    assert phone(server.url).post(f"/j/{ws['code']}", data={"cle": token}).status_code == 204
    assert len(participants_of(server.database_url, ws["id"])) == 1


@pytest.mark.storage
def test_a_joining_socket_without_a_stored_join_is_refused_and_changes_nothing(database_url, tmp_path):
    with run_server(database_url, tmp_path, extra_env={"JOIN_SOCKET_WAIT_SECONDS": "1"}) as server:
        fac = Facilitator(server.url, create_facilitator(database_url))
        ws = fac.create_workshop()
        fac.open_postits(ws["id"])

        async def refused(first_message: str | bytes | None) -> int | None:
            async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}?rejoindre",
                                          origin=server.url) as socket:
                if first_message is not None:
                    await socket.send(first_message)
                with pytest.raises(websockets.ConnectionClosed):
                    await asyncio.wait_for(socket.recv(), FIRST_PUSH)
                return socket.close_code

        # A token never joined with, one of a wrong form, bytes, nothing at all: closed, no one in.
        for message in (phone_token(), "a" * 20, "é" * 43, phone_token().encode(), None):
            assert asyncio.run(refused(message)) == CLOSE_FORBIDDEN, message
        # Without ?rejoindre, a socket with no cookie is refused at once, as before, saying why in
        # its reader's language.
        for language, said in (("fr", "rejoignez d'abord l'atelier"), ("en", "join the workshop first")):
            assert asyncio.run(_plain_refusal(server.ws_url, ws["code"], server.url, language)) == (
                CLOSE_FORBIDDEN, said)
        assert participants_of(database_url, ws["id"]) == []


async def _plain_refusal(ws_url: str, code: str, origin: str, language: str = "fr") -> tuple[int | None, str]:
    async with websockets.connect(f"{ws_url}/ws/p/{code}", origin=origin,
                                  additional_headers={"Accept-Language": language}) as socket:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), FIRST_PUSH)
        return socket.close_code, socket.close_reason


@pytest.mark.storage
def test_a_join_key_of_a_wrong_form_or_of_another_workshop_is_refused(server, facilitator_email):
    fac = Facilitator(server.url, facilitator_email)
    first, second = fac.create_workshop(), fac.create_workshop()
    client = phone(server.url)
    for bad in ("court", "x" * 43 + "!", "é" * 43):
        r = client.post(f"/j/{first['code']}", data={"cle": bad}, headers={"Accept": "application/json"})
        assert r.status_code == 422, (bad, r.status_code, r.text)
        assert r.json()["detail"] == "Clé de connexion refusée : rechargez la page."
    r = client.post(f"/j/{first['code']}", data={"cle": "x" * 65})  # beyond the field's size
    assert r.status_code == 422
    # A token already a participant's in another workshop: refused, in English for an English phone.
    token = phone_token()
    assert phone(server.url).post(f"/j/{first['code']}", data={"cle": token}).status_code == 204
    r = phone(server.url).post(f"/j/{second['code']}", data={"cle": token},
                               headers={"Accept": "application/json", "Accept-Language": "en"})
    assert r.status_code == 422
    assert r.json()["detail"] == "Connection key refused: reload the page."
    assert participants_of(server.database_url, second["id"]) == []
    assert len(participants_of(server.database_url, first["id"])) == 1


def test_kind_assets_are_those_of_the_kinds_shown():
    assert kind_assets([]) == {"css": [], "js": []}
    assert kind_assets(["postits", "text"]) == {"css": [], "js": []}
    assert kind_assets(["poll", "postits"]) == {"css": ["poll.css"], "js": []}
    # The resource map's editor is the chantier table's: its stylesheet and script come along.
    assert kind_assets(["resources"]) == {"css": ["resources.css", "table.css"],
                                          "js": ["resources.js", "table.js"]}
    every = kind_assets(None)
    assert {"poll.css", "rating.css", "ranking.css", "table.css", "resources.css"} <= set(every["css"])
    assert {"rating.js", "ranking.js", "table.js", "resources.js"} <= set(every["js"])


POSTITS_AND_POLL = """\
title: Atelier léger
activities:
  - kind: postits
    title: Vos idées
    categories: [social]
  - kind: poll
    title: Quel scénario ?
    options: [Le premier, Le second]
"""
RANKING_AND_RESOURCES = """\
title: Atelier des ressources
activities:
  - kind: ranking
    title: Classez
    items: [Former, Équiper, Accompagner]
    method: borda
    keep: 2
  - kind: resources
    title: Les ressources
    chantier: Former les aidants
    categories: [partenaires]
"""


def static_files(html: str) -> set[str]:
    return set(re.findall(r'(?:href|src)="/static/([^"?]+)\?v=', html))


def test_a_phone_page_loads_the_files_of_its_workshop_kinds_only(database_url, tmp_path):
    sessions = catalog(tmp_path, {"atelier-leger": POSTITS_AND_POLL,
                                  "atelier-ressources": RANKING_AND_RESOURCES})
    with run_server(database_url, tmp_path, extra_env=sessions) as server:
        fac = Facilitator(server.url, create_facilitator(database_url))
        ws = fac.create_workshop("atelier-leger")
        client = phone(server.url)
        base = {"app.css", "app.js", "favicon.svg", "vendor/htmx-2.0.8.min.js", "vendor/htmx-ext-ws-2.0.4.js"}
        assert static_files(client.get(f"/j/{ws['code']}").text) == base | {"kinds/poll.css"}
        assert client.post(f"/j/{ws['code']}", data={"name": ""}).status_code == 303
        assert static_files(client.get(f"/p/{ws['code']}").text) == base | {"kinds/poll.css"}
        for page in ("/", "/confidentialite", "/accessibilite", "/mentions-legales", "/login"):
            assert static_files(client.get(page).text) == base, page
        # The facilitator's pages: her control page shows the workshop's kinds, her lists none.
        assert static_files(fac.client.get(f"/f/workshops/{ws['id']}").text) == base | {"kinds/poll.css"}
        for page in ("/f", "/f/roadmaps"):  # (the roadmap's own files beside)
            assert not {f for f in static_files(fac.client.get(page).text) if f.startswith("kinds/")}, page
        # Ranking and resources: theirs, and the chantier table's that the resource editor uses.
        other = fac.create_workshop("atelier-ressources")
        assert static_files(client.get(f"/j/{other['code']}").text) == base | {
            "kinds/ranking.css", "kinds/ranking.js", "kinds/resources.css", "kinds/resources.js",
            "kinds/table.css", "kinds/table.js"}
