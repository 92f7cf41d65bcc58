"""What the two DOCX documents (roadmap and compte-rendu) set up the same way."""

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph


def french_body(doc: DocxDocument, size: float) -> None:
    """Body text in Calibri like the headings (the template's body font is its theme's serif,
    which the theme attributes would otherwise keep), in French for spelling and hyphenation."""
    normal = doc.styles["Normal"]
    normal.font.size = Pt(size)
    normal.font.name = "Calibri"
    fonts = normal.element.rPr.rFonts
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "fr-FR")
    normal.element.get_or_add_rPr().append(language)


def page_field(paragraph: Paragraph, instruction: str) -> None:
    """A field Word computes when it lays out the page (PAGE, NUMPAGES)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
