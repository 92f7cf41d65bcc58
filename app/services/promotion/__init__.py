"""From a workshop's results to the roadmap, in a few clicks.

Each kind that feeds a roadmap (`Kind.promotes`) has its module here, named after it: what an
activity offers (`gather`), what the page's form chose (`choices`), the check of the choices
(`check`) and how they come in (`bring`), at its `STEP`. `promote` brings them all in, in one
transaction; doing it twice adds nothing twice.
"""

from collections.abc import Mapping
from importlib import import_module
from typing import Any, Protocol, cast

from sqlmodel import Session, select

from app.domain.kinds import KINDS
from app.models import Activity, Roadmap, RoadmapWorkshop, Workshop
from app.services import roadmaps, workshops
from app.services.promotion.base import NEW_CHANTIER, Candidates, Form, Offer, Run, Summary

__all__ = ["NEW_CHANTIER", "PROMOTIONS", "Candidates", "Summary", "candidates", "choices", "promote"]


class Promotion(Protocol):
    STEP: int
    """Its place in the order kinds are brought in."""

    def gather(self, session: Session, roadmap: Roadmap, activity: Activity) -> Offer: ...

    def choices(self, form: Form) -> Any: ...

    def check(self, session: Session, roadmap: Roadmap, offers: list[Any], chosen: Any) -> None: ...

    def bring(self, run: Run, offers: list[Any], chosen: Any) -> None: ...


_LOADED = {
    name: cast(Promotion, import_module(f"{__name__}.{name}"))
    for name, kind in KINDS.items() if kind.promotes
}
PROMOTIONS: dict[str, Promotion] = dict(sorted(_LOADED.items(), key=lambda pair: pair[1].STEP))
"""Kind → its promotion, in their order."""


def candidates(session: Session, roadmap: Roadmap, workshop: Workshop) -> Candidates:
    activities = workshops.activities_of(session, workshop.id)
    return Candidates(workshop, {
        name: [promotion.gather(session, roadmap, a) for a in activities if a.kind == name]
        for name, promotion in PROMOTIONS.items()
    })


def choices(form: Form) -> dict[str, Any]:
    """What the submitted page chose, kind by kind."""
    return {name: promotion.choices(form) for name, promotion in PROMOTIONS.items()}


def promote(session: Session, roadmap: Roadmap, workshop: Workshop, chosen: Mapping[str, Any]) -> Summary:
    """Bring the chosen results into the roadmap. `chosen`: kind → its choices, as its `choices`
    reads them (a kind left out chooses nothing). Unknown ids are refused before anything is
    written; all or nothing."""
    found = candidates(session, roadmap, workshop)
    steps = [(promotion, found.kinds[name], chosen[name]) for name, promotion in PROMOTIONS.items()
             if name in chosen]
    for promotion, offers, picked in steps:
        promotion.check(session, roadmap, offers, picked)
    enjeux = roadmaps.enjeux_of(session, roadmap.id)
    run = Run(
        session,
        roadmap,
        workshop,
        next_enjeu=max((e.position for e in enjeux), default=-1) + 1,
        next_chantier=max((c.position for c in roadmaps.chantiers_of(session, roadmap.id)), default=-1) + 1,
        by_item={e.source_item_id: e for e in enjeux if e.source_item_id},
    )
    try:
        for promotion, offers, picked in steps:
            promotion.bring(run, offers, picked)
        if (
            session.exec(
                select(RoadmapWorkshop).where(
                    RoadmapWorkshop.roadmap_id == roadmap.id, RoadmapWorkshop.workshop_id == workshop.id
                )
            ).first()
            is None
        ):
            session.add(RoadmapWorkshop(roadmap_id=roadmap.id, workshop_id=workshop.id))
        roadmaps.touch(session, roadmap)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return run.summary
