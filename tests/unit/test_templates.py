from pathlib import Path

import pytest
from pydantic import ValidationError

from app.domain.templates import (
    PostitsActivity,
    TemplateError,
    TextActivity,
    WorkshopTemplate,
    load_template,
    load_templates,
    parse_template,
)

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


def test_sessions_folder_loads_and_contains_prospective() -> None:
    templates = load_templates(SESSIONS)
    assert "prospective-10-ans" in templates
    assert len(templates) == len(list(SESSIONS.glob("*.yaml")))


def test_prospective_template_content() -> None:
    template = load_template(SESSIONS / "prospective-10-ans.yaml")
    assert template.title == "Mon territoire et le numérique dans 10 ans"
    assert template.groups == ["Groupe 1", "Groupe 2", "Groupe 3", "Groupe 4"]
    kinds = [activity.kind for activity in template.activities]
    assert kinds == ["text", "postits", "postits", "text"]

    intro, change, inertia, closing = template.activities
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

    assert isinstance(closing, TextActivity)
    assert "doublons" in closing.body
    assert "impact" in closing.body and "maîtrise" in closing.body


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
        "activities[1].kind: expected one of 'text', 'postits' (got 'postit') [line 5]"
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
    assert "allowed: title, description, groups, activities" in err.expected
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


@pytest.mark.parametrize("model", [WorkshopTemplate, TextActivity, PostitsActivity])
def test_every_field_is_documented(model: type) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in model.model_fields:
        if name != "slug":
            assert f"| `{name}` |" in docs, f"{model.__name__}.{name} is not documented"
