"""Abuse controls (issue 11, points 1, 2 and 5) against a real server with the production limits:
guessed join codes, failed logins, a phone's flood of writes, forged X-Forwarded-For, WebSocket
messages too big and screens reconnecting in a loop, cross-site writes (CSRF). With
CAP_TEST_BROADCAST=redis the counters live in Redis."""

import asyncio
import contextlib
import html
import secrets
import socket
import struct
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.config import Settings
from tests.conftest import redis_url
from tests.support import (
    DEMO_PASSWORD,
    Facilitator,
    Participant,
    create_facilitator,
    free_port,
    run_server,
    sql,
)

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

LIMITS = ("join_code_limits", "login_limits", "write_limits", "ws_connect_limits")


def production_limits(**overrides: str) -> dict[str, str]:
    """The limits a deployment gets when it sets none (run_server relaxes them for other tests)."""
    limits = {name.upper(): str(Settings.model_fields[name].default) for name in LIMITS}
    return {**limits, **{k.upper(): v for k, v in overrides.items()}}


@contextlib.contextmanager
def guarded(database_url, broadcast_url, tmp_path, **env: str):
    with run_server(database_url, tmp_path, redis_url=broadcast_url, name="guarded",
                    extra_env={**production_limits(), **env}) as srv:
        yield srv


@pytest.fixture
def srv(database_url, broadcast_url, tmp_path):
    with guarded(database_url, broadcast_url, tmp_path) as server:
        yield server


def open_room(srv) -> dict:
    fac = Facilitator(srv.url, create_facilitator(srv.database_url))
    ws = fac.create_workshop()
    activity = fac.open_postits(ws["id"])
    return {"fac": fac, "ws": ws, "activity": activity}


def wrong_code() -> str:
    return "ZZ" + secrets.token_hex(2).upper()


def notes(database_url: str) -> int:
    return sql(database_url, "SELECT count(*) FROM item")[0][0]


# ------------------------------------------------------------------------- 1. rate limits


def test_more_than_ten_wrong_codes_a_minute_get_429_even_for_a_right_code(srv):
    room = open_room(srv)
    alice = Participant(srv.url, room["ws"]["code"])  # joined before the guessing starts
    guesser = httpx.Client(base_url=srv.url, headers={"Accept": "text/html"})
    for n in range(10):
        # Rotating X-Forwarded-For from an address that is no trusted proxy changes nothing.
        r = guesser.get(f"/j/{wrong_code()}", headers={"X-Forwarded-For": f"198.51.100.{n}"})
        assert r.status_code == 404, r.text
    r = guesser.get(f"/j/{wrong_code()}", headers={"X-Forwarded-For": "198.51.100.77"})
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    page = html.unescape(r.text)
    assert "Trop de codes d'atelier erronés" in page and "Réessayez dans" in page
    # A right code does not tell itself apart now: no page, no join, no socket.
    code = room["ws"]["code"]
    assert guesser.get(f"/j/{code}").status_code == 429
    assert guesser.post(f"/j/{code}", data={"name": "x"}, headers={"Origin": srv.url}).status_code == 429
    assert guesser.post(f"/p/{code}/activities/{room['activity']}/items",
                        data={"text": "x", "idempotency_key": "k" * 16}).status_code == 429
    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(websockets.connect(f"{srv.ws_url}/ws/p/{code}").__aenter__())
    assert refused.value.response.status_code == 403
    # The phone that joined from the same address goes on.
    assert alice.post(room["activity"], "toujours là", group_id=alice.first_group_id()).status_code == 201
    assert alice.client.get(f"/p/{code}").status_code == 200


def test_a_wrong_code_on_a_socket_counts_too(srv):
    async def close_code(code: str) -> int:
        try:
            async with websockets.connect(f"{srv.ws_url}/ws/p/{code}") as sock:
                await asyncio.wait_for(sock.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
        except InvalidStatus as rejected:
            return rejected.response.status_code
        return 0

    assert [asyncio.run(close_code(wrong_code())) for _ in range(10)] == [4404] * 10
    assert httpx.get(f"{srv.url}/j/{wrong_code()}").status_code == 429


def test_a_trusted_proxy_names_the_client_right_most_untrusted_first(database_url, broadcast_url, tmp_path):
    with guarded(database_url, broadcast_url, tmp_path, TRUSTED_PROXIES="127.0.0.1") as srv:
        client = httpx.Client(base_url=srv.url)
        for _ in range(10):
            # The left entry is whatever the client wrote; the proxy appended the real address.
            forged = f"192.0.2.{secrets.randbelow(250)}, 203.0.113.5"
            assert client.get(f"/j/{wrong_code()}", headers={"X-Forwarded-For": forged}).status_code == 404
        assert client.get(f"/j/{wrong_code()}",
                          headers={"X-Forwarded-For": "192.0.2.1, 203.0.113.5"}).status_code == 429
        # Another client behind the same proxy is not held up.
        assert client.get(f"/j/{wrong_code()}",
                          headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 404


def test_five_failed_logins_a_minute_per_account_and_per_client(database_url, broadcast_url, tmp_path):
    # Behind a trusted proxy, so that each request can come from a client of its own.
    with guarded(database_url, broadcast_url, tmp_path, TRUSTED_PROXIES="127.0.0.1") as srv:
        browser = httpx.Client(base_url=srv.url, headers={"Origin": srv.url})

        def login(email: str, password: str, client: str) -> httpx.Response:
            return browser.post("/login", data={"email": email, "password": password},
                                headers={"X-Forwarded-For": client})

        # One account, five clients: the account is held, even with its right password.
        email = create_facilitator(srv.database_url)
        for n in range(5):
            assert login(email, "mauvais", f"203.0.113.{n}").status_code == 401
        r = login(email.upper(), DEMO_PASSWORD, "203.0.113.99")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "Trop de tentatives de connexion" in html.unescape(r.text)
        assert "cap_session" not in r.cookies
        # One client, five accounts: the client is held; someone else logs in.
        for n in range(5):
            assert login(f"inconnu{n}@example.org", "x", "198.51.100.7").status_code == 401
        other = create_facilitator(srv.database_url)
        assert login(other, DEMO_PASSWORD, "198.51.100.7").status_code == 429
        assert login(other, DEMO_PASSWORD, "198.51.100.8").status_code == 303


def test_the_wait_after_failed_logins_grows(database_url, broadcast_url, tmp_path):
    # The production windows (5/minute, 10/10 minutes, 20/hour), shrunk to seconds.
    with guarded(database_url, broadcast_url, tmp_path, LOGIN_LIMITS="2/2 seconds;4/30 seconds") as srv:
        browser = httpx.Client(base_url=srv.url, headers={"Origin": srv.url})

        def attempt() -> httpx.Response:
            return browser.post("/login", data={"email": "x@example.org", "password": "x"})

        assert [attempt().status_code for _ in range(3)] == [401, 401, 429]
        first_wait = int(attempt().headers["Retry-After"])
        assert first_wait <= 2
        time.sleep(2.2)
        assert [attempt().status_code for _ in range(3)] == [401, 401, 429]
        assert int(attempt().headers["Retry-After"]) > 20


def test_a_flooding_phone_gets_429_while_the_room_is_served(srv):
    room = open_room(srv)
    code, activity = room["ws"]["code"], room["activity"]
    flooder, neighbour = Participant(srv.url, code), Participant(srv.url, code)
    gid = flooder.first_group_id()
    before = notes(srv.database_url)

    async def flood() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=srv.url, cookies=flooder.client.cookies) as c:
            return await asyncio.gather(*(
                c.post(f"/p/{code}/activities/{activity}/items",
                       data={"text": f"spam {n}", "idempotency_key": secrets.token_hex(16),
                             "category": "social", "group_id": str(gid)},
                       headers={"Accept": "text/html"})
                for n in range(60)))

    answers = asyncio.run(flood())
    statuses = [r.status_code for r in answers]
    assert statuses.count(201) == 20 and statuses.count(429) == 40, statuses
    refused = next(r for r in answers if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Trop d'envois d'affilée" in html.unescape(refused.text)
    # The rest of the room is served, and only what was acknowledged is stored.
    assert neighbour.post(activity, "moi aussi", group_id=gid).status_code == 201
    assert notes(srv.database_url) == before + 21


def test_two_workers_share_the_counters_in_redis(tmp_path, database_url):
    broker = redis_url()
    env = {**production_limits(), "RATE_LIMIT_PREFIX": f"cap-test-{secrets.token_hex(4)}"}
    with run_server(database_url, tmp_path, broker, "a", extra_env=env) as a, \
            run_server(database_url, tmp_path, broker, "b", extra_env=env) as b:
        for n in range(10):
            assert httpx.get(f"{(a, b)[n % 2].url}/j/{wrong_code()}").status_code == 404
        assert httpx.get(f"{a.url}/j/{wrong_code()}").status_code == 429
        assert httpx.get(f"{b.url}/j/{wrong_code()}").status_code == 429


def test_the_limits_let_requests_through_while_their_redis_is_down(tmp_path, database_url):
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        with run_server(database_url, tmp_path, f"redis://127.0.0.1:{port}/0", "outage",
                        extra_env=production_limits()) as srv:
            assert httpx.get(f"{srv.url}/j/{wrong_code()}").status_code == 404
            redis.terminate()
            redis.wait(10)
            for _ in range(12):
                assert httpx.get(f"{srv.url}/j/{wrong_code()}").status_code == 404
            r = httpx.post(f"{srv.url}/login", data={"email": "x@example.org", "password": "x"},
                           headers={"Origin": srv.url})
            assert r.status_code == 401
            assert "rate limits not applied" in Path(srv.log).read_text()
    finally:
        redis.kill()
        redis.wait(10)


# --------------------------------------------------------------------- 2. WebSocket limits


def board_url(srv, room) -> str:
    return f"{srv.ws_url}/ws/board/{room['ws']['board_key']}"


def test_a_websocket_message_over_64_kib_is_closed_1009(srv):
    room = open_room(srv)

    async def close_code(payload: str) -> int:
        async with websockets.connect(board_url(srv, room), max_size=None) as sock:
            await asyncio.wait_for(sock.recv(), 5)
            await sock.send(payload)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(sock.recv(), 5)
            return closed.value.rcvd.code

    assert asyncio.run(close_code("x" * (64 * 1024 + 1))) == 1009
    assert asyncio.run(close_code("x" * 100)) == 4403  # a small one: screens only listen


def test_a_frame_announcing_10_mb_is_refused_before_its_body_is_read(srv):
    room = open_room(srv)

    async def run() -> tuple[int, float]:
        async with websockets.connect(board_url(srv, room)) as sock:
            await asyncio.wait_for(sock.recv(), 5)
            # A masked text frame header claiming 10 MB, followed by a mere 70 KB of it.
            header = bytes([0x81, 0x80 | 127]) + struct.pack("!Q", 10_000_000) + b"\0\0\0\0"
            started = time.monotonic()
            sock.transport.write(header + b"x" * 70_000)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(sock.recv(), 5)
            return closed.value.rcvd.code, time.monotonic() - started

    code, seconds = asyncio.run(run())
    assert code == 1009 and seconds < 3


def test_a_screen_reconnecting_in_a_loop_is_slowed_and_others_are_not(srv):
    room = open_room(srv)
    phone = Participant(srv.url, room["ws"]["code"])

    async def run() -> None:
        async with websockets.connect(board_url(srv, room)) as board:
            await asyncio.wait_for(board.recv(), 5)
            refusals: list[float] = []
            for _ in range(25):
                started = time.monotonic()
                try:
                    async with websockets.connect(board_url(srv, room)) as loop:
                        await asyncio.wait_for(loop.recv(), 5)
                except InvalidStatus as rejected:
                    assert rejected.response.status_code == 403
                    refusals.append(time.monotonic() - started)
            # The first board and 19 of these connect (20 a minute); the 6 others wait a second.
            assert len(refusals) == 6 and min(refusals) >= 0.9
            # Another screen connects at once, and the open board still gets its pushes.
            async with websockets.connect(f"{srv.ws_url}/ws/p/{room['ws']['code']}",
                                          additional_headers={"Cookie": phone.cookie_header}) as p:
                await asyncio.wait_for(p.recv(), 5)
            gid = phone.first_group_id()
            assert phone.post(room["activity"], "une note", group_id=gid).status_code == 201
            while "une note" not in await asyncio.wait_for(board.recv(), 5):
                pass

    asyncio.run(run())


# ------------------------------------------------------------------------------- 5. CSRF


def test_facilitator_writes_need_our_origin_or_referer(srv):
    room = open_room(srv)
    cookies = room["fac"].client.cookies
    url = f"/f/workshops/{room['ws']['id']}/timer"
    bare = httpx.Client(base_url=srv.url, cookies=cookies)

    def timer(**headers: str) -> httpx.Response:
        return bare.post(url, data={"seconds": "60"}, headers=headers)

    for refused in (timer(), timer(Origin="null"), timer(Origin="https://evil.example"),
                    timer(Referer="https://evil.example/page"),
                    timer(Origin="null", Referer=f"{srv.url}/f"),
                    timer(Origin=f"{srv.url}.evil.example")):
        assert refused.status_code == 403 and "Origine refusée" in refused.json()["detail"]
    assert timer(Origin=srv.url).status_code == 200
    assert timer(Referer=f"{srv.url}/f/workshops/{room['ws']['id']}").status_code == 200
    # The roadmap editor, the login and the logout are guarded alike; a GET is not.
    assert bare.post("/f/roadmaps", data={"nom": "x"}).status_code == 403
    assert bare.post("/logout").status_code == 403
    assert httpx.post(f"{srv.url}/login", data={"email": "a@b.fr", "password": "x"}).status_code == 403
    assert bare.get(f"/f/workshops/{room['ws']['id']}").status_code == 200


def test_phone_writes_refuse_foreign_and_null_origins_only(srv):
    room = open_room(srv)
    phone = Participant(srv.url, room["ws"]["code"])
    gid = phone.first_group_id()

    def post(**headers: str) -> httpx.Response:
        with httpx.Client(base_url=srv.url, cookies=phone.client.cookies) as bare:
            return bare.post(f"/p/{room['ws']['code']}/activities/{room['activity']}/items",
                             data={"text": "note", "idempotency_key": secrets.token_hex(16),
                                   "category": "social", "group_id": str(gid)}, headers=headers)

    assert post(Origin="null").status_code == 403
    assert post(Origin="https://evil.example").status_code == 403
    assert post(Origin=srv.url).status_code == 201
    assert post(Referer=f"{srv.url}/p/{room['ws']['code']}").status_code == 201
    assert post(Referer="https://evil.example/").status_code == 403
    assert post().status_code == 201  # a script's: no browser sends a POST without Origin
