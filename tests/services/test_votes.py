"""app/services/votes.py on a real database: one poll answer per participant, changed in place;
the facilitator's show-of-hands counts; the result adding both."""

from fractions import Fraction

import pytest
from sqlmodel import Session, select

from app.domain.errors import DomainError, NotAllowed, NotFound
from app.models import ProxyCount, Vote
from app.publishing import ITEMS
from app.services import votes, workshops
from tests.services.helpers import QUIET, exactly, opened

TEMPLATE = """\
title: Concertation
activities:
  - kind: poll
    id: frequence
    title: Orientez-vous les publics vers des acteurs de l'inclusion numérique ?
    scale: frequence
  - kind: poll
    id: scenario
    title: Quel scénario de feuille de route ?
    options: [Une feuille de route départementale, Plusieurs infra-départementales]
  - kind: postits
    id: idees
    title: Vos idées
"""

def stored_votes(session: Session) -> list[tuple[int, int, str, str, int | None]]:
    """Every vote as committed, read through another connection."""
    with Session(session.get_bind()) as other:
        return [(v.activity_id, v.participant_id, v.target, v.axis, v.value)
                for v in other.exec(select(Vote).order_by(Vote.id))]


def stored_counts(session: Session) -> list[tuple[int, int, int]]:
    with Session(session.get_bind()) as other:
        return sorted((c.activity_id, c.value, c.count) for c in other.exec(select(ProxyCount)))


# ---------------------------------------------------------------- phones


def test_a_choice_is_stored_then_changed_in_place(make_room, screens):
    room = make_room(TEMPLATE)
    poll = opened(room, "frequence")
    alice = room.join()
    vote, changed = votes.cast_poll(room.session, alice, poll.id, "1", publisher=screens)
    assert changed and vote.value == 1
    assert stored_votes(room.session) == [(poll.id, alice.id, "", "", 1)]
    first_update = vote.updated_at
    again, changed = votes.cast_poll(room.session, alice, poll.id, " 3", publisher=screens)
    assert changed and again.id == vote.id and again.updated_at >= first_update
    assert stored_votes(room.session) == [(poll.id, alice.id, "", "", 3)]  # one row, new value
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_a_replay_changes_nothing_and_publishes_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    poll = opened(room, "frequence")
    alice = room.join()
    vote, _ = votes.cast_poll(room.session, alice, poll.id, "2", publisher=screens)
    stamp = vote.updated_at
    again, changed = votes.cast_poll(room.session, alice, poll.id, "2", publisher=screens)
    assert (again.id, again.value, again.updated_at, changed) == (vote.id, 2, stamp, False)
    assert stored_votes(room.session) == [(poll.id, alice.id, "", "", 2)]
    assert screens.events == [(room.workshop.id, ITEMS)]


def test_each_participant_has_her_own_answer(make_room, screens):
    room = make_room(TEMPLATE)
    poll, other_poll = opened(room, "frequence"), opened(room, "scenario")
    alice, bob = room.join(), room.join()
    votes.cast_poll(room.session, alice, poll.id, "0", publisher=screens)
    votes.cast_poll(room.session, bob, poll.id, "0", publisher=screens)
    votes.cast_poll(room.session, alice, other_poll.id, "1", publisher=screens)
    assert stored_votes(room.session) == [(poll.id, alice.id, "", "", 0), (poll.id, bob.id, "", "", 0),
                                          (other_poll.id, alice.id, "", "", 1)]
    assert votes.choices_of(room.session, [alice.id, bob.id], poll.id) == {alice.id: 0, bob.id: 0}
    assert votes.choices_of(room.session, [bob.id], other_poll.id) == {}
    assert votes.choices_of(room.session, [], poll.id) == {}
    assert screens.events == [(room.workshop.id, ITEMS)] * 3


def test_an_invalid_choice_is_refused_and_the_stored_one_kept(make_room, screens):
    room = make_room(TEMPLATE)
    poll = opened(room, "frequence")  # souvent, parfois, rarement, jamais
    alice = room.join()
    votes.cast_poll(room.session, alice, poll.id, "1", publisher=QUIET)
    for raw, message in [
        ("4", "Choix invalide : il y a 4 options (0 à 3)."),
        ("-1", "Choix invalide : il y a 4 options (0 à 3)."),
        ("souvent", "Choix invalide : « souvent » n'est pas une option."),
        ("", "Choix invalide : «  » n'est pas une option."),
        ("1.0", "Choix invalide : « 1.0 » n'est pas une option."),
    ]:
        with pytest.raises(DomainError, match=exactly(message)):
            votes.cast_poll(room.session, alice, poll.id, raw, publisher=screens)
    assert stored_votes(room.session) == [(poll.id, alice.id, "", "", 1)]
    assert screens.events == []


def test_a_vote_is_refused_outside_an_open_poll_of_her_workshop(make_room, screens):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    alice = room.join()
    poll = opened(room, "frequence")
    votes.cast_poll(room.session, alice, poll.id, "1", publisher=QUIET)
    workshops.set_state(room.session, poll, "closed", publisher=QUIET)
    notes = opened(room, "idees")
    elsewhere = opened(other, "frequence")
    not_open = "Cette activité n'est pas ouverte : votre contribution n'a pas été enregistrée."
    for activity_id, error, message in [
        (poll.id, NotAllowed, not_open),  # closed: her vote stays as it was
        (room.activity("scenario").id, NotAllowed, not_open),  # still in draft
        (notes.id, NotAllowed, "Cette activité n'est pas une activité de vote."),
        (elsewhere.id, NotFound, f"Activité {elsewhere.id} introuvable dans cet atelier."),
    ]:
        with pytest.raises(error, match=exactly(message)):
            votes.cast_poll(room.session, alice, activity_id, "0", publisher=screens)
    assert stored_votes(room.session) == [(poll.id, alice.id, "", "", 1)]
    assert screens.events == []


# ---------------------------------------------------------------- show of hands


def test_proxy_counts_are_stored_and_replaced_until_revealed(make_room, screens):
    room = make_room(TEMPLATE)
    poll = room.activity("frequence")
    wid = room.workshop.id
    votes.set_proxy_counts(room.session, poll, ["3", " 0 ", "", "10000"], publisher=screens)  # draft
    assert votes.proxy_counts(room.session, poll) == [3, 0, 0, 10000]
    assert stored_counts(room.session) == [(poll.id, 0, 3), (poll.id, 1, 0), (poll.id, 2, 0),
                                           (poll.id, 3, 10000)]
    for state in ["open", "closed"]:
        workshops.set_state(room.session, poll, state, publisher=QUIET)
        votes.set_proxy_counts(room.session, poll, ["1", "2", "0", "4"], publisher=screens)
    # Replaced, never added up; one row per option.
    assert votes.proxy_counts(room.session, poll) == [1, 2, 0, 4]
    assert stored_counts(room.session) == [(poll.id, 0, 1), (poll.id, 1, 2), (poll.id, 2, 0), (poll.id, 3, 4)]
    assert screens.events == [(wid, ITEMS)] * 3

    workshops.set_state(room.session, poll, "revealed", publisher=QUIET)
    with pytest.raises(NotAllowed, match=exactly(
            "Les résultats sont affichés : masquez-les avant de modifier le comptage.")):
        votes.set_proxy_counts(room.session, poll, ["9", "9", "9", "9"], publisher=screens)
    assert stored_counts(room.session)[0] == (poll.id, 0, 1)
    assert screens.events == [(wid, ITEMS)] * 3
    # Hidden again, they may be corrected.
    workshops.set_state(room.session, poll, "closed", publisher=QUIET)
    votes.set_proxy_counts(room.session, poll, ["0", "0", "0", "5"], publisher=screens)
    assert votes.proxy_counts(room.session, poll) == [0, 0, 0, 5]
    assert screens.events == [(wid, ITEMS)] * 4


def test_bad_proxy_counts_are_refused_and_store_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    poll = room.activity("frequence")
    votes.set_proxy_counts(room.session, poll, ["1", "1", "1", "1"], publisher=QUIET)
    before = stored_counts(room.session)
    for raw, message in [
        (["1", "2", "3"], "Attendu un nombre par option (4), reçu 3."),
        (["1", "2", "3", "4", "5"], "Attendu un nombre par option (4), reçu 5."),
        (["1", "-2", "0", "0"], "Nombre invalide pour « parfois » : un entier de 0 à 10000."),
        (["0", "0", "10001", "0"], "Nombre invalide pour « rarement » : un entier de 0 à 10000."),
        (["0", "0", "0", "2,5"], "Nombre invalide pour « jamais » : un entier de 0 à 10000."),
        (["deux", "0", "0", "0"], "Nombre invalide pour « souvent » : un entier de 0 à 10000."),
    ]:
        with pytest.raises(DomainError, match=exactly(message)):
            votes.set_proxy_counts(room.session, poll, raw, publisher=screens)
    with pytest.raises(NotAllowed, match=exactly("Le comptage à main levée concerne les votes.")):
        votes.set_proxy_counts(room.session, room.activity("idees"), ["1", "1"], publisher=screens)
    assert stored_counts(room.session) == before
    assert screens.events == []


# ---------------------------------------------------------------- results


def test_poll_result_adds_the_phones_and_the_show_of_hands(make_room):
    room = make_room(TEMPLATE)
    poll, other_poll = opened(room, "frequence"), opened(room, "scenario")
    phones = [room.join() for _ in range(4)]
    for person, choice in zip(phones, ["2", "0", "2", "2"], strict=True):
        votes.cast_poll(room.session, person, poll.id, choice, publisher=QUIET)
    votes.cast_poll(room.session, phones[0], poll.id, "3", publisher=QUIET)  # changed her mind
    votes.cast_poll(room.session, phones[1], other_poll.id, "1", publisher=QUIET)  # another poll
    # Phones: souvent 1, parfois 0, rarement 2, jamais 1.
    only_phones = votes.poll_result(room.session, poll)
    assert [(o.label, o.count) for o in only_phones.options] == [
        ("souvent", 1), ("parfois", 0), ("rarement", 2), ("jamais", 1)]
    assert (only_phones.n, only_phones.n_proxy, only_phones.leader) == (4, 0, 2)
    assert [o.share for o in only_phones.options] == [Fraction(1, 4), 0, Fraction(1, 2), Fraction(1, 4)]

    votes.set_proxy_counts(room.session, poll, ["4", "1", "0", "0"], publisher=QUIET)
    # Show of hands added: souvent 5, parfois 1, rarement 2, jamais 1; 9 answers, 5 of them by hand.
    result = votes.poll_result(room.session, poll)
    assert [(o.label, o.count) for o in result.options] == [
        ("souvent", 5), ("parfois", 1), ("rarement", 2), ("jamais", 1)]
    assert (result.n, result.n_proxy, result.leader) == (9, 5, 0)
    assert [o.share for o in result.options] == [Fraction(5, 9), Fraction(1, 9), Fraction(2, 9),
                                                 Fraction(1, 9)]
    assert [o.percent for o in result.options] == [56, 11, 22, 11]

    other = votes.poll_result(room.session, other_poll)
    assert [(o.label, o.count) for o in other.options] == [
        ("Une feuille de route départementale", 0), ("Plusieurs infra-départementales", 1)]
    assert (other.n, other.n_proxy) == (1, 0)


def test_a_tie_at_the_top_has_no_leader_and_an_empty_poll_no_share(make_room):
    room = make_room(TEMPLATE)
    poll = opened(room, "scenario")
    empty = votes.poll_result(room.session, poll)
    assert (empty.n, empty.leader, [o.share for o in empty.options]) == (0, None, [0, 0])
    votes.cast_poll(room.session, room.join(), poll.id, "0", publisher=QUIET)
    votes.set_proxy_counts(room.session, poll, ["0", "1"], publisher=QUIET)
    tied = votes.poll_result(room.session, poll)
    assert ([o.count for o in tied.options], tied.n, tied.leader) == ([1, 1], 2, None)
