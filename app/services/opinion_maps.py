"""The « carte des sensibilités » of a rating or a ranking (`app.domain.opinion_map`): read the
ballots, compute the map (cached while the ballots stay the same), show it on the board.

What a participant's answer counts as:
- a rating: her score on the first axis (impact); « high » from the scale's midpoint up;
- a ranking by order (Borda, Schulze): the number of items she put below it; « high » in her top
  half; by points: the points given, « high » when any; by mention: the mention's rank from the
  worst, « high » in the better half.

After a purge a rating's answers are dealt again one by one (`app.services.retention`): a
participant's answers are no longer together, so no map is drawn from them any more.
"""

import functools
from dataclasses import dataclass

from sqlmodel import Session, func, select

from app.domain.errors import N_, NotAllowed
from app.domain.french import number
from app.domain.opinion_map import OpinionMap, opinion_map
from app.models import Activity, Item, PurgeRecord
from app.publishing import MODERATION, Publisher, publish_safely
from app.services import rankings, ratings
from app.services.compute import single_threaded

KINDS = ("rating", "ranking")
SHOWN_KEY = "opinion_map"  # in the activity's config: the board shows the map instead of results


@dataclass(frozen=True)
class Reading:
    """The map with the items it names, or why there is none."""

    map: OpinionMap | None
    items: dict[int, Item]
    purged: bool = False


def available(activity: Activity) -> bool:
    return activity.kind in KINDS


def shown(activity: Activity) -> bool:
    return available(activity) and activity.state == "revealed" and bool(activity.config.get(SHOWN_KEY))


def show(session: Session, activity: Activity, on: bool, *, publisher: Publisher) -> None:
    """The facilitator shows the map on the board (the results revealed), or the results again."""
    if not available(activity):
        raise NotAllowed(N_("La carte des sensibilités concerne les notations et les classements."))
    if on and activity.state != "revealed":
        raise NotAllowed(N_("Révélez d'abord les résultats : la carte se montre à leur place."))
    activity.config = {**activity.config, SHOWN_KEY: on}
    session.add(activity)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)


LETTERS = "ABCD"


def percent(share: float) -> str:
    return f"{number(round(share * 100))} %"


def shares_text(shares: tuple[float, ...]) -> str:
    """« placé haut par 100 % du groupe A, 20 % du groupe B » (one share: the whole room)."""
    if len(shares) == 1:
        return f"placé haut par {percent(shares[0])} de la salle"
    return "placé haut par " + ", ".join(f"{percent(s)} du groupe {LETTERS[g]}" for g, s in enumerate(shares))


def stance(reading: Reading, item_id: int) -> str:
    """What the map says of an item: fédérateur or clivant, with its groups' shares; else ""."""
    found = reading.map
    if found is None or not found.groups:
        return ""
    for title, lines in (("fédérateur", found.federating), ("clivant", found.dividing)):
        for line in lines:
            if line.item == item_id:
                return f"{title} dans la carte des sensibilités ({shares_text(line.shares)})"
    return ""


def read(session: Session, activity: Activity) -> Reading:
    if activity.kind == "rating":
        return _rating(session, activity)
    return _ranking(session, activity)


def _rating(session: Session, activity: Activity) -> Reading:
    shown_items = ratings.rateable(session, activity.id)
    by_id = {i.id: i for i in shown_items}
    purged = session.exec(select(func.count()).select_from(PurgeRecord).where(
        PurgeRecord.workshop_id == activity.workshop_id)).one() > 0
    if purged:
        return Reading(None, by_id, purged=True)
    settings = ratings.settings_of(activity)
    first = settings.axes[0].key
    answers: dict[int, dict[int, float]] = {}
    for pid, target, axis, value in ratings.votes_of(session, activity.id):
        if axis == first and value is not None and target.isdigit() and int(target) in by_id:
            answers.setdefault(pid, {})[int(target)] = float(value)
    return Reading(_map(answers, list(by_id), float(settings.scale.midpoint)), by_id)


def _ranking(session: Session, activity: Activity) -> Reading:
    shown_items = rankings.visible_items(session, activity)
    by_id = {i.id: i for i in shown_items}
    method = rankings.method_of(activity)
    worst = len(rankings.grades_of(activity)) - 1
    answers: dict[int, dict[int, float]] = {}
    for pid, raw in rankings.raw_ballots(session, activity).items():
        values = {i: v for i, v in raw.items() if i in by_id}
        if method == "dots":
            answers[pid] = {i: float(v) for i, v in values.items()}
        elif method == "majority":  # grade 0 is the best
            answers[pid] = {i: float(worst - v) for i, v in values.items()}
        else:  # positions 1..n: the score is how many items she put below it
            order = sorted(values, key=values.__getitem__)
            answers[pid] = {item: float(len(order) - 1 - n) for n, item in enumerate(order)}
    high_from = {"dots": 1.0, "majority": worst / 2}.get(method, (len(by_id) - 1) / 2)
    return Reading(_map(answers, list(by_id), high_from), by_id)


def _map(answers: dict[int, dict[int, float]], items: list[int], high_from: float) -> OpinionMap:
    # Cached by the answer sheets alone: the participants play no part in the map.
    sheets = tuple(sorted(tuple(sorted(a.items())) for a in answers.values()))
    return _cached(sheets, tuple(items), high_from)


@functools.lru_cache(maxsize=64)
@single_threaded
def _cached(sheets: tuple[tuple[tuple[int, float], ...], ...], items: tuple[int, ...],
            high_from: float) -> OpinionMap:
    return opinion_map([dict(sheet) for sheet in sheets], items, high_from)
