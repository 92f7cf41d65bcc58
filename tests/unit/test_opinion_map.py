"""app/domain/opinion_map.py, the « carte des sensibilités », against its definition: Polis's
z-tests on their reference values, planted groups recovered with the items that set each apart,
uniform noise reported as without structure, the fédérateurs and clivants of a room built to
have them, and the same map whatever the order the sheets come in."""

import itertools
import random

import pytest

from app.domain.opinion_map import Status, opinion_map, prop_test, two_prop_test

HIGH = 3  # on a 1..4 scale


def planted(seed: int, people: int, items: int, groups: int, noise: float = 0.2,
            shared: tuple[int, ...] = (), missing: float = 0.1) -> dict[str, dict[int, float]]:
    """Group g (every g-th participant) rates the items i with i % groups == g high (3 or 4), the
    others low (1 or 2); `shared` items high for everyone; a `noise` share of random answers and
    a `missing` share left out."""
    rng = random.Random(seed)
    room = {}
    for p in range(people):
        g = p % groups
        answers = {}
        for i in range(items):
            if rng.random() < missing:
                continue
            if rng.random() < noise:
                answers[i] = float(rng.randint(1, 4))
            elif i in shared or i % groups == g:
                answers[i] = float(rng.choice([3, 4]))
            else:
                answers[i] = float(rng.choice([1, 2]))
        room[f"participant-{rng.randrange(10**9)}"] = answers
    return room


def uniform(seed: int, people: int, items: int) -> dict[str, dict[int, float]]:
    rng = random.Random(seed)
    return {f"p{p}": {i: float(rng.randint(1, 4)) for i in range(items) if rng.random() > 0.1}
            for p in range(people)}


def test_the_z_tests_give_polis_reference_values():
    # polis math/test/stats_test.clj: (two-prop-test 15 56 24 71) ≈ -1.518, and the one-share test
    # is the two-share test against a huge population at one half.
    assert two_prop_test(15, 56, 24, 71) == pytest.approx(-1.518, abs=0.01)
    assert two_prop_test(30, 1_000_000, 50, 2_000_000) == pytest.approx(prop_test(30, 50), abs=0.01)


@pytest.mark.parametrize("groups", [2, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_planted_groups_are_found_with_the_items_that_set_them_apart(groups, seed):
    people, items = 40, 20
    found = opinion_map(planted(seed, people, items, groups).values(), range(items), HIGH)
    assert found.status is Status.GROUPS and len(found.groups) == groups
    # Their sizes: the planted ones, give or take one participant a noisy answer sheet misleads.
    sizes = sorted(g.size for g in found.groups)
    assert all(abs(a - b) <= 1 for a, b in zip(sizes, sorted(
        len(range(g, people, groups)) for g in range(groups)), strict=True)) and sum(sizes) == people
    # Each group is one planted group: what sets it apart is its block rated high or another
    # block rated low, and the groups take different blocks.
    fits = []
    for group in found.groups:
        assert group.distinctive, group
        fits.append({b for b in range(groups)
                     if all((d.item % groups == b) == d.high for d in group.distinctive)})
    assert any(all(b in fit for b, fit in zip(order, fits, strict=True))
               for order in itertools.permutations(range(groups))), fits
    # Every block item divides the room; none is high in every group.
    assert found.dividing and not found.federating
    assert len(found.points) == found.counted == people


def test_an_item_everyone_rates_high_is_federating_in_a_divided_room():
    found = opinion_map(planted(5, 40, 12, 2, shared=(0, 1)).values(), range(12), HIGH)
    assert found.status is Status.GROUPS
    assert {s.item for s in found.federating} == {0, 1}
    assert all(min(s.shares) >= 0.5 for s in found.federating)
    assert all(s.item not in (0, 1) for s in found.dividing)
    assert all(max(s.shares) - min(s.shares) >= 0.25 for s in found.dividing)


@pytest.mark.parametrize(("people", "items"), [(30, 10), (20, 5)])
def test_uniform_noise_is_reported_without_structure(people, items):
    """The test behind the groups rejects a room of random answers 19 times in 20 (its level):
    over 20 such rooms, at most 3 may show groups (binomial tail below 2 %)."""
    shown = [opinion_map(uniform(seed, people, items).values(), range(items), HIGH) for seed in range(20)]
    assert sum(m.status is Status.GROUPS for m in shown) <= 3
    quiet = [m for m in shown if m.status is Status.NO_STRUCTURE]
    assert all(not m.groups and not m.dividing and len(m.points) == m.counted for m in quiet)
    assert all(p.group is None for m in quiet for p in m.points)


def test_too_few_participants_or_answers_are_said_so():
    room = planted(1, 7, 10, 2, noise=0)
    assert opinion_map(room.values(), range(10), HIGH).status is Status.TOO_FEW
    # Eight people, but one answered 6 of 10 items (fewer than min(7, items)): not counted.
    room = planted(1, 8, 10, 2, noise=0)
    first = next(iter(room))
    room[first] = dict(list(room[first].items())[:6])
    found = opinion_map(room.values(), range(10), HIGH)
    assert (found.status, found.counted) == (Status.TOO_FEW, 7)
    # With 5 items, 5 answers are enough.
    assert opinion_map(planted(2, 12, 5, 2, noise=0, missing=0).values(), range(5), HIGH).counted == 12


def test_the_same_room_read_in_any_order_gives_the_same_map():
    room = planted(3, 36, 15, 3)
    found = opinion_map(room.values(), range(15), HIGH)
    shuffled = list(room.items())
    random.Random(9).shuffle(shuffled)
    assert opinion_map(dict(shuffled).values(), range(15), HIGH) == found
    assert all(-1 <= p.x <= 1 and -1 <= p.y <= 1 for p in found.points)
    assert [p.group for p in found.points] == sorted(p.group for p in found.points)
    # Largest group first.
    assert [g.size for g in found.groups] == sorted((g.size for g in found.groups), reverse=True)


def test_a_participant_who_answered_little_is_not_pulled_to_the_centre():
    """Scaled by sqrt(items / answers): someone who answered 7 of 14 items like group 0 lands
    as far out as the group's full answerers, not halfway to the centre."""
    room = planted(4, 40, 14, 2, noise=0)
    full = opinion_map(room.values(), range(14), HIGH)
    partial = dict(room)
    partial["short"] = {i: 4.0 if i % 2 == 0 else 1.0 for i in range(7)}
    found = opinion_map(partial.values(), range(14), HIGH)
    assert found.status is Status.GROUPS and found.counted == full.counted + 1
    radius = sorted(abs(p.x) for p in found.points)
    # No point sits near the centre: the short answerer is out with her group.
    assert radius[0] > 0.3


def test_two_camps_answering_as_one_each_are_two_groups():
    """No noise at all: every sheet of a camp is the same (two distinct sheets in the room)."""
    camps = [{i: 4.0 if (i < 5) == (p % 2 == 0) else 1.0 for i in range(10)} for p in range(16)]
    found = opinion_map(camps, range(10), HIGH)
    assert found.status is Status.GROUPS and [g.size for g in found.groups] == [8, 8]
