"""Kendall's W reads the same everywhere: a real ranking activity whose W is exactly a half at the
third decimal (1/8 = 0,125 and 5/8 = 0,625, where binary rounding, half to even, gives 0,12 and
0,62) shows the same two decimals, rounded half up as by hand, on the board, the phones, the
control page, the report and in the CSV; XLSX and ODS keep the exact value in a number cell
displayed with two decimals, JSON the exact value.

W is computed here from the ballots the phones sent (W = 12 S / (n² (m³ − m))), never through the
app's code.
"""

import csv
import html
import io
import json
import re
import zipfile
from fractions import Fraction

import openpyxl
import pytest
from odf import number as odf_number
from odf import style as odf_style
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import load
from pypdf import PdfReader

from tests.support import Facilitator, Participant, Server, sql

pytestmark = pytest.mark.storage

RANKING = 1  # the position of the ranking in sessions/priorisation-enjeux.yaml (7 enjeux, Borda)
# Ballots as positions in the list of 7 enjeux, best first; found by searching for an exact half.
BALLOTS = {
    (Fraction(1, 8), "0,13"): [[2, 3, 4, 1, 0, 5, 6], [6, 1, 0, 5, 2, 4, 3]],
    (Fraction(5, 8), "0,63"): [[6, 3, 0, 5, 1, 2, 4], [0, 4, 3, 6, 5, 1, 2]],
}


def kendall_w_by_hand(ballots: list[list[int]], m: int) -> Fraction:
    n = len(ballots)
    sums = [0] * m
    for ballot in ballots:
        for position, item in enumerate(ballot, start=1):
            sums[item] += position
    mean = Fraction(n * (m + 1), 2)
    return 12 * sum((s - mean) ** 2 for s in sums) / (n * n * (m**3 - m))


def shown_w(page: str) -> str:
    """The W printed on a page, « W = 0,13 » or « W de Kendall = 0,13 »."""
    (value,) = set(re.findall(r"W (?:de Kendall )?= (\d+,\d\d)\b", html.unescape(page)))
    return value


@pytest.mark.parametrize(("exact", "text"), list(BALLOTS))
def test_kendall_w_at_an_exact_half_reads_the_same_on_screens_documents_and_spreadsheets(
        server: Server, facilitator_email: str, exact: Fraction, text: str) -> None:
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop("priorisation-enjeux", title="Priorisation à Coulounieix")
    phones = [Participant(server.url, ws["code"]) for _ in range(2)]
    assert fac.goto(ws["id"], RANKING).status_code == 200
    activity_id = fac.current_activity_id(ws["id"])
    assert fac.set_state(activity_id, "open").status_code == 200
    ids = [i for (i,) in sql(server.database_url, "SELECT id FROM item WHERE activity_id = :a ORDER BY id",
                             a=activity_id)]
    ballots = BALLOTS[exact, text]
    assert kendall_w_by_hand(ballots, len(ids)) == exact
    assert f"{float(exact):.2f}" != text.replace(",", ".")  # binary rounding would disagree
    for n, (phone, ballot) in enumerate(zip(phones, ballots, strict=True)):
        r = phone.client.post(f"/p/{ws['code']}/activities/{activity_id}/ranking",
                              data={"ballot": ",".join(str(ids[i]) for i in ballot),
                                    "idempotency_key": f"w{n}"})
        assert r.status_code == 201, r.text
    assert fac.set_state(activity_id, "closed").status_code == 200
    assert fac.set_state(activity_id, "revealed").status_code == 200

    # What people read: the board, the phones, the control page, the report.
    assert shown_w(fac.client.get(f"/b/{ws['board_key']}").text) == text
    assert shown_w(phones[0].client.get(f"/p/{ws['code']}").text) == text
    assert shown_w(fac.client.get(f"/f/workshops/{ws['id']}").text) == text
    report = fac.client.get(f"/f/workshops/{ws['id']}/compte-rendu.pdf")
    assert report.status_code == 200
    report_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.content)).pages)
    assert shown_w(report_text.replace("\u00a0", " ")) == text

    base = f"/f/activities/{activity_id}/enjeux"
    rows = list(csv.reader(io.StringIO(fac.client.get(f"{base}.csv").content.decode("utf-8-sig")),
                           delimiter=";"))
    column = rows[0].index("accord (W de Kendall)")
    assert {row[column] for row in rows[1:]} == {text}
    rows = list(csv.reader(io.StringIO(fac.client.get(f"{base}.csv?sep=comma").content.decode("utf-8-sig"))))
    assert {row[column] for row in rows[1:]} == {text.replace(",", ".")}

    # XLSX: the exact value in a number cell shown with two decimals.
    data = fac.client.get(f"{base}.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert {(c.value, c.data_type, c.number_format) for c in cells} == {(float(exact), "n", "0.00")}
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert f"<v>{float(exact)}</v>" in xml

    # ODS: a float cell holding the exact value, its text the two decimals, its data style 2 decimals.
    data = fac.client.get(f"{base}.ods").content
    doc = load(io.BytesIO(data))
    (table,) = doc.spreadsheet.getElementsByType(odf_table.Table)
    automatic = doc.automaticstyles
    styles = {s.getAttribute("name"): s for s in automatic.getElementsByType(odf_style.Style)}
    numbers = {s.getAttribute("name"): s for s in automatic.getElementsByType(odf_number.NumberStyle)}
    for row in table.getElementsByType(odf_table.TableRow)[1:]:
        cell = row.getElementsByType(odf_table.TableCell)[column]
        assert cell.getAttribute("valuetype") == "float"
        assert Fraction(cell.getAttribute("value")) == exact
        assert [str(p) for p in cell.getElementsByType(odf_text.P)] == [text]
        data_style = styles[cell.getAttribute("stylename")].getAttribute("datastylename")
        (digits,) = numbers[data_style].getElementsByType(odf_number.Number)
        assert digits.getAttribute("decimalplaces") == "2"

    # JSON: the exact figure, for machines.
    assert json.loads(fac.client.get(f"{base}.json").content)["accord"]["w_de_kendall"] == float(exact)
