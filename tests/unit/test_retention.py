"""app/domain/retention.py: a retention of N months ends on the same day N months later; a purged
activity's answers are dealt again so that no holder keeps a person's ballot and every result stays."""

import random
from collections import Counter
from datetime import UTC, datetime

import pytest

from app.domain.retention import Answer, add_months, expires_at, is_expired, redeal


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


# ---- redeal: the answers of a purged activity, dealt again ----------------------------------

def room(rng: random.Random, whole: bool, people: int = 40) -> tuple[list[Answer], dict[int, bool]]:
    """Random answers of `people` holders (a quarter on paper) on five items: whole ballots (a
    ranking: a permutation of positions) or ratings on two axes, some left out, some « ne sais pas »."""
    answers: list[Answer] = []
    paper = {}
    for holder in rng.sample(range(10_000, 99_999), people):
        paper[holder] = rng.random() < 0.25
        if whole:
            answers += [(holder, str(item), "order", position)
                        for position, item in enumerate(rng.sample(range(5), 5))]
        else:
            answers += [(holder, str(item), axis, rng.choice([1, 2, 3, 4, None]))
                        for item in range(5) for axis in ("impact", "maitrise") if rng.random() < 0.8]
    rng.shuffle(answers)
    return answers, paper


def ballots(answers: list[Answer]) -> dict[int, frozenset[tuple[str, str, int | None]]]:
    held: dict[int, set[tuple[str, str, int | None]]] = {}
    for holder, target, axis, value in answers:
        held.setdefault(holder, set()).add((target, axis, value))
    return {h: frozenset(b) for h, b in held.items()}


@pytest.mark.parametrize("seed", range(20))
def test_whole_ballots_change_holders_and_the_profile_stays(seed):
    rng = random.Random(seed)
    answers, paper = room(rng, whole=True)
    dealt = redeal(answers, paper, True, rng)
    before, after = ballots(answers), ballots(dealt)
    assert after.keys() == before.keys()
    # The same multiset of ballots, among the phones and among the paper ballots.
    for on_paper in (False, True):
        assert (Counter(b for h, b in after.items() if paper[h] is on_paper)
                == Counter(b for h, b in before.items() if paper[h] is on_paper))
    # Held by others: about one holder in 30 keeps her own (each phone ballot is unique here).
    assert sum(after[h] == before[h] for h in before) < 15
    assert dealt != sorted(dealt)


@pytest.mark.parametrize("seed", range(20))
def test_rated_answers_are_dealt_apart_and_every_distribution_stays(seed):
    rng = random.Random(seed)
    answers, paper = room(rng, whole=False)
    dealt = redeal(answers, paper, False, rng)
    assert len(dealt) == len(answers)

    def values(rows: list[Answer]) -> Counter:
        return Counter((target, axis, paper[holder], value) for holder, target, axis, value in rows)

    def coverage(rows: list[Answer]) -> set[tuple[int, str, str]]:
        return {(holder, target, axis) for holder, target, axis, _value in rows}

    assert values(dealt) == values(answers)
    assert coverage(dealt) == coverage(answers)
    before, after = ballots(answers), ballots(dealt)
    assert sum(after[h] == before[h] for h in before) < 15
    assert dealt != sorted(dealt)
