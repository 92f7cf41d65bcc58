"""French wording of figures: one rounding, half up on the written decimal, everywhere."""

import random
from datetime import date

from app.domain.french import NBSP, decimal, number, percent, short_date


def _half_up_by_hand(text: str, digits: int) -> str:
    """Round the decimal written in ``text`` (non-negative) with integers only: add half a unit of
    the last kept place, then cut."""
    whole, _, frac = text.partition(".")
    frac = frac.ljust(digits + 1, "0")
    units = int(whole + frac[:digits]) + (1 if frac[digits] >= "5" else 0)
    out = str(units).rjust(digits + 1, "0")
    return f"{out[:-digits]},{out[-digits:]}" if digits else out


def test_halves_go_up_as_by_hand_where_binary_floats_would_go_down():
    assert decimal(0.525, 2) == "0,53"  # f"{0.525:.2f}" happens to agree
    assert decimal(0.125, 2) == "0,13"  # f"{0.125:.2f}" gives 0.12 (half to even)
    assert decimal(2.675, 2) == "2,68"  # f"{2.675:.2f}" gives 2.67 (2.675 is 2.67499… in binary)
    assert decimal(1.005, 2) == "1,01"
    assert decimal(2.25, 1) == "2,3" and decimal(0.5, 0) == "1"
    assert decimal(3.0, 2) == "3,00" and decimal(3.0, 2, trim=True) == "3"
    assert decimal(12500.5, 1, grouped=True) == f"12{NBSP}500,5"


def test_two_decimals_agree_with_rounding_by_hand_on_random_values():
    rng = random.Random(8)
    for _ in range(5000):
        digits = rng.randint(0, 3)
        text = f"{rng.randint(0, 999)}.{rng.randint(0, 99999):0{rng.randint(1, 5)}d}"
        value = float(text)
        # repr gives back the shortest decimal that reads as the same float: the one people typed
        assert decimal(value, digits) == _half_up_by_hand(repr(value), digits), text


def test_numbers_amounts_and_shares():
    assert number(1234567) == f"1{NBSP}234{NBSP}567"
    assert number(2.675) == "2,68" and number(3.001) == "3" and number(37.5) == "37,5"
    assert percent(0.785) == f"79{NBSP}%" and percent(0.125) == f"13{NBSP}%"


def test_dates_in_lists_and_tables():
    assert short_date(date(2025, 3, 5)) == "05/03/2025"
