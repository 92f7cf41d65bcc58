"""Two uvicorn processes on PostgreSQL and Redis serve one workshop."""

import asyncio
import random
import re

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.conftest import postgres_url, redis_url
from tests.support import (
    Facilitator,
    Participant,
    catalog,
    create_facilitator,
    fresh_postgres,
    migrate,
    run_server,
)

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]


def test_participant_on_one_worker_board_on_the_other(tmp_path):
    broker = redis_url()
    with fresh_postgres(postgres_url()) as db:
        migrate(db)
        _two_workers(db, broker, tmp_path)


def _two_workers(db: str, broker: str, tmp_path) -> None:
    with run_server(db, tmp_path, broker, "a") as a, run_server(db, tmp_path, broker, "b") as b:
        email = create_facilitator(db)
        fac = Facilitator(a.url, email)
        ws = fac.create_workshop()
        activity_id = fac.open_postits(ws["id"])
        # The participant talks to worker A only, the board listens on worker B only.
        alice = Participant(a.url, ws["code"])
        gid = alice.first_group_id()

        async def scenario() -> tuple[str, str]:
            async with websockets.connect(f"{b.ws_url}/ws/board/{ws['board_key']}") as board:
                await asyncio.wait_for(board.recv(), 5)  # initial full state
                async with websockets.connect(
                    f"{a.ws_url}/ws/p/{ws['code']}",
                    additional_headers={"Cookie": alice.cookie_header},
                ) as phone:
                    await asyncio.wait_for(phone.recv(), 5)
                    r = await asyncio.to_thread(alice.post, activity_id, "Venu par le worker A",
                                                None, "social", gid)
                    assert r.status_code == 201
                    frame = ""
                    while "Venu par le worker A" not in frame:
                        frame = await asyncio.wait_for(board.recv(), 5)
                    # A move of the facilitator on worker B reaches the phone on worker A.
                    fac_b = Facilitator(b.url, email)
                    assert (await asyncio.to_thread(fac_b.goto, ws["id"], 2)).status_code == 200
                    phone_frame = ""
                    while "Facteurs d" not in phone_frame or "inertie" not in phone_frame:
                        phone_frame = await asyncio.wait_for(phone.recv(), 5)
                    return frame, phone_frame

        frame, phone_frame = asyncio.run(scenario())
        assert 'class="note" id="board-note-' in frame and 'id="p-activity"' in phone_frame
        engine = create_engine(db)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 1
        engine.dispose()


POLL = """\
title: Vote à deux serveurs
activities:
  - kind: poll
    title: Fréquence
    scale: frequence
    live: true
"""


def test_after_a_burst_split_across_two_workers_both_boards_equal_the_database(tmp_path):
    """40 phones vote at once, half through each worker (batch writer, one transaction per batch
    on each), while a board listens on each worker: once every vote is acknowledged, both boards'
    last frames show exactly the counts the database holds."""
    env = catalog(tmp_path, {"vote": POLL})
    with fresh_postgres(postgres_url()) as db:
        migrate(db)
        with run_server(db, tmp_path, redis_url(), "a", extra_env=env) as a, \
                run_server(db, tmp_path, redis_url(), "b", extra_env=env) as b:
            fac = Facilitator(a.url, create_facilitator(db))
            ws = fac.create_workshop("vote")
            activity_id = fac.open_postits(ws["id"], position=0)
            phones = [Participant((a, b)[n % 2].url, ws["code"]) for n in range(40)]
            rng = random.Random(11)

            async def scenario() -> list[str]:
                boards = [await websockets.connect(f"{w.ws_url}/ws/board/{ws['board_key']}") for w in (a, b)]
                last = ["", ""]
                for n, board in enumerate(boards):
                    last[n] = str(await asyncio.wait_for(board.recv(), 5))

                async def vote(phone: Participant) -> int:
                    async with httpx.AsyncClient(base_url=str(phone.client.base_url),
                                                 cookies=phone.client.cookies, timeout=10) as c:
                        r = await c.post(f"/p/{ws['code']}/activities/{activity_id}/vote",
                                         data={"choice": str(rng.randrange(4))})
                        return r.status_code

                assert set(await asyncio.gather(*(vote(p) for p in phones))) == {201}

                async def settle(n: int) -> None:
                    while 'data-count="40"' not in last[n]:
                        last[n] = str(await asyncio.wait_for(boards[n].recv(), 5))

                await asyncio.gather(settle(0), settle(1))
                for board in boards:
                    await board.close()
                return last

            frames = asyncio.run(scenario())
            engine = create_engine(db)
            with engine.connect() as conn:
                stored = dict(conn.execute(text(
                    "SELECT value, count(*) FROM vote WHERE activity_id = :a GROUP BY value"),
                    {"a": activity_id}).all())
            engine.dispose()
            assert sum(stored.values()) == 40
            for frame in frames:
                shown = [int(c) for c in re.findall(r'class="poll-value"[^>]*>\d+ % \((\d+)\)', frame)]
                assert shown == [stored.get(option, 0) for option in range(4)], (shown, stored)
