"""A rating's results table for a spreadsheet (French conventions: « ; » and decimal commas)."""

import csv
import io

from sqlmodel import Session

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
    header: list[object] = ["n°", "élément"]
    for a in settings.axes:
        header += [f"{a.label} : n", f"{a.label} : je ne sais pas", f"{a.label} : moyenne",
                   f"{a.label} : médiane", f"{a.label} : écart-type", f"{a.label} : écart interquartile"]
    header = [neutralise(h) for h in header]  # axis labels come from a template
    writer.writerow([*header, "quadrant"] if settings.matrix else header)
    for row in view.rows:
        line: list[object] = [row.number, neutralise(row.item.text)]  # participant text: no formula
        for c in row.cells:
            s = row.result.stats[c.key]
            line += [c.n, c.n_unknown, *(_number(v) for v in (s.mean, s.median, s.stdev, s.iqr))]
        writer.writerow([*line, neutralise(row.quadrant_name or "")] if settings.matrix else line)
    return ("\ufeff" + out.getvalue()).encode("utf-8"), f"notation-{activity.id}.csv"
