"""Two uvicorn processes on PostgreSQL and Redis serve one workshop."""

import asyncio

import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.conftest import postgres_url, redis_url
from tests.support import Facilitator, Participant, create_facilitator, fresh_postgres, migrate, run_server

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
        assert 'id="board-main"' in frame and 'id="p-activity"' in phone_frame
        engine = create_engine(db)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 1
        engine.dispose()
