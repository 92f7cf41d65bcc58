"""The resource map's part of the compte-rendu: the map, and its resources by category."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from app import i18n
from app.domain.errors import N_
from app.domain.resource_map import STATE_LABELS as LINK_LABELS
from app.exports import figures
from app.exports.report_base import Reading, capitalised

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


LINK_COUNTS = {"operante": (N_("opérante"), N_("opérantes")),
               "connue-sans-lien": (N_("connue sans lien"), N_("connues sans lien")),
               "aucune": (N_("sans aucun lien"), N_("sans aucun lien"))}


def link_count(state: str, n: int) -> tuple[str, int]:
    """« 4 opérantes », « 1 connue sans lien »: (words, n), as the board's map says it."""
    singular, plural = LINK_COUNTS.get(state, (LINK_LABELS.get(state, state),) * 2)
    return i18n.translate(plural if n > 1 else singular), n


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


def part(reading: Reading) -> ResourcesPart:
    rmap, people = reading.ctx["rmap"], reading.people
    labels = {state: i18n.translate(label) for state, label in LINK_LABELS.items()}
    svg = figures.resource_map_svg(rmap, LINK_LABELS) if rmap.count else None
    categories = [(capitalised(i18n.translate(c)),
                   [ResourceLine(r.name, r.state, labels.get(r.state, r.state), r.note,
                                 people.of(r.created_by)) for r in rmap.in_category(c)])
                  for c in rmap.categories]
    by_state = [link_count(s, n) for s, n in rmap.by_state.items()]
    return ResourcesPart(rmap.chantier, svg, categories, by_state, rmap.count)


def write_docx(doc: "DocumentType", p: ResourcesPart) -> None:
    # imported on use: python-docx loads slowly
    from app.exports.report_docx_base import TEXT_WIDTH, add_figure, add_note, add_small

    states = ", ".join(f"{n} {label}" for label, n in p.by_state)
    paragraph = doc.add_paragraph()
    paragraph.add_run(i18n.gettext("Chantier\u00a0:") + " ")
    paragraph.add_run(p.chantier).bold = True
    resources = i18n.ngettext("%(num)s ressource", "%(num)s ressources", p.count)
    paragraph.add_run(f" · {resources} ({states}).")
    if p.svg:
        add_figure(doc, p.svg, TEXT_WIDTH,
                   i18n.gettext("Carte des ressources\u00a0: trait plein, la ressource est déjà "
                                "opérante\u00a0; pointillés, connue mais pas encore de lien\u00a0; pas de "
                                "trait, aucun lien."),
                   i18n.gettext("Carte des %(count)s ressources du chantier « %(chantier)s » : chaque "
                                "ressource et son lien au chantier sont listés ci-dessous, par catégorie.",
                                count=p.count, chantier=p.chantier))
    for name, lines in p.categories:
        doc.add_heading(f"{name} ({len(lines)})", level=2)
        if not lines:
            add_note(doc, i18n.gettext("Aucune ressource."))
        for line in lines:
            item = doc.add_paragraph(style="List Bullet")
            item.add_run(line.name).bold = True
            item.add_run(f" — {line.state_label}")
            if line.note:
                item.add_run(f" · {line.note}")
            if line.author:
                add_small(item, f" — {line.author}")
