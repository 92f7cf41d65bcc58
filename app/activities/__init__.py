"""One module per activity kind: what its screens show, and its participant routes.

Each module exposes `LIVE_DEFAULT` (are contributions shown on the board before the reveal?),
`board(session, activity)` and `control(session, activity)` returning the template context of
its results, `phones(session, activity, participant_ids)` returning each phone's own context,
and `router` (its routes). A kind whose contributions belong to sub-groups also has
`board_for_group(session, activity, group_id)`, for a board that shows one sub-group.
Its templates live in `app/templates/activities/<kind>/`:
`board.html`, `phone.html` and, if the facilitator has something to do, `control.html`.
"""

from types import ModuleType

from app.activities import poll, postits, ranking, rating, resources, table, text

KINDS: dict[str, ModuleType] = {"text": text, "postits": postits, "poll": poll, "ranking": ranking,
                                "rating": rating, "table": table, "resources": resources}
