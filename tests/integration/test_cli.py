"""The command line on a real database: import a roadmap file, export roadmaps, enjeux and reports."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.support import DEMO_PASSWORD, ROOT, create_facilitator, sql

pytestmark = pytest.mark.storage

EXAMPLE = ROOT / "examples" / "grand-perigueux.json"


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_import_then_export_in_batch(database_url: str, tmp_path: Path):
    email = create_facilitator(database_url)
    first = cli(database_url, "import-roadmap", str(EXAMPLE), "--email", email)
    assert first.returncode == 0, first.stderr
    assert "4 enjeux, 6 défis, 10 chantiers" in first.stdout
    assert cli(database_url, "import-roadmap", str(EXAMPLE), "--email", email).returncode == 0

    out = tmp_path / "exports"
    done = cli(database_url, "export-roadmap", "1", "2", "--format", "json,docx,xlsx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(
        name
        for i in (1, 2)
        for name in (
            f"feuille-de-route-grand-perigueux-{i}.json",
            f"feuille-de-route-grand-perigueux-{i}.docx",
            f"feuille-de-route-grand-perigueux-actions-{i}.xlsx",
        )
    )
    # export → import → export: the same file, byte for byte
    assert (out / "feuille-de-route-grand-perigueux-1.json").read_bytes() == EXAMPLE.read_bytes()
    data = json.loads((out / "feuille-de-route-grand-perigueux-2.json").read_text(encoding="utf-8"))
    assert (len(data["enjeux"]), len(data["defis"]), len(data["chantiers"])) == (4, 6, 10)
    headings = [
        p.text
        for p in Document(out / "feuille-de-route-grand-perigueux-1.docx").paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert any("1.b" in h and "jeunes" in h for h in headings)
    sheet = load_workbook(out / "feuille-de-route-grand-perigueux-actions-1.xlsx").worksheets[0]
    assert sheet.max_row - 1 == 37  # one row per action


def test_bad_requests_say_why_and_write_nothing(database_url: str, tmp_path: Path):
    email = create_facilitator(database_url)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "cap-partage/feuille-de-route", "version": 9}', encoding="utf-8")
    out = tmp_path / "out"
    for args, message in [
        (("import-roadmap", str(bad), "--email", email), "version « 9 »"),
        (("import-roadmap", str(EXAMPLE), "--email", "personne@example.org"), "Aucun compte animateur"),
        (("import-roadmap", str(tmp_path / "absent.json"), "--email", email), "absent.json"),
        (("export-roadmap", "42", "--format", "pdf", "--out", str(out)), "Identifiant inconnu : 42"),
        (("export-report", "7", "--format", "pdf", "--out", str(out)), "Identifiant inconnu : 7"),
    ]:
        r = cli(database_url, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert message in r.stderr
    assert cli(database_url, "import-roadmap", str(EXAMPLE), "--email", email).returncode == 0
    r = cli(database_url, "export-roadmap", "1", "--format", "doc", "--out", str(out))
    assert r.returncode == 2 and "Format d'export inconnu" in r.stderr
    assert not any(out.iterdir())


def test_an_administrator_resets_a_facilitator_password(database_url: str):
    """No « mot de passe oublié » without mail: `reset-password` sets a new one; the old one stops
    working. Bad input says why and changes nothing."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.services import accounts

    email = create_facilitator(database_url)
    r = cli(database_url, "reset-password", "--email", email.upper(), "--password", "nouveau-secret")
    assert r.returncode == 0 and f"Mot de passe changé pour {email}" in r.stdout, r.stderr
    for args, message in [
        (("--email", "personne@example.org", "--password", "nouveau-2-secret"), "Aucun compte animateur"),
        (("--email", email, "--password", "court"), "au moins 8 caractères"),
    ]:
        r = cli(database_url, "reset-password", *args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert accounts.authenticate(session, email, "nouveau-secret") is not None
        assert accounts.authenticate(session, email, DEMO_PASSWORD) is None
        assert accounts.authenticate(session, email, "court") is None
    engine.dispose()


def test_demo_prepares_a_workshop_and_the_example_roadmap_once(database_url: str):
    first = cli(database_url, "demo")
    assert first.returncode == 0, first.stderr
    code = re.search(r"code : ([A-Z0-9]{6})", first.stdout).group(1)
    assert "demo@cap-partage.local" in first.stdout and f"/j/{code}" in first.stdout
    roadmap_url = re.search(r"Feuille de route d'exemple : \S+/f/roadmaps/(\d+)", first.stdout)
    again = cli(database_url, "demo")
    assert again.returncode == 0 and f"code : {code}" in again.stdout
    assert re.search(r"/f/roadmaps/(\d+)", again.stdout).group(1) == roadmap_url.group(1)
    counts = sql(database_url, "SELECT (SELECT count(*) FROM workshop), (SELECT count(*) FROM roadmap), "
                               "(SELECT count(*) FROM chantier)")
    assert counts == [(1, 1, 10)]


def test_the_command_line_speaks_english_when_asked(database_url: str, tmp_path: Path):
    """`--lang en`, before or after the command's name: its help, messages and errors in English
    (a domain refusal, a roadmap file's problems, an unknown id); French without it."""
    email = create_facilitator(database_url)
    french = cli(database_url, "purge", "--help")
    assert "effacer les données personnelles" in french.stdout
    english = cli(database_url, "--lang", "en", "purge", "--help")
    assert "erase the personal data of workshops past their retention period" in english.stdout
    assert "only list the purges done so far (for the DPO)" in english.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "cap-partage/feuille-de-route", "version": 9}', encoding="utf-8")
    for args, message in [
        (("import-roadmap", str(bad), "--email", email), "Error: Roadmap file refused: "),
        (("import-roadmap", str(EXAMPLE), "--email", "nobody@example.org"),
         "Error: No facilitator account for “nobody@example.org”."),
        (("reset-password", "--email", email, "--password", "short"), "at least 8 characters"),
        (("export-report", "7", "--format", "pdf", "--out", str(tmp_path)), "Error: Unknown id: 7."),
    ]:
        r = cli(database_url, *args, "--lang", "en")
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
        assert not any(word in r.stderr for word in ("Erreur", "refusé", "inconnu", "Aucun")), r.stderr
    done = cli(database_url, "--lang", "en", "reset-password", "--email", email, "--password", "new-secret")
    assert done.returncode == 0 and done.stdout.strip() == (
        f"Password changed for {email}; 0 open sessions ended."), done.stdout
    purged = cli(database_url, "purge", "--lang", "en")
    assert purged.returncode == 0 and purged.stdout.strip() == "0 workshops purged.", purged.stdout
