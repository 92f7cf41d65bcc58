"""How long participants' personal data is kept: a number of months after a workshop's last activity."""

import calendar
import random
from collections.abc import Mapping, Sequence
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


Answer = tuple[int, str, str, int | None]
"""A stored answer: its holder (an anonymous participant row), target, axis and value."""


def redeal(answers: Sequence[Answer], paper: Mapping[int, bool], whole: bool,
           rng: random.Random) -> list[Answer]:
    """An activity's answers dealt again at random among the same holders, so that none holds a
    voter's own ballot any more, while every result reads the same.

    `whole`: each holder's answers together are one ballot (a ranking, a poll's choices); the
    ballots are shuffled among the holders, so the activity keeps its multiset of ballots (its
    anonymous profile, what Schulze, Borda and Kendall's W read) cut from any other answer of the
    same person. Otherwise (a rating) each (target, axis) shuffles its values among the holders
    who answered it: every item's distribution stays, and no holder keeps one person's answers
    together, though each keeps answers on the same targets and axes as before. Shuffles stay
    within the phone or the paper holders (`paper`), so the counts of each stay too. The result
    comes in random order (stored in it, row ids tell nothing either)."""
    dealt: list[Answer] = []
    if whole:
        ballots: dict[int, list[tuple[str, str, int | None]]] = {}
        for holder, target, axis, value in answers:
            ballots.setdefault(holder, []).append((target, axis, value))
        for on_paper in (False, True):
            holders = sorted(h for h in ballots if paper[h] is on_paper)
            shuffled = [ballots[h] for h in holders]
            rng.shuffle(shuffled)
            dealt += [(h, target, axis, value) for h, ballot in zip(holders, shuffled, strict=True)
                      for target, axis, value in ballot]
    else:
        values: dict[tuple[str, str, bool], list[tuple[int, int | None]]] = {}
        for holder, target, axis, value in answers:
            values.setdefault((target, axis, paper[holder]), []).append((holder, value))
        for (target, axis, _on_paper), held in values.items():
            shuffled_values = [value for _holder, value in held]
            rng.shuffle(shuffled_values)
            dealt += [(holder, target, axis, value)
                      for (holder, _old), value in zip(held, shuffled_values, strict=True)]
    rng.shuffle(dealt)
    return dealt
