"""app/services/rankings.py on a real database: ballots of each method (rank, dots, grades), stored
whole and replaced in place, refused with a French message naming the items; the aggregated
order checked by hand and against app.domain.ranking on the same ballots; keeping the top."""


import pytest
from sqlmodel import Session, select

from app.domain import ranking as domain
from app.domain.errors import DomainError, NotAllowed, NotFound
from app.models import Item, Vote
from app.publishing import ITEMS, MODERATION
from app.services import items, rankings, workshops
from tests.services.helpers import QUIET, exactly, opened

TEMPLATE = """\
title: Priorités
activities:
  - kind: ranking
    id: borda
    title: Classez les enjeux
    items: [Accompagner, Communiquer, Orienter, Équiper]
    keep: 2
  - kind: ranking
    id: schulze
    title: Les mêmes, par Condorcet
    method: schulze
    items: [Accompagner, Communiquer, Orienter]
    keep: 1
  - kind: ranking
    id: points
    title: Répartissez vos points
    method: dots
    budget: 5
    items: [Accompagner, Communiquer, Orienter, Équiper]
    keep: 2
  - kind: ranking
    id: mentions
    title: Donnez une mention
    method: majority
    items: [Accompagner, Communiquer, Orienter]
    keep: 1
  - kind: postits
    id: idees
    title: Vos idées
"""

GRADES = "très prioritaire, prioritaire, secondaire, pas prioritaire"


def letters(room, activity):
    """The activity's items as A, B, C, D in list order."""
    return dict(zip("ABCD", items.of_activity(room.session, activity.id), strict=False))


def order(it, text):
    """« CAB » → the ballot « id of C,id of A,id of B »."""
    return ",".join(str(it[letter].id) for letter in text)


def pairs(it, **values):
    return ",".join(f"{it[letter].id}:{value}" for letter, value in values.items())


def stored(session: Session, activity, participant) -> dict[tuple[str, str], int | None]:
    """Her ballot as committed: (axis, target) → value, read through another connection."""
    with Session(session.get_bind()) as other:
        return {(v.axis, v.target): v.value for v in other.exec(select(Vote).where(
            Vote.activity_id == activity.id, Vote.participant_id == participant.id))}


def cast(room, person, activity, text, publisher=QUIET):
    return rankings.cast(room.session, person, activity.id, text, publisher=publisher)


def close(room, activity):
    workshops.set_state(room.session, activity, "closed", publisher=QUIET)


# ---------------------------------------------------------------- casting


def test_a_rank_ballot_is_stored_as_positions_and_replaced_whole(make_room, screens):
    room = make_room(TEMPLATE)
    borda = opened(room, "borda")
    it = letters(room, borda)
    alice = room.join()
    activity, changed = cast(room, alice, borda, order(it, "CADB"), screens)
    assert (activity.id, changed) == (borda.id, True)
    assert stored(room.session, borda, alice) == {
        ("rank", str(it["C"].id)): 1, ("rank", str(it["A"].id)): 2, ("rank", str(it["D"].id)): 3,
        ("rank", str(it["B"].id)): 4}
    _, changed = cast(room, alice, borda, order(it, "ABCD"), screens)
    assert changed
    assert stored(room.session, borda, alice) == {("rank", str(it[x].id)): n for n, x in enumerate("ABCD", 1)}
    mine = rankings.mine_of(room.session, borda, alice)
    assert ([(i.text, given) for i, given in mine.entries], mine.stale) == (
        [("Accompagner", "1"), ("Communiquer", "2"), ("Orienter", "3"), ("Équiper", "4")], False)
    assert screens.events == [(room.workshop.id, ITEMS)] * 2


def test_a_replayed_ballot_changes_nothing_and_publishes_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    borda, dots, grades = opened(room, "borda"), opened(room, "points"), opened(room, "mentions")
    alice = room.join()
    b, d, g = letters(room, borda), letters(room, dots), letters(room, grades)
    cast(room, alice, borda, order(b, "BADC"), screens)
    cast(room, alice, dots, pairs(d, A=3, B=2), screens)
    cast(room, alice, grades, pairs(g, A=0, C=2), screens)
    before = [stored(room.session, a, alice) for a in (borda, dots, grades)]
    assert screens.events == [(room.workshop.id, ITEMS)] * 3
    # The same ballots, written differently: spaces, another order of pairs, explicit zeros.
    assert cast(room, alice, borda, " , ".join(order(b, "BADC").split(",")), screens)[1] is False
    assert cast(room, alice, dots, f" {pairs(d, B=2, C=0, A=3)} ", screens)[1] is False
    assert cast(room, alice, grades, pairs(g, C=2, A=0), screens)[1] is False
    assert [stored(room.session, a, alice) for a in (borda, dots, grades)] == before
    assert screens.events == [(room.workshop.id, ITEMS)] * 3


def test_dots_store_every_visible_item_and_grades_only_the_graded(make_room, screens):
    room = make_room(TEMPLATE)
    dots, grades = opened(room, "points"), opened(room, "mentions")
    d, g = letters(room, dots), letters(room, grades)
    alice, bob = room.join(), room.join()
    cast(room, alice, dots, pairs(d, A=3, B=2), screens)
    assert stored(room.session, dots, alice) == {
        ("dots", str(d["A"].id)): 3, ("dots", str(d["B"].id)): 2, ("dots", str(d["C"].id)): 0,
        ("dots", str(d["D"].id)): 0}
    cast(room, bob, dots, "", screens)  # an empty allocation is a ballot: all zeros
    assert stored(room.session, dots, bob) == {("dots", str(d[x].id)): 0 for x in "ABCD"}
    cast(room, alice, grades, pairs(g, A=0, C=3), screens)
    assert stored(room.session, grades, alice) == {("grade", str(g["A"].id)): 0,
                                                   ("grade", str(g["C"].id)): 3}
    assert screens.events == [(room.workshop.id, ITEMS)] * 3


def _refused(room, screens, person, activity, cases):
    before = stored(room.session, activity, person)
    for text, error, message in cases:
        with pytest.raises(error, match=exactly(message)):
            cast(room, person, activity, text, screens)
    assert stored(room.session, activity, person) == before
    assert screens.events == []


def test_invalid_rank_ballots_are_refused_in_french_with_the_items_named(make_room, screens):
    room = make_room(TEMPLATE)
    borda, schulze = opened(room, "borda"), opened(room, "schulze")
    it = letters(room, borda)
    alice = room.join()
    cast(room, alice, borda, order(it, "ABCD"))
    foreign = letters(room, schulze)["A"].id
    missing = "Le classement doit contenir tous les éléments ; il manque"
    unreadable = "Classement illisible : il faut la liste des éléments, du plus au moins prioritaire."
    _refused(room, screens, alice, borda, [
        ("", DomainError, unreadable),
        (f"{it['A'].id},,{it['B'].id}", DomainError, unreadable),
        (f"{order(it, 'ABC')},x", DomainError, unreadable),
        (f"{order(it, 'ABC')},-{it['D'].id}", DomainError, unreadable),
        (order(it, "ABC"), DomainError, f"{missing} « Équiper »."),
        (order(it, "B"), DomainError, f"{missing} « Accompagner », « Orienter », « Équiper »."),
        (order(it, "ABCDA"), DomainError,
         "Chaque élément doit être classé une seule fois : « Accompagner » apparaît plusieurs fois."),
        (f"{order(it, 'ABCD')},{10**9}", DomainError, f"Élément {10**9} inconnu dans ce classement."),
        (f"{order(it, 'ABC')},{foreign}", DomainError, f"Élément {foreign} inconnu dans ce classement."),
        (order(it, "ABCD") + " " * 4000, DomainError, "Bulletin trop long."),
    ])


def test_invalid_dot_ballots_are_refused(make_room, screens):
    room = make_room(TEMPLATE)
    dots = opened(room, "points")  # budget: 5
    it = letters(room, dots)
    alice = room.join()
    cast(room, alice, dots, pairs(it, A=5))
    a = it["A"].id
    _refused(room, screens, alice, dots, [
        (pairs(it, A=4, B=2), DomainError, "Vous avez réparti 6 points ; vous en avez 5 au maximum."),
        (pairs(it, A=-1), DomainError, "Les points ne peuvent pas être négatifs (-1 pour « Accompagner »)."),
        (f"{a}=3", DomainError, f"Bulletin illisible : « {a}=3 » n'est pas « élément:points »."),
        (f"{a}:1,{a}:2", DomainError, "Chaque élément ne peut figurer qu'une fois dans le bulletin."),
        (f"{10**9}:1", DomainError, f"Élément {10**9} inconnu dans ce classement."),
    ])


def test_invalid_grade_ballots_are_refused(make_room, screens):
    room = make_room(TEMPLATE)
    grades = opened(room, "mentions")
    it = letters(room, grades)
    alice = room.join()
    cast(room, alice, grades, pairs(it, B=1))
    _refused(room, screens, alice, grades, [
        (pairs(it, A=4), DomainError, f"Mention inconnue pour « Accompagner » : 4. Mentions : {GRADES}."),
        (pairs(it, A=0, C=-1), DomainError, f"Mention inconnue pour « Orienter » : -1. Mentions : {GRADES}."),
        ("", DomainError, "Donnez une mention à au moins un élément avant de valider."),
        (f"{it['A'].id}:très prioritaire", DomainError,
         f"Bulletin illisible : « {it['A'].id}:très prioritaire » n'est pas « élément:mention »."),
    ])


def test_a_ballot_naming_a_hidden_or_merged_item_is_refused(make_room, screens):
    room = make_room(TEMPLATE)
    borda = opened(room, "borda")
    it = letters(room, borda)
    alice = room.join()
    items.set_hidden(room.session, borda, it["D"], True, publisher=QUIET)
    again = "votre bulletin n'a pas été enregistré. Vérifiez la liste à jour et validez à nouveau."
    _refused(room, screens, alice, borda, [
        (order(it, "ABCD"), NotAllowed, f"« Équiper » a été retiré de la liste : {again}")])
    merged = items.merge(room.session, borda, [it["B"].id, it["C"].id], "Mieux se connaître et orienter",
                         publisher=QUIET)
    _refused(room, screens, alice, borda, [
        (order(it, "ABC"), NotAllowed, f"« Communiquer » a été fusionné avec un autre : {again}")])
    # On the list as it is now, her ballot is taken.
    assert cast(room, alice, borda, f"{merged.id},{it['A'].id}", screens)[1]
    assert screens.events == [(room.workshop.id, ITEMS)]


def test_casting_is_refused_outside_an_open_ranking_with_items(make_room, screens):
    room = make_room(TEMPLATE)
    other = make_room(TEMPLATE)
    alice = room.join()
    borda, grades = room.activity("borda"), opened(room, "mentions")
    notes = opened(room, "idees")
    elsewhere = opened(other, "borda")
    text = order(letters(room, borda), "ABCD")
    not_open = "Ce classement n'est pas ouvert : votre bulletin n'a pas été enregistré."
    for activity_id, error, message in [
        (borda.id, NotAllowed, not_open),
        (notes.id, NotAllowed, "Cette activité n'est pas un classement."),
        (elsewhere.id, NotFound, f"Activité {elsewhere.id} introuvable dans cet atelier."),
    ]:
        with pytest.raises(error, match=exactly(message)):
            rankings.cast(room.session, alice, activity_id, text, publisher=screens)
    for item in items.of_activity(room.session, grades.id):
        items.set_hidden(room.session, grades, item, True, publisher=QUIET)
    with pytest.raises(NotAllowed, match=exactly("La liste à classer est vide : rien à enregistrer.")):
        cast(room, alice, grades, "", screens)
    with Session(room.session.get_bind()) as check:
        assert check.exec(select(Vote)).all() == []
    assert screens.events == []


# ---------------------------------------------------------------- results


def rows_of(result):
    return [(r.item.text, r.rank, r.score, r.tied, r.top) for r in result.rows]


BORDA_BALLOTS = ["ABCD", "BACD", "ACBD"]


def test_borda_result_matches_a_hand_count_and_the_domain(make_room):
    room = make_room(TEMPLATE)
    borda = opened(room, "borda")
    it = letters(room, borda)
    for ballot in BORDA_BALLOTS:
        cast(room, room.join(), borda, order(it, ballot))
    result = rankings.result(room.session, borda)
    # On 4 items a ballot gives 3, 2, 1, 0 points: A 3+2+3, B 2+3+1, C 1+1+2, D 0.
    assert rows_of(result) == [("Accompagner", 1, "8 pts", False, True),
                               ("Communiquer", 2, "6 pts", False, True),
                               ("Orienter", 3, "4 pts", False, False), ("Équiper", 4, "0 pt", False, False)]
    assert [r.value for r in result.rows] == [8, 6, 4, 0]
    assert [r.share for r in result.rows] == pytest.approx([8 / 9, 6 / 9, 4 / 9, 0])
    # Mean positions: A 4/3, B 6/3, C 8/3, D 12/3.
    assert [r.detail for r in result.rows] == ["rang moyen 1,3", "rang moyen 2,0", "rang moyen 2,7",
                                               "rang moyen 4,0"]
    # Kendall's W: rank sums 4, 6, 8, 12 around 7.5; S = 35; W = 12 × 35 / (3² × (4³ − 4)) = 7/9.
    assert (result.n_ballots, result.n_stale, result.agreement_label) == (3, 0, "accord fort")
    assert result.agreement == pytest.approx(7 / 9)
    assert (result.method, result.keep, result.tie_at_cut, result.kept) == ("borda", 2, False, [])
    ids = [it[x].id for x in "ABCD"]
    same = domain.borda([[it[x].id for x in b] for b in BORDA_BALLOTS], ids)
    assert [r.item.id for r in result.rows] == list(same.order)
    assert [i.id for i in rankings.top(room.session, borda, 3)] == [it["A"].id, it["B"].id, it["C"].id]


def test_a_hidden_item_is_read_out_of_the_ballots_and_a_new_one_makes_them_stale(make_room):
    room = make_room(TEMPLATE)
    borda = opened(room, "borda")
    it = letters(room, borda)
    for ballot in BORDA_BALLOTS:
        cast(room, room.join(), borda, order(it, ballot))
    items.set_hidden(room.session, borda, it["D"], True, publisher=QUIET)
    # Without Équiper, 3 items: 2, 1, 0 points. A 2+1+2, B 1+2+0, C 0+0+1.
    hidden = rankings.result(room.session, borda)
    assert rows_of(hidden) == [("Accompagner", 1, "5 pts", False, True),
                               ("Communiquer", 2, "3 pts", False, True),
                               ("Orienter", 3, "1 pt", False, False)]
    assert (hidden.n_ballots, hidden.n_stale) == (3, 0)
    items.set_hidden(room.session, borda, it["D"], False, publisher=QUIET)
    added = items.add_by_facilitator(room.session, borda, "Sensibiliser", publisher=QUIET)
    # The three ballots do not order the new item: not counted until validated again.
    stale = rankings.result(room.session, borda)
    assert (stale.n_ballots, stale.n_stale) == (0, 3)
    assert [r.score for r in stale.rows] == ["0 pt"] * 5
    late = room.join()
    cast(room, late, borda, f"{added.id},{order(it, 'DCBA')}")
    fresh = rankings.result(room.session, borda)
    assert (fresh.n_ballots, fresh.n_stale) == (1, 3)
    assert [r.item.text for r in fresh.rows] == ["Sensibiliser", "Équiper", "Orienter", "Communiquer",
                                                 "Accompagner"]


SCHULZE_BALLOTS = ["ABC", "ABC", "BCA", "BCA", "CAB"]


def test_schulze_result_matches_a_hand_computation_and_the_domain(make_room):
    room = make_room(TEMPLATE)
    schulze = opened(room, "schulze")
    it = letters(room, schulze)
    for ballot in SCHULZE_BALLOTS:
        cast(room, room.join(), schulze, order(it, ballot))
    result = rankings.result(room.session, schulze)
    # Pairwise: A>B 3–2, B>C 4–1, C>A 3–2 (a cycle). Strongest paths: A→B 3, B→C 4, C→A 3,
    # A→C min(3, 4) = 3, B→A min(4, 3) = 3, C→B min(3, 3) = 3. So B beats C (4 > 3); A and B, A and
    # C are even. Unbeaten: A and B (rank 1, tied, list order); then C (rank 3).
    assert rows_of(result) == [("Accompagner", 1, "bat 0 sur 2", True, True),
                               ("Communiquer", 1, "bat 1 sur 2", True, False),
                               ("Orienter", 3, "bat 0 sur 2", False, False)]
    # keep: 1, and Communiquer is tied with Accompagner at the cut.
    assert result.tie_at_cut and [r.tied_at_cut for r in result.rows] == [True, True, False]
    # Rank sums A 10, B 9, C 11 around 10: S = 2; W = 12 × 2 / (5² × (3³ − 3)) = 0.04.
    assert result.agreement == pytest.approx(0.04)
    assert result.agreement_label == "accord très faible"
    same = domain.schulze([[it[x].id for x in b] for b in SCHULZE_BALLOTS], [it[x].id for x in "ABC"])
    assert [(r.item.id, r.rank) for r in result.rows] == [(s.item, s.rank) for s in same.standings]


def test_dot_result_matches_a_hand_count_and_the_domain(make_room):
    room = make_room(TEMPLATE)
    dots = opened(room, "points")
    it = letters(room, dots)
    allocations = [{"A": 3, "C": 2}, {"A": 2, "C": 1}, {"B": 5}, {}]
    for allocation in allocations:
        cast(room, room.join(), dots, pairs(it, **allocation))
    result = rankings.result(room.session, dots)
    # Points A 5 (2 voters), B 5 (1 voter), C 3 (2), D 0: equal points, the broader support first.
    assert rows_of(result) == [("Accompagner", 1, "5 pts", False, True),
                               ("Communiquer", 2, "5 pts", False, True),
                               ("Orienter", 3, "3 pts", False, False), ("Équiper", 4, "0 pt", False, False)]
    assert [r.detail for r in result.rows] == ["2 votants", "1 votant", "2 votants", "0 votant"]
    assert [r.share for r in result.rows] == pytest.approx([1, 1, 3 / 5, 0])
    assert (result.n_ballots, result.budget) == (4, 5)
    same = domain.dot_voting([{it[k].id: v for k, v in a.items()} for a in allocations],
                             [it[x].id for x in "ABCD"], 5)
    assert [r.item.id for r in result.rows] == list(same.order)


def test_majority_result_matches_a_hand_count_and_the_domain(make_room):
    room = make_room(TEMPLATE)
    grades = opened(room, "mentions")
    it = letters(room, grades)
    # Grades by index (0 = très prioritaire … 3 = pas prioritaire); Orienter left ungraded by the
    # second voter counts as « pas prioritaire ».
    ballots = [{"A": 0, "B": 1, "C": 3}, {"A": 1, "B": 1}, {"A": 3, "B": 2, "C": 0}]
    for ballot in ballots:
        cast(room, room.join(), grades, pairs(it, **ballot))
    result = rankings.result(room.session, grades)
    # A 0 1 3: median 1, majority value (1, 3, 0); B 1 1 2: median 1, (1, 2, 1): B before A.
    # C 0 3 3: median 3.
    assert rows_of(result) == [("Communiquer", 1, "prioritaire", False, True),
                               ("Accompagner", 2, "prioritaire", False, False),
                               ("Orienter", 3, "pas prioritaire", False, False)]
    assert [r.counts for r in result.rows] == [[0, 2, 1, 0], [1, 1, 0, 1], [1, 0, 0, 2]]
    assert [r.detail for r in result.rows] == ["0 % mieux, 33 % moins bien", "33 % mieux, 33 % moins bien",
                                               "33 % mieux, 0 % moins bien"]
    assert result.n_ballots == 3
    named = [{it[k].id: domain.DEFAULT_GRADES[g] for k, g in b.items()} for b in ballots]
    same = domain.majority_judgment(named, [it[x].id for x in "ABC"])
    assert [r.item.id for r in result.rows] == list(same.order)


# ---------------------------------------------------------------- keeping the top


def kept(session: Session, activity) -> list[str]:
    with Session(session.get_bind()) as other:
        return [i.text for i in other.exec(select(Item).where(Item.activity_id == activity.id)
                                           .order_by(Item.id)) if i.kept]


def test_keep_top_only_once_closed_and_keeps_exactly_the_first_n(make_room, screens):
    room = make_room(TEMPLATE)
    borda = room.activity("borda")
    wait = "Fermez d'abord le classement : ses résultats peuvent encore changer."
    with pytest.raises(NotAllowed, match=exactly(wait)):
        rankings.keep_top(room.session, borda, 2, publisher=screens)  # draft
    workshops.set_state(room.session, borda, "open", publisher=QUIET)
    it = letters(room, borda)
    with pytest.raises(NotAllowed, match=exactly(wait)):
        rankings.keep_top(room.session, borda, 2, publisher=screens)
    close(room, borda)
    with pytest.raises(NotAllowed, match=exactly("Aucun bulletin pris en compte : rien à garder pour "
                                                 "l'instant.")):
        rankings.keep_top(room.session, borda, 2, publisher=screens)
    workshops.set_state(room.session, borda, "open", publisher=QUIET)
    for ballot in BORDA_BALLOTS:
        cast(room, room.join(), borda, order(it, ballot))
    close(room, borda)
    for n in (0, 5):
        with pytest.raises(DomainError, match=exactly(f"Gardez entre 1 et 4 éléments (demandé : {n}).")):
            rankings.keep_top(room.session, borda, n, publisher=screens)
    with pytest.raises(NotAllowed, match=exactly(
            "Seuls les éléments d'un classement peuvent être gardés comme enjeux prioritaires.")):
        rankings.keep_top(room.session, room.activity("idees"), 1, publisher=screens)
    assert kept(room.session, borda) == []
    assert screens.events == []

    chosen = rankings.keep_top(room.session, borda, 3, publisher=screens)
    assert [i.text for i in chosen] == ["Accompagner", "Communiquer", "Orienter"]
    assert kept(room.session, borda) == ["Accompagner", "Communiquer", "Orienter"]
    workshops.set_state(room.session, borda, "revealed", publisher=QUIET)
    rankings.keep_top(room.session, borda, 1, publisher=screens)  # and only them: the others dropped
    assert kept(room.session, borda) == ["Accompagner"]
    assert [i.text for i in rankings.result(room.session, borda).kept] == ["Accompagner"]
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_keep_top_refuses_an_empty_list(make_room, screens):
    room = make_room(TEMPLATE)
    grades = room.activity("mentions")
    for item in items.of_activity(room.session, grades.id):
        items.set_hidden(room.session, grades, item, True, publisher=QUIET)
    for state in ("open", "closed"):
        workshops.set_state(room.session, grades, state, publisher=QUIET)
    with pytest.raises(NotAllowed, match=exactly("La liste est vide : aucun enjeu à garder.")):
        rankings.keep_top(room.session, grades, 1, publisher=screens)
    assert screens.events == []


def test_set_kept_one_by_one_once_closed_never_a_removed_item(make_room, screens):
    room = make_room(TEMPLATE)
    borda = opened(room, "borda")
    it = letters(room, borda)
    for ballot in BORDA_BALLOTS:
        cast(room, room.join(), borda, order(it, ballot))
    with pytest.raises(NotAllowed, match=exactly(
            "Fermez d'abord le classement : ses résultats peuvent encore changer.")):
        rankings.set_kept(room.session, borda, it["C"], True, publisher=screens)
    items.set_hidden(room.session, borda, it["D"], True, publisher=QUIET)
    close(room, borda)
    with pytest.raises(NotAllowed, match=exactly("Un élément retiré ou fusionné ne peut pas être gardé.")):
        rankings.set_kept(room.session, borda, it["D"], True, publisher=screens)
    assert kept(room.session, borda) == []
    assert screens.events == []
    rankings.set_kept(room.session, borda, it["C"], True, publisher=screens)
    rankings.set_kept(room.session, borda, it["A"], True, publisher=screens)
    assert kept(room.session, borda) == ["Accompagner", "Orienter"]
    # The result lists them in the ranking's order.
    assert [i.text for i in rankings.result(room.session, borda).kept] == ["Accompagner", "Orienter"]
    rankings.set_kept(room.session, borda, it["C"], False, publisher=screens)
    rankings.set_kept(room.session, borda, it["D"], False, publisher=screens)  # dropping is always allowed
    assert kept(room.session, borda) == ["Accompagner"]
    assert screens.events == [(room.workshop.id, MODERATION)] * 4
