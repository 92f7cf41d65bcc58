"""Tables as files: CSV, XLSX (openpyxl), ODS (odfdo) and JSON, from (headers, rows).

Generic writers for every tabular export of the app (the ranked enjeux of a workshop, the
roadmap's actions…). A row is a sequence of cells; a cell is text, a number, a boolean or None:

- text goes through `app.exports.cells.neutralise` (formula injection) in CSV, XLSX and ODS;
- numbers stay numbers (native number cells in XLSX and ODS); in CSV they are written with a
  decimal comma when the separator is « ; » (French spreadsheet software), a point otherwise;
- booleans are written « oui » / « non »; None is an empty cell.

CSV is UTF-8 with a BOM (so that spreadsheet software detects the encoding) and CRLF line ends.
"""

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.exports.cells import neutralise

Cell = str | int | float | bool | None
Rows = Sequence[Sequence[Cell]]

BOM = "\ufeff"
SEPARATORS = {";", ","}
MAX_WIDTH = 60  # characters: wider columns wrap
MIN_WIDTH = 6
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _plain(value: Cell) -> Cell:
    """Booleans in words; anything else as is."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


def _text(value: Cell) -> Any:
    value = _plain(value)
    return neutralise(value) if isinstance(value, str) else value


def _csv_number(value: int | float, sep: str) -> str:
    text = str(value) if isinstance(value, int) else repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",") if sep == ";" else text


def csv_cell(value: Cell, sep: str = ";") -> str:
    value = _text(value)
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _csv_number(value, sep)
    return str(value)


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
    name = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()).strip("'") or "Feuille 1"
    return name[:31]


def _width(values: Sequence[Any]) -> int:
    longest = max((len(line) for v in values if v is not None for line in str(v).split("\n")),
                  default=0)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _xlsx_value(value: Cell) -> Any:
    value = _text(value)
    if isinstance(value, str):
        # Characters XML 1.0 cannot hold (openpyxl refuses them): never in cleaned participant
        # text, but a writer must not fail on them.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def to_xlsx(headers: Sequence[str], rows: Rows, sheet_title: str) -> bytes:
    """One sheet: a bold, frozen header row; columns sized to their content; long text wrapped."""
    _check(headers, rows)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(sheet_title)
    sheet.append([_xlsx_value(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    columns = list(zip(headers, *rows, strict=True))
    for index, values in enumerate(columns, start=1):
        width = _width([_plain(v) for v in values])
        sheet.column_dimensions[get_column_letter(index)].width = width
        if width == MAX_WIDTH:
            for cell in sheet[get_column_letter(index)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_ods(headers: Sequence[str], rows: Rows, sheet_title: str) -> bytes:
    """One sheet of an OpenDocument spreadsheet: text cells, number cells, a bold header row."""
    from odfdo import Document, Style, Table  # imported on use: odfdo loads slowly

    _check(headers, rows)
    doc = Document("spreadsheet")
    body = doc.body
    body.clear()
    bold = Style("table-cell", name="cap_header")
    bold.set_properties(area="text", font_weight="bold")
    doc.insert_style(bold, automatic=True)
    table = Table(sheet_name(sheet_title))
    values = [[_text(h) for h in headers]] + [[_text(v) for v in row] for row in rows]
    table.set_values(values)
    for cell in table.get_row(0).traverse():
        cell.style = "cap_header"
    columns = list(zip(*values, strict=True))
    for index, column_values in enumerate(columns):
        style = Style("table-column", width=f"{_width(column_values) * 0.21:.2f}cm")
        name = doc.insert_style(style, automatic=True)
        column = table.get_column(index)
        column.style = name
        table.set_column(index, column)
    body.append(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_json(document: Any) -> bytes:
    """Pretty, UTF-8 (accents kept readable), ending with a newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
