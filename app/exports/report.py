"""The workshop report (compte-rendu) for participants: every activity's results, in order.

`collect` reads a workshop into a `Report` (plain dataclasses): one section per activity, whose
part is built by its kind's module (`app.exports.report_parts.<kind>`) from the kind's own
`board()` context builder (`app.screens.<kind>`), so the report shows what the board shows: the
post-its by category (visible ones; a merge once, with the number of post-its it gathers; their
sub-group), the rating's table and matrix, the ranking's order, score, ballots, agreement and kept
enjeux, the poll's counts and shares, the chantier table by section, the resource maps with their
lists. `report_pdf` and `report_docx` write it; `report_files` is what the routes and the command
line call.

Personal data: votes are never attributed. A participant's name and organisation appear (as the
author of her post-its, chantiers and resources, and in the list of participants) only when she
gave them when joining and the facilitator asked for names (`include_names`); paper ballots
typed in by the facilitator are never named.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app import i18n, rendering
from app.domain.activities import State
from app.domain.errors import N_
from app.domain.french import date_text
from app.domain.kinds import KINDS, label
from app.exports.report_base import People, Reading
from app.exports.report_parts import PARTS
from app.exports.report_parts.opinion_map import OpinionPart
from app.exports.report_parts.opinion_map import part as opinion_part
from app.models import Activity, Participant, Workshop, utcnow
from app.screens import SCREENS
from app.services import opinion_maps, workshops

SVG_STYLE = re.compile(r"<style>.*?</style>", re.S)
# The kinds' names (app.domain.kinds), marked here for the catalogs: the report says them in its
# language.
KIND_LABELS = (N_("Consigne"), N_("Post-its"), N_("Notation"), N_("Classement des priorités"), N_("Vote"),
               N_("Tableau des chantiers"), N_("Cartographie des ressources"))


@dataclass
class Section:
    number: int
    title: str
    kind: str
    kind_label: str
    slide: bool  # a kind without contributions: its prompt is the whole section
    state: str
    state_note: str  # "" when the activity is over; else what the reader should know
    prompt: str
    part: Any = None  # one of the *Part classes; None for a slide or an activity not played
    opinion: OpinionPart | None = None  # a rating's or a ranking's map, once its ballots are in


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


def _state_note(activity: Activity) -> str:
    if not KINDS[activity.kind].contributions or activity.state in (State.CLOSED, State.REVEALED):
        return ""
    if activity.state == State.OPEN:
        return i18n.gettext("Activité encore ouverte au moment de ce compte-rendu : ses résultats "
                            "peuvent changer.")
    return i18n.gettext("Activité non jouée.")


def _section(session: Session, activity: Activity, groups: dict[int, Any], people: People) -> Section:
    section = Section(
        number=activity.position + 1, title=activity.title, kind=activity.kind,
        kind_label=i18n.translate(label(activity.kind)), slide=not KINDS[activity.kind].contributions,
        state=activity.state, state_note=_state_note(activity),
        prompt=(activity.config.get("prompt") or "").strip())
    kind_part = PARTS.get(activity.kind)
    if kind_part is None or activity.state == State.DRAFT:
        return section
    ctx = SCREENS[activity.kind].board(session, activity)
    section.part = kind_part.part(Reading(session, activity, ctx, groups, people))
    if opinion_maps.available(activity) and activity.state in (State.CLOSED, State.REVEALED):
        section.opinion = opinion_part(session, activity)
    return section


def collect(session: Session, workshop: Workshop, include_names: bool = False) -> Report:
    """Everything the report says about a workshop, read from the database."""
    people = People(session, workshop.id, include_names)
    groups = {g.id: g for g in workshops.groups_of(session, workshop.id)}
    everyone = session.exec(select(Participant.proxy).where(Participant.workshop_id == workshop.id)).all()
    sections = [_section(session, a, groups, people) for a in workshops.activities_of(session, workshop.id)]
    return Report(
        workshop_id=workshop.id, title=workshop.title, description=workshop.description.strip(),
        generated_on=i18n.long_date(utcnow().date()) if i18n.current() != i18n.DEFAULT
        else date_text(utcnow().date().isoformat()),
        participants=sum(1 for proxy in everyone if not proxy),
        paper_ballots=sum(1 for proxy in everyone if proxy),
        include_names=include_names, names=list(people.labels.values()), sections=sections)


def report_html(report: Report, web: dict[str, str] | None = None, request: Any = None) -> str:
    """The report's page, as WeasyPrint prints it; with `web` (its PDF's URL), as the restitution
    page shows it in a browser (with `request`, its footer's language picker)."""
    ctx: dict[str, Any] = {"r": report, "web": web}
    if request is not None:
        ctx["request"] = request
    page = rendering.render("exports/report.html", ctx)
    # On the web the figures' own stylesheets are in the page's linked one (the CSP refuses them).
    return SVG_STYLE.sub("", page) if web else page
