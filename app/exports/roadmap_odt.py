"""The roadmap as an OpenDocument text (odfdo), from `roadmap_docs.blocks`.

LibreOffice's own style names, so that the navigator, the outline and the table of contents work:
« Title » and « Subtitle », « Heading 1/2/3 » (« Titre 1/2/3 » in a French LibreOffice) with their
outline levels, a bulleted list style, « Caption », « Strong Emphasis » and « Emphasis ». A4,
French language, page numbers in the footer; headings and list labels stay with what follows
them. Resource maps are PNG images.

The « Sommaire » after the cover is LibreOffice's own table of contents (levels 1 and 2), filled
with the headings. Page numbers are LibreOffice's to compute (« Mettre à jour l'index »): the
file holds the entries without them.
"""

import io
from collections.abc import Sequence

from odfdo import (
    TOC,
    Document,
    Element,
    Frame,
    Header,
    List,
    ListItem,
    Paragraph,
    Span,
    Style,
    StyleMasterPage,
    VarPageCount,
    VarPageNumber,
)
from odfdo.style_base import StyleBase
from odfdo.style_props import StyleProps

from app.domain import resource_map
from app.domain.roadmap import RoadmapFile
from app.exports import roadmap_docs as docs
from app.exports.figures import to_png

MAP_WIDTH_CM = 16.5
BULLETS = "Cap_20_Bullets"
BODY = "Text_20_body"
ENTRY, DETAIL = "List_20_Bullet", "List_20_Bullet_20_2"
STRONG, EMPHASIS = "Strong_20_Emphasis", "Emphasis"
LABEL, CENTRED, FOOTER = "P_label", "P_centred", "Footer"
BREAK = {1: "P_h1_page", 2: "P_h2_page", 3: "P_h3_page"}
CONTENTS_TITLE, CONTENTS_ENTRY = "Contents_20_Heading", "Contents_20_%d"

# What LibreOffice writes in an entry when it updates the table of contents: a link to the heading,
# its text, dots up to the page number at the right margin.
_ENTRY_TEMPLATE = (
    "<text:index-entry-link-start/>", "<text:index-entry-text/>",
    '<text:index-entry-tab-stop style:type="right" style:leader-char="."/>',
    "<text:index-entry-page-number/>", "<text:index-entry-link-end/>",
)

# A bulleted list with indents (odfdo's template leaves them out): • then – for details.
_BULLET_LEVEL = (
    '<text:list-level-style-bullet text:level="{level}" text:bullet-char="{char}">'
    '<style:list-level-properties text:list-level-position-and-space-mode="label-alignment">'
    '<style:list-level-label-alignment text:label-followed-by="listtab" '
    'text:list-tab-stop-position="{tab}cm" fo:text-indent="-0.5cm" fo:margin-left="{tab}cm"/>'
    '</style:list-level-properties>'
    '</text:list-level-style-bullet>'
)
_LIST_STYLE = (
    f'<text:list-style style:name="{BULLETS}" style:display-name="Puces">'
    + _BULLET_LEVEL.format(level=1, char="•", tab="0.6")
    + _BULLET_LEVEL.format(level=2, char="–", tab="1.2")
    + "</text:list-style>"
)


def _style(doc: Document, family: str, name: str) -> StyleProps:
    """A style of odfdo's template, one with properties (a paragraph, outline or page layout style)."""
    style = doc.get_style(family, name)
    if not isinstance(style, StyleProps):
        raise LookupError(f"the ODT template has no {family} style « {name} »")
    return style


def _child(element: Element, path: str) -> Element:
    found = element.get_element(path)
    if found is None:
        raise LookupError(f"no {path} in <{element.tag}>")
    return found


def _styles(doc: Document) -> None:
    def paragraph(name: str, display: str, parent: str, automatic: bool = False, **area: str) -> None:
        style = Style("paragraph", name=name, display_name=None if automatic else display,
                      parent_style=parent)
        for what, props in area.items():
            style.set_properties(area=what, properties=dict(p.split("=", 1) for p in props.split(";")))
        doc.insert_style(style, automatic=automatic)

    standard = _style(doc, "paragraph", "Standard")
    language, _, country = docs.language_tag().partition("-")
    standard.set_properties(area="text", properties={"fo:language": language, "fo:country": country,
                                                     "fo:font-size": "10pt",
                                                     "style:font-name": "Liberation Sans"})
    for level, size, color in ((1, "17pt", "#0b3d6e"), (2, "13pt", "#0b3d6e"), (3, "11pt", "#1b1f24")):
        heading = _style(doc, "paragraph", f"Heading_20_{level}")
        heading.set_properties(area="text", properties={"fo:font-size": size, "fo:color": color,
                                                        "fo:font-style": "normal", "fo:font-weight": "bold"})
    # Headings carry their own numbers (« Enjeu 1 », « Chantier 1.a »): no outline numbering.
    for outline_level in _style(doc, "outline", "Outline").children:
        for attribute in ("loext:num-list-format", "style:num-suffix", "text:display-levels"):
            if outline_level.get_attribute(attribute) is not None:
                outline_level.del_attribute(attribute)
        outline_level.set_attribute("style:num-format", "")
    paragraph("Title", "Title", "Heading", paragraph="fo:margin-top=0.2cm;fo:margin-bottom=0.4cm",
              text="fo:font-size=24pt;fo:font-weight=bold;fo:color=#0b3d6e")
    paragraph("Subtitle", "Subtitle", "Heading", paragraph="fo:margin-top=3cm;fo:margin-bottom=0.2cm",
              text="fo:font-size=13pt;fo:color=#0b5cad;fo:text-transform=uppercase")
    _style(doc, "paragraph", BODY).set_properties(area="paragraph", properties={"fo:margin-top": "0.12cm"})
    paragraph(ENTRY, "List Bullet", "Standard", paragraph="fo:margin-top=0.05cm;fo:margin-bottom=0.05cm")
    paragraph(DETAIL, "List Bullet 2", "Standard", paragraph="fo:margin-top=0cm;fo:margin-bottom=0cm",
              text="fo:font-size=9.5pt")
    _style(doc, "paragraph", CONTENTS_TITLE).set_properties(
        area="paragraph", properties={"fo:break-before": "page", "fo:margin-bottom": "0.4cm"})
    _style(doc, "paragraph", CONTENTS_TITLE).set_properties(
        area="text", properties={"fo:font-size": "17pt", "fo:color": "#0b3d6e"})
    _style(doc, "paragraph", CONTENTS_ENTRY % 1).set_properties(
        area="paragraph", properties={"fo:margin-top": "0.2cm"})
    _style(doc, "paragraph", CONTENTS_ENTRY % 1).set_properties(
        area="text", properties={"fo:font-weight": "bold"})
    paragraph(FOOTER, "Footer", "Standard", paragraph="fo:text-align=center",
              text="fo:font-size=8pt;fo:color=#5b6470")
    paragraph(LABEL, "", BODY, automatic=True,
              paragraph="fo:keep-with-next=always;fo:margin-top=0.15cm;fo:margin-bottom=0.05cm")
    paragraph(CENTRED, "", "Standard", automatic=True,
              paragraph="fo:text-align=center;fo:keep-with-next=always")
    for level, name in BREAK.items():
        paragraph(name, "", f"Heading_20_{level}", automatic=True, paragraph="fo:break-before=page")
    for name, display, prop in ((STRONG, "Strong Emphasis", "fo:font-weight=bold"),
                                (EMPHASIS, "Emphasis", "fo:font-style=italic")):
        style = Style("text", name=name, display_name=display)
        style.set_properties(area="text", properties=dict([prop.split("=", 1)]))
        doc.insert_style(style)
    list_style = Element.from_tag(_LIST_STYLE)
    if not isinstance(list_style, StyleBase):
        raise TypeError(f"odfdo did not read {_LIST_STYLE[:40]}… as a style")
    doc.insert_style(list_style)
    # The footer gets its own room below the text (the template's page layout gives it none).
    layout = _style(doc, "page-layout", "Mpm1")
    _child(layout, "style:page-layout-properties").set_attribute("fo:margin-bottom", "1.2cm")
    _child(layout, "style:footer-style").append(Element.from_tag(
        '<style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.4cm"/>'))
    footer = Paragraph("Page ", style=FOOTER)
    footer.append(VarPageNumber(select_page="current"))
    footer.append(" / ")
    footer.append(VarPageCount())
    master = doc.get_style("master-page", "Standard")
    if not isinstance(master, StyleMasterPage):
        raise LookupError("the ODT template has no master page « Standard »")
    master.set_page_footer(footer)


def _text(paragraph: Paragraph, text: str, style: str | None = None) -> None:
    """`text` appended to the paragraph (in a span of `style`), line breaks and spaces kept."""
    paragraph.append(Span(text, style=style) if style else text)


def _labelled(label: str, text: str, style: str = BODY) -> Paragraph:
    paragraph = Paragraph(style=style)
    if label:
        _text(paragraph, docs.labelled(label) + " ", STRONG)
    _text(paragraph, text)
    return paragraph


def _entry(entry: docs.Entry) -> ListItem:
    paragraph = Paragraph(style=ENTRY)
    if entry.label:
        _text(paragraph, docs.labelled(entry.label) + " ", STRONG)
    _text(paragraph, entry.text, STRONG if entry.details else None)
    if entry.note:
        _text(paragraph, " — ")
        _text(paragraph, entry.note, EMPHASIS)
    item = ListItem()
    item.append(paragraph)
    if entry.details:
        details = List(style=BULLETS)
        for label, value in entry.details:
            line = Paragraph(style=DETAIL)
            _text(line, docs.labelled(label) + " ", EMPHASIS)
            _text(line, value)
            detail = ListItem()
            detail.append(line)
            details.append(detail)
        item.append(details)
    return item


def _figure(doc: Document, block: docs.Figure) -> list[Paragraph]:
    uri = doc.add_file(io.BytesIO(to_png(block.svg)))
    ratio = resource_map.HEIGHT / resource_map.WIDTH
    frame = Frame.image_frame(uri, text=block.caption, size=(f"{MAP_WIDTH_CM}cm",
                                                             f"{MAP_WIDTH_CM * ratio:.2f}cm"),
                              anchor_type="as-char")
    frame.svg_description = block.alt
    picture = Paragraph(style=CENTRED)
    picture.append(frame)
    return [picture, Paragraph(block.caption, style="Caption")]


def _contents(block: docs.Contents) -> TOC:
    """The table of contents, empty: `_fill` writes its entries once the headings are in."""
    toc = TOC(block.title, outline_level=block.levels, title_style=CONTENTS_TITLE,
              entry_style=CONTENTS_ENTRY)
    for template in toc.get_elements("text:table-of-content-source/text:table-of-content-entry-template"):
        for part in _ENTRY_TEMPLATE:
            template.append(Element.from_tag(part))
    return toc


def _fill(doc: Document, toc: TOC) -> None:
    """The entries: odfdo's `fill` lists the headings down to the outline level, numbering each
    « 1.2. »; the headings carry their own numbers (« Enjeu 1 »), so each entry is then made the
    heading's text alone, in the style of its level: what LibreOffice writes, but for the page
    number."""
    toc.fill(doc, use_default_styles=False)
    body, levels = toc.body, toc.outline_level
    if body is None or levels is None:
        raise ValueError("a table of contents without body or outline level")
    title = body.get_element("text:index-title/text:p")
    if not isinstance(title, Paragraph):
        raise LookupError("a table of contents without a title paragraph")
    title.style = CONTENTS_TITLE  # (odfdo leaves the title paragraph unstyled)
    headers = [h for h in doc.body.headers if int(h.level) <= levels]
    entries = [e for e in body.children if e.tag == "text:p"]
    for entry, header in zip(entries, headers, strict=True):
        body.replace_element(entry, Paragraph(header.text_recursive.replace("\n", " "),
                                                  style=CONTENTS_ENTRY % int(header.level)))


def _block(doc: Document, block: docs.Block) -> Sequence[Element]:
    if isinstance(block, docs.Cover):
        cover = [Paragraph(block.kicker, style="Subtitle"), Paragraph(block.title, style="Title")]
        return cover + [_labelled(label, value) for label, value in block.fields]
    if isinstance(block, docs.Contents):
        return [_contents(block)]
    if isinstance(block, docs.Heading):
        style = BREAK[block.level] if block.new_page else f"Heading_20_{block.level}"
        heading = Header(block.level, block.full)
        heading.style = style  # (odfdo's Header ignores a style given to its constructor)
        return [heading]
    if isinstance(block, docs.Paragraph):
        return [_labelled(block.label, block.text)]
    if isinstance(block, docs.Bullets):
        out: list[Element] = []
        if block.label:
            label = Paragraph(style=LABEL)
            _text(label, docs.labelled(block.label), STRONG)
            out.append(label)
        items = List(style=BULLETS)
        for entry in block.entries:
            items.append(_entry(entry))
        return [*out, items]
    if isinstance(block, docs.Figure):
        return _figure(doc, block)
    raise TypeError(f"unknown block {block!r}")


def to_odt(data: RoadmapFile) -> bytes:
    doc = Document("text")
    doc.body.clear()
    _styles(doc)
    doc.meta.title = data.roadmap.name
    doc.meta.subject = docs.subject(data)
    doc.meta.language = docs.language_tag()
    for block in docs.blocks(data):
        for element in _block(doc, block):
            doc.body.append(element)
    for toc in doc.body.get_elements("text:table-of-content"):
        if not isinstance(toc, TOC):
            raise TypeError(f"odfdo did not read <{toc.tag}> as a table of contents")
        _fill(doc, toc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
