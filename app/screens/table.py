"""The chantier table (fiche outil n° 3): per enjeu, sub-groups fill one row per chantier.

Phones show their sub-group's rows (written by any of its members) and edit them in a sheet that
survives live refreshes (`hx-preserve`); every write announces MODERATION so that the phones of
the sub-group see each other's rows. A stale edit is refused with 409 and the current version,
her text kept, so she can merge.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain import tables as domain
from app.models import Activity, TableRow, Workshop
from app.services import participants, tables, workshops

# ---------------------------------------------------------------- what the screens show


@dataclass
class Table:
    """A table as a screen shows it: its columns, its sections with their rows, its target."""

    columns: list[domain.Column]
    sections: list[domain.SectionRows]
    target: int
    use_groups: bool
    names: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(1 for s in self.sections for r in s.rows if not r.hidden)

    def preview(self, row: TableRow, most: int, limit: int) -> list[tuple[domain.Column, str]]:
        """The row's first filled cells after its title, abridged."""
        out = [(c, domain.abridge(row.cells[c.key], limit)) for c in self.columns
               if c.key != domain.TITLE and row.cells.get(c.key)]
        return out[:most]

    def cell(self, row: TableRow, key: str, limit: int) -> str:
        return domain.abridge(row.cells.get(key, ""), limit)

    def filled(self, row: TableRow) -> int:
        return domain.filled(row.cells, self.columns)

    def shown(self, section: domain.SectionRows) -> int:
        return sum(1 for r in section.rows if not r.hidden)


def _table(session: Session, activity: Activity, include_hidden: bool,
           group_ids: list[int | None] | None = None) -> Table:
    sections = tables.sections_of(session, activity)
    rows = tables.rows_of(session, activity.id, include_hidden)
    order = group_ids if group_ids is not None else [
        g.id for g in workshops.groups_of(session, activity.workshop_id)]
    return Table(domain.columns_of(activity.config), domain.arrange(sections, rows, order),
                 activity.config.get("target_rows", 5), bool(activity.config.get("use_groups")),
                 tables.names_of(session, {r.updated_by for r in rows}))


def board(session: Session, activity: Activity) -> dict[str, Any]:
    table = _table(session, activity, include_hidden=False)
    return {"tbl": table, "count": table.count}


def board_for_group(session: Session, activity: Activity, group_id: int | None) -> dict[str, Any]:
    """The table on the board: the whole room's, or one sub-group's rows (group_id)."""
    table = _table(session, activity, include_hidden=False)
    if group_id is not None:
        table = _only_group(table, group_id)
    return {"tbl": table, "count": table.count}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    table = _table(session, activity, include_hidden=True)
    return {"tbl": table, "count": table.count}


def _only_group(table: Table, group_id: int | None) -> Table:
    sections = [domain.SectionRows(s.section, [g for g in s.groups if g.group_id == group_id])
                for s in table.sections]
    sections = [s for s in sections if s.section.key != domain.ORPHAN_KEY or s.groups]
    return Table(table.columns, sections, table.target, table.use_groups, table.names)


PERSONAL = ("marked",)
"""The rows of her sub-group's table she saved last, which her page marks « par vous »
(`views.PhoneView`, `mine.html`)."""


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each phone sees its sub-group's rows (the whole room's without sub-groups)."""
    table = _table(session, activity, include_hidden=True)
    group_of = participants.groups_of(session, participant_ids) if table.use_groups else {}
    views: dict[int | None, tuple[Table, dict[int | None, list[TableRow]]]] = {}
    out: dict[int, dict[str, Any]] = {}
    for pid in participant_ids:
        gid = group_of.get(pid)
        if gid not in views:
            view = _only_group(table, gid) if table.use_groups else table
            by_author: dict[int | None, list[TableRow]] = {}
            for section in view.sections:
                for row in section.rows:
                    by_author.setdefault(row.updated_by, []).append(row)
            views[gid] = view, by_author
        view, by_author = views[gid]
        need_group = table.use_groups and gid is None
        out[pid] = {"tbl": view, "need_group": need_group,
                    "marked": [] if need_group else by_author.get(pid, [])}
    return out


# ---------------------------------------------------------------- the row editor


@dataclass
class Editor:
    """What the editor sheet shows: a new row or an existing one, her text, and how it went."""

    activity: Activity
    workshop: Workshop
    columns: list[domain.Column]
    section: domain.Section | None
    row: TableRow | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    key: str = ""
    status: str = ""  # "", "saved", "conflict"
    message: str = ""
    changed: list[str] = field(default_factory=list)
    facilitator: bool = False

    @property
    def current(self) -> Mapping[str, str]:
        return self.row.cells if self.row is not None else {}

    @property
    def action(self) -> str:
        if self.facilitator:
            return f"/f/table-rows/{self.row.id}" if self.row else ""
        base = f"/p/{self.workshop.join_code}/activities/{self.activity.id}/rows"
        return f"{base}/{self.row.id}" if self.row is not None else base

    @property
    def target(self) -> str:
        return "#ctl-editor" if self.facilitator else f"#tbl-editor-{self.activity.id}"

    @property
    def id_prefix(self) -> str:
        return "fcell" if self.facilitator else f"cell-{self.activity.id}"


def section_of(session: Session, activity: Activity, key: str) -> domain.Section:
    """The section a row belongs to (for the editor's heading), even if no longer a section."""
    for section in tables.sections_of(session, activity):
        if section.key == key:
            return section
    return domain.Section(key, i18n.gettext("Enjeu qui n'est plus retenu"), 0)
