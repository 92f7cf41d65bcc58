"""Priority ranking: order the enjeux (Borda, Schulze), spread points, or grade them (majority
judgment); the board shows the aggregated order and the room's agreement; the facilitator keeps
the top N as the workshop's priority enjeux."""

import dataclasses
import re
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain.errors import N_
from app.models import Activity
from app.services import items, rankings

# The scores and details app.services.rankings writes in French, and how to say them in the
# reader's language (numbers as written: « 2,5 » stays « 2,5 »).
_NUMBER = r"(?P<n>[\d\s\u00a0\u202f,.]+)"
SAYINGS = (
    (re.compile(rf"^rang moyen {_NUMBER}$"), N_("rang moyen %(n)s")),
    (re.compile(r"^(?P<n>\d+) votant$"), N_("%(n)s votant")),
    (re.compile(r"^(?P<n>\d+) votants$"), N_("%(n)s votants")),
    (re.compile(rf"^{_NUMBER} % mieux, (?P<m>[\d\s\u00a0\u202f,.]+) % moins bien$"),
     N_("%(n)s %% mieux, %(m)s %% moins bien")),
    (re.compile(r"^bat (?P<n>\d+) sur (?P<m>\d+)$"), N_("bat %(n)s sur %(m)s")),
    (re.compile(rf"^{_NUMBER} pts$"), N_("%(n)s pts")),
    (re.compile(rf"^{_NUMBER} pt$"), N_("%(n)s pt")),
)


class _Spoken(rankings.Result):
    """A result said in English: its Kendall's W with a decimal point."""

    @property
    def w_text(self) -> str:
        return super().w_text.replace(",", ".")


def _point(found: re.Match[str]) -> dict[str, str]:
    """The numbers of a score or detail with a decimal point (« 2,5 » → « 2.5 »)."""
    return {k: v.replace(",", ".") for k, v in found.groupdict().items()}


def say(text: str) -> str:
    """A score or detail of app.services.rankings in the current language; anything else (a
    grade of the workshop's scale) translated if it is one of the default ones."""
    if i18n.current() == i18n.DEFAULT or not text:
        return text
    for pattern, message in SAYINGS:
        found = pattern.match(text)
        if found:
            return i18n.gettext(message, **_point(found))
    return i18n.translate(text)


def spoken(result: rankings.Result) -> rankings.Result:
    """The result with its labels, scores and details in the current language."""
    if i18n.current() == i18n.DEFAULT:
        return result
    rows = [dataclasses.replace(r, score=say(r.score), detail=say(r.detail)) for r in result.rows]
    agreement = result.agreement_label and i18n.translate(result.agreement_label)
    said = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    return _Spoken(**{**said, "rows": rows, "method_label": i18n.translate(result.method_label),
                      "agreement_label": agreement, "grades": [i18n.translate(g) for g in result.grades]})


def board(session: Session, activity: Activity) -> dict[str, Any]:
    result = spoken(rankings.result(session, activity))
    return {"rk": result, "count": result.n_ballots}


def control(session: Session, activity: Activity) -> dict[str, Any]:
    everything = items.of_activity(session, activity.id)
    shown = [i for i in everything if rankings.is_visible(i)]
    result = spoken(rankings.result(session, activity, shown=shown))
    return {"rk": result, "count": result.n_ballots, "list_items": everything}


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    own, shown = rankings.phone_views(session, activity, participant_ids)
    shared: dict[str, Any] = {}
    if activity.state == "revealed" or any(i.kept for i in shown):
        shared["rk"] = spoken(rankings.result(session, activity, shown=shown))
    return {pid: {**shared, "rk_phone": own[pid]} for pid in participant_ids}
