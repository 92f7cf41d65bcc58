"""Test support: a real uvicorn server in a subprocess, and real HTTP/WebSocket clients."""

import contextlib
import json
import os
import queue
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
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


class ReusedPostgres:
    """One copy of the migrated database for a whole run, brought back to that copy's state after
    each test: every table emptied (alembic_version aside) and every sequence restarted, checked
    against a fingerprint of the copy (tables, columns, indexes, constraints, sequences, Alembic
    revision, types, functions, views); a test that changed any of these (a migration test) gets
    the database dropped and copied afresh, and so does every test if the migrations ever leave
    rows in the copy. Emptying takes milliseconds where a copy and a drop took a third of a second."""

    FINGERPRINT = """
        SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
          SELECT 'n:' || nspname AS x FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
             AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%'
          UNION ALL SELECT 'c:' || table_schema || '.' || table_name || '.' || ordinal_position || '.'
                           || column_name || ':' || data_type || ':' || coalesce(column_default, '')
                           || ':' || is_nullable
            FROM information_schema.columns
           WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
          UNION ALL SELECT 'i:' || schemaname || ':' || indexdef FROM pg_indexes
           WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
          UNION ALL SELECT 'k:' || conrelid::regclass::text || ':' || conname || ':'
                           || pg_get_constraintdef(oid)
            FROM pg_constraint
           WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
          UNION ALL SELECT 't:' || tgrelid::regclass::text || ':' || tgname FROM pg_trigger
           WHERE NOT tgisinternal
          UNION ALL SELECT 's:' || schemaname || '.' || sequencename || ':' || start_value || ':'
                           || increment_by || ':' || coalesce(last_value::text, '-') FROM pg_sequences
          UNION ALL SELECT 'y:' || typnamespace::regnamespace::text || '.' || typname || ':' || typtype::text
                           || ':' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                                                 FROM pg_enum WHERE enumtypid = pg_type.oid), '')
            FROM pg_type
           WHERE typnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
             AND typtype IN ('e', 'd', 'c', 'r', 'm')
          UNION ALL SELECT 'f:' || oid::regprocedure::text || ':' || md5(prosrc) FROM pg_proc
           WHERE pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
          UNION ALL SELECT 'w:' || schemaname || '.' || viewname || ':' || md5(definition) FROM pg_views
           WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
          UNION ALL SELECT 'e:' || extname FROM pg_extension
          UNION ALL SELECT 'v:' || version_num FROM alembic_version
        ) AS catalog"""
    TABLES = """SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
                 WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
                   AND NOT (schemaname = 'public' AND tablename = 'alembic_version')"""
    SEQUENCES = """SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences
                    WHERE last_value IS NOT NULL"""

    def __init__(self, server_url: str, template: str) -> None:
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self._template = make_url(template).database
        self._name = f"cap_test_{os.getpid()}_{secrets.token_hex(4)}"
        self._admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.url = make_url(server_url).set(database=self._name).render_as_string(hide_password=False)
        self._engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._copy()
        with self._engine.connect() as conn:
            self._fingerprint = conn.execute(text(self.FINGERPRINT)).scalar_one()
            tables = conn.execute(text(self.TABLES)).scalars().all()
            self._seeded = any(conn.execute(text(f"SELECT EXISTS (SELECT FROM {table})")).scalar_one()
                               for table in tables)
        self._replica_role = True  # DELETE without the foreign keys' triggers (needs a superuser)

    def _copy(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self._name}" TEMPLATE "{self._template}"'))

    def reset(self) -> None:
        """Back to the state of a fresh copy of the migrated database."""
        try:
            same = not self._seeded and self._empty()
        except Exception:
            same = False
        if not same:
            self._copy()

    def _empty(self) -> bool:
        """Empties the tables and restarts the sequences; whether the database is then the copy."""
        with self._engine.connect() as conn:
            # What a test left connected (a server's pool, an engine not disposed) goes, as DROP
            # DATABASE … WITH (FORCE) made it go; its open transactions are rolled back.
            conn.execute(text("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            tables = conn.execute(text(self.TABLES)).scalars().all()
            sequences = conn.execute(text(self.SEQUENCES)).scalars().all()
            restarts = "".join(f"ALTER SEQUENCE {seq} RESTART; " for seq in sequences)
            if self._replica_role:
                try:
                    conn.execute(text("BEGIN; SET LOCAL session_replication_role = replica; "
                                      + "".join(f"DELETE FROM {table}; " for table in tables)
                                      + restarts + "COMMIT"))
                except Exception:
                    conn.execute(text("ROLLBACK"))
                    self._replica_role = False
            if not self._replica_role and tables:
                conn.execute(text(f"BEGIN; TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE; "
                                  + restarts + "COMMIT"))
            return conn.execute(text(self.FINGERPRINT)).scalar_one() == self._fingerprint

    def drop(self) -> None:
        self._engine.dispose()
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
        self._admin.dispose()


# The tests' servers are forked from one interpreter that has already imported uvicorn and the
# libraries the app is built on (FastAPI, SQLAlchemy, Jinja, openpyxl…), instead of each being a
# fresh `python -m uvicorn` that imports them again: a second less per server. Each fork then runs
# uvicorn's own command line (`uvicorn.main`) with the test's arguments and environment, imports
# the app itself, and exits as that command does. tests/conftest.py turns this on; the bench and
# anything else calling run_server keep starting `python -m uvicorn` processes.
PRELOAD = (
    "fastapi", "fastapi.applications", "fastapi.routing", "fastapi.openapi.models", "fastapi.responses",
    "starlette.middleware.sessions", "starlette.staticfiles", "starlette.templating", "starlette.websockets",
    "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql.psycopg",
    "sqlmodel", "psycopg", "pydantic", "pydantic_settings", "jinja2", "jinja2_fragments", "openpyxl",
    "segno", "argon2", "itsdangerous", "yaml", "python_multipart", "multipart", "anyio", "h11",
    "websockets", "redis", "redis.asyncio", "lxml.etree", "PIL.Image", "dotenv", "limits", "limits.aio",
    "uvicorn.main", "uvicorn.config", "uvicorn.server", "uvicorn.lifespan.on", "uvicorn.loops.auto",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
)


def forker_main() -> None:
    """The forking interpreter (`python -c "from tests.support import forker_main; forker_main()"`).

    Reads one JSON request a line on stdin ({"args", "env", "log"}), forks a server for each and
    answers `pid <pid>`; reports each server's end as `exit <pid> <returncode>` (negative: killed
    by that signal, as subprocess says). At the end of stdin (pytest done or gone) it stops its
    servers and exits."""
    import importlib
    import select

    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # pytest stops us, by closing our stdin
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: set[int] = set()
    pending = b""

    def reap() -> None:
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            children.discard(pid)
            os.write(1, f"exit {pid} {os.waitstatus_to_exitcode(status)}\n".encode())

    os.write(1, b"ready\n")
    while True:
        readable, _, _ = select.select([0, wake_read], [], [], 1.0)
        with contextlib.suppress(BlockingIOError):
            os.read(wake_read, 4096)
        reap()
        if 0 not in readable:
            continue
        data = os.read(0, 1 << 20)
        if not data:
            break
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                os.close(wake_read)
                os.close(wake_write)
                # Raised up to the interpreter's top level: the server's process ends as
                # `python -m uvicorn` ends (threads joined, atexit handlers run, files flushed).
                sys.exit(_serve(request))
            children.add(pid)
            os.write(1, f"pid {pid}\n".encode())
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while children and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            reap()
        time.sleep(0.05)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _serve(request: dict) -> int:
    """In the forked child: uvicorn's command line, as `python -m uvicorn <args>` runs it."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = os.open(request["log"], os.O_WRONLY | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import uvicorn
    from uvicorn.main import main

    sys.argv = [str(Path(uvicorn.__file__).with_name("__main__.py")), *request["args"]]
    main.main(args=request["args"], prog_name="python -m uvicorn")  # exits (SystemExit)
    return 0


class ForkedProcess:
    """A server forked by the ServerForker, with what the tests use of subprocess.Popen."""

    def __init__(self, forker: "ServerForker", pid: int, args: list[str]) -> None:
        self._forker = forker
        self.pid = pid
        self.args = args

    @property
    def returncode(self) -> int | None:
        return self._forker.returncode(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        return self._forker.wait(self.pid, self.args, timeout)

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ServerForker:
    """Talks to the forking interpreter (forker_main): forks servers, learns when they end."""

    def __init__(self, log: Path) -> None:
        with log.open("ab") as err:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", "from tests.support import forker_main; forker_main()"],
                cwd=ROOT, env=dict(os.environ), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin, self._stdout = self._proc.stdin, self._proc.stdout
        self._log = log
        if self._stdout.readline() != b"ready\n":
            raise RuntimeError(f"the server forker did not start: see {log}")
        self._spawn_lock = threading.Lock()
        self._changed = threading.Condition()
        self._exits: dict[int, int] = {}
        self._alive = True
        self._pids: queue.Queue[int] = queue.Queue()
        threading.Thread(target=self._read, name="server-forker", daemon=True).start()

    def _read(self) -> None:
        for line in self._stdout:
            kind, pid, *rest = line.split()
            if kind == b"pid":
                # pids wrap (pid_max is 32768 here): an exit line read before this one was an
                # earlier server's, which had this pid too.
                with self._changed:
                    self._exits.pop(int(pid), None)
                self._pids.put(int(pid))
            elif kind == b"exit":
                with self._changed:
                    self._exits[int(pid)] = int(rest[0])
                    self._changed.notify_all()
        with self._changed:
            self._alive = False
            self._changed.notify_all()
        self._pids.put(-1)

    def spawn(self, args: list[str], env: dict[str, str], log: Path) -> ForkedProcess:
        request = {"args": args, "env": env, "log": str(log), "cwd": str(ROOT)}
        with self._spawn_lock:
            self._stdin.write(json.dumps(request).encode() + b"\n")
            self._stdin.flush()
            pid = self._pids.get(timeout=30)
        if pid < 0:
            raise RuntimeError("the server forker has stopped")
        return ForkedProcess(self, pid, args)

    def returncode(self, pid: int) -> int | None:
        with self._changed:
            return self._exits.get(pid)

    def wait(self, pid: int, args: list[str], timeout: float | None) -> int:
        with self._changed:
            if not self._changed.wait_for(lambda: pid in self._exits or not self._alive, timeout):
                raise subprocess.TimeoutExpired(args, timeout or 0)
            if pid not in self._exits:
                raise RuntimeError(f"the server forker stopped before server {pid} ended")
            return self._exits[pid]

    def close(self) -> None:
        self._stdin.close()
        try:
            self._proc.wait(20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._log.exists() and self._log.stat().st_size == 0:
            self._log.unlink()  # nothing went wrong


_forking: dict[str, Path | ServerForker | None] = {"log": None, "forker": None}
_forking_lock = threading.Lock()


def fork_servers(log: Path) -> None:
    """From now on, run_server forks its servers (the forker starts with the first of them)."""
    _forking["log"] = log


def stop_forking() -> None:
    with _forking_lock:
        forker = _forking["forker"]
        _forking.update(log=None, forker=None)
    if isinstance(forker, ServerForker):
        forker.close()


def _forker() -> ServerForker | None:
    with _forking_lock:
        log, forker = _forking["log"], _forking["forker"]
        if isinstance(log, Path) and forker is None:
            forker = _forking["forker"] = ServerForker(log)
        return forker if isinstance(forker, ServerForker) else None


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen | ForkedProcess
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


# Rate limits high enough for tests that are not about them (tests/integration/test_abuse.py
# starts its servers with the production defaults); counters apart for each server, as
# servers of several tests may share one Redis.
RELAXED_LIMITS = {"JOIN_CODE_LIMITS": "10000/minute", "LOGIN_LIMITS": "10000/minute",
                  "WRITE_LIMITS": "100000/minute", "WS_CONNECT_LIMITS": "10000/minute"}


def catalog(tmp: Path, templates: dict[str, str]) -> dict[str, str]:
    """A folder of workshop templates (name → YAML text) under `tmp`; the server environment that
    makes it the catalog."""
    folder = tmp / "sessions"
    folder.mkdir()
    for name, yaml in templates.items():
        (folder / f"{name}.yaml").write_text(yaml, encoding="utf-8")
    return {"SESSIONS_DIR": str(folder)}


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
    args = ["app.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port),
            "--ws", "websockets-sansio", "--ws-max-size", "65536", "--no-proxy-headers",
            "--log-level", "warning", *uvicorn_args]
    forker = _forker()
    proc: subprocess.Popen | ForkedProcess
    with log.open("w") as out:
        if forker is None:
            proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args],
                                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if forker is not None:
        proc = forker.spawn(args, env, log)
    try:
        # Knocks on the port (cheap) until uvicorn listens, which it does once the app has started,
        # then asks /healthz.
        deadline = time.monotonic() + 20
        with httpx.Client(timeout=1) as probe:
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    try:
                        if probe.get(f"{url}/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{log.read_text()}")
                time.sleep(0.02)
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
        self.email = email
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
