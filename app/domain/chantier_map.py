"""A roadmap chantier's resources in the shape the board's resource map draws: the bridge from
the roadmap's file format (`roadmap.Chantier` and its `Resource`s) to `resource_map.layout`."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain import resource_map
from app.domain import roadmap as domain


def by_category(resources: Sequence[domain.Resource]) -> list[tuple[str, list[domain.Resource]]]:
    """The resources grouped by category, categories in the order they first appear."""
    groups: dict[str, list[domain.Resource]] = {}
    for r in resources:
        groups.setdefault(r.category, []).append(r)
    return list(groups.items())


@dataclass(frozen=True)
class ChantierMap:
    """A chantier's resources in the shape the board's map partial draws (like the live map of a
    resource activity: `chantier`, `count`, `by_state`, `layout()`)."""

    chantier: str
    resources: tuple[domain.Resource, ...]

    @property
    def categories(self) -> list[str]:
        return [category for category, _ in by_category(self.resources)]

    @property
    def count(self) -> int:
        return len(self.resources)

    @property
    def by_state(self) -> dict[str, int]:
        counts: Counter[str] = Counter(r.link for r in self.resources)
        return {state: counts.get(state, 0) for state in resource_map.LINE_STYLES}

    def layout(self) -> resource_map.MapLayout:
        return resource_map.layout(self.chantier, self.categories, [
            resource_map.MapResource(n, r.name, r.category, r.link)
            for n, r in enumerate(self.resources, start=1)])


def map_title(chantier: domain.Chantier) -> str:
    """What the centre of the map says: « 1.b Développer des actions… »."""
    return f"{chantier.code} {chantier.title}".strip()
