"""Fixtures. `make test` runs the suite on SQLite with the in-process channel layer and, at the
same time, the tests marked `storage` or `broadcast` again with CAP_TEST_DB=postgres and
CAP_TEST_BROADCAST=redis (URLs in TEST_POSTGRES_URL and TEST_REDIS_URL)."""

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import pytest

from tests.support import (
    Facilitator,
    Participant,
    ReusedPostgres,
    Server,
    create_facilitator,
    fork_servers,
    fresh_postgres,
    migrate,
    missing,
    run_server,
    stop_forking,
)

# Where screenshots and server logs of a run go (git-ignored). The PostgreSQL pass, which make test
# runs beside the SQLite one, writes the same files (exported documents to look at): in its own folder.
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
if os.environ.get("CAP_TEST_DB") == "postgres":
    ARTIFACTS = ARTIFACTS / "postgres"


# httpx builds a TLS context for each client it makes, reading the whole CA bundle: 30 ms of CPU
# a client, and the tests make thousands (a phone each, an `httpx.get` for each look at a board),
# all to http://127.0.0.1 where TLS is never used. In this process the default context is built
# once and shared (same settings, same certificates; a context serves any number of connections).
def _share_httpx_default_tls() -> None:
    from httpx._transports import default as transports

    build = transports.create_ssl_context
    shared: list[object] = []

    def create_ssl_context(*args, **kwargs):
        if args or kwargs not in ({}, {"verify": True, "cert": None, "trust_env": True}):
            return build(*args, **kwargs)
        if not shared:
            shared.append(build(**kwargs))
        return shared[0]

    transports.create_ssl_context = create_ssl_context


_share_httpx_default_tls()


def require_service(env_var: str, what: str) -> str:
    """PostgreSQL/Redis URLs: in CI their absence fails the run, elsewhere it skips clearly."""
    value = os.environ.get(env_var)
    if value:
        return value
    missing(f"{env_var} is not set: {what} tests need it (make test sets it)")


def postgres_url() -> str:
    return require_service("TEST_POSTGRES_URL", "PostgreSQL")


def redis_url() -> str:
    url = require_service("TEST_REDIS_URL", "Redis")
    _take_redis_turn(url)
    return url


# Redis's pub/sub channels are shared by all the databases of a Redis server, and they name a
# workshop by its id, which starts at 1 in every fresh database: two test runs using one Redis at
# the same time (make test's two passes run side by side) would hear each other's workshops. So
# a test that asks for Redis waits for its turn, a lock on that Redis server held across processes
# until the test's teardown is over (servers stopped).
_redis_turn: list[IO[str]] = []


def _take_redis_turn(url: str) -> None:
    if _redis_turn:
        return
    where = urlsplit(url)
    lock = Path(tempfile.gettempdir()) / f"cap-test-redis-{where.hostname}-{where.port or 6379}.lock"
    handle = lock.open("a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    _redis_turn.append(handle)


@pytest.fixture(autouse=True)
def _redis_turn_ends() -> Iterator[None]:
    yield
    while _redis_turn:
        handle = _redis_turn.pop()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


# One database migrated to the head per run, that each test's database copies: much faster than
# running the migrations again for every test.
@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    with fresh_postgres(postgres_url()) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "head.db"
    migrate(f"sqlite:///{path}")
    assert not path.with_name("head.db-wal").exists()  # all in the file once the migration closed it
    return path


# The servers of the tests are forked from one interpreter that has imported their libraries
# (tests/support.py, forker_main): it starts with the first server and stops with the run.
# CAP_TEST_FORK_SERVERS=0 starts each as its own `python -m uvicorn` instead.
def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CAP_TEST_FORK_SERVERS", "1") != "0":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        fork_servers(ARTIFACTS / f"server-forker-{os.getpid()}.log")


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_forking()


# The database a test gets on PostgreSQL: one copy of the migrated database per run, emptied back
# to that copy's state after each test (ReusedPostgres.reset, checked; copied again if a test
# changed its schema), which costs milliseconds where copying and dropping a database per test
# cost a third of a second.
@pytest.fixture(scope="session")
def reused_postgres(migrated_postgres: str) -> Iterator[ReusedPostgres]:
    database = ReusedPostgres(postgres_url(), migrated_postgres)
    yield database
    database.drop()


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if os.environ.get("CAP_TEST_DB") == "postgres":
        database: ReusedPostgres = request.getfixturevalue("reused_postgres")
        try:
            yield database.url
        finally:
            database.reset()
        return
    path = tmp_path / "test.db"
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    yield f"sqlite:///{path}"


@pytest.fixture
def broadcast_url() -> str | None:
    return redis_url() if os.environ.get("CAP_TEST_BROADCAST") == "redis" else None


@pytest.fixture
def server(database_url: str, broadcast_url: str | None, tmp_path: Path) -> Iterator[Server]:
    with run_server(database_url, tmp_path, redis_url=broadcast_url) as srv:
        yield srv


@pytest.fixture
def facilitator_email(server: Server) -> str:
    return create_facilitator(server.database_url)


FIRST_NOTE = "Un premier post-it"


@pytest.fixture
def room(server: Server, facilitator_email: str) -> dict:
    """A workshop on its open post-its activity, with one participant who posted once."""
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop()
    activity_id = fac.open_postits(ws["id"])
    alice = Participant(server.url, ws["code"])
    gid = alice.first_group_id()
    assert alice.post(activity_id, FIRST_NOTE, group_id=gid).status_code == 201
    return {"fac": fac, "ws": ws, "activity": activity_id, "alice": alice, "gid": gid,
            "db": server.database_url, "server": server}
