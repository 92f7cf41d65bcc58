"""The poll's part of the compte-rendu: each answer's count and share."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    for cell, label in zip(table.rows[0].cells, ("Réponse", "Voix", "Part"), strict=True):
        set_cell(cell, label, bold=True)
    for line, row in zip(p.lines, table.rows[1:], strict=True):
        set_cell(row.cells[0], line.label)
        set_cell(row.cells[1], str(line.count), align_right=True)
        set_cell(row.cells[2], f"{line.percent}{NBSP}%", align_right=True)
    set_widths(table, [9, 3, 3])
    proxy = f", dont {p.n_proxy} à main levée ou sur papier" if p.n_proxy else ""
    add_note(doc, f"{p.n} réponse{'s' if p.n != 1 else ''}{proxy}.")
