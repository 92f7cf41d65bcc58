"""The board's figures as standalone SVG documents, and as PNG images.

The impact/maîtrise matrix, the one-axis strip and the resource map are drawn by the same Jinja2
partials as on the board (`activities/rating/_matrix.html`, `_strip.html`,
`activities/resources/_map.html`), rendered with `svg_standalone` (an `xmlns`, so that the SVG
stands as a file) and `svg_style` (a print stylesheet inside the SVG, in plain colours, since the
app's stylesheets do not travel with it). The PDF report embeds these SVG documents as they are
(WeasyPrint draws SVG); the DOCX report gets PNG images made by CairoSVG.
"""

from pathlib import Path
from typing import Any

from markupsafe import Markup

from app import rendering

# Our own stylesheet (no markup in it), inserted as is into the SVG's <style>.
FIGURE_CSS = Markup((Path(__file__).parent.parent / "templates" / "exports" / "figures.css")  # noqa: S704
                    .read_text(encoding="utf-8"))
PNG_WIDTH = 1800  # pixels: sharp at 16 cm wide (about 285 dpi)


def _standalone(template: str, context: dict[str, Any]) -> Markup:
    rendered = rendering.render(template, {**context, "svg_standalone": True, "svg_style": FIGURE_CSS})
    return Markup(rendered.strip())  # noqa: S704  (rendered with autoescape: participant text is escaped)


def matrix_svg(activity: Any, view: Any) -> Markup:
    """The impact/maîtrise matrix of a rating on two axes (`view`: app.screens.rating.RatingView)."""
    return _standalone("activities/rating/_matrix.html", {"rating": view, "activity": activity})


def strip_svg(activity: Any, view: Any) -> Markup:
    """A rating on one axis: each item's mean and spread on the scale."""
    return _standalone("activities/rating/_strip.html", {"rating": view, "activity": activity})


def resource_map_svg(rmap: Any, state_labels: dict[str, str]) -> Markup:
    """A chantier's resource map (`rmap`: app.screens.resources.ResourceMap)."""
    return _standalone("activities/resources/_map.html", {"rmap": rmap, "state_label": state_labels})


def to_png(svg: str, width: int = PNG_WIDTH) -> bytes:
    """The SVG drawn as a PNG, `width` pixels wide (white background, for any document viewer).

    CairoSVG's default (``unsafe=False``) refuses XML entities and fetches no external file.
    """
    import cairosvg  # imported on use: only the DOCX reports need it

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width,
                            background_color="white", unsafe=False)
