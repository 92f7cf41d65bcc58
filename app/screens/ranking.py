"""Priority ranking: order the enjeux (Borda, Schulze), spread points, or grade them (majority
judgment); the board shows the aggregated order and the room's agreement; the facilitator keeps
the top N as the workshop's priority enjeux."""

import dataclasses
from typing import Any

from sqlmodel import Session

from app import i18n
from app.domain.errors import Said, worded
from app.models import Activity
from app.services import items, rankings


class _Spoken(rankings.Result):
    """A result said in English: its Kendall's W with a decimal point."""

    @property
    def w_text(self) -> str:
        return super().w_text.replace(",", ".")


def _pointed(template: str, **params: object) -> str:
    """A message in the current language, its numbers with a decimal point (« 2,5 » → « 2.5 »)."""
    return i18n.gettext(template, **{k: v.replace(",", ".") if isinstance(v, str) else v
                                     for k, v in params.items()})


def say(text: str) -> str:
    """A score or detail of app.services.rankings (a `Said` text) in the current language; any
    other text (a grade of the workshop's scale) translated if it is one of the default ones."""
    if i18n.current() == i18n.DEFAULT or not text:
        return text
    if isinstance(text, Said):
        return worded(text, _pointed)
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
