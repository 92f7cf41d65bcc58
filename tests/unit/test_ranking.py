import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.ranking import (
    DEFAULT_GRADES,
    Standing,
    agreement_level,
    agreement_meaning,
    borda,
    condorcet_winner,
    dot_voting,
    kendall_w,
    kendall_w_scores,
    majority_judgment,
    majority_value,
    pairwise_preferences,
    schulze,
    top_n,
    validate_dots,
    validate_grades,
    validate_ranking,
)

ABC = ["A", "B", "C"]


def expand(groups):
    """[(count, "ACB"), …] → count copies of each ballot, one letter per item."""
    return [list(ballot) for count, ballot in groups for _ in range(count)]


# --- validating a ranking ---------------------------------------------------------------------


def test_a_permutation_is_accepted():
    assert validate_ranking([3, 1, 2], [1, 2, 3]) == (3, 1, 2)
    assert validate_ranking(iter("CAB"), ABC) == ("C", "A", "B")


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (["A", "B"], "il manque « C »"),
        ([], "il manque « A », « B », « C »"),
        (["A", "B", "B"], "« B » apparaît plusieurs fois"),
        (["A", "B", "C", "A"], "« A » apparaît plusieurs fois"),
        (["A", "B", "Z"], "Élément inconnu dans le classement : « Z »"),
        (["A", "B", "C", "D"], "Élément inconnu"),
        (["A", ["B"], "C"], "Élément inconnu"),
        ("ABC", "liste ordonnée"),
        (None, "liste ordonnée"),
        ({"A": 1, "B": 2, "C": 3}, "liste ordonnée"),
    ],
)
def test_a_ballot_that_is_not_a_permutation_is_refused(ballot, message):
    with pytest.raises(DomainError, match=message):
        validate_ranking(ballot, ABC)


def test_booleans_are_not_item_ids():
    # True == 1 in Python: a form sending a boolean must not pass for item 1
    with pytest.raises(DomainError, match="Élément inconnu"):
        validate_ranking([True, 2, 3], [1, 2, 3])


def test_methods_validate_every_ballot():
    for method in (borda, schulze, kendall_w, condorcet_winner, pairwise_preferences):
        with pytest.raises(DomainError):
            method([list("ABC"), list("AB")], ABC)


# --- Borda and Kendall's W --------------------------------------------------------------------


def test_borda_by_hand():
    # 3 items: 2 points for 1st, 1 for 2nd, 0 for 3rd
    # ABC, ACB, BAC → A = 2 + 2 + 1 = 5; B = 1 + 0 + 2 = 3; C = 0 + 1 + 0 = 1
    result = borda(expand([(1, "ABC"), (1, "ACB"), (1, "BAC")]), ABC)
    assert result.order == ("A", "B", "C")
    assert [(s.score, s.rank, s.tied) for s in result.standings] == [
        (5, 1, False), (3, 2, False), (1, 3, False)
    ]
    assert result.n_ballots == 3
    # Kendall's W: rank sums A = 1+1+2 = 4, B = 2+3+1 = 6, C = 3+2+3 = 8; mean n(m+1)/2 = 6
    # S = 4 + 0 + 4 = 8; W = 12 S / (n² (m³ − m)) = 96 / (9 · 24) = 4/9
    assert result.agreement == pytest.approx(4 / 9)
    assert kendall_w(expand([(1, "ABC"), (1, "ACB"), (1, "BAC")]), ABC) == pytest.approx(4 / 9)


def test_borda_ties_are_flagged_and_broken_by_the_items_order():
    # 4 ABC, 3 BCA, 2 CAB: A = 4·2 + 3·0 + 2·1 = 10; B = 4·1 + 3·2 + 0 = 10; C = 0 + 3·1 + 2·2 = 7
    ballots = expand([(4, "ABC"), (3, "BCA"), (2, "CAB")])
    result = borda(ballots, ["A", "B", "C"])
    assert [(s.item, s.score, s.rank, s.tied) for s in result.standings] == [
        ("A", 10, 1, True), ("B", 10, 1, True), ("C", 7, 3, False)
    ]
    assert borda(ballots, ["C", "B", "A"]).order == ("B", "A", "C")


def test_no_ballot():
    result = borda([], ABC)
    assert result.order == ("A", "B", "C")
    assert all(s.rank == 1 and s.tied and s.score == 0 for s in result.standings)
    assert result.agreement is None
    assert schulze([], ABC).order == ("A", "B", "C")
    assert condorcet_winner([], ABC) is None


def test_kendall_w_extremes():
    assert kendall_w([list("ABC")] * 5, ABC) == 1.0
    # two opposite ballots: every rank sum is 4 → S = 0
    assert kendall_w([list("ABC"), list("CBA")], ABC) == 0.0
    assert kendall_w([list("ABC")], ABC) is None
    assert kendall_w([["A"], ["A"]], ["A"]) is None


# --- Schulze and Condorcet --------------------------------------------------------------------


def test_schulze_on_a_condorcet_cycle_by_hand():
    # 4 ABC, 3 BCA, 2 CAB
    # d: A>B 4+2 = 6, B>A 3; B>C 4+3 = 7, C>B 2; C>A 3+2 = 5, A>C 4 → cycle A>B>C>A
    # links: A→B 6, B→C 7, C→A 5
    # p: A→B 6, A→C min(6, 7) = 6; B→C 7, B→A min(7, 5) = 5; C→A 5, C→B min(5, 6) = 5
    # A beats B (6 > 5) and C (6 > 5); B beats C (7 > 5) → A, B, C
    ballots = expand([(4, "ABC"), (3, "BCA"), (2, "CAB")])
    result = schulze(ballots, ABC)
    assert dict(result.preferences) == {
        ("A", "B"): 6, ("B", "A"): 3, ("B", "C"): 7, ("C", "B"): 2, ("C", "A"): 5, ("A", "C"): 4
    }
    assert dict(result.paths) == {
        ("A", "B"): 6, ("A", "C"): 6, ("B", "C"): 7, ("B", "A"): 5, ("C", "A"): 5, ("C", "B"): 5
    }
    assert result.order == ("A", "B", "C")
    assert [s.score for s in result.standings] == [2, 1, 0]
    assert condorcet_winner(ballots, ABC) is None


def test_schulze_tie_by_hand():
    # ABC, BAC: d[A][B] = d[B][A] = 1 → no link either way; A→C and B→C: 2 against 0
    # p: A→C 2, B→C 2, all others 0 → A beats C, B beats C, A and B tied (1 win each)
    result = schulze(expand([(1, "ABC"), (1, "BAC")]), ["B", "A", "C"])
    assert [(s.item, s.score, s.rank, s.tied) for s in result.standings] == [
        ("B", 1, 1, True), ("A", 1, 1, True), ("C", 0, 3, False)
    ]


def test_schulze_reference_example_with_45_voters():
    # Schulze's example (also on Wikipedia): no Condorcet winner, result E > A > C > B > D
    ballots = expand([
        (5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
        (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC"),
    ])
    items = list("ABCDE")
    result = schulze(ballots, items)
    # e.g. d[A][B] = 5 ACBED + 5 ADECB + 3 CABED + 7 CAEBD = 20, and d[B][A] = 45 − 20 = 25
    expected_d = {
        "A": [None, 20, 26, 30, 22],
        "B": [25, None, 16, 33, 18],
        "C": [19, 29, None, 17, 24],
        "D": [15, 12, 28, None, 14],
        "E": [23, 27, 21, 31, None],
    }
    expected_p = {
        "A": [None, 28, 28, 30, 24],
        "B": [25, None, 28, 33, 24],
        "C": [25, 29, None, 29, 24],
        "D": [25, 28, 28, None, 24],
        "E": [25, 28, 28, 31, None],
    }
    for a in items:
        for j, b in enumerate(items):
            if a != b:
                assert result.preferences[(a, b)] == expected_d[a][j], (a, b)
                assert result.paths[(a, b)] == expected_p[a][j], (a, b)
    assert result.order == ("E", "A", "C", "B", "D")
    assert condorcet_winner(ballots, items) is None


def test_condorcet_winner_by_hand():
    # B is preferred to A by 3 of 5 (BAC ×2, CBA) and to C by 4 of 5 (BAC ×2, ABC ×2)
    ballots = expand([(2, "ABC"), (2, "BAC"), (1, "CBA")])
    assert condorcet_winner(ballots, ABC) == "B"
    assert schulze(ballots, ABC).order[0] == "B"
    # Borda can disagree: A = 2·2 + 2·1 + 0 = 6, B = 2·1 + 2·2 + 1 = 7, C = 0 + 0 + 2 = 2
    assert borda(ballots, ABC).order == ("B", "A", "C")


items_strategy = st.lists(st.integers(0, 50), min_size=2, max_size=6, unique=True)


@st.composite
def profiles(draw, min_ballots=0):
    items = draw(items_strategy)
    ballots = draw(st.lists(st.permutations(items), min_size=min_ballots, max_size=15))
    return items, ballots


@st.composite
def profiles_with_a_condorcet_winner(draw):
    items, ballots = draw(profiles(min_ballots=1))
    winner = draw(st.sampled_from(items))
    # put the winner first on a strict majority of ballots: it then beats every item
    majority = len(ballots) // 2 + 1
    ballots = [
        [winner, *[i for i in ballot if i != winner]] if index < majority else ballot
        for index, ballot in enumerate(ballots)
    ]
    return items, ballots, winner


@given(profiles_with_a_condorcet_winner())
def test_a_constructed_condorcet_winner_is_ranked_first_by_schulze(profile):
    items, ballots, winner = profile
    assert condorcet_winner(ballots, items) == winner
    result = schulze(ballots, items)
    assert result.order[0] == winner
    assert not result.standings[0].tied


@given(profiles())
def test_any_condorcet_winner_is_ranked_first_by_schulze(profile):
    items, ballots = profile
    winner = condorcet_winner(ballots, items)
    if winner is not None:
        assert schulze(ballots, items).order[0] == winner


@given(profiles())
def test_schulze_order_extends_the_strongest_path_relation(profile):
    items, ballots = profile
    result = schulze(ballots, items)
    position = {item: i for i, item in enumerate(result.order)}
    for a in items:
        for b in items:
            if a != b and result.paths[(a, b)] > result.paths[(b, a)]:
                assert position[a] < position[b]


def test_schulze_ranks_every_unbeaten_item_first():
    # ballots 012 and 120: d[1][2] = 2 > 0 is the only link (0 against 1 and 0 against 2 are
    # 1 to 1). Strongest paths: 1 beats 2; 0 and 1 do not beat each other, nor 0 and 2. The
    # winners are the unbeaten items {0, 1}; then 2, beaten by 1.
    result = schulze([[0, 1, 2], [1, 2, 0]], [0, 1, 2])
    assert [(s.item, s.rank, s.tied, s.score) for s in result.standings] == [
        (0, 1, True, 0), (1, 1, True, 1), (2, 3, False, 0)
    ]


def test_a_tie_among_schulze_winners_is_flagged_at_the_cut():
    result = schulze([[0, 1, 2], [1, 2, 0]], [0, 1, 2])
    cut = top_n(result.standings, 1)
    assert cut.items == (0,) and [s.item for s in cut.tied_outside] == [1]
    assert top_n(result.standings, 2).tied_outside == ()


def _beats_by_definition(ballots, items):
    """a beats b, computed here from the ballots without the module: the strength of the widest
    path is the largest t such that b can be reached from a through links of strength ≥ t
    (breadth-first search for each threshold), links being winning pairwise majorities."""
    d = {(a, b): sum(1 for ballot in ballots if ballot.index(a) < ballot.index(b))
         for a in items for b in items if a != b}
    link = {(a, b): d[(a, b)] if d[(a, b)] > d[(b, a)] else 0 for (a, b) in d}

    def widest(a, b):
        best = 0
        for t in sorted({v for v in link.values() if v > 0}):
            seen, frontier = {a}, [a]
            while frontier:
                x = frontier.pop()
                for y in items:
                    if y not in seen and link.get((x, y), 0) >= t:
                        seen.add(y)
                        frontier.append(y)
            if b in seen:
                best = t
        return best

    p = {(a, b): widest(a, b) for (a, b) in d}
    return {(a, b) for (a, b) in d if p[(a, b)] > p[(b, a)]}


def _random_profile(rng):
    """3–10 items, 3–200 voters; half the profiles drawn around a few shared orders (so that
    beat relations are rich), half uniformly (so that ties and cycles are frequent)."""
    items = rng.sample(range(100), rng.randint(3, 10))
    n = rng.randint(3, 200)
    if rng.random() < 0.5:
        return items, [rng.sample(items, len(items)) for _ in range(n)]
    centres = [rng.sample(items, len(items)) for _ in range(rng.randint(1, 3))]
    ballots = []
    for _ in range(n):
        ballot = list(rng.choice(centres))
        for _ in range(rng.randint(0, len(items))):
            i = rng.randrange(len(items) - 1)
            ballot[i], ballot[i + 1] = ballot[i + 1], ballot[i]
        ballots.append(ballot)
    return items, ballots


def test_schulze_order_against_its_definition_on_600_random_profiles():
    rng = random.Random(20261204)
    winners_tied = 0
    for _ in range(600):
        items, ballots = _random_profile(rng)
        beats = _beats_by_definition(ballots, items)
        result = schulze(ballots, items)
        rank = {s.item: s.rank for s in result.standings}
        unbeaten = {b for b in items if not any((a, b) in beats for a in items)}
        # (a) rank 1 is exactly the set of items no other item beats
        assert {s.item for s in result.standings if s.rank == 1} == unbeaten
        for a in items:
            for b in items:
                if (a, b) in beats:
                    # (b) an item is ranked strictly above every item it beats
                    assert rank[a] < rank[b]
                elif a != b and rank[a] == rank[b]:
                    # (c) tied only if neither beats the other
                    assert (b, a) not in beats
        # ranks are competition ranks: each rank is 1 + the number of items ranked above
        for s in result.standings:
            assert s.rank == 1 + sum(1 for t in result.standings if rank[t.item] < s.rank)
            assert s.tied == (sum(1 for t in result.standings if t.rank == s.rank) > 1)
        winners_tied += len(unbeaten) > 1
    # the profiles do exercise ties among the winners, the case the old order got wrong
    assert winners_tied > 30


@given(profiles(), st.data())
def test_borda_is_invariant_under_relabelling(profile, data):
    items, ballots = profile
    new_ids = data.draw(st.permutations([f"e{i}" for i in range(len(items))]))
    relabel = dict(zip(items, new_ids, strict=True))
    back = {v: k for k, v in relabel.items()}
    before = borda(ballots, items)
    relabelled = [[relabel[i] for i in ballot] for ballot in ballots]
    after = borda(relabelled, [relabel[i] for i in items])
    assert tuple(back[i] for i in after.order) == before.order
    assert [(back[s.item], s.score, s.rank) for s in after.standings] == [
        (s.item, s.score, s.rank) for s in before.standings
    ]
    # listing the items in another order only moves tied items
    shuffled = data.draw(st.permutations([relabel[i] for i in items]))
    other = borda(relabelled, shuffled)
    assert {back[s.item]: (s.score, s.rank) for s in other.standings} == {
        s.item: (s.score, s.rank) for s in before.standings
    }


@given(profiles())
def test_borda_points_add_up(profile):
    items, ballots = profile
    m = len(items)
    result = borda(ballots, items)
    assert sum(s.score for s in result.standings) == len(ballots) * m * (m - 1) // 2
    scores = [s.score for s in result.standings]
    assert scores == sorted(scores, reverse=True)


@given(profiles())
def test_kendall_w_is_between_0_and_1(profile):
    items, ballots = profile
    w = kendall_w(ballots, items)
    if len(ballots) < 2:
        assert w is None
    else:
        assert 0.0 <= w <= 1.0


@given(items_strategy.flatmap(lambda items: st.tuples(st.just(items), st.permutations(items))),
       st.integers(2, 20))
def test_kendall_w_is_1_when_all_ballots_are_identical(drawn, n):
    items, ballot = drawn
    assert kendall_w([ballot] * n, items) == pytest.approx(1.0)


# --- dot voting -------------------------------------------------------------------------------


def test_dot_voting_by_hand():
    allocations = [
        {"A": 3, "B": 2},          # 5 of 5 points
        {"B": 4, "C": 1},
        {"A": 1, "C": 0},          # under budget, a zero is not a vote
        {"C": 2, "A": 2, "D": 1},
    ]
    # A = 3 + 1 + 2 = 6 (3 voters); B = 2 + 4 = 6 (2 voters); C = 1 + 2 = 3 (2); D = 1 (1)
    result = dot_voting(allocations, list("ABCD"), budget=5)
    assert dict(result.points) == {"A": 6, "B": 6, "C": 3, "D": 1}
    assert dict(result.voters) == {"A": 3, "B": 2, "C": 2, "D": 1}
    # A and B both have 6 points; A has more voters
    assert result.order == ("A", "B", "C", "D")
    assert [s.rank for s in result.standings] == [1, 2, 3, 4]
    assert (result.n_ballots, result.total_points) == (4, 16)


def test_dot_voting_exact_tie():
    result = dot_voting([{"A": 2}, {"B": 2}], ["B", "A", "C"], budget=3)
    assert [(s.item, s.rank, s.tied) for s in result.standings] == [
        ("B", 1, True), ("A", 1, True), ("C", 3, False)
    ]


def test_validate_dots_drops_zeros():
    assert validate_dots({"A": 0, "B": 3}, ABC, budget=3) == {"B": 3}
    assert validate_dots({}, ABC, budget=3) == {}


@pytest.mark.parametrize(
    ("allocation", "message"),
    [
        ({"A": 3, "B": 3}, "Vous avez réparti 6 points ; vous en avez 5 au maximum"),
        ({"A": -1, "B": 2}, "ne peuvent pas être négatifs"),
        ({"A": 1.5}, "nombres entiers"),
        ({"A": 2.0}, "nombres entiers"),
        ({"A": True}, "nombres entiers"),
        ({"A": "2"}, "nombres entiers"),
        ({"Z": 1}, "Élément inconnu dans la répartition : « Z »"),
        ([("A", 1)], "associe des points"),
    ],
)
def test_bad_dot_allocations_are_refused(allocation, message):
    with pytest.raises(DomainError, match=message):
        validate_dots(allocation, ABC, budget=5)


def test_points_per_item_cap_and_budget_check():
    with pytest.raises(DomainError, match="Au plus 2 point"):
        validate_dots({"A": 3}, ABC, budget=5, max_per_item=2)
    with pytest.raises(DomainError, match="entier positif"):
        validate_dots({"A": 1}, ABC, budget=0)
    with pytest.raises(DomainError, match="vous en avez 5"):
        dot_voting([{"A": 1}, {"A": 6}], ABC, budget=5)


@given(
    items_strategy.flatmap(
        lambda items: st.tuples(
            st.just(items),
            st.lists(st.lists(st.sampled_from(items), max_size=6), max_size=20),
        )
    )
)
def test_dot_voting_totals_equal_the_allocations(drawn):
    items, dot_lists = drawn
    allocations = [dict(Counter(dots)) for dots in dot_lists]
    result = dot_voting(allocations, items, budget=6)
    assert result.total_points == sum(sum(a.values()) for a in allocations)
    for item in items:
        assert result.points[item] == sum(a.get(item, 0) for a in allocations)
        assert result.voters[item] == sum(1 for a in allocations if a.get(item, 0) > 0)
    keys = [(result.points[s.item], result.voters[s.item]) for s in result.standings]
    assert keys == sorted(keys, reverse=True)


# --- majority judgment ------------------------------------------------------------------------

GRADES = ("excellent", "bon", "passable", "insuffisant")


def test_majority_judgment_tennessee_example_by_hand():
    # The textbook example of where to put Tennessee's capital: 100 voters living in Memphis (42),
    # Nashville (26), Chattanooga (15) and Knoxville (17), each preferring nearby cities.
    blocs = [
        (42, {"M": "excellent", "N": "passable", "C": "insuffisant", "K": "insuffisant"}),
        (26, {"M": "insuffisant", "N": "excellent", "C": "passable", "K": "passable"}),
        (15, {"M": "insuffisant", "N": "bon", "C": "excellent", "K": "bon"}),
        (17, {"M": "insuffisant", "N": "bon", "C": "bon", "K": "excellent"}),
    ]
    ballots = [grades for count, grades in blocs for _ in range(count)]
    result = majority_judgment(ballots, ["M", "N", "C", "K"], GRADES)
    # merit profiles (best → worst) and lower median (the 51st of 100 from the top):
    #   M: 42, 0, 0, 58 → cumulative 42, 42, 42, 100 → insuffisant; above 42 % > below 0 % → "+"
    #   N: 26, 32, 42, 0 → cumulative 26, 58 → bon; above 26 %, below 42 % → "-"
    #   C: 15, 17, 26, 42 → cumulative 15, 32, 58 → passable; above 32 %, below 42 %
    #   K: 17, 15, 26, 42 → cumulative 17, 32, 58 → passable; above 32 %, below 42 %
    profiles = result.profiles
    assert profiles["M"].counts == (42, 0, 0, 58)
    assert profiles["N"].counts == (26, 32, 42, 0)
    assert [profiles[i].majority_grade for i in "MNCK"] == ["insuffisant", "bon", "passable", "passable"]
    assert (profiles["M"].above, profiles["M"].below, profiles["M"].sign) == (0.42, 0.0, "+")
    assert (profiles["N"].above, profiles["N"].below, profiles["N"].sign) == (0.26, 0.42, "-")
    assert (profiles["C"].above, profiles["C"].below) == (profiles["K"].above, profiles["K"].below)
    # C and K share "passable" and the same gauge: the removal procedure separates them.
    # Grades sorted best → worst at positions 0..99, medians taken at 50, 49, 51, 48, 52, …
    # (position 50 − k at step 2k − 1, 50 + k at step 2k): positions 17..99 hold the same grades
    # in both (bon 17–31, passable 32–57, insuffisant 58–99); position 16 is bon for C and
    # excellent for K, reached at step 2·34 − 1 = 67 (upper positions reached so far: 51..83).
    c, k = profiles["C"].majority_value, profiles["K"].majority_value
    assert c[:67] == k[:67]
    assert (c[67], k[67]) == (1, 0)
    assert result.order == ("N", "K", "C", "M")
    assert [s.score for s in result.standings] == ["bon", "passable", "passable", "insuffisant"]
    assert [s.rank for s in result.standings] == [1, 2, 3, 4]


# Balinski and Laraki's own worked example: the majority-judgment experiment they ran in three
# polling stations of Orsay (districts 1, 6 and 12) at the 2007 French presidential election.
# Grade counts per candidate, from the ballots published by Mieux Voter
# (github.com/MieuxVoter/majority-judgment-datasets, ballots/2007_presidentielle_orsay/, 1733 ballots):
# [no opinion, à rejeter, insuffisant, passable, assez bien, bien, très bien]. They give the shares the
# authors published (Royal 16.7 % très bien … 12.6 % à rejeter; Sarkozy 19.1 % … 28.2 %), and their
# result, « Election by Majority Judgement: Experimental Evidence » (cahier du laboratoire
# d'économétrie de l'École polytechnique n° 2007-28) and PNAS 104 (21), 2007: Bayrou first (assez
# bien +), then Royal and Sarkozy (assez bien −), Voynet (passable), Besancenot, Buffet, Bové,
# Laguiller (insuffisant), Nihous, de Villiers, Schivardi, Le Pen (à rejeter). A grade left blank
# counts as « à rejeter », as in their count.
ORSAY_2007 = {
    "Besancenot": [56, 484, 392, 276, 282, 172, 71],
    "Buffet": [75, 453, 457, 356, 217, 132, 43],
    "Schivardi": [100, 944, 432, 164, 67, 18, 8],
    "Bayrou": [51, 78, 146, 256, 434, 532, 236],
    "Bové": [72, 611, 445, 278, 197, 104, 26],
    "Voynet": [75, 280, 452, 410, 303, 162, 51],
    "de Villiers": [75, 887, 273, 196, 150, 111, 41],
    "Royal": [31, 187, 211, 291, 331, 393, 289],
    "Nihous": [125, 828, 462, 190, 91, 31, 6],
    "Le Pen": [46, 1242, 93, 112, 108, 80, 52],
    "Laguiller": [91, 603, 447, 288, 176, 91, 37],
    "Sarkozy": [30, 459, 123, 200, 247, 343, 331],
}
ORSAY_GRADES = ("très bien", "bien", "assez bien", "passable", "insuffisant", "à rejeter")


def _orsay_ballots() -> list[dict[str, str]]:
    # Majority judgment reads each candidate's grades on its own, so any ballots with these counts
    # per candidate give the same result: the k-th ballot gives each candidate its k-th grade.
    n = 1733
    columns = {}
    for name, counts in ORSAY_2007.items():
        assert sum(counts) == n
        grades: list[str | None] = [None] * counts[0]  # no opinion: left out of the ballot
        for index, count in enumerate(counts[1:]):
            grades += [ORSAY_GRADES[-1 - index]] * count
        columns[name] = grades
    return [{name: g[k] for name, g in columns.items() if g[k] is not None} for k in range(n)]


def test_majority_judgment_balinski_laraki_orsay_2007():
    result = majority_judgment(_orsay_ballots(), list(ORSAY_2007), ORSAY_GRADES)
    assert result.n_ballots == 1733
    assert result.order == ("Bayrou", "Royal", "Sarkozy", "Voynet", "Besancenot", "Buffet", "Bové",
                            "Laguiller", "Nihous", "de Villiers", "Schivardi", "Le Pen")
    assert [s.score for s in result.standings] == (
        ["assez bien"] * 3 + ["passable"] + ["insuffisant"] * 4 + ["à rejeter"] * 4)
    signs = {name: result.profiles[name].sign for name in ("Bayrou", "Royal", "Sarkozy")}
    assert signs == {"Bayrou": "+", "Royal": "-", "Sarkozy": "-"}
    royal = result.profiles["Royal"]
    assert [round(100 * c / 1733, 1) for c in royal.counts] == [16.7, 22.7, 19.1, 16.8, 12.2, 12.6]
    sarkozy = result.profiles["Sarkozy"]
    assert [round(100 * c / 1733, 1) for c in sarkozy.counts] == [19.1, 19.8, 14.3, 11.5, 7.1, 28.2]
    assert not any(s.tied for s in result.standings)


def test_majority_judgment_tie_break_by_removing_median_grades():
    # 5 voters, grades très prioritaire (0) … pas prioritaire (3)
    # X: 0, 1, 1, 2, 3 → median (3rd) prioritaire
    #    remove it → 0 1 2 3: lower median (3rd of 4) secondaire
    #    remove → 0 1 3: prioritaire; → 0 3: pas prioritaire; → 0: très prioritaire
    #    majority value (1, 2, 1, 3, 0)
    # Y: 1, 1, 1, 1, 3 → prioritaire; → 1 1 1 3: prioritaire; → 1 1 3: prioritaire;
    #    → 1 3: pas prioritaire; → 1: prioritaire; majority value (1, 1, 1, 3, 1)
    # same majority grade; at the second step Y keeps « prioritaire », X falls to « secondaire »
    tp, p, s, pp = DEFAULT_GRADES
    ballots = [
        {"X": tp, "Y": p}, {"X": p, "Y": p}, {"X": p, "Y": p}, {"X": s, "Y": p}, {"X": pp, "Y": pp},
    ]
    result = majority_judgment(ballots, ["X", "Y"])
    assert result.profiles["X"].majority_value == (1, 2, 1, 3, 0)
    assert result.profiles["Y"].majority_value == (1, 1, 1, 3, 1)
    assert result.profiles["X"].majority_grade == result.profiles["Y"].majority_grade == "prioritaire"
    assert result.order == ("Y", "X")
    assert not any(st_.tied for st_ in result.standings)
    # the gauge agrees: X has 40 % below its grade, Y 20 %
    assert (result.profiles["X"].above, result.profiles["X"].below) == (0.2, 0.4)
    assert (result.profiles["Y"].above, result.profiles["Y"].below) == (0.0, 0.2)


def test_majority_judgment_lower_median_with_an_even_number_of_voters():
    # 2 voters: très prioritaire and secondaire → the lower of the two middle grades: secondaire
    tp, _, s, _ = DEFAULT_GRADES
    result = majority_judgment([{"A": tp}, {"A": s}], ["A"])
    assert result.profiles["A"].majority_grade == "secondaire"


def test_a_missing_grade_counts_as_the_worst():
    tp, p, _, pp = DEFAULT_GRADES
    ballots = [{"A": tp, "B": tp}, {"A": p}, {"A": p}]  # B is ungraded twice → pas prioritaire
    result = majority_judgment(ballots, ["A", "B"])
    assert result.profiles["B"].counts == (1, 0, 0, 2)
    assert result.profiles["B"].majority_grade == pp
    assert result.order == ("A", "B")


def test_identical_profiles_are_tied():
    tp, p, _, _ = DEFAULT_GRADES
    result = majority_judgment([{"A": tp, "B": p}, {"A": p, "B": tp}], ["B", "A"])
    assert [(s.item, s.rank, s.tied) for s in result.standings] == [("B", 1, True), ("A", 1, True)]


def test_majority_judgment_without_ballots():
    result = majority_judgment([], ABC)
    assert result.n_ballots == 0
    assert all(s.score is None and s.rank == 1 for s in result.standings)


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ({"A": "urgent"}, "Mention inconnue pour « A »"),
        ({"A": 0}, "Mention inconnue"),
        ({"Z": "prioritaire"}, "Élément inconnu dans le bulletin"),
        (["prioritaire"], "associe une mention"),
    ],
)
def test_bad_grades_are_refused(ballot, message):
    with pytest.raises(DomainError, match=message):
        validate_grades(ballot, ABC)
    with pytest.raises(DomainError, match=message):
        majority_judgment([ballot], ABC)


def naive_majority_value(grades):
    remaining = sorted(grades)
    sequence = []
    while remaining:
        sequence.append(remaining.pop(len(remaining) // 2))
    return tuple(sequence)


@given(st.lists(st.integers(0, 5), max_size=60))
def test_majority_value_matches_removing_medians_one_by_one(grades):
    assert majority_value(grades) == naive_majority_value(grades)


@st.composite
def graded_profiles(draw):
    items = draw(items_strategy)
    grades = DEFAULT_GRADES
    ballots = draw(
        st.lists(st.dictionaries(st.sampled_from(items), st.sampled_from(grades)), min_size=1, max_size=15)
    )
    return items, ballots


@given(graded_profiles())
def test_majority_judgment_ranks_by_majority_grade(profile):
    items, ballots = profile
    result = majority_judgment(ballots, items)
    position = {item: i for i, item in enumerate(result.order)}
    for a in items:
        for b in items:
            ga = result.profiles[a].majority_grade_index
            gb = result.profiles[b].majority_grade_index
            if ga < gb:
                assert position[a] < position[b]
    for item in items:
        profile_ = result.profiles[item]
        assert sum(profile_.counts) == len(ballots)
        assert profile_.above < 0.5 + 1e-9 and profile_.below <= 0.5 + 1e-9


# --- top N ------------------------------------------------------------------------------------


def standings(*ranks):
    return tuple(
        Standing(item=f"i{n}", rank=r, score=0, tied=ranks.count(r) > 1) for n, r in enumerate(ranks)
    )


def test_top_n_without_a_tie_at_the_cut():
    cut = top_n(standings(1, 2, 3, 4, 5, 5), 4)
    assert cut.items == ("i0", "i1", "i2", "i3")
    assert not cut.tie_at_cut and cut.tied_outside == ()


def test_top_n_flags_items_tied_with_the_last_kept():
    cut = top_n(standings(1, 2, 3, 3, 3, 6), 4)
    assert cut.items == ("i0", "i1", "i2", "i3")
    assert cut.tie_at_cut
    assert [s.item for s in cut.tied_outside] == ["i4"]


def test_top_n_default_and_edges():
    result = borda(expand([(1, "ABCDEFG")]), list("ABCDEFG"))
    assert top_n(result.standings).items == tuple("ABCD")
    assert top_n(standings(1, 1), 3).items == ("i0", "i1")
    assert top_n((), 3).items == ()
    for bad in (0, -1, True, 2.0):
        with pytest.raises(DomainError, match="Le nombre d'éléments à retenir"):
            top_n(standings(1, 2), bad)


# --- agreement with ties (dot voting, grades) ---------------------------------------------------


def test_kendall_w_with_ties_by_hand():
    # Two ballots on A, B, C: (3, 1, 1) and (2, 2, 0). Ranks with mid-ranks: A 1, B 2.5, C 2.5 and
    # A 1.5, B 1.5, C 3. Rank sums 2.5, 4, 5.5; mean 4; S = 2.25 + 0 + 2.25 = 4.5.
    # Ties: one pair per ballot, T = 2³ − 2 = 6 each. W = 12·4.5 / (4·24 − 2·12) = 54 / 72 = 0.75.
    ballots = [{"A": 3, "B": 1, "C": 1}, {"A": 2, "B": 2, "C": 0}]
    assert kendall_w_scores(ballots, ABC) == pytest.approx(0.75)


def test_kendall_w_with_ties_extremes():
    assert kendall_w_scores([{"A": 5, "B": 3, "C": 0}] * 4, ABC) == pytest.approx(1.0)
    assert kendall_w_scores([{"A": 1, "B": 0, "C": 0}, {"A": 0, "B": 1, "C": 1}], ABC) == pytest.approx(0.0)
    assert kendall_w_scores([{"A": 1, "B": 1, "C": 1}] * 3, ABC) is None  # nobody told items apart
    assert kendall_w_scores([{"A": 1, "B": 0, "C": 0}], ABC) is None
    with pytest.raises(DomainError, match="il manque"):
        kendall_w_scores([{"A": 1, "B": 0}, {"A": 1, "B": 0, "C": 2}], ABC)


@given(profiles())
def test_kendall_w_with_ties_equals_kendall_w_on_full_rankings(profile):
    items, ballots = profile
    scores = [{item: len(ballot) - position for position, item in enumerate(ballot)} for ballot in ballots]
    expected = kendall_w(ballots, items)
    got = kendall_w_scores(scores, items)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert got == pytest.approx(expected)


@given(st.lists(st.dictionaries(st.sampled_from(ABC), st.integers(0, 4), min_size=3, max_size=3),
                min_size=2, max_size=12))
def test_kendall_w_with_ties_is_between_0_and_1(ballots):
    w = kendall_w_scores(ballots, ABC)
    assert w is None or -1e-9 <= w <= 1 + 1e-9


@pytest.mark.parametrize(("w", "label"), [
    (None, None), (0.0, "accord très faible"), (0.149, "accord très faible"), (0.15, "accord faible"),
    (0.34, "accord faible"), (0.35, "accord moyen"), (0.59, "accord moyen"), (0.6, "accord fort"),
    (1.0, "accord fort"),
])
def test_agreement_levels(w, label):
    assert agreement_level(w) == label


def test_each_agreement_level_has_its_own_plain_meaning():
    assert agreement_meaning(None) is None
    assert agreement_meaning(0.53) == "les classements des participants se ressemblent en partie"
    meanings = {agreement_meaning(w) for w in (0.0, 0.15, 0.35, 0.6)}
    assert len(meanings) == 4 and None not in meanings
    assert agreement_meaning(0.599) == agreement_meaning(0.35) != agreement_meaning(0.6)
