"""The resource map of a chantier: participants add resources and set the state of each link.

A resource is on the map once per category (a database constraint on its normalised name):
adding it again returns the one already there. Changing a link's state names the version it
was seen at and is written with `UPDATE … WHERE id = ? AND version = ?`, so two people tapping
different states at the same moment cannot silently undo each other.
"""

from typing import TypedDict

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain import resource_map as domain
from app.domain.errors import N_, DomainError, NotAllowed, NotFound, Said, Term
from app.models import Activity, Participant, ResourceLink, utcnow
from app.publishing import MODERATION, Publisher, publish_safely
from app.services import participants, workshops
from app.services.items import check_key


class StaleResource(NotAllowed):
    def __init__(self, resource: ResourceLink, message: Said) -> None:
        super().__init__(message.template, **message.params)
        self.resource = resource
        self.said_message = message


def categories_of(activity: Activity) -> list[str]:
    return list(activity.config.get("categories") or [])


def resources_of(session: Session, activity_id: int, include_hidden: bool = True) -> list[ResourceLink]:
    query = select(ResourceLink).where(ResourceLink.activity_id == activity_id)
    if not include_hidden:
        query = query.where(col(ResourceLink.hidden).is_(False))
    return list(session.exec(query.order_by(col(ResourceLink.id))))


def resource_of(session: Session, activity: Activity, resource_id: int) -> ResourceLink:
    resource = session.get(ResourceLink, resource_id)
    if resource is None or resource.activity_id != activity.id:
        raise NotFound(N_("Ressource %(resource_id)s introuvable sur cette carte."), resource_id=resource_id)
    return resource


def get(session: Session, resource_id: int) -> ResourceLink:
    resource = session.get(ResourceLink, resource_id)
    if resource is None:
        raise NotFound(N_("Ressource %(resource_id)s introuvable."), resource_id=resource_id)
    return resource


def _by_key(session: Session, participant_id: int, key: str) -> ResourceLink | None:
    return session.exec(select(ResourceLink).where(ResourceLink.created_by == participant_id,
                                                   ResourceLink.client_key == key)).first()


def _by_name(session: Session, activity_id: int, category: str, key: str) -> ResourceLink | None:
    return session.exec(select(ResourceLink).where(
        ResourceLink.activity_id == activity_id, ResourceLink.category == category,
        ResourceLink.name_key == key)).first()


def add(session: Session, participant: Participant, activity_id: int, name: str, category: str,
        state: str, client_key: str, group_id: int | None = None, *,
        publisher: Publisher) -> tuple[ResourceLink, str]:
    """A participant puts a resource on the map, once per idempotency key.

    Returns (resource, outcome), outcome being "created", "replayed" (the same request again) or
    "exists" (a resource of that name was already in that category: it is returned unchanged).
    """
    key = check_key(client_key)
    previous = _by_key(session, participant.id, key)
    if previous is not None:
        return previous, "replayed"
    activity = workshops.open_activity(session, participant, activity_id, "resources")
    values = _checked(activity, name, category, state)
    if activity.config.get("use_groups"):
        group_id = participants.choose_group(session, participant, group_id)
    elif group_id is not None:
        raise DomainError(N_("Cette carte ne se remplit pas par sous-groupe."))
    return _insert(session, activity, ResourceLink(activity_id=activity.id, group_id=group_id,
                                                   created_by=participant.id,
                                                   updated_by=participant.id, client_key=key,
                                                   **values), publisher)


def add_by_facilitator(session: Session, activity: Activity, name: str, category: str, state: str,
                       note: str = "", *, publisher: Publisher) -> tuple[ResourceLink, str]:
    """A resource named aloud or written on paper, typed in by the facilitator."""
    if activity.kind != "resources":
        raise NotAllowed(N_("Cette activité n'est pas une cartographie des ressources."))
    values = _checked(activity, name, category, state)
    return _insert(session, activity, ResourceLink(activity_id=activity.id,
                                                   note=domain.clean_note(note), **values),
                   publisher)


class _Checked(TypedDict):
    name: str
    name_key: str
    category: str
    state: str


def _checked(activity: Activity, name: str, category: str, state: str) -> _Checked:
    clean = domain.clean_name(name)
    return _Checked(name=clean, name_key=domain.name_key(clean),
                    category=domain.check_category(category, categories_of(activity)),
                    state=domain.check_state(state))


def _insert(session: Session, activity: Activity, resource: ResourceLink,
            publisher: Publisher) -> tuple[ResourceLink, str]:
    same = _by_name(session, resource.activity_id, resource.category, resource.name_key)
    if same is not None:
        return same, "exists"
    session.add(resource)
    try:
        session.commit()
    except IntegrityError:
        # Raced in: the same request (same key) or the same name from someone else.
        session.rollback()
        key, pid = resource.client_key, resource.created_by
        if key and pid is not None and (previous := _by_key(session, pid, key)) is not None:
            return previous, "replayed"
        same = _by_name(session, resource.activity_id, resource.category, resource.name_key)
        if same is None:
            raise
        return same, "exists"
    session.refresh(resource)
    publish_safely(publisher, activity.workshop_id, MODERATION)
    return resource, "created"


def stale_message(resource: ResourceLink) -> Said:
    """Shown in the reader's language where it is shown (a `Said`: the `said` filter)."""
    label = domain.STATE_LABELS.get(resource.state)
    return Said(N_("Quelqu'un vient de modifier « %(name)s » : le lien est maintenant « %(label)s ». "
                   "Touchez à nouveau pour le changer."),
                name=resource.name, label=Term(label) if label else resource.state)


def _update(session: Session, activity: Activity, resource: ResourceLink, version: int,
            editor_id: int | None, publisher: Publisher, **values: object) -> ResourceLink:
    if version != resource.version:
        raise StaleResource(resource, stale_message(resource))
    result = session.exec(
        update(ResourceLink)
        .where(col(ResourceLink.id) == resource.id, col(ResourceLink.version) == version)
        .values(version=version + 1, updated_at=utcnow(), updated_by=editor_id, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        session.refresh(resource)
        raise StaleResource(resource, stale_message(resource))
    session.commit()
    session.refresh(resource)
    publish_safely(publisher, activity.workshop_id, MODERATION)
    return resource


def set_state(session: Session, participant: Participant, activity_id: int, resource_id: int,
              state: str, version: int, *, publisher: Publisher) -> tuple[ResourceLink, bool]:
    """A participant sets a link's state; returns (resource, changed)."""
    activity = workshops.open_activity(session, participant, activity_id, "resources")
    resource = resource_of(session, activity, resource_id)
    link_state = domain.check_state(state)
    if resource.hidden:
        raise NotAllowed(N_("Cette ressource a été masquée par l'animateur."))
    if resource.state == link_state:
        return resource, False  # already so (a double tap, or two people agreeing)
    return _update(session, activity, resource, version, participant.id, publisher,
                   state=link_state), True


def edit(session: Session, activity: Activity, resource: ResourceLink, version: int, name: str,
         category: str, state: str, note: str, *, publisher: Publisher) -> ResourceLink:
    """The facilitator corrects a resource (name, category, link, note)."""
    clean = domain.clean_name(name)
    cat = domain.check_category(category, categories_of(activity))
    values = {"name": clean, "name_key": domain.name_key(clean), "category": cat,
              "state": domain.check_state(state), "note": domain.clean_note(note)}
    same = _by_name(session, activity.id, cat, values["name_key"])
    if same is not None and same.id != resource.id:
        raise NotAllowed(N_("« %(name)s » est déjà sur la carte dans « %(cat)s »."), name=same.name, cat=cat)
    try:
        return _update(session, activity, resource, version, None, publisher, **values)
    except IntegrityError as exc:  # renamed into a name just added by someone else
        session.rollback()
        raise NotAllowed(N_("« %(name)s » est déjà sur la carte dans « %(cat)s »."),
                         name=clean, cat=cat) from exc


def set_hidden(session: Session, activity: Activity, resource: ResourceLink, hidden: bool, *,
               publisher: Publisher) -> None:
    resource.hidden = hidden
    session.add(resource)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)
