"""A board that stops reading is dropped; the other boards keep receiving (real server, real sockets).

A screen's mailbox keeps only the latest version of each fragment, so it never grows; what fills up
when a client stops reading is the socket: the server's writes pause (uvicorn's flow control), the
send waits, and after `SEND_TIMEOUT` the server closes that socket with 1013 (« try again later »:
the phone or board reconnects and gets the full state first). Nothing else waits for it.
"""

import asyncio
import re
import secrets
import socket
from urllib.parse import urlsplit

import httpx
import pytest
import websockets

from tests.support import Facilitator, Participant, create_facilitator, run_server

pytestmark = [pytest.mark.broadcast]

NOTES = 150
# Enough that the board's frames outgrow the kernel's socket buffers (4 MiB at most on Linux):
# hiding and showing again the first note of a column sends the whole column (≈ 45 KB).
TOGGLES = 200


def test_a_board_that_stops_reading_is_closed_and_the_others_keep_receiving(
        database_url, broadcast_url, tmp_path):
    with run_server(database_url, tmp_path, redis_url=broadcast_url,
                    extra_env={"SEND_TIMEOUT": "1", "PUSH_INTERVAL": "0.01"}) as server:
        fac = Facilitator(server.url, create_facilitator(database_url))
        ws = fac.create_workshop()
        activity_id = fac.open_postits(ws["id"])
        group_id = Participant(server.url, ws["code"]).first_group_id()
        board_url = f"{server.ws_url}/ws/board/{ws['board_key']}"

        async def scenario() -> tuple[set[str], set[str], int | None]:
            # The stalled board: a tiny receive buffer, and at most one frame taken off the socket.
            host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            raw.connect((host, port))
            raw.setblocking(False)
            stalled = await websockets.connect(board_url, sock=raw, max_queue=1)
            healthy = await websockets.connect(board_url)
            seen: set[str] = set()

            async def watch() -> None:
                async for frame in healthy:
                    seen.update(re.findall(r"note-\d+-[0-9a-f]{6}", str(frame)))

            watcher = asyncio.create_task(watch())
            sent: set[str] = set()
            first = 0
            async with httpx.AsyncClient(base_url=server.url, timeout=20) as phone:
                assert (await phone.post(f"/j/{ws['code']}", data={"name": "P"})).status_code == 303
                for n in range(NOTES):
                    text = f"note-{n}-{secrets.token_hex(3)} " + "x" * 240
                    r = await phone.post(f"/p/{ws['code']}/activities/{activity_id}/items",
                                         data={"text": text, "category": "technologique",
                                               "group_id": str(group_id),
                                               "idempotency_key": secrets.token_hex(16)})
                    assert r.status_code == 201, r.text
                    sent.add(text.split()[0])
                    first = first or int(re.search(r'id="note-(\d+)"', r.text).group(1))
            for n in range(TOGGLES):
                r = await asyncio.to_thread(fac.client.post, f"/f/items/{first}/hidden",
                                            data={"hidden": "true" if n % 2 == 0 else "false"})
                assert r.status_code == 200, r.text
                await asyncio.sleep(0.015)  # a push each
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while not sent <= seen and loop.time() < deadline:
                await asyncio.sleep(0.05)
            # Now read what the stalled board was sent: its last frames never came, the server
            # closed it.
            code = None
            try:
                async with asyncio.timeout(15):
                    async for _frame in stalled:
                        pass  # what was buffered before the server gave up
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
            else:
                code = stalled.close_code
            watcher.cancel()
            await healthy.close()
            return sent, seen, code

        sent, seen, code = asyncio.run(scenario())
    assert sent <= seen, f"the healthy board missed {len(sent - seen)} notes"
    assert code == 1013
