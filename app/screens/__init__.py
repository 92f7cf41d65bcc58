"""What each screen shows: one module per activity kind, read from the database.

Each kind's module gives the template context of its results on the board (`board`) and on the
facilitator's control page (`control`), and each phone's own context (`phones`); a kind whose
contributions belong to sub-groups also has `board_for_group`, for a board that follows one
sub-group. `views` composes them into whole pages, shared by the HTTP pages and the live pushes.
The Jinja2 templates are in `app/templates/activities/<kind>/`.
"""

from typing import Any, Protocol

from sqlmodel import Session

from app.models import Activity
from app.screens import poll, postits, ranking, rating, resources, table, text

Context = dict[str, Any]


class Screen(Protocol):
    def board(self, session: Session, activity: Activity) -> Context: ...

    def control(self, session: Session, activity: Activity) -> Context: ...

    def phones(self, session: Session, activity: Activity,
               participant_ids: list[int]) -> dict[int, Context]: ...


SCREENS: dict[str, Screen] = {"text": text, "postits": postits, "poll": poll, "ranking": ranking,
                              "rating": rating, "table": table, "resources": resources}
