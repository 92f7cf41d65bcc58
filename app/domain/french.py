"""French wording of numbers, amounts, dates and years, for the pages and the documents.

Pure code: no web, no database.
"""

from datetime import date
from typing import Protocol

NBSP = "\u00a0"


class HasYears(Protocol):
    start_year: int | None
    end_year: int | None


def number(value: float) -> str:
    """« 12 500 », « 3,5 »: French digit grouping and decimal comma."""
    value = round(float(value), 2)
    if value.is_integer():
        return f"{int(value):,}".replace(",", NBSP)
    whole, _, decimals = f"{value:,.2f}".rstrip("0").partition(".")
    return whole.replace(",", NBSP) + "," + decimals


def euros(amount: int) -> str:
    return f"{number(amount)}{NBSP}€"


def percent(ratio: float) -> str:
    return f"{number(round(ratio * 100))}{NBSP}%"


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
