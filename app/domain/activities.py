"""The activity state machine: draft → open → closed → revealed (DESIGN.md §3)."""

from enum import StrEnum

from app.domain.errors import N_, NotAllowed
from app.domain.kinds import KINDS


class State(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REVEALED = "revealed"


# A closed activity may be reopened, and revealed results hidden again.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.OPEN}),
    State.OPEN: frozenset({State.CLOSED}),
    State.CLOSED: frozenset({State.OPEN, State.REVEALED}),
    State.REVEALED: frozenset({State.CLOSED}),
}

STATE_LABELS = {
    State.DRAFT: N_("en préparation"),
    State.OPEN: N_("ouverte"),
    State.CLOSED: N_("fermée"),
    State.REVEALED: N_("résultats affichés"),
}

ACTION_LABELS = {
    State.OPEN: "Ouvrir",
    State.CLOSED: "Fermer",
    State.REVEALED: "Révéler",
}

# Slides have nothing to contribute to: they have no state to drive.
CONTRIBUTION_KINDS = frozenset(kind.name for kind in KINDS.values() if kind.contributions)


def transition(kind: str, current: str, target: str) -> State:
    if kind not in CONTRIBUTION_KINDS:
        raise NotAllowed("Une diapositive n'a pas d'état à changer.")
    try:
        cur, tgt = State(current), State(target)
    except ValueError as exc:
        raise NotAllowed(f"État inconnu : {target!r}.") from exc
    if tgt not in TRANSITIONS[cur]:
        raise NotAllowed(
            f"Impossible de passer de « {STATE_LABELS[cur]} » à « {STATE_LABELS[tgt]} »."
        )
    return tgt


def next_states(kind: str, current: str) -> list[State]:
    if kind not in CONTRIBUTION_KINDS:
        return []
    return sorted(TRANSITIONS[State(current)], key=list(State).index)


def action_label(current: str, target: State) -> str:
    """The control page's button for a transition. Leaving « revealed » for « closed » hides the
    results from the board: the vote was already closed, so « Fermer » would mislead."""
    if State(current) == State.REVEALED and target == State.CLOSED:
        return "Masquer les résultats"
    return ACTION_LABELS[target]


def accepts_contributions(kind: str, state: str) -> bool:
    return kind in CONTRIBUTION_KINDS and state == State.OPEN


def results_visible(state: str, live: bool) -> bool:
    """Whether the board shows contributions: once revealed, or all along if live."""
    return state == State.REVEALED or (live and state in (State.OPEN, State.CLOSED))
