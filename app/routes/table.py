"""The chantier table's routes: phones add and edit their sub-group's rows in a sheet; the
facilitator edits and hides them. A stale edit is refused with 409 and the current version, her
text kept, so she can merge."""

import secrets
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.domain import tables as domain
from app.domain.errors import N_, DomainError, NotAllowed
from app.models import Activity, Participant, TableRow, Workshop
from app.publishing import Publisher
from app.screens import views
from app.screens.table import Editor, section_of
from app.services import tables, workshops
from app.web import (
    CONFLICT_HEADERS,
    FacilitatorDep,
    PublisherDep,
    SessionDep,
    SettingsDep,
    WriterDep,
    control_response,
    joined,
    pages,
)

CELL_PREFIX = "cell_"
router = APIRouter()


def _editor(request: Request, editor: Editor, status_code: int = 200) -> Response:
    """The row's editor; a conflict (409) says so to the phone's outbox."""
    return pages.TemplateResponse(request, "activities/table/_editor.html", {"ed": editor},
                                  status_code=status_code,
                                  headers=dict(CONFLICT_HEADERS) if status_code == 409 else {})


async def cell_fields(request: Request) -> dict[str, str]:
    """The cells of a row form (`cell_<column key>` fields); a field sent twice is refused."""
    form = await request.form()
    cells: dict[str, str] = {}
    for name, value in form.multi_items():
        if not name.startswith(CELL_PREFIX):
            continue
        key = name[len(CELL_PREFIX):]
        if not isinstance(value, str):
            raise DomainError(N_("La colonne « %(column)s » attend du texte."), column=key[:40])
        if key in cells:
            raise DomainError(N_("La colonne « %(column)s » est envoyée deux fois."), column=key[:40])
        cells[key] = value
    return cells


CellsDep = Annotated[dict[str, str], Depends(cell_fields)]


# ---------------------------------------------------------------- participant routes


@router.get("/p/{code}/activities/{activity_id}/rows/new", response_class=HTMLResponse)
def new_row_form(request: Request, code: str, activity_id: int, session: SessionDep,
                 section: str = "") -> Response:
    workshop, participant = joined(request, session, code)
    activity = workshops.open_activity(session, participant, activity_id, "table")
    if activity.config.get("use_groups") and participant.group_id is None:
        raise DomainError(N_("Choisissez votre sous-groupe avant d'écrire."))
    sec = domain.check_section(section, tables.sections_of(session, activity))
    return _editor(request, Editor(activity, workshop, domain.columns_of(activity.config), sec,
                                   key=secrets.token_urlsafe(18)))


@router.post("/p/{code}/activities/{activity_id}/rows", response_class=HTMLResponse)
async def create_row(
    request: Request, code: str, activity_id: int, writer: WriterDep, cells: CellsDep,
    section: Annotated[str, Form(max_length=24)],
    idempotency_key: Annotated[str, Form(max_length=200)],
    group_id: Annotated[int | None, Form()] = None,
) -> Response:
    def store(session: Session, publisher: Publisher) -> tuple[Editor, int]:
        workshop, participant = joined(request, session, code)
        try:
            row, created = tables.submit_row(session, participant, activity_id, section, cells,
                                             idempotency_key, group_id, publisher=publisher)
        except tables.StaleRow as stale:
            activity = workshops.get_activity(session, stale.row.activity_id)
            return _conflict(session, workshop, activity, stale, cells, participant), 409
        activity = workshops.get_activity(session, row.activity_id)
        editor = Editor(activity, workshop, domain.columns_of(activity.config),
                        section_of(session, activity, row.section), row, row.cells, status="saved")
        return editor, 201 if created else 200

    return _editor(request, *await writer.run(store))


@router.get("/p/{code}/activities/{activity_id}/rows/{row_id}/edit", response_class=HTMLResponse)
def edit_row_form(request: Request, code: str, activity_id: int, row_id: int,
                  session: SessionDep) -> Response:
    workshop, participant = joined(request, session, code)
    activity, row = tables.editable_row(session, participant, activity_id, row_id)
    return _editor(request, Editor(activity, workshop, domain.columns_of(activity.config),
                                   section_of(session, activity, row.section), row, row.cells))


@router.post("/p/{code}/activities/{activity_id}/rows/{row_id}", response_class=HTMLResponse)
async def save_row(request: Request, code: str, activity_id: int, row_id: int, writer: WriterDep,
                   cells: CellsDep, version: Annotated[int, Form(ge=1)]) -> Response:
    def store(session: Session, publisher: Publisher) -> tuple[Editor, int]:
        workshop, participant = joined(request, session, code)
        activity, row = tables.editable_row(session, participant, activity_id, row_id)
        return _save(session, publisher, workshop, activity, row, version, cells, participant)

    return _editor(request, *await writer.run(store))


def _save(session: Session, publisher: Publisher, workshop: Workshop, activity: Activity,
          row: TableRow, version: int, cells: Mapping[str, str],
          editor: Participant | None) -> tuple[Editor, int]:
    try:
        row = tables.edit_row(session, activity, row, version, cells, editor, publisher=publisher)
    except tables.StaleRow as stale:
        return _conflict(session, workshop, activity, stale, cells, editor), 409
    return Editor(activity, workshop, domain.columns_of(activity.config),
                  section_of(session, activity, row.section), row, row.cells,
                  status="saved", facilitator=editor is None), 200


def _conflict(session: Session, workshop: Workshop, activity: Activity, stale: tables.StaleRow,
              cells: Mapping[str, str], editor: Participant | None) -> Editor:
    """The current version, her text kept over it, the columns she changed named."""
    columns = domain.columns_of(activity.config)
    mine = {**stale.row.cells, **domain.clean_cells(cells, columns)}
    return Editor(activity, workshop, columns, section_of(session, activity, stale.row.section),
                  stale.row, mine, status="conflict", message=stale.said_message,
                  changed=domain.changed_columns(stale.row.cells, mine, columns),
                  facilitator=editor is None)


@router.post("/p/{code}/activities/{activity_id}/table-group", response_class=HTMLResponse)
def choose_group(request: Request, code: str, activity_id: int, session: SessionDep,
                 group_id: Annotated[int, Form()]) -> Response:
    workshop, participant = joined(request, session, code)
    activity = tables.activity_of(session, participant, activity_id, "table")
    if not activity.config.get("use_groups"):
        raise NotAllowed(N_("Ce tableau ne se remplit pas par sous-groupe."))
    tables.choose_group(session, participant, group_id)
    ctx = views.participant_view(session, workshop, participant)
    return pages.TemplateResponse(request, "participant/page.html", ctx, block_name="p_activity")


# ---------------------------------------------------------------- facilitator routes


def _owned_row(session: Session, me_id: int, row_id: int) -> tuple[TableRow, Activity]:
    row = tables.get_row(session, row_id)
    return row, workshops.owned_activity(session, me_id, row.activity_id)


@router.get("/f/table-rows/{row_id}/edit", response_class=HTMLResponse)
def facilitator_edit_form(request: Request, row_id: int, me: FacilitatorDep,
                          session: SessionDep) -> Response:
    row, activity = _owned_row(session, me.id, row_id)
    workshop = workshops.get_owned(session, me.id, activity.workshop_id)
    return _editor(request, Editor(activity, workshop, domain.columns_of(activity.config),
                                   section_of(session, activity, row.section), row, row.cells,
                                   facilitator=True))


@router.post("/f/table-rows/{row_id}", response_class=HTMLResponse)
def facilitator_save(request: Request, row_id: int, me: FacilitatorDep, session: SessionDep,
                     publisher: PublisherDep, cells: CellsDep,
                     version: Annotated[int, Form(ge=1)]) -> Response:
    row, activity = _owned_row(session, me.id, row_id)
    workshop = workshops.get_owned(session, me.id, activity.workshop_id)
    return _editor(request, *_save(session, publisher, workshop, activity, row, version, cells, None))


@router.post("/f/table-rows/{row_id}/hidden", response_class=HTMLResponse)
def facilitator_hide(request: Request, row_id: int, me: FacilitatorDep, session: SessionDep,
                     settings: SettingsDep, publisher: PublisherDep,
                     hidden: Annotated[bool, Form()]) -> Response:
    row, activity = _owned_row(session, me.id, row_id)
    tables.set_hidden(session, activity, row, hidden, publisher=publisher)
    return control_response(request, session, settings, activity.workshop_id, "ctl_main")
