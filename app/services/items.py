"""Post-its: idempotent posting by participants, moderation by the facilitator."""

import re

from sqlmodel import Session, col, select

from app.domain.errors import N_, DomainError, NotAllowed, NotFound
from app.domain.items import ItemView, check_category, clean_text, plan_merge
from app.domain.kinds import KINDS
from app.domain.provenance import ItemLink
from app.models import Activity, Item, Participant, utcnow
from app.publishing import ITEMS, MODERATION, Publisher, publish_safely
from app.services import participants, workshops
from app.services.storage import insert_once

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise DomainError(N_("Clé d'idempotence invalide (8 à 64 caractères A-Z, a-z, 0-9, - ou _)."))
    return key


def _existing(session: Session, participant_id: int, key: str) -> Item | None:
    return session.exec(
        select(Item).where(Item.participant_id == participant_id, Item.client_key == key)
    ).first()


def post(
    session: Session,
    participant: Participant,
    activity_id: int,
    text: str,
    category: str = "",
    group_id: int | None = None,
    client_key: str = "",
    *,
    publisher: Publisher,
) -> tuple[Item, bool]:
    """Store a post-it once per idempotency key; returns (item, created)."""
    key = check_key(client_key)
    previous = _existing(session, participant.id, key)
    if previous is not None:
        return previous, False
    activity = workshops.open_activity(session, participant, activity_id, "postits")
    config = activity.config
    clean = clean_text(text, config.get("max_length", 280))
    cat = check_category(category, config.get("categories", []))
    group_id = participants.choose_group(session, participant, group_id) if config.get("use_groups") else None
    item = Item(activity_id=activity.id, participant_id=participant.id, group_id=group_id,
                category=cat, text=clean, client_key=key)
    stored, created = insert_once(session, item, lambda: _existing(session, participant.id, key))
    if created:
        publish_safely(publisher, participant.workshop_id, ITEMS)
    return stored, created


def add_by_facilitator(session: Session, activity: Activity, text: str, category: str = "", *,
                       publisher: Publisher) -> Item:
    kind = KINDS.get(activity.kind)
    if kind is None or not kind.listed:
        raise NotAllowed(N_("Cette activité n'a pas de liste d'éléments."))
    item = Item(activity_id=activity.id, source="facilitator",
                text=clean_text(text, activity.config.get("max_length", 280)),
                category=check_category(category, activity.config.get("categories", [])))
    session.add(item)
    session.commit()
    session.refresh(item)
    publish_safely(publisher, activity.workshop_id, MODERATION)
    return item


def of_participants(session: Session, participant_ids: list[int],
                    activity_id: int) -> dict[int, list[Item]]:
    found: dict[int, list[Item]] = {}
    if participant_ids:
        for item in session.exec(
            select(Item).where(col(Item.participant_id).in_(participant_ids),
                               Item.activity_id == activity_id).order_by(col(Item.id))
        ):
            if item.participant_id is not None:
                found.setdefault(item.participant_id, []).append(item)
    return found


def of_activity(session: Session, activity_id: int) -> list[Item]:
    return list(session.exec(select(Item).where(Item.activity_id == activity_id).order_by(col(Item.id))))


def get(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(N_("Élément %(item_id)s introuvable."), item_id=item_id)
    return item


def set_hidden(session: Session, activity: Activity, item: Item, hidden: bool, *,
               publisher: Publisher) -> None:
    item.hidden = hidden
    session.add(item)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)


def edit(session: Session, activity: Activity, item: Item, text: str, category: str, *,
         publisher: Publisher) -> None:
    item.text = clean_text(text, activity.config.get("max_length", 280))
    item.category = check_category(category, activity.config.get("categories", []))
    item.edited = True
    session.add(item)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)


def merge(session: Session, activity: Activity, item_ids: list[int], text: str | None, *,
          publisher: Publisher) -> Item:
    found = list(session.exec(select(Item).where(col(Item.id).in_(item_ids))))
    missing = set(item_ids) - {i.id for i in found}
    if missing:
        raise NotFound(N_("Post-it %(id)s introuvable."), id=min(missing))
    views = [ItemView(i.id, i.activity_id, i.text, i.category, i.hidden, i.merged_into_id)
             for i in found]
    plan = plan_merge(views, activity.id, text, activity.config.get("max_length", 280))
    groups = {i.group_id for i in found}
    merged = Item(activity_id=activity.id, source="merge", text=plan.text, category=plan.category,
                  group_id=groups.pop() if len(groups) == 1 else None, created_at=utcnow())
    session.add(merged)
    session.flush()
    for item in found:
        item.merged_into_id = merged.id
        session.add(item)
    session.commit()
    session.refresh(merged)
    publish_safely(publisher, activity.workshop_id, MODERATION)
    return merged


def unmerge(session: Session, activity: Activity, merged: Item, *, publisher: Publisher) -> None:
    if merged.source != "merge":
        raise NotAllowed(N_("Ce post-it n'est pas issu d'une fusion."))
    for original in session.exec(select(Item).where(Item.merged_into_id == merged.id)):
        original.merged_into_id = None
        session.add(original)
    session.delete(merged)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)


def links_of_workshop(session: Session, workshop_id: int) -> dict[int, ItemLink]:
    """Every item of the workshop (provenance never leaves a workshop), in one query."""
    query = (select(Item.id, Item.text, Item.origin_id, Item.merged_into_id)
             .join(Activity, col(Activity.id) == col(Item.activity_id))
             .where(Activity.workshop_id == workshop_id))
    return {i: ItemLink(i, text, origin, merged) for i, text, origin, merged in session.exec(query)}
