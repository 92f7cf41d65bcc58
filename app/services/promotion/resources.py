"""A resource map gives the roadmap its resources, with their link state, as the resources of a
chantier: the one it is about, a new one, or another the facilitator picks."""

from dataclasses import dataclass

from sqlmodel import Session

from app.domain.errors import N_, DomainError, NotFound
from app.domain.resource_map import name_key
from app.models import Activity, Chantier, Resource, ResourceLink, Roadmap
from app.services import resource_maps, roadmaps
from app.services.promotion.base import NEW_CHANTIER, Form, Run, check_ids, same

STEP = 3
"""Last: a new chantier for a map comes after those of the tables' rows."""


@dataclass
class MapCandidates:
    activity: Activity
    chantier: str
    resources: list[ResourceLink]
    # The roadmap chantier it most likely is (same title), else None: a new chantier.
    target: Chantier | None

    @property
    def empty(self) -> bool:
        return not self.resources


def gather(session: Session, roadmap: Roadmap, activity: Activity) -> MapCandidates:
    title = activity.config.get("chantier", activity.title)
    return MapCandidates(
        activity,
        title,
        resource_maps.resources_of(session, activity.id, False),
        _title_match(roadmaps.chantiers_of(session, roadmap.id), title),
    )


def _title_match(chantiers: list[Chantier], wanted: str) -> Chantier | None:
    """The chantier a map is about: « Chantier 1.b — Développer… » matches code 1.b or the title."""
    for chantier in chantiers:
        labels = [
            chantier.title,
            f"{chantier.code} {chantier.title}",
            f"Chantier {chantier.code} — {chantier.title}",
        ]
        if any(same(wanted, label) for label in labels) or (
            chantier.title and same(wanted[-len(chantier.title) :], chantier.title)
        ):
            return chantier
    return None


def choices(form: Form) -> dict[int, str]:
    """Map activity id → where its resources go: a chantier id of the roadmap, NEW_CHANTIER, or ""
    (not this map); from the form's `carte-<activity id>` fields."""
    targets = {}
    for key, value in form.multi_items():
        if key.startswith("carte-"):
            if not key[6:].isdigit() or not isinstance(value, str) or len(value) > 20:
                raise DomainError(N_("Choix de chantier illisible pour une cartographie."))
            targets[int(key[6:])] = value.strip()
    return targets


def check(session: Session, roadmap: Roadmap, offers: list[MapCandidates], targets: dict[int, str]) -> None:
    check_ids(list(targets), {m.activity.id for m in offers}, N_("Cartographie(s)"))
    chantier_ids = {c.id for c in roadmaps.chantiers_of(session, roadmap.id)}
    for target in targets.values():
        if target not in ("", NEW_CHANTIER) and (not target.isdigit() or int(target) not in chantier_ids):
            raise NotFound(N_("Chantier de destination inconnu dans cette feuille de route."))


def bring(run: Run, offers: list[MapCandidates], targets: dict[int, str]) -> None:
    maps = {m.activity.id: m for m in offers}
    for activity_id, target in targets.items():
        if target:
            run.summary.resources += _add_resources(run, maps[activity_id], target)
            run.next_chantier += 1


def _add_resources(run: Run, found: MapCandidates, target: str) -> int:
    session = run.session
    if target == NEW_CHANTIER:
        chantier = Chantier(roadmap_id=run.roadmap.id, position=run.next_chantier, title=found.chantier[:500])
        session.add(chantier)
        session.flush()
    else:
        target_chantier = session.get(Chantier, int(target))
        if target_chantier is None or target_chantier.roadmap_id != run.roadmap.id:
            raise DomainError(N_("Chantier de destination inconnu dans cette feuille de route."))
        chantier = target_chantier
    existing = {
        (name_key(r.name), r.category.casefold()): r for r in roadmaps.resources_of(session, chantier.id)
    }
    n = max((r.position for r in existing.values()), default=-1) + 1
    count = 0
    for link in found.resources:
        key = (name_key(link.name), link.category.casefold())
        resource = existing.get(key)
        if resource is None:
            resource = Resource(chantier_id=chantier.id, position=n, name=link.name, category=link.category)
            n += 1
        resource.link = link.state
        resource.source_link_id = link.id
        session.add(resource)
        existing[key] = resource
        count += 1
    return count
