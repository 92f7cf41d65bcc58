"""The resource map of a chantier: resources by category, and the state of each link.

Phones add resources (through the outbox: idempotency key, offline retry) and set each link's
state with three buttons; the board draws the map as SVG, in the spirit of seed 004: the chantier
in the centre, the categories around it, a solid line for « opérante », a dotted one for
« connue, sans lien », none for « aucun lien ». Every write announces MODERATION: phones show the
whole map's list, which changes with everyone's taps.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain import resource_map as domain
from app.domain.workshop_templates import RESOURCE_LINK_STATES
from app.models import Activity, ResourceLink
from app.services import resource_maps

MINE_SHOWN = 3


@dataclass
class ResourceMap:
    chantier: str
    categories: list[str]
    resources: list[ResourceLink]

    @property
    def shown(self) -> list[ResourceLink]:
        return [r for r in self.resources if not r.hidden]

    @property
    def count(self) -> int:
        return len(self.shown)

    def in_category(self, category: str, include_hidden: bool = False) -> list[ResourceLink]:
        return [r for r in self.resources if r.category == category and (include_hidden or not r.hidden)]

    @property
    def by_state(self) -> dict[str, int]:
        counts = Counter(r.state for r in self.shown)
        return {state: counts.get(state, 0) for state in RESOURCE_LINK_STATES}

    def marked(self) -> dict[int, list[ResourceLink]]:
        """Each participant's resources on a phone's map that her page marks as hers
        (`_resource.html`): added by her, or whose link she set last."""
        listed = set(self.categories)
        out: dict[int, list[ResourceLink]] = {}
        for r in self.shown:
            if r.category in listed:
                for pid in {r.created_by, r.updated_by}:
                    if pid is not None:
                        out.setdefault(pid, []).append(r)
        return out

    def layout(self) -> domain.MapLayout:
        # The template's categories, the default ones in the reader's language.
        say = i18n.translate
        return domain.layout(self.chantier, [say(c) for c in self.categories], [
            domain.MapResource(r.id, r.name, say(r.category), r.state) for r in self.shown])


def _map(session: Session, activity: Activity) -> ResourceMap:
    return ResourceMap(activity.config.get("chantier", activity.title),
                       resource_maps.categories_of(activity),
                       resource_maps.resources_of(session, activity.id))


def common() -> dict[str, Any]:
    return {"link_states": RESOURCE_LINK_STATES, "state_label": domain.STATE_LABELS}


def board(session: Session, activity: Activity) -> dict[str, Any]:
    rmap = _map(session, activity)
    return {**common(), "rmap": rmap, "count": rmap.count}


control = board


PERSONAL = ("mine", "marked")
"""Her latest additions, and the resources of the map her page marks as hers (`ResourceMap.marked`):
what a phone's page shows of her (`views.PhoneView`), in `mine.html`."""


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    rmap = _map(session, activity)
    mine: dict[int, list[ResourceLink]] = {}
    for r in rmap.resources:
        if r.created_by is not None:
            mine.setdefault(r.created_by, []).append(r)
    marked = rmap.marked()
    shared = {**common(), "rmap": rmap}
    return {pid: {**shared, "mine": mine.get(pid, [])[-MINE_SHOWN:], "marked": marked.get(pid, [])}
            for pid in participant_ids}
