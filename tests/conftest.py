import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Server, create_facilitator, migrate, run_server

# Where screenshots and server logs of a run go (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    migrate(url)
    return url


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    with run_server(sqlite_url, tmp_path) as srv:
        yield srv


@pytest.fixture
def facilitator_email(server: Server) -> str:
    return create_facilitator(server.database_url)


def require_service(env_var: str, what: str) -> str:
    """PostgreSQL/Redis URLs: in CI their absence fails the run, elsewhere it skips clearly."""
    value = os.environ.get(env_var)
    if value:
        return value
    message = f"{env_var} is not set: {what} tests need it (make test sets it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
