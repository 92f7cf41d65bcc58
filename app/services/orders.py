"""The aggregated order of an activity's items, for what follows it: a later rating or ranking
that takes its top N (`items_from: {take: top}`), a chantier table whose sections are a
ranking's kept enjeux in the ranking's order."""

from collections.abc import Callable

from sqlmodel import Session

from app.domain.errors import N_, NotAllowed
from app.models import Activity, Item
from app.services import rankings, ratings

Order = Callable[[Session, Activity, int], list[Item]]

# The kinds whose results are an order (a template's `take: top` may name only them).
ORDERS: dict[str, Order] = {"rating": ratings.top, "ranking": rankings.top}


def top(session: Session, activity: Activity, n: int) -> list[Item]:
    """The first n items of the activity's aggregated order."""
    order = ORDERS.get(activity.kind)
    if order is None:
        raise NotAllowed(N_("Une activité « %(kind)s » n'a pas de classement à reprendre."),
                         kind=activity.kind)
    return order(session, activity, n)
