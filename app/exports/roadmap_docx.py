"""The roadmap as a Word document (python-docx), from `roadmap_docs.blocks`.

Word's own styles, so that the document's outline, navigation pane and table of contents work
and a collectivité can restyle it: « Title », « Heading 1/2/3 » (« Titre 1/2/3 » in a French
Word), « List Bullet » and « List Bullet 2 », « Caption ». A4, French language, page numbers in
the footer; headings and list labels stay with what follows them. Resource maps are PNG images.

The « Sommaire » after the cover is Word's table of contents field: Word fills it in with page
numbers when it opens the file (after asking); until then, and in LibreOffice until « Outils ›
Mettre à jour › Tout mettre à jour », it lists the headings without page numbers.
"""

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from app.domain.roadmap import RoadmapFile
from app.exports import roadmap_docs as docs
from app.exports.docx_base import contents_field, french_body, page_field, update_fields_on_open
from app.exports.figures import to_png

MAP_WIDTH = Cm(16.5)
MUTED = RGBColor(0x5B, 0x64, 0x70)


def _text(paragraph: DocxParagraph, text: str, bold: bool = False, italic: bool = False) -> None:
    """Runs for `text`, its line breaks kept."""
    for n, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold or None
        run.italic = italic or None
        if n:
            run._r.addprevious(OxmlElement("w:br"))


def _setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    french_body(doc, 10.5, docs.language_tag())
    update_fields_on_open(doc)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    page_field(footer, "PAGE")
    footer.add_run(" / ")
    page_field(footer, "NUMPAGES")
    footer.style.font.size, footer.style.font.color.rgb = Pt(8), MUTED


def _labelled(doc: DocxDocument, label: str, text: str, style: str | None = None) -> DocxParagraph:
    paragraph = doc.add_paragraph()
    if label:
        _text(paragraph, docs.labelled(label) + " ", bold=True)
    _text(paragraph, text)
    return paragraph


def _entry(doc: DocxDocument, entry: docs.Entry) -> None:
    paragraph = doc.add_paragraph(style="List Bullet")
    if entry.label:
        _text(paragraph, docs.labelled(entry.label) + " ", bold=True)
    _text(paragraph, entry.text, bold=bool(entry.details))
    if entry.note:
        _text(paragraph, " — ")
        _text(paragraph, entry.note, italic=True)
    for label, value in entry.details:
        detail = doc.add_paragraph(style="List Bullet 2")
        _text(detail, docs.labelled(label) + " ", italic=True)
        _text(detail, value)


def _block(doc: DocxDocument, block: docs.Block) -> None:
    if isinstance(block, docs.Cover):
        kicker = doc.add_paragraph(style="Subtitle")
        _text(kicker, block.kicker)
        title = doc.add_paragraph(style="Title")
        _text(title, block.title)
        for label, value in block.fields:
            _labelled(doc, label, value)
    elif isinstance(block, docs.Contents):
        title = doc.add_paragraph(style="TOC Heading")  # a title, not a heading of the outline
        _text(title, block.title)
        title.paragraph_format.page_break_before = True
        contents_field(doc, [(h.level, h.full) for h in block.entries], block.levels)
    elif isinstance(block, docs.Heading):
        heading = doc.add_heading(level=block.level)
        _text(heading, block.full)
        heading.paragraph_format.page_break_before = block.new_page or None
    elif isinstance(block, docs.Paragraph):
        _labelled(doc, block.label, block.text)
    elif isinstance(block, docs.Bullets):
        if block.label:
            lead = doc.add_paragraph()
            _text(lead, docs.labelled(block.label), bold=True)
            lead.paragraph_format.keep_with_next = True
            lead.paragraph_format.space_after = Pt(2)
        for entry in block.entries:
            _entry(doc, entry)
    elif isinstance(block, docs.Figure):
        shape = doc.add_picture(io.BytesIO(to_png(block.svg)), width=MAP_WIDTH)
        shape._inline.docPr.set("descr", block.alt)
        picture = doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        caption = doc.add_paragraph(style="Caption")
        _text(caption, block.caption)
    else:
        raise TypeError(f"unknown block {block!r}")


def to_docx(data: RoadmapFile) -> bytes:
    doc = Document()
    _setup(doc)
    doc.core_properties.title = data.roadmap.name
    doc.core_properties.subject = docs.subject(data)
    doc.core_properties.language = docs.language_tag()
    for block in docs.blocks(data):
        _block(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
