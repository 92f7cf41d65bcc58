"""The countdown shown on the board and the phones while sub-groups work."""

import math
from datetime import datetime, timedelta

from app.domain.errors import N_, DomainError

MAX_SECONDS = 3 * 60 * 60


def check_duration(seconds: int) -> int:
    """0 stops the timer; otherwise 1 second to 3 hours."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= MAX_SECONDS:
        raise DomainError(N_("Durée invalide : de 0 (arrêt) à %(most)s minutes."), most=MAX_SECONDS // 60)
    return seconds


def ends_at(now: datetime, seconds: int) -> datetime | None:
    return now + timedelta(seconds=check_duration(seconds)) if seconds else None


def remaining(end: datetime | None, now: datetime) -> int | None:
    """Whole seconds left (0 once elapsed), or None when no timer runs."""
    if end is None:
        return None
    return max(0, math.ceil((end - now).total_seconds()))
