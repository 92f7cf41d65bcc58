"""Workshop templates: the YAML files in ``sessions/``, their schema and loader.

Pure domain code: stdlib, pydantic and PyYAML only. See ``docs/templates.md``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "ACTIVITY_KINDS",
    "ActivityTemplate",
    "PostitsActivity",
    "TemplateError",
    "TextActivity",
    "WorkshopTemplate",
    "load_catalog",
    "load_template",
    "load_templates",
    "parse_template",
]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class TemplateError(Exception):
    """A workshop template that cannot be used, with where and what was expected.

    ``field`` is a path such as ``activities[1].categories`` (``""`` for problems
    with the whole file); ``line`` is the 1-based line in the file when known.
    """

    def __init__(
        self,
        path: str,
        field: str,
        expected: str,
        *,
        got: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = path
        self.field = field
        self.expected = expected
        self.got = got
        self.line = line
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"expected {self.expected}"
        if self.got is not None:
            text += f" (got {self.got})"
        if self.field:
            text = f"{self.field}: {text}"
        if self.line is not None:
            text += f" [line {self.line}]"
        return f"{self.path}: {text}"

    def __str__(self) -> str:
        return self._message()


def _rule_error(expected: str) -> PydanticCustomError:
    return PydanticCustomError("template_rule", "{expected}", {"expected": expected})


def _unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        key = value.casefold()
        if key in seen:
            raise _rule_error(f"unique {what} (duplicate: {value!r})")
        seen.add(key)
    return values


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TextActivity(BaseModel):
    """A slide: instructions, an agenda, a question. Participants only read."""

    model_config = _MODEL_CONFIG

    kind: Literal["text"]
    title: Title
    body: str = Field(default="", max_length=4000)


class PostitsActivity(BaseModel):
    """Participants post short notes, optionally in a category and a sub-group."""

    model_config = _MODEL_CONFIG

    kind: Literal["postits"]
    title: Title
    prompt: str = Field(default="", max_length=1000)
    categories: list[Name] = Field(default_factory=list, max_length=12)
    use_groups: bool = False
    live: bool = True
    max_length: int = Field(default=280, ge=1, le=280)

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, value: list[str]) -> list[str]:
        return _unique(value, "categories")


ActivityTemplate = Annotated[TextActivity | PostitsActivity, Field(discriminator="kind")]

ACTIVITY_MODELS: dict[str, type[BaseModel]] = {"text": TextActivity, "postits": PostitsActivity}
ACTIVITY_KINDS: tuple[str, ...] = tuple(ACTIVITY_MODELS)


class WorkshopTemplate(BaseModel):
    """A workshop: an ordered list of activities, with optional sub-groups."""

    model_config = _MODEL_CONFIG

    slug: str = Field(pattern=SLUG_PATTERN)
    title: Title
    description: str = Field(default="", max_length=2000)
    groups: list[Name] = Field(default_factory=list, max_length=30)
    activities: list[ActivityTemplate] = Field(min_length=1, max_length=100)

    @field_validator("groups")
    @classmethod
    def _unique_groups(cls, value: list[str]) -> list[str]:
        return _unique(value, "group names")

    @model_validator(mode="after")
    def _groups_defined_when_used(self) -> WorkshopTemplate:
        if len(self.groups) >= 2:
            return self
        for index, activity in enumerate(self.activities):
            if getattr(activity, "use_groups", False):
                detail = InitErrorDetails(
                    type=_rule_error("at least 2 groups in the workshop's 'groups'"),
                    loc=("activities", index, "use_groups"),
                    input=True,
                )
                raise ValidationError.from_exception_data(type(self).__name__, [detail])
        return self


# --- loading -----------------------------------------------------------------


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the discriminator tags pydantic inserts: activities.1.postits.title."""
    kept: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            i >= 2
            and part in ACTIVITY_MODELS
            and isinstance(loc[i - 1], int)
            and loc[i - 2] == "activities"
        ):
            continue
        kept.append(part)
    return tuple(kept)


def _model_at(raw_loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The model holding the last element of a raw pydantic loc."""
    parent = raw_loc[:-1]
    if len(parent) >= 3 and parent[0] == "activities" and parent[-1] in ACTIVITY_MODELS:
        return ACTIVITY_MODELS[str(parent[-1])]
    return WorkshopTemplate


def _no_such_field(model: type[BaseModel], name: str | int) -> str:
    names = [n for n in model.model_fields if not (model is WorkshopTemplate and n == "slug")]
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"no such field ({hint}allowed: {', '.join(names)})"


_KINDS_TEXT = ", ".join(repr(kind) for kind in ACTIVITY_KINDS)


def _describe(error: Any) -> tuple[tuple[str | int, ...], str, str | None]:
    """(loc, expected, got) for one pydantic error, in plain English."""
    kind: str = error["type"]
    raw_loc: tuple[str | int, ...] = tuple(error["loc"])
    loc = _clean_loc(raw_loc)
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")

    if kind == "missing":
        return loc, "a value (this field is required)", None
    if kind == "extra_forbidden":
        return loc, _no_such_field(_model_at(raw_loc), raw_loc[-1]), None
    if kind == "union_tag_invalid":
        got = value.get("kind") if isinstance(value, dict) else ctx.get("tag")
        return (*loc, "kind"), f"one of {_KINDS_TEXT}", _short(got)
    if kind == "union_tag_not_found":
        return (*loc, "kind"), f"one of {_KINDS_TEXT} (this field is required)", None
    if kind == "literal_error":
        return loc, f"one of {ctx.get('expected', _KINDS_TEXT)}", _short(value)
    if kind == "template_rule":
        return loc, str(ctx["expected"]), None
    if kind == "string_too_long":
        got = f"{len(value)} characters" if isinstance(value, str) else None
        return loc, f"at most {ctx['max_length']} characters", got
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return loc, "a non-empty text", None
        return loc, f"at least {ctx['min_length']} characters", None
    if kind == "too_long":
        return loc, f"at most {ctx['max_length']} items", f"{ctx.get('actual_length')} items"
    if kind == "too_short":
        n = ctx["min_length"]
        return loc, f"at least {n} item{'s' if n != 1 else ''}", _short(value)
    if kind == "string_pattern_mismatch" and loc == ("slug",):
        return (
            loc,
            "a file name made of lowercase letters, digits and hyphens "
            "(at most 63 characters, e.g. 'mon-atelier.yaml')",
            _short(value),
        )
    if kind == "string_type":
        if isinstance(value, bool):
            return loc, "a text (put it in quotes: YAML reads yes/no/on/off as booleans)", None
        return loc, "a text", _short(value)
    if kind in ("bool_type", "bool_parsing"):
        return loc, "true or false", _short(value)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return loc, "a whole number", _short(value)
    if kind in ("greater_than_equal", "greater_than"):
        return loc, f"a number of at least {ctx.get('ge', ctx.get('gt'))}", _short(value)
    if kind in ("less_than_equal", "less_than"):
        return loc, f"a number of at most {ctx.get('le', ctx.get('lt'))}", _short(value)
    if kind == "invalid_key":
        return loc, "field names written as text", None
    if kind == "list_type":
        return loc, "a list (lines starting with '- ')", _short(value)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, "a mapping of 'key: value' lines", _short(value)
    msg = str(error.get("msg", kind))
    return loc, msg[:1].lower() + msg[1:], None


class _Loader(yaml.SafeLoader):
    pass


def _node_line(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """Best-effort line of the deepest YAML node along loc."""
    node = root
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        found = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    found, line = value, key.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            found = node.value[part]
            line = found.start_mark.line + 1
        if found is None:
            break
        node = found
    return line


def _check_duplicate_keys(
    node: yaml.Node, path: str, loc: list[str | int], seen_nodes: set[int] | None = None
) -> None:
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise TemplateError(
                        path,
                        _field_path((*loc, key.value)),
                        "each key only once in a mapping (this key is repeated)",
                        line=key.start_mark.line + 1,
                    )
                seen.add(key.value)
                _check_duplicate_keys(value, path, [*loc, key.value], seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicate_keys(item, path, [*loc, index], seen_nodes)


def parse_template(text: str, path: str) -> WorkshopTemplate:
    """Validate the YAML text of a template; the slug is the stem of ``path``."""
    path = str(path)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_duplicate_keys(root, path, [])
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid syntax"
        if "'\\t'" in reason:
            reason += "; indent with spaces, not tabs"
        raise TemplateError(
            path,
            "",
            f"valid YAML ({reason})",
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise TemplateError(path, "", f"valid YAML ({exc})") from None
    finally:
        loader.dispose()

    if data is None:
        raise TemplateError(
            path, "", "a template, with at least 'title' and 'activities' (the file is empty)"
        )
    if not isinstance(data, dict):
        raise TemplateError(
            path,
            "",
            "a mapping of 'key: value' lines at the top level ('title', 'activities', ...)",
            got="a list" if isinstance(data, list) else _short(data),
            line=root.start_mark.line + 1 if root is not None else None,
        )
    if "slug" in data:
        raise TemplateError(
            path,
            "slug",
            f"no 'slug' key (the slug is the file name: {Path(path).stem!r})",
            line=_node_line(root, ("slug",)),
        )

    try:
        return WorkshopTemplate.model_validate({"slug": Path(path).stem, **data})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc, expected, got = _describe(first)
        line = None if loc == ("slug",) else _node_line(root, loc)
        raise TemplateError(path, _field_path(loc), expected, got=got, line=line) from None


def load_template(path: str | Path) -> WorkshopTemplate:
    """Read one template file (UTF-8) and validate it."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(name, "", "an existing file (not found)") from None
    except UnicodeDecodeError as exc:
        raise TemplateError(
            name, "", f"a UTF-8 text file (byte {exc.start} is not UTF-8)"
        ) from None
    except OSError as exc:
        raise TemplateError(name, "", f"a readable file ({exc.strerror or exc})") from None
    return parse_template(text, name)


def load_catalog(directory: str | Path) -> tuple[dict[str, WorkshopTemplate], list[TemplateError]]:
    """Every valid template of a folder keyed by slug, and the error of every invalid file.

    An invalid file is never half-loaded: it is absent from the templates and
    present in the errors, so a facilitator still sees the others and what is wrong.
    """
    folder = Path(directory)
    if not folder.is_dir():
        return {}, [TemplateError(str(directory), "", "a folder of *.yaml templates (not a folder)")]
    errors = [
        TemplateError(str(file), "", "the '.yaml' extension (rename the file)")
        for file in sorted(folder.glob("*.yml"))
    ]
    templates: dict[str, WorkshopTemplate] = {}
    for file in sorted(folder.glob("*.yaml")):
        try:
            template = load_template(file)
        except TemplateError as err:
            errors.append(err)
            continue
        templates[template.slug] = template
    return templates, errors


def load_templates(directory: str | Path) -> dict[str, WorkshopTemplate]:
    """Load every ``*.yaml`` of a folder, in name order, keyed by slug.

    The first invalid file raises its TemplateError: nothing is skipped.
    """
    templates, errors = load_catalog(directory)
    if errors:
        raise errors[0]
    return templates
