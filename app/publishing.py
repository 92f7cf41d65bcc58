"""What a service says after its commit: « something changed in workshop N », and of what kind.

Services are given a `Publisher` and call `publish_safely` once their change is committed. The
app gives them its live hub (`app.live.Live`); tests give a `RecordingPublisher` to see what was
announced, or a `NoPublisher` while they set the scene. Ended facilitator sessions are announced
the same way, to a `Revoker` (the live hub again; `reset-password` on the command line has its
own, `app.live.CommandRevoker`). The database stays the only truth: an event only tells the
screens to read it again, so losing one costs a refresh, never a write; a publishing failure is
logged and never turns a stored write into an error reply.
"""

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

log = logging.getLogger("cap.publishing")

# Kinds of change. ITEMS (a new contribution) is frequent and reaches the shared screens only;
# MODERATION (a note hidden, edited or merged) and STRUCTURE (the workshop moved) reach the
# phones too, whose own notes or current activity changed; PRESENCE counts who is connected;
# TIMER (the countdown set or stopped) reaches every screen as its countdown alone.
PRESENCE, ITEMS, MODERATION, STRUCTURE, TIMER = "presence", "items", "moderation", "structure", "timer"
CHANGES = (PRESENCE, ITEMS, MODERATION, STRUCTURE, TIMER)


@runtime_checkable
class Publisher(Protocol):
    def publish(self, workshop_id: int, change: str) -> None: ...


def publish_safely(publisher: Publisher, workshop_id: int, change: str) -> None:
    """Publish after a commit: a failure is logged, never raised (the write is stored)."""
    try:
        publisher.publish(workshop_id, change)
    except Exception:
        log.exception("could not publish %s for workshop %s (the change is stored)", change,
                      workshop_id)


@runtime_checkable
class Revoker(Protocol):
    """Told the ids of facilitator sessions just deleted (app.services.logins), after the commit:
    the control pages opened with them are closed, in every worker."""

    def revoke(self, session_ids: Sequence[int]) -> None: ...


def revoke_safely(revoker: Revoker, session_ids: Sequence[int]) -> None:
    """Announce ended sessions after their commit: a failure is logged, never raised (the
    sessions are ended; each worker's periodic check closes their pages all the same)."""
    if not session_ids:
        return
    try:
        revoker.revoke(session_ids)
    except Exception:
        log.exception("could not announce the end of sessions %s (they are ended)", list(session_ids))


class NoPublisher:
    """Announces nothing: where no screen is to be told (a test setting the scene)."""

    def publish(self, workshop_id: int, change: str) -> None:
        return None

    def revoke(self, session_ids: Sequence[int]) -> None:
        return None


class RecordingPublisher:
    """Keeps what was published, in order: for tests of services, and for the batch writer, which
    says it after its commit."""

    def __init__(self) -> None:
        self.events: list[tuple[int, str]] = []
        self.revoked: list[int] = []

    def publish(self, workshop_id: int, change: str) -> None:
        self.events.append((workshop_id, change))

    def revoke(self, session_ids: Sequence[int]) -> None:
        self.revoked.extend(session_ids)
