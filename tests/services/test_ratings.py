"""app/services/ratings.py on a real database: a participant rates each item on each axis (or
answers « je ne sais pas »), the refusals, and the results, progress and top N of a small room
checked against figures computed by hand."""

import math

import pytest
from sqlmodel import Session, select

from app.domain.errors import DomainError, NotAllowed, NotFound
from app.models import Vote
from app.publishing import ITEMS
from app.services import items, ratings, workshops
from tests.services.helpers import QUIET, exactly, opened

TEMPLATE = """\
title: Notation
activities:
  - kind: rating
    id: matrice
    title: Impact et maîtrise de chaque facteur
    items: [Vieillissement, Dématérialisation, Fibre, Zones blanches, Hors sujet]
  - kind: rating
    id: urgence
    title: Une seule note
    items: [Équiper les lieux, Former les professionnels]
    axes: [{key: urgence, label: Urgence}]
    scale: {min: 0, max: 2}
    allow_unknown: false
  - kind: postits
    id: idees
    title: Vos idées
"""

UNKNOWN = "nsp"  # what a phone sends for « je ne sais pas »


def listed(room, activity):
    return {i.text: i for i in items.of_activity(room.session, activity.id)}


def stored_votes(session: Session) -> list[tuple[int, str, str, int | None]]:
    with Session(session.get_bind()) as other:
        return [(v.participant_id, v.target, v.axis, v.value)
                for v in other.exec(select(Vote).order_by(Vote.id))]


def rate(room, person, activity, item, axis, value, publisher=QUIET):
    return ratings.rate(room.session, person, activity.id, str(item.id), axis, value, publisher=publisher)


# ---------------------------------------------------------------- writing


def test_an_item_is_rated_on_each_axis_and_changed_in_place(make_room, screens):
    room = make_room(TEMPLATE)
    matrix = opened(room, "matrice")
    fibre = listed(room, matrix)["Fibre"]
    alice = room.join()
    impact = rate(room, alice, matrix, fibre, "impact", "4", screens)
    maitrise = rate(room, alice, matrix, fibre, "maitrise", " 1 ", screens)
    assert (impact.item.id, impact.value, impact.changed) == (fibre.id, 4, True)
    assert (maitrise.value, maitrise.changed) == (1, True)
    assert stored_votes(room.session) == [(alice.id, str(fibre.id), "impact", 4),
                                          (alice.id, str(fibre.id), "maitrise", 1)]
    changed = rate(room, alice, matrix, fibre, "maitrise", "3", screens)
    assert (changed.value, changed.changed) == (3, True)
    assert stored_votes(room.session) == [(alice.id, str(fibre.id), "impact", 4),
                                          (alice.id, str(fibre.id), "maitrise", 3)]
    assert screens.events == [(room.workshop.id, ITEMS)] * 3


def test_a_replay_changes_nothing_and_publishes_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    matrix = opened(room, "matrice")
    fibre = listed(room, matrix)["Fibre"]
    alice = room.join()
    rate(room, alice, matrix, fibre, "impact", "2", screens)
    again = rate(room, alice, matrix, fibre, "impact", "2", screens)
    assert (again.value, again.changed) == (2, False)
    rate(room, alice, matrix, fibre, "maitrise", UNKNOWN, screens)
    unknown_again = rate(room, alice, matrix, fibre, "maitrise", UNKNOWN, screens)
    assert (unknown_again.value, unknown_again.changed) == (None, False)
    assert stored_votes(room.session) == [(alice.id, str(fibre.id), "impact", 2),
                                          (alice.id, str(fibre.id), "maitrise", None)]
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_je_ne_sais_pas_is_stored_empty_where_allowed(make_room, screens):
    room = make_room(TEMPLATE)
    matrix = opened(room, "matrice")
    fibre = listed(room, matrix)["Fibre"]
    alice = room.join()
    unknown = rate(room, alice, matrix, fibre, "impact", f" {UNKNOWN} ", screens)
    assert (unknown.value, unknown.changed) == (None, True)
    assert stored_votes(room.session) == [(alice.id, str(fibre.id), "impact", None)]
    # She makes up her mind: the same row gets a value.
    decided = rate(room, alice, matrix, fibre, "impact", "3", screens)
    assert (decided.value, decided.changed) == (3, True)
    assert stored_votes(room.session) == [(alice.id, str(fibre.id), "impact", 3)]
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_je_ne_sais_pas_is_refused_where_the_template_does_not_offer_it(make_room, screens):
    room = make_room(TEMPLATE)
    single = opened(room, "urgence")  # scale 0 to 2, allow_unknown: false
    equip = listed(room, single)["Équiper les lieux"]
    alice = room.join()
    with pytest.raises(DomainError, match=exactly(
            "Cette notation demande une note de 0 à 2 (« je ne sais pas » n'est pas proposé).")):
        rate(room, alice, single, equip, "urgence", UNKNOWN, screens)
    assert stored_votes(room.session) == []
    assert screens.events == []
    zero = rate(room, alice, single, equip, "urgence", "0", screens)  # the lowest value, not « nothing »
    assert (zero.value, zero.changed) == (0, True)
    assert stored_votes(room.session) == [(alice.id, str(equip.id), "urgence", 0)]
    assert screens.events == [(room.workshop.id, ITEMS)]


def test_bad_values_axes_and_items_are_refused_and_store_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    matrix, single = opened(room, "matrice"), opened(room, "urgence")
    fibre = listed(room, matrix)["Fibre"]
    foreign = listed(room, single)["Former les professionnels"]
    alice = room.join()
    out_of_scale = "La note {} est hors de l'échelle : choisissez de 1 à 4, ou « je ne sais pas »."
    not_whole = "Une note doit être un nombre entier de 1 à 4, ou « je ne sais pas »."
    cases = [
        (str(fibre.id), "impact", "", DomainError,
         "Aucune note reçue : choisissez une valeur ou « je ne sais pas »."),
        (str(fibre.id), "impact", "   ", DomainError,
         "Aucune note reçue : choisissez une valeur ou « je ne sais pas »."),
        (str(fibre.id), "impact", "5", DomainError, out_of_scale.format(5)),
        (str(fibre.id), "impact", "0", DomainError, out_of_scale.format(0)),
        (str(fibre.id), "impact", "-1", DomainError, out_of_scale.format(-1)),
        (str(fibre.id), "impact", "2.5", DomainError, not_whole),
        (str(fibre.id), "impact", "NSP", DomainError, not_whole),
        (str(fibre.id), "urgence", "2", DomainError,
         "Axe de notation inconnu : « urgence ». Axes : impact (Impact), maitrise (Maîtrise)."),
        (str(fibre.id), "", "2", DomainError,
         "Axe de notation inconnu : «  ». Axes : impact (Impact), maitrise (Maîtrise)."),
        (str(foreign.id), "impact", "2", NotFound, f"Élément {foreign.id} introuvable dans cette notation."),
        (str(10**9), "impact", "2", NotFound, f"Élément {10**9} introuvable dans cette notation."),
        ("abc", "impact", "2", DomainError, "Élément à noter invalide : « abc » (un numéro est attendu)."),
        ("-3", "impact", "2", DomainError, "Élément à noter invalide : « -3 » (un numéro est attendu)."),
    ]
    for raw_item, axis, value, error, message in cases:
        with pytest.raises(error, match=exactly(message)):
            ratings.rate(room.session, alice, matrix.id, raw_item, axis, value, publisher=screens)
    assert stored_votes(room.session) == []
    assert screens.events == []


def test_a_hidden_or_merged_item_is_refused_and_the_merge_is_rated(make_room, screens):
    room = make_room(TEMPLATE)
    matrix = opened(room, "matrice")
    listing = listed(room, matrix)
    items.set_hidden(room.session, matrix, listing["Hors sujet"], True, publisher=QUIET)
    merged = items.merge(room.session, matrix, [listing["Fibre"].id, listing["Zones blanches"].id],
                         "Couverture du territoire", publisher=QUIET)
    alice = room.join()
    with pytest.raises(NotAllowed, match=exactly("Cet élément a été retiré de la liste par l'animateur : "
                                                 "la note n'est pas enregistrée.")):
        rate(room, alice, matrix, listing["Hors sujet"], "impact", "3", screens)
    for original in ("Fibre", "Zones blanches"):
        with pytest.raises(NotAllowed, match=exactly(
                "Cet élément a été regroupé avec un autre : notez l'élément regroupé.")):
            rate(room, alice, matrix, listing[original], "impact", "3", screens)
    assert stored_votes(room.session) == []
    assert screens.events == []
    assert rate(room, alice, matrix, merged, "impact", "3", screens).changed
    assert [i.text for i in ratings.rateable(room.session, matrix.id)] == [
        "Vieillissement", "Dématérialisation", "Couverture du territoire"]
    # What a phone's answer reads without loading the items: the same ids, in the same order.
    assert ratings.rateable_ids(room.session, matrix.id) == [
        i.id for i in ratings.rateable(room.session, matrix.id)]
    assert screens.events == [(room.workshop.id, ITEMS)]


def test_rating_is_refused_outside_an_open_rating_of_her_workshop(make_room, screens):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    matrix = room.activity("matrice")  # draft
    fibre = listed(room, matrix)["Fibre"]
    notes = opened(room, "idees")
    elsewhere = opened(other, "matrice")
    alice = room.join()
    for activity_id, error, message in [
        (matrix.id, NotAllowed, "Cette notation n'est pas ouverte : votre note n'a pas été enregistrée."),
        (notes.id, NotAllowed, "Cette activité n'est pas une notation."),
        (elsewhere.id, NotFound, f"Activité {elsewhere.id} introuvable dans cet atelier."),
    ]:
        with pytest.raises(error, match=exactly(message)):
            ratings.rate(room.session, alice, activity_id, str(fibre.id), "impact", "3", publisher=screens)
    workshops.set_state(room.session, matrix, "open", publisher=QUIET)
    rate(room, alice, matrix, fibre, "impact", "3")
    workshops.set_state(room.session, matrix, "closed", publisher=QUIET)
    with pytest.raises(NotAllowed, match=exactly(
            "Cette notation n'est pas ouverte : votre note n'a pas été enregistrée.")):
        rate(room, alice, matrix, fibre, "impact", "1", screens)
    assert stored_votes(room.session) == [(alice.id, str(fibre.id), "impact", 3)]
    assert screens.events == []


# ---------------------------------------------------------------- reading

# The room of the results tests (scale 1 to 4; « ? » is « je ne sais pas »):
#
#                      impact            maîtrise
#   Vieillissement     4  4  3  ?        1  2  1  2      p1 p2 p3 p4
#   Dématérialisation  2  3              3  2  3        p1 p2 / p1 p2 p3
#   Fibre              1                 1              p2
#   Zones blanches     ?                 ?              p2
#   Hors sujet         1                 1              p1, then hidden by the facilitator
#
# p5 joined and answered nothing.


def _play_the_room(room):
    matrix = opened(room, "matrice")
    it = listed(room, matrix)
    v, d, f, z, h = (it[t] for t in ("Vieillissement", "Dématérialisation", "Fibre", "Zones blanches",
                                      "Hors sujet"))
    p1, p2, p3, p4, p5 = (room.join(f"P{n}") for n in range(1, 6))
    answers = [
        (p1, v, "4", "1"), (p1, d, "2", "3"), (p1, h, "1", "1"),
        (p2, v, "4", "2"), (p2, d, "3", "2"), (p2, f, "1", "1"), (p2, z, UNKNOWN, UNKNOWN),
        (p3, v, "3", "1"), (p3, d, None, "3"),
        (p4, v, UNKNOWN, "2"),
    ]
    for person, item, impact, maitrise in answers:
        if impact is not None:
            rate(room, person, matrix, item, "impact", impact)
        rate(room, person, matrix, item, "maitrise", maitrise)
    items.set_hidden(room.session, matrix, h, True, publisher=QUIET)
    return matrix, (v, d, f, z, h), (p1, p2, p3, p4, p5)


def figures(stats):
    return (stats.n, stats.n_unknown, stats.mean, stats.median, stats.stdev, stats.iqr)


def test_results_match_a_hand_computation(make_room):
    room = make_room(TEMPLATE)
    matrix, (v, d, f, z, _h), _people = _play_the_room(room)
    results = ratings.results(room.session, matrix)
    assert [item.id for item, _ in results] == [v.id, d.id, f.id, z.id]  # the hidden item left out
    by_id = {item.id: r for item, r in results}
    third = math.sqrt(2 / 9)  # pstdev of (4, 4, 3) and of (3, 2, 3): deviations ⅓, ⅓, ⅔
    approx = pytest.approx
    # Vieillissement: impact 4 4 3 (+1 unknown): mean 11/3, median 4, IQR Q3 4 − Q1 3.5.
    assert figures(by_id[v.id].stats["impact"]) == (3, 1, approx(11 / 3), 4, approx(third), 0.5)
    # maîtrise 1 2 1 2: mean 1.5, median 1.5, pstdev 0.5, IQR 2 − 1.
    assert figures(by_id[v.id].stats["maitrise"]) == (4, 0, 1.5, 1.5, 0.5, 1.0)
    # Dématérialisation: impact 2 3: IQR 2.75 − 2.25; maîtrise 3 2 3: mean 8/3, IQR 3 − 2.5.
    assert figures(by_id[d.id].stats["impact"]) == (2, 0, 2.5, 2.5, 0.5, 0.5)
    assert figures(by_id[d.id].stats["maitrise"]) == (3, 0, approx(8 / 3), 3, approx(third), 0.5)
    assert figures(by_id[f.id].stats["impact"]) == (1, 0, 1, 1, 0, 0)
    assert figures(by_id[z.id].stats["impact"]) == (0, 1, None, None, None, None)
    assert figures(by_id[z.id].stats["maitrise"]) == (0, 1, None, None, None, None)
    # Quadrants on the midpoint 2.5 (a mean exactly on it counts as high):
    assert [(by_id[i.id].quadrant and by_id[i.id].quadrant.value, by_id[i.id].quadrant_name)
            for i in (v, d, f, z)] == [("anticiper", "enjeux à anticiper"), ("leviers", "leviers d'action"),
                                       ("surveiller", "à surveiller"), (None, None)]


def test_progress_matches_a_hand_count(make_room):
    room = make_room(TEMPLATE)
    matrix, (_v, _d, _f, _z, h), (p1, _p2, _p3, _p4, p5) = _play_the_room(room)
    progress = ratings.progress(room.session, matrix)
    # 4 items shown. Complete items (both axes answered, « je ne sais pas » included):
    # p1 2 (her answer on the hidden item left out), p2 4, p3 1, p4 1; p5 none.
    # Answers: p1 4 + p2 8 + p3 3 + p4 2 = 17.
    assert (progress.n_items, progress.started, progress.finished, progress.answers) == (4, 4, 1, 17)
    assert progress.histogram == ((4, 1), (2, 1), (1, 2))
    # The hidden item's answers are kept, not deleted: shown again, it counts again.
    items.set_hidden(room.session, matrix, h, False, publisher=QUIET)
    again = ratings.progress(room.session, matrix)
    assert (again.n_items, again.started, again.finished, again.answers) == (5, 4, 0, 19)
    assert again.histogram == ((4, 1), (3, 1), (1, 2))
    assert ratings.answers_of(room.session, [p1.id, p5.id], matrix.id)[p1.id][h.id] == {
        "impact": 1, "maitrise": 1}
    assert ratings.answers_of(room.session, [p1.id, p5.id], matrix.id)[p5.id] == {}


def test_top_takes_the_best_means_of_the_first_axis(make_room):
    room = make_room(TEMPLATE)
    matrix, (v, d, f, _z, _h), _people = _play_the_room(room)
    # Impact means: Vieillissement 11/3, Dématérialisation 2.5, Fibre 1; Zones blanches has none.
    assert [i.id for i in ratings.top(room.session, matrix, 2)] == [v.id, d.id]
    assert [i.id for i in ratings.top(room.session, matrix, 10)] == [v.id, d.id, f.id]


def test_equal_means_are_ordered_by_the_smaller_spread(make_room):
    room = make_room(TEMPLATE)
    single = opened(room, "urgence")
    equip, train = (listed(room, single)[t] for t in ("Équiper les lieux", "Former les professionnels"))
    a, b = room.join(), room.join()
    # Équiper 0 and 2 (mean 1, pstdev 1); Former 1 and 1 (mean 1, pstdev 0).
    for person, first, second in [(a, "0", "1"), (b, "2", "1")]:
        rate(room, person, single, equip, "urgence", first)
        rate(room, person, single, train, "urgence", second)
    results = {item.id: r for item, r in ratings.results(room.session, single)}
    assert figures(results[equip.id].stats["urgence"]) == (2, 0, 1, 1, 1, 1)
    assert figures(results[train.id].stats["urgence"]) == (2, 0, 1, 1, 0, 0)
    assert results[equip.id].quadrant is None  # one axis: no matrix
    # Listed first, Équiper comes second: the room agrees more on Former.
    assert [i.id for i in ratings.top(room.session, single, 1)] == [train.id]
    assert [i.id for i in ratings.top(room.session, single, 2)] == [train.id, equip.id]
