"""The carte des sensibilités's part of the compte-rendu, after a rating's or a ranking's own
(not a kind: `app.exports.report` adds it to those sections once their ballots are in): the
groups, their sizes and what sets each apart, what unites and what divides, in plain French, or
why there is no map."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

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
    return [f"{line.item.text} : {line.detail}" for line in lines]


def part(session: Session, activity: Activity) -> OpinionPart:
    ctx = opinion_map.view(session, activity)
    counted = ctx["opinion_counted"]
    if ctx["opinion_purged"]:
        return OpinionPart("Plus disponible : à la purge des données personnelles, les notes de chacun "
                           "ont été séparées.", [], [], [])
    if ctx["opinion_status"] == Status.TOO_FEW:
        return OpinionPart(f"Pas de carte : il faut au moins 8 participants ayant assez répondu "
                           f"({counted} ici).", [], [], [])
    groups = [OpinionGroup(f"Groupe {g.letter} · {g.size} participant{'s' if g.size > 1 else ''}",
                           _lines(g.apart)) for g in ctx["opinion_groups"]]
    note = (f"{counted} participants, {len(groups)} groupes qui répondent de façon proche."
            if groups else f"{counted} participants, sans groupes distincts : les réponses ne "
                           "dessinent pas de sensibilités séparées.")
    return OpinionPart(note, groups, _lines(ctx["opinion_federating"]), _lines(ctx["opinion_dividing"]))


def write_docx(doc: "DocumentType", p: OpinionPart) -> None:
    doc.add_heading("Carte des sensibilités", level=3)
    doc.add_paragraph(p.note)
    for group in p.groups:
        doc.add_paragraph().add_run(group.title).bold = True
        for line in group.apart:
            doc.add_paragraph(line, style="List Bullet")
    for title, lines in (("Ce qui rassemble", p.federating), ("Ce qui divise", p.dividing)):
        if p.groups or lines:
            doc.add_paragraph().add_run(title).bold = True
            for line in lines or ["Aucun élément."]:
                doc.add_paragraph(line, style="List Bullet")
