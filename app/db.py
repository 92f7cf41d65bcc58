import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.config import get_settings


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A server out of reach fails a request in seconds (503) rather than holding it open.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"connect_timeout": 5})


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def _sqlite_autocommit(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None


def _begin_immediate(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_writer_engine(url: str) -> Engine:
    """An engine for the batch writer (`app.services.writer`), whose transactions hold SAVEPOINTs.
    On SQLite the driver's own transaction handling breaks savepoints, so this engine begins its
    transactions itself, and IMMEDIATE: a batch takes the write lock first, so a write after its
    reads cannot fail on a snapshot another writer moved."""
    engine = make_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_autocommit)
        event.listen(engine, "begin", _begin_immediate)
    return engine


@lru_cache
def get_writer_engine() -> Engine:
    """The app's batch writer's engine: its own on SQLite, the app's pool elsewhere."""
    url = get_settings().database_url
    return make_writer_engine(url) if url.startswith("sqlite") else get_engine()


def get_session() -> Iterator[Session]:
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        # Closing rolls back on its connection; if the database went away meanwhile (often after
        # the answer is sent), the connection is already dropped from the pool: nothing is lost.
        with contextlib.suppress(DBAPIError):
            session.close()
