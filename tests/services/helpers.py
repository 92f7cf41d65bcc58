"""What the service tests share: a publisher that announces nothing, whole-message matches, and
an activity opened while the scene is set."""

import re

from app.publishing import NoPublisher, RecordingPublisher
from app.services import workshops

QUIET = NoPublisher()

# A workshop of one post-its activity.
ONE_POSTITS = """\
title: Atelier
activities:
  - kind: postits
    id: idees
    title: Vos idées
"""


def exactly(message: str) -> str:
    """A `match=` pattern for that whole message."""
    return f"^{re.escape(message)}$"


def opened(room, ref: str, screens: RecordingPublisher | None = None):
    """The activity `ref` of the room, opened; its opening left out of what `screens` recorded."""
    activity = room.activity(ref)
    workshops.set_state(room.session, activity, "open", publisher=screens or QUIET)
    if screens is not None:
        screens.events.clear()
    return activity
