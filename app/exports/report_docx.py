"""The workshop report as DOCX (python-docx): a real document with headings, tables and figures.

Same content and order as the PDF (`app/templates/exports/report.html`): the « Déroulé de
l'atelier » is Word's table of contents of the activities (filled in with page numbers when Word
computes the fields on opening; the activities' titles until then), one « Titre 1 » heading per
activity, post-its and resources as lists by category, results as tables, the matrix and the
resource maps as PNG images drawn by CairoSVG from the board's SVG.
"""

import io
from collections.abc import Callable
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from app.exports import figures
from app.exports.docx_base import contents_field, french_body, page_field, update_fields_on_open
from app.exports.report import (
    PollPart,
    PostitsPart,
    RankingPart,
    RatingPart,
    Report,
    ResourcesPart,
    Section,
    TablePart,
    capitalised,
)

NBSP = "\u00a0"
GREY = RGBColor(0x5B, 0x64, 0x70)
BLUE = RGBColor(0x0B, 0x3D, 0x6E)
GREEN = RGBColor(0x15, 0x70, 0x3F)
QUADRANT_COLOURS = {"anticiper": RGBColor(0xB4, 0x50, 0x0F), "leviers": GREEN,
                    "secondaires": RGBColor(0x24, 0x58, 0xA0), "surveiller": RGBColor(0x59, 0x63, 0x6F)}
TABLE_STYLE = "Light List Accent 1"
TEXT_WIDTH = Cm(17)


# ---------------------------------------------------------------- small helpers


def _small(paragraph: Paragraph, text: str, colour: RGBColor = GREY, size: float = 8.5,
           italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.color.rgb = colour
    run.italic = italic


def _note(doc: DocumentType, text: str) -> Paragraph:
    paragraph = doc.add_paragraph()
    _small(paragraph, text)
    return paragraph


def _set_cell(cell: _Cell, text: str, bold: bool = False, align_right: bool = False,
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


def _table(doc: DocumentType, header_rows: int, rows: int, cols: int) -> Table:
    table = doc.add_table(rows=header_rows + rows, cols=cols)
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows[:header_rows]:  # repeated at the top of each page
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    return table


def _widths(table: Table, widths: list[float]) -> None:
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


def _figure(doc: DocumentType, svg: str, width: Cm, caption: str) -> None:
    doc.add_picture(io.BytesIO(figures.to_png(svg)), width=width)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = doc.add_paragraph(style="Caption")
    paragraph.add_run(caption)


# ---------------------------------------------------------------- the parts


def _postits(doc: DocumentType, p: PostitsPart) -> None:
    doc.add_paragraph().add_run(
        f"{p.count} post-it{'s' if p.count != 1 else ''} (après regroupement des doublons).").bold = True
    if not p.columns:
        _note(doc, "Aucun post-it.")
    for column in p.columns:
        doc.add_heading(f"{column.name} ({len(column.notes)})", level=2)
        for note in column.notes:
            paragraph = doc.add_paragraph(style="List Bullet")
            paragraph.add_run(note.text)
            meta = [note.group] if note.group else []
            if note.merged:
                meta.append(f"regroupe {note.merged} post-its")
            if note.authors:
                meta.append(", ".join(note.authors))
            if meta:
                _small(paragraph, " — " + " · ".join(meta))


def _rating(doc: DocumentType, p: RatingPart) -> None:
    n = len(p.lines)
    unknown = f" (« je ne sais pas »{NBSP}n'est pas compté)" if p.allow_unknown else ""
    doc.add_paragraph().add_run(
        f"{p.participants} participant{'s' if p.participants != 1 else ''} "
        f"{'a' if p.participants == 1 else 'ont'} noté {n} élément{'s' if n != 1 else ''} "
        f"sur {' et '.join(p.axes)}{unknown}.").bold = True
    if p.svg:
        if p.matrix:
            caption = (f"Matrice {p.axes[0].lower()} / {p.axes[1].lower()}{NBSP}: chaque élément à sa "
                       "moyenne, l'ellipse montre l'écart-type sur chaque axe (le désaccord). "
                       "Les numéros renvoient au tableau.")
            _figure(doc, p.svg, Cm(13), caption)
        else:
            _figure(doc, p.svg, Cm(15), f"{p.axes[0]}{NBSP}: moyenne de chaque élément, le trait montre "
                                        "l'écart-type. Les numéros renvoient au tableau.")
    cols = 2 + 4 * len(p.axes) + (1 if p.matrix else 0)
    table = _table(doc, 2, len(p.lines), cols)
    top, sub = table.rows[0].cells, table.rows[1].cells
    _set_cell(top[0].merge(sub[0]), "N°", bold=True)
    _set_cell(top[1].merge(sub[1]), "Élément", bold=True)
    for a, axis in enumerate(p.axes):
        first = 2 + 4 * a
        _set_cell(top[first].merge(top[first + 3]), axis, bold=True)
        for k, label in enumerate(("n", "moy.", "méd.", "σ")):  # abbreviated, as on the board
            _set_cell(sub[first + k], label, bold=True, align_right=True, size=8)
    if p.matrix:
        _set_cell(top[-1].merge(sub[-1]), "Quadrant", bold=True)
    for line, row in zip(p.lines, table.rows[2:], strict=True):
        cells = row.cells
        _set_cell(cells[0], str(line.number), bold=True,
                  colour=QUADRANT_COLOURS.get(line.quadrant))
        _set_cell(cells[1], line.text)
        for a, c in enumerate(line.cells):
            first = 2 + 4 * a
            _set_cell(cells[first], str(c.n), align_right=True)
            _set_cell(cells[first + 1], c.mean, bold=True, align_right=True)
            _set_cell(cells[first + 2], c.median, align_right=True)
            _set_cell(cells[first + 3], c.stdev, align_right=True)
        if p.matrix:
            _set_cell(cells[-1], line.quadrant_name or "—", bold=True, size=8.5,
                      colour=QUADRANT_COLOURS.get(line.quadrant))
    _widths(table, [1.1, 4.0] + [0.9, 1.2, 1.2, 1.1] * len(p.axes) + ([3.1] if p.matrix else []))
    _note(doc, f"n{NBSP}: réponses comptées · moy.{NBSP}: moyenne · méd.{NBSP}: médiane · "
               f"σ{NBSP}: écart-type (plus il est grand, plus les avis divergent).")


def _ranking(doc: DocumentType, p: RankingPart) -> None:
    summary = (f"{capitalised(p.method_label)} · {p.n_ballots} bulletin{'s' if p.n_ballots != 1 else ''} "
               "pris en compte")
    if p.n_stale:
        summary += f" ({p.n_stale} à revalider, non comptés)"
    if p.agreement:
        summary += f" · {p.agreement_label} (W de Kendall = {p.agreement})"
    doc.add_paragraph().add_run(summary + ".").bold = True
    table = _table(doc, 1, len(p.lines), 4)
    for cell, label in zip(table.rows[0].cells, ("Rang", "Élément", "Score", "Retenu"), strict=True):
        _set_cell(cell, label, bold=True)
    for line, row in zip(p.lines, table.rows[1:], strict=True):
        cells = row.cells
        _set_cell(cells[0], f"{line.rank}{' ex æquo' if line.tied else ''}", align_right=True)
        _set_cell(cells[1], line.text)
        if line.detail:
            _small(cells[1].add_paragraph(), line.detail, size=8)
        _set_cell(cells[2], line.score, align_right=True)
        _set_cell(cells[3], "★ retenu" if line.kept else "", bold=True, colour=GREEN)
    _widths(table, [1.8, 10.2, 2.6, 2.4])
    if not p.lines:
        _note(doc, "Aucun élément à classer.")
    if p.kept:
        doc.add_heading("Enjeux prioritaires retenus", level=3)
        for n, text in enumerate(p.kept, start=1):
            doc.add_paragraph(f"{n}. {text}").paragraph_format.space_after = Pt(2)


def _poll(doc: DocumentType, p: PollPart) -> None:
    table = _table(doc, 1, len(p.lines), 3)
    for cell, label in zip(table.rows[0].cells, ("Réponse", "Voix", "Part"), strict=True):
        _set_cell(cell, label, bold=True)
    for line, row in zip(p.lines, table.rows[1:], strict=True):
        _set_cell(row.cells[0], line.label)
        _set_cell(row.cells[1], str(line.count), align_right=True)
        _set_cell(row.cells[2], f"{line.percent}{NBSP}%", align_right=True)
    _widths(table, [9, 3, 3])
    proxy = f", dont {p.n_proxy} à main levée ou sur papier" if p.n_proxy else ""
    _note(doc, f"{p.n} réponse{'s' if p.n != 1 else ''}{proxy}.")


def _table_part(doc: DocumentType, p: TablePart) -> None:
    doc.add_paragraph().add_run(f"{p.count} chantier{'s' if p.count != 1 else ''}.").bold = True
    for section in p.sections:
        number = f"{section.number}. " if section.number and section.label else ""
        doc.add_heading(f"{number}{section.label or 'Chantiers'}", level=2)
        if not section.chantiers:
            _note(doc, "Aucun chantier pour cet enjeu.")
        for chantier in section.chantiers:
            heading = doc.add_heading(chantier.title, level=3)
            meta = " · ".join(m for m in (chantier.group, chantier.author) if m)
            if meta:
                _small(heading, f" — {meta}")
            for label, text in chantier.cells:
                paragraph = doc.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(2)
                paragraph.add_run(f"{label}{NBSP}: ").bold = True
                for k, line in enumerate(text.split("\n")):  # the cell's lines, as written
                    run = paragraph.add_run()
                    if k:
                        run.add_break()
                    run.add_text(line)


def _resources(doc: DocumentType, p: ResourcesPart) -> None:
    states = ", ".join(f"{n} {label}" for label, n in p.by_state)
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"Chantier{NBSP}: ")
    paragraph.add_run(p.chantier).bold = True
    paragraph.add_run(f" · {p.count} ressource{'s' if p.count != 1 else ''} ({states}).")
    if p.svg:
        _figure(doc, p.svg, TEXT_WIDTH,
                f"Carte des ressources{NBSP}: trait plein, la ressource est déjà opérante{NBSP}; "
                f"pointillés, connue mais pas encore de lien{NBSP}; pas de trait, aucun lien.")
    for name, lines in p.categories:
        doc.add_heading(f"{name} ({len(lines)})", level=2)
        if not lines:
            _note(doc, "Aucune ressource.")
        for line in lines:
            item = doc.add_paragraph(style="List Bullet")
            item.add_run(line.name).bold = True
            item.add_run(f" — {line.state_label}")
            if line.note:
                item.add_run(f" · {line.note}")
            if line.author:
                _small(item, f" — {line.author}")


WRITERS: dict[type, Callable[[DocumentType, Any], None]] = {
    PostitsPart: _postits, RatingPart: _rating, RankingPart: _ranking, PollPart: _poll,
    TablePart: _table_part, ResourcesPart: _resources}


def _section_title(s: Section) -> str:
    return f"{s.number}. {s.title}"


def _section(doc: DocumentType, s: Section) -> None:
    doc.add_heading(_section_title(s), level=1)
    if s.kind != "text":
        _small(doc.add_paragraph(), s.kind_label.upper(), size=7.5)
    if s.prompt:
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(s.prompt)
    if s.state_note:
        run = doc.add_paragraph().add_run(s.state_note)
        run.bold = True
        run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)
    if s.part is not None:
        WRITERS[type(s.part)](doc, s.part)


# ---------------------------------------------------------------- the document


def _setup(doc: DocumentType, report: Report) -> None:
    properties = doc.core_properties
    properties.title = f"Compte-rendu — {report.title}"
    properties.subject = "Compte-rendu d'atelier"
    properties.author = "Cap Partagé"
    properties.language = "fr-FR"
    french_body(doc, 10)
    update_fields_on_open(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(2)
    footer = section.footer.paragraphs[0]
    _small(footer, f"Compte-rendu — {report.title} · page ", size=8)
    page_field(footer, "PAGE")
    _small(footer, " / ", size=8)
    page_field(footer, "NUMPAGES")


def report_docx(report: Report) -> bytes:
    doc = Document()
    _setup(doc, report)
    kicker = doc.add_paragraph()
    _small(kicker, "COMPTE-RENDU D'ATELIER", colour=BLUE, size=9)
    kicker.runs[0].bold = True
    doc.add_heading(report.title, level=0)
    if report.description:
        doc.add_paragraph(report.description)
    paper = (f" et {report.paper_ballots} bulletin{'s' if report.paper_ballots != 1 else ''} papier"
             if report.paper_ballots else "")
    _note(doc, f"{report.participants} participant{'s' if report.participants != 1 else ''}{paper} · "
               f"compte-rendu établi le {report.generated_on}")
    if report.include_names and report.names:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"Participants ayant donné leur nom{NBSP}: ").bold = True
        paragraph.add_run(", ".join(report.names) + ".")
    doc.add_heading("Déroulé de l'atelier", level=2)
    contents_field(doc, [(1, _section_title(s)) for s in report.sections], levels=1)
    for s in report.sections:
        _section(doc, s)
    _note(doc, "Compte-rendu établi avec Cap Partagé, logiciel libre d'ateliers participatifs pour les "
               "feuilles de route territoriales d'inclusion numérique.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
