"""The poll's part of the compte-rendu: each answer's count and share."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import i18n
from app.exports.report_base import Reading

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


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


def part(reading: Reading) -> PollPart:
    poll = reading.ctx["poll"]
    return PollPart([PollLine(o.label, o.count, o.percent) for o in poll.options], poll.n, poll.n_proxy)


def write_docx(doc: "DocumentType", p: PollPart) -> None:
    # imported on use: python-docx loads slowly
    from app.exports.report_docx_base import NBSP, add_note, add_table, set_cell, set_widths

    table = add_table(doc, 1, len(p.lines), 3)
    for cell, label in zip(table.rows[0].cells, (i18n.gettext("Réponse"), i18n.gettext("Voix"),
                                                  i18n.gettext("Part")), strict=True):
        set_cell(cell, label, bold=True)
    for line, row in zip(p.lines, table.rows[1:], strict=True):
        set_cell(row.cells[0], line.label)
        set_cell(row.cells[1], str(line.count), align_right=True)
        set_cell(row.cells[2], f"{line.percent}{NBSP if i18n.current() == 'fr' else ''}%", align_right=True)
    set_widths(table, [9, 3, 3])
    proxy = i18n.gettext(", dont %(n)s à main levée ou sur papier", n=p.n_proxy) if p.n_proxy else ""
    add_note(doc, i18n.ngettext("%(num)s réponse", "%(num)s réponses", p.n) + f"{proxy}.")
