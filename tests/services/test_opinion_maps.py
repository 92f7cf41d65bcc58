"""The carte des sensibilités read from a real database (app/services/opinion_maps.py): a ranking's
two camps become two groups, the item all rank first is fédérateur and the roadmap's enjeu says
so in its provenance; shown only once revealed; a rating purged has no map any more, a ranking
purged keeps the same one (its ballots move whole)."""

import pytest
from sqlmodel import select

from app.domain.errors import NotAllowed
from app.domain.opinion_map import Status
from app.models import Enjeu
from app.services import opinion_maps, promotion, rankings, ratings, retention, workshops
from tests.services.test_promote import new_roadmap

TEMPLATE = """title: Atelier
activities:
  - kind: ranking
    id: enjeux
    title: Les enjeux
    items: [Accompagner, Équiper, Former, Orienter, Financer, Coopérer]
    keep: 3
  - kind: rating
    id: facteurs
    title: Les facteurs
    items: [Fibre, Guichets, Aidants, Tiers-lieux, Démarches, Matériel, Médiation]
"""


def test_two_camps_and_a_fédérateur_reach_the_roadmap(make_room, screens):
    room = make_room(TEMPLATE)
    session = room.session
    ranking = room.activity("enjeux")
    workshops.set_state(session, ranking, "open", publisher=screens)
    ids = [i.id for i in rankings.visible_items(session, ranking)]
    first = ids[0]
    # Everyone puts « Accompagner » first; camp A then Équiper, Former…, camp B the reverse.
    for n in range(16):
        order = [first, *ids[1:]] if n % 2 == 0 else [first, *reversed(ids[1:])]
        rankings.cast(session, room.join(), ranking.id, ",".join(map(str, order)), publisher=screens)
    reading = opinion_maps.read(session, ranking)
    assert reading.map is not None and reading.map.status is Status.GROUPS
    assert [g.size for g in reading.map.groups] == [8, 8]
    assert [s.item for s in reading.map.federating][:1] == [first]
    assert {s.item for s in reading.map.dividing} <= set(ids[1:])

    with pytest.raises(NotAllowed, match="Révélez d'abord les résultats"):
        opinion_maps.show(session, ranking, True, publisher=screens)
    workshops.set_state(session, ranking, "closed", publisher=screens)
    workshops.set_state(session, ranking, "revealed", publisher=screens)
    opinion_maps.show(session, ranking, True, publisher=screens)
    assert opinion_maps.shown(ranking) and screens.events[-1] == (room.workshop.id, "moderation")

    rankings.keep_top(session, ranking, 3, publisher=screens)
    roadmap = new_roadmap(session, room.owner.id)
    offered = promotion.candidates(session, roadmap, room.workshop).kinds["ranking"][0].enjeux
    promotion.promote(session, roadmap, room.workshop, {"ranking": [c.item.id for c in offered]})
    stances = {e.source_item_id: e.provenance["sensibilite"]
               for e in session.exec(select(Enjeu).where(Enjeu.roadmap_id == roadmap.id))}
    assert stances[first] == ("fédérateur dans la carte des sensibilités "
                              "(placé haut par 100 % du groupe A, 100 % du groupe B)")
    assert any(s.startswith("clivant dans la carte des sensibilités (placé haut par 100 % du groupe A, "
                            "0 % du groupe B)") or s.startswith("clivant dans la carte des sensibilités "
                                                                "(placé haut par 0 % du groupe A, 100 %")
               for item, s in stances.items() if item != first)

    # Purged: the ranking's ballots move whole, its map stays.
    before = opinion_maps.read(session, ranking).map
    retention.purge(session, room.workshop, retention.COMMAND)
    session.expire_all()
    assert opinion_maps.read(session, ranking).map == before


def test_a_rating_has_its_map_until_the_purge_deals_its_answers_apart(make_room, screens):
    room = make_room(TEMPLATE)
    session = room.session
    rating = room.activity("facteurs")
    workshops.set_state(session, rating, "open", publisher=screens)
    items = [i.id for i in ratings.rateable(session, rating.id)]
    for n in range(10):
        voter = room.join()
        for k, item in enumerate(items):
            high = (k < 3) == (n % 2 == 0)
            ratings.rate(session, voter, rating.id, str(item), "impact", "4" if high else "1",
                         publisher=screens)
    assert opinion_maps.read(session, rating).map.status is Status.GROUPS
    retention.purge(session, room.workshop, retention.COMMAND)
    session.expire_all()
    reading = opinion_maps.read(session, rating)
    assert reading.purged and reading.map is None
