"""Workshops: create from a template, rename, delete, drive through activities."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain import activities as states
from app.domain import groups as grouping
from app.domain import timer
from app.domain.codes import new_join_code, new_token, normalise_code
from app.domain.errors import N_, DomainError, Forbidden, Gone, NotAllowed, NotFound
from app.domain.kinds import KINDS
from app.domain.workshop_templates import WorkshopTemplate
from app.i18n import LOCALES
from app.models import Activity, Item, Participant, Workshop, WorkshopGroup, utcnow
from app.publishing import STRUCTURE, TIMER, Publisher, publish_safely

MAX_TITLE = 120


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title:
        raise DomainError(N_("Le titre est vide."))
    if len(title) > MAX_TITLE:
        raise DomainError(N_("Le titre fait %(length)s caractères ; %(most)s au maximum."), length=len(title),
                          most=MAX_TITLE)
    return title


def create_from_template(
    session: Session, owner_id: int, template: WorkshopTemplate, title: str | None = None,
    retention_months: int = 12,
) -> Workshop:
    for _attempt in range(10):
        workshop = Workshop(
            title=clean_title(title) if title and title.strip() else template.title,
            template_slug=template.slug,
            description=template.description,
            join_code=new_join_code(),
            board_key=new_token(),
            owner_id=owner_id,
            retention_months=retention_months,
        )
        session.add(workshop)
        try:
            session.flush()
        except IntegrityError:  # join code already taken: draw another
            session.rollback()
            continue
        break
    else:
        raise DomainError(N_("Impossible de tirer un code d'accès libre ; réessayez."))
    for pos, name in enumerate(template.groups):
        session.add(WorkshopGroup(workshop_id=workshop.id, position=pos, name=name))
    for pos, act in enumerate(template.activities):
        config = act.model_dump(exclude={"kind", "title"})
        activity = Activity(workshop_id=workshop.id, position=pos, kind=act.kind,
                            title=act.title, config=config)
        session.add(activity)
        session.flush()
        # The fixed list of a template (e.g. the ANCT's 7 enjeux) as the activity's items.
        for text in activity.config.get("items") or []:
            session.add(Item(activity_id=activity.id, source="template", text=text))
    session.commit()
    session.refresh(workshop)
    return workshop


def list_owned(session: Session, owner_id: int) -> list[Workshop]:
    return list(session.exec(
        select(Workshop).where(Workshop.owner_id == owner_id)
        .order_by(col(Workshop.created_at).desc(), col(Workshop.id).desc())
    ))


def get(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(N_("Atelier %(workshop_id)s introuvable."), workshop_id=workshop_id)
    return workshop


def get_owned(session: Session, owner_id: int, workshop_id: int) -> Workshop:
    workshop = get(session, workshop_id)
    if workshop.owner_id != owner_id:
        raise Forbidden(N_("Cet atelier appartient à un autre animateur."))
    return workshop


def by_code(session: Session, code: str) -> Workshop:
    """The open workshop of a join code; a closed one's code answers as an unknown code."""
    workshop = session.exec(
        select(Workshop).where(Workshop.join_code == normalise_code(code))
    ).first()
    if workshop is None or workshop.closed_at is not None:
        raise unknown_code(code)
    return workshop


class UnknownCode(NotFound):
    """A join code no workshop has: each one counts towards its client's limit (`app.throttle`)."""


def unknown_code(code: str) -> UnknownCode:
    return UnknownCode(N_("Aucun atelier avec le code « %(code)s »."), code=code[:12])


def closed(workshop: Workshop) -> Gone:
    """What a participant of a closed workshop is answered when she writes."""
    return Gone(N_("L'atelier « %(title)s » est clos : votre envoi n'a pas été enregistré."),
                title=workshop.title)


def by_board_key(session: Session, key: str) -> Workshop:
    workshop = session.exec(select(Workshop).where(Workshop.board_key == key)).first()
    if workshop is None:
        raise NotFound(N_("Écran inconnu : ce lien de projection n'existe pas ou plus."))
    return workshop


def rename(session: Session, workshop: Workshop, title: str, *, publisher: Publisher) -> None:
    workshop.title = clean_title(title)
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def close(session: Session, workshop: Workshop, *, publisher: Publisher) -> None:
    """« Clore l'atelier »: its code stops letting anyone join or write; every screen says it is over.
    Results stay readable and exportable by its facilitators."""
    if workshop.closed_at is not None:
        return
    workshop.closed_at = utcnow()
    workshop.timer_ends_at = None
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def reopen(session: Session, workshop: Workshop, *, publisher: Publisher) -> None:
    """Undo a close (a workshop closed by mistake, or held over two half-days)."""
    if workshop.closed_at is None:
        return
    workshop.closed_at = None
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def set_easy_read(session: Session, workshop: Workshop, on: bool, *, publisher: Publisher) -> None:
    """The FALC mode of the phones (plain words, pictograms, one item a screen), on or off."""
    workshop.easy_read = on
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def set_language(session: Session, workshop: Workshop, language: str, *, publisher: Publisher) -> None:
    """The language of the workshop's board (app.i18n.LOCALES); its open boards follow at once."""
    if language not in LOCALES:
        raise DomainError(N_("Langue inconnue : « %(language)s »."), language=language[:12])
    workshop.language = language
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def delete(session: Session, workshop: Workshop, *, publisher: Publisher) -> None:
    workshop_id = workshop.id
    session.delete(workshop)
    session.commit()
    publish_safely(publisher, workshop_id, STRUCTURE)  # open screens say it is gone


def activities_of(session: Session, workshop_id: int) -> list[Activity]:
    return list(session.exec(
        select(Activity).where(Activity.workshop_id == workshop_id).order_by(col(Activity.position))
    ))


def activity_by_ref(session: Session, workshop_id: int, ref: str | None) -> Activity | None:
    """The activity a template names by its `id` (`items_from`, `rows_from`, `show_kept`)."""
    if not ref:
        return None
    return next((a for a in activities_of(session, workshop_id) if a.config.get("id") == ref), None)


def groups_of(session: Session, workshop_id: int) -> list[WorkshopGroup]:
    return list(session.exec(
        select(WorkshopGroup).where(WorkshopGroup.workshop_id == workshop_id)
        .order_by(col(WorkshopGroup.position))
    ))


def group_of(session: Session, workshop: Workshop, group_id: int) -> WorkshopGroup:
    group = session.get(WorkshopGroup, group_id)
    if group is None or group.workshop_id != workshop.id:
        raise NotFound(N_("Sous-groupe %(group_id)s introuvable dans cet atelier."), group_id=group_id)
    return group


def current_activity(session: Session, workshop: Workshop) -> Activity | None:
    return session.exec(
        select(Activity).where(Activity.workshop_id == workshop.id,
                               Activity.position == workshop.current_position)
    ).first()


def go_to(session: Session, workshop: Workshop, position: int, *, publisher: Publisher) -> None:
    count = len(activities_of(session, workshop.id))
    if not 0 <= position < count:
        raise DomainError(N_("Il n'y a pas d'activité n° %(number)s (l'atelier en compte %(count)s)."),
                          number=position + 1, count=count)
    workshop.current_position = position
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)


def split_into_groups(session: Session, workshop: Workshop, count: int, *,
                      publisher: Publisher) -> dict[int, int]:
    """Make sure there are `count` sub-groups, then deal every participant into the first `count`."""
    count = grouping.check_count(count)
    existing = groups_of(session, workshop.id)
    for offset, name in enumerate(grouping.default_names([g.name for g in existing], count)):
        session.add(WorkshopGroup(workshop_id=workshop.id, position=len(existing) + offset, name=name))
    session.flush()
    targets = [g.id for g in groups_of(session, workshop.id)][:count]
    people = session.exec(select(Participant).where(Participant.workshop_id == workshop.id)
                          .order_by(col(Participant.created_at), col(Participant.id))).all()
    dealt = grouping.deal([p.id for p in people], targets) if people else {}
    for person in people:
        person.group_id = dealt[person.id]
        session.add(person)
    session.commit()
    publish_safely(publisher, workshop.id, STRUCTURE)
    return dealt


def set_timer(session: Session, workshop: Workshop, seconds: int, *, publisher: Publisher) -> None:
    workshop.timer_ends_at = timer.ends_at(utcnow(), seconds)
    session.add(workshop)
    session.commit()
    publish_safely(publisher, workshop.id, TIMER)


def get_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(N_("Activité %(activity_id)s introuvable."), activity_id=activity_id)
    return activity


def owned_activity(session: Session, owner_id: int, activity_id: int) -> Activity:
    activity = get_activity(session, activity_id)
    get_owned(session, owner_id, activity.workshop_id)
    return activity


def open_activity(session: Session, participant: Participant, activity_id: int, kind: str) -> Activity:
    """The activity a participant contributes to, if it is of that kind, in her workshop, and open."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.workshop_id != participant.workshop_id:
        raise NotFound(N_("Activité %(activity_id)s introuvable dans cet atelier."), activity_id=activity_id)
    wording = KINDS[kind]
    if activity.kind != kind:
        raise NotAllowed(wording.not_this_kind)
    if not states.accepts_contributions(activity.kind, activity.state):
        raise NotAllowed(wording.not_open)
    return activity


def set_state(session: Session, activity: Activity, target: str, *, publisher: Publisher) -> None:
    activity.state = states.transition(activity.kind, activity.state, target)
    session.add(activity)
    session.commit()
    publish_safely(publisher, activity.workshop_id, STRUCTURE)
