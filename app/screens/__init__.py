"""What each screen shows: one module per activity kind, read from the database.

Each kind's module gives the template context of its results on the board (`board`) and on the
facilitator's control page (`control`), and each phone's own context (`phones`); a kind whose
contributions belong to sub-groups also has `board_for_group`, for a board that follows one
sub-group. A kind whose phone page shows what is hers (her notes, her rows) names those context
values in `PERSONAL` and renders them in `activities/<kind>/mine.html` (elements with ids, pushed
after the shared part); `MODERATION_IS_PERSONAL` says a moderation changes only that part.
`views` composes them into whole pages, shared by the HTTP pages and the live pushes.
The Jinja2 templates are in `app/templates/activities/<kind>/`. The modules are found by the
kind's name, for every kind of the registry (`app.domain.kinds.KINDS`).
"""

from importlib import import_module
from typing import Any, Protocol, cast

from sqlmodel import Session

from app.domain.kinds import KINDS
from app.models import Activity

Context = dict[str, Any]


class Screen(Protocol):
    def board(self, session: Session, activity: Activity) -> Context: ...

    def control(self, session: Session, activity: Activity) -> Context: ...

    def phones(self, session: Session, activity: Activity,
               participant_ids: list[int]) -> dict[int, Context]: ...


SCREENS: dict[str, Screen] = {name: cast(Screen, import_module(f"{__name__}.{name}")) for name in KINDS}
