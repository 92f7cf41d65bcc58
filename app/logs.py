"""Uvicorn's lines about requests (its access log, its WebSocket handshakes): off unless
ACCESS_LOG is set, and even then without the client's address or the ids and codes of paths, so
that no log ties a vote to a phone or a place."""

import logging
from collections.abc import Iterable

from app.config import Settings

ACCESS = logging.getLogger("uvicorn.access")
SERVER = logging.getLogger("uvicorn.error")
WEBSOCKET = '%s - "WebSocket %s"'


class Redact(logging.Filter):
    """Drops request lines, or (`keep`) keeps their method, route shape and status: no address, no
    query string, and ":x" for each path segment that is not a fixed word of the app's routes."""

    def __init__(self, words: set[str], keep: bool) -> None:
        super().__init__()
        self.words, self.keep = words, keep

    def path(self, raw: str) -> str:
        parts = raw.split("?", 1)[0].split("/")
        return "/".join(p if not p or p in self.words else ":x" for p in parts)

    def filter(self, record: logging.LogRecord) -> bool:
        access = record.name == ACCESS.name
        if not (access or str(record.msg).startswith(WEBSOCKET)):
            return True
        if not self.keep or not isinstance(record.args, tuple):
            return False
        # access: (address, method, path, http version, status); WebSocket: (address, path, ...)
        args = list(record.args)
        where = 2 if access else 1
        args[0], args[where] = "-", self.path(str(args[where]))
        record.args = tuple(args)
        return True


def configure(settings: Settings, route_paths: Iterable[str]) -> None:
    words = {part for path in route_paths for part in path.split("/") if part and "{" not in part}
    if not settings.access_log:
        # As `uvicorn --no-access-log`: without handlers uvicorn does not even format the line.
        ACCESS.handlers = []
        ACCESS.propagate = False
    for logger in (ACCESS, SERVER):
        for old in [f for f in logger.filters if isinstance(f, Redact)]:
            logger.removeFilter(old)
        logger.addFilter(Redact(words, settings.access_log))
