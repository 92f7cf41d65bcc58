"""An English workshop over a real server: its board (page and pushes) speaks the workshop's
language, English, whoever's browser opens it, while a French workshop's stays French; the
compte-rendu (HTML, DOCX), the spreadsheets and the CSV follow the requesting facilitator's
language, the restitution page its reader's, the command line's exports its --lang.

What must be English is found from the French render itself: every word of the app's own French
text there (the workshop's content, read from the database, taken out) must be gone from the
English render, so a string left unmarked or untranslated fails the test, whatever it is."""

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import httpx
import lxml.html
import openpyxl
import pytest
import websockets
from odfdo import Document as OdsDocument

from tests.integration.test_roadmap_exports import imported  # noqa: F401  (a fixture)
from tests.support import Server, sql

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
SLUG = "formation-action-2-jours"
# Words the app writes the same in both languages (numbers and symbols are no words here).
SAME = {"participant", "participants", "impact", "code", "post", "its", "vote", "score", "quadrant", "cap",
        "partagé", "page", "pdf", "kendall", "english", "français", "pts", "med", "http", "borda",
        "schulze", "condorcet", "actions", "action", "ellipse", "position", "points", "description",
        "siren", "insee", "total", "interquartile"}  # compared in lower case
# The glossary's French terms, in brackets after their English where first met (docs/i18n.md).
GLOSSARY = {"enjeu", "enjeux", "défi", "défis", "chantier", "chantiers", "fiches", "commune", "département"}
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]{3,}")
LOWER: set[str] = set()  # the current workshop's content words, lower-cased (content_of)


def walk(value: object, texts: set[str]) -> None:
    """Every string in `value` (nested dicts, lists, tuples), added to `texts`."""
    if isinstance(value, str):
        texts.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            walk(v, texts)
    elif isinstance(value, list | tuple):
        for v in value:
            walk(v, texts)


def content_of(db: str, workshop_id: int) -> list[str]:
    """The workshop's own texts (titles, prompts, options, items, names, cells…), longest first."""
    texts: set[str] = set()

    for query in (
        "SELECT title, description, join_code FROM workshop WHERE id = :w",
        "SELECT title, config FROM activity WHERE workshop_id = :w",
        "SELECT name FROM workshop_group WHERE workshop_id = :w",
        "SELECT i.text FROM item i JOIN activity a ON a.id = i.activity_id WHERE a.workshop_id = :w",
        "SELECT r.cells FROM table_row r JOIN activity a ON a.id = r.activity_id WHERE a.workshop_id = :w",
        "SELECT r.name, r.category, r.note FROM resource_link r JOIN activity a ON a.id = r.activity_id "
        "WHERE a.workshop_id = :w",
    ):
        for row in sql(db, query, w=workshop_id):
            for value in row:
                stored_json = isinstance(value, str) and value[:1] in ("{", "[")
                walk(json.loads(value) if stored_json else value, texts)
    # Whole texts first, longest first; then their words, which a figure may wrap across lines.
    whole = sorted((t.strip() for t in texts if t and t.strip()), key=len, reverse=True)
    LOWER.clear()
    LOWER.update(w.lower() for t in whole for w in WORD.findall(t))
    return whole + sorted({w for t in whole for w in WORD.findall(t)}, key=len, reverse=True)


def words(text: str, content: list[str]) -> set[str]:
    """The app's own words in a text: the workshop's content taken out first (whole words only)."""
    for c in content:
        if c in text:
            text = re.sub(rf"(?<!\w){re.escape(c)}(?!\w)", " ", text)
    return {w for w in WORD.findall(text) if w.lower() not in LOWER}


def page_words(html: str, content: list[str]) -> set[str]:
    """The words of a page or fragment: its text, and what it says in aria-label, title and alt."""
    root = lxml.html.fromstring(html)
    for dropped in root.xpath("//script | //style"):
        dropped.drop_tree()
    pieces = [t for t in root.xpath("//text()")]
    pieces += root.xpath("//@aria-label | //@title | //@alt | //@placeholder")
    found: set[str] = set()
    for piece in pieces:
        found |= words(str(piece), content)
    return found


def leftovers(french: set[str], english: set[str], same: set[str] = SAME) -> set[str]:
    return {w for w in french & english if w.lower() not in same}


def board(server: Server, key: str) -> str:
    r = httpx.get(f"{server.url}/b/{key}", headers=ENGLISH, timeout=30)
    assert r.status_code == 200, r.text
    return r.text


@pytest.fixture
def played(server: Server, facilitator_email: str):
    """The two-day formation-action (every kind of activity) played by 20 phones."""
    from tests.integration.test_template_playthrough import Playthrough

    play = Playthrough(server, facilitator_email, SLUG, seed=11)
    try:
        play.play()
        yield play
    finally:
        play.close()


def set_language(play, language: str) -> None:
    r = play.fac.client.post(f"/f/workshops/{play.ws['id']}/language", data={"language": language})
    assert r.status_code == 303, r.text


def test_an_english_board_and_its_pushes(server: Server, played) -> None:
    ws, fac = played.ws, played.fac
    content = content_of(server.database_url, ws["id"])
    positions = range(len(played.spec["activities"]))
    french: dict[int, str] = {}
    for position in positions:
        assert fac.goto(ws["id"], position).status_code == 200
        french[position] = board(server, ws["board_key"])  # an English browser: the workshop's French
        assert '<html lang="fr">' in french[position] and 'data-language="fr"' in french[position]
    # The workshop's language, set by its facilitator: its board in English, whoever opens it.
    set_language(played, "en")
    assert sql(server.database_url, "SELECT language FROM workshop WHERE id = :w", w=ws["id"]) == [("en",)]
    problems = []
    every_french: set[str] = set()
    for position in positions:
        assert fac.goto(ws["id"], position).status_code == 200
        page = httpx.get(f"{server.url}/b/{ws['board_key']}", headers=FRENCH, timeout=30).text
        assert '<html lang="en">' in page and "language-picker" not in page
        french_words = page_words(french[position], content)
        every_french |= french_words
        left = leftovers(french_words, page_words(page, content))
        if left:
            problems.append(f"step {position + 1}: {sorted(left)}")
    assert not problems, "\n".join(problems)
    # The test can fail: the French renders had the app's own French words to look for.
    assert {"étape", "Trier", "Désaccord"} <= every_french and len(every_french) > 40, every_french

    # A push: a step change renders the board's fragments in the workshop's English.
    last = len(played.spec["activities"]) - 1

    async def pushed() -> str:
        async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}",
                                      additional_headers={"Origin": server.url, **FRENCH}) as sock:
            await asyncio.wait_for(sock.recv(), 10)  # the full state first
            assert (await asyncio.to_thread(fac.goto, ws["id"], last)).status_code == 200
            while True:
                frame = str(await asyncio.wait_for(sock.recv(), 10))
                if 'id="board-main"' in frame:
                    return frame

    assert fac.goto(ws["id"], last - 1).status_code == 200
    frame = asyncio.run(pushed())
    assert 'data-language="en"' in frame
    left = leftovers(page_words(french[last], content), page_words(frame, content))
    assert not left, sorted(left)
    assert f"step {last + 1}/{last + 1}" in frame

    # Back to French: the board and its pushes are French again, as before.
    set_language(played, "fr")
    again = board(server, ws["board_key"])
    assert '<html lang="fr">' in again and f"étape {last + 1}/{last + 1}" in again


def test_the_language_setting_is_the_owners_and_checked(server: Server, facilitator_email: str) -> None:
    from tests.support import Facilitator, create_facilitator

    owner = Facilitator(server.url, facilitator_email)
    ws = owner.create_workshop()
    other = Facilitator(server.url, create_facilitator(server.database_url))
    refused = other.client.post(f"/f/workshops/{ws['id']}/language", data={"language": "en"})
    assert refused.status_code in (403, 404)
    bad = owner.client.post(f"/f/workshops/{ws['id']}/language", data={"language": "de"})
    assert bad.status_code == 422 and "de" in bad.text
    assert sql(server.database_url, "SELECT language FROM workshop WHERE id = :w", w=ws["id"]) == [("fr",)]


# ---------------------------------------------------------------- exports


def docx_text(content: bytes) -> tuple[str, object]:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    parts += [shape._inline.docPr.get("descr") or "" for shape in document.inline_shapes]
    parts += [p.text for p in document.sections[0].footer.paragraphs]
    return "\n".join(parts), document


def body_language(document) -> str:
    from docx.oxml.ns import qn

    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    return lang.get(qn("w:val"))


def sheet_words(rows: list[list[object]], content: list[str]) -> set[str]:
    return {w for row in rows for v in row if isinstance(v, str) for w in words(v, content)}


def test_english_exports_and_restitution(server: Server, played, tmp_path: Path) -> None:
    ws, fac = played.ws, played.fac
    content = content_of(server.database_url, ws["id"])
    ranking = sql(server.database_url, "SELECT id FROM activity WHERE workshop_id = :w AND kind = 'ranking' "
                                       "ORDER BY position", w=ws["id"])[0][0]

    def get(path: str, headers: dict) -> httpx.Response:
        r = fac.client.get(path, headers=headers, timeout=120)
        assert r.status_code == 200, (path, r.text[:300])
        return r

    # The compte-rendu as DOCX: English headings, the document's language English.
    fr_text, fr_doc = docx_text(get(f"/f/workshops/{ws['id']}/compte-rendu.docx", FRENCH).content)
    en_text, en_doc = docx_text(get(f"/f/workshops/{ws['id']}/compte-rendu.docx", ENGLISH).content)
    assert fr_doc.core_properties.language == "fr-FR" and body_language(fr_doc) == "fr-FR"
    assert en_doc.core_properties.language == "en-GB" and body_language(en_doc) == "en-GB"
    assert "Workshop outline" in en_text and "Déroulé de l'atelier" in fr_text
    assert en_doc.core_properties.title.startswith("Report — ")
    french_words = words(fr_text, content)
    assert "Déroulé" in french_words and len(french_words) > 60
    assert not leftovers(french_words, words(en_text, content)), sorted(leftovers(french_words,
                                                                                  words(en_text, content)))

    # The compte-rendu as PDF: its language is the document's (WeasyPrint takes the page's lang).
    from pypdf import PdfReader

    for headers, lang in ((FRENCH, "fr"), (ENGLISH, "en")):
        pdf = PdfReader(io.BytesIO(get(f"/f/workshops/{ws['id']}/compte-rendu.pdf", headers).content))
        assert pdf.trailer["/Root"].get("/Lang") == lang
        first = pdf.pages[0].extract_text()
        assert ("Workshop outline" in first) == (lang == "en") and ("Déroulé" in first) == (lang == "fr")

    # The restitution page (the compte-rendu as HTML): its reader's language, the picker in its footer.
    r = fac.client.post(f"/f/workshops/{ws['id']}/restitution", data={"publier": "oui"})
    assert r.status_code == 303
    key = sql(server.database_url, "SELECT restitution_key FROM workshop WHERE id = :w", w=ws["id"])[0][0]
    french_page = httpx.get(f"{server.url}/r/{key}", headers=FRENCH, timeout=60)
    english_page = httpx.get(f"{server.url}/r/{key}", headers=ENGLISH, timeout=60)
    assert '<html lang="fr">' in french_page.text and '<html lang="en">' in english_page.text
    assert "Workshop results" in english_page.text and "language-picker" in english_page.text
    assert "Accept-Language" in english_page.headers["vary"]
    french_words = page_words(french_page.text, content)
    left = leftovers(french_words, page_words(english_page.text, content))
    assert len(french_words) > 60 and not left, sorted(left)
    picked = httpx.get(f"{server.url}/r/{key}", headers=ENGLISH, cookies={"lang": "fr"}, timeout=60)
    assert '<html lang="fr">' in picked.text

    # The ranked enjeux as ODS, XLSX and CSV: English headers and labels.
    def ods_rows(content_bytes: bytes) -> list[list[object]]:
        path = tmp_path / "enjeux.ods"
        path.write_bytes(content_bytes)
        table = OdsDocument(str(path)).body.get_table(0)
        return [list(row) for row in table.get_values()]

    for headers, expect in ((FRENCH, "rang"), (ENGLISH, "rank")):
        rows = ods_rows(get(f"/f/activities/{ranking}/enjeux.ods", headers).content)
        assert rows[0][0] == expect
    fr_ods = ods_rows(get(f"/f/activities/{ranking}/enjeux.ods", FRENCH).content)
    en_ods = ods_rows(get(f"/f/activities/{ranking}/enjeux.ods", ENGLISH).content)
    assert not leftovers(sheet_words(fr_ods, content), sheet_words(en_ods, content))
    book = openpyxl.load_workbook(io.BytesIO(get(f"/f/activities/{ranking}/enjeux.xlsx", ENGLISH).content))
    sheet = book.worksheets[0]
    assert sheet.title == "Ranked issues" and [c.value for c in sheet[1]][:2] == ["rank", "issue (enjeu)"]
    fr_csv = list(csv.reader(io.StringIO(get(f"/f/activities/{ranking}/enjeux.csv", FRENCH)
                                         .content.decode("utf-8-sig")), delimiter=";"))
    en_csv = list(csv.reader(io.StringIO(get(f"/f/activities/{ranking}/enjeux.csv", ENGLISH)
                                         .content.decode("utf-8-sig")), delimiter=";"))
    assert fr_csv[0][0] == "rang" and en_csv[0][0] == "rank"
    assert not leftovers(sheet_words(fr_csv, content), sheet_words(en_csv, content))

    # Join cards, printed in the facilitator's language (the tokens and the workshop's title as they are).
    cards = fac.client.post(f"/f/workshops/{ws['id']}/jetons", data={"nombre": "2", "format": "page"},
                            headers=ENGLISH)
    assert cards.status_code == 200 and '<html lang="en">' in cards.text
    assert "2 single-use tokens" in cards.text and "Your personal token" in cards.text
    listed = fac.client.post(f"/f/workshops/{ws['id']}/jetons", data={"nombre": "1", "format": "csv"},
                             headers=ENGLISH)
    assert listed.content.decode("utf-8-sig").startswith("Token;Link")

    # The rating's results as CSV: English headers and quadrant names.
    rating = sql(server.database_url, "SELECT id FROM activity WHERE workshop_id = :w AND kind = 'rating' "
                                      "ORDER BY position", w=ws["id"])[0][0]
    fr_rating, en_rating = (list(csv.reader(io.StringIO(get(f"/f/activities/{rating}/rating.csv", h)
                                                        .content.decode("utf-8-sig")), delimiter=";"))
                            for h in (FRENCH, ENGLISH))
    assert fr_rating[0][:2] == ["n°", "élément"] and en_rating[0][:2] == ["no.", "item"]
    assert "Control: mean" in en_rating[0] and "Maîtrise : moyenne" in fr_rating[0]
    assert not leftovers(sheet_words(fr_rating, content), sheet_words(en_rating, content))


def test_the_command_line_exports_in_english(server: Server, played, tmp_path: Path) -> None:
    ws = played.ws
    env = {**os.environ, "DATABASE_URL": server.database_url}
    for lang in ("fr", "en", None):
        out = tmp_path / (lang or "default")
        args = [sys.executable, "-m", "app", "export-report", str(ws["id"]), "--format", "docx",
                "--out", str(out)] + (["--lang", lang] if lang else [])
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        (written,) = out.glob("*.docx")
        text, document = docx_text(written.read_bytes())
        if lang == "en":
            assert "Workshop outline" in text and document.core_properties.language == "en-GB"
        else:  # French by default
            assert "Déroulé de l'atelier" in text and document.core_properties.language == "fr-FR"
    refused = subprocess.run([sys.executable, "-m", "app", "export-report", str(ws["id"]), "--format", "docx",
                              "--lang", "de", "--out", str(tmp_path)], env=env, capture_output=True,
                             text=True, timeout=120, check=False)
    assert refused.returncode == 2 and "--lang" in refused.stderr


# ---------------------------------------------------------------- roadmap documents


def roadmap_content(data) -> list[str]:
    """The roadmap's own texts (names, questions, titles, actions, resources…)."""
    texts: set[str] = set()

    walk(data.model_dump(by_alias=True), texts)
    whole = sorted((t.strip() for t in texts if t.strip()), key=len, reverse=True)
    LOWER.clear()
    LOWER.update(w.lower() for t in whole for w in WORD.findall(t))
    return whole


def test_roadmap_documents_in_english() -> None:
    """The roadmap's Markdown, DOCX and ODT in English: none of the French one's own words, the
    documents' language English; the national platform's « besoins » stay its French labels."""
    from app import i18n
    from app.domain import roadmap as domain
    from app.exports.roadmap_docx import to_docx
    from app.exports.roadmap_md import to_md
    from app.exports.roadmap_odt import to_odt
    from tests.integration.test_roadmap_writers import sample

    data = sample()
    content = roadmap_content(data) + list(domain.BESOINS.values())
    french_md = to_md(data).decode()
    with i18n.using("en"):
        english_md = to_md(data).decode()
        english_docx = docx.Document(io.BytesIO(to_docx(data)))
        english_odt = to_odt(data)
    french_words = words(french_md, content)
    assert {"Gouvernance", "Porteurs", "Contexte"} <= french_words and len(french_words) > 40
    left = leftovers(french_words, words(english_md, content), SAME | GLOSSARY)
    assert not left, sorted(left)
    assert "*Digital inclusion roadmap*" in english_md and "# Governance" in english_md
    assert english_docx.core_properties.language == "en-GB" and body_language(english_docx) == "en-GB"
    assert english_docx.core_properties.subject.startswith("Digital inclusion roadmap — ")
    french_docx = docx.Document(io.BytesIO(to_docx(data)))
    assert french_docx.core_properties.language == "fr-FR" and body_language(french_docx) == "fr-FR"
    import zipfile

    with zipfile.ZipFile(io.BytesIO(english_odt)) as odt:
        styles, meta = odt.read("styles.xml").decode(), odt.read("meta.xml").decode()
    assert 'fo:language="en"' in styles and 'fo:country="GB"' in styles and "en-GB" in meta


def test_a_roadmap_downloaded_in_the_facilitators_language(server: Server, facilitator_email: str,
                                                           imported) -> None:  # noqa: F811
    from tests.support import Facilitator

    fac = Facilitator(server.url, facilitator_email)
    french = fac.client.get(f"/f/roadmaps/{imported['id']}/export.md", headers=FRENCH)
    english = fac.client.get(f"/f/roadmaps/{imported['id']}/export.md", headers=ENGLISH)
    assert french.status_code == english.status_code == 200
    assert "# Gouvernance" in french.text and "# Governance" not in french.text
    assert "# Governance" in english.text and "# Gouvernance" not in english.text
    docx_en = fac.client.get(f"/f/roadmaps/{imported['id']}/export.docx", headers=ENGLISH)
    assert docx.Document(io.BytesIO(docx_en.content)).core_properties.language == "en-GB"
