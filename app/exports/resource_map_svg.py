"""A roadmap chantier's resource map as a standalone SVG document.

The map is the board's own: the pure layout of `app.domain.resource_map.layout` (chantier in the
centre, categories in two columns, a solid line for an operating resource, a dotted one for a
known resource not yet linked, none for no link, and the legend), drawn by the board's SVG
partial in its print colours (`app.exports.figures`). What this module adds is the bridge from
the roadmap's file format (`domain.roadmap.Chantier` and its `Resource`s) to that drawing;
`figures.to_png` makes the PNG image that DOCX and ODT documents embed.
"""

from app import i18n
from app.domain import resource_map
from app.domain import roadmap as domain
from app.domain.chantier_map import ChantierMap, map_title
from app.exports import figures


def chantier_map_svg(chantier: domain.Chantier) -> str:
    """The chantier's resource map as a standalone SVG document (an `<svg>` with its xmlns and its
    own stylesheet: it can be saved as a file, inlined in HTML or converted to PNG)."""
    # The usual categories in the document's language (the others as written).
    resources = tuple(r.model_copy(update={"category": i18n.translate(r.category)})
                      for r in chantier.resources)
    rmap = ChantierMap(map_title(chantier), resources)
    return str(figures.resource_map_svg(rmap, resource_map.STATE_LABELS))
