import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.domain.workshop_templates import (
    ACTIVITY_KINDS,
    ACTIVITY_MODELS,
    RESOURCE_LINK_STATES,
    Axis,
    ItemsFrom,
    PollActivity,
    PostitsActivity,
    Quadrants,
    RankingActivity,
    RatingActivity,
    ResourcesActivity,
    RowsFrom,
    Scale,
    TableActivity,
    TableColumn,
    TemplateError,
    TextActivity,
    WorkshopTemplate,
    load_template,
    load_templates,
    parse_template,
)
from tests.support import ANCT_ENJEUX

SESSIONS = Path(__file__).resolve().parents[2] / "sessions"
CATEGORIES = [
    "économique",
    "politique",
    "technologique",
    "réglementaire",
    "social",
    "environnemental",
]

GOOD = """\
title: Atelier test
groups: [Groupe 1, Groupe 2]
activities:
  - kind: text
    title: Consigne
  - kind: postits
    title: Facteurs
    categories: [social, politique]
    use_groups: true
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = "atelier.yaml") -> TemplateError:
    path = write(tmp_path, name, text)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    err = info.value
    assert err.path == str(path)
    assert str(err).startswith(f"{path}: ")
    return err


# --- shipped templates --------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SESSIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_template_loads(path: Path) -> None:
    template = load_template(path)
    assert template.slug == path.stem
    assert template.activities
    # The template picker shows what a facilitator plans with.
    assert template.description and template.duration


def test_sessions_folder_loads_and_contains_prospective() -> None:
    templates = load_templates(SESSIONS)
    assert "prospective-10-ans" in templates
    assert len(templates) == len(list(SESSIONS.glob("*.yaml")))


def test_prospective_template_content() -> None:
    template = load_template(SESSIONS / "prospective-10-ans.yaml")
    assert template.title == "Mon territoire et le numérique dans 10 ans"
    assert template.groups == ["Groupe 1", "Groupe 2", "Groupe 3", "Groupe 4"]
    kinds = [activity.kind for activity in template.activities]
    assert kinds == ["text", "postits", "postits", "text", "rating", "ranking", "text"]

    intro, change, inertia, regroup, rating, ranking, closing = template.activities
    assert isinstance(intro, TextActivity)
    assert "facteurs de changement et d'inertie" in intro.body
    assert "10 ans" in intro.body
    assert "maîtrise" in intro.body

    assert isinstance(change, PostitsActivity)
    assert isinstance(inertia, PostitsActivity)
    assert change.title == "Facteurs de changement"
    assert inertia.title == "Facteurs d'inertie"
    for activity in (change, inertia):
        assert activity.categories == CATEGORIES
        assert activity.use_groups is True
        assert activity.live is True
        assert activity.max_length == 280
        assert activity.prompt

    assert isinstance(regroup, TextActivity)
    assert "doublons" in regroup.body
    assert "impact" in regroup.body and "maîtrise" in regroup.body

    # Completed by the method: every factor rated on impact and maîtrise, then the high-impact
    # ones ranked as candidate enjeux, 4 kept.
    assert isinstance(rating, RatingActivity)
    assert rating.items_from.activity == change.id and rating.items_from.also == [inertia.id]
    assert rating.items_from.take == "merged"
    assert [a.key for a in rating.axes] == ["impact", "maitrise"]
    assert isinstance(ranking, RankingActivity)
    assert (ranking.items_from.activity, ranking.items_from.take) == (rating.id, "top")
    assert ranking.keep == 4 and ranking.method == "borda"
    assert isinstance(closing, TextActivity) and "enjeux" in closing.body


# --- a valid template ------------------------------------------------------------


def test_parse_valid_template_applies_defaults() -> None:
    template = parse_template(GOOD, "sessions/mon-atelier.yaml")
    assert template.slug == "mon-atelier"
    text, postits = template.activities
    assert isinstance(text, TextActivity) and text.body == ""
    assert isinstance(postits, PostitsActivity)
    assert postits.live is True and postits.max_length == 280 and postits.prompt == ""


def test_titles_are_stripped() -> None:
    template = parse_template(
        "title: '  Atelier  '\nactivities:\n  - {kind: text, title: ' A '}\n", "x.yaml"
    )
    assert template.title == "Atelier"
    assert template.activities[0].title == "A"


def test_templates_are_frozen() -> None:
    template = parse_template(GOOD, "x.yaml")
    with pytest.raises(ValidationError):
        template.title = "Autre"  # type: ignore[misc]


def test_group_rule_also_holds_when_built_directly() -> None:
    with pytest.raises(ValidationError) as info:
        WorkshopTemplate(
            slug="x",
            title="T",
            activities=[{"kind": "postits", "title": "P", "use_groups": True}],
        )
    assert info.value.errors()[0]["loc"] == ("activities", 0, "use_groups")


# --- malformed templates -----------------------------------------------------


def test_missing_title(tmp_path: Path) -> None:
    err = load_error(tmp_path, "activities:\n  - kind: text\n    title: A\n")
    assert err.field == "title"
    assert "required" in err.expected


def test_missing_activity_title(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n  - kind: text\n    body: sans titre\n")
    assert err.field == "activities[0].title"
    assert "required" in err.expected
    assert err.line == 3


def test_unknown_kind_lists_supported_kinds(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: text\n    title: A\n  - kind: postit\n    title: B\n",
    )
    assert err.field == "activities[1].kind"
    assert "'text'" in err.expected and "'postits'" in err.expected
    assert str(err).endswith(
        "activities[1].kind: expected one of 'text', 'postits', 'rating', 'ranking', 'poll', "
        "'table', 'resources' (got 'postit') [line 5]"
    )


def test_missing_kind(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n  - title: A\n")
    assert err.field == "activities[0].kind"
    assert "'text', 'postits'" in err.expected


def test_extra_field_typo(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n"
        "  - kind: text\n    title: A\n"
        "  - kind: postits\n    title: B\n    categorie: [social]\n",
    )
    assert err.field == "activities[1].categorie"
    assert "no such field" in err.expected
    assert "did you mean 'categories'" in err.expected
    assert "use_groups" in err.expected
    assert err.line == 7


def test_extra_top_level_field(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\ntitre: T\nactivities: [{kind: text, title: A}]\n")
    assert err.field == "titre"
    assert "allowed: title, description, duration, groups, activities" in err.expected
    assert "slug" not in err.expected


def test_title_too_long(tmp_path: Path) -> None:
    err = load_error(tmp_path, f"title: {'x' * 121}\nactivities: [{{kind: text, title: A}}]\n")
    assert err.field == "title"
    assert err.expected == "at most 120 characters"
    assert "121 characters" in str(err)


def test_blank_title(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: '   '\nactivities: [{kind: text, title: A}]\n")
    assert err.field == "title"
    assert "non-empty" in err.expected


def test_duplicate_categories(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: postits\n    title: A\n"
        "    categories: [social, politique, social]\n",
    )
    assert err.field == "activities[0].categories"
    assert "unique" in err.expected and "'social'" in err.expected


def test_duplicate_groups(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\ngroups: [A, B, a]\nactivities: [{kind: text, title: A}]\n"
    )
    assert err.field == "groups"
    assert "unique" in err.expected


def test_category_too_long(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n  - kind: postits\n    title: A\n"
        f"    categories: [social, {'c' * 41}]\n",
    )
    assert err.field == "activities[0].categories[1]"
    assert err.expected == "at most 40 characters"


def test_max_length_above_limit(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: postits\n    title: A\n    max_length: 500\n"
    )
    assert err.field == "activities[0].max_length"
    assert "at most 280" in err.expected


def test_use_groups_without_groups(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\ngroups: [Seul]\nactivities:\n"
        "  - kind: text\n    title: A\n"
        "  - kind: postits\n    title: B\n    use_groups: true\n",
    )
    assert err.field == "activities[1].use_groups"
    assert err.expected == "at least 2 groups in the workshop's 'groups'"


def test_yaml_syntax_error_reports_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n  - kind: text\n    title: A: B\n")
    assert err.field == ""
    assert "valid YAML" in err.expected
    assert err.line == 4
    assert "line 4" in str(err)


def test_tab_indentation(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n\t- kind: text\n")
    assert err.field == ""
    assert "tabs" in err.expected
    assert "line 3" in str(err)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: text\n    title: A\n    title: B\n"
    )
    assert err.field == "activities[0].title"
    assert "only once" in err.expected
    assert err.line == 5


def test_top_level_list(tmp_path: Path) -> None:
    err = load_error(tmp_path, "- kind: text\n  title: A\n")
    assert err.field == ""
    assert "mapping" in err.expected
    assert "(got a list)" in str(err)


def test_empty_activities(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities: []\n")
    assert err.field == "activities"
    assert "at least 1 item" in err.expected


@pytest.mark.parametrize("text", ["", "# rien\n", "\n\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    err = load_error(tmp_path, text)
    assert err.field == ""
    assert "empty" in err.expected


def test_activity_not_a_mapping(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n  - Consigne\n")
    assert err.field == "activities[0]"
    assert "mapping" in err.expected


def test_yes_no_read_as_boolean(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: postits\n    title: A\n    categories: [oui, no]\n",
    )
    assert err.field == "activities[0].categories[1]"
    assert "quotes" in err.expected


def test_slug_key_not_allowed(tmp_path: Path) -> None:
    err = load_error(tmp_path, "slug: autre\ntitle: T\nactivities: [{kind: text, title: A}]\n")
    assert err.field == "slug"
    assert "file name" in err.expected


def test_invalid_file_name(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities: [{kind: text, title: A}]\n", name="Mon Atelier.yaml"
    )
    assert err.field == "slug"
    assert "lowercase" in err.expected
    assert "'Mon Atelier'" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert info.value.path == str(path)
    assert info.value.field == ""
    assert "not found" in info.value.expected


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Réunion\nactivities: [{kind: text, title: A}]\n".encode("latin-1"))
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert "UTF-8" in info.value.expected


# --- load_templates ----------------------------------------------------------


def test_load_templates_keyed_by_slug_in_order(tmp_path: Path) -> None:
    write(tmp_path, "b-atelier.yaml", GOOD)
    write(tmp_path, "a-atelier.yaml", GOOD)
    write(tmp_path, "notes.txt", "pas un modèle")
    templates = load_templates(tmp_path)
    assert list(templates) == ["a-atelier", "b-atelier"]
    assert templates["a-atelier"].slug == "a-atelier"


def test_load_templates_reports_bad_file(tmp_path: Path) -> None:
    write(tmp_path, "a-bon.yaml", GOOD)
    bad = write(tmp_path, "b-mauvais.yaml", GOOD.replace("kind: postits", "kind: postit"))
    with pytest.raises(TemplateError) as info:
        load_templates(tmp_path)
    assert info.value.path == str(bad)
    assert "b-mauvais.yaml" in str(info.value)
    assert info.value.field == "activities[1].kind"


def test_load_templates_rejects_yml_extension(tmp_path: Path) -> None:
    write(tmp_path, "a-bon.yaml", GOOD)
    write(tmp_path, "oubli.yml", GOOD)
    with pytest.raises(TemplateError) as info:
        load_templates(tmp_path)
    assert "oubli.yml" in str(info.value)


# --- the method's activities: shipped templates ------------------------------


SHIPPED = [
    "prospective-10-ans",
    "priorisation-enjeux",
    "concertation-fne",
    "chantiers-cles",
    "cartographie-ressources",
    "formation-action-2-jours",
]


def test_every_template_of_the_method_is_shipped() -> None:
    templates = load_templates(SESSIONS)
    assert set(SHIPPED) <= set(templates)


@pytest.mark.parametrize("path", sorted(SESSIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_are_plain_json_and_round_trip(path: Path) -> None:
    """The app stores ``model_dump(exclude={"kind", "title"})`` as each activity's config."""
    template = load_template(path)
    ids = [a.id for a in template.activities if a.id is not None]
    assert len(ids) == len(set(ids))
    for activity in template.activities:
        config = activity.model_dump(exclude={"kind", "title"})
        assert json.loads(json.dumps(config)) == config
        assert type(activity).model_validate(activity.model_dump()) == activity
    assert WorkshopTemplate.model_validate(template.model_dump()) == template


def test_priorisation_ranks_the_seven_anct_enjeux() -> None:
    template = load_template(SESSIONS / "priorisation-enjeux.yaml")
    kinds = [a.kind for a in template.activities]
    assert kinds == ["text", "ranking", "text"]
    ranking = template.activities[1]
    assert isinstance(ranking, RankingActivity)
    assert ranking.items == ANCT_ENJEUX
    assert ranking.items_from is None
    assert ranking.method == "borda"
    assert ranking.keep == 4
    assert ranking.live is False
    assert ranking.budget is None and ranking.grades is None


def test_concertation_follows_the_anct_agenda() -> None:
    template = load_template(SESSIONS / "concertation-fne.yaml")
    polls = [a for a in template.activities if isinstance(a, PollActivity)]
    scales = {poll.scale for poll in polls}
    assert scales == {"oui-non-moyennement", "frequence"}
    by_title = {poll.title: poll for poll in polls}
    known = by_title["Savez-vous ce que font les autres acteurs sur l'inclusion numérique ?"]
    assert known.options == ["oui", "non", "moyennement"]
    orient = by_title["Orientez-vous les publics vers des acteurs de l'inclusion numérique ?"]
    assert orient.options == ["souvent", "parfois", "rarement", "jamais"]
    assert all(poll.live is False for poll in polls)

    text = " ".join(
        f"{a.title} {getattr(a, 'body', '')} {getattr(a, 'prompt', '')}"
        for a in template.activities
    )
    for dimension in ("maillage", "visibilité", "attractivité", "coordination"):
        assert dimension in text.lower()
    for question in (
        "Qui sont les publics les plus éloignés du numérique ?",
        "Pensez-vous qu'il y ait des zones qui manquent d'offres ?",
        "Comment les publics entendent-ils parler de votre offre ?",
        "Y a-t-il des publics que vous n'arrivez pas à capter ?",
        "Quels types de partenariats aimeriez-vous créer",
    ):
        assert question in text

    postits = [a for a in template.activities if isinstance(a, PostitsActivity)]
    assert len(postits) >= 6
    rankings = [a for a in template.activities if isinstance(a, RankingActivity)]
    assert len(rankings) == 1 and rankings[0].items == ANCT_ENJEUX
    kinds = [a.kind for a in template.activities]
    assert kinds[0] == "text" and kinds[-1] == "text"
    assert kinds.index("poll") < kinds.index("ranking")
    assert "2h30" in text.replace(" ", "")


def test_chantiers_cles_table_per_priority_enjeu() -> None:
    template = load_template(SESSIONS / "chantiers-cles.yaml")
    assert len(template.groups) >= 2
    tables = [a for a in template.activities if isinstance(a, TableActivity)]
    assert len(tables) == 1
    table = tables[0]
    assert table.use_groups is True
    assert table.target_rows == 5
    assert [c.key for c in table.columns] == [
        "title",
        "objectives",
        "actions",
        "pilot",
        "doers",
        "associates",
        "resources_available",
        "resources_needed",
        "obstacles",
    ]
    assert table.rows_from is not None
    source = template.activity(table.rows_from.activity)
    assert isinstance(source, RankingActivity)
    assert template.activities[-1].kind == "text"


def test_cartographie_maps_a_chantier_of_seed_004() -> None:
    template = load_template(SESSIONS / "cartographie-ressources.yaml")
    resources = [a for a in template.activities if isinstance(a, ResourcesActivity)]
    assert len(resources) == 1
    assert resources[0].chantier == "Développer des actions à destination des jeunes (3 à 14 ans)"
    assert resources[0].categories == [
        "partenaires de projet",
        "ressources matérielles",
        "intervenants",
        "financements",
    ]
    legend = template.activities[0]
    assert isinstance(legend, TextActivity)
    assert "Trait plein" in legend.body and "Trait pointillé" in legend.body
    assert "Absence de trait" in legend.body


def test_formation_action_chains_its_activities() -> None:
    template = load_template(SESSIONS / "formation-action-2-jours.yaml")
    titles = [a.title for a in template.activities if isinstance(a, TextActivity)]
    for half_day in ("Jour 1, matin", "Jour 1, après-midi", "Jour 2, matin", "Jour 2, après-midi"):
        assert any(title.startswith(half_day) for title in titles), half_day

    rating = template.activity("matrice")
    assert isinstance(rating, RatingActivity)
    assert rating.items_from == ItemsFrom(activity="facteurs", take="merged")
    assert isinstance(template.activity("facteurs"), PostitsActivity)

    ranking = template.activity("enjeux")
    assert isinstance(ranking, RankingActivity)
    assert ranking.items_from is not None
    assert ranking.items_from.activity == "matrice" and ranking.items_from.take == "top"
    assert ranking.items_from.n is not None and ranking.keep <= ranking.items_from.n

    table = template.activity("chantiers")
    assert isinstance(table, TableActivity)
    assert table.rows_from == RowsFrom(activity="enjeux", take="top")

    order = [a.id for a in template.activities]
    assert order.index("facteurs") < order.index("matrice") < order.index("enjeux")
    assert order.index("enjeux") < order.index("chantiers") < order.index("ressources")
    kinds = [a.kind for a in template.activities]
    assert set(kinds) == set(ACTIVITY_KINDS)


def test_activity_lookup_by_id() -> None:
    template = load_template(SESSIONS / "priorisation-enjeux.yaml")
    assert template.activity("enjeux") is template.activities[1]
    with pytest.raises(KeyError):
        template.activity("absent")


# --- the method's activities: defaults ----------------------------------------


def one(activity: str) -> WorkshopTemplate:
    return parse_template(f"title: T\nactivities:\n{activity}", "sessions/essai.yaml")


def test_rating_defaults() -> None:
    rating = one("  - kind: rating\n    title: R\n    items: [a, b]\n").activities[0]
    assert isinstance(rating, RatingActivity)
    assert [(a.key, a.label) for a in rating.axes] == [("impact", "Impact"), ("maitrise", "Maîtrise")]
    assert (rating.scale.min, rating.scale.max) == (1, 4)
    assert rating.allow_unknown is True
    assert rating.live is False and rating.prompt == "" and "use_groups" not in type(rating).model_fields
    assert rating.quadrants.model_dump() == {
        "high_low": "enjeux à anticiper",
        "high_high": "leviers d'action",
        "low_high": "actions secondaires",
        "low_low": "à surveiller",
    }
    config = rating.model_dump(exclude={"kind", "title"})
    assert config["axes"] == [
        {"key": "impact", "label": "Impact"},
        {"key": "maitrise", "label": "Maîtrise"},
    ]
    assert config["scale"] == {"min": 1, "max": 4}
    assert config["items_from"] is None and config["id"] is None


def test_rating_single_axis_without_quadrants() -> None:
    rating = one(
        "  - kind: rating\n    title: R\n    items: [a]\n"
        "    axes: [{key: impact, label: Impact}]\n    scale: {min: 0, max: 9}\n"
    ).activities[0]
    assert isinstance(rating, RatingActivity)
    assert len(rating.axes) == 1 and rating.scale.max == 9


def test_ranking_method_defaults() -> None:
    items = "    items: [a, b, c, d, e]\n"
    borda = one(f"  - kind: ranking\n    title: R\n{items}").activities[0]
    assert isinstance(borda, RankingActivity)
    assert (borda.method, borda.keep, borda.live) == ("borda", 4, False)
    assert borda.budget is None and borda.grades is None
    dots = one(f"  - kind: ranking\n    title: R\n{items}    method: dots\n").activities[0]
    assert isinstance(dots, RankingActivity) and dots.budget == 10
    majority = one(f"  - kind: ranking\n    title: R\n{items}    method: majority\n").activities[0]
    assert isinstance(majority, RankingActivity)
    assert majority.grades == ["très prioritaire", "prioritaire", "secondaire", "pas prioritaire"]
    custom = one(
        f"  - kind: ranking\n    title: R\n{items}    method: majority\n    grades: [Bien, Mal]\n"
    ).activities[0]
    assert isinstance(custom, RankingActivity) and custom.grades == ["Bien", "Mal"]


@pytest.mark.parametrize(
    ("scale", "options"),
    [
        ("oui-non-moyennement", ["oui", "non", "moyennement"]),
        ("frequence", ["souvent", "parfois", "rarement", "jamais"]),
    ],
)
def test_poll_scale_expands_to_options(scale: str, options: list[str]) -> None:
    poll = one(f"  - kind: poll\n    title: Q ?\n    scale: {scale}\n").activities[0]
    assert isinstance(poll, PollActivity)
    assert poll.options == options
    assert poll.model_dump()["options"] == options
    assert poll.live is False


def test_poll_own_options() -> None:
    poll = one("  - kind: poll\n    title: Q ?\n    options: [Un, Deux]\n").activities[0]
    assert isinstance(poll, PollActivity)
    assert poll.options == ["Un", "Deux"] and poll.scale is None


def test_table_defaults() -> None:
    table = one("  - kind: table\n    title: Chantiers\n").activities[0]
    assert isinstance(table, TableActivity)
    assert table.live is True and table.target_rows == 5
    assert table.sections is None and table.rows_from is None
    labels = {c.key: c.label for c in table.columns}
    assert "on aura réussi si" in labels["objectives"]
    assert labels["pilot"] == "Qui pilote ?"
    assert labels["obstacles"].startswith("Freins à lever")
    assert [c.multiline for c in table.columns][:2] == [False, True]


def test_table_static_sections() -> None:
    table = one(
        "  - kind: table\n    title: Chantiers\n    sections: [Enjeu 1, Enjeu 2]\n"
    ).activities[0]
    assert isinstance(table, TableActivity) and table.sections == ["Enjeu 1", "Enjeu 2"]


def test_resources_defaults() -> None:
    res = one("  - kind: resources\n    title: Carte\n    chantier: Chantier 1.b\n").activities[0]
    assert isinstance(res, ResourcesActivity)
    assert res.live is True
    assert res.categories == [
        "partenaires de projet",
        "ressources matérielles",
        "intervenants",
        "financements",
    ]
    assert set(RESOURCE_LINK_STATES) == {"operante", "connue-sans-lien", "aucune"}


def test_activity_models_cover_every_kind() -> None:
    assert ACTIVITY_KINDS == ("text", "postits", "rating", "ranking", "poll", "table", "resources")
    for kind, model in ACTIVITY_MODELS.items():
        assert model.model_fields["kind"].annotation.__args__ == (kind,)  # type: ignore[union-attr]
        assert "id" in model.model_fields


# --- the method's activities: malformed templates ------------------------------

POSTITS = "  - kind: postits\n    id: facteurs\n    title: Facteurs\n"
RATING = "  - kind: rating\n    id: matrice\n    title: Matrice\n    items: [a, b, c]\n"


def test_items_and_items_from_both(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{POSTITS}"
        "  - kind: rating\n    title: R\n    items: [a]\n"
        "    items_from: {activity: facteurs, take: all}\n",
    )
    assert err.field == "activities[1].items_from"
    assert "either 'items'" in err.expected and "not both" in err.expected
    assert err.line == 9


@pytest.mark.parametrize("kind", ["rating", "ranking"])
def test_items_and_items_from_neither(tmp_path: Path, kind: str) -> None:
    err = load_error(tmp_path, f"title: T\nactivities:\n  - kind: {kind}\n    title: R\n")
    assert err.field == "activities[0].items"
    assert "items_from" in err.expected and "required" in err.expected


def test_items_from_a_later_activity(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n"
        "  - kind: rating\n    title: R\n    items_from: {activity: facteurs, take: merged}\n"
        f"{POSTITS}",
    )
    assert err.field == "activities[0].items_from.activity"
    assert err.expected.startswith("the id of an earlier activity")
    assert "activities[1], which comes later" in err.expected
    assert err.line == 5


def test_items_from_itself(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: ranking\n    id: r\n    title: R\n"
        "    items_from: {activity: r, take: top, n: 3}\n",
    )
    assert err.field == "activities[0].items_from.activity"
    assert "is this activity" in err.expected


def test_items_from_an_unknown_id(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{POSTITS}"
        "  - kind: rating\n    title: R\n    items_from: {activity: facteur, take: all}\n",
    )
    assert err.field == "activities[1].items_from.activity"
    assert err.expected == "the id of an earlier activity (known ids: 'facteurs')"
    assert err.line == 8


def test_items_from_without_any_earlier_id(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: postits\n    title: P\n"
        "  - kind: rating\n    title: R\n    items_from: {activity: p, take: all}\n",
    )
    assert err.field == "activities[1].items_from.activity"
    assert "no earlier activity has an 'id'" in err.expected


def test_take_top_from_postits(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{POSTITS}"
        "  - kind: ranking\n    title: R\n    items_from: {activity: facteurs, take: top, n: 5}\n",
    )
    assert err.field == "activities[1].items_from.take"
    assert "all or merged" in err.expected
    assert "'rating' or 'ranking'" in err.expected


def test_take_merged_from_rating(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{RATING}"
        "  - kind: ranking\n    title: R\n    items_from: {activity: matrice, take: merged}\n",
    )
    assert err.field == "activities[1].items_from.take"
    assert err.expected.startswith("take: top")
    assert "'postits'" in err.expected


def test_items_from_a_slide(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: text\n    id: consigne\n    title: C\n"
        "  - kind: rating\n    title: R\n    items_from: {activity: consigne, take: all}\n",
    )
    assert err.field == "activities[1].items_from.activity"
    assert "'postits', 'rating' or 'ranking'" in err.expected
    assert "'text'" in err.expected


def test_take_top_needs_n(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{RATING}"
        "  - kind: ranking\n    title: R\n    items_from: {activity: matrice, take: top}\n",
    )
    assert err.field == "activities[1].items_from.n"
    assert "take: top" in err.expected


def test_n_only_with_top(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{POSTITS}"
        "  - kind: rating\n    title: R\n    items_from: {activity: facteurs, take: all, n: 3}\n",
    )
    assert err.field == "activities[1].items_from.n"
    assert "only used with take: top" in err.expected


def test_top_n_larger_than_static_items(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{RATING}"
        "  - kind: ranking\n    title: R\n    keep: 2\n"
        "    items_from: {activity: matrice, take: top, n: 5}\n",
    )
    assert err.field == "activities[1].items_from.n"
    assert err.expected == "a number of at most 3 (activity 'matrice' has 3 items)"


def test_keep_larger_than_top_n(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{RATING}"
        "  - kind: ranking\n    title: R\n    items_from: {activity: matrice, take: top, n: 2}\n",
    )
    assert err.field == "activities[1].keep"
    assert "at most 2" in err.expected


def test_items_from_misspelt_key(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{POSTITS}"
        "  - kind: rating\n    title: R\n    items_from: {activity: facteurs, tak: all}\n",
    )
    assert err.field == "activities[1].items_from.tak"
    assert "did you mean 'take'" in err.expected
    assert "allowed: activity, take, n" in err.expected


def test_duplicate_ids(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n"
        "  - kind: text\n    id: intro\n    title: A\n"
        "  - kind: text\n    id: intro\n    title: B\n",
    )
    assert err.field == "activities[1].id"
    assert "'intro' is already the id of activities[0]" in err.expected
    assert err.line == 7


def test_invalid_id(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: text\n    id: Mon Intro\n    title: A\n"
    )
    assert err.field == "activities[0].id"
    assert "lowercase letters, digits and hyphens" in err.expected
    assert "'Mon Intro'" in str(err)


def test_budget_with_borda(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: ranking\n    title: R\n    items: [a, b, c, d]\n"
        "    budget: 5\n",
    )
    assert err.field == "activities[0].budget"
    assert "only used with method: dots" in err.expected
    assert err.line == 6


def test_budget_out_of_range(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: ranking\n    title: R\n    items: [a, b, c, d]\n"
        "    method: dots\n    budget: 500\n",
    )
    assert err.field == "activities[0].budget"
    assert "at most 100" in err.expected


def test_grades_without_majority(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: ranking\n    title: R\n    items: [a, b, c, d]\n"
        "    method: schulze\n    grades: [bien, mal]\n",
    )
    assert err.field == "activities[0].grades"
    assert "only used with method: majority" in err.expected


def test_unknown_method(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: ranking\n    title: R\n    items: [a, b, c, d]\n"
        "    method: condorcet\n",
    )
    assert err.field == "activities[0].method"
    assert "'borda'" in err.expected and "'schulze'" in err.expected


def test_keep_larger_than_items(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: ranking\n    title: R\n    items: [a, b, c]\n"
    )
    assert err.field == "activities[0].keep"
    assert err.expected == "a number of at most 3 (the number of items)"


def test_duplicate_items(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: ranking\n    title: R\n    items: [Former, former]\n"
        "    keep: 1\n",
    )
    assert err.field == "activities[0].items"
    assert "unique items" in err.expected


def test_poll_with_options_and_scale(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: poll\n    title: Q ?\n    options: [a, b]\n"
        "    scale: frequence\n",
    )
    assert err.field == "activities[0].options"
    assert "either 'options'" in err.expected and "not both" in err.expected


def test_poll_with_neither(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n  - kind: poll\n    title: Q ?\n")
    assert err.field == "activities[0].options"
    assert "'scale'" in err.expected and "required" in err.expected


def test_poll_unknown_scale(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: poll\n    title: Q ?\n    scale: frequency\n"
    )
    assert err.field == "activities[0].scale"
    assert "'oui-non-moyennement'" in err.expected and "'frequence'" in err.expected


def test_poll_single_option(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: poll\n    title: Q ?\n    options: [seul]\n"
    )
    assert err.field == "activities[0].options"
    assert "at least 2 items" in err.expected


def test_rating_with_three_axes(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: rating\n    title: R\n    items: [a]\n    axes:\n"
        "      - {key: impact, label: Impact}\n      - {key: maitrise, label: Maîtrise}\n"
        "      - {key: cout, label: Coût}\n",
    )
    assert err.field == "activities[0].axes"
    assert err.expected == "at most 2 items"


def test_rating_axis_key_with_accent(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: rating\n    title: R\n    items: [a]\n"
        "    axes: [{key: maîtrise, label: Maîtrise}]\n",
    )
    assert err.field == "activities[0].axes[0].key"
    assert "without accents" in err.expected


def test_rating_duplicate_axis_keys(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: rating\n    title: R\n    items: [a]\n"
        "    axes: [{key: impact, label: A}, {key: impact, label: B}]\n",
    )
    assert err.field == "activities[0].axes"
    assert "unique axis keys" in err.expected


@pytest.mark.parametrize("bounds", ["{min: 4, max: 4}", "{min: 4, max: 2}", "{max: 1}"])
def test_rating_scale_max_not_above_min(tmp_path: Path, bounds: str) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n  - kind: rating\n    title: R\n    items: [a]\n"
        f"    scale: {bounds}\n",
    )
    assert err.field == "activities[0].scale.max"
    assert err.expected.startswith("a number greater than min")


def test_rating_scale_too_many_points(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: rating\n    title: R\n    items: [a]\n"
        "    scale: {min: 0, max: 10}\n",
    )
    assert err.field == "activities[0].scale.max"
    assert err.expected == "a number of at most 9 (a scale has at most 10 points)"


def test_rating_quadrants_need_two_axes(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: rating\n    title: R\n    items: [a]\n"
        "    axes: [{key: impact, label: Impact}]\n    quadrants: {high_low: à anticiper}\n",
    )
    assert err.field == "activities[0].quadrants"
    assert "2 axes" in err.expected


def test_table_rows_from_a_postits(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        f"title: T\nactivities:\n{POSTITS}"
        "  - kind: table\n    title: C\n    rows_from: {activity: facteurs, take: top}\n",
    )
    assert err.field == "activities[1].rows_from.activity"
    assert "earlier 'ranking'" in err.expected


def test_table_sections_and_rows_from(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n"
        "  - kind: ranking\n    id: enjeux\n    title: R\n    items: [a, b]\n    keep: 2\n"
        "  - kind: table\n    title: C\n    sections: [a]\n    rows_from: {activity: enjeux}\n",
    )
    assert err.field == "activities[1].rows_from"
    assert "not both" in err.expected


def test_table_needs_a_title_column(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n  - kind: table\n    title: C\n"
        "    columns: [{key: actions, label: Actions}]\n",
    )
    assert err.field == "activities[0].columns"
    assert "key 'title'" in err.expected


def test_table_use_groups_needs_groups(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "title: T\nactivities:\n  - kind: table\n    title: C\n    use_groups: true\n"
    )
    assert err.field == "activities[0].use_groups"


def test_resources_need_a_chantier(tmp_path: Path) -> None:
    err = load_error(tmp_path, "title: T\nactivities:\n  - kind: resources\n    title: Carte\n")
    assert err.field == "activities[0].chantier"
    assert "required" in err.expected


def test_first_problem_in_file_order(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        "title: T\nactivities:\n"
        "  - kind: rating\n    title: R\n    items_from: {activity: x, take: all}\n"
        "  - kind: text\n    id: a\n    title: A\n"
        "  - kind: text\n    id: a\n    title: B\n",
    )
    assert err.field == "activities[0].items_from.activity"


def test_reference_rules_hold_when_built_directly() -> None:
    with pytest.raises(ValidationError) as info:
        WorkshopTemplate(
            slug="x",
            title="T",
            activities=[
                {"kind": "ranking", "title": "R", "items_from": {"activity": "p", "take": "all"}},
                {"kind": "postits", "id": "p", "title": "P"},
            ],
        )
    assert info.value.errors()[0]["loc"] == ("activities", 0, "items_from", "activity")


# --- documentation -----------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "templates.md"


def yaml_blocks() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]


def test_docs_examples_are_valid() -> None:
    blocks = yaml_blocks()
    assert len(blocks) >= 3
    for block in blocks:
        if block.startswith("- "):
            indented = "".join(f"  {line}\n" for line in block.splitlines())
            block = f"title: T\ngroups: [A, B]\nactivities:\n{indented}"
        parse_template(block, "docs/exemple.yaml")


@pytest.mark.parametrize(
    "model",
    [
        WorkshopTemplate,
        TextActivity,
        PostitsActivity,
        RatingActivity,
        RankingActivity,
        PollActivity,
        TableActivity,
        ResourcesActivity,
        ItemsFrom,
        RowsFrom,
        Axis,
        Scale,
        Quadrants,
        TableColumn,
    ],
)
def test_every_field_is_documented(model: type) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in model.model_fields:
        if name != "slug":
            assert f"| `{name}` |" in docs, f"{model.__name__}.{name} is not documented"


def test_items_from_several_earlier_activities(tmp_path):
    text = """\
title: Deux listes
activities:
  - {kind: postits, id: changement, title: Changement}
  - {kind: postits, id: inertie, title: Inertie}
  - kind: rating
    title: Impact et maîtrise
    items_from: {activity: changement, also: [inertie], take: merged}
"""
    template = parse_template(text, "deux.yaml")
    assert template.activities[2].items_from.also == ["inertie"]
    with pytest.raises(TemplateError) as err:
        parse_template(text.replace("also: [inertie]", "also: [plus-tard]"), "deux.yaml")
    assert err.value.field == "activities[2].items_from.also[0]"
    assert "earlier activity" in err.value.expected


@pytest.mark.parametrize("kind, extra", [
    ("rating", {"items": ["un", "deux"]}),
    ("ranking", {"items": ["un", "deux"]}),
    ("poll", {"scale": "oui-non-moyennement"}),
])
def test_a_vote_refuses_sub_groups(kind: str, extra: dict) -> None:
    # A vote counts the whole room: `use_groups` there would be silently ignored, so it is refused.
    with pytest.raises(ValidationError) as info:
        WorkshopTemplate.model_validate({
            "title": "T", "groups": ["A", "B"],
            "activities": [{"kind": kind, "title": "Vote", "use_groups": True, **extra}],
        })
    assert "counts the whole room" in str(info.value)


RANKING = "  - kind: ranking\n    id: enjeux\n    title: R\n    items: [a, b, c]\n    keep: 2\n"


def test_a_slide_lists_the_enjeux_an_earlier_ranking_kept(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, "atelier.yaml", f"title: T\nactivities:\n{RANKING}"
                                   "  - kind: text\n    title: Retenus\n    show_kept: enjeux\n"))
    assert template.activities[1].show_kept == "enjeux"
    shipped = load_template(SESSIONS / "prospective-10-ans.yaml").activities[-1]
    assert shipped.kind == "text" and shipped.show_kept == "enjeux"


@pytest.mark.parametrize(("activities", "expected"), [
    (f"{RANKING}  - kind: text\n    title: S\n    show_kept: nulle-part\n",
     "the id of an earlier activity (known ids: 'enjeux')"),
    (f"  - kind: text\n    title: S\n    show_kept: enjeux\n{RANKING}",
     "'enjeux' is activities[1], which comes later"),
    (f"{POSTITS}  - kind: text\n    title: S\n    show_kept: facteurs\n",
     "the id of an earlier 'ranking' activity, whose kept enjeux the slide lists ('facteurs' is a 'postits'"),
])
def test_a_slide_refuses_to_list_what_is_not_an_earlier_ranking(tmp_path: Path, activities: str,
                                                                 expected: str) -> None:
    err = load_error(tmp_path, f"title: T\nactivities:\n{activities}")
    assert err.field.endswith(".show_kept") and expected in err.expected
    assert err.line is not None
