"""What the compte-rendu's parts are read from: a `Reading` of one activity, and who may be named."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import Activity, Participant, ParticipantIdentity


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def person_label(name: str, organisation: str) -> str:
    """« Camille Martin (Médiathèque) », or whichever of the two she gave; "" if neither."""
    name, organisation = name.strip(), organisation.strip()
    if name and organisation:
        return f"{name} ({organisation})"
    return name or organisation


class People:
    """Who may be named: participants who gave a name or organisation, if names are included."""

    def __init__(self, session: Session, workshop_id: int, include_names: bool) -> None:
        self.labels: dict[int, str] = {}
        if include_names:
            for who in session.exec(select(ParticipantIdentity).join(
                    Participant, col(Participant.id) == ParticipantIdentity.participant_id).where(
                    Participant.workshop_id == workshop_id, col(Participant.proxy).is_(False))
                    .order_by(col(Participant.created_at), col(Participant.id))):
                label = person_label(who.display_name, who.organisation)
                if label:
                    self.labels[who.participant_id] = label

    def of(self, participant_id: int | None) -> str:
        return self.labels.get(participant_id, "") if participant_id is not None else ""


@dataclass(frozen=True)
class Reading:
    """What each kind's part is built from: its activity, the board's context of its results,
    the workshop's sub-groups and who may be named."""

    session: Session
    activity: Activity
    ctx: dict[str, Any]
    groups: dict[int, Any]
    people: People

    def group_name(self, group_id: int | None) -> str:
        return self.groups[group_id].name if group_id in self.groups else ""
