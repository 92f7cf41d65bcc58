"""The workshop exports from the command line (`python -m app export-enjeux` / `export-report`,
wired in app/__main__.py to app.exports.enjeux.enjeux_export and app.exports.report_files.report_export),
on a real database: files written under the download's name, names only with --noms."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.db import make_engine
from app.domain.workshop_templates import load_template
from app.models import Activity
from app.services import accounts, participants, workshops
from tests.support import ANCT_ENJEUX, ROOT

pytestmark = pytest.mark.storage


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url}, cwd=ROOT, check=False)


def test_cli_writes_the_enjeux_and_the_report(database_url: str, tmp_path: Path) -> None:
    template = load_template(ROOT / "sessions" / "priorisation-enjeux.yaml")
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = accounts.create_facilitator(session, "cli@example.org", "Animatrice", "motdepasse-cli")
        workshop = workshops.create_from_template(session, owner.id, template, "Atelier en ligne de commande")
        participants.join(session, workshop, "Léa Roux", "Mairie")
        query = select(Activity).where(Activity.workshop_id == workshop.id)
        kinds = {a.kind: a.id for a in session.exec(query)}
        ranking_id, text_id = kinds["ranking"], kinds["text"]
    engine.dispose()

    done = cli(database_url, "export-enjeux", str(ranking_id), "--format", "csv,json", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    stem = f"enjeux-{ranking_id}-atelier-en-ligne-de-commande"
    rows = list(csv.reader(io.StringIO((tmp_path / f"{stem}.csv").read_bytes().decode("utf-8-sig"),
                                       newline=""), delimiter=";"))
    assert sorted(r[1] for r in rows[1:]) == sorted(ANCT_ENJEUX)
    assert (tmp_path / f"{stem}.json").exists()

    done = cli(database_url, "export-report", str(workshop.id), "--format", "pdf,docx",
               "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "compte-rendu-atelier-en-ligne-de-commande.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Atelier en ligne de commande" in text and "Classez les enjeux" in text and "Léa Roux" not in text
    document = docx.Document(tmp_path / "compte-rendu-atelier-en-ligne-de-commande.docx")
    assert "2. Classez les enjeux par ordre de priorité" in [p.text for p in document.paragraphs]

    done = cli(database_url, "export-report", str(workshop.id), "--format", "pdf", "--noms", "--out",
               str(tmp_path))
    assert done.returncode == 0, done.stderr
    named = tmp_path / "compte-rendu-atelier-en-ligne-de-commande-avec-noms.pdf"
    assert "Léa Roux (Mairie)" in " ".join(p.extract_text() for p in PdfReader(named).pages)

    # A ranking export of an activity that is not a ranking: a clear error, nothing written.
    done = cli(database_url, "export-enjeux", str(text_id), "--format", "csv", "--out",
               str(tmp_path / "none"))
    assert done.returncode != 0 and "n'est pas un classement" in done.stderr
    assert not list((tmp_path / "none").glob("*.csv"))
