"""Command line: `python -m app {migrate,create-facilitator,reset-password,demo,import-roadmap,
export-roadmap,export-enjeux,export-report,purge}`, in French, or in English with `--lang en`
(its help, messages and errors, and the documents it exports)."""

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
from app.domain.errors import N_, DomainError
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
    return args.password or os.environ.get("CAP_PASSWORD") or getpass.getpass(i18n.gettext("Mot de passe : "))


def _create_facilitator(args: argparse.Namespace) -> int:
    with Session(get_engine()) as session:
        account = accounts.create_facilitator(session, args.email, args.name or "", _password(args))
    print(i18n.gettext("Compte animateur créé : %(email)s", email=account.email))
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    revoker = CommandRevoker(get_settings().redis_url)
    with Session(get_engine(), expire_on_commit=False) as session:
        account, ended = accounts.reset_password(session, args.email, _password(args), revoker)
    print(i18n.ngettext("Mot de passe changé pour %(email)s ; %(num)s session ouverte fermée.",
                        "Mot de passe changé pour %(email)s ; %(num)s sessions ouvertes fermées.",
                        ended, email=account.email))
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
    print("\n" + i18n.gettext(
        "Cap Partagé est prêt.\n"
        "  Animateur   : %(base)s/login   (%(email)s / %(password)s)\n"
        "  Pilotage    : %(base)s/f/workshops/%(workshop)s\n"
        "  Écran       : %(base)s/b/%(board)s\n"
        "  Participants: %(base)s/j/%(code)s   code : %(code)s\n"
        "  Feuille de route d'exemple : %(base)s/f/roadmaps/%(roadmap)s",
        base=base, email=DEMO_EMAIL, password=DEMO_PASSWORD, workshop=workshop.id,
        board=workshop.board_key, code=workshop.join_code, roadmap=roadmap.id) + "\n")
    return 0


def _import_roadmap(args: argparse.Namespace) -> int:
    with open(args.file, "rb") as handle:
        data = parse_file(handle.read())
    with Session(get_engine(), expire_on_commit=False) as session:
        roadmap = roadmaps.import_file(session, accounts.by_email(session, args.email).id, data)
    base = get_settings().base_url.rstrip("/")
    url = f"{base}/f/roadmaps/{roadmap.id}"
    print(i18n.gettext("Feuille de route importée : « %(name)s » (%(enjeux)s enjeux, %(defis)s défis, "
                       "%(chantiers)s chantiers) : %(url)s", name=roadmap.name, enjeux=len(data.enjeux),
                       defis=len(data.defis), chantiers=len(data.chantiers),
                       url=url))
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
    with Session(get_engine()) as session:
        for ident in args.ids:
            row = session.get(model, ident)
            if row is None:
                raise DomainError(N_("Identifiant inconnu : %(ident)s."), ident=ident)
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
        print(i18n.ngettext("%(num)s atelier purgé.", "%(num)s ateliers purgés.", len(records)))
    for r in records:
        print(i18n.gettext(
            "%(when)s UTC  atelier %(workshop)s « %(title)s » (%(trigger)s) : %(participants)s "
            "participants, %(names)s noms supprimés, %(ballots)s réponses redistribuées "
            "(dernière activité : %(last)s)", when=r.purged_at.strftime("%Y-%m-%d %H:%M"),
            workshop=r.workshop_id, title=r.workshop_title, trigger=i18n.gettext(r.trigger),
            participants=r.participants, names=r.names, ballots=r.ballots,
            last=r.last_activity.strftime("%Y-%m-%d")))
    return 0


def _language(argv: list[str] | None) -> str:
    """The `--lang` of the command line, read before its help is written in that language."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", default=i18n.DEFAULT)
    return early.parse_known_args(argv)[0].lang


def _parser() -> argparse.ArgumentParser:
    _ = i18n.gettext
    language = _("la langue des messages et des documents (fr par défaut ; les textes propres à un "
                 "atelier restent tels qu'écrits)")
    parser = argparse.ArgumentParser(prog="python -m app", description="Cap Partagé")
    parser.add_argument("--lang", choices=i18n.LOCALES, default=i18n.DEFAULT, help=language)
    # Before or after the command's name; after it, not reset to its default by the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=i18n.LOCALES, default=argparse.SUPPRESS, help=language)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, what: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=what, description=what, parents=[common])

    command("migrate", _("appliquer les migrations de la base (Alembic)"))
    for name, what in (("create-facilitator", _("créer un compte animateur")),
                       ("reset-password", _("changer le mot de passe d'un animateur (administrateurs)"))):
        account = command(name, what)
        account.add_argument("--email", required=True)
        if name == "create-facilitator":
            account.add_argument("--name", default="")
        account.add_argument("--password", help=_("par défaut : $CAP_PASSWORD, sinon demandé"))
    command("demo", _("créer le compte, l'atelier et la feuille de route de démonstration, en "
                      "afficher les adresses"))
    importing = command("import-roadmap", _("importer un fichier JSON de feuille de route pour un "
                                            "animateur"))
    importing.add_argument("file")
    importing.add_argument("--email", required=True, help=_("l'animateur à qui elle appartiendra"))
    for name, what, formats in (
        ("export-roadmap", _("écrire les fichiers d'une ou plusieurs feuilles de route"),
         "docx, odt, pdf, md, json, xlsx (actions)"),
        ("export-enjeux", _("écrire les enjeux classés d'une ou plusieurs activités de classement"),
         "csv, csv-comma, xlsx, ods, json"),
        ("export-report", _("écrire le compte-rendu d'un ou plusieurs ateliers"), "pdf, docx"),
    ):
        exporting = command(name, what)
        exporting.add_argument("ids", nargs="+", type=int, metavar="ID")
        exporting.add_argument("--format", required=True,
                               help=_("un ou plusieurs, séparés par des virgules : %(formats)s",
                                      formats=formats))
        exporting.add_argument("--out", default=".", help=_("le dossier où écrire (par défaut : ici)"))
        exporting.add_argument("--noms", action="store_true",
                               help=_("export-report : avec les noms que les participants ont choisi "
                                      "de donner"))
    purging = command("purge", _("effacer les données personnelles des ateliers dont la durée de "
                                 "conservation est passée"))
    purging.add_argument("--journal", action="store_true",
                         help=_("seulement lister les purges faites (pour le DPO)"))
    return parser


def _run(args: argparse.Namespace) -> int:
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


def main(argv: list[str] | None = None) -> int:
    with i18n.using(_language(argv)):
        args = _parser().parse_args(argv)
        try:
            return _run(args)
        except (DomainError, RoadmapFileError) as err:
            said = err.said(i18n.gettext)
            problem = said if isinstance(said, str) else i18n.gettext(
                "Fichier de feuille de route refusé : %(problems)s", problems=" ; ".join(said))
        except (TemplateError, OSError) as err:
            problem = str(err)
        print(i18n.gettext("Erreur : %(problem)s", problem=problem), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
