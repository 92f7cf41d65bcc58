"""app/domain/similar_notes.py: the quality floor on the labelled post-its (tests/data), the
facilitator's dismissals, the shape of the suggestions and inputs a phone can send."""

import itertools

import pytest

from app.domain.similar_notes import DEFAULT_THRESHOLD, Suggestion, suggest
from bench.grouping import labelled, quality

# bench/grouping.py measured precision 0.870 and recall 0.315 at the default threshold (0.55):
# the floors leave room for a small change of the method, not for a worse one.
PRECISION_FLOOR = 0.8
RECALL_FLOOR = 0.28


@pytest.fixture(scope="module")
def labelled_run() -> tuple[list[tuple[int, str]], dict[int, str], list[Suggestion]]:
    notes, truth = labelled()
    return notes, truth, suggest(notes)


def test_precision_and_recall_on_the_labelled_set(labelled_run):
    notes, truth, suggestions = labelled_run
    assert len(notes) >= 150
    q = quality(suggestions, truth)
    assert q["precision"] >= PRECISION_FLOOR, q
    assert q["recall"] >= RECALL_FLOOR, q


@pytest.mark.xfail(strict=True, reason="known limit: Snowball stems « formation » to « format » and "
                   "« former » to « form », so on four notes the shared « formation » outweighs « aidants »")
def test_near_misses_stay_apart():
    notes = [(1, "Formation des aidants"), (2, "former les aidants"), (3, "Formation des élus"),
             (4, "Former les élus aux enjeux du numérique")]
    groups = {s.ids for s in suggest(notes)}
    assert groups == {(1, 2), (3, 4)}


def test_shape_ascending_disjoint_sorted_and_deterministic(labelled_run):
    notes, _, suggestions = labelled_run
    assert suggestions, "the labelled set has duplicates to suggest"
    seen: set[int] = set()
    for s in suggestions:
        assert len(s.ids) >= 2 and list(s.ids) == sorted(s.ids)
        assert not seen & set(s.ids)
        seen |= set(s.ids)
        assert 0.0 <= s.confidence <= 1.0
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert suggest(notes) == suggestions
    assert suggest(list(reversed(notes))) == suggestions


def test_a_dismissed_pair_is_never_proposed_together(labelled_run):
    notes, _, suggestions = labelled_run
    dismissed = [frozenset(s.ids[:2]) for s in suggestions]
    dismissed.append(frozenset(suggestions[0].ids) | {10_000})
    again = suggest(notes, dismissed=dismissed)
    for s in again:
        for d in dismissed:
            assert len(d & set(s.ids)) < 2, (s, d)
    assert again != suggestions


def test_obvious_duplicates_are_proposed_even_with_typos():
    notes = [(7, "Manque de conseillers numériques"), (3, "manque conseillers numeriques"),
             (5, "zones blanches"), (9, "Zone blanche"), (1, "Ordinateurs reconditionnés à prix solidaire")]
    assert [s.ids for s in suggest(notes)] in ([(3, 7), (5, 9)], [(5, 9), (3, 7)])


def test_the_threshold_moves_the_trade_off(labelled_run):
    notes, _, suggestions = labelled_run
    strict = suggest(notes, threshold=0.9)
    loose = suggest(notes, threshold=DEFAULT_THRESHOLD - 0.15)
    count = lambda ss: sum(len(list(itertools.combinations(s.ids, 2))) for s in ss)  # noqa: E731
    assert count(strict) < count(suggestions) < count(loose)


@pytest.mark.parametrize("notes", [[], [(1, "zones blanches")]])
def test_nothing_to_group(notes):
    assert suggest(notes) == []


def test_empty_long_and_emoji_texts():
    long_text = ("fermeture des guichets de proximité " * 300)[:10_000]
    notes = [(1, ""), (2, "   "), (3, "🔑🔑"), (4, "🙂"), (5, long_text),
             (6, "Fermeture des guichets de proximité 🏤"), (7, "!!!")]
    suggestions = suggest(notes)
    assert [s.ids for s in suggestions] == [(5, 6)]
    assert suggest([(1, ""), (2, "")]) == []
    assert suggest([(1, "🙂"), (2, "🙂")]) == []
