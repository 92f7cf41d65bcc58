"""Single-use join tokens: printed on cards, one per person, for votes that must be one per person.

A token is 10 characters of the join codes' alphabet (31 signs, no 0/O, 1/I/L): 31**10 ≈ 8.2e14,
49.5 bits. Typed on a phone in two groups of five; guessed, with at most 1000 tokens a batch and
the wrong-code limit (10 a minute per client), one chance in about 10**12 a try. Only its SHA-256
digest is stored: the clear token exists on the card and in the answer that generated it.
"""

import hashlib
import secrets

from app.domain.codes import ALPHABET
from app.domain.errors import N_, DomainError

LENGTH = 10
GROUP = 5
MIN_BATCH, MAX_BATCH = 1, 1000


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """The token as typed (any case, spaces, dashes), in its stored form; "" if it cannot be one."""
    token = "".join(ch for ch in raw.upper() if not ch.isspace() and ch != "-")
    if len(token) != LENGTH or any(ch not in ALPHABET for ch in token):
        return ""
    return token


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def spelled(token: str) -> str:
    """As printed on a card: « ABCDE-FGHJK »."""
    return "-".join(token[i:i + GROUP] for i in range(0, len(token), GROUP))


def batch_size(raw: str) -> int:
    """How many tokens the facilitator asked for, or a French refusal."""
    try:
        count = int(raw.strip())
    except ValueError:
        raise DomainError(N_("Nombre de jetons : un nombre entier de %(least)s à %(most)s."),
                          least=MIN_BATCH, most=MAX_BATCH) from None
    if not MIN_BATCH <= count <= MAX_BATCH:
        raise DomainError(N_("Nombre de jetons : de %(least)s à %(most)s par impression."),
                          least=MIN_BATCH, most=MAX_BATCH)
    return count
