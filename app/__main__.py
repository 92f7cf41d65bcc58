"""Command line: `python -m app {migrate,create-facilitator,demo}`."""

import argparse
import getpass
import os
import sys

from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from app.config import ROOT, get_settings
from app.db import get_engine
from app.domain.errors import DomainError
from app.domain.templates import TemplateError, load_template
from app.models import Facilitator
from app.services import accounts, workshops

DEMO_EMAIL = "demo@cap-partage.local"
DEMO_PASSWORD = "atelier-demo"  # noqa: S105  (printed on purpose: it is the local demo)
DEMO_TEMPLATE = "prospective-10-ans"


def migrate(url: str | None = None) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url or get_settings().database_url
    command.upgrade(config, "head")


def _create_facilitator(args: argparse.Namespace) -> int:
    password = args.password or os.environ.get("CAP_PASSWORD") or getpass.getpass("Mot de passe : ")
    with Session(get_engine()) as session:
        account = accounts.create_facilitator(session, args.email, args.name or "", password)
    print(f"Compte animateur créé : {account.email}")
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
        workshop = owned[0] if owned else workshops.create_from_template(session, account.id,
                                                                           template)
    base = settings.base_url.rstrip("/")
    print(f"""
Cap Partagé est prêt.
  Animateur   : {base}/login   ({DEMO_EMAIL} / {DEMO_PASSWORD})
  Pilotage    : {base}/f/workshops/{workshop.id}
  Écran       : {base}/b/{workshop.board_key}
  Participants: {base}/j/{workshop.join_code}   code : {workshop.join_code}
""")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Cap Partagé")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (Alembic)")
    create = sub.add_parser("create-facilitator", help="create a facilitator account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="")
    create.add_argument("--password", help="default: $CAP_PASSWORD, or asked")
    sub.add_parser("demo", help="create the demo account and workshop, print their URLs")
    args = parser.parse_args(argv)
    try:
        if args.command == "migrate":
            migrate()
            return 0
        if args.command == "create-facilitator":
            return _create_facilitator(args)
        return _demo(args)
    except (DomainError, TemplateError) as err:
        print(f"Erreur : {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
