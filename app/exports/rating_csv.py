"""A rating's results table for a spreadsheet (French conventions: « ; » and decimal commas)."""

import csv
import io

from sqlmodel import Session

from app import i18n
from app.domain.french import decimal
from app.exports.cells import neutralise
from app.models import Activity
from app.screens.rating import build_view
from app.services import ratings


def _number(value: float | None) -> str:
    return "" if value is None else decimal(value, 3)


def rating_csv(session: Session, activity: Activity) -> tuple[bytes, str]:
    """(content, file name): one line per item, each axis's counts and statistics."""
    settings = ratings.settings_of(activity)
    view = build_view(settings, ratings.results(session, activity))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    header: list[object] = [i18n.gettext("n°"), i18n.gettext("élément")]
    for a in settings.axes:
        axis = i18n.translate(a.label)
        header += [i18n.gettext("%(axis)s : n", axis=axis),
                   i18n.gettext("%(axis)s : je ne sais pas", axis=axis),
                   i18n.gettext("%(axis)s : moyenne", axis=axis),
                   i18n.gettext("%(axis)s : médiane", axis=axis),
                   i18n.gettext("%(axis)s : écart-type", axis=axis),
                   i18n.gettext("%(axis)s : écart interquartile", axis=axis)]
    header = [neutralise(h) for h in header]  # axis labels come from a template
    writer.writerow([*header, i18n.gettext("quadrant")] if settings.matrix else header)
    for row in view.rows:
        line: list[object] = [row.number, neutralise(row.item.text)]  # participant text: no formula
        for c in row.cells:
            s = row.result.stats[c.key]
            line += [c.n, c.n_unknown, *(_number(v) for v in (s.mean, s.median, s.stdev, s.iqr))]
        quadrant = i18n.translate(row.quadrant_name) if row.quadrant_name else ""
        writer.writerow([*line, neutralise(quadrant)] if settings.matrix else line)
    return ("\ufeff" + out.getvalue()).encode("utf-8"), f"notation-{activity.id}.csv"
