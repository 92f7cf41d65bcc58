"""Faults, from the outside (issue 11, points 8–10): the channel layer down, the database out of
reach, one phone's ballots racing on several workers. Real servers; on PostgreSQL and Redis in
`make test`'s second pass. Redis and PostgreSQL are cut through a server or a proxy of the test's
own, never the machine's shared ones."""

import asyncio
import contextlib
import json
import random
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import lxml.html
import pytest
import websockets
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.htmx_swaps import apply
from tests.integration.test_ranking import BORDA, TEMPLATE, items_of, open_activity, votes_of
from tests.support import (
    Facilitator,
    Participant,
    catalog,
    create_facilitator,
    free_port,
    missing,
    run_server,
    sql,
)

UNAVAILABLE = ("La base de données est momentanément injoignable : rien n'a été enregistré. "
               "Réessayez dans quelques secondes.")
CONVERGED = 5.0  # seconds after Redis is back within which every screen shows every stored write

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]


async def _at_once(servers: list, phone: Participant, path: str, ballots: list[str]) -> list:
    """The ballots posted all at once by one phone, spread over the servers in turn."""
    clients = [httpx.AsyncClient(base_url=s.url, cookies=phone.client.cookies, timeout=30) for s in servers]
    try:
        return await asyncio.gather(*[clients[n % len(clients)].post(path, data={"ballot": ballot})
                                      for n, ballot in enumerate(ballots)])
    finally:
        for client in clients:
            await client.aclose()


# --- point 10: one phone, twenty different ballots at once ---------------------------------------


def test_twenty_ranking_ballots_at_once_from_one_phone_on_three_workers(database_url, broadcast_url,
                                                                          tmp_path):
    """Sent at once to three workers, every ballot is stored (the last one whole) or answered with
    a French conflict; never a 500 (it was « ballot replacement did not converge »)."""
    env = catalog(tmp_path, {"priorisation-test": TEMPLATE})
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(run_server(database_url, tmp_path, broadcast_url,
                                                  name=f"worker{n}", extra_env=env))
                   for n in range(3)]
        fac = Facilitator(servers[0].url, create_facilitator(database_url))
        ws = fac.create_workshop("priorisation-test")
        activity_id = open_activity(fac, ws, BORDA)
        ids = [i for i, _ in items_of(database_url, activity_id)]
        rng = random.Random(11)
        earlier: set[int] = set()
        for round_ in range(8):
            phone = Participant(servers[0].url, ws["code"])
            ballots: set[str] = set()
            while len(ballots) < 20:
                ballots.add(",".join(map(str, rng.sample(ids, len(ids)))))

            path = f"/p/{ws['code']}/activities/{activity_id}/ranking"
            answers = asyncio.run(_at_once(servers, phone, path, sorted(ballots)))
            for answer in answers:
                assert answer.status_code in (200, 201, 409), (round_, answer.status_code, answer.text)
                if answer.status_code == 409:  # a race PostgreSQL broke: sent again by the phone
                    assert "réessayez" in answer.json()["detail"]
                else:
                    assert "✓ enregistré" in answer.text
            by_phone: dict[int, dict[int, int]] = {}
            for participant_id, target, axis, value in votes_of(database_url, activity_id):
                assert axis == "rank"
                by_phone.setdefault(participant_id, {})[int(target)] = value
            (mine,) = [b for p, b in by_phone.items() if p not in earlier]
            order = ",".join(str(i) for i, _ in sorted(mine.items(), key=lambda kv: kv[1]))
            assert order in ballots, "the stored ballot is one of those sent, whole"
            earlier |= by_phone.keys()


def test_a_lost_race_on_postgresql_is_a_french_conflict_to_send_again():
    """A deadlock or serialization failure (PostgreSQL aborts one of two racing transactions) is a
    409 in French with Retry-After, which the phone's outbox sends again; not a 500, not a 503."""
    from starlette.requests import Request

    from app.main import CONFLICT, database_error

    class Deadlock(Exception):
        sqlstate = "40P01"

    request = Request({"type": "http", "method": "POST", "path": "/p/ABC/activities/1/ranking",
                       "headers": [(b"accept", b"text/html")]})
    answer = asyncio.run(database_error(request, OperationalError("UPDATE vote", {}, Deadlock())))
    assert answer.status_code == 409 and answer.headers["retry-after"] == "2"
    assert json.loads(answer.body) == {"detail": CONFLICT} and "réessayez" in CONFLICT


# --- point 8: the channel layer (Redis) down ---------------------------------------------------------


class OwnRedis:
    """A redis-server of the test's own on a free port, killed and started again on that port."""

    def __init__(self, tmp: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing("redis-server is not installed (make test's services need it)")
        self.binary, self.dir = binary, tmp
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


class Board:
    """A board page kept up to date by its WebSocket, as htmx does."""

    def __init__(self, server, board_key: str) -> None:
        self.url = f"{server.ws_url}/ws/board/{board_key}"
        self.origin = server.url
        self.page = lxml.html.document_fromstring(httpx.get(f"{server.url}/b/{board_key}").text)

    @property
    def text(self) -> str:
        return " ".join(self.page.text_content().split())

    async def follow(self, socket) -> None:
        while True:
            apply(self.page, str(await socket.recv()))


async def shows(board: Board, words: list[str], within: float) -> float:
    """Seconds until the board shows every one of `words`; fails after `within`."""
    started = time.monotonic()
    while not all(w in board.text for w in words):
        assert time.monotonic() - started < within, f"not shown within {within} s: {words}"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def test_redis_down_writes_are_stored_and_screens_converge_when_it_returns(database_url, own_redis,
                                                                            tmp_path):
    """Two workers share the database and a Redis of this test's own. With Redis killed, a phone's
    notes on worker A are answered 201 and stored, A's board shows them at once, A logs one line;
    /healthz says the channel layer is unreachable. Redis started again, worker B's board (which
    could not hear of them) shows them within 5 s, and /healthz is 200 again."""
    with run_server(database_url, tmp_path, own_redis.url, name="a") as a, \
            run_server(database_url, tmp_path, own_redis.url, name="b") as b:
        fac = Facilitator(a.url, create_facilitator(database_url))
        ws = fac.create_workshop()
        activity_id = fac.open_postits(ws["id"])
        alice = Participant(a.url, ws["code"])
        gid = alice.first_group_id()
        here, there = Board(a, ws["board_key"]), Board(b, ws["board_key"])
        notes = [f"Pendant la panne {n}" for n in range(3)]

        async def scenario() -> float:
            async with websockets.connect(here.url, additional_headers={"Origin": here.origin}) as sa, \
                    websockets.connect(there.url, additional_headers={"Origin": there.origin}) as sb:
                followers = [asyncio.create_task(here.follow(sa)), asyncio.create_task(there.follow(sb))]
                try:
                    first = "Premier-avant-panne"
                    r = await asyncio.to_thread(alice.post, activity_id, first, None, "social", gid)
                    assert r.status_code == 201
                    await shows(there, [first], CONVERGED)
                    own_redis.kill()
                    for note in notes:
                        r = await asyncio.to_thread(alice.post, activity_id, note, None, "social", gid)
                        assert r.status_code == 201, r.text
                    await shows(here, notes, CONVERGED)  # told directly
                    assert not any(n in there.text for n in notes)
                    health = await asyncio.to_thread(_health_until, a.url, 503)
                    assert health == {"status": "unavailable", "database": "ok",
                                      "channel_layer": "unreachable"}
                    own_redis.start()
                    return await shows(there, notes, CONVERGED)
                finally:
                    for task in followers:
                        task.cancel()

        took = asyncio.run(scenario())
        assert took < CONVERGED
        assert _health_until(a.url, 200) == {"status": "ok", "database": "ok", "channel_layer": "ok"}
        stored = {t for (t,) in sql(database_url, "SELECT text FROM item WHERE activity_id = :a",
                                    a=activity_id)}
        assert set(notes) <= stored
        log = a.log.read_text()
        assert log.count("could not publish a change (it is stored)") == 1, log
        assert "channel layer back: " in log
        assert log.count("redis pub/sub connection lost") == 1 and "Traceback" not in log, log


def _health_until(url: str, status: int, within: float = 10.0) -> dict:
    deadline = time.monotonic() + within
    while True:
        r = httpx.get(f"{url}/healthz", timeout=5)
        if r.status_code == status:
            return r.json()
        assert time.monotonic() < deadline, (r.status_code, r.text)
        time.sleep(0.2)


# --- point 9: the database out of reach --------------------------------------------------------------


class Proxy:
    """A TCP proxy of the test's own between the app and PostgreSQL. `cut()` drops every open
    connection and refuses new ones (the database is out of reach); `restore()` lets them through."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for s in self.open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self.open.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


Outage = contextlib.AbstractContextManager[None]


@contextlib.contextmanager
def database_outage(database_url: str) -> Iterator[tuple[str, Callable[[], Outage]]]:
    """(the URL the app is given, `outage()`: a context during which its database is out of reach).
    PostgreSQL: through a proxy of the test's own, cut. SQLite: the file held under an exclusive
    lock by another connection (a stuck process, a backup), which writes wait for in vain."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))

        @contextlib.contextmanager
        def cut() -> Iterator[None]:
            proxy.cut()
            try:
                yield
            finally:
                proxy.restore()

        try:
            yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), cut
        finally:
            proxy.close()
        return

    @contextlib.contextmanager
    def locked() -> Iterator[None]:
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    yield database_url, locked


def test_database_out_of_reach_answers_503_with_retry_after_and_the_phone_resends(database_url,
                                                                                  broadcast_url, tmp_path):
    """The database out of reach: a phone's note is answered 503 with Retry-After and the French
    message the outbox shows, and nothing is stored; on PostgreSQL the pages answer 503 too and
    /healthz says the database is unreachable. Back, the same note sent again is stored once."""
    with database_outage(database_url) as (app_url, outage), \
            run_server(app_url, tmp_path, broadcast_url) as server:
        fac = Facilitator(server.url, create_facilitator(database_url))
        ws = fac.create_workshop()
        activity_id = fac.open_postits(ws["id"])
        alice = Participant(server.url, ws["code"])
        gid = alice.first_group_id()
        postgres = make_url(database_url).get_backend_name() == "postgresql"
        with outage():
            started = time.monotonic()
            r = alice.post(activity_id, "Pendant la coupure", key="k" * 32, group_id=gid)
            assert r.status_code == 503, r.text
            assert time.monotonic() - started < 10
            assert r.headers["retry-after"] == "2"
            assert r.json() == {"detail": UNAVAILABLE}
            if postgres:
                page = alice.client.get(f"/p/{ws['code']}", headers={"Accept": "text/html"})
                assert page.status_code == 503 and page.headers["retry-after"] == "2"
                assert "momentanément injoignable" in page.text
                assert _health_until(server.url, 503) == {
                    "status": "unavailable", "database": "unreachable",
                    "channel_layer": "ok"}
        assert sql(database_url, "SELECT count(*) FROM item WHERE text = 'Pendant la coupure'") == [(0,)]
        assert _health_until(server.url, 200)["database"] == "ok"
        deadline = time.monotonic() + 10
        while (r := alice.post(activity_id, "Pendant la coupure", key="k" * 32, group_id=gid)
               ).status_code == 503:  # a pooled connection found dead is dropped: the next one works
            assert time.monotonic() < deadline, r.text
            time.sleep(0.5)
        assert r.status_code == 201, r.text
        assert alice.post(activity_id, "Pendant la coupure", key="k" * 32, group_id=gid).status_code == 200
        assert sql(database_url, "SELECT count(*) FROM item WHERE text = 'Pendant la coupure'") == [(1,)]
        log = server.log.read_text()
        assert "a batch of 1 writes could not be committed: " in log and "Traceback" not in log, log
