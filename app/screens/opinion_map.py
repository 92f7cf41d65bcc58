"""The « carte des sensibilités » as the board and the control page show it
(`app.services.opinion_maps`): dots in a square, one colour and shape per group, the groups'
sizes and what sets each apart, the items fédérateurs and clivants, in plain French."""

import math
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain.opinion_map import Point, Status
from app.models import Activity, Item
from app.services import opinion_maps
from app.services.opinion_maps import LETTERS, percent

# The dots' square in the SVG's 0..1000 viewBox, and each group's letter and mark (a shape as well
# as a colour, for those who do not tell the colours apart).
LOW, HIGH = 60, 940
SPREAD, GOLDEN_ANGLE = 24, math.pi * (3 - math.sqrt(5))
GROUPS = tuple(zip(opinion_maps.LETTERS, ("circle", "square", "triangle", "diamond"), strict=True))


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    group: int | None


@dataclass(frozen=True)
class Line:
    """An item as the map speaks of it: its words and, per group, its share of high answers."""

    item: Item
    detail: str


@dataclass(frozen=True)
class GroupView:
    letter: str
    shape: str
    size: int
    apart: list[Line]


def _dots(points: tuple[Point, ...]) -> list[Dot]:
    """The points in the square; those on one spot (the same answers) spread in a small sunflower
    around it, so that eight identical sheets show as eight dots."""
    span = (HIGH - LOW) / 2
    seen: dict[tuple[float, float], int] = {}
    dots = []
    for p in points:
        x, y = LOW + span * (1 + p.x), LOW + span * (1 - p.y)
        n = seen.get((round(x), round(y)), 0)
        seen[(round(x), round(y))] = n + 1
        if n:
            angle, radius = n * GOLDEN_ANGLE, SPREAD * math.sqrt(n)
            x, y = x + radius * math.cos(angle), y + radius * math.sin(angle)
        dots.append(Dot(round(min(max(x, LOW - 30), HIGH + 30), 1),
                        round(min(max(y, LOW - 30), HIGH + 30), 1), p.group))
    return dots


def shares_text(shares: tuple[float, ...]) -> str:
    """« placé haut par 100 % du groupe A, 20 % du groupe B » in the reader's language."""
    if len(shares) == 1:
        return i18n.gettext("placé haut par %(share)s de la salle", share=percent(shares[0]))
    return i18n.gettext("placé haut par %(shares)s", shares=", ".join(
        i18n.gettext("%(share)s du groupe %(letter)s", share=percent(s), letter=LETTERS[g])
        for g, s in enumerate(shares)))


def _apart(high: bool, share_in: float, share_out: float) -> str:
    inside, outside = percent(share_in), percent(share_out)
    if high:
        return i18n.gettext("placé haut par %(inside)s du groupe, %(outside)s des autres",
                            inside=inside, outside=outside)
    return i18n.gettext("placé bas par %(inside)s du groupe, %(outside)s des autres",
                        inside=inside, outside=outside)


def view(session: Session, activity: Activity) -> dict[str, Any]:
    reading = opinion_maps.read(session, activity)
    found = reading.map
    ctx: dict[str, Any] = {"opinion_purged": reading.purged,
                           "opinion_status": found.status if found else None,
                           "opinion_counted": found.counted if found else 0, "opinion_dots": [],
                           "opinion_groups": [], "opinion_federating": [], "opinion_dividing": []}
    if found is None or found.status is Status.TOO_FEW:
        return ctx
    ctx["opinion_dots"] = _dots(found.points)
    items = reading.items
    ctx["opinion_groups"] = [
        GroupView(letter, shape, group.size, [
            Line(items[d.item], _apart(d.high, d.share_in, d.share_out))
            for d in group.distinctive if d.item in items])
        for (letter, shape), group in zip(GROUPS, found.groups, strict=False)]

    ctx["opinion_federating"] = [Line(items[s.item], shares_text(s.shares)) for s in found.federating
                                 if s.item in items]
    ctx["opinion_dividing"] = [Line(items[s.item], shares_text(s.shares)) for s in found.dividing
                               if s.item in items]
    return ctx
