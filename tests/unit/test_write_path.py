"""Every contribution a phone sends goes through the batch writer (`app.services.writer`): its
route is a coroutine that takes the writer, so no request thread is held while it is stored."""

import inspect
from typing import get_args

from fastapi.routing import APIRoute

from app.main import ROUTERS
from app.services.writer import Writer

# Phone POSTs that are not contributions: joining, and choosing one's sub-group for a table.
NOT_CONTRIBUTIONS = {"/j/{code}", "/p/{code}/activities/{activity_id}/table-group"}


def takes_the_writer(endpoint) -> bool:
    return any(Writer in get_args(p.annotation) for p in inspect.signature(endpoint).parameters.values())


def test_every_contribution_of_a_phone_is_stored_by_the_writer():
    phone_posts = [r for router in ROUTERS for r in router.routes
                   if isinstance(r, APIRoute) and "POST" in r.methods
                   and r.path.startswith(("/p/", "/j/")) and r.path not in NOT_CONTRIBUTIONS]
    assert len(phone_posts) == 8
    wrong = [r.path for r in phone_posts
             if not (inspect.iscoroutinefunction(r.endpoint) and takes_the_writer(r.endpoint))]
    assert wrong == []
