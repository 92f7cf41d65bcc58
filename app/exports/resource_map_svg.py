"""A roadmap chantier's resource map as a standalone SVG document.

The map is the board's own: the pure layout of `app.domain.resource_map.layout` (chantier in the
centre, categories in two columns, a solid line for an operating resource, a dotted one for a
known resource not yet linked, none for no link, and the legend), drawn by the board's SVG
partial in its print colours (`app.exports.figures`). What this module adds is the bridge from
the roadmap's file format (`domain.roadmap.Chantier` and its `Resource`s) to that drawing;
`figures.to_png` makes the PNG image that DOCX and ODT documents embed.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain import resource_map
from app.domain import roadmap as domain
from app.exports import figures


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
        counts = Counter(r.link for r in self.resources)
        return {state: counts.get(state, 0) for state in resource_map.LINE_STYLES}

    def layout(self) -> resource_map.MapLayout:
        return resource_map.layout(self.chantier, self.categories, [
            resource_map.MapResource(n, r.name, r.category, r.link)
            for n, r in enumerate(self.resources, start=1)])


def map_title(chantier: domain.Chantier) -> str:
    """What the centre of the map says: « 1.b Développer des actions… »."""
    return f"{chantier.code} {chantier.title}".strip()


def chantier_map_svg(chantier: domain.Chantier) -> str:
    """The chantier's resource map as a standalone SVG document (an `<svg>` with its xmlns and its
    own stylesheet: it can be saved as a file, inlined in HTML or converted to PNG)."""
    rmap = ChantierMap(map_title(chantier), tuple(chantier.resources))
    return str(figures.resource_map_svg(rmap, resource_map.STATE_LABELS))
