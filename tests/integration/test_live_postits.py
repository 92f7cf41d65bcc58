"""A real uvicorn server, 30 participants posting at once, a board watching."""

import asyncio
import re
import secrets

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.conftest import FIRST_NOTE
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

N_PARTICIPANTS, PER_PARTICIPANT = 30, 3


def count_items(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM item")).scalar_one()
    engine.dispose()
    return n


async def _participant(base_url: str, code: str, activity_id: int, idx: int,
                       group_id: int) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        r = await client.post(f"/j/{code}", data={"name": f"P{idx}"})
        assert r.status_code == 303
        sent = []
        for n in range(PER_PARTICIPANT):
            body = f"facteur-{idx}-{n}-{secrets.token_hex(3)}"
            key = secrets.token_hex(16)
            r = await client.post(f"/p/{code}/activities/{activity_id}/items",
                                  data={"text": body, "idempotency_key": key,
                                        "category": "technologique", "group_id": str(group_id)})
            assert r.status_code == 201, r.text
            assert body in r.text and "envoyé" in r.text
            sent.append((body, key))
        # A retry of every post (lost response, double tap) is answered, not stored again.
        for body, key in sent:
            r = await client.post(f"/p/{code}/activities/{activity_id}/items",
                                  data={"text": body, "idempotency_key": key,
                                        "category": "technologique", "group_id": str(group_id)})
            assert r.status_code == 200, r.text
        return sent


def test_thirty_participants_post_concurrently_and_the_board_sees_all(server, facilitator_email):
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop()
    activity_id = fac.open_postits(ws["id"])
    group_id = Participant(server.url, ws["code"]).first_group_id()

    async def scenario() -> tuple[list, set[str]]:
        seen: set[str] = set()
        ready = asyncio.Event()
        # Texts are only known once posted: the board collects every "facteur-" note it sees.
        board_frames: list[str] = []

        async def board() -> None:
            async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}") as sock:
                ready.set()
                while True:
                    board_frames.append(await sock.recv())
                    seen.update(re.findall(r"facteur-\d+-\d+-[0-9a-f]{6}", board_frames[-1]))

        watcher = asyncio.create_task(board())
        await ready.wait()
        results = await asyncio.gather(*[
            _participant(server.url, ws["code"], activity_id, i, group_id)
            for i in range(N_PARTICIPANTS)
        ])
        texts = {body for sent in results for body, _ in sent}
        deadline = asyncio.get_running_loop().time() + 10
        while not texts <= seen and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        watcher.cancel()
        return results, texts - seen

    results, missing = asyncio.run(scenario())
    assert sum(len(r) for r in results) == N_PARTICIPANTS * PER_PARTICIPANT
    assert not missing, f"board never showed {len(missing)} notes"
    assert count_items(server.database_url) == N_PARTICIPANTS * PER_PARTICIPANT


def test_board_gets_full_state_on_connect_and_presence(server, room):
    ws, alice = room["ws"], room["alice"]

    async def scenario() -> tuple[str, str]:
        async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}") as board:
            first = await asyncio.wait_for(board.recv(), 5)
            async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                          additional_headers={"Cookie": alice.cookie_header}):
                presence = ""
                while "<strong>1</strong>" not in presence:
                    presence = await asyncio.wait_for(board.recv(), 5)
            return first, presence

    first, presence = asyncio.run(scenario())
    assert FIRST_NOTE in first and 'id="board-main"' in first
    assert 'id="board-presence"' in presence


def test_each_phone_follows_the_workshop_and_sees_only_its_own_notes(server, room):
    fac, ws, activity_id, gid = room["fac"], room["ws"], room["activity"], room["gid"]
    phones = [Participant(server.url, ws["code"]) for _ in range(3)]
    for i, phone in enumerate(phones):
        assert phone.post(activity_id, f"note-du-telephone-{i}", group_id=gid).status_code == 201

    async def scenario() -> list[str]:
        socks = [await websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                          additional_headers={"Cookie": p.cookie_header})
                 for p in phones]
        try:
            for sock in socks:
                await asyncio.wait_for(sock.recv(), 5)  # full state on connect
            assert (await asyncio.to_thread(fac.set_state, activity_id, "closed")).status_code == 200
            return [await asyncio.wait_for(sock.recv(), 5) for sock in socks]
        finally:
            for sock in socks:
                await sock.close()

    frames = asyncio.run(scenario())
    for i, frame in enumerate(frames):
        assert 'id="p-activity"' in frame and "Cette activité est fermée" in frame
        assert f"note-du-telephone-{i}" in frame
        others = {f"note-du-telephone-{j}" for j in range(3) if j != i} | {"Un premier post-it"}
        assert not any(o in frame for o in others), frame


def test_moderation_reaches_the_author_phone(server, room):
    fac, ws, alice = room["fac"], room["ws"], room["alice"]
    control = fac.client.get(f"/f/workshops/{ws['id']}").text
    note_id = int(re.search(r'id="mod-(\d+)"', control).group(1))

    async def scenario() -> str:
        async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                      additional_headers={"Cookie": alice.cookie_header}) as phone:
            first = await asyncio.wait_for(phone.recv(), 5)
            assert "✓ envoyé" in first
            r = await asyncio.to_thread(fac.client.post, f"/f/items/{note_id}/hidden",
                                        data={"hidden": "true"})
            assert r.status_code == 200
            frame = ""
            while "masqué par l" not in frame:
                frame = await asyncio.wait_for(phone.recv(), 5)
            return frame

    assert "Un premier post-it" in asyncio.run(scenario())


def test_deleting_a_workshop_tells_its_open_screens(server, room):
    fac, ws, alice = room["fac"], room["ws"], room["alice"]

    async def until(sock, marker: str) -> str:
        frame = ""
        while marker not in frame:
            frame = await asyncio.wait_for(sock.recv(), 5)
        return frame

    async def scenario() -> tuple[str, str]:
        async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}") as board, \
                websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                   additional_headers={"Cookie": alice.cookie_header}) as phone:
            await until(board, FIRST_NOTE)
            await until(phone, "✓ envoyé")
            r = await asyncio.to_thread(fac.client.post, f"/f/workshops/{ws['id']}/delete")
            assert r.status_code == 303
            return await until(board, "Atelier supprimé"), await until(phone, "a été supprimé")

    board_frame, phone_frame = asyncio.run(scenario())
    assert 'id="board-main"' in board_frame and FIRST_NOTE not in board_frame
    assert 'id="p-activity"' in phone_frame and "merci de votre participation" in phone_frame
    # and the screens cannot come back to it
    assert httpx.get(f"{server.url}/b/{ws['board_key']}").status_code == 404


def test_unknown_pages_answer_a_readable_page(server):
    r = httpx.get(f"{server.url}/j/", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Page introuvable" in r.text and "<html" in r.text
    r = httpx.get(f"{server.url}/nope")
    assert r.status_code == 404 and r.json()["detail"] == "Not Found"


def test_a_board_can_follow_one_sub_group(server, room):
    ws, act = room["ws"], room["activity"]
    page = room["alice"].client.get(f"/p/{ws['code']}").text
    group_ids = [int(g) for g in re.findall(r'<option value="(\d+)"', page)]
    g1, g2 = group_ids[0], group_ids[1]
    bob, chloe = Participant(server.url, ws["code"]), Participant(server.url, ws["code"])
    assert chloe.post(act, "note-du-groupe-2", group_id=g2).status_code == 201
    board = httpx.get(f"{server.url}/b/{ws['board_key']}?groupe={g1}").text
    assert "Un premier post-it" in board and "note-du-groupe-2" not in board and "Groupe 1" in board
    assert "note-du-groupe-2" in httpx.get(f"{server.url}/b/{ws['board_key']}").text
    assert httpx.get(f"{server.url}/b/{ws['board_key']}?groupe=999999").status_code == 404

    async def scenario() -> tuple[str, int]:
        async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}?groupe={g1}") as one:
            frame = str(await asyncio.wait_for(one.recv(), 5))  # the full state first
            assert (await asyncio.to_thread(bob.post, act, "note-de-bob-groupe-1", None, "social",
                                            g1)).status_code == 201
            while "note-de-bob-groupe-1" not in frame:  # then what changed
                frame += str(await asyncio.wait_for(one.recv(), 5))
        try:
            async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}?groupe=x") as bad:
                await asyncio.wait_for(bad.recv(), 5)
                await asyncio.wait_for(bad.recv(), 5)
        except websockets.exceptions.ConnectionClosed as closed:
            return frame, closed.rcvd.code
        return frame, 0

    frame, code = asyncio.run(scenario())
    assert "note-du-groupe-2" not in frame and "Un premier post-it" in frame
    assert code == 4404


def test_with_sub_groups_and_no_categories_the_board_shows_one_column_per_sub_group(
        database_url, tmp_path):
    sessions = catalog(tmp_path, {"groupes": "title: En sous-groupes\ngroups: [Nord, Sud, Est]\nactivities:\n"
                                             "  - kind: postits\n    title: Idées\n    use_groups: true\n"})
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("groupes")
        activity = fac.open_postits(ws["id"], position=0)
        phone = Participant(srv.url, ws["code"])
        groups = dict((name, int(gid)) for gid, name in re.findall(
            r'<option value="(\d+)"[^>]*>(\w+)<', phone.client.get(f"/p/{ws['code']}").text))
        notes = (("Une idée du Sud", "Sud"), ("Une idée du Nord", "Nord"), ("Encore le Sud", "Sud"))
        for body, group in notes:
            assert phone.post(activity, body, category="", group_id=groups[group]).status_code == 201
        page = fac.client.get(f"/b/{ws['board_key']}").text
        columns = re.findall(r'<span class="column-name">([^<]+)</span>.*?<ul class="notes"[^>]*>(.*?)</ul>',
                             page, re.S)
        assert [(name, re.findall(r'class="note-text">([^<]+)<', notes)) for name, notes in columns] == [
            ("Nord", ["Une idée du Nord"]), ("Sud", ["Une idée du Sud", "Encore le Sud"]), ("Est", [])]
