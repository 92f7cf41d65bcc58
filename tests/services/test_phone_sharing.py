"""Phones that see the same thing share one render (`views.sharing_keys`): checked against a
fresh render of each phone, on rooms where phones did random things, and against the templates
(what a phone's fragment may show of the participant herself)."""

import random
import re
from itertools import combinations
from pathlib import Path

import pytest

from app.domain.kinds import KINDS
from app.live import PARTICIPANT, render
from app.rendering import TEMPLATES
from app.screens import views
from app.services import items, ratings, resource_maps, tables, votes, workshops
from tests.services.helpers import QUIET

TEMPLATE = """\
title: Partage
groups: [Nord, Sud]
activities:
  - kind: poll
    id: vote
    title: La couverture est-elle bonne ?
    scale: oui-non-moyennement
  - kind: rating
    id: notation
    title: Impact et maîtrise
    items: [Fibre, Seniors, Tiers-lieux]
  - kind: postits
    id: idees
    title: Vos idées
    categories: [social, territoire]
  - kind: table
    id: chantiers
    title: Chantiers
    sections: [Former, Équiper]
    use_groups: true
  - kind: resources
    id: carte
    title: Ressources
    chantier: Former les aidants
  - kind: text
    id: fin
    title: Merci
"""
ACTIVITIES = ["vote", "notation", "idees", "chantiers", "carte", "fin"]


def act(room, ref, phone, rng, n):
    """Phone `phone` does something (or nothing) in activity `ref`."""
    activity, session = room.activity(ref), room.session
    key = f"cle-{ref}-{phone.id:04d}-{n:04d}"
    if rng.random() < 0.4:
        return
    if ref == "vote":
        votes.cast_poll(session, phone, activity.id, str(rng.randrange(3)), publisher=QUIET)
    elif ref == "notation":
        item = rng.choice(ratings.rateable(session, activity.id))
        ratings.rate(session, phone, activity.id, str(item.id), rng.choice(["impact", "maitrise"]),
                     str(rng.randint(1, 4)), publisher=QUIET)
    elif ref == "idees":
        items.post(session, phone, activity.id, rng.choice(["Fibre", "Seniors"]), "social",
                   client_key=key, publisher=QUIET)
    elif ref == "chantiers":
        tables.create_row(session, phone, activity.id, str(rng.randrange(2)),
                          {"title": rng.choice(["Un", "Deux"])}, key, phone.group_id, publisher=QUIET)
    elif ref == "carte":
        resource_maps.add(session, phone, activity.id, rng.choice(["CAF", "Médiathèque", "Mairie"]),
                          rng.choice(resource_maps.categories_of(activity)), "operante", key,
                          publisher=QUIET)


@pytest.mark.parametrize("seed", range(3))
def test_phones_with_equal_keys_get_exactly_their_own_fresh_render(make_room, seed):
    rng = random.Random(seed)
    room = make_room(TEMPLATE)
    session = room.session
    phones = [room.join(f"Phone {n}") for n in range(9)]
    workshops.split_into_groups(session, room.workshop, 2, publisher=QUIET)
    phones = [session.merge(p) for p in phones]
    for p in phones:
        session.refresh(p)
    shared_somewhere = False
    for position, ref in enumerate(ACTIVITIES):
        workshops.go_to(session, room.workshop, position, publisher=QUIET)
        activity = room.activity(ref)
        if ref != "fin":
            workshops.set_state(session, activity, "open", publisher=QUIET)
        for n in range(15):
            act(room, ref, rng.choice(phones), rng, n)
        if ref in ("vote", "notation") and rng.random() < 0.7:  # closed, and maybe revealed
            workshops.set_state(session, activity, "closed", publisher=QUIET)
            if rng.random() < 0.6:
                workshops.set_state(session, activity, "revealed", publisher=QUIET)
        seen = views.participant_views(session, room.workshop, [p.id for p in phones])
        keys = views.sharing_keys(seen)
        fresh = {pid: render(PARTICIPANT, "p-activity", ctx) for pid, ctx in seen.items()}
        for a, b in combinations(seen, 2):
            if keys[a] == keys[b]:
                assert fresh[a] == fresh[b], (ref, a, b)
                shared_somewhere = True
        assert len(set(keys.values())) >= len(set(fresh.values()))
    assert shared_somewhere


def test_a_phone_fragment_shows_of_the_participant_only_what_the_key_holds():
    """Only `participant.group_id` on the page, and `participant.id` in the kinds that mark_own."""
    used: dict[str, set[str]] = {}
    block = (TEMPLATES / "participant" / "page.html").read_text(encoding="utf-8")
    block = block[block.index("{% block p_activity %}"):block.index("{% endblock %}")]
    used["page"] = set(re.findall(r"participant\.(\w+)", block))
    for path in (TEMPLATES / "activities").glob("*/*.html"):
        kind = path.parent.name
        used.setdefault(kind, set()).update(re.findall(r"participant\.(\w+)", path.read_text()))
    for name in ("_timer.html",):
        assert "participant" not in Path(TEMPLATES / name).read_text(encoding="utf-8")
    assert used.pop("page") <= {"group_id"}
    for kind, attributes in used.items():
        assert attributes <= ({"id"} if KINDS[kind].marks_own else set()), kind


@pytest.mark.parametrize("state", ["open", "closed"])
def test_each_phone_s_cached_rating_cards_are_the_cards_rendered_for_it_alone(make_room, state):
    from app.rendering import render as render_template

    rng = random.Random(11)
    room = make_room(TEMPLATE)
    session = room.session
    phones = [room.join(f"Phone {n}") for n in range(8)]
    workshops.go_to(session, room.workshop, 1, publisher=QUIET)
    notation = room.activity("notation")
    workshops.set_state(session, notation, "open", publisher=QUIET)
    for n in range(40):
        act(room, "notation", rng.choice(phones), rng, n)
    if state == "closed":
        workshops.set_state(session, notation, "closed", publisher=QUIET)
    seen = views.participant_views(session, room.workshop, [p.id for p in phones])
    distinct = set()
    for ctx in seen.values():
        alone = [render_template("activities/rating/_card.html", {**ctx, "number": n, "item": item})
                 for n, item in ctx["rate_items"]]
        assert [str(card) for card in ctx["rate_cards"]] == alone
        distinct.add("".join(alone))
    assert len(distinct) > 1  # the phones' answers differ: the cards are each phone's own
