"""Workshop exports on a real server: the ranked enjeux (CSV « ; » and « , », XLSX, ODS, JSON) and
the workshop report (PDF, DOCX), each downloaded over HTTP and opened with an independent reader
(csv, openpyxl, odfpy, json, pypdf, python-docx).

A small prospective workshop (`sessions/prospective-10-ans.yaml`) is played by four phones:
post-its of change and inertia (two duplicates merged, an off-topic one hidden, and two that
look like spreadsheet formulas), then every phone rates every factor on impact and maîtrise,
then ranks the factors; the facilitator keeps the top 4. Every expected value (Borda points, the
order, ranks, Kendall's W and its label, the kept enjeux, the rating means, the post-its each
enjeu came from) is computed here from what the phones sent, never through the app's code.
"""

import csv
import io
import json
import random
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import docx
import httpx
import openpyxl
import pytest
import yaml
from docx.oxml.ns import qn
from odf import table as odf_table
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load
from pypdf import PdfReader

from tests.conftest import ARTIFACTS
from tests.support import (
    Facilitator,
    Participant,
    Server,
    create_facilitator,
    libreoffice_convert,
    pdf_structure,
    sql,
)

pytestmark = pytest.mark.storage

SESSIONS = Path(__file__).resolve().parents[2] / "sessions"
SLUG = "prospective-10-ans"
POSTITS_CHANGE, POSTITS_INERTIA, RATING, RANKING = 1, 2, 4, 5
NAME, ORGANISATION = "Camille Martin", "Médiathèque de Boulazac"
MERGED = "Vieillissement de la population"
DUPLICATES = ["Population vieillissante", "De plus en plus de seniors"]
OFF_TOPIC = "Hors sujet : le parking de la salle est plein"
FORMULA_1, FORMULA_2 = "=1+1", "@SUM(A1)"
# (phone, activity, text, category) in the order they are posted
POSTS = [
    (0, POSTITS_CHANGE, DUPLICATES[0], "social"),
    (1, POSTITS_CHANGE, DUPLICATES[1], "social"),
    (0, POSTITS_CHANGE, "La fibre partout d'ici 2030", "technologique"),
    (1, POSTITS_CHANGE, FORMULA_1, "économique"),
    (2, POSTITS_CHANGE, OFF_TOPIC, "social"),
    (2, POSTITS_INERTIA, FORMULA_2, "politique"),
    (3, POSTITS_INERTIA, "Fermeture des guichets de proximité", "politique"),
    (0, POSTITS_INERTIA, "Coût des équipements et des abonnements", "économique"),
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Phone(Participant):
    """A phone that joins with a name and an organisation (or anonymously)."""

    def __init__(self, base_url: str, code: str, name: str = "", organisation: str = "") -> None:
        self.code = code
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=20)
        r = self.client.post(f"/j/{code}", data={"name": name, "organisation": organisation})
        assert r.status_code == 303, r.text


def french(value: Fraction | float, digits: int) -> str:
    """As a French spreadsheet rounds it (half up), with a decimal comma."""
    quantum = Decimal(1).scaleb(-digits)
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) \
        else Decimal(str(value))
    return str(exact.quantize(quantum, rounding=ROUND_HALF_UP)).replace(".", ",")


def level(w: float) -> str:
    return ("accord fort" if w >= 0.6 else "accord moyen" if w >= 0.35
            else "accord faible" if w >= 0.15 else "accord très faible")


def neutralised(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass
class Played:
    """A played workshop and what the test expects of its exports, computed by hand."""

    srv: Server
    fac: Facilitator
    ws: dict
    ranking_id: int
    rating_id: int
    titles: list[str]
    rating_items: list[tuple[int, str]]
    ratings: dict[str, dict[str, list[int]]]  # item text → axis → values
    ranked_items: list[tuple[int, str]]  # the ranking's list, in list order
    ballots: list[list[int]]
    order: list[str] = field(default_factory=list)  # texts, best first
    points: dict[str, int] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)
    w: float = 0.0
    kept: list[str] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)

    def get(self, path: str) -> httpx.Response:
        return self.fac.client.get(path)


def borda_by_hand(played: Played) -> None:
    ids = [i for i, _ in played.ranked_items]
    text_of = dict(played.ranked_items)
    m, n = len(ids), len(played.ballots)
    points = Counter({i: 0 for i in ids})
    position_sums = Counter({i: 0 for i in ids})
    for ballot in played.ballots:
        for position, item in enumerate(ballot, start=1):
            points[item] += m - position
            position_sums[item] += position
    # Most points first; equal points keep the list order (the app's documented tie-break).
    order = sorted(ids, key=lambda i: (-points[i], ids.index(i)))
    played.order = [text_of[i] for i in order]
    played.points = {text_of[i]: points[i] for i in ids}
    played.ranks = {text_of[i]: 1 + sum(1 for j in ids if points[j] > points[i]) for i in ids}
    expected = Fraction(n * (m + 1), 2)
    s = sum((position_sums[i] - expected) ** 2 for i in ids)
    played.w = float(12 * s / (n * n * (m**3 - m)))
    played.kept = played.order[:4]


def play(srv: Server, email: str, seed: int = 7) -> Played:
    rng = random.Random(seed)
    spec = yaml.safe_load((SESSIONS / f"{SLUG}.yaml").read_text(encoding="utf-8"))
    fac = Facilitator(srv.url, email)
    ws = fac.create_workshop(SLUG, title="Prospective à Boulazac")
    phones = [Phone(srv.url, ws["code"], NAME, ORGANISATION)] + [Phone(srv.url, ws["code"]) for _ in range(3)]

    def open_at(position: int) -> int:
        assert fac.goto(ws["id"], position).status_code == 200
        activity_id = fac.current_activity_id(ws["id"])
        assert fac.set_state(activity_id, "open").status_code == 200
        return activity_id

    def close(activity_id: int, reveal: bool = True) -> None:
        assert fac.set_state(activity_id, "closed").status_code == 200
        if reveal:
            assert fac.set_state(activity_id, "revealed").status_code == 200

    posted: dict[str, int] = {}
    for position in (POSTITS_CHANGE, POSTITS_INERTIA):
        activity_id = open_at(position)
        # The sub-groups offered on the phones (post-its are written in sub-groups).
        phone_page = phones[0].client.get(f"/p/{ws['code']}").text
        gids = [int(g) for g in re.findall(r'<option value="(\d+)"', phone_page)]
        assert len(gids) == 4
        for phone, where, note, category in POSTS:
            if where == position:
                r = phones[phone].post(activity_id, note, category=category, group_id=gids[phone % len(gids)])
                assert r.status_code == 201, r.text
                posted[note] = sql(srv.database_url, "SELECT max(id) FROM item WHERE activity_id = :a",
                                   a=activity_id)[0][0]
        if position == POSTITS_CHANGE:
            r = fac.client.post(f"/f/activities/{activity_id}/merge",
                                data={"item_ids": [posted[d] for d in DUPLICATES], "text": MERGED})
            assert r.status_code == 200, r.text
            r = fac.client.post(f"/f/items/{posted[OFF_TOPIC]}/hidden", data={"hidden": "true"})
            assert r.status_code == 200, r.text
        close(activity_id)

    rating_id = open_at(RATING)
    rating_items = sql(srv.database_url, "SELECT id, text FROM item WHERE activity_id = :a ORDER BY id",
                       a=rating_id)
    visible = [n for _, _, n, _ in POSTS if n not in DUPLICATES and n != OFF_TOPIC]
    assert sorted(t for _, t in rating_items) == sorted([*visible, MERGED])
    ratings: dict[str, dict[str, list[int]]] = {t: {"impact": [], "maitrise": []} for _, t in rating_items}
    for phone in phones:
        for item_id, item_text in rating_items:
            for axis in ("impact", "maitrise"):
                value = rng.randint(1, 4)
                r = phone.client.post(f"/p/{ws['code']}/activities/{rating_id}/rate",
                                      data={"item": str(item_id), "axis": axis, "value": str(value)})
                assert r.status_code == 201, r.text
                ratings[item_text][axis].append(value)
    close(rating_id)

    ranking_id = open_at(RANKING)
    ranked_items = sql(srv.database_url, "SELECT id, text FROM item WHERE activity_id = :a ORDER BY id",
                       a=ranking_id)
    assert sorted(t for _, t in ranked_items) == sorted(t for _, t in rating_items)  # 6 ≤ top 8
    ballots = []
    for phone in phones:
        ballot = [i for i, _ in ranked_items]
        rng.shuffle(ballot)
        r = phone.client.post(f"/p/{ws['code']}/activities/{ranking_id}/ranking",
                              data={"ballot": ",".join(map(str, ballot)),
                                    "idempotency_key": f"k{rng.getrandbits(64):x}"})
        assert r.status_code == 201, r.text
        ballots.append(ballot)
    close(ranking_id, reveal=False)
    r = fac.client.post(f"/f/activities/{ranking_id}/keep", data={"n": "4"})
    assert r.status_code == 200, r.text
    assert fac.set_state(ranking_id, "revealed").status_code == 200

    played = Played(srv, fac, ws, ranking_id, rating_id, [a["title"].strip() for a in spec["activities"]],
                    rating_items, ratings, ranked_items, ballots)
    borda_by_hand(played)
    # Each enjeu came from the post-it of that text; the merged one from the two duplicates.
    played.sources = {t: [t] for _, t in ranked_items}
    played.sources[MERGED] = list(DUPLICATES)
    return played


@pytest.fixture
def played(server: Server, facilitator_email: str) -> Played:
    return play(server, facilitator_email)


def expected_rows(p: Played, comma: bool) -> list[list[str]]:
    # Kendall's W is read with two decimals, rounded as by hand, as on the board.
    w = french(p.w, 2).replace(",", ".") if comma else french(p.w, 2)
    return [[str(p.ranks[t]), neutralised(t), str(p.points[t]), str(len(p.ballots)), w, level(p.w),
             neutralised(" ; ".join(p.sources[t])), "oui" if t in p.kept else "non"] for t in p.order]


# ---------------------------------------------------------------- ranked enjeux


def test_ranked_enjeux_in_every_format(played: Played, tmp_path: Path) -> None:
    p = played
    base = f"/f/activities/{p.ranking_id}/enjeux"
    # The enjeux export of the ranking is one click away on its control page.
    page = p.get(f"/f/workshops/{p.ws['id']}").text
    for ext in ("csv", "xlsx", "ods", "json"):
        assert f'href="{base}.{ext}"' in page
    assert f'href="{base}.csv?sep=comma"' in page

    # CSV for French spreadsheets: BOM, « ; », CRLF, decimal comma.
    r = p.get(f"{base}.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert re.match(r'attachment; filename="enjeux-\d+-prospective-a-boulazac\.csv"',
                    r.headers["content-disposition"])
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf")
    decoded = raw.decode("utf-8-sig")
    assert decoded.count("\r\n") == len(p.order) + 1 and "\n" not in decoded.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=";"))
    assert rows[0] == ["rang", "enjeu", "score (méthode de Borda : points)", "bulletins",
                       "accord (W de Kendall)", "niveau d'accord", "éléments sources", "retenu"]
    assert rows[1:] == expected_rows(p, comma=False)
    # … the same figure as on the control page (and the board: the same `w_text`)
    assert f"W de Kendall = {french(p.w, 2)}" in page
    # The participants' formulas come back as text, not formulas.
    cells = [c for row in rows for c in row]
    assert "'=1+1" in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)

    # The comma variant.
    r = p.get(f"{base}.csv?sep=comma")
    assert r.status_code == 200
    assert 'filename="enjeux-' in r.headers["content-disposition"] and "-virgules.csv" in r.headers[
        "content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline=""), delimiter=","))
    assert rows[1:] == expected_rows(p, comma=True)

    # XLSX, read by openpyxl: numbers are numbers, text is a string cell shown as typed, W is exact
    # behind a two-decimal display.
    r = p.get(f"{base}.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "rang" and values[0][2] == "score (méthode de Borda : points)"
    assert len(values) == len(p.order) + 1
    for row, t in zip(values[1:], p.order, strict=True):
        assert row[0] == p.ranks[t] and row[1] == t and row[2] == p.points[t]
        assert row[3] == len(p.ballots) and row[4] == pytest.approx(float(p.w), rel=1e-12)
        assert row[5] == level(p.w) and row[6] == " ; ".join(p.sources[t])
        assert row[7] == ("oui" if t in p.kept else "non")
    for row in sheet.iter_rows(min_row=2):
        assert row[1].data_type == "s" and row[6].data_type == "s"  # never a formula
        assert isinstance(row[0].value, int) and isinstance(row[4].value, float)
        assert row[4].number_format == "0.00"

    # ODS, read by odfpy (not odfdo, which wrote it).
    r = p.get(f"{base}.ods")
    assert r.status_code == 200 and r.headers["content-type"] == ODS_TYPE
    doc = load(io.BytesIO(r.content))
    sheets = doc.spreadsheet.getElementsByType(odf_table.Table)
    assert len(sheets) == 1
    ods_rows = []
    for row in sheets[0].getElementsByType(odf_table.TableRow):
        cells = []
        for cell in row.getElementsByType(odf_table.TableCell):
            shown = "\n".join(str(par) for par in cell.getElementsByType(odf_text.P))
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            cells += [(cell.getAttribute("valuetype"), cell.getAttribute("value"), shown)] * repeat
        ods_rows.append(cells[:8])
    assert [c[2] for c in ods_rows[0]][:2] == ["rang", "enjeu"]
    for row, t in zip(ods_rows[1:], p.order, strict=True):
        assert row[0][:2] == ("float", str(p.ranks[t]))
        assert row[1] == ("string", None, t)
        assert row[2][:2] == ("float", str(p.points[t]))
        assert row[3][:2] == ("float", str(len(p.ballots)))
        assert row[4][0] == "float" and float(row[4][1]) == pytest.approx(float(p.w), rel=1e-12)
        assert row[4][2] == french(p.w, 2)
        assert row[6] == ("string", None, " ; ".join(p.sources[t]))
        assert row[7][2] == ("oui" if t in p.kept else "non")

    # Both spreadsheets print, as LibreOffice lays them out: landscape, the title and the header row
    # on the page, the text as typed.
    for ext in ("xlsx", "ods"):
        source = tmp_path / f"enjeux.{ext}"
        source.write_bytes(p.get(f"{base}.{ext}").content)
        for page in PdfReader(libreoffice_convert(source, "pdf")).pages:
            assert page.mediabox.width > page.mediabox.height
            text = page.extract_text()
            assert "Prospective à Boulazac" in text and "accord (W de Kendall)" in text
            assert "=1+1" in text and "'=1+1" not in text

    # JSON: the data as is (no spreadsheet, nothing to neutralise).
    r = p.get(f"{base}.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = json.loads(r.content)
    assert data["version"] == 1 and data["methode"]["code"] == "borda"
    assert data["bulletins"] == len(p.ballots) and data["accord"]["w_de_kendall"] == pytest.approx(p.w)
    assert data["accord"]["niveau"] == level(p.w) and data["enjeux_a_garder"] == 4
    assert [e["enjeu"] for e in data["enjeux"]] == p.order
    assert [e["rang"] for e in data["enjeux"]] == [p.ranks[t] for t in p.order]
    assert [e["score"] for e in data["enjeux"]] == [p.points[t] for t in p.order]
    assert [e["enjeu"] for e in data["enjeux"] if e["retenu"]] == p.kept
    assert {e["enjeu"]: e["elements_sources"] for e in data["enjeux"]} == p.sources
    assert FORMULA_1 in p.order and FORMULA_2 in p.order

    # The rating's own CSV export (on its control page) neutralises the same post-its.
    r = p.get(f"/f/activities/{p.rating_id}/rating.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert sorted(row[1] for row in rows[1:]) == sorted(neutralised(t) for _, t in p.rating_items)
    assert "'=1+1" in [row[1] for row in rows]


# ---------------------------------------------------------------- the report


def squash(value: str) -> str:
    """Text as extracted from a PDF, whitespace (line breaks, no-break spaces) made single spaces."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def pdf_text(content: bytes) -> tuple[str, object]:
    reader = PdfReader(io.BytesIO(content))
    return squash(" ".join(page.extract_text() or "" for page in reader.pages)), reader


def in_order(haystack: str, needles: list[str]) -> bool:
    positions = [haystack.find(squash(n)) for n in needles]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def save_pages_as_png(content: bytes, name: str) -> list[Path]:
    """The PDF's pages as PNG under artifacts/screenshots/ (to look at), if pdftoppm is installed."""
    if shutil.which("pdftoppm") is None:
        return []
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(folder / name)], check=True)
    return sorted(folder.glob(f"{name}-*.png"))


def printed_contents(reader: PdfReader, index: int) -> list[tuple[str, int]]:
    """A PDF page's table of contents as it is drawn: for each link, in order, its destination and
    the page number printed to the right of its last line (found by position, not text order)."""
    page = reader.pages[index]
    numbers: list[tuple[float, float, int]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float) -> None:
        if text.strip().isdigit():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            numbers.append((x, y, int(text)))

    page.extract_text(visitor_text=visit)
    last_lines: dict[str, tuple[float, float, float]] = {}  # destination: bottom, top, right
    for annotation in page.get("/Annots", []):
        link = annotation.get_object()
        x0, y0, x1, y1 = (float(v) for v in link["/Rect"])
        bottom, top, right = min(y0, y1), max(y0, y1), max(x0, x1)
        known = last_lines.get(link["/Dest"])
        if known is None or bottom < known[0] - 1:
            last_lines[link["/Dest"]] = (bottom, top, right)
        elif bottom <= known[0] + 1:
            last_lines[link["/Dest"]] = (known[0], known[1], max(known[2], right))
    out = []
    for destination, (bottom, top, right) in last_lines.items():
        (value,) = [v for x, y, v in numbers if x >= right - 1 and bottom - 1 <= y <= top + 1]
        out.append((destination, value))
    return out


def test_workshop_report_pdf_and_docx(played: Played) -> None:
    p = played
    ws_id = p.ws["id"]
    page = p.get(f"/f/workshops/{ws_id}").text
    assert f'action="/f/workshops/{ws_id}/compte-rendu.pdf"' in page
    assert f'formaction="/f/workshops/{ws_id}/compte-rendu.docx"' in page
    assert 'name="noms"' in page

    shown_notes = [MERGED, "La fibre partout d'ici 2030", FORMULA_1, FORMULA_2,
                   "Fermeture des guichets de proximité", "Coût des équipements et des abonnements"]

    # ---- PDF
    r = p.get(f"/f/workshops/{ws_id}/compte-rendu.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "no-store"
    assert re.match(r'attachment; filename="compte-rendu-prospective-a-boulazac\.pdf"',
                    r.headers["content-disposition"])
    content, reader = pdf_text(r.content)
    assert len(reader.pages) >= 2
    # Tagged (PDF/UA): its language, real headings, the matrix's alternative text.
    language, kinds, alts = pdf_structure(reader)
    assert language == "fr" and "/H1" in kinds and "/H2" in kinds, (language, kinds[:20])
    assert any(alt.startswith("Matrice ") for alt in alts), alts
    assert in_order(content, p.titles)  # the table of contents
    for title in p.titles:
        assert content.count(squash(title)) >= 2, title  # in the contents and as a heading
    for note in shown_notes:
        assert squash(note) in content, note
    assert "regroupe 2 post-its" in content
    assert OFF_TOPIC not in content and not any(d in content for d in DUPLICATES)  # hidden; merged once
    # The ranking's section lists the enjeux in the aggregated order, with their Borda points.
    ranking_title, next_title = p.titles[RANKING], p.titles[RANKING + 1]
    section = content[content.rfind(squash(ranking_title)):content.rfind(squash(next_title))]
    assert in_order(section, p.order)
    assert f"{len(p.ballots)} bulletins pris en compte" in section
    assert f"{level(p.w)} (W de Kendall = {french(p.w, 2)})" in section
    for t in p.order:
        assert f"{p.points[t]} pt" in section
    assert section.count("★ retenu") == len(p.kept)
    kept_box = section[section.find("Enjeux prioritaires retenus"):]
    assert in_order(kept_box, p.kept)
    # The matrix is drawn in the PDF: its axis titles and quadrant names are the SVG's text.
    rating_section = content[content.rfind(squash(p.titles[RATING])):content.rfind(squash(ranking_title))]
    assert "Impact →" in rating_section and "Maîtrise →" in rating_section
    assert "leviers d'action" in rating_section
    # No personal data by default.
    assert NAME not in content and ORGANISATION not in content
    # The « Déroulé » links each activity to its heading and gives the page where the heading is.
    pages = [squash(page.extract_text()) for page in reader.pages]
    printed_on = []
    at_page, at = 0, 0
    for n, title in enumerate(p.titles, start=1):
        heading = squash(f"{n} {title}")  # « 1 » drawn apart, then the title
        while pages[at_page].find(heading, at) < 0:
            at_page, at = at_page + 1, 0
        at = pages[at_page].find(heading, at) + len(heading)
        printed_on.append(at_page + 1)
    assert printed_on[-1] > 1  # the report runs over more than one page
    contents = printed_contents(reader, 0)
    assert contents == [(f"activite-{n}", page) for n, page in enumerate(printed_on, start=1)]
    for destination, page in contents:
        assert reader.get_destination_page_number(reader.named_destinations[destination]) + 1 == page
    save_pages_as_png(r.content, "compte-rendu")  # to look at, when pdftoppm is installed

    r = p.get(f"/f/workshops/{ws_id}/compte-rendu.pdf?noms=1")
    assert r.status_code == 200
    named, _ = pdf_text(r.content)
    assert f"{NAME} ({ORGANISATION})" in named
    assert "avec-noms" in r.headers["content-disposition"]

    # ---- DOCX
    r = p.get(f"/f/workshops/{ws_id}/compte-rendu.docx")
    assert r.status_code == 200 and r.headers["content-type"] == DOCX_TYPE
    document = docx.Document(io.BytesIO(r.content))
    headings = [par.text for par in document.paragraphs if par.style.name == "Heading 1"]
    assert headings == [f"{n}. {t}" for n, t in enumerate(p.titles, start=1)]
    # The « Déroulé » is Word's table of contents of the activities, computed when Word opens the
    # file; until then it holds their headings.
    assert [code.text for code in document.element.body.iter(qn("w:instrText"))] == [
        ' TOC \\o "1-1" \\h \\z \\u ']
    assert document.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    texts = [par.text for par in document.paragraphs]
    start = texts.index("Déroulé de l'atelier") + 1
    entries = document.paragraphs[start:start + len(headings)]
    assert [(par.style.name, par.text) for par in entries] == [("toc 1", h) for h in headings]
    assert document.paragraphs[start + len(headings)].style.name == "Heading 1"
    assert [char.get(qn("w:fldCharType")) for par in entries for char in par._p.iter(qn("w:fldChar"))] == [
        "begin", "separate", "end"]
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "screenshots" / "compte-rendu.docx").write_bytes(r.content)  # to look at
    assert len(document.inline_shapes) >= 1  # the matrix
    everything = "\n".join(par.text for par in document.paragraphs)
    for note in shown_notes:
        assert note in everything, note
    assert OFF_TOPIC not in everything and NAME not in everything and ORGANISATION not in everything
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    # The ranking table: rank, enjeu, score, kept, in order.
    ranking = next(t for t in tables if t[0] == ["Rang", "Élément", "Score", "Retenu"])
    assert [row[1].split("\n")[0] for row in ranking[1:]] == p.order
    assert [row[2] for row in ranking[1:]] == [f"{p.points[t]} pt{'s' if p.points[t] > 1 else ''}"
                                               for t in p.order]
    assert [row[1].split("\n")[0] for row in ranking[1:] if row[3] == "★ retenu"] == p.kept
    assert [int(row[0].split()[0]) for row in ranking[1:]] == [p.ranks[t] for t in p.order]
    # The rating table: n and means of both axes, as computed from the phones' answers.
    rating = next(t for t in tables if t[0][:2] == ["N°", "Élément"])
    assert rating[1][2:6] == ["n", "moy.", "méd.", "σ"]
    lines = {row[1]: row for row in rating[2:]}
    assert set(lines) == set(p.ratings)
    for item_text, axes in p.ratings.items():
        row = lines[item_text]
        for k, axis in enumerate(("impact", "maitrise")):
            values = axes[axis]
            assert row[2 + 4 * k] == str(len(values))
            assert row[3 + 4 * k] == french(Fraction(sum(values), len(values)), 1), (item_text, axis)

    r = p.get(f"/f/workshops/{ws_id}/compte-rendu.docx?noms=1")
    named_doc = docx.Document(io.BytesIO(r.content))
    named_text = "\n".join(par.text for par in named_doc.paragraphs)
    assert f"{NAME} ({ORGANISATION})" in named_text


def docx_sections(content: bytes, headings: list[str]) -> dict[str, str]:
    """The text of each activity's section of a compte-rendu (paragraphs and tables, in order)."""
    sections: dict[str, str] = {"": ""}
    current = ""
    for child in docx.Document(io.BytesIO(content)).element.body.iterchildren():
        text = "".join(t.text or "" for t in child.iter(qn("w:t")))
        if child.tag == qn("w:p") and text in headings and child.find(f".//{qn('w:instrText')}") is None:
            current = text
        sections[current] = sections.get(current, "") + "\n" + text
    return sections


def test_no_export_puts_a_name_next_to_a_ballot(played: Played) -> None:
    """Issue 11 (personal data): Camille Martin joined with her name and organisation, posted,
    rated and ranked. The results' exports (CSV, XLSX, ODS, JSON, the rating's CSV) never name
    anyone; the compte-rendu « avec les noms » names her in its list of participants and by her
    post-its, never in the sections of the rating and the ranking."""
    p = played
    personal = (NAME, ORGANISATION)
    base = f"/f/activities/{p.ranking_id}/enjeux"
    for path in (f"{base}.csv", f"{base}.csv?sep=comma", f"{base}.json",
                 f"/f/activities/{p.rating_id}/rating.csv"):
        r = p.get(path)
        assert r.status_code == 200, path
        assert not any(x in r.content.decode("utf-8-sig") for x in personal), path
    book = openpyxl.load_workbook(io.BytesIO(p.get(f"{base}.xlsx").content))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert cells and not any(x in c for c in cells for x in personal)
    sheet = load(io.BytesIO(p.get(f"{base}.ods").content))
    texts = [teletype.extractText(par) for par in sheet.spreadsheet.getElementsByType(odf_text.P)]
    assert texts and not any(x in t for t in texts for x in personal)

    headings = [f"{n}. {t}" for n, t in enumerate(p.titles, start=1)]
    r = p.get(f"/f/workshops/{p.ws['id']}/compte-rendu.docx?noms=1")
    sections = docx_sections(r.content, headings)
    assert f"{NAME} ({ORGANISATION})" in sections[""]  # the list of participants who gave a name
    assert NAME in sections[headings[POSTITS_CHANGE]]  # the author of her post-its
    for position in (RATING, RANKING):
        assert not any(x in sections[headings[position]] for x in personal), headings[position]
    content, _ = pdf_text(p.get(f"/f/workshops/{p.ws['id']}/compte-rendu.pdf?noms=1").content)
    votes = content[content.rfind(squash(p.titles[RATING])):content.rfind(squash(p.titles[RANKING + 1]))]
    assert NAME in content and not any(squash(x) in votes for x in personal)


# ---------------------------------------------------------------- bad input


def test_export_refusals(server: Server, facilitator_email: str) -> None:
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop("priorisation-enjeux")
    kinds = dict(sql(server.database_url, "SELECT kind, id FROM activity WHERE workshop_id = :w", w=ws["id"]))
    ranking_id, text_id = kinds["ranking"], kinds["text"]

    # A ranking nobody has played yet exports its list, with no ballot and no agreement.
    r = fac.client.get(f"/f/activities/{ranking_id}/enjeux.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 1 + 7 and all(row[3] == "0" and row[4] == "" for row in rows[1:])
    # The report of a workshop not played yet says so.
    r = fac.client.get(f"/f/workshops/{ws['id']}/compte-rendu.pdf")
    assert r.status_code == 200 and "Activité non jouée." in pdf_text(r.content)[0]

    def refused(path: str, status: int, words: str, client: httpx.Client = fac.client) -> None:
        r = client.get(path)
        assert r.status_code == status, (path, r.status_code, r.text)
        assert words in r.json()["detail"], r.json()

    refused(f"/f/activities/{text_id}/enjeux.csv", 409, "n'est pas un classement")
    refused(f"/f/activities/{text_id}/enjeux.json", 409, "n'est pas un classement")
    refused("/f/activities/999999/enjeux.csv", 404, "introuvable")
    refused("/f/workshops/999999/compte-rendu.pdf", 404, "introuvable")
    refused(f"/f/activities/{ranking_id}/enjeux.txt", 404, "Format d'export inconnu")
    refused(f"/f/activities/{ranking_id}/enjeux.pdf", 404, "Format d'export inconnu")
    refused(f"/f/workshops/{ws['id']}/compte-rendu.html", 404, "Format de compte-rendu inconnu")
    refused(f"/f/workshops/{ws['id']}/compte-rendu.odt", 404, "Format de compte-rendu inconnu")
    refused(f"/f/activities/{ranking_id}/enjeux.csv?sep=tab", 422, "Séparateur inconnu")

    # Another facilitator's workshop does not exist, as far as her exports are concerned.
    other = Facilitator(server.url, create_facilitator(server.database_url))
    refused(f"/f/activities/{ranking_id}/enjeux.csv", 404, "introuvable", other.client)
    refused(f"/f/activities/{ranking_id}/enjeux.xlsx", 404, "introuvable", other.client)
    refused(f"/f/workshops/{ws['id']}/compte-rendu.pdf", 404, "introuvable", other.client)
    refused(f"/f/workshops/{ws['id']}/compte-rendu.docx?noms=1", 404, "introuvable", other.client)
    # Nobody logged in: nothing (a browser is sent to the login page).
    anonymous = httpx.Client(base_url=server.url, timeout=10)
    refused(f"/f/activities/{ranking_id}/enjeux.csv", 401, "Connexion", anonymous)
    r = anonymous.get(f"/f/workshops/{ws['id']}/compte-rendu.pdf", headers={"accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # A participant is not a facilitator.
    phone = Participant(server.url, ws["code"])
    refused(f"/f/workshops/{ws['id']}/compte-rendu.pdf", 401, "Connexion", phone.client)


def as_dict(value: str | dict) -> dict:
    """A JSON column as read with plain SQL: text on SQLite, already decoded on PostgreSQL."""
    return value if isinstance(value, dict) else json.loads(value)


def test_report_of_every_activity_kind(server: Server, facilitator_email: str) -> None:
    """The 2-day formation-action (post-its, rating, ranking, table, resources, poll), played by 20
    phones (tests/integration/test_template_playthrough.py), then its report checked against the
    database, read here with SQL: poll counts, chantiers by enjeu, resources and their links."""
    from tests.integration.test_template_playthrough import Playthrough

    play = Playthrough(server, facilitator_email, "formation-action-2-jours", seed=11)
    try:
        play.play()
        db, ws_id = server.database_url, play.ws["id"]
        activities = [(i, kind, title, as_dict(c)) for i, kind, title, c in sql(
            db, "SELECT id, kind, title, config FROM activity WHERE workshop_id = :w ORDER BY position",
            w=ws_id)]
        by_kind = {kind: (i, c) for i, kind, _t, c in activities}
        table_id, resources_id = by_kind["table"][0], by_kind["resources"][0]
        # The facilitator hides a chantier and a resource: the report leaves them out.
        hidden_row, hidden_cells = sql(db, "SELECT id, cells FROM table_row WHERE activity_id = :a "
                                           "ORDER BY id", a=table_id)[0]
        hidden_title = as_dict(hidden_cells)["title"]
        assert play.fac.client.post(f"/f/table-rows/{hidden_row}/hidden",
                                    data={"hidden": "true"}).status_code == 200
        hidden_resource, hidden_name = sql(db, "SELECT id, name FROM resource_link WHERE activity_id = :a "
                                               "ORDER BY id", a=resources_id)[0]
        assert play.fac.client.post(f"/f/resources/{hidden_resource}/hidden",
                                    data={"hidden": "true"}).status_code == 200

        r = play.fac.client.get(f"/f/workshops/{ws_id}/compte-rendu.docx", timeout=120)
        assert r.status_code == 200
        document = docx.Document(io.BytesIO(r.content))
        paragraphs = [(par.style.name, par.text) for par in document.paragraphs]
        first_runs = [par.runs[0].text if par.runs else "" for par in document.paragraphs]
        text_all = "\n".join(t for _, t in paragraphs)
        tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
        assert [t for s, t in paragraphs if s == "Heading 1"] == [
            f"{n}. {title}" for n, (_i, _k, title, _c) in enumerate(activities, start=1)]
        assert len(document.inline_shapes) >= 2  # the matrix and the resource map
        alts = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
        assert any(alt.startswith("Matrice impact / maîtrise des ") for alt in alts), alts
        assert any(alt.startswith("Carte des ") for alt in alts), alts

        # Poll: counts of the phones' votes, and their share.
        poll_id, poll_config = by_kind["poll"]
        counts = Counter(v for (v,) in sql(db, "SELECT value FROM vote WHERE activity_id = :a", a=poll_id))
        for value, count in sql(db, "SELECT value, count FROM proxy_count WHERE activity_id = :a", a=poll_id):
            counts[value] += count  # show of hands, paper ballots
        n = sum(counts.values())
        poll = next(t for t in tables if t[0] == ["Réponse", "Voix", "Part"])
        assert [row[0] for row in poll[1:]] == poll_config["options"]
        for k, row in enumerate(poll[1:]):
            assert row[1] == str(counts[k])
            assert abs(int(row[2].split()[0]) - 100 * counts[k] / n) <= 0.5
        assert f"{n} réponses." in text_all

        # Chantier table: every visible row under its enjeu (Heading 2), the hidden one nowhere.
        rows = sql(db, "SELECT section, cells, hidden FROM table_row WHERE activity_id = :a", a=table_id)
        start = next(k for k, (s, t) in enumerate(paragraphs) if s == "Heading 1" and t.endswith(
            next(title for i, _k, title, _c in activities if i == table_id)))
        end = next(k for k, (s, _t) in enumerate(paragraphs) if s == "Heading 1" and k > start)
        shown: dict[str, list[str]] = {}
        section = ""
        for (style, value), title in zip(paragraphs[start:end], first_runs[start:end], strict=True):
            if style == "Heading 2":
                section = value
            elif style == "Heading 3":  # the chantier's title, then its sub-group in a run of its own
                shown.setdefault(section, []).append(title)
        expected: dict[str, list[str]] = {}
        for section_key, cells, hidden in rows:
            if not hidden:
                expected.setdefault(section_key, []).append(as_dict(cells)["title"])
        assert sorted(t for titles in shown.values() for t in titles) == sorted(
            t for titles in expected.values() for t in titles)
        assert len(shown) == len(expected)  # one heading per enjeu with chantiers
        for section_key, titles in expected.items():  # each under its enjeu (a kept item of the ranking)
            item_text, kept = sql(db, "SELECT text, kept FROM item WHERE id = :i",
                                  i=int(section_key.removeprefix("item-")))[0]
            label = item_text if kept else "Chantiers d'un enjeu qui n'est plus retenu"
            heading = next(h for h in shown if h.endswith(label))
            assert sorted(shown[heading]) == sorted(titles), label
        all_titles = [t for titles in expected.values() for t in titles]
        assert len(set(all_titles)) == len(all_titles) and hidden_title not in all_titles
        assert hidden_title not in text_all

        # Resources: every visible resource with its link state, by category.
        labels = {"operante": "opérante", "connue-sans-lien": "connue, sans lien", "aucune": "aucun lien"}
        resources = sql(db, "SELECT name, state, hidden FROM resource_link WHERE activity_id = :a",
                        a=resources_id)
        bullets = [t for s, t in paragraphs if s == "List Bullet"]
        for name, state, hidden in resources:
            line = f"{name} — {labels[state]}"
            assert any(b.startswith(line) for b in bullets) != bool(hidden), (name, hidden)
        assert not any(b.startswith(f"{hidden_name} — ") for b in bullets)

        # Nobody is named unless asked (the playthrough's phones all gave a name).
        assert "Participant·e" not in text_all
        r = play.fac.client.get(f"/f/workshops/{ws_id}/compte-rendu.pdf?noms=1", timeout=120)
        named, reader = pdf_text(r.content)
        assert "Participant·e 1," in named and len(reader.pages) >= 4
    finally:
        play.close()
