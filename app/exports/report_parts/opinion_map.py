"""The carte des sensibilités's part of the compte-rendu, after a rating's or a ranking's own
(not a kind: `app.exports.report` adds it to those sections once their ballots are in): the
groups, their sizes and what sets each apart, what unites and what divides, in plain French, or
why there is no map."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from app import i18n
from app.domain.opinion_map import Status
from app.models import Activity
from app.screens import opinion_map

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


@dataclass
class OpinionGroup:
    title: str  # « Groupe A · 8 participants »
    apart: list[str]  # « Fibre partout : placé haut par 100 % du groupe, 0 % des autres »


@dataclass
class OpinionPart:
    note: str  # why there is no map, or how many it counts
    groups: list[OpinionGroup]
    federating: list[str]
    dividing: list[str]


def _lines(lines: list[opinion_map.Line]) -> list[str]:
    return [i18n.gettext("%(item)s : %(detail)s", item=line.item.text, detail=line.detail) for line in lines]


def part(session: Session, activity: Activity) -> OpinionPart:
    ctx = opinion_map.view(session, activity)
    counted = ctx["opinion_counted"]
    if ctx["opinion_purged"]:
        return OpinionPart(i18n.gettext("Plus disponible : à la purge des données personnelles, les notes "
                                        "de chacun ont été séparées."), [], [], [])
    if ctx["opinion_status"] == Status.TOO_FEW:
        return OpinionPart(i18n.gettext("Pas de carte : il faut au moins 8 participants ayant assez répondu "
                                        "(%(count)s ici).", count=counted), [], [], [])
    groups = [OpinionGroup(i18n.ngettext("Groupe %(letter)s · %(num)s participant",
                                         "Groupe %(letter)s · %(num)s participants", g.size, letter=g.letter),
                           _lines(g.apart)) for g in ctx["opinion_groups"]]
    note = (i18n.gettext("%(count)s participants, %(groups)s groupes qui répondent de façon proche.",
                         count=counted, groups=len(groups))
            if groups else i18n.gettext("%(count)s participants, sans groupes distincts : les réponses ne "
                                        "dessinent pas de sensibilités séparées.", count=counted))
    return OpinionPart(note, groups, _lines(ctx["opinion_federating"]), _lines(ctx["opinion_dividing"]))


def write_docx(doc: "DocumentType", p: OpinionPart) -> None:
    doc.add_heading(i18n.gettext("Carte des sensibilités"), level=3)
    doc.add_paragraph(p.note)
    for group in p.groups:
        doc.add_paragraph().add_run(group.title).bold = True
        for line in group.apart:
            doc.add_paragraph(line, style="List Bullet")
    for title, lines in ((i18n.gettext("Ce qui rassemble"), p.federating),
                         (i18n.gettext("Ce qui divise"), p.dividing)):
        if p.groups or lines:
            doc.add_paragraph().add_run(title).bold = True
            for line in lines or [i18n.gettext("Aucun élément.")]:
                doc.add_paragraph(line, style="List Bullet")
