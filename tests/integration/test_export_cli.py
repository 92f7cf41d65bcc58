"""The command-line exports (app.exports.workshop_cli), on a real database (migrated): arguments
parsed as `python -m app` will, files written, bad ids refused."""

import argparse
import csv
import io

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.db import make_engine
from app.domain.errors import NotAllowed, NotFound
from app.domain.templates import load_template
from app.exports import workshop_cli
from app.models import Activity
from app.services import accounts, workshops
from tests.support import ANCT_ENJEUX, ROOT

pytestmark = pytest.mark.storage


@pytest.fixture
def engine(database_url: str):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m app")
    sub = parser.add_subparsers(dest="command", required=True)
    workshop_cli.add_parsers(sub)
    return parser.parse_args(argv)


def test_cli_writes_the_enjeux_and_the_report(engine, tmp_path, capsys) -> None:
    template = load_template(ROOT / "sessions" / "priorisation-enjeux.yaml")
    with Session(engine, expire_on_commit=False) as session:
        owner = accounts.create_facilitator(session, "cli@example.org", "Animatrice", "motdepasse-cli")
        workshop = workshops.create_from_template(session, owner.id, template, "Atelier en ligne de commande")
        query = select(Activity).where(Activity.workshop_id == workshop.id)
        acts = {a.kind: a.id for a in session.exec(query)}

    out = tmp_path / "enjeux.csv"
    args = parse(["export-enjeux", "--activity", str(acts["ranking"]), "-o", str(out)])
    assert args.command in workshop_cli.COMMANDS and args.format == "csv"
    assert workshop_cli.run(args, engine) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert sorted(r[1] for r in rows[1:]) == sorted(ANCT_ENJEUX)
    assert f"Export écrit : {out}" in capsys.readouterr().out

    pdf = tmp_path / "cr.pdf"
    assert workshop_cli.run(parse(["export-compte-rendu", "--workshop", str(workshop.id), "-o", str(pdf)]),
                            engine) == 0
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Atelier en ligne de commande" in text and "Classez les enjeux" in text

    with pytest.raises(NotFound):
        workshop_cli.run(parse(["export-enjeux", "--activity", "999999"]), engine)
    with pytest.raises(NotFound):
        workshop_cli.run(parse(["export-compte-rendu", "--workshop", "999999", "--format", "docx"]), engine)
    with pytest.raises(NotAllowed):
        workshop_cli.run(parse(["export-enjeux", "--activity", str(acts["text"])]), engine)
    with pytest.raises(SystemExit):
        parse(["export-enjeux", "--activity", "1", "--format", "pdf"])
