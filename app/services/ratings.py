"""Rating items on one or two axes (the impact/maîtrise matrix): answers, results, progress.

A rating is a `Vote` row: `target` is the item's id (as text), `axis` the template's axis key,
`value` an integer of the scale or NULL for « je ne sais pas ». The database keeps one per
participant, item and axis (`uq_vote_once`); a participant changes hers in place while the
activity is open. Items to rate are the activity's own items that are neither hidden nor merged.
"""

import re
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.errors import N_, DomainError, NotAllowed, NotFound
from app.domain.rating import (
    DEFAULT_SCALE,
    ItemRating,
    QuadrantNames,
    RatingScale,
    aggregate_ratings,
    top_rated,
    validate_rating,
)
from app.domain.workshop_templates import DEFAULT_AXES
from app.models import Activity, Item, Participant, Vote
from app.publishing import ITEMS, Publisher, publish_safely
from app.services import items as items_service
from app.services import workshops
from app.services.votes import upsert_vote

KIND = "rating"
# What a phone sends for « je ne sais pas » (stored as NULL, counted apart from the values).
UNKNOWN_VALUE = "nsp"
_INTEGER = re.compile(r"^[+-]?\d{1,6}$")


@dataclass(frozen=True)
class Axis:
    key: str
    label: str


@dataclass(frozen=True)
class RatingSettings:
    """An activity's rating settings, read from its validated template config."""

    axes: tuple[Axis, ...]
    scale: RatingScale
    allow_unknown: bool
    names: QuadrantNames

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.axes)

    @property
    def matrix(self) -> bool:
        return len(self.axes) == 2


def settings_of(activity: Activity) -> RatingSettings:
    config = activity.config
    axes = tuple(Axis(a["key"], a["label"]) for a in config.get("axes") or []) or tuple(
        Axis(k, v) for k, v in DEFAULT_AXES)
    scale_cfg = config.get("scale") or {}
    scale = RatingScale(scale_cfg.get("min", DEFAULT_SCALE.minimum),
                        scale_cfg.get("max", DEFAULT_SCALE.maximum))
    return RatingSettings(axes=axes, scale=scale, allow_unknown=bool(config.get("allow_unknown", True)),
                    names=QuadrantNames.from_template(config.get("quadrants") or {}))


def rateable(session: Session, activity_id: int) -> list[Item]:
    """The items participants rate, in list order: neither hidden nor merged into another."""
    return [i for i in items_service.of_activity(session, activity_id)
            if not i.hidden and i.merged_into_id is None]


def rateable_ids(session: Session, activity_id: int) -> list[int]:
    """The ids of `rateable`, read without loading the items (a phone's answer needs no more)."""
    return list(session.exec(select(Item.id).where(
        Item.activity_id == activity_id, col(Item.hidden).is_(False),
        col(Item.merged_into_id).is_(None)).order_by(col(Item.id))))


# ---------------------------------------------------------------- writing


def parse_value(raw: str, settings: RatingSettings) -> int | None:
    """A value as posted by a phone: an integer of the scale, or « je ne sais pas »."""
    text = raw.strip()
    if not text:
        raise DomainError(N_("Aucune note reçue : choisissez une valeur ou « je ne sais pas »."))
    if text == UNKNOWN_VALUE:
        if not settings.allow_unknown:
            raise DomainError(
                N_("Cette notation demande une note de %(least)s à %(most)s "
                   "(« je ne sais pas » n'est pas proposé)."),
                least=settings.scale.minimum, most=settings.scale.maximum)
        return None
    value: object = int(text) if _INTEGER.match(text) else text
    return validate_rating(value, settings.scale)


def parse_item_id(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or len(text) > 12:
        raise DomainError(N_("Élément à noter invalide : « %(item)s » (un numéro est attendu)."),
                          item=text[:20])
    return int(text)


def _rateable_item(session: Session, activity: Activity, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None or item.activity_id != activity.id:
        raise NotFound(N_("Élément %(item_id)s introuvable dans cette notation."), item_id=item_id)
    if item.hidden:
        raise NotAllowed(N_("Cet élément a été retiré de la liste par l'animateur : "
                            "la note n'est pas enregistrée."))
    if item.merged_into_id is not None:
        raise NotAllowed(N_("Cet élément a été regroupé avec un autre : notez l'élément regroupé."))
    return item


@dataclass(frozen=True)
class Rated:
    activity: Activity
    item: Item
    value: int | None
    changed: bool


def rate(session: Session, participant: Participant, activity_id: int, raw_item: str, axis: str,
         raw_value: str, *, publisher: Publisher) -> Rated:
    """Store a participant's rating of an item on an axis; replaying it changes nothing."""
    activity = workshops.open_activity(session, participant, activity_id, KIND)
    settings = settings_of(activity)
    item = _rateable_item(session, activity, parse_item_id(raw_item))
    if axis not in settings.keys:
        labels = ", ".join(f"{a.key} ({a.label})" for a in settings.axes)
        raise DomainError(N_("Axe de notation inconnu : « %(axis)s ». Axes : %(axes)s."),
                          axis=axis[:20], axes=labels)
    value = parse_value(raw_value, settings)
    vote, changed = upsert_vote(session, activity, participant, value, target=str(item.id), axis=axis)
    if changed:
        publish_safely(publisher, activity.workshop_id, ITEMS)
    return Rated(activity, item, vote.value, changed)


# ---------------------------------------------------------------- reading


def answers_of(session: Session, participant_ids: list[int],
               activity_id: int) -> dict[int, dict[int, dict[str, int | None]]]:
    """Each participant's answers: participant → item id → axis → value (None: « je ne sais pas »)."""
    found: dict[int, dict[int, dict[str, int | None]]] = {pid: {} for pid in participant_ids}
    if not participant_ids:
        return found
    rows = session.exec(select(Vote.participant_id, Vote.target, Vote.axis, Vote.value).where(
        Vote.activity_id == activity_id, col(Vote.participant_id).in_(participant_ids)))
    for pid, target, axis, value in rows:
        if target.isdigit():
            found[pid].setdefault(int(target), {})[axis] = value
    return found


VoteRow = tuple[int, str, str, int | None]  # participant, target, axis, value


def votes_of(session: Session, activity_id: int) -> list[VoteRow]:
    """Every answer of an activity, read once per screen render (results and progress share it)."""
    query = select(Vote.participant_id, Vote.target, Vote.axis, Vote.value).where(
        Vote.activity_id == activity_id)
    return [(pid, target, axis, value) for pid, target, axis, value in session.exec(query)]


def results(session: Session, activity: Activity, shown: list[Item] | None = None,
            votes: list[VoteRow] | None = None) -> list[tuple[Item, ItemRating]]:
    """Statistics of every rateable item, in list order (answers on removed items are left out)."""
    settings = settings_of(activity)
    shown = rateable(session, activity.id) if shown is None else shown
    votes = votes_of(session, activity.id) if votes is None else votes
    by_target = {str(i.id): i.id for i in shown}
    triples = [(by_target[target], axis, value) for _pid, target, axis, value in votes
               if target in by_target and axis in settings.keys]
    aggregated = aggregate_ratings([i.id for i in shown], triples, settings.scale, settings.keys,
                                   settings.names)
    return list(zip(shown, aggregated, strict=True))


@dataclass(frozen=True)
class Progress:
    """How far the room is: who rated how many items (an item counts once every axis is answered)."""

    n_items: int
    started: int
    finished: int
    answers: int
    # complete items → how many participants rated that many (for the facilitator)
    histogram: tuple[tuple[int, int], ...]


def progress(session: Session, activity: Activity, shown: list[Item] | None = None,
             votes: list[VoteRow] | None = None) -> Progress:
    settings = settings_of(activity)
    shown = rateable(session, activity.id) if shown is None else shown
    votes = votes_of(session, activity.id) if votes is None else votes
    targets = {str(i.id) for i in shown}
    cells: dict[int, Counter[str]] = {}
    answers = 0
    for pid, target, axis, _value in votes:
        if target in targets and axis in settings.keys:
            cells.setdefault(pid, Counter())[target] += 1
            answers += 1
    complete = {pid: sum(1 for n in per_item.values() if n == len(settings.axes))
                for pid, per_item in cells.items()}
    histogram = Counter(complete.values())
    return Progress(
        n_items=len(shown),
        started=len(cells),
        finished=sum(1 for n in complete.values() if shown and n == len(shown)),
        answers=answers,
        histogram=tuple(sorted(histogram.items(), reverse=True)),
    )


def top(session: Session, activity: Activity, n: int) -> list[Item]:
    """The n best items by the mean of the first axis (ties: see `app.domain.rating.top_rated`)."""
    ranked = results(session, activity)
    by_id = {item.id: item for item, _ in ranked}
    return [by_id[r.item] for r in top_rated([r for _, r in ranked], n)]
