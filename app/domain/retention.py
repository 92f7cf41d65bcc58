"""How long participants' personal data is kept: a number of months after a workshop's last activity."""

import calendar
from datetime import datetime

MIN_MONTHS, MAX_MONTHS = 1, 120


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def expires_at(last_activity: datetime, months: int) -> datetime:
    return add_months(last_activity, months)


def is_expired(last_activity: datetime, months: int, now: datetime) -> bool:
    return expires_at(last_activity, months) <= now
