"""The roadmap's file format and outline (app/domain/roadmap.py): pure code, no database."""

import copy
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.domain import roadmap as domain
from app.domain import validation
from app.domain.roadmap import RoadmapFileError, chantier_code, dump_file, outline, parse_file, split_lines

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "grand-perigueux.json"


def minimal() -> dict:
    return {
        "schema": "cap-partage/feuille-de-route",
        "version": 1,
        "territoire": {"nom": "Communauté de communes du Val", "type": "epci", "code": "200012345"},
        "feuille_de_route": {
            "nom": "Feuille de route 2026",
            "perimetre": "groupements-de-communes",
            "porteurs": ["CC du Val", "Département"],
            "gouvernance": [
                {"nom": "Comité de pilotage", "type": "strategique", "frequence": "deux fois par an"}
            ],
        },
        "enjeux": [
            {"id": "e1", "question": "Comment mieux accompagner ?", "score": 41, "score_libelle": "41 pts"},
            {"id": "e2", "question": "Comment mieux équiper ?"},
            {"id": "e3", "question": "Comment mieux se connaître ?"},
        ],
        "defis": [
            {"id": "d1", "titre": "Former", "enjeux": ["e2", "e1"]},
            {"id": "d2", "titre": "Outiller", "enjeux": []},
        ],
        "chantiers": [
            {
                "id": "c1",
                "code": "1.a",
                "titre": "Former les agents",
                "defi": "d1",
                "ressources": [{"nom": "CAF", "categorie": "financements", "lien": "operante"}],
                "actions": [
                    {
                        "nom": "Formation Pix",
                        "budgetGlobal": 30000,
                        "besoins": ["appui_juridique"],
                        "coFinancements": [{"coFinanceur": "Région", "montant": 10000}],
                        "dateDeDebut": 2026,
                        "dateDeFin": 2027,
                    }
                ],
            },
            {"id": "c2", "titre": "Un chantier venu d'un atelier", "enjeu": "e3"},
            {"id": "c3", "titre": "Un chantier sans rattachement"},
        ],
    }


def problems_of(data: dict) -> list[str]:
    with pytest.raises(RoadmapFileError) as caught:
        parse_file(json.dumps(data))
    return caught.value.problems


def test_a_complete_file_reads_and_writes_back_identically():
    # minimal() is written as earlier versions wrote files: « coFinanceur », integer years,
    # « groupements-de-communes »; they are read, and written back in the platform's shape.
    text = dump_file(parse_file(json.dumps(minimal())))
    assert dump_file(parse_file(text)) == text
    again = json.loads(text)
    action = again["chantiers"][0]["actions"][0]
    assert action["coFinancements"] == [{"membre": "Région", "montant": 10000}]
    assert (action["dateDeDebut"], action["dateDeFin"], action["destinataires"]) == ("2026", "2027", [])
    assert again["feuille_de_route"]["perimetre"] == "groupementsDeCommunes"
    assert again["feuille_de_route"]["gouvernance"][0]["type"] == "strategique"


# The national platform « Mon inclusion numérique » (anct-cnum/suite-gestionnaire-numerique, read at
# commit 4492d44): `BesoinsPossible` in src/use-cases/queries/shared/ActionReadModel.ts and
# `BESOINS_LABELS` in src/presenters/shared/besoins.ts, copied here word for word, its spelling kept.
PLATFORM_BESOINS = {
    "animer_la_gouvernance": "Animer et mettre en œuvre la gouvernance et la feuille de route",
    "appui_juridique": "Appui juridique dédié à la gouvernance",
    "appuyer_la_certification_qualiopi": (
        "Appuyer la certification Qualiopi de structures privées portant des formations à l’inclusion "
        "numérique"),
    "co_construire_la_feuille_de_route": "Co-construire la feuille de route avec les membres",
    "collecter_des_donnees_territoriales": (
        "Collecter des données territoriales pour alimenter un hub national"),
    "etablir_un_diagnostic_territorial": "Établir un diagnostic territorial",
    "monter_dossiers_de_subvention": "Monter des dossiers de subvention complexes",
    "rediger_la_feuille_de_route": "Rédiger la feuille de route",
    "sensibiliser_les_acteurs_aux_outils_existants":
        "Sensibiliser les acteur de l’inclusion numérique aux outils existants",
    "structurer_un_fonds": "Structurer un fond local pour l’inclusion numérique",
    "structurer_une_filiere_de_reconditionnement": "Structurer une filière de reconditionnement locale",
}


def test_besoins_and_perimeters_are_the_platforms_word_for_word():
    assert domain.BESOINS == PLATFORM_BESOINS
    # src/domain/FeuilleDeRoute.ts: const Types = ['departemental', 'groupementsDeCommunes', 'regional']
    assert list(domain.PERIMETERS) == ["departemental", "groupementsDeCommunes", "regional"]


@pytest.mark.parametrize(("start", "end", "stored"), [
    (2025, 2026, ("2025", "2026")),  # integer years of earlier files
    ("2025", None, ("2025", None)),  # a year stays a year: not the 1st of January
    ("2025-03-15", "2025-12-31", ("2025-03-15", "2025-12-31")),
    ("15/03/2025", "2026", ("2025-03-15", "2026")),  # as typed in the editor
    ("2025", "2025-06-30", ("2025", "2025-06-30")),  # within the same year: in order
])
def test_an_actions_start_and_end_are_a_year_or_a_day(start, end, stored):
    action = domain.Action.model_validate({"nom": "a", "dateDeDebut": start, "dateDeFin": end})
    assert (action.start, action.end) == stored
    assert action.start_year == int(stored[0][:4])


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2026", "2025-12-31", "dateDeFin (2025-12-31) avant dateDeDebut (2026)"),
    ("2025-07-01", "2025-06-30", "dateDeFin (2025-06-30) avant dateDeDebut (2025-07-01)"),
    ("2025-02-30", None, "« 2025-02-30 » n'est ni une année (2025) ni une date (2025-03-15)"),
    ("mars 2025", None, "« mars 2025 » n'est ni une année"),
    ("1850", None, "année 1850 hors de la période 2000–2100"),
])
def test_an_impossible_period_is_refused_in_french(start, end, message):
    with pytest.raises(ValidationError) as caught:
        domain.Action.model_validate({"nom": "a", "dateDeDebut": start, "dateDeFin": end})
    assert message in " ".join(validation.problems(caught.value))


def test_the_seed_004_example_is_a_valid_file_with_its_structure():
    data = parse_file(EXAMPLE.read_bytes())
    assert (len(data.enjeux), len(data.defis), len(data.chantiers)) == (4, 6, 10)
    assert [c.code for c in data.chantiers] == [
        "1.a",
        "1.b",
        "2.a",
        "2.b",
        "3.a",
        "3.b",
        "4.a",
        "4.b",
        "5",
        "6",
    ]
    fiche = data.chantiers[1]
    assert fiche.title == "Développer des actions à destination des jeunes (3 à 14 ans)"
    assert len(fiche.objectives) == 5 and len(fiche.obstacles) == 7
    assert fiche.governance.pilot.startswith("Service enfance")
    assert {r.category for r in fiche.resources} == {
        "Partenaires de projet",
        "Ressources matérielles",
        "Intervenants dans les ALSH",
        "Financements",
    }
    assert sum(len(c.actions) for c in data.chantiers) == 37
    assert dump_file(data) == EXAMPLE.read_text(encoding="utf-8")


def test_a_wrong_version_is_refused_with_the_versions():
    data = minimal()
    data["version"] = 2
    assert problems_of(data) == [
        "version : ce fichier est en version « 2 » ; cette version de Cap Partagé lit la version 1"
    ]
    data = minimal()
    data["schema"] = "autre-chose"
    assert "schema" in problems_of(data)[0]


def test_a_missing_field_is_named_by_its_place():
    data = minimal()
    del data["chantiers"][0]["actions"][0]["nom"]
    assert problems_of(data) == ["chantiers[0].actions[0].nom : champ obligatoire absent"]
    data = minimal()
    del data["territoire"]
    assert problems_of(data) == ["territoire : champ obligatoire absent"]


def test_dangling_references_are_named():
    data = minimal()
    data["defis"][1]["enjeux"] = ["e9"]
    data["chantiers"][0]["defi"] = "d7"
    data["chantiers"][1]["enjeu"] = "nope"
    problems = problems_of(data)
    assert any("defis[1].enjeux[0] : « e9 » ne correspond à aucun enjeu" in p for p in problems)
    assert any("chantiers[0].defi : « d7 » ne désigne aucun défi" in p for p in problems)
    assert any("chantiers[1].enjeu : « nope » ne désigne aucun enjeu" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (
            lambda d: d["chantiers"][0]["actions"][0].update(besoins=["inconnu"]),
            "chantiers[0].actions[0].besoins[0]",
        ),
        (lambda d: d["chantiers"][0]["actions"][0].update(dateDeDebut=2028), "chantiers[0].actions[0]"),
        (
            lambda d: d["chantiers"][0]["actions"][0].update(budgetGlobal=-5),
            "chantiers[0].actions[0].budgetGlobal",
        ),
        (
            lambda d: d["chantiers"][0]["actions"][0].update(budgetGlobal="beaucoup"),
            "chantiers[0].actions[0].budgetGlobal",
        ),
        (
            lambda d: d["chantiers"][0]["ressources"][0].update(lien="solide"),
            "chantiers[0].ressources[0].lien",
        ),
        (lambda d: d["territoire"].update(type="ville"), "territoire.type"),
        (lambda d: d["territoire"].update(code="ABC"), "territoire.code"),
        (lambda d: d["feuille_de_route"].update(perimetre="national"), "feuille_de_route.perimetre"),
        (lambda d: d["enjeux"][0].update(question="x" * 1001), "enjeux[0].question"),
        (lambda d: d["enjeux"][0].update(couleur="rouge"), "enjeux[0].couleur"),
        (lambda d: d["enjeux"].append({"id": "e1", "question": "doublon"}), "enjeux[3].id"),
        (
            lambda d: d["feuille_de_route"]["gouvernance"][0].update(type="annuel"),
            "feuille_de_route.gouvernance[0].type",
        ),
    ],
)
def test_bad_values_are_refused_at_their_place(change, place):
    data = copy.deepcopy(minimal())
    change(data)
    problems = problems_of(data)
    assert any(p.startswith(place) or f"{place} " in p for p in problems), problems


def test_control_characters_and_lone_surrogates_are_refused_at_their_place():
    text = json.dumps(minimal()).replace("Former les agents", "Former les\\u0007 agents")
    problems = problems_of(json.loads(text))
    assert problems == ["chantiers[0].titre : caractère de contrôle ou invalide (U+0007)"]
    text = json.dumps(minimal(), ensure_ascii=False).replace("Comment mieux équiper ?", "Comment \\ud800 ?")
    with pytest.raises(RoadmapFileError) as caught:
        parse_file(text)
    assert caught.value.problems == ["enjeux[1].question : caractère de contrôle ou invalide (U+D800)"]


def test_two_chantiers_never_share_a_code():
    data = minimal()
    data["chantiers"][2]["code"] = "1.a"
    assert problems_of(data) == ["chantiers[2].code : « 1.a » est déjà le code de chantiers[0]"]
    data["chantiers"][2]["code"] = ""
    data["chantiers"][1]["code"] = ""
    assert parse_file(json.dumps(data)).chantiers[2].code == ""  # empty codes are not codes


def test_not_json_or_not_an_object():
    with pytest.raises(RoadmapFileError, match="JSON"):
        parse_file(b"\xff\xfe pas du json")
    with pytest.raises(RoadmapFileError, match="objet"):
        parse_file("[1, 2]")


def test_outline_orders_and_files_every_chantier():
    plan = outline(parse_file(json.dumps(minimal())))
    assert [s.enjeu.ref for s in plan.enjeux] == ["e1", "e2", "e3"]
    assert plan.defis[0].enjeu_numbers == [1, 2]  # d1 answers e2 and e1, listed by rank
    assert [s.defi_numbers for s in plan.enjeux] == [[1], [1], []]
    assert [c.ref for c in plan.defis[0].chantiers] == ["c1"]
    assert [c.ref for c in plan.enjeux[2].loose_chantiers] == ["c2"]
    assert [c.ref for c in plan.orphans] == ["c3"]
    assert [c.ref for c in plan.all_chantiers()] == ["c1", "c2", "c3"]
    c1, c2, c3 = plan.all_chantiers()
    assert (plan.enjeux_of(c1), plan.enjeux_of(c2), plan.enjeux_of(c3)) == ([1, 2], [3], [])


def test_chantier_codes_follow_the_defi_number():
    assert chantier_code(1, []) == "1.a"
    assert chantier_code(1, ["1.a", "1.b", "2.a"]) == "1.c"
    assert chantier_code(None, ["1", "2"]) == "3"
    taken = [f"3.{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    assert chantier_code(3, taken) == "3.aa"


def test_codes_in_a_defis_numbering_follow_its_new_number_and_never_twice_the_same():
    # Défis 1 and 2 swap; défi 3 keeps its number.
    assert domain.renumbered(
        [
            ("1.a", 1, 2),
            ("1.b", 1, 2),
            ("2.a", 2, 1),
            ("CTG-1", 2, 1),
            ("3.a", 3, 3),
            ("2", 2, 1),
        ]
    ) == ["2.a", "2.b", "1.a", "CTG-1", "3.a", "1"]
    # A code already held (here by a chantier without défi) sends the newcomer to the next free
    # letter, after the others got theirs; a code that did not follow its défi stays.
    assert domain.renumbered(
        [
            ("2.b", None, None),
            ("3.b", 3, 2),
            ("3.a", 3, 2),
            ("1.a", 2, 1),
            ("12.a", 1, 12),
        ]
    ) == ["2.b", "2.c", "2.a", "1.a", "12.a"]
    # Too long once renumbered (12 characters at most): the next free letter instead.
    assert domain.renumbered([("9.abcdefghij", 9, 10)]) == ["10.a"]
    assert domain.follows("2.b", 2) and domain.follows("2", 2) and not domain.follows("21.a", 2)
    assert domain.follows("3", None) and not domain.follows("CTG-1", None)


def test_split_lines_drops_bullets_and_blanks():
    assert split_lines("- un\n\n• deux  \n  * trois\n–quatre") == ["un", "deux", "trois", "quatre"]


def test_vocabularies_are_the_platform_and_the_method():
    assert len(domain.BESOINS) == 11
    assert "structurer_une_filiere_de_reconditionnement" in domain.BESOINS
    assert set(domain.LINK_STATES) == {"operante", "connue-sans-lien", "aucune"}
    assert set(domain.COMMITTEE_KINDS) == {"strategique", "technique", "consultatif", "autre"}
