from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import DomainError
from app.domain.timer import check_duration, ends_at, remaining

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_start_count_down_and_stop():
    end = ends_at(NOW, 300)
    assert end == NOW + timedelta(minutes=5)
    assert remaining(end, NOW) == 300
    assert remaining(end, NOW + timedelta(seconds=0.2)) == 300  # a started second is shown
    assert remaining(end, NOW + timedelta(seconds=299.5)) == 1
    assert remaining(end, NOW + timedelta(minutes=6)) == 0
    assert ends_at(NOW, 0) is None and remaining(None, NOW) is None


@pytest.mark.parametrize("bad", [-1, 3 * 3600 + 1, True, 2.5, "60"])
def test_invalid_durations(bad):
    with pytest.raises(DomainError, match="Durée invalide"):
        check_duration(bad)
