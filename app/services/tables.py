"""The chantier table: sub-groups add and edit rows; the facilitator edits and hides them.

Several phones of one sub-group edit the same row. Every edit names the version it started from
and is written with `UPDATE … WHERE id = ? AND version = ?`: if someone saved in between, no row
matches and the edit is refused (`StaleRow`, HTTP 409) with the current version, instead of
silently overwriting it.
"""

import logging
from collections.abc import Mapping

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.domain import tables as domain
from app.domain.errors import N_, DomainError, Forbidden, NotAllowed, NotFound, Said
from app.models import Activity, Item, Participant, ParticipantIdentity, TableRow, WorkshopGroup, utcnow
from app.publishing import MODERATION, Publisher, publish_safely
from app.services import orders, participants, workshops
from app.services.items import check_key
from app.services.storage import insert_once

log = logging.getLogger("cap.tables")
ALL_ITEMS = 1000  # more than a list can hold: the whole aggregated order


class StaleRow(NotAllowed):
    """An edit that started from a version that is no longer the current one."""

    def __init__(self, row: TableRow, message: Said) -> None:
        super().__init__(message.template, **message.params)
        self.row = row
        self.said_message = message


def activity_of(session: Session, participant: Participant, activity_id: int, kind: str) -> Activity:
    """The activity a participant looks at (open or not)."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.workshop_id != participant.workshop_id or activity.kind != kind:
        raise NotFound(N_("Activité %(activity_id)s introuvable dans cet atelier."), activity_id=activity_id)
    return activity


def choose_group(session: Session, participant: Participant, group_id: int) -> None:
    participants.choose_group(session, participant, group_id)
    session.commit()


# ---------------------------------------------------------------- reading


def sections_of(session: Session, activity: Activity) -> list[domain.Section]:
    """The table's enjeux: fixed by the template, or kept by the ranking named by `rows_from`."""
    rows_from = activity.config.get("rows_from")
    if not rows_from:
        return domain.fixed_sections(activity.config.get("sections"))
    source = workshops.activity_by_ref(session, activity.workshop_id, rows_from.get("activity"))
    if source is None:
        return []
    kept = list(session.exec(
        select(Item).where(Item.activity_id == source.id, col(Item.kept),
                           col(Item.hidden).is_(False), col(Item.merged_into_id).is_(None))
        .order_by(col(Item.id))))
    return domain.item_sections(_ranked(session, source, kept))


def _ranked(session: Session, source: Activity, kept: list[Item]) -> list[tuple[int, str]]:
    """Kept enjeux in the ranking's order when its kind can tell it, else in list order."""
    top = orders.ORDERS.get(source.kind)
    order: dict[int, int] = {}
    if top is not None and kept:
        try:
            order = {item.id: n for n, item in enumerate(top(session, source, ALL_ITEMS))}
        except Exception:  # the order is a courtesy: the sections themselves are the kept items
            log.warning("no aggregated order for activity %s; kept enjeux in list order", source.id,
                        exc_info=True)
            order = {}
    kept.sort(key=lambda i: (order.get(i.id, len(order)), i.id))
    return [(i.id, i.text) for i in kept]


def rows_of(session: Session, activity_id: int, include_hidden: bool = True) -> list[TableRow]:
    query = select(TableRow).where(TableRow.activity_id == activity_id)
    if not include_hidden:
        query = query.where(col(TableRow.hidden).is_(False))
    return list(session.exec(query.order_by(col(TableRow.position), col(TableRow.id))))


def row_of(session: Session, activity: Activity, row_id: int) -> TableRow:
    row = session.get(TableRow, row_id)
    if row is None or row.activity_id != activity.id:
        raise NotFound(N_("Chantier %(row_id)s introuvable dans ce tableau."), row_id=row_id)
    return row


def get_row(session: Session, row_id: int) -> TableRow:
    row = session.get(TableRow, row_id)
    if row is None:
        raise NotFound(N_("Chantier %(row_id)s introuvable."), row_id=row_id)
    return row


def names_of(session: Session, participant_ids: set[int | None]) -> dict[int, str]:
    ids = [i for i in participant_ids if i is not None]
    if not ids:
        return {}
    found = session.exec(select(ParticipantIdentity.participant_id, ParticipantIdentity.display_name)
                         .where(col(ParticipantIdentity.participant_id).in_(ids)))
    return {pid: name for pid, name in found.all()}


def check_may_edit(activity: Activity, row: TableRow, participant: Participant,
                   groups: Mapping[int, WorkshopGroup]) -> None:
    """A sub-group edits its own rows (the whole room shares them when there are no sub-groups)."""
    if row.hidden:
        raise NotAllowed(N_("Ce chantier a été masqué par l'animateur : il ne peut plus être modifié."))
    if activity.config.get("use_groups") and row.group_id != participant.group_id:
        owner = groups.get(row.group_id) if row.group_id is not None else None
        if owner is None:
            raise Forbidden(N_("Ce chantier appartient à un autre sous-groupe : seul ce sous-groupe peut le "
                               "modifier."))
        raise Forbidden(N_("Ce chantier appartient au sous-groupe « %(group)s » : seul ce sous-groupe "
                           "peut le modifier."), group=owner.name)


# ---------------------------------------------------------------- writing


def _existing(session: Session, participant_id: int, key: str) -> TableRow | None:
    return session.exec(select(TableRow).where(TableRow.created_by == participant_id,
                                               TableRow.client_key == key)).first()


def create_row(session: Session, participant: Participant, activity_id: int, section_key: str,
               raw_cells: Mapping[str, str], client_key: str,
               group_id: int | None = None, *, publisher: Publisher) -> tuple[TableRow, bool]:
    """Add a chantier once per idempotency key; returns (row, created)."""
    key = check_key(client_key)
    previous = _existing(session, participant.id, key)
    if previous is not None:
        return previous, False
    activity = workshops.open_activity(session, participant, activity_id, "table")
    section = domain.check_section(section_key, sections_of(session, activity))
    cells = domain.merged_cells({}, domain.clean_cells(raw_cells, domain.columns_of(activity.config)))
    if activity.config.get("use_groups"):
        group_id = participants.choose_group(session, participant, group_id)
    elif group_id is not None:
        raise DomainError(N_("Ce tableau ne se remplit pas par sous-groupe."))
    positions = session.exec(select(TableRow.position).where(
        TableRow.activity_id == activity.id, TableRow.section == section.key,
        TableRow.group_id == group_id)).all()
    row = TableRow(activity_id=activity.id, section=section.key, group_id=group_id,
                   position=domain.next_position(positions), cells=cells, created_by=participant.id,
                   updated_by=participant.id, client_key=key)
    stored, created = insert_once(session, row, lambda: _existing(session, participant.id, key))
    if created:
        publish_safely(publisher, activity.workshop_id, MODERATION)
    return stored, created


def submit_row(session: Session, participant: Participant, activity_id: int, section_key: str,
               raw_cells: Mapping[str, str], client_key: str, group_id: int | None = None, *,
               publisher: Publisher) -> tuple[TableRow, bool]:
    """What a phone's « Ajouter » does: `create_row`; but a retry (the answer to the first try was
    lost) whose text changed meanwhile is an edit of the version the first try created (StaleRow
    if someone saved since). Returns (row, created)."""
    row, created = create_row(session, participant, activity_id, section_key, raw_cells, client_key,
                              group_id, publisher=publisher)
    if created:
        return row, True
    activity = workshops.get_activity(session, row.activity_id)
    mine = domain.merged_cells({}, domain.clean_cells(raw_cells, domain.columns_of(activity.config)))
    if mine == row.cells:
        return row, False
    activity, row = editable_row(session, participant, activity.id, row.id)
    return edit_row(session, activity, row, 1, raw_cells, participant, publisher=publisher), False


def editable_row(session: Session, participant: Participant, activity_id: int,
                 row_id: int) -> tuple[Activity, TableRow]:
    """The open table and one of its rows that the participant may edit."""
    activity = workshops.open_activity(session, participant, activity_id, "table")
    row = row_of(session, activity, row_id)
    check_may_edit(activity, row, participant,
                   {g.id: g for g in workshops.groups_of(session, activity.workshop_id)})
    return activity, row


def stale_message(activity: Activity, by_facilitator: bool) -> Said:
    """Shown in the reader's language where it is shown (a `Said`: the `said` filter)."""
    if by_facilitator or not activity.config.get("use_groups"):
        return Said(N_("Ce chantier a été modifié par quelqu'un d'autre pendant que vous écriviez : "
                       "voici la version actuelle… Votre texte est conservé : fusionnez puis enregistrez."))
    return Said(N_("Ce chantier a été modifié par quelqu'un d'autre de votre groupe pendant que vous "
                   "écriviez : voici la version actuelle… Votre texte est conservé : fusionnez puis "
                   "enregistrez."))


def edit_row(session: Session, activity: Activity, row: TableRow, version: int,
             raw_cells: Mapping[str, str], editor: Participant | None, *,
             publisher: Publisher) -> TableRow:
    """Save an edit that started from `version`; StaleRow if the row has changed since."""
    changes = domain.clean_cells(raw_cells, domain.columns_of(activity.config))
    cells = domain.merged_cells(row.cells, changes)
    if cells == row.cells:
        return row  # nothing of hers differs from the current version: nothing to overwrite
    if version != row.version:
        raise StaleRow(row, stale_message(activity, editor is None))
    result = session.exec(
        update(TableRow)
        .where(col(TableRow.id) == row.id, col(TableRow.version) == version)
        .values(cells=cells, version=version + 1, updated_at=utcnow(),
                updated_by=editor.id if editor else None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        session.refresh(row)
        raise StaleRow(row, stale_message(activity, editor is None))
    session.commit()
    session.refresh(row)
    publish_safely(publisher, activity.workshop_id, MODERATION)
    return row


def set_hidden(session: Session, activity: Activity, row: TableRow, hidden: bool, *,
               publisher: Publisher) -> None:
    row.hidden = hidden
    session.add(row)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)
