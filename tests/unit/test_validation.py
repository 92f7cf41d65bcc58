"""Validation errors in French (app/domain/validation.py): every error type pydantic can raise, and
every error of random bad roadmap files and editor forms, without a word of pydantic's English."""

import copy
import json
import re
import typing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core.core_schema import ErrorType

from app.domain import roadmap as domain
from app.domain.errors import DomainError
from app.domain.validation import explain, place, problems
from app.services.roadmap_edit import check

# Words of pydantic's messages (« Input should be a valid string », « Field required »…).
ENGLISH = re.compile(r"\b(Input|should|valid|Field|required|Value error|Assertion|must|characters|"
                     r"least|most|greater|less|than|Extra|inputs|allowed|object|dictionary|instance|"
                     r"unable|parse|String|Unicode|expected|Invalid|number)\b")
EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "grand-perigueux.json").read_text())


@pytest.mark.parametrize("kind", typing.get_args(ErrorType))
def test_every_pydantic_error_type_is_worded_in_french(kind):
    error = {"type": kind, "loc": ("x",), "msg": "Input should be a valid thing", "input": "abc",
             "ctx": {"max_length": 3, "min_length": 2, "ge": 1, "le": 9, "gt": 0, "lt": 10,
                     "expected": "'a' or 'b'", "multiple_of": 2, "tag": "t", "discriminator": "kind"}}
    for form in (False, True):
        text = explain(error, form=form) if kind not in ("value_error", "assertion_error") else ""
        assert not ENGLISH.search(text), (kind, text)


def test_wordings():
    assert explain({"type": "string_type", "input": 24}) == "doit être un texte, pas « 24 »"
    assert explain({"type": "int_parsing", "input": "deux"}) == "doit être un nombre entier, pas « deux »"
    assert explain({"type": "missing"}) == "champ obligatoire absent"
    assert explain({"type": "missing"}, form=True) == "à remplir"
    assert explain({"type": "string_too_long", "input": "x" * 12, "ctx": {"max_length": 10}}) == \
        "10 caractères au plus (ici 12)"
    assert explain({"type": "less_than_equal", "input": 10**13, "ctx": {"le": 10**12}}) == \
        "1\xa0000\xa0000\xa0000\xa0000 au maximum"
    assert explain({"type": "greater_than_equal", "input": 1999, "ctx": {"ge": 2000}}) == "2000 au minimum"
    assert explain({"type": "literal_error", "input": "x", "ctx": {"expected": "'a', 'b' or 'c'"}}) == \
        "valeur inconnue « x » ; valeurs possibles : « a », « b », « c »"
    assert explain({"type": "value_error", "msg": "Value error, dateDeFin avant dateDeDebut"}) == \
        "dateDeFin avant dateDeDebut"
    assert explain({"type": "some_future_type", "input": "z"}) == "valeur refusée : « z »"
    assert explain({"type": "string_type", "input": "é" * 100})[-3:] == "… »"
    assert place(("chantiers", 3, "actions", 0, "nom")) == "chantiers[3].actions[0].nom"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**20, max_value=10**60)
    | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value, at=()):
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _paths(item, (*at, n))


PATHS = [p for p in _paths(EXAMPLE) if p and p[0] not in ("schema", "version")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=4))
def test_random_bad_roadmap_files_are_explained_in_french(changes):
    data = copy.deepcopy(EXAMPLE)
    for path, value in changes:
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        domain.parse_file(json.dumps(data))
    except domain.RoadmapFileError as err:
        assert err.problems
        for problem in err.problems:
            assert not ENGLISH.search(problem), problem


FORM_MODELS = [domain.Territory, domain.RoadmapInfo, domain.Enjeu, domain.Defi, domain.Chantier,
               domain.Action, domain.Resource, domain.Committee]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORM_MODELS), st.dictionaries(
    st.sampled_from(["nom", "type", "code", "titre", "question", "id", "budgetGlobal", "dateDeDebut",
                     "dateDeFin", "besoins", "coFinancements", "porteurs", "categorie", "lien", "enjeux",
                     "perimetre", "frequence", "description", "inconnu"]), JSON_VALUES, max_size=5))
def test_random_bad_forms_are_explained_in_french(model, data):
    try:
        check(model, data, "Fiche")
    except DomainError as err:
        assert not ENGLISH.search(err.message), err.message


def test_problems_name_each_place():
    with pytest.raises(ValidationError) as caught:
        domain.Territory.model_validate({"nom": 3, "type": "ville"})
    assert problems(caught.value) == [
        "nom : doit être un texte, pas « 3 »",
        "type : valeur inconnue « ville » ; valeurs possibles : « commune », « epci », « departement », "
        "« region », « autre »"]
