"""The chantier table's part of the compte-rendu: its chantiers by section, their filled cells."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import i18n
from app.exports.report_base import Reading

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


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


def part(reading: Reading) -> TablePart:
    tbl, people = reading.ctx["tbl"], reading.people
    sections = []
    for sec in tbl.sections:
        chantiers = []
        for g in sec.groups:
            for row in g.rows:
                cells = [(i18n.translate(c.short), row.cells[c.key]) for c in tbl.columns
                         if c.key != "title" and row.cells.get(c.key)]
                chantiers.append(Chantier(reading.group_name(g.group_id), row.cells.get("title", ""),
                                          cells, people.of(row.created_by)))
        label = i18n.translate(sec.section.label) if sec.section.label else ""  # the orphans' default one
        sections.append(TableSection(sec.section.number, label, chantiers))
    return TablePart(sections, tbl.count)


def write_docx(doc: "DocumentType", p: TablePart) -> None:
    # imported on use: python-docx loads slowly
    from docx.shared import Pt

    from app.exports.report_docx_base import NBSP, add_note, add_small

    doc.add_paragraph().add_run(i18n.ngettext("%(num)s chantier.", "%(num)s chantiers.", p.count)).bold = True
    for section in p.sections:
        number = f"{section.number}. " if section.number and section.label else ""
        doc.add_heading(f"{number}{section.label or i18n.gettext('Chantiers')}", level=2)
        if not section.chantiers:
            add_note(doc, i18n.gettext("Aucun chantier pour cet enjeu."))
        for chantier in section.chantiers:
            heading = doc.add_heading(chantier.title, level=3)
            meta = " · ".join(m for m in (chantier.group, chantier.author) if m)
            if meta:
                add_small(heading, f" — {meta}")
            for label, text in chantier.cells:
                paragraph = doc.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(2)
                paragraph.add_run(f"{label}{NBSP}: ").bold = True
                for k, line in enumerate(text.split("\n")):  # the cell's lines, as written
                    run = paragraph.add_run()
                    if k:
                        run.add_break()
                    run.add_text(line)
