"""The roadmap's actions as a spreadsheet in the national platform's field names (XLSX).

One row per action, in the document's order (défis and their chantiers, then chantiers filed
straight under an enjeu, then the others), so that each can be re-keyed on the platform
« Mon inclusion numérique »: `nom`, `contexte`, `description`, `porteurs`, `budgetGlobal`,
`coFinancements` (« membre : montant »), `besoins` (the platform's codes), `dateDeDebut` and
`dateDeFin` (date cells, when a day is known), `anneeDeDebut` and `anneeDeFin` (the years its
form asks for), `destinataires`; then where the action sits in the roadmap: `chantier`, `defi`,
`enjeux`. A second sheet lists the 11 besoins codes with the platform's labels. The README maps
each column to the platform's field.

Text cells are neutralised against formula injection by `tabular` (an action named « =cmd|… »
stays text). Pure: a `RoadmapFile` in, bytes out.
"""

import io
from datetime import date

from openpyxl import load_workbook
from openpyxl.styles import Font

from app.domain import roadmap as domain
from app.exports import tabular
from app.exports.roadmap_docs import DASH, cofinancings_text

HEADERS = ("nom", "contexte", "description", "porteurs", "budgetGlobal", "coFinancements", "besoins",
           "dateDeDebut", "dateDeFin", "anneeDeDebut", "anneeDeFin", "destinataires", "chantier", "defi",
           "enjeux")
SHEET, NEEDS_SHEET = "actions", "besoins"
NEEDS_HEADERS = ("code", "libellé")
JOINER = " ; "


def _day(value: str | None) -> date | None:
    """A date cell when a day is known; a year alone goes to the year column only."""
    return date.fromisoformat(value) if value and len(value) == 10 else None


def _numbered(number: int | str, text: str) -> str:
    return f"{number}{DASH}{text}"


def rows(data: domain.RoadmapFile) -> list[list[tabular.Cell]]:
    plan = domain.outline(data)
    defi_of = {id(c): s for s in plan.defis for c in s.chantiers}
    questions = {e.number: e.enjeu.question for e in plan.enjeux}
    out: list[list[tabular.Cell]] = []
    for chantier in plan.all_chantiers():
        section = defi_of.get(id(chantier))
        where = [
            _numbered(chantier.code, chantier.title) if chantier.code else chantier.title,
            _numbered(section.number, section.defi.title) if section else "",
            JOINER.join(_numbered(n, questions[n]) for n in plan.enjeux_of(chantier)),
        ]
        for a in chantier.actions:
            out.append([
                a.name, a.context, a.description, JOINER.join(a.carriers), a.budget,
                cofinancings_text(a), ", ".join(a.needs), _day(a.start), _day(a.end), a.start_year,
                a.end_year, JOINER.join(a.recipients), *where,
            ])
    return out


def to_xlsx(data: domain.RoadmapFile) -> bytes:
    title = f"{data.roadmap.name} : actions"
    book = load_workbook(io.BytesIO(tabular.to_xlsx(HEADERS, rows(data), SHEET, title)))
    needs = book.create_sheet(NEEDS_SHEET)
    needs.append(NEEDS_HEADERS)
    for code, label in domain.BESOINS.items():
        needs.append((code, label))
    for cell in needs[1]:
        cell.font = Font(bold=True)
    needs.column_dimensions["A"].width = max(len(code) for code in domain.BESOINS) + 2
    needs.column_dimensions["B"].width = max(len(label) for label in domain.BESOINS.values()) + 2
    tabular.print_setup(needs, "Besoins de la plateforme « Mon inclusion numérique »")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
