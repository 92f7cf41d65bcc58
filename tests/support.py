"""Test support: a real uvicorn server in a subprocess, and real HTTP/WebSocket clients."""

import contextlib
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "motdepasse-test"
# The ANCT's 7 enjeux to rank (DESIGN.md §2, seed 003), written out independently of sessions/.
ANCT_ENJEUX = [
    "Renforcer l'offre d'accompagnement sur le territoire",
    "Mieux communiquer entre acteurs et mieux se connaître",
    "Mieux diagnostiquer et orienter les publics",
    "Mieux équiper les lieux et/ou les publics",
    "Sensibiliser les publics à l'inclusion numérique",
    "Mieux collecter et diffuser les données territoriales de l'inclusion numérique",
    "Former et outiller les professionnels",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migrate(database_url: str) -> None:
    from app.__main__ import migrate as run

    run(database_url)


@contextlib.contextmanager
def fresh_postgres(server_url: str, template: str | None = None) -> Iterator[str]:
    """A new database on the PostgreSQL server of `server_url`, dropped afterwards: empty, or a
    copy of the database named by the URL `template` (nobody may be connected to that one).

    Each test gets its own, so parallel runs on one server never see each other's tables.
    """
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    name = f"cap_test_{os.getpid()}_{secrets.token_hex(4)}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


# Rate limits high enough for tests that are not about them (tests/integration/test_abuse.py
# starts its servers with the production defaults); counters apart for each server, as
# servers of several tests may share one Redis.
RELAXED_LIMITS = {"JOIN_CODE_LIMITS": "10000/minute", "LOGIN_LIMITS": "10000/minute",
                  "WRITE_LIMITS": "100000/minute", "WS_CONNECT_LIMITS": "10000/minute"}


@contextlib.contextmanager
def run_server(database_url: str, tmp: Path, redis_url: str | None = None,
               name: str = "server", extra_env: dict[str, str] | None = None,
               uvicorn_args: Sequence[str] = ()) -> Iterator[Server]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Compression off, as `make run` and the Dockerfile serve (the bench may turn it on).
    env = {**os.environ, "DATABASE_URL": database_url, "BASE_URL": url,
           "SECRET_KEY": "test-secret-key-shared-by-all-workers",
           "UVICORN_WS_PER_MESSAGE_DEFLATE": "false", **RELAXED_LIMITS,
           "RATE_LIMIT_PREFIX": f"cap-test-{port}", **(extra_env or {})}
    env.pop("REDIS_URL", None)
    env.pop("BROADCAST_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = tmp / f"{name}-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio",
             "--ws-max-size", "65536", "--no-proxy-headers", "--log-level", "warning", *uvicorn_args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Server(url, database_url, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def create_facilitator(database_url: str, email: str | None = None) -> str:
    """Create an account straight through the service layer; returns its e-mail."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.services import accounts

    email = email or f"anim-{secrets.token_hex(4)}@example.org"
    engine = make_engine(database_url)
    with Session(engine) as session:
        accounts.create_facilitator(session, email, "Animatrice test", DEMO_PASSWORD)
    engine.dispose()
    return email


def sql(url: str, query: str, **params) -> list[tuple]:
    """Rows of a query, read straight from the database (what the app stored)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(query), params).all()]
    engine.dispose()
    return rows


class Facilitator:
    """A logged-in facilitator driving a workshop over HTTP, as the control page does."""

    def __init__(self, base_url: str, email: str) -> None:
        # A browser's Origin: the facilitator's routes refuse writes without one (CSRF).
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10,
                                   headers={"Origin": base_url})
        r = self.client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert r.status_code == 303, r.text

    def create_workshop(self, template: str = "prospective-10-ans", title: str = "") -> dict:
        r = self.client.post("/f/workshops", data={"template": template, "title": title})
        assert r.status_code == 303, r.text
        workshop_id = int(r.headers["location"].rsplit("/", 1)[1])
        page = self.client.get(f"/f/workshops/{workshop_id}").text
        code = re.search(r'class="code">([A-Z0-9]+)<', page).group(1)
        board_key = re.search(r'href="/b/([^"]+)"', page).group(1)
        activities = [int(a) for a in re.findall(r'/f/activities/(\d+)/state', page)]
        return {"id": workshop_id, "code": code, "board_key": board_key, "page": page,
                "activities": activities}

    def goto(self, workshop_id: int, position: int) -> httpx.Response:
        return self.client.post(f"/f/workshops/{workshop_id}/goto", data={"position": position})

    def current_activity_id(self, workshop_id: int) -> int:
        page = self.client.get(f"/f/workshops/{workshop_id}").text
        return int(re.search(r'/f/activities/(\d+)/state', page).group(1))

    def set_state(self, activity_id: int, state: str) -> httpx.Response:
        return self.client.post(f"/f/activities/{activity_id}/state", data={"state": state})

    def open_postits(self, workshop_id: int, position: int = 1) -> int:
        assert self.goto(workshop_id, position).status_code == 200
        activity_id = self.current_activity_id(workshop_id)
        assert self.set_state(activity_id, "open").status_code == 200
        return activity_id


class Participant:
    def __init__(self, base_url: str, code: str, name: str = "") -> None:
        self.code = code
        # As a phone's browser, which sends its Origin with every POST.
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10,
                                   headers={"Origin": base_url})
        r = self.client.post(f"/j/{code}", data={"name": name})
        assert r.status_code == 303, r.text

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())

    def post(self, activity_id: int, text: str, key: str | None = None, category: str = "social",
             group_id: int | str | None = None) -> httpx.Response:
        data = {"text": text, "idempotency_key": key or secrets.token_hex(16),
                "category": category}
        if group_id is not None:
            data["group_id"] = str(group_id)
        return self.client.post(f"/p/{self.code}/activities/{activity_id}/items", data=data)

    def first_group_id(self) -> int:
        page = self.client.get(f"/p/{self.code}").text
        return int(re.search(r'<option value="(\d+)"', page).group(1))


def weighted_order(rng: random.Random, ids: list[int], weight: dict[int, float]) -> list[int]:
    """A ballot drawn at random, heavier items more likely first: a room that leans one way."""
    left, order = list(ids), []
    while left:
        pick = rng.choices(left, weights=[weight[i] for i in left])[0]
        order.append(pick)
        left.remove(pick)
    return order


def missing(message: str) -> NoReturn:
    """Something a test needs is not on this machine: under CI=true (make test installs and starts
    everything) the test fails, elsewhere it is skipped with the reason."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def libreoffice_convert(source: Path, to: str) -> Path:
    """``source`` opened and saved by LibreOffice headless as ``to`` (« pdf », « csv »…), beside it.

    Each call has its own user profile, so that parallel runs do not share LibreOffice's lock.
    Without LibreOffice the test is skipped, or fails under CI=true (make test installs it).
    """
    import shutil


    soffice = shutil.which("soffice")
    if soffice is None:
        missing("LibreOffice (soffice) is not installed: make test installs libreoffice-calc-nogui")
    out = source.parent / f"{source.stem}-{to.split(':')[0]}"
    out.mkdir(exist_ok=True)
    profile = (source.parent / f".lo-profile-{source.stem}").resolve().as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", to,
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    (converted,) = out.iterdir()
    return converted


def pdf_structure(reader) -> tuple[str, list[str], list[str]]:
    """A tagged PDF's language, the structure types of its elements in order, and the alternative
    texts of its figures (a `pypdf.PdfReader`); an untagged PDF has no structure."""
    root = reader.trailer["/Root"]
    kinds: list[str] = []
    alts: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get") or node.get("/Type") not in (None, "/StructElem", "/StructTreeRoot"):
            return
        if "/S" in node:
            kinds.append(str(node["/S"]))
            if node["/S"] == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        if "/K" in node:
            walk(node["/K"])

    if "/StructTreeRoot" in root:
        walk(root["/StructTreeRoot"])
    return str(root.get("/Lang", "")), kinds, alts
