"""app/services/workshops.py, flow.py and orders.py on a real database: a workshop made from a
template, renamed, driven through its activities (position, sub-groups, timer, states) and
deleted; the refusals a participant meets per kind; items flowing from one activity to the next
the first time it opens."""

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.domain.errors import DomainError, NotAllowed, NotFound
from app.domain.kinds import KINDS
from app.domain.provenance import source_items
from app.domain.workshop_templates import parse_template
from app.models import Activity, Item, Participant, Vote, Workshop, WorkshopGroup, utcnow
from app.publishing import STRUCTURE, TIMER
from app.services import flow, items, orders, ratings, votes, workshops
from tests.services.helpers import QUIET, exactly

TEMPLATE = """\
title: Mon territoire et le numérique dans 10 ans
description: Étape 3 de la méthode.
groups: [Rouge, Bleu]
activities:
  - kind: text
    id: consigne
    title: La consigne
  - kind: postits
    id: facteurs
    title: Facteurs de changement
  - kind: postits
    id: inertie
    title: Facteurs d'inertie
  - kind: rating
    id: matrice
    title: Impact et maîtrise
    items_from: {activity: facteurs, also: [inertie], take: merged}
  - kind: ranking
    id: enjeux
    title: Les enjeux prioritaires
    items_from: {activity: matrice, take: top, n: 2}
    keep: 2
  - kind: rating
    id: brut
    title: Tout noter
    items_from: {activity: facteurs, take: all}
  - kind: poll
    id: vote
    title: Un vote
    options: [Oui, Non]
  - kind: ranking
    id: anct
    title: Les enjeux de l'ANCT
    items: [Former les professionnels, Mieux équiper les lieux]
    keep: 1
  - kind: table
    id: tableau
    title: Les chantiers
  - kind: resources
    id: carte
    title: Les ressources
    chantier: Former les aidants
"""

REFS = ["consigne", "facteurs", "inertie", "matrice", "enjeux", "brut", "vote", "anct", "tableau", "carte"]
def reading(session: Session) -> Session:
    """Another connection: what is committed, not this session's identity map."""
    return Session(session.get_bind())


def committed(session: Session, model, row_id: int):
    with reading(session) as other:
        return other.get(model, row_id)


def texts(session: Session, activity) -> list[str]:
    with reading(session) as other:
        return [i.text for i in other.exec(select(Item).where(Item.activity_id == activity.id)
                                           .order_by(col(Item.id)))]


# ---------------------------------------------------------------- creating


def test_create_from_template_copies_groups_activities_and_fixed_items(make_room):
    room = make_room(TEMPLATE)
    workshop = committed(room.session, Workshop, room.workshop.id)
    assert (workshop.title, workshop.description, workshop.template_slug, workshop.owner_id,
            workshop.current_position, workshop.timer_ends_at) == (
        "Mon territoire et le numérique dans 10 ans", "Étape 3 de la méthode.", "atelier", room.owner.id,
        0, None)
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}", workshop.join_code)
    assert len(workshop.board_key) == 43
    assert [(g.position, g.name) for g in workshops.groups_of(room.session, workshop.id)] == [
        (0, "Rouge"), (1, "Bleu")]
    activities = workshops.activities_of(room.session, workshop.id)
    assert [(a.position, a.kind, a.config["id"], a.state) for a in activities] == [
        (0, "text", "consigne", "draft"), (1, "postits", "facteurs", "draft"),
        (2, "postits", "inertie", "draft"), (3, "rating", "matrice", "draft"),
        (4, "ranking", "enjeux", "draft"), (5, "rating", "brut", "draft"), (6, "poll", "vote", "draft"),
        (7, "ranking", "anct", "draft"), (8, "table", "tableau", "draft"), (9, "resources", "carte", "draft")]
    matrix = activities[3]
    assert matrix.title == "Impact et maîtrise"
    assert "kind" not in matrix.config and "title" not in matrix.config
    assert matrix.config["items_from"] == {"activity": "facteurs", "take": "merged", "n": None,
                                           "also": ["inertie"]}
    # A fixed list becomes the activity's items; a list taken from another activity waits.
    with reading(room.session) as other:
        stored = [(i.activity_id, i.text, i.source) for i in other.exec(select(Item).order_by(col(Item.id)))]
    assert stored == [(activities[7].id, "Former les professionnels", "template"),
                      (activities[7].id, "Mieux équiper les lieux", "template")]
    # Each workshop draws its own code and screen key.
    second = make_room(TEMPLATE).workshop
    assert second.join_code != workshop.join_code and second.board_key != workshop.board_key


def test_a_title_given_at_creation_is_cleaned_or_refused(make_room, session):
    room = make_room(TEMPLATE)
    template = parse_template(TEMPLATE, "prospective.yaml")
    named = workshops.create_from_template(session, room.owner.id, template, "  Atelier   de  Rennes ")
    assert (named.title, named.template_slug) == ("Atelier de Rennes", "prospective")
    blank = workshops.create_from_template(session, room.owner.id, template, "   ")
    assert blank.title == "Mon territoire et le numérique dans 10 ans"
    with pytest.raises(DomainError, match=exactly("Le titre fait 121 caractères ; 120 au maximum.")):
        workshops.create_from_template(session, room.owner.id, template, "x" * 121)
    with reading(session) as other:
        assert len(other.exec(select(Workshop)).all()) == 3


def test_rename_cleans_the_title_and_refuses_an_empty_or_long_one(make_room, screens):
    room = make_room(TEMPLATE)
    workshops.rename(room.session, room.workshop, "  Atelier\tde   Rennes ", publisher=screens)
    assert committed(room.session, Workshop, room.workshop.id).title == "Atelier de Rennes"
    workshops.rename(room.session, room.workshop, "é" * 120, publisher=screens)
    assert committed(room.session, Workshop, room.workshop.id).title == "é" * 120
    assert screens.events == [(room.workshop.id, STRUCTURE)] * 2
    for bad, message in [("", "Le titre est vide."), (" \n\t ", "Le titre est vide."),
                         ("é" * 121, "Le titre fait 121 caractères ; 120 au maximum.")]:
        with pytest.raises(DomainError, match=exactly(message)):
            workshops.rename(room.session, room.workshop, bad, publisher=screens)
    assert committed(room.session, Workshop, room.workshop.id).title == "é" * 120
    assert screens.events == [(room.workshop.id, STRUCTURE)] * 2


# ---------------------------------------------------------------- driving


def test_go_to_moves_within_the_activities_only(make_room, screens):
    room = make_room(TEMPLATE)
    wid = room.workshop.id
    workshops.go_to(room.session, room.workshop, 9, publisher=screens)
    assert committed(room.session, Workshop, wid).current_position == 9
    assert workshops.current_activity(room.session, room.workshop).config["id"] == "carte"
    workshops.go_to(room.session, room.workshop, 0, publisher=screens)
    assert workshops.current_activity(room.session, room.workshop).config["id"] == "consigne"
    for position in (-1, 10, 99):
        with pytest.raises(DomainError, match=exactly(
                f"Il n'y a pas d'activité n° {position + 1} (l'atelier en compte 10).")):
            workshops.go_to(room.session, room.workshop, position, publisher=screens)
    assert committed(room.session, Workshop, wid).current_position == 0
    assert screens.events == [(wid, STRUCTURE)] * 2


def test_split_into_groups_adds_what_is_missing_and_deals_by_arrival(make_room, screens):
    room = make_room(TEMPLATE)
    wid = room.workshop.id
    people = [room.join(f"P{n}") for n in range(1, 6)]
    dealt = workshops.split_into_groups(room.session, room.workshop, 3, publisher=screens)
    groups = workshops.groups_of(room.session, wid)
    assert [(g.position, g.name) for g in groups] == [(0, "Rouge"), (1, "Bleu"), (2, "Groupe 1")]
    red, blue, third = (g.id for g in groups)
    # Like cards, in order of arrival: sizes 2, 2, 1.
    expected = {people[0].id: red, people[1].id: blue, people[2].id: third, people[3].id: red,
                people[4].id: blue}
    assert dealt == expected
    assert {p.id: committed(room.session, Participant, p.id).group_id for p in people} == expected
    # Fewer groups: the first ones are used, none is deleted.
    again = workshops.split_into_groups(room.session, room.workshop, 2, publisher=screens)
    assert again == {people[0].id: red, people[1].id: blue, people[2].id: red, people[3].id: blue,
                     people[4].id: red}
    assert len(workshops.groups_of(room.session, wid)) == 3
    assert screens.events == [(wid, STRUCTURE)] * 2
    for count in (1, 31, 0, True):
        with pytest.raises(DomainError, match=exactly("Nombre de sous-groupes invalide : de 2 à 30.")):
            workshops.split_into_groups(room.session, room.workshop, count, publisher=screens)
    assert len(workshops.groups_of(room.session, wid)) == 3
    assert committed(room.session, Participant, people[2].id).group_id == red
    assert screens.events == [(wid, STRUCTURE)] * 2


def test_new_group_names_never_repeat_an_existing_one(make_room, screens):
    room = make_room("title: Petit\ngroups: [groupe 2]\nactivities:\n  - {kind: postits, id: n, title: N}\n")
    assert workshops.split_into_groups(room.session, room.workshop, 3, publisher=screens) == {}
    assert [g.name for g in workshops.groups_of(room.session, room.workshop.id)] == [
        "groupe 2", "Groupe 1", "Groupe 3"]
    assert screens.events == [(room.workshop.id, STRUCTURE)]


def test_set_timer_counts_down_from_now_and_zero_stops_it(make_room, screens):
    room = make_room(TEMPLATE)
    wid = room.workshop.id
    before = utcnow()
    workshops.set_timer(room.session, room.workshop, 300, publisher=screens)
    after = utcnow()
    assert before + timedelta(seconds=300) <= room.workshop.timer_ends_at <= after + timedelta(seconds=300)
    assert committed(room.session, Workshop, wid).timer_ends_at is not None
    workshops.set_timer(room.session, room.workshop, 3 * 60 * 60, publisher=screens)  # 3 hours: the most
    workshops.set_timer(room.session, room.workshop, 0, publisher=screens)
    assert room.workshop.timer_ends_at is None
    assert committed(room.session, Workshop, wid).timer_ends_at is None
    assert screens.events == [(wid, TIMER)] * 3
    for seconds in (-1, 3 * 60 * 60 + 1):
        with pytest.raises(DomainError, match=exactly("Durée invalide : de 0 (arrêt) à 180 minutes.")):
            workshops.set_timer(room.session, room.workshop, seconds, publisher=screens)
    assert committed(room.session, Workshop, wid).timer_ends_at is None
    assert screens.events == [(wid, TIMER)] * 3


def test_set_state_follows_draft_open_closed_revealed(make_room, screens):
    room = make_room(TEMPLATE)
    notes = room.activity("facteurs")
    path = ["open", "closed", "open", "closed", "revealed", "closed", "revealed"]
    for target in path:
        workshops.set_state(room.session, notes, target, publisher=screens)
        assert committed(room.session, Activity, notes.id).state == target
    assert screens.events == [(room.workshop.id, STRUCTURE)] * len(path)


def test_set_state_refusals_change_and_publish_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    notes, vote = room.activity("facteurs"), room.activity("vote")
    workshops.set_state(room.session, vote, "open", publisher=QUIET)
    labels = {"draft": "en préparation", "open": "ouverte", "closed": "fermée",
              "revealed": "résultats affichés"}
    cases = [(notes, "closed"), (notes, "revealed"), (notes, "draft"), (vote, "revealed"), (vote, "open"),
             (vote, "draft")]
    for activity, target in cases:
        current = activity.state
        with pytest.raises(NotAllowed, match=exactly(
                f"Impossible de passer de « {labels[current]} » à « {labels[target]} ».")):
            workshops.set_state(room.session, activity, target, publisher=screens)
    for target in ("paused", "", "OPEN"):
        with pytest.raises(NotAllowed, match=exactly(f"État inconnu : {target!r}.")):
            workshops.set_state(room.session, notes, target, publisher=screens)
    with pytest.raises(NotAllowed, match=exactly("Une diapositive n'a pas d'état à changer.")):
        workshops.set_state(room.session, room.activity("consigne"), "open", publisher=screens)
    assert [committed(room.session, Activity, a.id).state for a in (notes, vote)] == ["draft", "open"]
    assert screens.events == []


# What a participant reads when her contribution is sent to the wrong kind of activity, or to one
# that is not open (app/domain/kinds.py): (activity of that kind, not that kind, not open).
DEFAULT_NOT_OPEN = "Cette activité n'est pas ouverte : votre contribution n'a pas été enregistrée."
WORDING = {
    "postits": ("facteurs", "Cette activité n'est pas une activité de post-its.", DEFAULT_NOT_OPEN),
    "rating": ("brut", "Cette activité n'est pas une notation.",
               "Cette notation n'est pas ouverte : votre note n'a pas été enregistrée."),
    "ranking": ("anct", "Cette activité n'est pas un classement.",
                "Ce classement n'est pas ouvert : votre bulletin n'a pas été enregistré."),
    "poll": ("vote", "Cette activité n'est pas une activité de vote.", DEFAULT_NOT_OPEN),
    "table": ("tableau", "Cette activité n'est pas une activité de tableau des chantiers.", DEFAULT_NOT_OPEN),
    "resources": ("carte", "Cette activité n'est pas une activité de cartographie des ressources.",
                  DEFAULT_NOT_OPEN),
}


def test_every_kind_participants_contribute_to_has_its_wording_here():
    assert set(WORDING) == {name for name, kind in KINDS.items() if kind.contributions}


@pytest.mark.parametrize("kind", sorted(WORDING))
def test_open_activity_refuses_with_the_wording_of_the_kind(make_room, kind):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    ref, not_this_kind, not_open = WORDING[kind]
    activity = room.activity(ref)
    alice = room.join()
    with pytest.raises(NotAllowed, match=exactly(not_open)):
        workshops.open_activity(room.session, alice, activity.id, kind)  # draft
    wrong = room.activity("consigne" if kind != "postits" else "vote")
    with pytest.raises(NotAllowed, match=exactly(not_this_kind)):
        workshops.open_activity(room.session, alice, wrong.id, kind)
    theirs = other.activity(ref)
    workshops.set_state(other.session, theirs, "open", publisher=QUIET)
    with pytest.raises(NotFound, match=exactly(f"Activité {theirs.id} introuvable dans cet atelier.")):
        workshops.open_activity(room.session, alice, theirs.id, kind)
    workshops.set_state(room.session, activity, "open", publisher=QUIET)
    assert workshops.open_activity(room.session, alice, activity.id, kind).id == activity.id
    workshops.set_state(room.session, activity, "closed", publisher=QUIET)
    with pytest.raises(NotAllowed, match=exactly(not_open)):
        workshops.open_activity(room.session, alice, activity.id, kind)


def test_activity_by_ref_finds_the_template_id_within_the_workshop(make_room):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    activities = workshops.activities_of(room.session, room.workshop.id)
    assert [workshops.activity_by_ref(room.session, room.workshop.id, ref).id for ref in REFS] == [
        a.id for a in activities]
    for missing in (None, "", "inconnue", "Matrice"):
        assert workshops.activity_by_ref(room.session, room.workshop.id, missing) is None
    assert workshops.activity_by_ref(room.session, other.workshop.id, "matrice").id != room.activity(
        "matrice").id


def test_delete_removes_the_workshop_and_everything_in_it(make_room, screens):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    wid = room.workshop.id
    notes = room.activity("facteurs")
    workshops.set_state(room.session, notes, "open", publisher=QUIET)
    vote = room.activity("vote")
    workshops.set_state(room.session, vote, "open", publisher=QUIET)
    alice = room.join()
    items.post(room.session, alice, notes.id, "Fibre", client_key="cle-00000001", publisher=QUIET)
    votes.cast_poll(room.session, alice, vote.id, "0", publisher=QUIET)
    activity_ids = [a.id for a in workshops.activities_of(room.session, wid)]
    theirs = (len(workshops.activities_of(room.session, other.workshop.id)),
              len(items.links_of_workshop(room.session, other.workshop.id)))
    workshops.delete(room.session, room.workshop, publisher=screens)
    assert screens.events == [(wid, STRUCTURE)]
    with pytest.raises(NotFound, match=exactly(f"Atelier {wid} introuvable.")):
        workshops.get(room.session, wid)
    with reading(room.session) as check:
        assert check.get(Workshop, wid) is None
        assert check.exec(select(Activity).where(Activity.workshop_id == wid)).all() == []
        assert check.exec(select(Item).where(col(Item.activity_id).in_(activity_ids))).all() == []
        assert check.exec(select(Participant).where(Participant.workshop_id == wid)).all() == []
        assert check.exec(select(WorkshopGroup).where(WorkshopGroup.workshop_id == wid)).all() == []
        assert check.exec(select(Vote).where(col(Vote.activity_id).in_(activity_ids))).all() == []
    assert (len(workshops.activities_of(room.session, other.workshop.id)),
            len(items.links_of_workshop(room.session, other.workshop.id))) == theirs == (10, 2)


# ---------------------------------------------------------------- items flowing forward


def _notes(room):
    """Post-its: Fibre + La fibre merged, Illectronisme, Hors sujet hidden; two factors of inertia."""
    facteurs, inertie = room.activity("facteurs"), room.activity("inertie")
    for activity in (facteurs, inertie):
        workshops.set_state(room.session, activity, "open", publisher=QUIET)
    alice = room.join()
    posted = {}
    for n, (activity, text) in enumerate([(facteurs, "Fibre"), (facteurs, "La fibre"),
                                          (facteurs, "Illectronisme"), (facteurs, "Hors sujet"),
                                          (inertie, "Habitudes"), (inertie, "Résistance au changement")]):
        posted[text] = items.post(room.session, alice, activity.id, text, client_key=f"cle-{n:08d}",
                                  publisher=QUIET)[0]
    items.set_hidden(room.session, facteurs, posted["Hors sujet"], True, publisher=QUIET)
    posted["merged"] = items.merge(room.session, facteurs, [posted["Fibre"].id, posted["La fibre"].id],
                                   "Déploiement de la fibre", publisher=QUIET)
    return posted


def test_opening_takes_the_merged_notes_of_each_source_once(make_room, screens):
    room = make_room(TEMPLATE)
    posted = _notes(room)
    matrix = room.activity("matrice")
    flow.set_state(room.session, matrix, "open", publisher=screens)
    copied = items.of_activity(room.session, matrix.id)
    # facteurs (never merged, or made by merging; not hidden), then inertie, each in list order.
    assert [(i.text, i.origin_id, i.source) for i in copied] == [
        ("Illectronisme", posted["Illectronisme"].id, "flow"),
        ("Déploiement de la fibre", posted["merged"].id, "flow"),
        ("Habitudes", posted["Habitudes"].id, "flow"),
        ("Résistance au changement", posted["Résistance au changement"].id, "flow")]
    assert committed(room.session, Activity, matrix.id).state == "open"
    assert screens.events == [(room.workshop.id, STRUCTURE)]
    # Edited, then closed and opened again: nothing copied a second time, the edit kept.
    items.edit(room.session, matrix, copied[0], "L'illectronisme", "", publisher=QUIET)
    flow.set_state(room.session, matrix, "closed", publisher=screens)
    flow.set_state(room.session, matrix, "open", publisher=screens)
    assert texts(room.session, matrix) == ["L'illectronisme", "Déploiement de la fibre", "Habitudes",
                                           "Résistance au changement"]
    assert screens.events == [(room.workshop.id, STRUCTURE)] * 3


def test_opening_takes_all_the_visible_notes_as_posted(make_room, screens):
    room = make_room(TEMPLATE)
    posted = _notes(room)
    everything = room.activity("brut")
    flow.set_state(room.session, everything, "open", publisher=screens)
    # Duplicates included, the merge and the hidden note left out.
    assert [(i.text, i.origin_id) for i in items.of_activity(room.session, everything.id)] == [
        ("Fibre", posted["Fibre"].id), ("La fibre", posted["La fibre"].id),
        ("Illectronisme", posted["Illectronisme"].id)]
    assert screens.events == [(room.workshop.id, STRUCTURE)]


def test_opening_takes_the_top_of_a_rating_with_provenance_back_to_the_post_its(make_room, screens):
    room = make_room(TEMPLATE)
    posted = _notes(room)
    matrix, ranking = room.activity("matrice"), room.activity("enjeux")
    flow.set_state(room.session, matrix, "open", publisher=QUIET)
    listing = {i.text: i for i in items.of_activity(room.session, matrix.id)}
    # Impact means: Déploiement 4, Habitudes 3.5, Illectronisme 1.5, Résistance none (« ? »).
    for person_impacts in [{"Déploiement de la fibre": "4", "Habitudes": "3", "Illectronisme": "1",
                            "Résistance au changement": "nsp"},
                           {"Déploiement de la fibre": "4", "Habitudes": "4", "Illectronisme": "2"}]:
        person = room.join()
        for text, value in person_impacts.items():
            ratings.rate(room.session, person, matrix.id, str(listing[text].id), "impact", value,
                         publisher=QUIET)
    flow.set_state(room.session, matrix, "closed", publisher=QUIET)
    flow.set_state(room.session, ranking, "open", publisher=screens)
    copied = items.of_activity(room.session, ranking.id)
    assert [(i.text, i.origin_id) for i in copied] == [
        ("Déploiement de la fibre", listing["Déploiement de la fibre"].id),
        ("Habitudes", listing["Habitudes"].id)]
    links = items.links_of_workshop(room.session, room.workshop.id)
    assert [s.text for s in source_items(copied[0].id, links)] == ["Fibre", "La fibre"]
    assert [s.id for s in source_items(copied[1].id, links)] == [posted["Habitudes"].id]
    assert screens.events == [(room.workshop.id, STRUCTURE)]
    # The same order as the rating service gives.
    assert [i.id for i in orders.top(room.session, matrix, 2)] == [c.origin_id for c in copied]


def test_only_a_rating_or_a_ranking_has_a_top_and_a_source_must_exist(make_room):
    room = make_room(TEMPLATE)
    with pytest.raises(NotAllowed, match=exactly("Une activité « poll » n'a pas de classement à reprendre.")):
        orders.top(room.session, room.activity("vote"), 2)
    with pytest.raises(NotAllowed, match=exactly(
            "L'activité source « inconnue » n'existe pas dans cet atelier.")):
        flow.source_of(room.session, room.activity("matrice"), "inconnue")
    assert flow.source_of(room.session, room.activity("matrice")).id == room.activity("facteurs").id
    anct = room.activity("anct")
    assert [i.text for i in orders.top(room.session, anct, 5)] == ["Former les professionnels",
                                                                  "Mieux équiper les lieux"]


def test_an_entry_added_before_the_first_opening_does_not_stop_the_copy(make_room, screens):
    room = make_room(TEMPLATE)
    _notes(room)
    everything = room.activity("brut")
    items.add_by_facilitator(room.session, everything, "Une idée de l'animatrice", publisher=QUIET)
    flow.set_state(room.session, everything, "open", publisher=screens)
    assert {"Fibre", "La fibre", "Illectronisme", "Une idée de l'animatrice"} == set(
        texts(room.session, everything))


def test_a_refused_opening_copies_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    everything = room.activity("brut")
    for target in ("open", "closed", "revealed"):  # opened while its source was still empty
        flow.set_state(room.session, everything, target, publisher=QUIET)
    assert texts(room.session, everything) == []
    _notes(room)
    with pytest.raises(NotAllowed, match=exactly(
            "Impossible de passer de « résultats affichés » à « ouverte ».")):
        flow.set_state(room.session, everything, "open", publisher=screens)
    assert screens.events == []
    assert texts(room.session, everything) == []
