"""app/services/join_tokens.py on a real database: the option, batches stored by digest, a token's
first use creating its participant and any later one resuming her (the race's losing side
included), wrong tokens refused alike, revocation, the control page's counts, and the purge."""

import pytest
from sqlmodel import Session, col, func, select

from app.domain import join_tokens as domain
from app.domain.errors import DomainError, Forbidden
from app.models import JoinToken, Participant
from app.publishing import PRESENCE
from app.screens import views
from app.services import join_tokens, participants, retention, votes
from app.services.join_tokens import TOKENS_REQUIRED, TokenCounts, UnknownToken
from tests.services.helpers import QUIET, exactly, opened

TEMPLATE = """\
title: Vote à une voix
activities:
  - kind: poll
    id: maillage
    title: Le maillage
    scale: oui-non-moyennement
  - kind: postits
    id: idees
    title: Vos idées
  - kind: ranking
    id: priorites
    title: Priorités
    items: [Former, Orienter, Équiper]
    keep: 2
"""


def people(session: Session) -> int:
    with Session(session.get_bind()) as other:
        return other.exec(select(func.count()).select_from(Participant)).one()


def test_a_batch_is_stored_by_digest_and_bad_sizes_store_nothing(make_room):
    room = make_room(TEMPLATE)
    for raw in ("0", "1001", "dix", "", " 2.5"):
        with pytest.raises(DomainError, match=r"^Nombre de jetons"):
            join_tokens.generate(room.session, room.workshop, raw)
    assert join_tokens.counts(room.session, room.workshop.id) == TokenCounts(0, 0, 0)
    tokens = join_tokens.generate(room.session, room.workshop, " 5 ")
    digests = set(room.session.exec(select(JoinToken.digest)))
    assert digests == {domain.digest(t) for t in tokens} and not digests & set(tokens)
    assert join_tokens.counts(room.session, room.workshop.id) == TokenCounts(5, 0, 0)


def test_the_code_alone_is_refused_once_tokens_are_required(make_room, screens):
    room = make_room(TEMPLATE)
    early = join_tokens.join_with_code(room.session, room.workshop, publisher=screens)
    assert screens.events == [(room.workshop.id, PRESENCE)]  # a join reaches the control page
    join_tokens.set_required(room.session, room.workshop, True)
    with pytest.raises(Forbidden, match=exactly(TOKENS_REQUIRED)):
        join_tokens.join_with_code(room.session, room.workshop, "Léa", publisher=screens)
    assert people(room.session) == 1
    # Who joined before stays: her phone is still recognised.
    assert participants.by_token(room.session, room.workshop.id, early.token) == early


def test_a_token_creates_one_participant_then_resumes_her(make_room, screens):
    room = make_room(TEMPLATE)
    join_tokens.set_required(room.session, room.workshop, True)
    (token,) = join_tokens.generate(room.session, room.workshop, "1")
    first = join_tokens.join_with_token(room.session, room.workshop, token, "Léa", publisher=screens)
    assert screens.events == [(room.workshop.id, PRESENCE)]
    again = join_tokens.join_with_token(room.session, room.workshop, domain.spelled(token).lower(),
                                        publisher=screens)
    assert again.id == first.id and again.token == first.token
    assert people(room.session) == 1
    assert join_tokens.counts(room.session, room.workshop.id) == TokenCounts(1, 1, 0)


def test_the_phone_that_loses_the_race_for_a_fresh_token_resumes_the_winner(make_room, session):
    room = make_room(TEMPLATE)
    (token,) = join_tokens.generate(room.session, room.workshop, "1")
    with Session(session.get_bind(), expire_on_commit=False) as late:
        # The late phone read the token while it was still fresh...
        seen = late.exec(select(JoinToken)).one()
        assert seen.participant_id is None
        # ...the first phone took it meanwhile...
        winner = join_tokens.join_with_token(room.session, room.workshop, token, publisher=QUIET)
        # ...and the late phone's conditional update finds it taken: it gets the same participant.
        loser = join_tokens.join_with_token(late, late.merge(room.workshop), token, publisher=QUIET)
    assert loser.id == winner.id
    assert people(room.session) == 1


def test_unknown_revoked_and_other_workshops_tokens_are_refused_alike(make_room):
    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    used, unused = join_tokens.generate(room.session, room.workshop, "2")
    (elsewhere,) = join_tokens.generate(room.session, other.workshop, "1")
    holder = join_tokens.join_with_token(room.session, room.workshop, used, publisher=QUIET)
    assert join_tokens.revoke_unused(room.session, room.workshop) == 1
    assert join_tokens.counts(room.session, room.workshop.id) == TokenCounts(1, 1, 1)
    messages = set()
    for wrong in (unused, elsewhere, "AAAAA-BBBBB", "not a token", ""):
        with pytest.raises(UnknownToken) as refused:
            join_tokens.join_with_token(room.session, room.workshop, wrong, publisher=QUIET)
        messages.add((refused.value.status, refused.value.message))
    assert messages == {(404, "Jeton inconnu : vérifiez le code de votre carte.")}
    # A used token is not revoked: it still resumes its participant.
    assert join_tokens.join_with_token(room.session, room.workshop, used, publisher=QUIET).id == holder.id
    assert people(room.session) == 1


def test_the_control_page_counts_joined_beside_every_votes_ballots(make_room):
    room = make_room(TEMPLATE)
    poll, ranking = opened(room, "maillage"), room.activity("priorites")
    phones = [room.join() for _ in range(3)]
    for phone in phones[:2]:
        votes.cast_poll(room.session, phone, poll.id, "0", publisher=QUIET)
    paper = participants.join_paper_ballot(room.session, room.workshop)
    votes.cast_poll(room.session, paper, poll.id, "1", publisher=QUIET)
    ctx = views.control(room.session, room.workshop, ttl=60)
    assert ctx["joined"] == 3  # the paper ballot is no phone that joined
    assert [(a.id, phone, on_paper) for a, phone, on_paper in ctx["turnout"]] == [
        (poll.id, 2, 1), (ranking.id, 0, 0)]  # the post-its are no vote


def test_a_purge_deletes_the_workshops_tokens_used_or_not(make_room):
    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    used, _unused = join_tokens.generate(room.session, room.workshop, "2")
    join_tokens.generate(room.session, other.workshop, "1")
    join_tokens.join_with_token(room.session, room.workshop, used, publisher=QUIET)
    retention.purge(room.session, room.workshop, retention.COMMAND)
    left = room.session.exec(select(JoinToken.workshop_id)).all()
    assert left == [other.workshop.id]
    with pytest.raises(UnknownToken):
        join_tokens.join_with_token(room.session, room.workshop, used, publisher=QUIET)
    assert room.session.exec(select(func.count()).select_from(Participant).where(
        col(Participant.workshop_id) == room.workshop.id, col(Participant.proxy).is_(False))).one() == 1
