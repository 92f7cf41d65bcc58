"""The rating's part of the compte-rendu: its matrix or strip, and its table by item and axis."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

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
                        r.quadrant or "none", r.quadrant_name or "")
             for r in view.by_first_axis]
    return RatingPart([a.label for a in settings.axes], settings.matrix, svg, lines,
                      ctx["rating_progress"].started, settings.allow_unknown)


def write_docx(doc: "DocumentType", p: RatingPart) -> None:
    # imported on use: python-docx loads slowly
    from docx.shared import Cm

    from app.exports.report_docx_base import (
        NBSP,
        QUADRANT_COLOURS,
        add_figure,
        add_note,
        add_table,
        set_cell,
        set_widths,
    )

    n = len(p.lines)
    unknown = f" (« je ne sais pas »{NBSP}n'est pas compté)" if p.allow_unknown else ""
    doc.add_paragraph().add_run(
        f"{p.participants} participant{'s' if p.participants != 1 else ''} "
        f"{'a' if p.participants == 1 else 'ont'} noté {n} élément{'s' if n != 1 else ''} "
        f"sur {' et '.join(p.axes)}{unknown}.").bold = True
    if p.svg:
        if p.matrix:
            caption = (f"Matrice {p.axes[0].lower()} / {p.axes[1].lower()}{NBSP}: chaque élément à sa "
                       "moyenne, l'ellipse montre l'écart-type sur chaque axe (le désaccord). "
                       "Les numéros renvoient au tableau.")
            add_figure(doc, p.svg, Cm(13), caption,
                       f"Matrice {p.axes[0].lower()} / {p.axes[1].lower()} des {n} éléments notés : "
                       "la position de chaque élément (ses moyennes, son quadrant) et le désaccord sont "
                       "dans le tableau qui suit.")
        else:
            add_figure(doc, p.svg, Cm(15), f"{p.axes[0]}{NBSP}: moyenne de chaque élément, le trait montre "
                                           "l'écart-type. Les numéros renvoient au tableau.",
                       f"{p.axes[0]} des {n} éléments notés : la moyenne et l'écart-type de chacun sont dans "
                       "le tableau qui suit.")
    cols = 2 + 4 * len(p.axes) + (1 if p.matrix else 0)
    table = add_table(doc, 2, len(p.lines), cols)
    top, sub = table.rows[0].cells, table.rows[1].cells
    set_cell(top[0].merge(sub[0]), "N°", bold=True)
    set_cell(top[1].merge(sub[1]), "Élément", bold=True)
    for a, axis in enumerate(p.axes):
        first = 2 + 4 * a
        set_cell(top[first].merge(top[first + 3]), axis, bold=True)
        for k, label in enumerate(("n", "moy.", "méd.", "σ")):  # abbreviated, as on the board
            set_cell(sub[first + k], label, bold=True, align_right=True, size=8)
    if p.matrix:
        set_cell(top[-1].merge(sub[-1]), "Quadrant", bold=True)
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
    add_note(doc, f"n{NBSP}: réponses comptées · moy.{NBSP}: moyenne · méd.{NBSP}: médiane · "
                  f"σ{NBSP}: écart-type (plus il est grand, plus les avis divergent).")
