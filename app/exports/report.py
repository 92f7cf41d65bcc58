"""The workshop report (compte-rendu) for participants: every activity's results, in order.

`collect` reads a workshop into a `Report` (plain dataclasses): each activity's results come from
its kind's own `board()` context builder (`app.screens.<kind>`), so the report shows what the
board shows: the post-its by category (visible ones; a merge once, with the number of post-its it
gathers; their sub-group), the rating's table and matrix, the ranking's order, score, ballots,
agreement and kept enjeux, the poll's counts and shares, the chantier table by section, the
resource maps with their lists. `report_pdf` and `report_docx` write it; `report_files` is
what the routes and the command line call.

Personal data: votes are never attributed. A participant's name and organisation appear (as the
author of her post-its, chantiers and resources, and in the list of participants) only when she
gave them when joining and the facilitator asked for names (`include_names`); paper ballots
typed in by the facilitator are never named.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.domain.activities import State
from app.domain.french import date_text
from app.domain.kinds import label
from app.domain.resource_map import STATE_LABELS as LINK_LABELS
from app.exports import figures
from app.models import Activity, Item, Participant, Workshop, utcnow
from app.screens import SCREENS
from app.services import workshops

LINK_COUNTS = {"operante": ("opérante", "opérantes"),
               "connue-sans-lien": ("connue sans lien", "connues sans lien"),
               "aucune": ("sans aucun lien", "sans aucun lien")}


def link_count(state: str, n: int) -> tuple[str, int]:
    """« 4 opérantes », « 1 connue sans lien »: (words, n), as the board's map says it."""
    singular, plural = LINK_COUNTS.get(state, (LINK_LABELS.get(state, state),) * 2)
    return (plural if n > 1 else singular), n


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def person_label(name: str, organisation: str) -> str:
    """« Camille Martin (Médiathèque) », or whichever of the two she gave; "" if neither."""
    name, organisation = name.strip(), organisation.strip()
    if name and organisation:
        return f"{name} ({organisation})"
    return name or organisation


# ---------------------------------------------------------------- the report's parts


@dataclass
class Note:
    text: str
    group: str
    merged: int  # how many post-its this one gathers (0: a post-it as written)
    authors: list[str] = field(default_factory=list)


@dataclass
class NoteColumn:
    name: str
    notes: list[Note]


@dataclass
class PostitsPart:
    columns: list[NoteColumn]
    count: int


@dataclass
class RatingCell:
    n: int
    n_unknown: int
    mean: str
    median: str
    stdev: str


@dataclass
class RatingLine:
    number: int
    text: str
    cells: list[RatingCell]
    quadrant: str  # CSS class: anticiper, leviers, secondaires, surveiller, or none
    quadrant_name: str


@dataclass
class RatingPart:
    axes: list[str]
    matrix: bool
    svg: Markup | None
    lines: list[RatingLine]
    participants: int
    allow_unknown: bool


@dataclass
class RankingLine:
    rank: int
    text: str
    score: str
    detail: str
    tied: bool
    kept: bool


@dataclass
class RankingPart:
    method_label: str
    n_ballots: int
    n_stale: int
    agreement: str  # « 0,42 », or "" when not defined
    agreement_label: str
    lines: list[RankingLine]
    kept: list[str]


@dataclass
class PollLine:
    label: str
    count: int
    percent: int


@dataclass
class PollPart:
    lines: list[PollLine]
    n: int
    n_proxy: int


@dataclass
class Chantier:
    group: str
    title: str
    cells: list[tuple[str, str]]  # (column label, text), filled cells after the title
    author: str


@dataclass
class TableSection:
    number: int
    label: str
    chantiers: list[Chantier]


@dataclass
class TablePart:
    sections: list[TableSection]
    count: int


@dataclass
class ResourceLine:
    name: str
    state: str
    state_label: str
    note: str
    author: str


@dataclass
class ResourcesPart:
    chantier: str
    svg: Markup | None
    categories: list[tuple[str, list[ResourceLine]]]
    by_state: list[tuple[str, int]]  # (label, count)
    count: int


@dataclass
class Section:
    number: int
    title: str
    kind: str
    kind_label: str
    state: str
    state_note: str  # "" when the activity is over; else what the reader should know
    prompt: str
    part: Any = None  # one of the *Part classes; None for a slide or an activity not played


@dataclass
class Report:
    workshop_id: int
    title: str
    description: str
    generated_on: str
    participants: int
    paper_ballots: int
    include_names: bool
    names: list[str]
    sections: list[Section]


# ---------------------------------------------------------------- reading a workshop


class People:
    """Who may be named: participants who gave a name or organisation, if names are included."""

    def __init__(self, session: Session, workshop_id: int, include_names: bool) -> None:
        self.labels: dict[int, str] = {}
        if include_names:
            for p in session.exec(select(Participant).where(
                    Participant.workshop_id == workshop_id, col(Participant.proxy).is_(False))
                    .order_by(col(Participant.id))):
                label = person_label(p.display_name, p.organisation)
                if label:
                    self.labels[p.id] = label

    def of(self, participant_id: int | None) -> str:
        return self.labels.get(participant_id, "") if participant_id is not None else ""


def _group_name(groups: dict[int, Any], group_id: int | None) -> str:
    return groups[group_id].name if group_id in groups else ""


@dataclass(frozen=True)
class Reading:
    """What each kind's part is built from: its activity, the board's context of its results,
    the workshop's sub-groups and who may be named."""

    session: Session
    activity: Activity
    ctx: dict[str, Any]
    groups: dict[int, Any]
    people: People


def _postits(r: Reading) -> PostitsPart:
    ctx, groups, people = r.ctx, r.groups, r.people
    everything = r.session.exec(select(Item).where(Item.activity_id == r.activity.id)).all()
    originals: dict[int, list[Item]] = {}
    for item in everything:
        if item.merged_into_id is not None:
            originals.setdefault(item.merged_into_id, []).append(item)

    def authors(note: Item) -> list[str]:
        sources = originals.get(note.id) or [note]
        return list(dict.fromkeys(a for a in (people.of(s.participant_id) for s in sources) if a))

    columns = [NoteColumn(capitalised(c.name),
                          [Note(n.text, _group_name(groups, n.group_id), ctx["merged_counts"].get(n.id, 0),
                                authors(n)) for n in c.items])
               for c in ctx["columns"]]
    return PostitsPart([c for c in columns if c.notes], ctx["count"])


def _rating(reading: Reading) -> RatingPart:
    activity, ctx = reading.activity, reading.ctx
    view = ctx["rating"]
    settings = view.settings
    svg = None
    if settings.matrix and view.plotted:
        svg = figures.matrix_svg(activity, view)
    elif not settings.matrix and any(r.cells[0].mean is not None for r in view.rows):
        svg = figures.strip_svg(activity, view)
    lines = [RatingLine(r.number, r.item.text,
                        [RatingCell(c.n, c.n_unknown, c.mean_text, c.median_text, c.stdev_text)
                         for c in r.cells],
                        r.quadrant or "none", r.quadrant_name or "")
             for r in view.by_first_axis]
    return RatingPart([a.label for a in settings.axes], settings.matrix, svg, lines,
                      ctx["rating_progress"].started, settings.allow_unknown)


def _ranking(reading: Reading) -> RankingPart:
    rk = reading.ctx["rk"]
    lines = [RankingLine(r.rank, r.item.text, r.score, r.detail, r.tied, r.item.kept) for r in rk.rows]
    return RankingPart(rk.method_label, rk.n_ballots, rk.n_stale, rk.w_text, rk.agreement_label or "",
                       lines, [i.text for i in rk.kept])


def _poll(reading: Reading) -> PollPart:
    poll = reading.ctx["poll"]
    return PollPart([PollLine(o.label, o.count, o.percent) for o in poll.options], poll.n, poll.n_proxy)


def _table(reading: Reading) -> TablePart:
    tbl, groups, people = reading.ctx["tbl"], reading.groups, reading.people
    sections = []
    for sec in tbl.sections:
        chantiers = []
        for g in sec.groups:
            for row in g.rows:
                cells = [(c.short, row.cells[c.key]) for c in tbl.columns
                         if c.key != "title" and row.cells.get(c.key)]
                chantiers.append(Chantier(_group_name(groups, g.group_id), row.cells.get("title", ""),
                                          cells, people.of(row.created_by)))
        sections.append(TableSection(sec.section.number, sec.section.label, chantiers))
    return TablePart(sections, tbl.count)


def _resources(reading: Reading) -> ResourcesPart:
    rmap, people = reading.ctx["rmap"], reading.people
    svg = figures.resource_map_svg(rmap, LINK_LABELS) if rmap.count else None
    categories = [(capitalised(c), [ResourceLine(r.name, r.state, LINK_LABELS.get(r.state, r.state),
                                                 r.note, people.of(r.created_by))
                                    for r in rmap.in_category(c)])
                  for c in rmap.categories]
    by_state = [link_count(s, n) for s, n in rmap.by_state.items()]
    return ResourcesPart(rmap.chantier, svg, categories, by_state, rmap.count)


def _state_note(activity: Activity) -> str:
    if activity.kind == "text" or activity.state in (State.CLOSED, State.REVEALED):
        return ""
    if activity.state == State.OPEN:
        return "Activité encore ouverte au moment de ce compte-rendu : ses résultats peuvent changer."
    return "Activité non jouée."


# Each kind's part of the report (a slide has none: its prompt is the section).
PARTS: dict[str, Callable[[Reading], Any] | None] = {
    "text": None, "postits": _postits, "rating": _rating, "ranking": _ranking, "poll": _poll,
    "table": _table, "resources": _resources}


def _section(session: Session, activity: Activity, groups: dict[int, Any], people: People) -> Section:
    section = Section(
        number=activity.position + 1, title=activity.title, kind=activity.kind,
        kind_label=label(activity.kind),
        state=activity.state, state_note=_state_note(activity),
        prompt=(activity.config.get("prompt") or "").strip())
    part = PARTS.get(activity.kind)
    if part is None or activity.state == State.DRAFT:
        return section
    ctx = SCREENS[activity.kind].board(session, activity)
    section.part = part(Reading(session, activity, ctx, groups, people))
    return section


def collect(session: Session, workshop: Workshop, include_names: bool = False) -> Report:
    """Everything the report says about a workshop, read from the database."""
    people = People(session, workshop.id, include_names)
    groups = {g.id: g for g in workshops.groups_of(session, workshop.id)}
    everyone = session.exec(select(Participant.proxy).where(Participant.workshop_id == workshop.id)).all()
    sections = [_section(session, a, groups, people) for a in workshops.activities_of(session, workshop.id)]
    return Report(
        workshop_id=workshop.id, title=workshop.title, description=workshop.description.strip(),
        generated_on=date_text(utcnow().date().isoformat()),
        participants=sum(1 for proxy in everyone if not proxy),
        paper_ballots=sum(1 for proxy in everyone if proxy),
        include_names=include_names, names=list(people.labels.values()), sections=sections)
