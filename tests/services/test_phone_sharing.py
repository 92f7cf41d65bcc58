"""Phones that see the same thing share one render (`views.sharing_keys`): checked against a
fresh render of each phone, on rooms where phones did random things, and against the templates
(what a phone's fragment may show of the participant herself). A phone's page is its shared part
with her personal part swapped in (`views.PhoneView`)."""

import dataclasses
import random
import re
from itertools import combinations
from pathlib import Path

import lxml.html
import pytest

from app.domain.kinds import KINDS
from app.domain.workshop_templates import RESOURCE_LINK_STATES
from app.live import MINE, PARTICIPANT, render
from app.rendering import TEMPLATES
from app.screens import views
from app.services import items, ratings, resource_maps, tables, votes, workshops
from tests.htmx_swaps import apply, canonical
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


def moderate(room, ref, phone, rng):
    """The facilitator hides or merges what was written, or phone `phone` changes someone's entry:
    what a phone shows as hers changes hands."""
    activity, session = room.activity(ref), room.session
    if ref == "idees" and (notes := [i for i in items.of_activity(session, activity.id)
                                     if i.merged_into_id is None]):
        if len(notes) > 1 and rng.random() < 0.3:
            items.merge(session, activity, [n.id for n in rng.sample(notes, 2)], None, publisher=QUIET)
        else:
            note = rng.choice(notes)
            items.set_hidden(session, activity, note, not note.hidden, publisher=QUIET)
    elif ref == "chantiers" and (rows := tables.rows_of(session, activity.id)):
        row = rng.choice(rows)
        if rng.random() < 0.3:
            tables.set_hidden(session, activity, row, not row.hidden, publisher=QUIET)
        else:
            tables.edit_row(session, activity, row, row.version, {"title": f"Repris {rng.randrange(99)}"},
                            phone, publisher=QUIET)
    elif ref == "carte" and (resources := resource_maps.resources_of(session, activity.id)):
        resource = rng.choice(resources)
        if resource.hidden or rng.random() < 0.3:
            resource_maps.set_hidden(session, activity, resource, not resource.hidden, publisher=QUIET)
        else:
            resource_maps.set_state(session, phone, activity.id, resource.id,
                                    rng.choice(list(RESOURCE_LINK_STATES)), resource.version,
                                    publisher=QUIET)


def pushed(view: views.PhoneView) -> str:
    """What a phone shows once pushed her shared part, then her personal part (if her kind's page
    has one)."""
    shown = lxml.html.fragment_fromstring(render(PARTICIPANT, "p-activity", view.shared))
    activity = view.shared["activity"]
    if activity is not None and views.personal_names(activity.kind):
        apply(shown, render(PARTICIPANT, MINE, view.page))
    return canonical(shown)


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
    writers = phones[:6]  # the others only read: nothing of their own, one personal part for them
    shared_somewhere = personal_shared_somewhere = False
    for position, ref in enumerate(ACTIVITIES):
        workshops.go_to(session, room.workshop, position, publisher=QUIET)
        activity = room.activity(ref)
        if ref != "fin":
            workshops.set_state(session, activity, "open", publisher=QUIET)
        for n in range(15):
            act(room, ref, rng.choice(writers), rng, n)
            if rng.random() < 0.3:
                moderate(room, ref, rng.choice(writers), rng)
        if ref in ("vote", "notation") and rng.random() < 0.7:  # closed, and maybe revealed
            workshops.set_state(session, activity, "closed", publisher=QUIET)
            if rng.random() < 0.6:
                workshops.set_state(session, activity, "revealed", publisher=QUIET)
        seen = views.participant_views(session, room.workshop, [p.id for p in phones])
        keys = views.sharing_keys(seen)
        shared = {pid: render(PARTICIPANT, "p-activity", view.shared) for pid, view in seen.items()}
        personal = {pid: render(PARTICIPANT, MINE, view.page) if views.personal_names(activity.kind)
                    else "" for pid, view in seen.items()}
        for a, b in combinations(seen, 2):
            if keys[a].shared == keys[b].shared:
                assert shared[a] == shared[b], (ref, a, b)
                shared_somewhere = True
            if keys[a].personal == keys[b].personal:
                assert personal[a] == personal[b], (ref, a, b)
                personal_shared_somewhere |= ref == "idees"
        for pid, view in seen.items():  # her page: the shared part, her personal part swapped in
            page = lxml.html.fragment_fromstring(render(PARTICIPANT, "p-activity", view.page))
            assert pushed(view) == canonical(page), (ref, pid)
    assert shared_somewhere and personal_shared_somewhere


def test_a_moderation_changes_nothing_of_a_post_it_phone_but_her_personal_part(make_room):
    """What `MODERATION_IS_PERSONAL` says of post-its: a moderation pushes phones their own notes
    alone (app/live.py), so the rest of the page must not show anything moderated."""
    rng = random.Random(5)
    room = make_room(TEMPLATE)
    session = room.session
    phones = [room.join(f"Phone {n}") for n in range(6)]
    workshops.go_to(session, room.workshop, ACTIVITIES.index("idees"), publisher=QUIET)
    activity = room.activity("idees")
    workshops.set_state(session, activity, "open", publisher=QUIET)
    for n in range(12):
        act(room, "idees", rng.choice(phones), rng, n)
    assert views.moderation_is_personal(activity.kind)

    def shared_parts() -> dict[int, str]:
        seen = views.participant_views(session, room.workshop, [p.id for p in phones])
        return {pid: render(PARTICIPANT, "p-activity", view.shared) for pid, view in seen.items()}

    before = shared_parts()
    notes = items.of_activity(session, activity.id)
    items.set_hidden(session, activity, notes[0], True, publisher=QUIET)
    items.edit(session, activity, notes[1], "Corrigé", "territoire", publisher=QUIET)
    items.merge(session, activity, [notes[2].id, notes[3].id], "Regroupés", publisher=QUIET)
    items.add_by_facilitator(session, activity, "De l'animatrice", "social", publisher=QUIET)
    assert shared_parts() == before


def test_a_phone_fragment_shows_of_the_participant_only_what_the_key_holds():
    """Only `participant.group_id` on the page, and `participant.id` in the kinds that mark_own,
    which mark her entries in her personal part: the shared part has a `Member` for her, who has
    no id."""
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
    assert [f.name for f in dataclasses.fields(views.Member)] == ["group_id"]
    for kind, attributes in used.items():
        assert attributes <= ({"id"} if KINDS[kind].marks_own else set()), kind
    for kind in KINDS:
        personal = bool(views.personal_names(kind))
        assert personal == (TEMPLATES / "activities" / kind / "mine.html").is_file(), kind
        assert personal or not KINDS[kind].marks_own, kind


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
    for ctx in (view.page for view in seen.values()):
        alone = [render_template("activities/rating/_card.html", {**ctx, "number": n, "item": item})
                 for n, item in ctx["rate_items"]]
        assert [str(card) for card in ctx["rate_cards"]] == alone
        distinct.add("".join(alone))
    assert len(distinct) > 1  # the phones' answers differ: the cards are each phone's own
