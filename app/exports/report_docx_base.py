"""What the compte-rendu's DOCX writers share: its colours, small text, tables and figures."""

import io

from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from app.exports import figures

NBSP = "\u00a0"
GREY = RGBColor(0x5B, 0x64, 0x70)
GREEN = RGBColor(0x15, 0x70, 0x3F)
QUADRANT_COLOURS = {"anticiper": RGBColor(0xB4, 0x50, 0x0F), "leviers": GREEN,
                    "secondaires": RGBColor(0x24, 0x58, 0xA0), "surveiller": RGBColor(0x59, 0x63, 0x6F)}
TABLE_STYLE = "Light List Accent 1"
TEXT_WIDTH = Cm(17)  # the A4 page between its 2 cm margins (`report_docx._setup`)


def add_small(paragraph: Paragraph, text: str, colour: RGBColor = GREY, size: float = 8.5,
              italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.color.rgb = colour
    run.italic = italic


def add_note(doc: DocumentType, text: str) -> Paragraph:
    paragraph = doc.add_paragraph()
    add_small(paragraph, text)
    return paragraph


def set_cell(cell: _Cell, text: str, bold: bool = False, align_right: bool = False,
             colour: RGBColor | None = None, size: float = 9) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    if align_right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_table(doc: DocumentType, header_rows: int, rows: int, cols: int) -> Table:
    table = doc.add_table(rows=header_rows + rows, cols=cols)
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows[:header_rows]:  # repeated at the top of each page
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    return table


def set_widths(table: Table, widths: list[float]) -> None:
    """Fixed column widths (cm): in the grid, which LibreOffice follows, and in every cell, which
    Word follows (a cell merged across columns gets the sum of theirs)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        start = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            tc.width = Cm(sum(widths[start:start + span]))
            start += span


def add_figure(doc: DocumentType, svg: str, width: Cm, caption: str, alt: str) -> None:
    """A picture with its alternative text (`alt`, what a screen reader says) and its caption."""
    picture = doc.add_picture(io.BytesIO(figures.to_png(svg)), width=width)
    picture._inline.docPr.set("descr", alt)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = doc.add_paragraph(style="Caption")
    paragraph.add_run(caption)
