"""app/domain/retention.py: a retention of N months ends on the same day N months later."""

from datetime import UTC, datetime

from app.domain.retention import add_months, expires_at, is_expired


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 30, tzinfo=UTC)


def test_months_are_added_on_the_calendar():
    assert add_months(at(2025, 3, 15), 12) == at(2026, 3, 15)
    assert add_months(at(2025, 11, 30), 3) == at(2026, 2, 28)
    assert add_months(at(2024, 1, 31), 1) == at(2024, 2, 29)
    assert add_months(at(2025, 12, 1), 1) == at(2026, 1, 1)


def test_a_workshop_expires_when_its_retention_has_run():
    last = at(2025, 3, 15)
    assert expires_at(last, 12) == at(2026, 3, 15)
    assert not is_expired(last, 12, at(2026, 3, 14))
    assert is_expired(last, 12, at(2026, 3, 15))
