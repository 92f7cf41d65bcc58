"""French wording of numbers, amounts, dates and years, for the pages and the documents.

Pure code: no web, no database.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

NBSP = "\u00a0"


class HasYears(Protocol):
    start_year: int | None
    end_year: int | None


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


def years(action: HasYears) -> str:
    """« 2025 à 2027 », « à partir de 2025 », « jusqu'en 2027 »."""
    start, end = action.start_year, action.end_year
    if start and end:
        return str(start) if start == end else f"{start} à {end}"
    if start:
        return f"à partir de {start}"
    return f"jusqu'en {end}" if end else ""
