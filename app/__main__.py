"""Command line: `python -m app {migrate,create-facilitator,reset-password,demo,import-roadmap,
export-roadmap,export-enjeux,export-report,purge}`."""

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from app import i18n
from app.config import ROOT, get_settings
from app.db import get_engine
from app.domain.errors import DomainError
from app.domain.roadmap import RoadmapFileError, parse_file
from app.domain.workshop_templates import TemplateError, load_template
from app.exports.enjeux import enjeux_export
from app.exports.report_files import report_export
from app.exports.roadmap_files import roadmap_export
from app.live import CommandRevoker
from app.models import Activity, Facilitator, Roadmap, Workshop
from app.services import accounts, retention, roadmaps, workshops

DEMO_EMAIL = "demo@cap-partage.local"
DEMO_PASSWORD = "atelier-demo"  # noqa: S105  (printed on purpose: it is the local demo)
DEMO_TEMPLATE = "prospective-10-ans"
DEMO_ROADMAP = ROOT / "examples" / "grand-perigueux.json"


def migrate(url: str | None = None) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url or get_settings().database_url
    command.upgrade(config, "head")


def _password(args: argparse.Namespace) -> str:
    return args.password or os.environ.get("CAP_PASSWORD") or getpass.getpass("Mot de passe : ")


def _create_facilitator(args: argparse.Namespace) -> int:
    with Session(get_engine()) as session:
        account = accounts.create_facilitator(session, args.email, args.name or "", _password(args))
    print(f"Compte animateur créé : {account.email}")
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    revoker = CommandRevoker(get_settings().redis_url)
    with Session(get_engine(), expire_on_commit=False) as session:
        account, ended = accounts.reset_password(session, args.email, _password(args), revoker)
    print(f"Mot de passe changé pour {account.email} ; {ended} session(s) ouverte(s) fermée(s).")
    return 0


def _demo(_args: argparse.Namespace) -> int:
    settings = get_settings()
    template = load_template(settings.sessions_dir / f"{DEMO_TEMPLATE}.yaml")
    with Session(get_engine(), expire_on_commit=False) as session:
        account = session.exec(select(Facilitator).where(Facilitator.email == DEMO_EMAIL)).first()
        if account is None:
            account = accounts.create_facilitator(session, DEMO_EMAIL, "Animatrice démo",
                                                  DEMO_PASSWORD)
        owned = workshops.list_owned(session, account.id)
        workshop = owned[0] if owned else workshops.create_from_template(
            session, account.id, template, retention_months=settings.retention_months)
        kept = roadmaps.list_owned(session, account.id)
        roadmap = kept[0][0] if kept else roadmaps.import_file(
            session, account.id, parse_file(DEMO_ROADMAP.read_bytes()))
    base = settings.base_url.rstrip("/")
    print(f"""
Cap Partagé est prêt.
  Animateur   : {base}/login   ({DEMO_EMAIL} / {DEMO_PASSWORD})
  Pilotage    : {base}/f/workshops/{workshop.id}
  Écran       : {base}/b/{workshop.board_key}
  Participants: {base}/j/{workshop.join_code}   code : {workshop.join_code}
  Feuille de route d'exemple : {base}/f/roadmaps/{roadmap.id}
""")
    return 0


def _import_roadmap(args: argparse.Namespace) -> int:
    with open(args.file, "rb") as handle:
        data = parse_file(handle.read())
    with Session(get_engine(), expire_on_commit=False) as session:
        roadmap = roadmaps.import_file(session, accounts.by_email(session, args.email).id, data)
    base = get_settings().base_url.rstrip("/")
    print(f"Feuille de route importée : « {roadmap.name} » ({len(data.enjeux)} enjeux, "
          f"{len(data.defis)} défis, {len(data.chantiers)} chantiers) : {base}/f/roadmaps/{roadmap.id}")
    return 0


# What each export command reads, and how it writes one format of one of them.
EXPORTS: dict[str, tuple[type, Callable[..., tuple[bytes, str, str]]]] = {
    "export-roadmap": (Roadmap, lambda session, row, fmt, _names: roadmap_export(session, row, fmt)),
    "export-enjeux": (Activity, lambda session, row, fmt, _names: enjeux_export(session, row, fmt)),
    "export-report": (Workshop, report_export),
}


def _export(args: argparse.Namespace) -> int:
    model, write = EXPORTS[args.command]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    with Session(get_engine()) as session, i18n.using(args.lang):
        for ident in args.ids:
            row = session.get(model, ident)
            if row is None:
                raise DomainError(f"Identifiant inconnu : {ident}.")
            for fmt in formats:
                content, filename, _media = write(session, row, fmt, args.noms)
                if len(args.ids) > 1:  # two roadmaps may share a name: the id tells their files apart
                    stem, dot, ext = filename.rpartition(".")
                    filename = f"{stem}-{ident}{dot}{ext}"
                (out / filename).write_bytes(content)
                print(out / filename)
    return 0


def _purge(args: argparse.Namespace) -> int:
    if args.journal:
        with Session(get_engine()) as session:
            records = retention.journal(session)
    else:
        records = retention.purge_expired(get_engine(), retention.COMMAND)
        print(f"{len(records)} atelier(s) purgé(s).")
    for r in records:
        print(f"{r.purged_at:%Y-%m-%d %H:%M} UTC  atelier {r.workshop_id} « {r.workshop_title} » "
              f"({r.trigger}) : {r.participants} participants, {r.names} noms supprimés, "
              f"{r.ballots} réponses redistribuées (dernière activité : {r.last_activity:%Y-%m-%d})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Cap Partagé")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (Alembic)")
    create = sub.add_parser("create-facilitator", help="create a facilitator account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="")
    create.add_argument("--password", help="default: $CAP_PASSWORD, or asked")
    reset = sub.add_parser("reset-password", help="set a facilitator's password (administrators)")
    reset.add_argument("--email", required=True)
    reset.add_argument("--password", help="default: $CAP_PASSWORD, or asked")
    sub.add_parser("demo", help="create the demo account, workshop and roadmap, print their URLs")
    importing = sub.add_parser("import-roadmap", help="import a roadmap JSON file for a facilitator")
    importing.add_argument("file")
    importing.add_argument("--email", required=True, help="the facilitator who will own it")
    for name, what, formats in (
        ("export-roadmap", "roadmaps", "docx, odt, pdf, md, json, xlsx (actions)"),
        ("export-enjeux", "ranking activities (their ranked enjeux)", "csv, csv-comma, xlsx, ods, json"),
        ("export-report", "workshops (their compte-rendu)", "pdf, docx"),
    ):
        exporting = sub.add_parser(name, help=f"write files for one or more {what}")
        exporting.add_argument("ids", nargs="+", type=int, metavar="ID")
        exporting.add_argument("--format", required=True, help=f"one or more, comma-separated: {formats}")
        exporting.add_argument("--out", default=".", help="folder to write into (default: here)")
        exporting.add_argument("--noms", action="store_true",
                               help="export-report: include the names participants chose to give")
        exporting.add_argument("--lang", choices=i18n.LOCALES, default=i18n.DEFAULT,
                               help="the documents' language (default: fr; the workshop's own texts "
                                    "stay as written)")
    purging = sub.add_parser("purge", help="erase the personal data of workshops past their retention")
    purging.add_argument("--journal", action="store_true",
                         help="only list the purges done so far (for the DPO)")
    args = parser.parse_args(argv)
    try:
        if args.command == "migrate":
            migrate()
            return 0
        if args.command == "create-facilitator":
            return _create_facilitator(args)
        if args.command == "reset-password":
            return _reset_password(args)
        if args.command == "import-roadmap":
            return _import_roadmap(args)
        if args.command in EXPORTS:
            return _export(args)
        if args.command == "purge":
            return _purge(args)
        return _demo(args)
    except (DomainError, TemplateError, RoadmapFileError, OSError) as err:
        print(f"Erreur : {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
