"""French wording of numbers, amounts, dates and years, for the pages and the documents.

Pure code: no web, no database.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def rounded(value: float, digits: int) -> Decimal:
    """``value`` to ``digits`` decimals, half up on the decimal it is written as (0,525 → 0,53,
    2,675 → 2,68), as by hand or a spreadsheet's ROUND; binary floating point, half to even,
    would give 0,52 and 2,67. Every figure people read is rounded here."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def decimal(value: float, digits: int, trim: bool = False, grouped: bool = False) -> str:
    """« 0,53 » (``digits`` decimals); ``trim``: « 3 » and « 3,5 », not « 3,00 » and « 3,50 »;
    ``grouped``: thousands apart (« 12 500 »)."""
    text = f"{rounded(value, digits):{',' if grouped else ''}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", NBSP).replace(".", ",")


def figure(value: float | None, digits: int = 1, trim: bool = False) -> str:
    """A result as the screens show it: « 2,5 », « −0,5 » (a true minus sign), « — » for none."""
    if value is None:
        return "—"
    return decimal(value, digits, trim).replace("-", "−")


def number(value: float) -> str:
    """« 12 500 », « 3,5 »: French digit grouping and decimal comma, at most two decimals."""
    return decimal(value, 2, trim=True, grouped=True)


def euros(amount: int) -> str:
    return f"{number(amount)}{NBSP}€"


def percent(ratio: float) -> str:
    return f"{decimal(ratio * 100, 0, grouped=True)}{NBSP}%"


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def date_text(raw: str) -> str:
    """An ISO date in words (« 12 mars 2025 »); anything else as written."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return raw
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """« 15/03/2025 »: a date in a list, a table cell or a spreadsheet."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def period(start: str | None, end: str | None) -> str:
    """An action's time span from its start and end, each a year (« 2025 ») or a day
    (« 2025-03-15 »): « 2025 à 2027 », « du 1er mars 2025 au 30 juin 2026 », « à partir de 2025 »,
    « jusqu'au 30 juin 2026 »…"""
    def day(value: str) -> bool:
        return len(value) > 4

    if start and end:
        if start == end:
            return date_text(start) if day(start) else start
        if not day(start) and not day(end):
            return f"{start} à {end}"
        begin = f"du {date_text(start)}" if day(start) else f"de {start}"
        finish = f"au {date_text(end)}" if day(end) else f"à {end}"
        return f"{begin} {finish}"
    if start:
        return f"à partir du {date_text(start)}" if day(start) else f"à partir de {start}"
    if end:
        return f"jusqu'au {date_text(end)}" if day(end) else f"jusqu'en {end}"
    return ""
