"""Personal data on a real database (app/services/retention.py, participants): names kept apart
from the participant rows ballots reference, random participant ids, and the purge of workshops
past their retention — people erased, every figure of the compte-rendu and the roadmap kept,
recorded, and a second run doing nothing."""

import itertools
import random

from sqlmodel import func, select

from app.domain.codes import PARTICIPANT_IDS
from app.domain.retention import add_months
from app.exports import report
from app.models import (
    Enjeu,
    Item,
    Participant,
    ParticipantIdentity,
    PurgeRecord,
    ResourceLink,
    TableRow,
    Vote,
    utcnow,
)
from app.services import participants, promotion, rankings, ratings, retention, votes, workshops
from tests.services.test_promote import new_roadmap, play


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_participant_ids_are_random_not_a_sequence(make_room):
    room = make_room("title: Atelier\nactivities:\n  - kind: postits\n    id: idees\n    title: Idées\n")
    ids = [room.join().id for _ in range(30)]
    low, high = PARTICIPANT_IDS
    assert all(low <= i < high for i in ids) and len(set(ids)) == 30
    assert all(abs(b - a) != 1 for a, b in itertools.pairwise(ids))
    assert ids != sorted(ids)


def test_an_expired_workshop_is_purged_of_people_and_keeps_its_figures(make_room, screens):
    played = play(make_room, screens)
    session, workshop = played.room.session, played.workshop
    roadmap = new_roadmap(session, played.room.owner.id)
    offered = promotion.candidates(session, roadmap, workshop).kinds["ranking"][0].enjeux
    ranking_ids = [c.item.id for c in offered]
    promotion.promote(session, roadmap, workshop, {"ranking": ranking_ids})
    people = list(session.exec(select(Participant).where(Participant.workshop_id == workshop.id)))
    tokens, ids = [p.token for p in people], [p.id for p in people]
    assert count(session, ParticipantIdentity, ParticipantIdentity.participant_id.in_(ids)) == 3
    ballots = count(session, Vote, Vote.participant_id.in_(ids))
    figures = report.collect(session, workshop)
    candidates = promotion.candidates(session, roadmap, workshop)
    enjeux = [(e.question, e.score, e.score_label, e.provenance, e.source_item_id)
              for e in session.exec(select(Enjeu).where(Enjeu.roadmap_id == roadmap.id))]

    # Not yet: 12 months after its last activity, by default.
    assert retention.purge_expired(session.get_bind(), retention.AUTOMATIC,
                                   now=add_months(utcnow(), 11)) == []
    later = add_months(utcnow(), 13)
    done = retention.purge_expired(session.get_bind(), retention.AUTOMATIC, now=later)
    session.expire_all()

    assert [(r.workshop_id, r.trigger, r.participants, r.names, r.ballots) for r in done] == [
        (workshop.id, "automatique", 3, 3, ballots)]
    assert count(session, Participant, Participant.id.in_(ids)) == 0
    assert count(session, ParticipantIdentity) == 0
    assert all(participants.by_token(session, workshop.id, t) is None for t in tokens)
    holders = list(session.exec(select(Participant).where(Participant.workshop_id == workshop.id)))
    assert len(holders) == 3 and all(h.token.startswith("~") for h in holders)
    assert count(session, Vote, Vote.participant_id.in_([h.id for h in holders])) == ballots
    # No contribution keeps an author.
    assert count(session, Item, Item.participant_id.is_not(None)) == 0
    assert count(session, TableRow, TableRow.created_by.is_not(None) | TableRow.updated_by.is_not(None)) == 0
    assert count(session, ResourceLink,
                 ResourceLink.created_by.is_not(None) | ResourceLink.updated_by.is_not(None)) == 0
    # Every figure stays: the compte-rendu, the roadmap's enjeux, what the roadmap may still take.
    assert report.collect(session, workshop) == figures
    assert report.collect(session, workshop, include_names=True).names == []
    assert promotion.candidates(session, roadmap, workshop) == candidates
    assert [(e.question, e.score, e.score_label, e.provenance, e.source_item_id)
            for e in session.exec(select(Enjeu).where(Enjeu.roadmap_id == roadmap.id))] == enjeux

    # A second run finds nothing to do.
    assert retention.purge_expired(session.get_bind(), retention.AUTOMATIC, now=later) == []
    assert count(session, PurgeRecord) == 1
    assert [h.id for h in session.exec(select(Participant).where(
        Participant.workshop_id == workshop.id))] == [h.id for h in holders]


VOTED = """title: Atelier
activities:
  - kind: poll
    id: scenario
    title: Quel scénario ?
    options: [Départemental, Intercommunal, Communal, Aucun]
  - kind: rating
    id: matrice
    title: Les facteurs
    items: [Vieillissement, Dématérialisation, Fibre, Zones blanches]
  - kind: ranking
    id: enjeux
    title: Les enjeux
    method: schulze
    items: [Accompagner, Communiquer, Orienter, Équiper, Former]
    keep: 2
"""


def test_a_purge_deals_the_ballots_again_and_every_result_stays(make_room, screens):
    """30 voters, each with her own ranking and poll choice and random ratings: after the purge
    the results and the compte-rendu read the same, while the holders' ballots are dealt afresh:
    a ranking no longer travels with its voter's poll choice, nor her ratings with each other."""
    room = make_room(VOTED)
    session, rng = room.session, random.Random(7)
    poll, rating, ranking = (room.activity(k) for k in ("scenario", "matrice", "enjeux"))
    for activity in (poll, rating, ranking):
        workshops.set_state(session, activity, "open", publisher=screens)
    rated = [i.id for i in ratings.rateable(session, rating.id)]
    ranked = [i.id for i in rankings.visible_items(session, ranking)]
    orders = rng.sample(list(itertools.permutations(ranked)), 30)
    people = []
    for n, order in enumerate(orders):
        voter = room.join()
        votes.cast_poll(session, voter, poll.id, str(n % 4), publisher=screens)
        for item in rated:
            for axis in ("impact", "maitrise"):
                ratings.rate(session, voter, rating.id, str(item), axis, rng.choice("1234"),
                             publisher=screens)
        rankings.cast(session, voter, ranking.id, ",".join(map(str, order)), publisher=screens)
        people.append(voter.id)

    def pairs() -> set[tuple[int | None, tuple[int, ...]]]:
        """(poll choice, ranking) of each holder."""
        polled = votes.choices_of(session, holders, poll.id)
        orders = rankings.raw_ballots(session, ranking)
        return {(polled[h], tuple(sorted(orders[h], key=orders[h].__getitem__))) for h in holders}

    def rating_ballots() -> list[frozenset]:
        return [frozenset((i, a, v) for i, axes in answers.items() for a, v in axes.items())
                for answers in ratings.answers_of(session, holders, rating.id).values()]

    holders = people
    figures = report.collect(session, room.workshop)
    results = (votes.poll_result(session, poll), ratings.results(session, rating),
               ratings.progress(session, rating), rankings.result(session, ranking))
    voted, rated_before = pairs(), rating_ballots()

    retention.purge(session, room.workshop, retention.COMMAND)
    session.expire_all()
    holders = list(session.exec(select(Participant.id).where(Participant.workshop_id == room.workshop.id)))
    assert report.collect(session, room.workshop) == figures
    assert (votes.poll_result(session, poll), ratings.results(session, rating),
            ratings.progress(session, rating), rankings.result(session, ranking)) == results
    # By chance a quarter of the pairs would match (four choices): not the thirty kept together.
    assert len(pairs() & voted) < 20
    assert len(set(rating_ballots()) & set(rated_before)) < 5


def test_a_workshop_within_its_retention_is_untouched(make_room):
    template = "title: Atelier\nactivities:\n  - kind: postits\n    id: idees\n    title: Idées\n"
    short, kept = make_room(template), make_room(template)
    retention.set_months(short.session, short.workshop, 1)
    anne, bruno = short.join("Anne").id, kept.join("Bruno")
    done = retention.purge_expired(short.session.get_bind(), retention.AUTOMATIC,
                                   now=add_months(utcnow(), 2))
    short.session.expire_all()
    assert [r.workshop_id for r in done] == [short.workshop.id]
    assert short.session.get(Participant, anne) is None
    assert short.session.get(Participant, bruno.id).token == bruno.token
    assert short.session.get(ParticipantIdentity, bruno.id).display_name == "Bruno"


def test_a_closed_workshop_keeps_its_data_its_retention_after_it_closed(make_room):
    template = "title: Atelier\nactivities:\n  - kind: postits\n    id: idees\n    title: Idées\n"
    room = make_room(template)
    retention.set_months(room.session, room.workshop, 1)
    anne = room.join("Anne").id
    room.workshop.closed_at = add_months(utcnow(), 3)  # closed long after Anne was last seen
    room.session.add(room.workshop)
    room.session.commit()
    engine = room.session.get_bind()
    assert retention.purge_expired(engine, retention.AUTOMATIC, now=add_months(utcnow(), 2)) == []
    assert room.session.get(Participant, anne) is not None
    done = retention.purge_expired(engine, retention.AUTOMATIC, now=add_months(utcnow(), 5))
    assert [r.workshop_id for r in done] == [room.workshop.id]


def test_a_facilitator_purges_now_and_new_arrivals_are_counted_from_then(make_room):
    room = make_room("title: Atelier\nactivities:\n  - kind: postits\n    id: idees\n    title: Idées\n")
    room.join("Anne")
    record = retention.purge(room.session, room.workshop, retention.FACILITATOR)
    assert (record.trigger, record.participants, record.names) == ("animateur", 1, 1)
    assert retention.status(room.session, room.workshop)["last_purge"]
    # Someone joining afterwards is kept for the workshop's retention from her own activity.
    late = room.join("Chloé").id
    assert retention.purge_expired(room.session.get_bind(), retention.AUTOMATIC,
                                   now=add_months(utcnow(), 11)) == []
    room.session.expire_all()
    assert room.session.get(Participant, late) is not None
