"""The facilitator's countdown reaches the board and the phones; bad durations change nothing."""

import asyncio
import re

import httpx
import pytest
import websockets

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]


def shown(html: str) -> int | None:
    found = re.search(r'class="timer[^"]*" data-remaining="(\d+)"', html)
    return int(found.group(1)) if found else None


def test_timer_start_push_and_stop(server, room):
    fac, ws, alice = room["fac"], room["ws"], room["alice"]
    url = f"/f/workshops/{ws['id']}/timer"

    async def scenario() -> str:
        async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                      additional_headers={"Cookie": alice.cookie_header}) as phone:
            assert shown(await asyncio.wait_for(phone.recv(), 5)) is None
            r = await asyncio.to_thread(fac.client.post, url, data={"seconds": "300"})
            assert r.status_code == 200 and 295 <= shown(r.text) <= 300
            frame = ""
            while shown(frame) is None:
                frame = await asyncio.wait_for(phone.recv(), 5)
            return frame

    assert 295 <= shown(asyncio.run(scenario())) <= 300
    assert 290 <= shown(httpx.get(f"{server.url}/b/{ws['board_key']}").text) <= 300
    for bad in ("-5", "99999", "cinq"):
        assert fac.client.post(url, data={"seconds": bad}).status_code == 422
    assert alice.client.post(url, data={"seconds": "0"}).status_code == 401
    assert shown(httpx.get(f"{server.url}/b/{ws['board_key']}").text) is not None
    assert fac.client.post(url, data={"seconds": "0"}).status_code == 200
    assert shown(httpx.get(f"{server.url}/b/{ws['board_key']}").text) is None
