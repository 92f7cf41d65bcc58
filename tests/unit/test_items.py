import pytest

from app.domain.errors import DomainError, NotAllowed
from app.domain.items import ItemView, check_category, clean_text, plan_merge


def view(id_, text="t", category="social", activity=1, merged=None, hidden=False):
    return ItemView(id_, activity, text, category, hidden, merged)


def test_clean_text_normalises_and_limits():
    assert clean_text("  Fracture\r\nnumérique  ") == "Fracture\nnumérique"
    assert clean_text("e\u0301") == "é"  # NFC: one character, as the limit counts
    assert clean_text("a\x00b\u200bc") == "abc"  # control and format characters dropped
    assert len(clean_text("x" * 280)) == 280
    with pytest.raises(DomainError, match="281 caractères"):
        clean_text("x" * 281)
    with pytest.raises(DomainError, match="vide"):
        clean_text(" \n\t ")
    with pytest.raises(DomainError, match="10 au maximum"):
        clean_text("x" * 11, max_length=10)


def test_category_must_be_one_of_the_template():
    assert check_category(" social ", ["social", "politique"]) == "social"
    assert check_category("anything", []) == ""
    with pytest.raises(DomainError, match="Catégorie inconnue"):
        check_category("astrologie", ["social"])


def test_merge_keeps_provenance_and_defaults_to_oldest_text():
    plan = plan_merge([view(7, "b"), view(3, "a"), view(5, "c")], 1, None)
    assert plan.originals == (3, 5, 7)
    assert plan.text == "a"
    assert plan.category == "social"


def test_merge_with_new_text_and_mixed_categories():
    plan = plan_merge([view(2, "x", "social"), view(1, "y", "politique")], 1, "  Regroupé ")
    assert plan.text == "Regroupé"
    assert plan.category == "politique"  # the oldest note's category


def test_merge_refusals():
    with pytest.raises(DomainError, match="au moins deux"):
        plan_merge([view(1)], 1, None)
    with pytest.raises(DomainError, match="au moins deux"):
        plan_merge([view(1), view(1)], 1, None)
    with pytest.raises(NotAllowed, match="déjà été fusionné"):
        plan_merge([view(1), view(2, merged=9)], 1, None)
    with pytest.raises(NotAllowed, match="n'appartient pas"):
        plan_merge([view(1), view(2, activity=2)], 1, None)
    with pytest.raises(DomainError, match="281"):
        plan_merge([view(1), view(2)], 1, "x" * 281)
