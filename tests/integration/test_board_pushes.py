"""A board that applies every fragment it is pushed shows what a fresh board shows: after random
sequences of post-its from several phones and moderation by the facilitator (hide, show again,
merge, unmerge, edit), the text of the board kept up to date by its WebSocket equals the text of
the board page read afresh. Whatever the pushes become (whole blocks today, smaller fragments
later), this is what they must keep."""

import asyncio
import random
import re

import httpx
import lxml.html
import pytest
import websockets

from tests.htmx_swaps import apply
from tests.support import Participant, sql

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

QUIET = 1.0  # seconds without a frame: the board has received the last push


def text_of(page: lxml.html.HtmlElement) -> str:
    return " ".join(page.body.text_content().split())


def moderate(rng: random.Random, fac, activity_id: int, db: str, choice: str = "") -> None:
    notes = sql(db, "SELECT id, hidden, merged_into_id FROM item WHERE activity_id = :a ORDER BY id",
                a=activity_id)
    visible = [i for i, hidden, into in notes if not hidden and into is None]
    hidden = [i for i, h, into in notes if h and into is None]
    merged = {into for _i, _h, into in notes if into is not None}
    choice = choice or rng.choice(["hide", "show", "merge", "unmerge", "edit"])
    if choice == "hide" and visible:
        r = fac.client.post(f"/f/items/{rng.choice(visible)}/hidden", data={"hidden": "true"})
    elif choice == "show" and hidden:
        r = fac.client.post(f"/f/items/{rng.choice(hidden)}/hidden", data={"hidden": "false"})
    elif choice == "merge" and len(visible) >= 2:
        pair = rng.sample(visible, 2)
        r = fac.client.post(f"/f/activities/{activity_id}/merge",
                            data={"item_ids": [str(i) for i in pair], "text": f"Regroupés {pair[0]}"})
    elif choice == "unmerge" and merged:
        r = fac.client.post(f"/f/items/{rng.choice(sorted(merged))}/unmerge")
    elif choice == "edit" and visible:
        r = fac.client.post(f"/f/items/{rng.choice(visible)}/edit",
                            data={"text": f"Corrigé {rng.randrange(1000)}", "category": "social"})
    else:
        return
    assert r.status_code == 200, (choice, r.text)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_board_fed_by_its_pushes_equals_a_fresh_board(server, room, seed):
    fac, ws, activity_id, db = room["fac"], room["ws"], room["activity"], room["db"]
    rng = random.Random(seed)
    phones = [room["alice"], Participant(server.url, ws["code"]), Participant(server.url, ws["code"])]
    group = room["gid"]
    board_url = f"{server.url}/b/{ws['board_key']}"

    async def scenario() -> list[tuple[str, str]]:
        async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}",
                                      additional_headers={"Origin": server.url}) as board:
            page = lxml.html.document_fromstring(httpx.get(board_url).text)
            apply(page, str(await asyncio.wait_for(board.recv(), 5)))  # the full state first
            frames = [0]

            async def listen() -> None:
                while True:
                    apply(page, str(await board.recv()))
                    frames[0] += 1

            async def compared() -> tuple[str, str]:
                received = -1
                while received != frames[0]:  # quiet: no frame for QUIET seconds
                    received = frames[0]
                    await asyncio.sleep(QUIET)
                fresh = await asyncio.to_thread(httpx.get, board_url)
                return text_of(page), text_of(lxml.html.document_fromstring(fresh.text))

            listener = asyncio.create_task(listen())
            checks = []
            for step in range(30):
                if rng.random() < 0.6:
                    phone = rng.choice(phones)
                    r = await asyncio.to_thread(phone.post, activity_id, f"Idée {seed}-{step}", None,
                                                rng.choice(["social", "politique", "technologique"]), group)
                    assert r.status_code == 201, r.text
                else:
                    await asyncio.to_thread(moderate, rng, fac, activity_id, db)
                if rng.random() < 0.3:
                    await asyncio.sleep(rng.random() * 0.3)
                if step % 10 == 9:  # a moderation last, then the board must have caught up
                    await asyncio.to_thread(moderate, rng, fac, activity_id, db, "hide")
                    checks.append(await compared())
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            return checks

    checks = asyncio.run(scenario())
    for kept, fresh in checks:
        assert kept == fresh
    assert re.search(r"Idée \d-\d+", checks[-1][1])  # the board shows the room's notes
