"""The workshop report as DOCX (python-docx): a real document with headings, tables and figures.

Same content and order as the PDF (`app/templates/exports/report.html`): the « Déroulé de
l'atelier » is Word's table of contents of the activities (filled in with page numbers when Word
computes the fields on opening; the activities' titles until then), one « Titre 1 » heading per
activity, post-its and resources as lists by category, results as tables, the matrix and the
resource maps as PNG images drawn by CairoSVG from the board's SVG. Each kind's module writes its
part (`app.exports.report_parts.<kind>.write_docx`).
"""

import io

from docx import Document
from docx.document import Document as DocumentType
from docx.shared import Cm, RGBColor

from app import i18n
from app.exports.docx_base import contents_field, french_body, page_field, update_fields_on_open
from app.exports.report import Report, Section
from app.exports.report_docx_base import add_note, add_small
from app.exports.report_parts import PARTS, opinion_map

BLUE = RGBColor(0x0B, 0x3D, 0x6E)
# The document's language (core properties, and the body text's, for spelling and hyphenation).
LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def _section_title(s: Section) -> str:
    return f"{s.number}. {s.title}"


def _section(doc: DocumentType, s: Section) -> None:
    doc.add_heading(_section_title(s), level=1)
    if not s.slide:
        add_small(doc.add_paragraph(), s.kind_label.upper(), size=7.5)
    if s.prompt:
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(s.prompt)
    if s.state_note:
        run = doc.add_paragraph().add_run(s.state_note)
        run.bold = True
        run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)
    if s.part is not None:
        PARTS[s.kind].write_docx(doc, s.part)
    if s.opinion is not None:
        opinion_map.write_docx(doc, s.opinion)


# ---------------------------------------------------------------- the document


def _setup(doc: DocumentType, report: Report) -> None:
    properties = doc.core_properties
    properties.title = i18n.gettext("Compte-rendu — %(title)s", title=report.title)
    properties.subject = i18n.gettext("Compte-rendu d'atelier")
    properties.author = "Cap Partagé"
    properties.language = LANGUAGE_TAGS.get(i18n.current(), "fr-FR")
    french_body(doc, 10, properties.language)
    update_fields_on_open(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(2)
    footer = section.footer.paragraphs[0]
    add_small(footer, i18n.gettext("Compte-rendu — %(title)s · page ", title=report.title), size=8)
    page_field(footer, "PAGE")
    add_small(footer, " / ", size=8)
    page_field(footer, "NUMPAGES")


def report_docx(report: Report) -> bytes:
    doc = Document()
    _setup(doc, report)
    kicker = doc.add_paragraph()
    add_small(kicker, i18n.gettext("Compte-rendu d'atelier").upper(), colour=BLUE, size=9)
    kicker.runs[0].bold = True
    doc.add_heading(report.title, level=0)
    if report.description:
        doc.add_paragraph(report.description)
    paper = (" " + i18n.ngettext("et %(num)s bulletin papier", "et %(num)s bulletins papier",
                                 report.paper_ballots) if report.paper_ballots else "")
    add_note(doc, i18n.ngettext("%(num)s participant", "%(num)s participants", report.participants)
             + f"{paper} · " + i18n.gettext("compte-rendu établi le %(date)s", date=report.generated_on))
    if report.include_names and report.names:
        paragraph = doc.add_paragraph()
        paragraph.add_run(i18n.gettext("Participants ayant donné leur nom\u00a0:") + " ").bold = True
        paragraph.add_run(", ".join(report.names) + ".")
    doc.add_heading(i18n.gettext("Déroulé de l'atelier"), level=2)
    contents_field(doc, [(1, _section_title(s)) for s in report.sections], levels=1)
    for s in report.sections:
        _section(doc, s)
    add_note(doc, i18n.gettext("Compte-rendu établi avec Cap Partagé, logiciel libre d'ateliers "
                               "participatifs pour les feuilles de route territoriales d'inclusion "
                               "numérique."))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
