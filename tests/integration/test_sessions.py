"""Facilitators' sessions stored server-side (issue 11, point 6), and the login's two failures
(point 7), against real servers: an ended session's cookie gets 401 or the login page, its open
control sockets are closed (code 4401) in every worker, and nothing else is touched."""

import asyncio
import base64
import hashlib
import html
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import websockets
from itsdangerous import TimestampSigner
from websockets.exceptions import ConnectionClosed

from tests.conftest import redis_url
from tests.support import (
    DEMO_PASSWORD,
    ROOT,
    Facilitator,
    Server,
    create_facilitator,
    free_port,
    run_server,
    sql,
)

LOGGED_OUT = 4401
SECRET = "test-secret-key-shared-by-all-workers"  # tests.support.run_server's SECRET_KEY


def cookie_of(client: httpx.Client) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}


def copy_of(srv: Server, client: httpx.Client) -> httpx.Client:
    """Another client holding a copy of this one's cookie (a stolen or shared cookie)."""
    return httpx.Client(base_url=srv.url, follow_redirects=False, timeout=10,
                        headers={"Origin": srv.url, **cookie_of(client)})


def session_token(client: httpx.Client) -> str:
    """The facilitator token the signed cookie carries (Starlette: base64 JSON, then signatures)."""
    payload = client.cookies["cap_session"].split(".", 1)[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))["f"]


def signed_cookie(data: object) -> dict[str, str]:
    """A cookie signed with the server's key, as SessionMiddleware signs it: a forgery by someone
    who holds the key, or an old cookie of the previous scheme."""
    value = TimestampSigner(SECRET).sign(base64.b64encode(json.dumps(data).encode())).decode()
    return {"Cookie": f"cap_session={value}"}


def logged_out(client: httpx.Client) -> None:
    """An ended or unknown session: the login page for a page, 401 for htmx and for a write."""
    page = client.get("/f", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/f", page.text
    fragment = client.get("/f", headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and fragment.json() == {"detail": "Connexion animateur requise."}
    write = client.post("/f/workshops", data={"template": "prospective-10-ans"})
    assert write.status_code == 401 and write.json() == {"detail": "Connexion animateur requise."}


def logged_in(client: httpx.Client) -> None:
    assert client.get("/f", headers={"Accept": "text/html"}).status_code == 200


def sessions(srv: Server) -> int:
    return sql(srv.database_url, "SELECT count(*) FROM facilitator_session")[0][0]


class Control:
    """A control page's WebSocket, read on a thread of its own loop: the test goes on with plain
    blocking HTTP calls meanwhile."""

    def __init__(self, srv: Server, workshop_id: int, client: httpx.Client) -> None:
        self.url = f"{srv.ws_url}/ws/control/{workshop_id}"
        self.headers = {**cookie_of(client), "Origin": srv.url}

    def __enter__(self) -> "Control":
        self.loop = asyncio.new_event_loop()
        self.sock = self.loop.run_until_complete(
            websockets.connect(self.url, additional_headers=self.headers))
        self.first = self.loop.run_until_complete(asyncio.wait_for(self.sock.recv(), 10))
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.run_until_complete(self.sock.close())
        self.loop.close()

    def closed_with(self, within: float = 20) -> int:
        """The close code the server sends (frames pushed meanwhile are read and dropped)."""
        async def read() -> int:
            try:
                while True:
                    await asyncio.wait_for(self.sock.recv(), within)
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else 1006
        return self.loop.run_until_complete(read())

    def still_open(self, fac: Facilitator, workshop_id: int) -> None:
        """Open and served: a move of the facilitator to another activity reaches it."""
        assert fac.goto(workshop_id, 2).status_code == 200
        assert self.loop.run_until_complete(asyncio.wait_for(self.sock.recv(), 10))


def refused(srv: Server, workshop_id: int, headers: dict[str, str]) -> int:
    """The close code a control socket opened with these headers gets."""
    async def attempt() -> int:
        try:
            async with websockets.connect(f"{srv.ws_url}/ws/control/{workshop_id}",
                                          additional_headers=headers) as sock:
                while True:
                    await asyncio.wait_for(sock.recv(), 10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
    return asyncio.run(attempt())


@contextmanager
def served(database_url: str, broadcast_url: str | None, tmp_path: Path, **env: str) -> Iterator[Server]:
    with run_server(database_url, tmp_path, redis_url=broadcast_url, name="sessions",
                    extra_env={k.upper(): v for k, v in env.items()}) as srv:
        yield srv


@pytest.mark.storage
def test_an_old_cookie_copied_before_logout_gets_the_login_page(server, facilitator_email):
    fac = Facilitator(server.url, facilitator_email)
    copy = copy_of(server, fac.client)
    logged_in(copy)
    token = session_token(fac.client)
    # The database keeps the token's digest, never the token.
    stored = sql(server.database_url, "SELECT token_digest FROM facilitator_session")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert token not in json.dumps(sql(server.database_url, "SELECT * FROM facilitator_session"), default=str)
    r = fac.client.post("/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert sessions(server) == 0
    logged_out(copy)
    logged_out(fac.client)


@pytest.mark.storage
@pytest.mark.broadcast
def test_logout_closes_that_facilitators_control_socket_and_no_one_elses(server):
    ann = Facilitator(server.url, create_facilitator(server.database_url))
    bob = Facilitator(server.url, create_facilitator(server.database_url))
    ann_ws, bob_ws = ann.create_workshop(), bob.create_workshop()
    old_cookie = cookie_of(ann.client)
    with Control(server, ann_ws["id"], ann.client) as ann_page, \
            Control(server, bob_ws["id"], bob.client) as bob_page:
        assert ann.client.post("/logout").status_code == 303
        assert ann_page.closed_with() == LOGGED_OUT
        bob_page.still_open(bob, bob_ws["id"])
    # A socket opened with the old cookie is refused the same way.
    assert refused(server, ann_ws["id"], {**old_cookie, "Origin": server.url}) == LOGGED_OUT


@pytest.mark.storage
@pytest.mark.broadcast
def test_disconnecting_the_other_sessions_keeps_this_one(server, facilitator_email):
    laptop = Facilitator(server.url, facilitator_email)
    tablet = Facilitator(server.url, facilitator_email)
    phone = Facilitator(server.url, facilitator_email)
    ws = laptop.create_workshop()
    with Control(server, ws["id"], laptop.client) as here, \
            Control(server, ws["id"], tablet.client) as there:
        r = laptop.client.post("/f/sessions/autres")
        assert r.status_code == 303 and r.headers["location"] == "/f?autres=2"
        page = laptop.client.get(r.headers["location"])
        assert page.status_code == 200 and "2 autres sessions ont été déconnectées." in page.text
        assert there.closed_with() == LOGGED_OUT
        here.still_open(laptop, ws["id"])
    logged_out(tablet.client)
    logged_out(phone.client)
    logged_in(laptop.client)
    assert sessions(server) == 1
    again = laptop.client.post("/f/sessions/autres")
    assert "Aucune autre session n'était ouverte." in html.unescape(
        laptop.client.get(again.headers["location"]).text)


@pytest.mark.storage
@pytest.mark.broadcast
def test_a_password_change_ends_the_other_sessions_and_a_wrong_one_changes_nothing(server, facilitator_email):
    laptop = Facilitator(server.url, facilitator_email)
    tablet = Facilitator(server.url, facilitator_email)
    ws = laptop.create_workshop()
    hash_before = sql(server.database_url, "SELECT password_hash FROM facilitator")

    for data, status, message in [
        ({"current": "pas-le-bon-mot", "new": "un-nouveau-secret"}, 403,
         "Mot de passe actuel incorrect : rien n'a été changé."),
        ({"current": DEMO_PASSWORD, "new": "court"}, 422,
         "Le mot de passe doit faire au moins 8 caractères."),
    ]:
        r = laptop.client.post("/f/mot-de-passe", data=data)
        assert r.status_code == status and message in html.unescape(r.text), r.text
        assert sql(server.database_url, "SELECT password_hash FROM facilitator") == hash_before
        assert sessions(server) == 2
        logged_in(tablet.client)

    with Control(server, ws["id"], laptop.client) as here, \
            Control(server, ws["id"], tablet.client) as there:
        r = laptop.client.post("/f/mot-de-passe", data={"current": DEMO_PASSWORD, "new": "un-nouveau-secret"})
        assert r.status_code == 303 and r.headers["location"] == "/f?mdp=1&autres=1"
        assert "Mot de passe changé. 1 autre session a été déconnectée." in laptop.client.get(
            r.headers["location"]).text
        assert there.closed_with() == LOGGED_OUT
        here.still_open(laptop, ws["id"])
    logged_out(tablet.client)
    logged_in(laptop.client)
    login = httpx.post(f"{server.url}/login", headers={"Origin": server.url},
                       data={"email": facilitator_email, "password": DEMO_PASSWORD})
    assert login.status_code == 401
    login = httpx.post(f"{server.url}/login", headers={"Origin": server.url},
                       data={"email": facilitator_email, "password": "un-nouveau-secret"})
    assert login.status_code == 303


@pytest.mark.storage
@pytest.mark.broadcast
def test_an_idle_session_expires_and_its_control_socket_is_closed(database_url, broadcast_url, tmp_path):
    """FACILITATOR_SESSION_IDLE_MINUTES small (3 s): the session left idle ends, its control page is
    closed by the worker's check, its cookie gets the login page; a new login deletes its row."""
    with served(database_url, broadcast_url, tmp_path, facilitator_session_idle_minutes="0.05",
                facilitator_session_check_seconds="0.5") as srv:
        email = create_facilitator(srv.database_url)
        fac = Facilitator(srv.url, email)
        ws = fac.create_workshop()
        with Control(srv, ws["id"], fac.client) as page:
            assert page.closed_with() == LOGGED_OUT
        logged_out(fac.client)
        assert sessions(srv) == 1  # expired, not yet deleted
        Facilitator(srv.url, email)
        assert sessions(srv) == 1  # the new one; the expired row went at this login


@pytest.mark.storage
@pytest.mark.broadcast
def test_the_cli_password_reset_ends_every_session(database_url, broadcast_url, tmp_path):
    """`reset-password` deletes all the account's sessions; its control pages are closed: at once
    over Redis, by each worker's check without it (every 2 s, the default)."""
    with served(database_url, broadcast_url, tmp_path) as srv:
        email = create_facilitator(srv.database_url)
        laptop, tablet = Facilitator(srv.url, email), Facilitator(srv.url, email)
        other = Facilitator(srv.url, create_facilitator(srv.database_url))
        ws = laptop.create_workshop()
        env = {**os.environ, "DATABASE_URL": srv.database_url}
        env.pop("REDIS_URL", None)
        if broadcast_url:
            env["REDIS_URL"] = broadcast_url
        with Control(srv, ws["id"], tablet.client) as page:
            run = subprocess.run([sys.executable, "-m", "app", "reset-password", "--email", email,
                                  "--password", "remis-par-l-admin"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
            assert f"Mot de passe changé pour {email} ; 2 sessions ouvertes fermées." in run.stdout
            assert page.closed_with() == LOGGED_OUT
        logged_out(laptop.client)
        logged_out(tablet.client)
        logged_in(other.client)


@pytest.mark.storage
def test_forged_or_garbage_session_values_answer_login_not_500(server, facilitator_email):
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop()
    fid = sql(server.database_url, "SELECT id FROM facilitator")[0][0]
    token = session_token(fac.client)
    for headers in [
        {"Cookie": "cap_session=garbage"},
        {"Cookie": "cap_session=" + "A" * 3000},
        signed_cookie({"f": fid}),  # the previous scheme: the account's id
        signed_cookie({"f": secrets.token_urlsafe(32)}),
        signed_cookie({"f": token + "x"}),
        signed_cookie({"f": "x" * 5000}),
        signed_cookie({"f": [token]}),
        signed_cookie({"f": {"id": fid}}),
        signed_cookie({"f": None}),
    ]:
        with httpx.Client(base_url=server.url, headers={"Origin": server.url, **headers},
                          follow_redirects=False, timeout=10) as client:
            logged_out(client)
        assert refused(server, ws["id"], headers) == LOGGED_OUT
    # The real token, signed by someone holding the key, still needs its row: it works.
    with httpx.Client(base_url=server.url, headers=signed_cookie({"f": token}), timeout=10) as client:
        logged_in(client)
    assert "Traceback" not in server.log.read_text()


@pytest.mark.storage
@pytest.mark.broadcast
def test_a_logout_on_one_worker_closes_the_control_socket_held_by_the_other(database_url, tmp_path):
    broker = redis_url()
    with run_server(database_url, tmp_path, broker, "a") as a, \
            run_server(database_url, tmp_path, broker, "b") as b:
        email = create_facilitator(database_url)
        on_a = Facilitator(a.url, email)
        ws = on_a.create_workshop()
        # The same browser's cookie, its control page served by worker B.
        with Control(b, ws["id"], on_a.client) as page:
            assert on_a.client.post("/logout").status_code == 303
            assert page.closed_with() == LOGGED_OUT


@pytest.mark.broadcast
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_with_redis_down_a_logout_still_closes_the_other_workers_control_socket(database_url, tmp_path):
    """The announcement cannot go out (a Redis of this test's own, killed): the logout still
    answers, and worker B closes the page at its next check of its pages' sessions."""
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    broker = f"redis://127.0.0.1:{port}/0"
    env = {"FACILITATOR_SESSION_CHECK_SECONDS": "1"}
    try:
        with run_server(database_url, tmp_path, broker, "a", extra_env=env) as a, \
                run_server(database_url, tmp_path, broker, "b", extra_env=env) as b:
            on_a = Facilitator(a.url, create_facilitator(database_url))
            ws = on_a.create_workshop()
            with Control(b, ws["id"], on_a.client) as page:
                redis.kill()
                redis.wait(5)
                assert on_a.client.post("/logout").status_code == 303
                assert page.closed_with() == LOGGED_OUT
            assert "could not announce ended sessions" in a.log.read_text()
    finally:
        if redis.poll() is None:
            redis.kill()


@pytest.mark.storage
def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(server, facilitator_email):
    """Point 7: same status, headers (but the date) and page, the e-mail typed aside (both are
    addresses of the same length); no cookie set on either. Timing: bench/login_timing.py."""
    unknown = f"anim-{secrets.token_hex(4)}@example.org"
    assert len(unknown) == len(facilitator_email)
    answers = []
    for email in (facilitator_email, unknown):
        # Uncompressed: gzipped, the length follows the e-mail typed (echoed in the form), which
        # whoever typed it knows; the answer must not say more than that.
        r = httpx.post(f"{server.url}/login", headers={"Origin": server.url, "Accept-Encoding": "identity"},
                       data={"email": email, "password": "pas-le-bon-mot", "next": "/f"})
        headers = {k: v for k, v in r.headers.items() if k != "date"}
        answers.append((r.status_code, headers, r.content.replace(email.encode(), b"EMAIL")))
        assert "set-cookie" not in r.headers
    assert answers[0] == answers[1]
    assert answers[0][0] == 401 and "E-mail ou mot de passe incorrect." in answers[0][2].decode()


def test_the_privacy_page_says_what_a_facilitator_session_keeps_and_how_long(server):
    page = html.unescape(httpx.get(f"{server.url}/confidentialite").text)
    for said in ("l'empreinte de son jeton secret", "sans adresse IP ni nom de navigateur",
                 "après 240 minutes sans action", "au plus tard 24 heures après son ouverture"):
        assert said in page, said


def test_every_facilitator_route_goes_through_the_session_check():
    """Each /f… route (pages, actions, exports, the roadmap editor) depends on `current_login`:
    none reads the cookie on its own."""
    from app.main import ROUTERS
    from app.web import current_login

    def calls(dependant) -> Iterator:
        for dep in dependant.dependencies:
            yield dep.call
            yield from calls(dep)

    guarded = [r for router in ROUTERS for r in router.routes if getattr(r, "path", "").startswith("/f")]
    assert len(guarded) > 40
    assert [r.path for r in guarded if current_login not in set(calls(r.dependant))] == []
