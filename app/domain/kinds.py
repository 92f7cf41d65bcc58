"""The activity kinds: one entry per kind, the facts every layer reads about it.

A kind's other parts live one module per layer, named after the kind; each layer loads them by
that name for the kinds of this registry: its screens (`app/screens/<kind>.py`), its routes
(`app/routes/<kind>.py`), its part of the compte-rendu (`app/exports/report_parts/<kind>.py`),
its roadmap promotion (`app/services/promotion/<kind>.py`) and its Jinja2 templates
(`app/templates/activities/<kind>/`). `tests/unit/test_kinds.py` names the part a kind lacks;
docs/kinds.md says how to add one.
"""

from dataclasses import dataclass

from pydantic import BaseModel

from app.domain import workshop_templates as models
from app.domain.errors import N_


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    """How the compte-rendu and the facilitator's pages name it."""
    template: type[BaseModel]
    """Its YAML form in a workshop template."""
    contributions: bool
    """Participants contribute (it has states: draft, open, closed, revealed); a slide does not."""
    live: bool = False
    """Contributions show on the board while open, before the reveal (`live:` in a template)."""
    listed: bool = False
    """It holds a list of entries the facilitator may add to, edit and hide (post-its, items)."""
    marks_own: bool = False
    """A phone's page marks the participant's own entries (« par vous »): her personal part (her
    `mine.html`) is rendered for her alone; the shared part of the page still is shared."""
    promotes: bool = False
    """Its results can be brought into a roadmap (`app/services/promotion/<kind>.py`)."""
    ballots: bool = False
    """Participants vote (`Vote` rows): the control page counts its ballots beside who joined."""
    whole_ballots: bool = False
    """Its results read each ballot's answers together (a ranking's order, a poll's choices), so a
    purge keeps each ballot whole and only cuts it from its voter; a rating's results read each
    answer apart, so a purge deals every answer apart (`app.domain.retention.redeal`)."""
    not_this_kind: str = ""
    """The refusal when a contribution of this kind is sent to another kind of activity."""
    not_open: str = N_("Cette activité n'est pas ouverte : votre contribution n'a pas été enregistrée.")
    """The refusal when the activity is not open."""


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("text", "Consigne", models.TextActivity, contributions=False),
    Kind("postits", "Post-its", models.PostitsActivity, contributions=True, live=True, listed=True,
         not_this_kind=N_("Cette activité n'est pas une activité de post-its.")),
    Kind("rating", "Notation", models.RatingActivity, contributions=True, listed=True, ballots=True,
         not_this_kind=N_("Cette activité n'est pas une notation."),
         not_open=N_("Cette notation n'est pas ouverte : votre note n'a pas été enregistrée.")),
    Kind("ranking", "Classement des priorités", models.RankingActivity, contributions=True,
         listed=True, promotes=True, ballots=True, whole_ballots=True,
         not_this_kind=N_("Cette activité n'est pas un classement."),
         not_open=N_("Ce classement n'est pas ouvert : votre bulletin n'a pas été enregistré.")),
    Kind("poll", "Vote", models.PollActivity, contributions=True, ballots=True, whole_ballots=True,
         not_this_kind=N_("Cette activité n'est pas une activité de vote.")),
    Kind("table", "Tableau des chantiers", models.TableActivity, contributions=True, live=True,
         marks_own=True, promotes=True,
         not_this_kind=N_("Cette activité n'est pas une activité de tableau des chantiers.")),
    Kind("resources", "Cartographie des ressources", models.ResourcesActivity, contributions=True,
         live=True, marks_own=True, promotes=True,
         not_this_kind=N_("Cette activité n'est pas une activité de cartographie des ressources.")),
)}


def label(name: str) -> str:
    kind = KINDS.get(name)
    return kind.label if kind else name
