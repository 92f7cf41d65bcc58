"""Roadmaps: create, list, read whole as a `RoadmapFile`, import one, delete.

Reading and writing go through the domain's `RoadmapFile`, so what the editor shows, what the
exports write and what an import reads are one and the same structure.
"""

from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app.domain import roadmap as domain
from app.domain.errors import N_, NotFound
from app.models import (
    Action,
    Chantier,
    Committee,
    Defi,
    DefiEnjeu,
    Enjeu,
    Resource,
    Roadmap,
    RoadmapWorkshop,
    Territory,
    Workshop,
    utcnow,
)

T = TypeVar("T", Enjeu, Defi, Chantier, Committee, Resource, Action)


def list_owned(session: Session, owner_id: int) -> list[tuple[Roadmap, Territory]]:
    rows = session.exec(
        select(Roadmap, Territory)
        .join(Territory, col(Territory.id) == Roadmap.territory_id)
        .where(Roadmap.owner_id == owner_id)
        .order_by(col(Roadmap.updated_at).desc())
    )
    return list(rows.all())


def get_owned(session: Session, owner_id: int, roadmap_id: int) -> Roadmap:
    roadmap = session.get(Roadmap, roadmap_id)
    if roadmap is None or roadmap.owner_id != owner_id:
        raise NotFound(N_("Feuille de route introuvable."))
    return roadmap


def create(session: Session, owner_id: int, territory: domain.Territory, info: domain.RoadmapInfo) -> Roadmap:
    """A new, empty roadmap (its enjeux come from workshops or the editor)."""
    place = Territory(name=territory.name, kind=territory.kind, code=territory.code)
    session.add(place)
    session.flush()
    roadmap = _new_roadmap(owner_id, place.id, info)
    session.add(roadmap)
    session.flush()
    _add_committees(session, roadmap.id, info.committees)
    session.commit()
    session.refresh(roadmap)
    return roadmap


def _new_roadmap(owner_id: int, territory_id: int, info: domain.RoadmapInfo) -> Roadmap:
    return Roadmap(
        owner_id=owner_id,
        territory_id=territory_id,
        name=info.name,
        perimeter=info.perimeter,
        carriers=list(info.carriers),
        context=info.context,
    )


def _add_committees(session: Session, roadmap_id: int, committees: list[domain.Committee]) -> None:
    for position, c in enumerate(committees):
        session.add(
            Committee(
                roadmap_id=roadmap_id, position=position, name=c.name, kind=c.kind, frequency=c.frequency
            )
        )


def delete(session: Session, roadmap: Roadmap) -> None:
    territory = session.get(Territory, roadmap.territory_id)
    session.delete(roadmap)
    session.flush()
    others = session.exec(select(Roadmap.id).where(Roadmap.territory_id == roadmap.territory_id)).first()
    if territory is not None and others is None:
        session.delete(territory)
    session.commit()


def touch(session: Session, roadmap: Roadmap) -> None:
    roadmap.updated_at = utcnow()
    session.add(roadmap)


# ---------------------------------------------------------------- reading


def _in_order(session: Session, model: type[T], parent: Any, parent_id: int) -> list[T]:
    """The rows of one roadmap (or chantier), in the order the editor gave them."""
    query = select(model).where(parent == parent_id).order_by(col(model.position), col(model.id))
    return list(session.exec(query))


def enjeux_of(session: Session, roadmap_id: int) -> list[Enjeu]:
    return _in_order(session, Enjeu, Enjeu.roadmap_id, roadmap_id)


def defis_of(session: Session, roadmap_id: int) -> list[Defi]:
    return _in_order(session, Defi, Defi.roadmap_id, roadmap_id)


def chantiers_of(session: Session, roadmap_id: int) -> list[Chantier]:
    return _in_order(session, Chantier, Chantier.roadmap_id, roadmap_id)


def committees_of(session: Session, roadmap_id: int) -> list[Committee]:
    return _in_order(session, Committee, Committee.roadmap_id, roadmap_id)


def resources_of(session: Session, chantier_id: int) -> list[Resource]:
    return _in_order(session, Resource, Resource.chantier_id, chantier_id)


def actions_of(session: Session, chantier_id: int) -> list[Action]:
    return _in_order(session, Action, Action.chantier_id, chantier_id)


def defi_links(session: Session, roadmap_id: int) -> dict[int, list[int]]:
    """défi id → the ids of the enjeux it answers."""
    rows = session.exec(
        select(DefiEnjeu).join(Defi, col(Defi.id) == DefiEnjeu.defi_id).where(Defi.roadmap_id == roadmap_id)
    )
    links: dict[int, list[int]] = {}
    for row in rows:
        links.setdefault(row.defi_id, []).append(row.enjeu_id)
    return links


def workshops_of(session: Session, roadmap_id: int) -> list[Workshop]:
    return list(
        session.exec(
            select(Workshop)
            .join(RoadmapWorkshop, col(RoadmapWorkshop.workshop_id) == Workshop.id)
            .where(RoadmapWorkshop.roadmap_id == roadmap_id)
            .order_by(col(RoadmapWorkshop.added_at))
        )
    )


def _ref(prefix: str, number: int) -> str:
    return f"{prefix}-{number}"


def to_file(session: Session, roadmap: Roadmap) -> domain.RoadmapFile:
    """The whole roadmap as its file structure; references are numbered in order (enjeu-1…)."""
    territory = session.get(Territory, roadmap.territory_id)
    if territory is None:
        raise NotFound(N_("Territoire de la feuille de route introuvable."))
    enjeux = enjeux_of(session, roadmap.id)
    defis = defis_of(session, roadmap.id)
    enjeu_ref = {e.id: _ref("enjeu", n) for n, e in enumerate(enjeux, start=1)}
    defi_ref = {d.id: _ref("defi", n) for n, d in enumerate(defis, start=1)}
    links = defi_links(session, roadmap.id)
    enjeu_rank = {e.id: n for n, e in enumerate(enjeux)}
    chantiers = []
    for n, c in enumerate(chantiers_of(session, roadmap.id), start=1):
        chantiers.append(
            domain.Chantier(
                ref=_ref("chantier", n),
                code=c.code,
                title=c.title,
                description=c.description,
                objectives=c.objectives,
                obstacles=c.obstacles,
                governance=domain.Governance(pilot=c.pilot, doers=c.doers, associates=c.associates),
                coordinator=c.coordinator,
                defi=defi_ref.get(c.defi_id) if c.defi_id is not None else None,
                enjeu=enjeu_ref.get(c.enjeu_id) if c.enjeu_id is not None else None,
                resources=[
                    domain.Resource(name=r.name, category=r.category, link=r.link)
                    for r in resources_of(session, c.id)
                ],
                actions=[_action(a) for a in actions_of(session, c.id)],
            )
        )
    return domain.RoadmapFile(
        territory=domain.Territory(name=territory.name, kind=territory.kind, code=territory.code),
        roadmap=domain.RoadmapInfo(
            name=roadmap.name,
            perimeter=roadmap.perimeter,
            carriers=roadmap.carriers,
            context=roadmap.context,
            committees=[
                domain.Committee(name=c.name, kind=c.kind, frequency=c.frequency)
                for c in committees_of(session, roadmap.id)
            ],
        ),
        enjeux=[
            domain.Enjeu(
                ref=enjeu_ref[e.id],
                question=e.question,
                score=e.score,
                score_label=e.score_label,
                provenance=domain.Provenance.model_validate(e.provenance) if e.provenance else None,
            )
            for e in enjeux
        ],
        defis=[
            domain.Defi(
                ref=defi_ref[d.id],
                title=d.title,
                description=d.description,
                enjeux=[enjeu_ref[i] for i in sorted(links.get(d.id, []), key=enjeu_rank.__getitem__)],
            )
            for d in defis
        ],
        chantiers=chantiers,
    )


def _action(a: Action) -> domain.Action:
    return domain.Action(
        name=a.name,
        context=a.context,
        description=a.description,
        carriers=a.carriers,
        budget=a.budget,
        cofinancings=[domain.Cofinancing.model_validate(c) for c in a.cofinancings],
        needs=a.needs,
        start=a.start_date,
        end=a.end_date,
        recipients=a.recipients,
    )


def action_values(action: domain.Action) -> dict[str, Any]:
    """The columns of an `Action` row for a checked action."""
    return {
        "name": action.name,
        "context": action.context,
        "description": action.description,
        "carriers": list(action.carriers),
        "budget": action.budget,
        "cofinancings": [c.model_dump(by_alias=True) for c in action.cofinancings],
        "needs": list(action.needs),
        "start_date": action.start,
        "end_date": action.end,
        "recipients": list(action.recipients),
    }


# ---------------------------------------------------------------- import


def import_file(session: Session, owner_id: int, data: domain.RoadmapFile) -> Roadmap:
    """A new roadmap from a checked file, in one transaction: all of it or nothing."""
    try:
        place = Territory(name=data.territory.name, kind=data.territory.kind, code=data.territory.code)
        session.add(place)
        session.flush()
        roadmap = _new_roadmap(owner_id, place.id, data.roadmap)
        session.add(roadmap)
        session.flush()
        _add_committees(session, roadmap.id, data.roadmap.committees)
        enjeu_ids: dict[str, int] = {}
        for position, e in enumerate(data.enjeux):
            enjeu_row = Enjeu(
                roadmap_id=roadmap.id,
                position=position,
                question=e.question,
                score=e.score,
                score_label=e.score_label,
                provenance=e.provenance.model_dump(mode="json") if e.provenance else None,
            )
            session.add(enjeu_row)
            session.flush()
            enjeu_ids[e.ref] = enjeu_row.id
        defi_ids: dict[str, int] = {}
        for position, d in enumerate(data.defis):
            defi_row = Defi(roadmap_id=roadmap.id, position=position, title=d.title,
                            description=d.description)
            session.add(defi_row)
            session.flush()
            defi_ids[d.ref] = defi_row.id
            for ref in d.enjeux:
                session.add(DefiEnjeu(defi_id=defi_row.id, enjeu_id=enjeu_ids[ref]))
        for position, c in enumerate(data.chantiers):
            chantier_row = Chantier(
                roadmap_id=roadmap.id,
                position=position,
                code=c.code,
                title=c.title,
                description=c.description,
                objectives=list(c.objectives),
                obstacles=list(c.obstacles),
                pilot=c.governance.pilot,
                doers=c.governance.doers,
                associates=c.governance.associates,
                coordinator=c.coordinator,
                defi_id=defi_ids.get(c.defi) if c.defi else None,
                enjeu_id=enjeu_ids.get(c.enjeu) if c.enjeu else None,
            )
            session.add(chantier_row)
            session.flush()
            for n, r in enumerate(c.resources):
                session.add(
                    Resource(chantier_id=chantier_row.id, position=n, name=r.name, category=r.category,
                             link=r.link)
                )
            for n, a in enumerate(c.actions):
                session.add(Action(chantier_id=chantier_row.id, position=n, **action_values(a)))
        session.commit()
    except Exception:
        session.rollback()
        raise
    session.refresh(roadmap)
    return roadmap
