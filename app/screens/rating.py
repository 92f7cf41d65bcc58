"""Rating on one or two axes: the impact/maîtrise matrix (seed 001, fiche outil n° 2).

Every participant rates every item of the list on each axis of the template (default: impact
then maîtrise, 1 to 4, plus « je ne sais pas », which is not counted). The board draws the
matrix: the first axis upwards, the second to the right, each item at its means with an ellipse
of ± one standard deviation on each axis (disagreement is information), the four quadrants named
by the template; a table beside it, sortable by each axis and by spread, gives the figures.
Items are numbered in list order, the same numbers on phones, board and control page.
"""

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from app import i18n, rendering
from app.domain.activities import accepts_contributions
from app.domain.errors import N_
from app.domain.french import figure
from app.domain.rating import ItemRating, sort_ratings
from app.models import Activity, Item, Workshop
from app.services import items, ratings, workshops
from app.services.ratings import RatingSettings

# ---------------------------------------------------------------- matrix geometry

PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM = 120, 16, 984, 880
MARKER_RADIUS = 25
STRIP_LEFT, STRIP_RIGHT = 40, 960
# Beyond DENSE items the board's matrix shows numbered markers only; the LABELLED highest on the
# first axis (impact) also carry their words beside their marker.
DENSE, LABELLED = 12, 5
LABEL_EM, LABEL_LINE = 17, 38  # a label's mean character width and line height, in viewBox units
GAP = 4


def layout_markers(points: list[tuple[float, float]], radius: float = MARKER_RADIUS,
                   bounds: tuple[float, float, float, float] = (PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM),
                   rounds: int = 200) -> list[tuple[float, float]]:
    """Where to draw each numbered marker so that no two overlap.

    Markers start at their item's point; overlapping ones push each other apart (identical points
    fan out around it), staying inside ``bounds``. A marker moved off its point gets a leader line.
    """
    left, top, right, bottom = bounds
    placed = [[x, y] for x, y in points]
    need = 2 * radius + GAP

    def clamp(p: list[float]) -> None:
        p[0] = min(max(p[0], left + radius), right - radius)
        p[1] = min(max(p[1], top + radius), bottom - radius)

    for _ in range(rounds):
        moved = False
        for i in range(len(placed)):
            for j in range(i + 1, len(placed)):
                a, b = placed[i], placed[j]
                dx, dy = b[0] - a[0], b[1] - a[1]
                dist = math.hypot(dx, dy)
                if dist >= need - 0.01:
                    continue
                if dist < 1e-6:  # same point: fan out in a direction given by the pair
                    angle = (i * 7 + j * 3) * 0.9
                    dx, dy, dist = math.cos(angle), math.sin(angle), 1.0
                push = (need - dist) / 2 + 0.5
                ux, uy = dx / dist, dy / dist
                a[0] -= ux * push
                a[1] -= uy * push
                b[0] += ux * push
                b[1] += uy * push
                clamp(a)
                clamp(b)
                moved = True
        if not moved:
            break
    return [(round(x, 1), round(y, 1)) for x, y in placed]


@dataclass
class Cell:
    """One axis of one item, as shown."""

    key: str
    n: int
    n_unknown: int
    mean: float | None
    mean_text: str
    median_text: str
    stdev_text: str
    iqr_text: str


@dataclass
class Point:
    x: float
    y: float
    rx: float
    ry: float
    mx: float = 0.0
    my: float = 0.0

    @property
    def moved(self) -> bool:
        return math.hypot(self.mx - self.x, self.my - self.y) > 3


@dataclass
class Row:
    number: int
    item: Item
    result: ItemRating
    cells: list[Cell]
    quadrant: str | None  # anticiper, leviers, secondaires, surveiller (CSS class)
    quadrant_name: str | None
    spread: float | None
    point: Point | None = None

    @property
    def spread_text(self) -> str:
        return _figure(self.spread)

    def sort_value(self, key: str) -> str:
        value = self.result.spread if key == "spread" else self.result.mean(key)
        return "" if value is None else repr(float(value))


@dataclass
class Tick:
    value: int
    pos: float


@dataclass
class Corner:
    lines: list[str]
    x: float
    y: float
    anchor: str
    quadrant: str
    below: bool = False


@dataclass
class Label:
    text: str
    x: float
    y: float
    anchor: str
    mx: float  # its marker
    my: float

    @property
    def moved(self) -> bool:
        return abs(self.y - 10 - self.my) > 20

    @property
    def span(self) -> tuple[float, float]:
        width = len(self.text) * LABEL_EM
        return (self.x, self.x + width) if self.anchor == "start" else (self.x - width, self.x)


@dataclass
class RatingView:
    settings: RatingSettings
    rows: list[Row]
    # The matrix (two axes): plot box, midlines, ticks, quadrant corners.
    plot: tuple[float, float, float, float] = (PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM)
    mid_x: float = 0.0
    mid_y: float = 0.0
    ticks_x: list[Tick] = field(default_factory=list)
    ticks_y: list[Tick] = field(default_factory=list)
    corners: list[Corner] = field(default_factory=list)
    # One axis: the strip of means (x positions from ``sx``).
    strip_ticks: list[Tick] = field(default_factory=list)

    def sx(self, value: float) -> float:
        """x of a value on the one-axis strip, clamped to the strip."""
        low, high = _range(self.settings)
        value = min(max(value, low), high)
        return round(STRIP_LEFT + (value - low) * (STRIP_RIGHT - STRIP_LEFT) / (high - low), 1)

    @property
    def plotted(self) -> list[Row]:
        return [r for r in self.rows if r.point is not None]

    @property
    def unplotted(self) -> list[Row]:
        return [r for r in self.rows if r.point is None]

    @property
    def by_first_axis(self) -> list[Row]:
        """Rows in the board table's default order: the first axis's mean, highest first."""
        by_item = {r.result.item: r for r in self.rows}
        first = self.settings.axes[0].key
        return [by_item[r.item] for r in sort_ratings([r.result for r in self.rows], first)]

    @property
    def dense(self) -> bool:
        return len(self.rows) > DENSE

    @property
    def labels(self) -> list[Label]:
        """A crowded matrix's words for its top items, beside their markers, towards the centre."""
        if not self.dense:
            return []
        centre = (self.plot[0] + self.plot[2]) / 2
        placed: list[Label] = []
        top = [(r, p) for r in self.by_first_axis if (p := r.point) is not None][:LABELLED]
        for row, p in top:
            right = p.mx < centre
            label = Label(textwrap.shorten(row.item.text, width=28, placeholder="…"),
                          p.mx + 34 if right else p.mx - 34, p.my + 10, "start" if right else "end",
                          p.mx, p.my)
            # Down a line while it would cross a label already placed (markers of close means).
            while any(abs(label.y - other.y) < LABEL_LINE and _overlap(label.span, other.span)
                      for other in placed):
                label.y += LABEL_LINE
            placed.append(label)
        return placed

    @property
    def sort_keys(self) -> list[tuple[str, str]]:
        return [(a.key, a.label) for a in self.settings.axes] + [("spread", N_("Désaccord"))]


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _range(settings: RatingSettings) -> tuple[float, float]:
    low, high = settings.scale.minimum, settings.scale.maximum
    pad = max(0.4, (high - low) * 0.12)
    return low - pad, high + pad


def _figure(value: float | None, digits: int = 1, trim: bool = False) -> str:
    """« 3,5 » in French, « 3.5 » in English."""
    text = figure(value, digits, trim)
    return text if i18n.current() == i18n.DEFAULT else text.replace(",", ".")


def _cells(settings: RatingSettings, result: ItemRating) -> list[Cell]:
    cells = []
    for axis in settings.axes:
        s = result.stats[axis.key]
        cells.append(Cell(axis.key, s.n, s.n_unknown, s.mean, _figure(s.mean), _figure(s.median, trim=True),
                          _figure(s.stdev), _figure(s.iqr, 2, trim=True)))
    return cells


def build_view(settings: RatingSettings, ranked: list[tuple[Item, ItemRating]]) -> RatingView:
    rows = [Row(number=n, item=item, result=result, cells=_cells(settings, result),
                quadrant=result.quadrant.value if result.quadrant else None,
                quadrant_name=result.quadrant_name, spread=result.spread)
            for n, (item, result) in enumerate(ranked, start=1)]
    view = RatingView(settings, rows)
    if not settings.matrix:
        view.strip_ticks = [Tick(v, view.sx(v)) for v in settings.scale.values]
        return view
    low, high = _range(settings)
    left, top, right, bottom = view.plot
    unit_x, unit_y = (right - left) / (high - low), (bottom - top) / (high - low)

    def to_x(v: float) -> float:
        return round(left + (v - low) * unit_x, 1)

    def to_y(v: float) -> float:
        return round(bottom - (v - low) * unit_y, 1)

    first, second = (a.key for a in settings.axes)
    mid = float(settings.scale.midpoint)
    view.mid_x, view.mid_y = to_x(mid), to_y(mid)
    values = settings.scale.values
    step = 1 if len(values) <= 6 else 2
    view.ticks_x = [Tick(v, to_x(v)) for v in values[::step]]
    view.ticks_y = [Tick(v, to_y(v)) for v in values[::step]]
    for row in rows:
        if row.quadrant is None:
            continue
        y_stats, x_stats = row.result.stats[first], row.result.stats[second]
        assert y_stats.mean is not None and x_stats.mean is not None
        row.point = Point(to_x(x_stats.mean), to_y(y_stats.mean),
                          rx=round((x_stats.stdev or 0) * unit_x, 1),
                          ry=round((y_stats.stdev or 0) * unit_y, 1))
    plotted = [r.point for r in rows if r.point is not None]
    for point, (mx, my) in zip(plotted, layout_markers([(p.x, p.y) for p in plotted]), strict=True):
        point.mx, point.my = mx, my
    names = settings.names
    inset = 14
    view.corners = [
        # The template's names, the default ones in the reader's language.
        Corner(_wrap(i18n.translate(names.anticiper)), left + inset, top + 38, "start", "anticiper"),
        Corner(_wrap(i18n.translate(names.leviers)), right - inset, top + 38, "end", "leviers"),
        Corner(_wrap(i18n.translate(names.surveiller)), left + inset, bottom - inset, "start", "surveiller",
               below=True),
        Corner(_wrap(i18n.translate(names.secondaires)), right - inset, bottom - inset, "end", "secondaires",
               below=True),
    ]
    return view


def _wrap(name: str) -> list[str]:
    return textwrap.wrap(name, width=22, max_lines=3, placeholder="…") or [name]


# ---------------------------------------------------------------- screens


def _context(session: Session, activity: Activity) -> dict[str, Any]:
    settings = ratings.settings_of(activity)
    shown = ratings.rateable(session, activity.id)
    votes = ratings.votes_of(session, activity.id)
    view = build_view(settings, ratings.results(session, activity, shown, votes))
    prog = ratings.progress(session, activity, shown, votes)
    return {"rating": view, "rating_progress": prog, "count": prog.started}


def board(session: Session, activity: Activity) -> dict[str, Any]:
    return _context(session, activity)


def control(session: Session, activity: Activity) -> dict[str, Any]:
    ctx = _context(session, activity)
    every = items.of_activity(session, activity.id)
    # Visible entries first, so the list's numbers are the ones phones and board show.
    ctx["list_items"] = [i for i in every if not i.hidden and i.merged_into_id is None] + [
        i for i in every if i.hidden and i.merged_into_id is None]
    return ctx


@dataclass
class Mine:
    """A phone's own state: its answers and how many items are done (every axis answered)."""

    answers: dict[int, dict[str, int | None]]
    done: int
    total: int
    next_id: int | None


def mine_of(settings: RatingSettings, shown: list[int], answers: dict[int, dict[str, int | None]]) -> Mine:
    """From the ids of the items shown, in list order."""
    keys = set(settings.keys)
    done_ids = {i for i in shown if len(answers.get(i, {}).keys() & keys) == len(keys)}
    next_id = next((i for i in shown if i not in done_ids), None)
    return Mine(answers, len(done_ids), len(shown), next_id)


class Cards:
    """Each phone's item cards (`_card.html`), rendered once per item and answers: a room's
    phones hold few distinct cards (an item answered 3 and 2 looks the same on every phone that
    answered it so), while whole pages differ from phone to phone."""

    def __init__(self, settings: RatingSettings, activity: Activity, workshop: Workshop) -> None:
        self.context = {"rate_settings": settings, "activity": activity, "workshop": workshop,
                        "open": accepts_contributions(activity.kind, activity.state)}
        self.rendered: dict[tuple[int, int, tuple[tuple[str, int | None], ...]], Markup] = {}

    def card(self, number: int, item: Item, answers: dict[str, int | None]) -> Markup:
        key = (number, item.id, tuple(sorted(answers.items())))
        if key not in self.rendered:
            mine = Mine({item.id: answers}, 0, 0, None)
            self.rendered[key] = Markup(rendering.render(  # noqa: S704  (an autoescaped template)
                "activities/rating/_card.html",
                {**self.context, "number": number, "item": item, "mine": mine}))
        return self.rendered[key]


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    settings = ratings.settings_of(activity)
    shown = ratings.rateable(session, activity.id)
    answers = ratings.answers_of(session, participant_ids, activity.id)
    numbered = list(enumerate(shown, start=1))
    ids = [i.id for i in shown]
    shared: dict[str, Any] = {"rate_settings": settings, "rate_items": numbered}
    if activity.state == "revealed":
        shared["rating"] = build_view(settings, ratings.results(session, activity, shown))
    cards = Cards(settings, activity, workshops.get(session, activity.workshop_id))
    out: dict[int, dict[str, Any]] = {}
    for pid in participant_ids:
        own = answers.get(pid, {})
        out[pid] = {**shared, "mine": mine_of(settings, ids, own),
                    "rate_cards": [cards.card(n, item, own.get(item.id, {})) for n, item in numbered]}
    return out
