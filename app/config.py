import os
import secrets
import time
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting is read from the environment (or a `.env` file); see README."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'cap-partage.db'}"
    # Unset: in-process channel layer (one worker). Set: Redis pub/sub across workers/hosts.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "BROADCAST_URL")
    )
    # Signs the session cookies. Unset: generated once into data/secret_key and reused.
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    sessions_dir: Path = ROOT / "sessions"
    # Minimum delay between two pushes of one workshop's state (coalescing window).
    push_interval: float = 0.1
    # Above this many queued-but-unsent frames a connection is treated as stalled and closed.
    send_timeout: float = 10.0
    # How long a joining phone's socket waits for its token, then for its join (app.routes.board).
    join_socket_wait_seconds: float = 15.0
    cookie_secure: bool = False
    participant_ttl_seconds: int = 90
    # Uvicorn's access log (off: no line per request). On, for debugging, it still carries no client
    # address and no ids or codes in paths (app.logs).
    access_log: bool = False
    # Personal data: kept this many months after a workshop's last activity unless the workshop
    # says otherwise; expired workshops are purged every `purge_interval_hours` (0: only by command).
    retention_months: int = 12
    purge_interval_hours: float = 24.0
    # The controller (responsable de traitement) and the publisher, shown on /confidentialite and
    # /mentions-legales; where to report an accessibility problem (an e-mail or a form's address),
    # on /accessibilite.
    controller_name: str = "la collectivité organisatrice de l'atelier"
    controller_address: str = ""
    dpo_contact: str = ""
    publisher_name: str = ""
    publisher_address: str = ""
    publication_director: str = ""
    host_name: str = ""
    host_address: str = ""
    accessibility_contact: str = ""
    # Addresses (or networks, comma-separated) of the reverse proxies whose X-Forwarded-For is
    # believed; anyone else's is ignored and the client is the socket's peer. Default: none.
    trusted_proxies: str = ""
    # Rate limits (`limits` notation, several separated by « ; »), counted in Redis when
    # REDIS_URL is set (shared by every worker), else in this process.
    # Wrong join codes per client address.
    join_code_limits: str = "10/minute"
    # Failed facilitator logins, per account and per client address: later windows make the wait grow.
    login_limits: str = "5/minute;10/10 minutes;20/hour"
    # Writes per participant (post-its, votes, ratings, ballots, rows, resources).
    write_limits: str = "20/5 seconds;120/minute"
    # WebSocket connections per screen (client address and the session it carries).
    ws_connect_limits: str = "20/minute"
    # Prefix of the counters' keys, so that two deployments can share one Redis.
    rate_limit_prefix: str = "cap-limits"
    # Facilitators' sessions (app.services.logins): one ends after this many minutes without a
    # request (a full-day workshop's 2-hour lunch with a margin), and in any case this many hours
    # after its login. Each worker checks its open control pages' sessions this often (seconds):
    # those ended by the command line or expired are closed. One query a worker (for all its open
    # control pages, none when there is none) every 2 s: « at once » even without Redis.
    facilitator_session_idle_minutes: float = 240.0
    facilitator_session_max_hours: float = 24.0
    facilitator_session_check_seconds: float = 2.0
    # Largest WebSocket message accepted (bytes); uvicorn's --ws-max-size should say the same.
    ws_max_size: int = 65536


def secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = ROOT / "data" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start together, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            if key := path.read_text().strip():
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
