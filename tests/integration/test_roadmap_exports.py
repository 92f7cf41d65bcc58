"""Roadmap downloads on a real server: a roadmap imported through the service, downloaded in every
format by its owner over HTTP, each file read back with an independent reader and checked against
the database (the enjeux in the order of the Enjeu table, every chantier code under its défi);
another facilitator and an unknown format get « introuvable »."""

import io
import json
import re
import unicodedata
import zipfile
from urllib.parse import unquote

import httpx
import pytest
from sqlmodel import Session, select

from app.db import make_engine
from app.domain import roadmap as domain
from app.models import Chantier, Defi, Enjeu
from app.models import Facilitator as Account
from app.services import roadmaps
from tests.integration.test_roadmap_writers import FORMULA, sample
from tests.support import Facilitator, create_facilitator, pdf_structure

pytestmark = pytest.mark.storage

FORMATS = ("docx", "odt", "pdf", "md", "json", "xlsx")


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture
def imported(server, facilitator_email):
    """The sample roadmap imported for the facilitator, and what the database says of it."""
    engine = make_engine(server.database_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = session.exec(select(Account).where(Account.email == facilitator_email)).one()
        roadmap = roadmaps.import_file(session, owner.id, domain.parse_file(domain.dump_file(sample())))
        rows = session.exec(select(Enjeu).where(Enjeu.roadmap_id == roadmap.id)
                            .order_by(Enjeu.position)).all()
        question = {e.id: e.question for e in rows}
        defis = session.exec(select(Defi).where(Defi.roadmap_id == roadmap.id).order_by(Defi.position)).all()
        chantiers = session.exec(select(Chantier).where(Chantier.roadmap_id == roadmap.id)
                                 .order_by(Chantier.position)).all()
        under = {d.title: [(c.code, c.title) for c in chantiers if c.defi_id == d.id] for d in defis}
        loose = [(c.title, question[c.enjeu_id]) for c in chantiers if c.enjeu_id and not c.defi_id]
    engine.dispose()
    return {"id": roadmap.id, "name": roadmap.name, "enjeux": [e.question for e in rows], "defis": under,
            "loose": loose, "codes": [c.code for c in chantiers]}


def download(fac: Facilitator, roadmap_id: int, fmt: str):
    return fac.client.get(f"/f/roadmaps/{roadmap_id}/export.{fmt}")


def assert_in_order(text: str, needles: list[str]) -> None:
    text, at = plain(text), 0
    for needle in needles:
        found = text.find(plain(needle), at)
        assert found >= 0, f"« {needle} » missing after …{text[max(0, at - 100):at]}"
        at = found + len(plain(needle))


def expected_order(db: dict) -> list[str]:
    """From the database: the enjeux in rank order, then each défi with its chantiers, then the
    chantiers filed straight under an enjeu."""
    out = [x for n, question in enumerate(db["enjeux"], start=1) for x in (f"Enjeu {n}", question)]
    for n, (title, chantiers) in enumerate(db["defis"].items(), start=1):
        out += [f"Défi {n}", title]
        for code, chantier in chantiers:
            out += [f"Chantier {code}", chantier]
    for chantier, enjeu in db["loose"]:
        out += [enjeu, chantier]
    return out


def test_owner_downloads_every_format_matching_the_database(server, facilitator_email, imported):
    fac = Facilitator(server.url, facilitator_email)
    files = {}
    for fmt in FORMATS:
        r = download(fac, imported["id"], fmt)
        assert r.status_code == 200, (fmt, r.text[:300])
        disposition = r.headers["content-disposition"]
        ascii_name = re.search(r'filename="([^"]+)"', disposition).group(1)
        assert ascii_name.startswith("feuille-de-route-communaute-d-agglomeration-du-val-de-sevre")
        assert ascii_name.endswith(f".{fmt}") and ascii_name.isascii()
        assert disposition.startswith("attachment;")
        readable = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
        assert readable.startswith(imported["name"]) and readable.endswith(f".{fmt}")
        files[fmt] = r.content
    order = expected_order(imported)
    assert imported["codes"] == ["1.a", "2.a", "", "9"]

    # JSON: the file format, re-importable, with what the database holds.
    exported = domain.parse_file(files["json"])
    assert [e.question for e in exported.enjeux] == imported["enjeux"]
    titles = {d.ref: d.title for d in exported.defis}
    assert {title: [(c.code, c.title) for c in exported.chantiers if c.defi and titles[c.defi] == title]
            for title in titles.values()} == imported["defis"]
    assert [c.code for c in exported.chantiers] == imported["codes"]
    assert json.loads(files["json"])["chantiers"][0]["actions"][0]["budgetGlobal"] == 180000

    # Markdown.
    assert_in_order(files["md"].decode("utf-8").replace("\\", ""), order)

    # DOCX, read by python-docx: the headings by style.
    import docx

    document = docx.Document(io.BytesIO(files["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert_in_order("\n".join(headings), order)
    assert len(document.inline_shapes) == 1

    # ODT, read by odfpy.
    from odf import teletype
    from odf import text as odf_text
    from odf.opendocument import load

    odt = load(io.BytesIO(files["odt"]))
    assert_in_order("\n".join(teletype.extractText(h) for h in odt.getElementsByType(odf_text.H)), order)
    with zipfile.ZipFile(io.BytesIO(files["odt"])) as archive:
        assert [n for n in archive.namelist() if n.startswith("Pictures/")]
        # The map's alternative text (LibreOffice's « Description »).
        assert "<svg:desc>Cartographie des ressources du " in archive.read("content.xml").decode()

    # PDF, read by pypdf.
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(files["pdf"]))
    language, kinds, alts = pdf_structure(pdf)  # tagged (PDF/UA), the map's alternative text
    assert language == "fr" and "/H1" in kinds, (language, kinds[:20])
    assert alts and all(alt.startswith("Carte des ressources du chantier") for alt in alts), alts
    assert_in_order("\n".join(p.extract_text().replace("-\n", "-") for p in pdf.pages), order)

    # XLSX of actions, read by openpyxl: every action, under its chantier code, the formula neutralised.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(files["xlsx"]))
    rows = list(book["actions"].iter_rows(values_only=True))
    assert rows[0][:5] == ("nom", "contexte", "description", "porteurs", "budgetGlobal")
    chantier = rows[0].index("chantier")
    assert [r[chantier].split(" — ")[0] for r in rows[1:]] == ["1.a", "1.a", "2.a",
                                                               "Publier un annuaire des lieux de médiation"]
    assert rows[1][4] == 180000 and rows[2][0] == FORMULA
    assert book["besoins"].max_row == 1 + len(domain.BESOINS)


def test_another_facilitator_and_unknown_formats_get_not_found(server, facilitator_email, imported):
    other = Facilitator(server.url, create_facilitator(server.database_url))
    for fmt in FORMATS:
        r = download(other, imported["id"], fmt)
        assert r.status_code == 404, fmt
        assert "Feuille de route introuvable" in r.text
    owner = Facilitator(server.url, facilitator_email)
    for fmt in ("exe", "html", "docx.zip"):
        r = download(owner, imported["id"], fmt)
        assert r.status_code == 404 and "Format d'export inconnu" in r.text
    assert download(owner, imported["id"] + 1000, "pdf").status_code == 404
    # Not logged in: the login comes first.
    anonymous = httpx.Client(base_url=server.url)
    assert anonymous.get(f"/f/roadmaps/{imported['id']}/export.pdf").status_code == 401
