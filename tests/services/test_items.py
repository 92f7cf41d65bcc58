"""app/services/items.py on a real database: posting once per idempotency key, the text and
category rules, the facilitator's list edits and moderation (hide, edit, merge, unmerge) with the
provenance they leave, and the readers the screens use."""

import re

import pytest
from sqlmodel import Session, select

from app.domain.errors import DomainError, NotAllowed, NotFound
from app.domain.provenance import ItemLink, source_items
from app.models import Item, Participant
from app.publishing import ITEMS, MODERATION
from app.services import items, workshops
from tests.services.helpers import QUIET, exactly, opened

TEMPLATE = """\
title: Atelier
groups: [Rouge, Bleu]
activities:
  - kind: postits
    id: idees
    title: Vos idées
    categories: [social, économique]
    max_length: 40
  - kind: postits
    id: libres
    title: Sans catégorie
  - kind: postits
    id: groupes
    title: Par sous-groupe
    use_groups: true
  - kind: rating
    id: matrice
    title: Noter
    items: [Vieillissement, Fibre]
  - kind: ranking
    id: enjeux
    title: Classer
    items: [Former, Équiper]
    keep: 1
  - kind: poll
    id: vote
    title: Un vote
    options: [Oui, Non]
  - kind: text
    id: consigne
    title: La consigne
  - kind: table
    id: tableau
    title: Les chantiers
  - kind: resources
    id: carte
    title: Les ressources
    chantier: Former les aidants
"""

def key(n: int) -> str:
    return f"cle-{n:08d}"


def committed(session: Session, row_id: int, model: type = Item):
    """The row as stored, read through another connection (not this session's identity map)."""
    with Session(session.get_bind()) as other:
        return other.get(model, row_id)


def rows(session: Session) -> list[tuple[int, str]]:
    with Session(session.get_bind()) as other:
        return [(i.activity_id, i.text) for i in other.exec(select(Item).order_by(Item.id))]


# ---------------------------------------------------------------- posting


def test_a_note_is_stored_once_per_client_key_and_published_once(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "libres")
    alice, bob = room.join("Alice"), room.join("Bob")
    note, created = items.post(room.session, alice, notes.id, "  La fibre  ", client_key=key(1),
                               publisher=screens)
    assert created
    stored = committed(room.session, note.id)
    assert (stored.text, stored.participant_id, stored.activity_id, stored.source, stored.client_key,
            stored.category, stored.group_id) == ("La fibre", alice.id, notes.id, "participant",
                                                  key(1), "", None)
    # The phone sends again (lost answer): the same note comes back, whatever the body says now.
    again, created = items.post(room.session, alice, notes.id, "Autre chose", client_key=key(1),
                                publisher=screens)
    assert (again.id, again.text, created) == (note.id, "La fibre", False)
    # Keys belong to a participant: Bob's same key is his own note.
    bobs, created = items.post(room.session, bob, notes.id, "Les seniors", client_key=key(1),
                               publisher=screens)
    assert created and bobs.id != note.id
    assert rows(room.session) == [(room.activity("matrice").id, "Vieillissement"),
                                  (room.activity("matrice").id, "Fibre"),
                                  (room.activity("enjeux").id, "Former"),
                                  (room.activity("enjeux").id, "Équiper"),
                                  (notes.id, "La fibre"), (notes.id, "Les seniors")]
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_a_replay_is_answered_even_once_the_activity_is_closed(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "libres")
    alice = room.join()
    note, _ = items.post(room.session, alice, notes.id, "La fibre", client_key=key(2), publisher=screens)
    workshops.set_state(room.session, notes, "closed", publisher=QUIET)
    again, created = items.post(room.session, alice, notes.id, "La fibre", client_key=key(2),
                                publisher=screens)
    assert (again.id, created) == (note.id, False)
    with pytest.raises(NotAllowed, match=exactly("Cette activité n'est pas ouverte : votre contribution "
                                                 "n'a pas été enregistrée.")):
        items.post(room.session, alice, notes.id, "La fibre", client_key=key(3), publisher=screens)
    assert screens.events == [(room.workshop.id, ITEMS)]


def test_a_bad_client_key_is_refused_before_anything_is_stored(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "libres")
    alice = room.join()
    before = rows(room.session)
    for bad in ["", "cle-123", "x" * 65, "clé-00000001", "cle 00000001", "cle.00000001", "\ncle-00000001"]:
        with pytest.raises(DomainError, match=exactly(
                "Clé d'idempotence invalide (8 à 64 caractères A-Z, a-z, 0-9, - ou _).")):
            items.post(room.session, alice, notes.id, "La fibre", client_key=bad, publisher=screens)
    assert rows(room.session) == before
    assert screens.events == []


@pytest.mark.parametrize("bad", ["cle-00000001\n", "k" * 64 + "\n"])
def test_a_client_key_ending_in_a_newline_is_refused(make_room, screens, bad):
    room = make_room(TEMPLATE)
    notes = opened(room, "libres")
    with pytest.raises(DomainError, match=re.escape("Clé d'idempotence invalide")):
        items.post(room.session, room.join(), notes.id, "La fibre", client_key=bad, publisher=screens)


def test_client_keys_of_8_and_64_characters_are_accepted(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "libres")
    alice = room.join()
    for n, good in enumerate(["Ab3_-xyZ", "k" * 64]):
        note, created = items.post(room.session, alice, notes.id, f"Note {n}", client_key=good,
                                   publisher=screens)
        assert created and committed(room.session, note.id).client_key == good
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_text_is_cleaned_and_held_to_the_activity_max_length(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "idees")  # max_length: 40
    alice = room.join()
    exact = "é" * 40
    note, _ = items.post(room.session, alice, notes.id, f"\t{exact}\r\n", "social", client_key=key(1),
                         publisher=screens)
    assert committed(room.session, note.id).text == exact
    two_lines, _ = items.post(room.session, alice, notes.id, "Fracture\r\nnumérique", "social",
                              client_key=key(2), publisher=screens)
    assert committed(room.session, two_lines.id).text == "Fracture\nnumérique"
    with pytest.raises(DomainError, match=exactly("Le post-it fait 41 caractères ; 40 au maximum.")):
        items.post(room.session, alice, notes.id, "x" * 41, "social", client_key=key(3),
                   publisher=screens)
    with pytest.raises(DomainError, match=exactly("Le post-it est vide.")):
        items.post(room.session, alice, notes.id, " \n\u200b ", "social", client_key=key(4),
                   publisher=screens)
    # Without max_length, a note may have 280 characters, not 281.
    free = opened(room, "libres")
    items.post(room.session, alice, free.id, "y" * 280, client_key=key(5), publisher=screens)
    with pytest.raises(DomainError, match=exactly("Le post-it fait 281 caractères ; 280 au maximum.")):
        items.post(room.session, alice, free.id, "y" * 281, client_key=key(6), publisher=screens)
    assert screens.events == [(room.workshop.id, ITEMS)] * 3
    assert len([t for a, t in rows(room.session) if a in (notes.id, free.id)]) == 3


def test_the_category_must_be_one_of_the_template_when_it_lists_some(make_room, screens):
    room = make_room(TEMPLATE)
    notes, free = opened(room, "idees"), opened(room, "libres")
    alice = room.join()
    note, _ = items.post(room.session, alice, notes.id, "Revenus", " économique ", client_key=key(1),
                         publisher=screens)
    assert committed(room.session, note.id).category == "économique"
    message = "Catégorie inconnue : « {} ». Choix : social, économique."
    for bad in ["politique", "Social", ""]:
        with pytest.raises(DomainError, match=exactly(message.format(bad))):
            items.post(room.session, alice, notes.id, "Revenus", bad, client_key=key(2),
                       publisher=screens)
    # An activity without categories ignores the one sent.
    plain, _ = items.post(room.session, alice, free.id, "Revenus", "politique", client_key=key(3),
                          publisher=screens)
    assert committed(room.session, plain.id).category == ""
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_sub_groups_are_required_where_the_activity_uses_them(make_room, screens):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    by_group, free = opened(room, "groupes"), opened(room, "libres")
    red, blue = workshops.groups_of(room.session, room.workshop.id)
    foreign = workshops.groups_of(room.session, other.workshop.id)[0]
    alice = room.join()
    with pytest.raises(DomainError, match=exactly("Choisissez votre sous-groupe avant d'envoyer.")):
        items.post(room.session, alice, by_group.id, "Fibre", client_key=key(1), publisher=screens)
    with pytest.raises(NotFound, match=exactly(f"Sous-groupe {foreign.id} introuvable dans cet atelier.")):
        items.post(room.session, alice, by_group.id, "Fibre", group_id=foreign.id, client_key=key(1),
                   publisher=screens)
    note, _ = items.post(room.session, alice, by_group.id, "Fibre", group_id=blue.id, client_key=key(1),
                         publisher=screens)
    assert committed(room.session, note.id).group_id == blue.id
    assert committed(room.session, alice.id, Participant).group_id == blue.id  # her choice is kept
    second, _ = items.post(room.session, alice, by_group.id, "Seniors", client_key=key(2),
                           publisher=screens)
    assert committed(room.session, second.id).group_id == blue.id
    # Where groups are not used, the group sent is ignored.
    loose, _ = items.post(room.session, alice, free.id, "Seniors", group_id=red.id, client_key=key(3),
                          publisher=screens)
    assert committed(room.session, loose.id).group_id is None
    assert screens.events == [(room.workshop.id, ITEMS)] * 3


def test_posting_is_refused_outside_an_open_postits_activity_of_her_workshop(make_room, screens):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    alice = room.join()
    draft = room.activity("libres")
    rating = opened(room, "matrice")
    elsewhere = opened(other, "libres")
    cases = [
        (draft.id, NotAllowed, "Cette activité n'est pas ouverte : votre contribution n'a pas été "
                               "enregistrée."),
        (rating.id, NotAllowed, "Cette activité n'est pas une activité de post-its."),
        (elsewhere.id, NotFound, f"Activité {elsewhere.id} introuvable dans cet atelier."),
        (10**9, NotFound, f"Activité {10**9} introuvable dans cet atelier."),
    ]
    before = rows(room.session)
    for n, (activity_id, error, message) in enumerate(cases):
        with pytest.raises(error, match=exactly(message)):
            items.post(room.session, alice, activity_id, "Fibre", client_key=key(n), publisher=screens)
    assert rows(room.session) == before
    assert screens.events == []


# ---------------------------------------------------------------- the facilitator's list


def test_the_facilitator_adds_to_listed_kinds_only(make_room, screens):
    room = make_room(TEMPLATE)
    wid = room.workshop.id
    for ref in ["libres", "matrice", "enjeux"]:
        activity = room.activity(ref)  # still in draft: the list is prepared before opening
        added = items.add_by_facilitator(room.session, activity, f"  Papier {ref} ", publisher=screens)
        stored = committed(room.session, added.id)
        assert (stored.activity_id, stored.text, stored.source, stored.participant_id) == (
            activity.id, f"Papier {ref}", "facilitator", None)
    assert screens.events == [(wid, MODERATION)] * 3
    before = rows(room.session)
    for ref in ["vote", "consigne", "tableau", "carte"]:
        with pytest.raises(NotAllowed, match=exactly("Cette activité n'a pas de liste d'éléments.")):
            items.add_by_facilitator(room.session, room.activity(ref), "Papier", publisher=screens)
    assert rows(room.session) == before
    assert screens.events == [(wid, MODERATION)] * 3


def test_the_facilitator_follows_the_same_text_and_category_rules(make_room, screens):
    room = make_room(TEMPLATE)
    notes = room.activity("idees")
    added = items.add_by_facilitator(room.session, notes, "Mobilité", "social", publisher=screens)
    assert committed(room.session, added.id).category == "social"
    before = rows(room.session)
    with pytest.raises(DomainError, match=exactly("Le post-it fait 41 caractères ; 40 au maximum.")):
        items.add_by_facilitator(room.session, notes, "x" * 41, "social", publisher=screens)
    with pytest.raises(DomainError, match=re.escape("Catégorie inconnue : « astrologie »")):
        items.add_by_facilitator(room.session, notes, "Mobilité", "astrologie", publisher=screens)
    with pytest.raises(DomainError, match=exactly("Le post-it est vide.")):
        items.add_by_facilitator(room.session, room.activity("enjeux"), "   ", publisher=screens)
    assert rows(room.session) == before
    assert screens.events == [(room.workshop.id, MODERATION)]


def test_edit_replaces_text_and_category_and_marks_the_note(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "idees")
    note, _ = items.post(room.session, room.join(), notes.id, "La fibre", "social", client_key=key(1),
                         publisher=QUIET)
    items.edit(room.session, notes, note, "  Déploiement de la fibre ", "économique", publisher=screens)
    stored = committed(room.session, note.id)
    assert (stored.text, stored.category, stored.edited) == ("Déploiement de la fibre", "économique", True)
    assert screens.events == [(room.workshop.id, MODERATION)]


@pytest.mark.parametrize(("text", "category", "message"), [
    ("x" * 41, "social", "Le post-it fait 41 caractères ; 40 au maximum."),
    ("", "social", "Le post-it est vide."),
    ("Correct", "astrologie", "Catégorie inconnue : « astrologie ». Choix : social, économique."),
])
def test_a_refused_edit_stores_nothing(make_room, screens, text, category, message):
    room = make_room(TEMPLATE)
    notes = opened(room, "idees")
    note, _ = items.post(room.session, room.join(), notes.id, "La fibre", "social", client_key=key(1),
                         publisher=QUIET)
    with pytest.raises(DomainError, match=exactly(message)):
        items.edit(room.session, notes, note, text, category, publisher=screens)
    stored = committed(room.session, note.id)
    assert (stored.text, stored.category, stored.edited) == ("La fibre", "social", False)
    assert screens.events == []


def test_set_hidden_hides_and_shows_again(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "libres")
    note, _ = items.post(room.session, room.join(), notes.id, "Hors sujet", client_key=key(1),
                         publisher=QUIET)
    items.set_hidden(room.session, notes, note, True, publisher=screens)
    assert committed(room.session, note.id).hidden is True
    items.set_hidden(room.session, notes, note, False, publisher=screens)
    assert committed(room.session, note.id).hidden is False
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


# ---------------------------------------------------------------- merging


def _four_notes(room, ref="idees"):
    notes = opened(room, ref)
    alice, bob = room.join("Alice"), room.join("Bob")
    texts = [("Fibre", "économique", alice), ("La fibre", "social", bob), ("Fibre optique", "social", bob),
             ("Seniors", "social", alice)]
    posted = [items.post(room.session, who, notes.id, text, category, client_key=key(n),
                         publisher=QUIET)[0] for n, (text, category, who) in enumerate(texts)]
    return notes, posted


def test_merge_makes_a_new_note_that_keeps_its_originals(make_room, screens):
    room = make_room(TEMPLATE)
    notes, (fibre, la_fibre, optique, seniors) = _four_notes(room)
    merged = items.merge(room.session, notes, [optique.id, fibre.id, la_fibre.id], None, publisher=screens)
    stored = committed(room.session, merged.id)
    # Default text and category: the oldest note's (categories differ).
    assert (stored.activity_id, stored.source, stored.text, stored.category, stored.participant_id,
            stored.merged_into_id) == (notes.id, "merge", "Fibre", "économique", None, None)
    for original in (fibre, la_fibre, optique):
        assert committed(room.session, original.id).merged_into_id == merged.id
    assert committed(room.session, seniors.id).merged_into_id is None
    assert screens.events == [(room.workshop.id, MODERATION)]
    links = items.links_of_workshop(room.session, room.workshop.id)
    assert [s.id for s in source_items(merged.id, links)] == [fibre.id, la_fibre.id, optique.id]


def test_merge_with_a_new_text_and_one_shared_category(make_room, screens):
    room = make_room(TEMPLATE)
    notes, (_fibre, la_fibre, optique, _seniors) = _four_notes(room)
    merged = items.merge(room.session, notes, [la_fibre.id, optique.id], "  Le très haut débit ",
                         publisher=screens)
    assert (committed(room.session, merged.id).text, committed(room.session, merged.id).category) == (
        "Le très haut débit", "social")
    assert screens.events == [(room.workshop.id, MODERATION)]


def test_a_merge_keeps_the_sub_group_only_when_all_its_notes_share_it(make_room, screens):
    room = make_room(TEMPLATE)
    notes = opened(room, "groupes")
    red, blue = workshops.groups_of(room.session, room.workshop.id)
    alice, bob = room.join(), room.join()
    a1, a2 = (items.post(room.session, alice, notes.id, t, group_id=red.id, client_key=key(n),
                         publisher=QUIET)[0] for n, t in enumerate(["Fibre", "La fibre"]))
    b1, _ = items.post(room.session, bob, notes.id, "Fibre !", group_id=blue.id, client_key=key(9),
                       publisher=QUIET)
    same = items.merge(room.session, notes, [a1.id, a2.id], None, publisher=screens)
    assert committed(room.session, same.id).group_id == red.id
    mixed = items.merge(room.session, notes, [same.id, b1.id], None, publisher=screens)
    assert committed(room.session, mixed.id).group_id is None
    # A merge of merges: provenance goes back to the three post-its.
    links = items.links_of_workshop(room.session, room.workshop.id)
    assert [s.id for s in source_items(mixed.id, links)] == [a1.id, a2.id, b1.id]
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_merge_refusals_store_and_publish_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    notes, (fibre, la_fibre, optique, seniors) = _four_notes(room)
    free = opened(room, "libres")
    elsewhere, _ = items.post(room.session, room.join(), free.id, "Ailleurs", client_key=key(50),
                              publisher=QUIET)
    items.merge(room.session, notes, [fibre.id, la_fibre.id], None, publisher=QUIET)
    before = rows(room.session)
    cases = [
        ([optique.id], DomainError, "Choisissez au moins deux post-its à fusionner."),
        ([optique.id, optique.id], DomainError, "Choisissez au moins deux post-its à fusionner."),
        ([optique.id, 10**9], NotFound, f"Post-it {10**9} introuvable."),
        ([optique.id, fibre.id], NotAllowed, f"Le post-it {fibre.id} a déjà été fusionné."),
        ([seniors.id, elsewhere.id], NotAllowed,
         f"Le post-it {elsewhere.id} n'appartient pas à cette activité."),
    ]
    for ids, error, message in cases:
        with pytest.raises(error, match=exactly(message)):
            items.merge(room.session, notes, ids, None, publisher=screens)
    with pytest.raises(DomainError, match=exactly("Le post-it fait 281 caractères ; 40 au maximum.")):
        items.merge(room.session, notes, [optique.id, seniors.id], "x" * 281, publisher=screens)
    assert rows(room.session) == before
    assert committed(room.session, optique.id).merged_into_id is None
    assert screens.events == []


def test_a_merged_text_is_held_to_the_activity_max_length(make_room, screens):
    room = make_room(TEMPLATE)
    notes, (_fibre, la_fibre, optique, _seniors) = _four_notes(room)  # max_length: 40
    with pytest.raises(DomainError, match=exactly("Le post-it fait 41 caractères ; 40 au maximum.")):
        items.merge(room.session, notes, [la_fibre.id, optique.id], "x" * 41, publisher=screens)


def test_unmerge_gives_the_originals_back(make_room, screens):
    room = make_room(TEMPLATE)
    notes, (fibre, la_fibre, optique, _seniors) = _four_notes(room)
    merged = items.merge(room.session, notes, [fibre.id, la_fibre.id], None, publisher=QUIET)
    items.unmerge(room.session, notes, merged, publisher=screens)
    assert committed(room.session, merged.id) is None
    assert [committed(room.session, i.id).merged_into_id for i in (fibre, la_fibre)] == [None, None]
    assert screens.events == [(room.workshop.id, MODERATION)]
    # They may be merged again, differently.
    again = items.merge(room.session, notes, [la_fibre.id, optique.id], None, publisher=QUIET)
    assert committed(room.session, again.id).text == "La fibre"


def test_only_a_merged_note_can_be_unmerged(make_room, screens):
    room = make_room(TEMPLATE)
    notes, (fibre, *_rest) = _four_notes(room)
    before = rows(room.session)
    with pytest.raises(NotAllowed, match=exactly("Ce post-it n'est pas issu d'une fusion.")):
        items.unmerge(room.session, notes, fibre, publisher=screens)
    assert rows(room.session) == before
    assert screens.events == []


# ---------------------------------------------------------------- reading


def test_links_of_workshop_lists_every_item_of_that_workshop_only(make_room):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    notes, (fibre, la_fibre, optique, seniors) = _four_notes(room)
    merged = items.merge(room.session, notes, [fibre.id, la_fibre.id], "Fibre pour tous", publisher=QUIET)
    items.set_hidden(room.session, notes, seniors, True, publisher=QUIET)
    copy = items.add_by_facilitator(room.session, room.activity("libres"), "Copie", publisher=QUIET)
    copy.origin_id = optique.id  # as the flow copies an item (app/services/flow.py)
    room.session.add(copy)
    room.session.commit()
    template_items = items.of_activity(room.session, room.activity("matrice").id) + items.of_activity(
        room.session, room.activity("enjeux").id)
    expected = {i.id: ItemLink(i.id, i.text, None, None) for i in template_items}
    expected |= {
        fibre.id: ItemLink(fibre.id, "Fibre", None, merged.id),
        la_fibre.id: ItemLink(la_fibre.id, "La fibre", None, merged.id),
        optique.id: ItemLink(optique.id, "Fibre optique", None, None),
        seniors.id: ItemLink(seniors.id, "Seniors", None, None),  # hidden items keep their place
        merged.id: ItemLink(merged.id, "Fibre pour tous", None, None),
        copy.id: ItemLink(copy.id, "Copie", optique.id, None),
    }
    assert items.links_of_workshop(room.session, room.workshop.id) == expected
    theirs = items.links_of_workshop(room.session, other.workshop.id)
    assert len(theirs) == 4 and not set(theirs) & set(expected)


def test_of_participants_groups_each_ones_notes_of_one_activity_in_order(make_room):
    room = make_room(TEMPLATE)
    notes, free = opened(room, "libres"), opened(room, "idees")
    alice, bob, carol = room.join("Alice"), room.join("Bob"), room.join("Carol")
    a1, _ = items.post(room.session, alice, notes.id, "Un", client_key=key(1), publisher=QUIET)
    b1, _ = items.post(room.session, bob, notes.id, "Deux", client_key=key(2), publisher=QUIET)
    a2, _ = items.post(room.session, alice, notes.id, "Trois", client_key=key(3), publisher=QUIET)
    items.post(room.session, carol, free.id, "Ailleurs", "social", client_key=key(4), publisher=QUIET)
    items.add_by_facilitator(room.session, notes, "Papier", publisher=QUIET)
    found = items.of_participants(room.session, [alice.id, bob.id, carol.id], notes.id)
    assert {pid: [i.id for i in mine] for pid, mine in found.items()} == {
        alice.id: [a1.id, a2.id], bob.id: [b1.id]}
    assert {pid: [i.id for i in mine] for pid, mine in items.of_participants(
        room.session, [bob.id], notes.id).items()} == {bob.id: [b1.id]}
    assert items.of_participants(room.session, [], notes.id) == {}
