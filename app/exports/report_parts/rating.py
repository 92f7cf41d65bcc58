"""The rating's part of the compte-rendu: its matrix or strip, and its table by item and axis."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from app import i18n
from app.exports import figures
from app.exports.report_base import Reading

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


@dataclass
class RatingCell:
    n: int
    n_unknown: int
    mean: str
    median: str
    stdev: str


@dataclass
class RatingLine:
    number: int
    text: str
    cells: list[RatingCell]
    quadrant: str  # CSS class: anticiper, leviers, secondaires, surveiller, or none
    quadrant_name: str


@dataclass
class RatingPart:
    axes: list[str]
    matrix: bool
    svg: Markup | None
    lines: list[RatingLine]
    participants: int
    allow_unknown: bool


def part(reading: Reading) -> RatingPart:
    activity, ctx = reading.activity, reading.ctx
    view = ctx["rating"]
    settings = view.settings
    svg = None
    if settings.matrix and view.plotted:
        svg = figures.matrix_svg(activity, view)
    elif not settings.matrix and any(r.cells[0].mean is not None for r in view.rows):
        svg = figures.strip_svg(activity, view)
    lines = [RatingLine(r.number, r.item.text,
                        [RatingCell(c.n, c.n_unknown, c.mean_text, c.median_text, c.stdev_text)
                         for c in r.cells],
                        r.quadrant or "none", i18n.translate(r.quadrant_name) if r.quadrant_name else "")
             for r in view.by_first_axis]
    return RatingPart([i18n.translate(a.label) for a in settings.axes], settings.matrix, svg, lines,
                      ctx["rating_progress"].started, settings.allow_unknown)


def write_docx(doc: "DocumentType", p: RatingPart) -> None:
    # imported on use: python-docx loads slowly
    from docx.shared import Cm

    from app.exports.report_docx_base import (
        QUADRANT_COLOURS,
        add_figure,
        add_note,
        add_table,
        set_cell,
        set_widths,
    )

    n = len(p.lines)
    unknown = " " + i18n.gettext("(« je ne sais pas » n'est pas compté)") if p.allow_unknown else ""
    items = i18n.ngettext("%(num)s élément", "%(num)s éléments", n)
    axes = i18n.gettext(" et ").join(p.axes)
    summary = (i18n.gettext("1 participant a noté %(items)s sur %(axes)s", items=items, axes=axes)
               if p.participants == 1 else
               i18n.gettext("%(count)s participants ont noté %(items)s sur %(axes)s",
                            count=p.participants, items=items, axes=axes))
    doc.add_paragraph().add_run(f"{summary}{unknown}.").bold = True
    if p.svg:
        if p.matrix:
            y, x = p.axes[0].lower(), p.axes[1].lower()
            caption = (i18n.gettext("Matrice %(y)s / %(x)s : chaque élément à sa moyenne, l'ellipse montre "
                                    "l'écart-type sur chaque axe (le désaccord).", y=y, x=x)
                       + " " + i18n.gettext("Les numéros renvoient au tableau."))
            add_figure(doc, p.svg, Cm(13), caption,
                       i18n.gettext("Matrice %(y)s / %(x)s des %(count)s éléments notés : la position "
                                    "de chaque élément (ses moyennes, son quadrant) et le désaccord sont "
                                    "dans le tableau qui suit.", y=y, x=x, count=n))
        else:
            add_figure(doc, p.svg, Cm(15),
                       i18n.gettext("%(axis)s : moyenne de chaque élément, le trait montre l'écart-type.",
                                    axis=p.axes[0]) + " " + i18n.gettext("Les numéros renvoient au tableau."),
                       i18n.gettext("%(axis)s des %(count)s éléments notés : la moyenne et l'écart-type de "
                                    "chacun sont dans le tableau qui suit.", axis=p.axes[0], count=n))
    cols = 2 + 4 * len(p.axes) + (1 if p.matrix else 0)
    table = add_table(doc, 2, len(p.lines), cols)
    top, sub = table.rows[0].cells, table.rows[1].cells
    set_cell(top[0].merge(sub[0]), i18n.gettext("N°"), bold=True)
    set_cell(top[1].merge(sub[1]), i18n.gettext("Élément"), bold=True)
    for a, axis in enumerate(p.axes):
        first = 2 + 4 * a
        set_cell(top[first].merge(top[first + 3]), axis, bold=True)
        # abbreviated, as on the board
        for k, label in enumerate(("n", i18n.gettext("moy."), i18n.gettext("méd."), "σ")):
            set_cell(sub[first + k], label, bold=True, align_right=True, size=8)
    if p.matrix:
        set_cell(top[-1].merge(sub[-1]), i18n.gettext("Quadrant"), bold=True)
    for line, row in zip(p.lines, table.rows[2:], strict=True):
        cells = row.cells
        set_cell(cells[0], str(line.number), bold=True,
                 colour=QUADRANT_COLOURS.get(line.quadrant))
        set_cell(cells[1], line.text)
        for a, c in enumerate(line.cells):
            first = 2 + 4 * a
            set_cell(cells[first], str(c.n), align_right=True)
            set_cell(cells[first + 1], c.mean, bold=True, align_right=True)
            set_cell(cells[first + 2], c.median, align_right=True)
            set_cell(cells[first + 3], c.stdev, align_right=True)
        if p.matrix:
            set_cell(cells[-1], line.quadrant_name or "—", bold=True, size=8.5,
                     colour=QUADRANT_COLOURS.get(line.quadrant))
    set_widths(table, [1.1, 4.0] + [0.9, 1.2, 1.2, 1.1] * len(p.axes) + ([3.1] if p.matrix else []))
    add_note(doc, i18n.gettext("n : réponses comptées · moy. : moyenne · méd. : médiane · "
                               "σ : écart-type (plus il est grand, plus les avis divergent)."))
