"""Join codes: short, typed on a phone, read aloud from a projector."""

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
