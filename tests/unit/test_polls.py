from fractions import Fraction

import pytest

from app.domain.errors import DomainError
from app.domain.polls import tally, validate_choice

SCALE = ["souvent", "parfois", "rarement", "jamais"]


def test_counts_and_shares():
    result = tally([0, 1, 1, 3, 1], SCALE)
    assert [o.count for o in result.options] == [1, 3, 0, 1]
    assert result.n == 5
    assert result.options[1].share == Fraction(3, 5) and result.options[1].percent == 60
    assert result.leader == 1


def test_no_answer_and_ties():
    empty = tally([], SCALE)
    assert empty.n == 0 and all(o.share == 0 for o in empty.options) and empty.leader is None
    assert tally([0, 1], SCALE).leader is None


@pytest.mark.parametrize("bad", [4, -1, "2.5", "oui", True, None, 1.0])
def test_invalid_choices(bad):
    with pytest.raises(DomainError, match="Choix invalide"):
        validate_choice(bad, SCALE)


def test_valid_choice_from_a_form_string():
    assert validate_choice("3", SCALE) == 3


def test_proxy_counts_add_to_the_phones_and_are_reported():
    from app.domain.polls import validate_proxy_counts

    result = tally([0, 3], SCALE, validate_proxy_counts(["2", "", "0", "1"], SCALE))
    assert [o.count for o in result.options] == [3, 0, 0, 2]
    assert result.n == 5 and result.n_proxy == 3
    for bad in (["1", "2"], ["-1", "0", "0", "0"], ["1.5", "0", "0", "0"], [True, "0", "0", "0"]):
        with pytest.raises(DomainError):
            validate_proxy_counts(bad, SCALE)


def test_a_share_is_shown_rounded_half_up_like_every_figure():
    # 1 answer in 8 is 12.5 %: « 13 % », as by hand and in the documents (Python's round gives 12).
    result = tally([0, 1, 1, 1, 1, 1, 1, 1], ["oui", "non"], [0, 0])
    assert [o.percent for o in result.options] == [13, 88]
