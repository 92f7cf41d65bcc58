"""Command-line workshop exports, for batch use on the server (no account check: whoever runs
the command line already holds the database):

    python -m app export-enjeux --activity 12 [--format csv|csv-comma|xlsx|ods|json] [-o FILE]
    python -m app export-compte-rendu --workshop 3 [--format pdf|docx] [--noms] [-o FILE]

`app/__main__.py` plugs them in with `add_parsers(sub)` and, for these commands, `run(args)`.
Without `-o`, the file is written in the current folder under the name the web download uses.
"""

import argparse
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from app.domain.errors import NotFound
from app.exports import enjeux, report
from app.models import Activity, Workshop

COMMANDS = frozenset({"export-enjeux", "export-compte-rendu"})


def add_parsers(sub: argparse._SubParsersAction) -> None:
    ranked = sub.add_parser("export-enjeux", help="the ranked enjeux of a ranking activity, as a file")
    ranked.add_argument("--activity", type=int, required=True, help="the ranking activity's id")
    ranked.add_argument("--format", choices=enjeux.FORMATS, default="csv",
                        help="csv (« ; », French spreadsheets), csv-comma, xlsx, ods or json")
    ranked.add_argument("-o", "--output", type=Path, help="file to write (default: the download's name)")
    cr = sub.add_parser("export-compte-rendu", help="the workshop report for participants (PDF or DOCX)")
    cr.add_argument("--workshop", type=int, required=True, help="the workshop's id")
    cr.add_argument("--format", choices=report.FORMATS, default="pdf")
    cr.add_argument("--noms", action="store_true",
                    help="include the names participants gave when joining (none by default)")
    cr.add_argument("-o", "--output", type=Path, help="file to write (default: the download's name)")


def run(args: argparse.Namespace, engine: Engine | None = None) -> int:
    """Write the export asked for; prints where. Raises DomainError (e.g. NotFound) on bad input."""
    if engine is None:
        from app.db import get_engine

        engine = get_engine()
    with Session(engine) as session:
        if args.command == "export-enjeux":
            activity = session.get(Activity, args.activity)
            if activity is None:
                raise NotFound(f"Activité {args.activity} introuvable.")
            data, name, _media = enjeux.enjeux_export(session, activity, args.format)
        else:
            workshop = session.get(Workshop, args.workshop)
            if workshop is None:
                raise NotFound(f"Atelier {args.workshop} introuvable.")
            data, name, _media = report.report_export(session, workshop, args.format, args.noms)
    target = args.output or Path(name)
    target.write_bytes(data)
    print(f"Export écrit : {target} ({len(data)} octets)")
    return 0
