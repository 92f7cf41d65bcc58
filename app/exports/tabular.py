"""Tables as files: CSV, XLSX (openpyxl), ODS (odfdo) and JSON, from (headers, rows).

Generic writers for every tabular export of the app (the ranked enjeux of a workshop, the
roadmap's actions…). A row is a sequence of cells; a cell is text, a number, a `Fixed` number, a
boolean or None:

- text is a string cell in XLSX and ODS, which a spreadsheet never evaluates, so it is written
  as typed (« =1+1 », « - la fibre »); CSV has no cell types, so there text that could start a
  formula goes through `app.exports.cells.neutralise` (a leading « ' »);
- numbers are number cells in XLSX and ODS; in CSV they are written with a decimal comma when
  the separator is « ; » (French spreadsheet software), a point otherwise;
- a `Fixed` number is read with a fixed number of decimals (Kendall's W: « 0,53 »): CSV writes it
  rounded (`app.domain.french.rounded`), XLSX and ODS keep the exact value in a number cell whose
  display shows those decimals, so a formula still computes on the exact figure;
- a date is a date cell shown « 15/03/2025 » in XLSX and ODS, and written so in CSV;
- booleans are written « oui » / « non »; None is an empty cell.

Every sheet prints: landscape A4, fitted to the page's width, the header row repeated on each
page, the sheet's title in the page header and the page number in the footer; long text wraps
in its column and rows grow to hold it (no fixed row height).

CSV is UTF-8 with a BOM (so that spreadsheet software detects the encoding) and CRLF line ends.
"""

import csv
import io
import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app import i18n
from app.domain.french import decimal, rounded, short_date
from app.exports.cells import neutralise

if TYPE_CHECKING:
    from odfdo import Document as OdsDocument


@dataclass(frozen=True)
class Fixed:
    """A number people read with ``digits`` decimals; spreadsheets keep it exact."""

    value: float
    digits: int = 2


Cell = str | int | float | bool | Fixed | date | None
Rows = Sequence[Sequence[Cell]]

BOM = "\ufeff"
XLSX_DATE = "DD/MM/YYYY"  # as french.short_date writes it
SEPARATORS = {";", ","}
MAX_WIDTH = 60  # characters: wider columns wrap
MIN_WIDTH = 6
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL_CHARACTERS: re.Pattern[str] = ILLEGAL_CHARACTERS_RE  # (openpyxl has no type hints)


def _plain(value: Cell) -> Cell:
    """Booleans in words; anything else as is."""
    if isinstance(value, bool):
        return i18n.gettext("oui") if value else i18n.gettext("non")
    return value


def _shown(value: Cell) -> Cell:
    """What a reader sees in the cell (for column widths)."""
    value = _plain(value)
    if isinstance(value, date):
        return short_date(value)
    return decimal(value.value, value.digits) if isinstance(value, Fixed) else value


def _csv_number(value: int | float, sep: str) -> str:
    text = str(value) if isinstance(value, int) else repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",") if sep == ";" else text


def csv_cell(value: Cell, sep: str = ";") -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, Fixed):
        return _csv_number(float(rounded(value.value, value.digits)), sep)
    if isinstance(value, date):
        return short_date(value) if sep == ";" else value.isoformat()
    if isinstance(value, int | float):
        return _csv_number(value, sep)
    return str(neutralise(value))


def _check(headers: Sequence[str], rows: Rows) -> None:
    for n, row in enumerate(rows, start=1):
        if len(row) != len(headers):
            raise ValueError(f"row {n} has {len(row)} cells for {len(headers)} columns")


def to_csv(headers: Sequence[str], rows: Rows, sep: str = ";") -> bytes:
    """UTF-8 with BOM, CRLF; « ; » and decimal commas for French spreadsheets, or « , » and points."""
    if sep not in SEPARATORS:
        raise ValueError(f"unsupported CSV separator {sep!r}")
    _check(headers, rows)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_cell(h, sep) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v, sep) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def sheet_name(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\ (XLSX and ODS alike)."""
    name = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()).strip("'") or i18n.gettext("Feuille 1")
    return name[:31]


def _width(values: Sequence[Any]) -> int:
    longest = max((len(line) for v in values if v is not None for line in str(v).split("\n")),
                  default=0)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _clean(text: str) -> str:
    # Characters XML 1.0 cannot hold (openpyxl refuses them): never in cleaned participant text,
    # but a writer must not fail on them.
    return _ILLEGAL_CHARACTERS.sub("", text)


def print_setup(sheet: Worksheet, title: str) -> None:
    """Landscape A4, fitted to the width, header row on every page, ``title`` above."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddFooter.right.text = "Page &P / &N"


# XLSX cells are in Arial 10, which LibreOffice draws with its metric twin Liberation Sans, so that
# the row heights below hold the same text in Excel and in LibreOffice.
XLSX_FONT, XLSX_LINE_HEIGHT = "Arial", 13.0  # points


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide (one character
    of margin, words kept whole as a spreadsheet wraps them)."""
    return sum(max(1, len(textwrap.wrap(part, max(1, width - 2), break_long_words=True)))
               for part in text.split("\n"))


def to_xlsx(headers: Sequence[str], rows: Rows, sheet_title: str, title: str = "") -> bytes:
    """One sheet: a bold, frozen header row; columns sized to their content; long text wrapped;
    ``title`` (default: the sheet's name) in the printed page header.

    LibreOffice does not recompute the height of XLSX rows when it opens them, so each row with
    wrapped text gets the height of its tallest cell."""
    _check(headers, rows)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(sheet_title)
    widths = [_width([_shown(v) for v in column]) for column in zip(headers, *rows, strict=True)]
    top = Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate([headers, *rows], start=1):
        lines = 1
        for c, raw in enumerate(row, start=1):
            value = _plain(raw)
            cell = sheet.cell(row=r, column=c)
            cell.font = Font(name=XLSX_FONT, size=10, bold=r == 1)
            if isinstance(value, str):
                cell.value = _clean(value)
                cell.data_type = "s"  # a string cell: never read as a formula, whatever it starts with
                wraps = r == 1 or widths[c - 1] == MAX_WIDTH or "\n" in value
                cell.alignment = wrapped if wraps else top
                if wraps:
                    lines = max(lines, _lines(value, widths[c - 1]))
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = XLSX_DATE
                cell.alignment = top
            elif isinstance(value, Fixed):
                cell.value = float(value.value)
                cell.number_format = "0." + "0" * value.digits if value.digits else "0"
                cell.alignment = top
            else:
                cell.value = value
                cell.alignment = top
        if lines > 1:
            sheet.row_dimensions[r].height = lines * XLSX_LINE_HEIGHT + 2
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    print_setup(sheet, title or sheet.title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ODS: what odfdo has no helper for is written as ODF XML, inserted as styles.
_ODS_PAGE = """<style:page-layout style:name="cap_page">
<style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape"
 fo:margin-top="1cm" fo:margin-bottom="1cm" fo:margin-left="1.2cm" fo:margin-right="1.2cm"
 style:scale-to-X="1" style:scale-to-Y="0" style:print-page-order="ttb"/>
<style:header-style>
<style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.3cm"/></style:header-style>
<style:footer-style>
<style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.3cm"/></style:footer-style>
</style:page-layout>"""
_ODS_MASTER = """<style:master-page style:name="cap_landscape" style:page-layout-name="cap_page">
<style:header><text:p text:style-name="cap_centre">{title}</text:p></style:header>
<style:footer><text:p text:style-name="cap_right">Page <text:page-number>1</text:page-number>
 / <text:page-count>1</text:page-count></text:p></style:footer>
</style:master-page>"""
_ODS_STYLES = (
    """<style:style style:name="cap_centre" style:family="paragraph">
<style:paragraph-properties fo:text-align="center"/></style:style>""",
    """<style:style style:name="cap_right" style:family="paragraph">
<style:paragraph-properties fo:text-align="end"/></style:style>""",
)
_ODS_AUTOMATIC = (
    """<style:style style:name="cap_table" style:family="table" style:master-page-name="cap_landscape">
<style:table-properties table:display="true"/></style:style>""",
    """<style:style style:name="cap_row" style:family="table-row">
<style:table-row-properties style:use-optimal-row-height="true"/></style:style>""",
    """<style:style style:name="cap_top" style:family="table-cell">
<style:table-cell-properties style:vertical-align="top"/></style:style>""",
    """<style:style style:name="cap_wrap" style:family="table-cell">
<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/></style:style>""",
    """<style:style style:name="cap_header" style:family="table-cell">
<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/>
<style:text-properties fo:font-weight="bold"/></style:style>""",
)
_ODS_FIXED = """<number:number-style style:name="cap_n{digits}">
<number:number number:decimal-places="{digits}" number:min-decimal-places="{digits}"
 number:min-integer-digits="1"/></number:number-style>"""
_ODS_DATE = """<number:date-style style:name="cap_d">
<number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/>
<number:text>/</number:text><number:year number:style="long"/></number:date-style>"""
_ODS_DATE_CELL = """<style:style style:name="cap_date" style:family="table-cell"
 style:data-style-name="cap_d">
<style:table-cell-properties style:vertical-align="top"/></style:style>"""
_ODS_FIXED_CELL = """<style:style style:name="cap_fixed{digits}" style:family="table-cell"
 style:data-style-name="cap_n{digits}">
<style:table-cell-properties style:vertical-align="top"/></style:style>"""


def _ods_cell(raw: Cell, wrap: bool, header: bool) -> Any:
    from odfdo import Cell as OdsCell

    value = _plain(raw)
    if isinstance(value, str):
        value = _clean(value)
        style = "cap_header" if header else ("cap_wrap" if wrap or "\n" in value else "cap_top")
        return OdsCell(value, cell_type="string", style=style)
    if isinstance(value, Fixed):
        return OdsCell(float(value.value), text=decimal(value.value, value.digits), cell_type="float",
                       style=f"cap_fixed{value.digits}")
    if isinstance(value, date):
        return OdsCell(value, text=short_date(value), cell_type="date", style="cap_date")
    if value is None:
        return OdsCell(style="cap_top")
    return OdsCell(value, text=decimal(value, 6, trim=True), cell_type="float", style="cap_top")


def to_ods(headers: Sequence[str], rows: Rows, sheet_title: str, title: str = "") -> bytes:
    """One sheet of an OpenDocument spreadsheet: string cells, number cells, a bold header row
    repeated on each printed page; printed as `to_xlsx` is."""
    from odfdo import Document, Element, HeaderRows, Row, Table  # imported on use: odfdo loads slowly
    from odfdo.xmlpart import XmlPart

    _check(headers, rows)
    doc = Document("spreadsheet")
    body = doc.body
    body.clear()
    # odfdo's template limits the « general » number format to two decimals (0.4235 shown 0,42):
    # without the limit a number that has no display format of its own is shown in full.
    styles = doc.get_part("styles.xml")
    if not isinstance(styles, XmlPart):
        raise TypeError("odfdo's spreadsheet template has no styles.xml")
    cell_properties = styles.get_element(
        '//style:default-style[@style:family="table-cell"]/style:table-cell-properties')
    if cell_properties is None:
        raise LookupError("odfdo's spreadsheet template has no default table-cell properties")
    cell_properties.del_attribute("style:decimal-places")
    name = sheet_name(sheet_title)
    doc.insert_style(_ODS_PAGE, automatic=True)
    doc.insert_style(_ODS_MASTER.format(title=escape(title or name)))
    for style in _ODS_STYLES:
        doc.insert_style(style)
    for style in (*_ODS_AUTOMATIC, _ODS_DATE, _ODS_DATE_CELL):
        doc.insert_style(style, automatic=True)
    for digits in sorted({v.digits for row in rows for v in row if isinstance(v, Fixed)}):
        doc.insert_style(_ODS_FIXED.format(digits=digits), automatic=True)
        doc.insert_style(_ODS_FIXED_CELL.format(digits=digits), automatic=True)
    widths = [_width([_shown(v) for v in column]) for column in zip(headers, *rows, strict=True)]
    table = Table(name, style="cap_table")
    for width in widths:
        column = Element.from_tag(
            f"<table:table-column table:style-name={quoteattr(_ods_column_style(doc, width))}"
            ' table:default-cell-style-name="cap_top"/>')
        table.append(column)
    header_rows = HeaderRows()
    header = Row(style="cap_row")
    for value in headers:
        header.append(_ods_cell(value, wrap=True, header=True))
    header_rows.append(header)
    table.append(header_rows)
    for row in rows:
        line = Row(style="cap_row")
        for index, cell in enumerate(row):
            line.append(_ods_cell(cell, wrap=widths[index] == MAX_WIDTH, header=False))
        table.append(line)
    body.append(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _ods_column_style(doc: "OdsDocument", width: int) -> str:
    from odfdo import Style

    name: str = doc.insert_style(Style("table-column", width=f"{width * 0.21:.2f}cm"), automatic=True)
    return name


def to_json(document: Any) -> bytes:
    """Pretty, UTF-8 (accents kept readable), ending with a newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
