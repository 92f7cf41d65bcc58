"""The ranked enjeux table (pure part of app.exports.enjeux): columns named after the method, one
row per enjeu, JSON with the data as written."""

import csv
import io
import json

import pytest

from app.domain.errors import NotFound
from app.exports.enjeux import Enjeu, Ranked, as_json, headers, rows, write
from app.exports.tabular import Fixed


def ranked(method: str, label: str, scores: list[object], agreement: float | None) -> Ranked:
    texts = ["=1+1", "Former les agents", "Équiper les lieux"]
    return Ranked(
        workshop_id=3, workshop_title="Atelier d'Évry", activity_id=9, activity_title="Classement",
        method=method, method_label=label, n_ballots=5, n_stale=1, agreement=agreement,
        agreement_label=None if agreement is None else "accord moyen", keep=2,
        enjeux=tuple(Enjeu(rank=n, text=t, score=s, score_label=str(s), tied=False, kept=n <= 2,
                           sources=(f"post-it {n}", "=SUM(A1)") if n == 1 else ())
                     for n, (t, s) in enumerate(zip(texts, scores, strict=True), start=1)))


@pytest.mark.parametrize(("method", "label", "scores", "header"), [
    ("borda", "méthode de Borda", [12, 7, 1], "score (méthode de Borda : points)"),
    ("schulze", "méthode de Schulze (Condorcet)", [2, 1, 0], "score (méthode de Schulze : enjeux battus)"),
    ("dots", "vote par points", [20, 9, 1], "score (vote par points : points reçus)"),
    ("majority", "jugement majoritaire", ["très prioritaire", "prioritaire", "secondaire"],
     "score (jugement majoritaire : mention majoritaire)"),
])
def test_columns_and_rows_for_each_method(method: str, label: str, scores: list[object], header: str) -> None:
    r = ranked(method, label, scores, 0.41234)
    assert headers(r) == ["rang", "enjeu", header, "bulletins", "accord (W de Kendall)", "niveau d'accord",
                          "éléments sources", "retenu"]
    w = Fixed(0.41234, 2)
    assert rows(r) == [
        [1, "=1+1", scores[0], 5, w, "accord moyen", "post-it 1 ; =SUM(A1)", True],
        [2, "Former les agents", scores[1], 5, w, "accord moyen", "", True],
        [3, "Équiper les lieux", scores[2], 5, w, "accord moyen", "", False],
    ]
    data, name, media = write(r, "csv")
    assert name == "enjeux-9-atelier-d-evry.csv" and media.startswith("text/csv")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[1][:3] == ["1", "'=1+1", str(scores[0])] and table[1][4] == "0,41"
    assert table[1][6] == "post-it 1 ; =SUM(A1)" and table[1][7] == "oui" and table[3][7] == "non"


def test_json_keeps_the_data_as_written() -> None:
    r = ranked("borda", "méthode de Borda", [12, 7, 1], None)
    document = as_json(r)
    assert document["accord"] == {"w_de_kendall": None, "niveau": None}
    assert document["enjeux"][0] == {"rang": 1, "enjeu": "=1+1", "score": 12, "score_libelle": "12",
                                     "ex_aequo": False, "retenu": True,
                                     "elements_sources": ["post-it 1", "=SUM(A1)"]}
    data, name, media = write(r, "json")
    assert json.loads(data) == document and name.endswith(".json") and media == "application/json"
    assert rows(r)[0][4] is None  # no agreement: an empty cell


def test_unknown_format() -> None:
    r = ranked("borda", "méthode de Borda", [3, 2, 1], None)
    with pytest.raises(NotFound, match="Format d'export inconnu"):
        write(r, "txt")
    assert write(r, "csv-comma")[1].endswith("-virgules.csv")
