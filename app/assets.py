"""The static files (stylesheets, scripts), read once: each has a version taken from its content,
so that pages link to `/static/<name>?v=<version>` and browsers keep it for a year (a new version
is a new address), and a gzipped copy made once, for the phones that accept it. A hall of 2,000
phones joining within a minute then costs the server a few cached answers, not 2,000 reads and
compressions of 150 KB of scripts."""

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).parent / "static"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    version: str
    media_type: str

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


@lru_cache
def assets() -> dict[str, Asset]:
    """Every static file by its path under app/static/."""
    found = {}
    for path in sorted(ROOT.rglob("*")):
        if path.is_file() and path.suffix in MEDIA_TYPES:
            body = path.read_bytes()
            found[path.relative_to(ROOT).as_posix()] = Asset(
                body, gzip.compress(body, compresslevel=9, mtime=0),
                hashlib.sha256(body).hexdigest()[:12], MEDIA_TYPES[path.suffix])
    return found


def url(name: str) -> str:
    """The address of a static file, with its version."""
    asset = assets().get(name)
    if asset is None:
        raise KeyError(f"no static file app/static/{name}")
    return f"/static/{name}?v={asset.version}"
