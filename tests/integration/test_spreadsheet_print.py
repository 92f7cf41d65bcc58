"""Spreadsheets print: each XLSX and ODS export is printed to PDF by LibreOffice headless, and the
pages are read back (pypdf): landscape, the whole width on the page, the header row and the title
on every page, wrapped text that never runs into the next row, and text shown as typed."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.exports import tabular
from tests.conftest import ARTIFACTS
from tests.support import libreoffice_convert

HEADERS = ["numéro", "texte long qui passe à la ligne", "accord", "colonne", "dernière colonne"]
ROWS = 90


def _long_rows() -> list[list[tabular.Cell]]:
    # Each row's long text is made of words that name their row (r007w12), so that every fragment
    # on a page can be traced back to its row.
    rows: list[list[tabular.Cell]] = []
    for n in range(1, ROWS + 1):
        words = " ".join(f"r{n:03d}w{k:02d}" for k in range(1, 6 + (n * 7) % 40))
        rows.append([f"R{n:03d}", words, tabular.Fixed(n / 97, 2), n * 1000, f"fin{n:03d}"])
    rows[1][1] = "=1+1"
    rows[2][1] = "- la fibre"
    return rows


def _fragments(page) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []

    def visit(text, _cm, tm, _font, _size):
        if text.strip():
            found.extend((word, tm[5]) for word in text.split())

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_long_sheet_prints_landscape_with_headers_and_rows_that_never_overlap(fmt, tmp_path):
    writer = tabular.to_xlsx if fmt == "xlsx" else tabular.to_ods
    source = tmp_path / f"long.{fmt}"
    source.write_bytes(writer(HEADERS, _long_rows(), "Longue", "Atelier de Boulazac — enjeux"))
    pdf = libreoffice_convert(source, "pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"print-long-{fmt}.pdf").write_bytes(pdf.read_bytes())
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) >= 3  # long enough to need the header repeated
    seen_rows: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        assert page.mediabox.width > page.mediabox.height, f"page {number} is not landscape"
        text = page.extract_text()
        assert "Atelier de Boulazac — enjeux" in text, f"no title on page {number}"
        assert "numéro" in text and "dernière colonne" in text, f"no header row on page {number}"
        # the last column is on every page: the sheet is fitted to the page's width
        rows_here = sorted({int(m) for m in re.findall(r"\bR(\d{3})\b", text)})
        assert rows_here and all(f"fin{n:03d}" in text for n in rows_here), f"page {number} is cut"
        seen_rows += rows_here
        # every word of a row's long text is above every word of the next row on the page
        spans: dict[int, list[float]] = {}
        for word, y in _fragments(page):
            m = re.fullmatch(r"[rR](\d{3})(?:w\d{2})?", word)
            if m:
                spans.setdefault(int(m.group(1)), []).append(y)
        for n in rows_here:
            if n + 1 in spans and n in spans:
                assert min(spans[n]) > max(spans[n + 1]), f"row {n} runs into row {n + 1} on page {number}"
    assert seen_rows == list(range(1, ROWS + 1))  # no row lost or printed twice
    every_word = " ".join(p.extract_text() for p in reader.pages)
    for n, row in enumerate(_long_rows(), start=1):
        if n > 3:
            assert all(word in every_word for word in str(row[1]).split()), f"row {n}'s text is cut"
    assert "=1+1" in every_word and "- la fibre" in every_word and "'=1+1" not in every_word
    assert "0.01" in every_word or "0,01" in every_word  # 1/97 read with two decimals


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_reads_text_as_typed_and_never_evaluates_it(fmt, tmp_path):
    rows = [["=1+1", 1], ["- la fibre", 2], ["@SUM(A1)", 3], ["+33 5 53 00 00 00", 4], ['=HYPERLINK("x")', 5]]
    writer = tabular.to_xlsx if fmt == "xlsx" else tabular.to_ods
    source = tmp_path / f"formulas.{fmt}"
    source.write_bytes(writer(["texte", "n"], rows, "Formules"))
    csv = libreoffice_convert(source, "csv:Text - txt - csv (StarCalc):44,34,76").read_text("utf-8")
    lines = csv.splitlines()
    assert [line.rsplit(",", 1)[0].strip('"').replace('""', '"') for line in lines[1:]] == [
        r[0] for r in rows]


def test_the_actions_and_enjeux_sheets_of_the_example_roadmap_print(tmp_path):
    from app.domain.roadmap import parse_file
    from app.exports.roadmap_actions import to_xlsx

    example = Path(__file__).resolve().parents[2] / "examples" / "grand-perigueux.json"
    source = tmp_path / "actions.xlsx"
    source.write_bytes(to_xlsx(parse_file(example.read_bytes())))
    reader = PdfReader(io.BytesIO(libreoffice_convert(source, "pdf").read_bytes()))
    titles = 0
    for page in reader.pages:
        assert page.mediabox.width > page.mediabox.height
        text = page.extract_text()
        titles += "actions" in text or "Besoins" in text
        assert "nom" in text or "code" in text  # the header row of one sheet or the other
    assert titles == len(reader.pages)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_shows_numbers_and_dates_as_the_csv_writes_them(fmt, tmp_path):
    # What LibreOffice displays (« save cell contents as shown ») is what the CSV for French
    # spreadsheets reads: W rounded half up to two decimals (0,525 → 0,53, 0,125 → 0,13, 2,675 → 2,68),
    # dates in the day/month/year order, whole and decimal numbers as they are. LibreOffice shows them
    # in its own locale (English here), so its decimal points are read as commas.
    head = ["texte", "W", "nombre", "jour", "oui/non", "vide"]
    rows = [["a", tabular.Fixed(0.525), 1000, date(2025, 3, 15), True, None],
            ["b", tabular.Fixed(0.125), 0.4235, date(2026, 12, 1), False, None],
            ["c", tabular.Fixed(2.675), -3, date(2030, 1, 31), True, None],
            ["d", tabular.Fixed(1 / 3), 12.5, date(2027, 7, 4), False, "x"]]
    writer = tabular.to_xlsx if fmt == "xlsx" else tabular.to_ods
    source = tmp_path / f"numbers.{fmt}"
    source.write_bytes(writer(head, rows, "Nombres"))
    # 59: « ; », 34: « " », 76: UTF-8, 1: from line 1, then « save cell contents as shown »
    shown = libreoffice_convert(source, "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true")
    ours = tabular.to_csv(head, rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(shown.read_text("utf-8").replace(".", ",")), delimiter=";")) == list(
        csv.reader(io.StringIO(ours), delimiter=";"))
    assert "0,53;" in ours and "0,13;" in ours and "2,68;" in ours and "15/03/2025" in ours
