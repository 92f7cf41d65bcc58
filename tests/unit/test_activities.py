import pytest

from app.domain.activities import (
    State,
    accepts_contributions,
    action_label,
    next_states,
    results_visible,
    transition,
)
from app.domain.errors import NotAllowed


def test_the_normal_path_draft_open_closed_revealed():
    state = "draft"
    for target in ("open", "closed", "revealed"):
        state = transition("postits", state, target)
    assert state is State.REVEALED


@pytest.mark.parametrize(("current", "target"), [
    ("draft", "closed"), ("draft", "revealed"), ("open", "revealed"), ("open", "draft"),
    ("revealed", "open"), ("closed", "draft"),
])
def test_forbidden_transitions(current, target):
    with pytest.raises(NotAllowed, match="Impossible de passer"):
        transition("postits", current, target)


def test_reopen_and_hide_again_are_allowed():
    assert transition("postits", "closed", "open") is State.OPEN
    assert transition("postits", "revealed", "closed") is State.CLOSED


def test_unknown_state_and_slides():
    with pytest.raises(NotAllowed, match="inconnu"):
        transition("postits", "open", "paused")
    with pytest.raises(NotAllowed, match="diapositive"):
        transition("text", "draft", "open")
    assert next_states("text", "draft") == []
    assert next_states("postits", "closed") == [State.OPEN, State.REVEALED]


def test_hiding_revealed_results_is_not_called_closing():
    assert action_label("open", State.CLOSED) == "Fermer"
    assert action_label("revealed", State.CLOSED) == "Masquer les résultats"
    assert action_label("closed", State.REVEALED) == "Révéler"


def test_only_open_activities_accept_contributions():
    assert accepts_contributions("postits", "open")
    for state in ("draft", "closed", "revealed"):
        assert not accepts_contributions("postits", state)
    assert not accepts_contributions("text", "open")


def test_results_are_hidden_until_revealed_unless_live():
    assert not results_visible("draft", live=True)
    assert results_visible("open", live=True)
    assert not results_visible("open", live=False)
    assert not results_visible("closed", live=False)
    assert results_visible("revealed", live=False)
