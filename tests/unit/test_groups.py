from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.groups import check_count, deal, default_names


def test_deal_in_order_of_arrival():
    assert deal([7, 3, 5, 9, 1], [10, 20]) == {7: 10, 3: 20, 5: 10, 9: 20, 1: 10}


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=300), st.integers(2, 30))
def test_groups_differ_by_one_at_most(participants, count):
    groups = list(range(100, 100 + count))
    dealt = deal(participants, groups)
    assert set(dealt) == set(participants)
    sizes = Counter(dealt.values())
    full = [sizes.get(g, 0) for g in groups]
    assert max(full) - min(full) <= 1


def test_names_fill_up_without_duplicates():
    assert default_names([], 3) == ["Groupe 1", "Groupe 2", "Groupe 3"]
    assert default_names(["Groupe 2", "Élus"], 4) == ["Groupe 1", "Groupe 3"]
    assert default_names(["A", "B", "C"], 2) == []


@pytest.mark.parametrize("bad", [0, 1, 31, True, "4"])
def test_invalid_counts(bad):
    with pytest.raises(DomainError, match="Nombre de sous-groupes invalide"):
        check_count(bad)


def test_nowhere_to_deal():
    with pytest.raises(DomainError):
        deal([1], [])
