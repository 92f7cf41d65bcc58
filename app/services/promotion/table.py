"""A chantier table gives the roadmap its rows as chantiers (with their actions and resources), each
under the enjeu of its section."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain import roadmap as domain
from app.domain import tables as table_domain
from app.domain.errors import N_
from app.models import Action, Activity, Chantier, Enjeu, Item, Resource, Roadmap, TableRow, WorkshopGroup
from app.services import roadmaps, tables, workshops
from app.services.promotion.base import Form, Run, check_ids, form_ids, provenance, same

STEP = 2
"""After the enjeux, which its rows go under."""

# Where the two resource columns of a chantier table go on the chantier's resource list.
ROW_RESOURCES = {
    "resources_available": ("Ressources mobilisables", "connue-sans-lien"),
    "resources_needed": ("Ressources à mobiliser", "aucune"),
}
ROW_FIELDS = {"title", "objectives", "actions", "pilot", "doers", "associates", "obstacles", *ROW_RESOURCES}


@dataclass
class RowCandidate:
    row: TableRow
    title: str
    group: str
    promoted: bool


@dataclass
class SectionCandidates:
    label: str
    rows: list[RowCandidate]


@dataclass
class TableCandidates:
    activity: Activity
    sections: list[SectionCandidates]

    @property
    def empty(self) -> bool:
        return not any(s.rows for s in self.sections)


def gather(session: Session, roadmap: Roadmap, activity: Activity) -> TableCandidates:
    query = select(col(Chantier.source_row_id)).where(Chantier.roadmap_id == roadmap.id)
    promoted = {i for i in session.exec(query) if i is not None}
    groups = {g.id: g.name for g in workshops.groups_of(session, activity.workshop_id)}
    sections = tables.sections_of(session, activity)
    rows = tables.rows_of(session, activity.id, include_hidden=False)
    return TableCandidates(
        activity,
        [
            SectionCandidates(
                block.section.label,
                [
                    RowCandidate(
                        row,
                        row.cells.get("title", "").strip() or "(sans titre)",
                        groups.get(row.group_id, ""),
                        row.id in promoted,
                    )
                    for row in block.rows
                ],
            )
            for block in table_domain.arrange(sections, rows, list(groups))
        ],
    )


def choices(form: Form) -> list[int]:
    """The ids of the rows ticked."""
    return form_ids(form, "ligne", N_("Ligne(s) du tableau"))


def check(session: Session, roadmap: Roadmap, offers: list[TableCandidates], row_ids: list[int]) -> None:
    known = {rc.row.id for t in offers for s in t.sections for rc in s.rows}
    check_ids(row_ids, known, N_("Ligne(s) du tableau"))


def bring(run: Run, offers: list[TableCandidates], row_ids: list[int]) -> None:
    rows = {rc.row.id: (t, s, rc) for t in offers for s in t.sections for rc in s.rows}
    for row_id in row_ids:
        table, section, row_candidate = rows[row_id]
        if row_candidate.promoted:
            run.summary.skipped += 1
            continue
        enjeu = _enjeu_of_section(run, table.activity, row_candidate.row, section.label)
        run.took(enjeu)
        run.summary.actions += _add_chantier(run, table.activity, row_candidate.row, enjeu)
        run.next_chantier += 1
        run.summary.chantiers += 1


def _enjeu_of_section(run: Run, table: Activity, row: TableRow, label: str) -> Enjeu:
    """The roadmap enjeu a table row answers: the one promoted from the section's kept item, else
    the one with the section's question, else a new enjeu with that question."""
    item_id = int(row.section[5:]) if row.section.startswith("item-") and row.section[5:].isdigit() else None
    if item_id in run.by_item:
        return run.by_item[item_id]
    item = run.session.get(Item, item_id) if item_id else None
    question = (item.text if item else label) or f"Enjeu de « {table.title} »"
    for enjeu in roadmaps.enjeux_of(run.session, run.roadmap.id):
        if same(enjeu.question, question):
            return enjeu
    enjeu = Enjeu(
        roadmap_id=run.roadmap.id,
        position=run.next_enjeu,
        question=question[:1000],
        source_item_id=item.id if item else None,
        provenance=provenance(run.workshop, table),
    )
    run.session.add(enjeu)
    run.session.flush()
    if item:
        run.by_item[item.id] = enjeu
    return enjeu


def _add_chantier(run: Run, table: Activity, row: TableRow, enjeu: Enjeu) -> int:
    """The row's chantier, at the next position; how many actions it has."""
    session = run.session
    cells = {k: v.strip() for k, v in row.cells.items() if isinstance(v, str)}
    labels = {c.key: c.label for c in table_domain.columns_of(table.config)}
    extra = [f"{labels.get(k, k)} : {v}" for k, v in cells.items() if v and k not in ROW_FIELDS]
    group = session.get(WorkshopGroup, row.group_id) if row.group_id else None
    chantier = Chantier(
        roadmap_id=run.roadmap.id,
        position=run.next_chantier,
        title=(cells.get("title") or "Chantier sans titre")[:500],
        description="\n".join(extra)[:20000],
        objectives=domain.split_lines(cells.get("objectives", "")),
        obstacles=domain.split_lines(cells.get("obstacles", "")),
        pilot=cells.get("pilot", "")[:1000],
        doers=cells.get("doers", "")[:1000],
        associates=cells.get("associates", "")[:2000],
        coordinator=(f"Proposé par « {group.name} »" if group else "")[:500],
        enjeu_id=enjeu.id,
        source_row_id=row.id,
    )
    session.add(chantier)
    session.flush()
    actions = domain.split_lines(cells.get("actions", ""))
    for n, name in enumerate(actions):
        session.add(Action(chantier_id=chantier.id, position=n, name=name[:500]))
    n = 0
    for key, (category, link) in ROW_RESOURCES.items():
        for name in domain.split_lines(cells.get(key, "")):
            session.add(
                Resource(chantier_id=chantier.id, position=n, name=name[:200], category=category, link=link)
            )
            n += 1
    return len(actions)
