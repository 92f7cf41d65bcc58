"""Fixtures. `make test` runs the suite on SQLite with the in-process channel layer, then the
tests marked `storage` or `broadcast` again with CAP_TEST_DB=postgres and
CAP_TEST_BROADCAST=redis (URLs in TEST_POSTGRES_URL and TEST_REDIS_URL)."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import (
    Facilitator,
    Participant,
    Server,
    create_facilitator,
    fresh_postgres,
    migrate,
    missing,
    run_server,
)

# Where screenshots and server logs of a run go (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def require_service(env_var: str, what: str) -> str:
    """PostgreSQL/Redis URLs: in CI their absence fails the run, elsewhere it skips clearly."""
    value = os.environ.get(env_var)
    if value:
        return value
    missing(f"{env_var} is not set: {what} tests need it (make test sets it)")


def postgres_url() -> str:
    return require_service("TEST_POSTGRES_URL", "PostgreSQL")


def redis_url() -> str:
    return require_service("TEST_REDIS_URL", "Redis")


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


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if os.environ.get("CAP_TEST_DB") == "postgres":
        with fresh_postgres(postgres_url(), template=request.getfixturevalue("migrated_postgres")) as url:
            yield url
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
