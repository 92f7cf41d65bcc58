"""app/domain/join_tokens.py: tokens of the unambiguous alphabet, read back however typed, and
the batch sizes a facilitator may ask for."""

import math

import pytest

from app.domain import join_tokens
from app.domain.codes import ALPHABET
from app.domain.errors import DomainError


def test_a_token_is_ten_signs_of_the_unambiguous_alphabet_with_enough_entropy():
    tokens = {join_tokens.new_token() for _ in range(500)}
    assert len(tokens) == 500
    assert all(len(t) == 10 and set(t) <= set(ALPHABET) for t in tokens)
    assert not set("01OIL") & set(ALPHABET)
    assert 49 < join_tokens.LENGTH * math.log2(len(ALPHABET)) < 50


def test_a_token_is_read_back_however_it_is_typed():
    token = "ABCDE23456"
    assert join_tokens.spelled(token) == "ABCDE-23456"
    for typed in ("abcde-23456", " ABCDE 23456 ", "abcde23456", "AB-CD-E2-34-56"):
        assert join_tokens.normalise(typed) == token
    for wrong in ("", "ABCDE-2345", "ABCDE-234567", "ABCDE-2345O", "ABCDE-23451", "ÀBCDE-23456"):
        assert join_tokens.normalise(wrong) == ""


def test_the_digest_is_stable_and_hides_the_token():
    digest = join_tokens.digest("ABCDE23456")
    assert digest == join_tokens.digest("ABCDE23456") and len(digest) == 64
    assert "ABCDE" not in digest.upper()


@pytest.mark.parametrize("raw, count", [("1", 1), (" 30 ", 30), ("1000", 1000)])
def test_a_batch_size_is_a_whole_number_from_1_to_1000(raw, count):
    assert join_tokens.batch_size(raw) == count


@pytest.mark.parametrize("raw", ["0", "1001", "-5", "", "trente", "2.5", "1e3"])
def test_other_batch_sizes_are_refused_in_french(raw):
    with pytest.raises(DomainError, match=r"^Nombre de jetons"):
        join_tokens.batch_size(raw)
