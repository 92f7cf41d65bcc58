"""Join codes: short, typed on a phone, read aloud from a projector."""

import re
import secrets

# No 0/O, 1/I/L: the code is read from a screen across a room.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if not ch.isspace() and ch != "-")


def new_token() -> str:
    return secrets.token_urlsafe(32)


_PHONE_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def is_phone_token(raw: str) -> bool:
    """A token a phone drew itself to join with (app.js: 32 random bytes, base64url, as
    `new_token`), so that its socket can name it before the join's answer comes back."""
    return _PHONE_TOKEN.fullmatch(raw) is not None


# Participant ids are drawn at random (not a sequence: the order of arrival is nobody's business),
# above any id a sequence gave before (migration 0012) and within what JavaScript reads exactly.
PARTICIPANT_IDS = (2**32, 2**53)
# A purged participant's token: never a token_urlsafe (no "~"), so no cookie can name it.
ERASED = "~"


def new_participant_id() -> int:
    low, high = PARTICIPANT_IDS
    return low + secrets.randbelow(high - low)


def erased_token() -> str:
    return ERASED + secrets.token_urlsafe(30)
