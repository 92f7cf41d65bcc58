"""The chantier table (fiche outil n° 3): per enjeu, sub-groups fill one row per chantier.

Phones show their sub-group's rows (written by any of its members) and edit them in a sheet that
survives live refreshes (`hx-preserve`); every write announces MODERATION so that the phones of
the sub-group see each other's rows. A stale edit is refused with 409 and the current version,
her text kept, so she can merge.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from app.domain import tables as domain
from app.domain.errors import DomainError, NotAllowed
from app.models import Activity, Participant, TableRow, Workshop, WorkshopGroup
from app.realtime import MODERATION
from app.services import tables, workshops
from app.web import FacilitatorDep, SessionDep, SettingsDep, control_response, identify, templates

LIVE_DEFAULT = True
CELL_PREFIX = "cell_"
CONFLICT_HEADERS = {"X-Cap-Conflict": "stale"}
router = APIRouter()


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


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each phone sees its sub-group's rows (the whole room's without sub-groups)."""
    table = _table(session, activity, include_hidden=True)
    if not table.use_groups:
        return {pid: {"tbl": table, "need_group": False} for pid in participant_ids}
    group_of: dict[int, int | None] = {}
    if participant_ids:
        group_of = dict(session.exec(select(Participant.id, Participant.group_id)
                                     .where(col(Participant.id).in_(participant_ids))).all())
    views: dict[int | None, Table] = {}
    out: dict[int, dict[str, Any]] = {}
    for pid in participant_ids:
        gid = group_of.get(pid)
        if gid not in views:
            views[gid] = _only_group(table, gid)
        out[pid] = {"tbl": views[gid], "need_group": gid is None}
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


def _section_of(session: Session, activity: Activity, key: str) -> domain.Section:
    """The section a row belongs to (for the editor's heading), even if no longer a section."""
    for section in tables.sections_of(session, activity):
        if section.key == key:
            return section
    return domain.Section(key, "Enjeu qui n'est plus retenu", 0)


def _editor(request: Request, editor: Editor, status_code: int = 200,
            headers: Mapping[str, str] | None = None) -> Response:
    return templates.TemplateResponse(request, "activities/table/_editor.html", {"ed": editor},
                                      status_code=status_code, headers=dict(headers or {}))


async def cell_fields(request: Request) -> dict[str, str]:
    """The cells of a row form (`cell_<column key>` fields); a field sent twice is refused."""
    form = await request.form()
    cells: dict[str, str] = {}
    for name, value in form.multi_items():
        if not name.startswith(CELL_PREFIX):
            continue
        key = name[len(CELL_PREFIX):]
        if not isinstance(value, str):
            raise DomainError(f"La colonne « {key[:40]} » attend du texte.")
        if key in cells:
            raise DomainError(f"La colonne « {key[:40]} » est envoyée deux fois.")
        cells[key] = value
    return cells


CellsDep = Annotated[dict[str, str], Depends(cell_fields)]


class NotJoined(DomainError):
    status = 401


def participant_of(request: Request, session: Session, code: str) -> tuple[Workshop, Participant]:
    workshop = workshops.by_code(session, code)
    participant = identify(request, session, workshop)
    if participant is None:
        raise NotJoined("Rejoignez d'abord l'atelier.")
    return workshop, participant


def _groups(session: Session, workshop_id: int) -> dict[int, WorkshopGroup]:
    return {g.id: g for g in workshops.groups_of(session, workshop_id)}


# ---------------------------------------------------------------- participant routes


@router.get("/p/{code}/activities/{activity_id}/rows/new", response_class=HTMLResponse)
def new_row_form(request: Request, code: str, activity_id: int, session: SessionDep,
                 section: str = "") -> Response:
    workshop, participant = participant_of(request, session, code)
    activity = workshops.open_activity(session, participant, activity_id, "table")
    if activity.config.get("use_groups") and participant.group_id is None:
        raise DomainError("Choisissez votre sous-groupe avant d'écrire.")
    sec = domain.check_section(section, tables.sections_of(session, activity))
    return _editor(request, Editor(activity, workshop, domain.columns_of(activity.config), sec,
                                   key=secrets.token_urlsafe(18)))


@router.post("/p/{code}/activities/{activity_id}/rows", response_class=HTMLResponse)
def create_row(
    request: Request, code: str, activity_id: int, session: SessionDep, cells: CellsDep,
    section: Annotated[str, Form(max_length=24)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    workshop, participant = participant_of(request, session, code)
    row, created = tables.create_row(session, participant, activity_id, section, cells,
                                     idempotency_key, group_id)
    activity = session.get(Activity, row.activity_id)
    columns = domain.columns_of(activity.config)
    if not created:
        # A retry (the answer to the first try was lost). If she changed her text meanwhile,
        # it is an edit of the version her first try created.
        mine = domain.merged_cells({}, domain.clean_cells(cells, columns))
        if mine != row.cells:
            workshops.open_activity(session, participant, activity.id, "table")
            tables.check_may_edit(activity, row, participant, _groups(session, workshop.id))
            return _save(request, session, workshop, activity, row, 1, cells, participant)
    else:
        request.app.state.live.announce(workshop.id, MODERATION)
    editor = Editor(activity, workshop, columns, _section_of(session, activity, row.section), row,
                    row.cells, status="saved")
    return _editor(request, editor, 201 if created else 200)


@router.get("/p/{code}/activities/{activity_id}/rows/{row_id}/edit", response_class=HTMLResponse)
def edit_row_form(request: Request, code: str, activity_id: int, row_id: int,
                  session: SessionDep) -> Response:
    workshop, participant = participant_of(request, session, code)
    activity = workshops.open_activity(session, participant, activity_id, "table")
    row = tables.row_of(session, activity, row_id)
    tables.check_may_edit(activity, row, participant, _groups(session, workshop.id))
    return _editor(request, Editor(activity, workshop, domain.columns_of(activity.config),
                                   _section_of(session, activity, row.section), row, row.cells))


@router.post("/p/{code}/activities/{activity_id}/rows/{row_id}", response_class=HTMLResponse)
def save_row(request: Request, code: str, activity_id: int, row_id: int, session: SessionDep,
             cells: CellsDep, version: Annotated[int, Form(ge=1)]) -> Response:
    workshop, participant = participant_of(request, session, code)
    activity = workshops.open_activity(session, participant, activity_id, "table")
    row = tables.row_of(session, activity, row_id)
    tables.check_may_edit(activity, row, participant, _groups(session, workshop.id))
    return _save(request, session, workshop, activity, row, version, cells, participant)


def _save(request: Request, session: Session, workshop: Workshop, activity: Activity,
          row: TableRow, version: int, cells: Mapping[str, str],
          editor: Participant | None) -> Response:
    columns = domain.columns_of(activity.config)
    section = _section_of(session, activity, row.section)
    try:
        row = tables.edit_row(session, activity, row, version, cells, editor)
    except tables.StaleRow as stale:
        mine = {**stale.row.cells, **domain.clean_cells(cells, columns)}
        view = Editor(activity, workshop, columns, section, stale.row, mine, status="conflict",
                      message=stale.message, changed=domain.changed_columns(stale.row.cells, mine, columns),
                      facilitator=editor is None)
        return _editor(request, view, 409, CONFLICT_HEADERS)
    request.app.state.live.announce(workshop.id, MODERATION)
    return _editor(request, Editor(activity, workshop, columns, section, row, row.cells,
                                   status="saved", facilitator=editor is None))


@router.post("/p/{code}/activities/{activity_id}/table-group", response_class=HTMLResponse)
def choose_group(request: Request, code: str, activity_id: int, session: SessionDep,
                 group_id: Annotated[int, Form()]) -> Response:
    from app.services import views  # views reads the registry, which imports this module

    workshop, participant = participant_of(request, session, code)
    activity = tables.activity_of(session, participant, activity_id, "table")
    if not activity.config.get("use_groups"):
        raise NotAllowed("Ce tableau ne se remplit pas par sous-groupe.")
    tables.choose_group(session, participant, group_id)
    ctx = views.participant_view(session, workshop, participant)
    return templates.TemplateResponse(request, "participant/page.html", ctx, block_name="p_activity")


# ---------------------------------------------------------------- facilitator routes


def _owned_row(session: Session, me_id: int, row_id: int) -> tuple[TableRow, Activity]:
    row = tables.get_row(session, row_id)
    return row, workshops.owned_activity(session, me_id, row.activity_id)


@router.get("/f/table-rows/{row_id}/edit", response_class=HTMLResponse)
def facilitator_edit_form(request: Request, row_id: int, me: FacilitatorDep,
                          session: SessionDep) -> Response:
    row, activity = _owned_row(session, me.id, row_id)
    workshop = session.get(Workshop, activity.workshop_id)
    return _editor(request, Editor(activity, workshop, domain.columns_of(activity.config),
                                   _section_of(session, activity, row.section), row, row.cells,
                                   facilitator=True))


@router.post("/f/table-rows/{row_id}", response_class=HTMLResponse)
def facilitator_save(request: Request, row_id: int, me: FacilitatorDep, session: SessionDep,
                     cells: CellsDep, version: Annotated[int, Form(ge=1)]) -> Response:
    row, activity = _owned_row(session, me.id, row_id)
    workshop = session.get(Workshop, activity.workshop_id)
    return _save(request, session, workshop, activity, row, version, cells, None)


@router.post("/f/table-rows/{row_id}/hidden", response_class=HTMLResponse)
def facilitator_hide(request: Request, row_id: int, me: FacilitatorDep, session: SessionDep,
                     settings: SettingsDep, hidden: Annotated[bool, Form()]) -> Response:
    row, activity = _owned_row(session, me.id, row_id)
    tables.set_hidden(session, row, hidden)
    request.app.state.live.announce(activity.workshop_id, MODERATION)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
