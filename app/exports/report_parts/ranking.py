"""The ranking's part of the compte-rendu: the order, scores, ballots, agreement and kept enjeux."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import i18n
from app.exports.report_base import Reading, capitalised

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


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


def part(reading: Reading) -> RankingPart:
    rk = reading.ctx["rk"]
    lines = [RankingLine(r.rank, r.item.text, r.score, r.detail, r.tied, r.item.kept) for r in rk.rows]
    return RankingPart(rk.method_label, rk.n_ballots, rk.n_stale, rk.w_text, rk.agreement_label or "",
                       lines, [i.text for i in rk.kept])


def write_docx(doc: "DocumentType", p: RankingPart) -> None:
    # imported on use: python-docx loads slowly
    from docx.shared import Pt

    from app.exports.report_docx_base import GREEN, add_note, add_small, add_table, set_cell, set_widths

    summary = f"{capitalised(p.method_label)} · " + i18n.ngettext(
        "%(num)s bulletin pris en compte", "%(num)s bulletins pris en compte", p.n_ballots)
    if p.n_stale:
        summary += " " + i18n.gettext("(%(count)s à revalider, non comptés)", count=p.n_stale)
    if p.agreement:
        summary += f" · {p.agreement_label} " + i18n.gettext("(W de Kendall = %(w)s)", w=p.agreement)
    doc.add_paragraph().add_run(summary + ".").bold = True
    table = add_table(doc, 1, len(p.lines), 4)
    heads = (i18n.gettext("Rang"), i18n.gettext("Élément"), i18n.gettext("Score"), i18n.gettext("Retenu"))
    for cell, label in zip(table.rows[0].cells, heads, strict=True):
        set_cell(cell, label, bold=True)
    for line, row in zip(p.lines, table.rows[1:], strict=True):
        cells = row.cells
        set_cell(cells[0], f"{line.rank} {i18n.gettext('ex æquo')}" if line.tied else str(line.rank),
                 align_right=True)
        set_cell(cells[1], line.text)
        if line.detail:
            add_small(cells[1].add_paragraph(), line.detail, size=8)
        set_cell(cells[2], line.score, align_right=True)
        set_cell(cells[3], "★ " + i18n.gettext("retenu") if line.kept else "", bold=True, colour=GREEN)
    set_widths(table, [1.8, 10.2, 2.6, 2.4])
    if not p.lines:
        add_note(doc, i18n.gettext("Aucun élément à classer."))
    if p.kept:
        doc.add_heading(i18n.gettext("Enjeux prioritaires retenus"), level=3)
        for n, text in enumerate(p.kept, start=1):
            doc.add_paragraph(f"{n}. {text}").paragraph_format.space_after = Pt(2)
