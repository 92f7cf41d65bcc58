"""What the two DOCX documents (roadmap and compte-rendu) set up the same way."""

from collections.abc import Sequence

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from lxml import etree


def french_body(doc: DocxDocument, size: float, language_tag: str = "fr-FR") -> None:
    """Body text in Calibri like the headings (the template's body font is its theme's serif,
    which the theme attributes would otherwise keep), in French (or `language_tag`) for spelling
    and hyphenation."""
    normal = doc.styles["Normal"]
    normal.font.size = Pt(size)
    normal.font.name = "Calibri"
    fonts = normal.element.rPr.rFonts
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), language_tag)
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


# ---------------------------------------------------------------- table of contents

# What comes after <w:updateFields> in <w:settings> (ISO/IEC 29500-1, 17.15.1.78: the order is fixed).
_SETTINGS_AFTER_UPDATE_FIELDS = frozenset((
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
    "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
))


def update_fields_on_open(doc: DocxDocument) -> None:
    """<w:updateFields w:val="true"/> in the settings: Word computes the document's fields, the
    table of contents and its page numbers, when it opens it (after asking). LibreOffice (7.4)
    ignores it: it shows the table of contents as written until it is told to update it."""
    settings = doc.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    after = next((child for child in settings
                  if etree.QName(child).localname in _SETTINGS_AFTER_UPDATE_FIELDS), None)
    if after is None:
        settings.append(flag)
    else:
        after.addprevious(flag)


def _contents_style(doc: DocxDocument, level: int) -> str:
    """Word's own « toc n » style (« TM n » in a French Word), defined here since the template
    leaves it latent: an indent by level and the page number at the right margin after dots."""
    name = f"toc {level}"
    if name not in doc.styles:
        section = doc.sections[0]
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        style.element.set(qn("w:styleId"), f"TOC{level}")
        style.base_style = doc.styles["Normal"]
        style.next_paragraph_style = doc.styles["Normal"]
        style.priority = 39
        style.unhide_when_used = True
        layout = style.paragraph_format
        layout.left_indent = Mm(5 * (level - 1))
        layout.space_before = Pt(6 if level == 1 else 0)
        layout.space_after = Pt(2)
        page, left, right = section.page_width, section.left_margin, section.right_margin
        if page is None or left is None or right is None:
            raise ValueError("the DOCX template's first section has no page width or margins")
        width = page - left - right
        layout.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        style.font.bold = level == 1 or None
    return name


def _field_char(paragraph: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")  # its result is out of date: to compute on opening
    paragraph.add_run()._r.append(char)


def contents_field(doc: DocxDocument, entries: Sequence[tuple[int, str]], levels: int) -> None:
    """A table of contents: the field TOC \\o "1-levels" \\h \\z \\u (headings 1 to `levels`, as
    links), in paragraphs of the body (not in a content control, where python-docx would not see
    them). Until Word or LibreOffice computes it (see `update_fields_on_open`), its result is
    `entries`, (level, text) in order, without the page numbers nobody knows before laying the
    pages out: so a reader that does not compute fields still shows the list."""
    instruction = f' TOC \\o "1-{levels}" \\h \\z \\u '
    paragraphs = [doc.add_paragraph(style=_contents_style(doc, level)) for level, _ in entries] or [
        doc.add_paragraph(style=_contents_style(doc, 1))]
    first, last = paragraphs[0], paragraphs[-1]
    _field_char(first, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    first.add_run()._r.append(code)
    _field_char(first, "separate")
    for paragraph, (_, text) in zip(paragraphs, entries, strict=False):
        paragraph.add_run(text.replace("\n", " "))
    _field_char(last, "end")
