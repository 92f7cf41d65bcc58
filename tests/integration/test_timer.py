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


SPAN = r'<span id="{}">.*?</span>(?:</span>)?'


def same_but_the_seconds(html: str) -> str:
    """A countdown as rendered, its seconds left out (a second may pass between two renders)."""
    return re.sub(r'data-remaining="\d+"', "", re.sub(r"\d+:\d\d", "m:ss", html))


def test_a_timer_reaches_each_screen_as_its_countdown_alone_equal_to_a_fresh_render(server, room):
    """Setting the countdown sends every phone and board the countdown's fragment only (not the
    whole activity again), and that fragment is what a fresh page shows in its place."""
    fac, ws, alice = room["fac"], room["ws"], room["alice"]
    phone_headers = {"Cookie": alice.cookie_header, "Origin": server.url}

    async def scenario() -> tuple[str, str]:
        async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                      additional_headers=phone_headers) as phone, \
                websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}",
                                   additional_headers={"Origin": server.url}) as board:
            first = await asyncio.wait_for(phone.recv(), 5)
            assert 'id="p-activity"' in first and 'id="p-timer"' in first  # the full state first
            await asyncio.wait_for(board.recv(), 5)
            r = await asyncio.to_thread(fac.client.post, f"/f/workshops/{ws['id']}/timer",
                                        data={"seconds": "180"})
            assert r.status_code == 200
            pushed = {}
            for name, socket in (("phone", phone), ("board", board)):
                frame = ""
                while shown(frame) is None:
                    frame = str(await asyncio.wait_for(socket.recv(), 5))
                pushed[name] = frame
            return pushed["phone"], pushed["board"]

    phone_frame, board_frame = asyncio.run(scenario())
    for frame, block, page in [
            (phone_frame, "p-timer", alice.client.get(f"/p/{ws['code']}").text),
            (board_frame, "board-timer", httpx.get(f"{server.url}/b/{ws['board_key']}").text)]:
        assert "activity" not in frame and "board-main" not in frame, frame  # the countdown alone
        assert len(frame) < 400, frame
        fresh = re.search(SPAN.format(block), page, re.S)
        assert fresh is not None, page
        assert same_but_the_seconds(frame.strip()) == same_but_the_seconds(fresh.group(0))
        assert 175 <= shown(frame) <= 180
