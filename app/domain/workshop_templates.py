"""Workshop templates: the YAML files in ``sessions/``, their schema and loader.

Pure domain code: stdlib, pydantic and PyYAML only. See ``docs/templates.md``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.domain.errors import N_

__all__ = [
    "ACTIVITY_KINDS",
    "ACTIVITY_MODELS",
    "DEFAULT_AXES",
    "DEFAULT_BUDGET",
    "DEFAULT_COLUMNS",
    "DEFAULT_GRADES",
    "DEFAULT_RESOURCE_CATEGORIES",
    "POLL_SCALES",
    "RESOURCE_LINK_STATES",
    "ActivityTemplate",
    "Axis",
    "ItemsFrom",
    "PollActivity",
    "PostitsActivity",
    "Quadrants",
    "RankingActivity",
    "RatingActivity",
    "ResourcesActivity",
    "RowsFrom",
    "Scale",
    "TableActivity",
    "TableColumn",
    "TemplateError",
    "TextActivity",
    "WorkshopTemplate",
    "load_catalog",
    "load_template",
    "load_templates",
    "parse_template",
]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
ACTIVITY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_ITEMS = 60
MAX_SCALE_POINTS = 10


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
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=280)]
OptionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
ActivityId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ACTIVITY_ID_PATTERN)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=KEY_PATTERN)]
Prompt = Annotated[str, Field(max_length=1000)]

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _fail(model: str, loc: tuple[str | int, ...], expected: str, value: Any) -> NoReturn:
    """Raise a rule error located at ``loc`` (relative to the model being validated)."""
    detail = InitErrorDetails(type=_rule_error(expected), loc=loc, input=value)
    raise ValidationError.from_exception_data(model, [detail])


# --- building blocks -----------------------------------------------------------


class ItemsFrom(BaseModel):
    """Where a list-based activity takes its items: an earlier activity of the workshop.

    ``all``: every note of a ``postits`` activity that is not hidden, as posted
    (duplicates included). ``merged``: the de-duplicated notes of a ``postits``
    activity: the notes made by merging duplicates plus the notes never merged
    (the originals of a merge are left out). ``top``: the ``n`` best items of a
    ``rating`` (by mean of its first axis) or of a ``ranking`` (aggregated order).
    """

    model_config = _MODEL_CONFIG

    activity: ActivityId
    take: Literal["all", "merged", "top"]
    n: Annotated[int, Field(ge=1, le=MAX_ITEMS)] | None = None
    # More earlier activities whose items follow the first one's (e.g. the factors of change,
    # then the factors of inertia), taken the same way.
    also: list[ActivityId] = Field(default_factory=list, max_length=5)

    @model_validator(mode="after")
    def _n_only_with_top(self) -> ItemsFrom:
        if self.take == "top" and self.n is None:
            _fail(
                "ItemsFrom",
                ("n",),
                f"a value with take: top (how many items to take, 1 to {MAX_ITEMS})",
                None,
            )
        if self.take != "top" and self.n is not None:
            _fail(
                "ItemsFrom",
                ("n",),
                f"no 'n' with take: {self.take} ('n' is only used with take: top)",
                self.n,
            )
        return self


class RowsFrom(BaseModel):
    """The sections of a table: the enjeux kept by an earlier ``ranking`` (its top ``keep``)."""

    model_config = _MODEL_CONFIG

    activity: ActivityId
    take: Literal["top"] = "top"


class Axis(BaseModel):
    """One rating axis: a key (for results) and the label participants read."""

    model_config = _MODEL_CONFIG

    key: Key
    label: Name


class Scale(BaseModel):
    """The whole numbers of a rating scale, from ``min`` to ``max`` (at most 10 points)."""

    model_config = _MODEL_CONFIG

    min: int = 1
    max: int = 4

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is None:
            return value
        if value <= low:
            raise _rule_error(f"a number greater than min ({low})")
        if value - low + 1 > MAX_SCALE_POINTS:
            raise _rule_error(
                f"a number of at most {low + MAX_SCALE_POINTS - 1} "
                f"(a scale has at most {MAX_SCALE_POINTS} points)"
            )
        return value


class Quadrants(BaseModel):
    """Names of the four quadrants of the two-axis matrix: first axis, then second axis.

    With the default axes: ``high_low`` = fort impact, faible maîtrise, and so on.
    """

    model_config = _MODEL_CONFIG

    high_low: Label = N_("enjeux à anticiper")
    high_high: Label = N_("leviers d'action")
    low_high: Label = N_("actions secondaires")
    low_low: Label = N_("à surveiller")


class TableColumn(BaseModel):
    """One column of the chantier table."""

    model_config = _MODEL_CONFIG

    key: Key
    label: Title
    multiline: bool = True


# Default labels marked for the catalogs: the board and the exports show them in their language.
DEFAULT_AXES: tuple[tuple[str, str], ...] = (("impact", N_("Impact")), ("maitrise", N_("Maîtrise")))

DEFAULT_GRADES: tuple[str, ...] = (N_("très prioritaire"), N_("prioritaire"), N_("secondaire"),
                                   N_("pas prioritaire"))

DEFAULT_BUDGET = 10

POLL_SCALES: dict[str, tuple[str, ...]] = {
    "oui-non-moyennement": ("oui", "non", "moyennement"),
    "frequence": ("souvent", "parfois", "rarement", "jamais"),
}

DEFAULT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("title", "Titre du chantier", False),
    ("objectives", "Les objectifs : on aura réussi si…", True),
    ("actions", "Action(s) du chantier", True),
    ("pilot", "Qui pilote ?", True),
    ("doers", "Qui fait ?", True),
    ("associates", "Qui doit être associé ?", True),
    ("resources_available", "Ressources mobilisables", True),
    ("resources_needed", "Ressources à mobiliser", True),
    ("obstacles", "Freins à lever pour le déploiement du chantier", True),
)

DEFAULT_RESOURCE_CATEGORIES: tuple[str, ...] = (
    N_("partenaires de projet"),
    N_("ressources matérielles"),
    N_("intervenants"),
    N_("financements"),
)

# The state of the link between a chantier and a resource (fixed, not set by templates):
# key -> (label, how the resource map draws it).
RESOURCE_LINK_STATES: dict[str, tuple[str, str]] = {
    "operante": (N_("opérante"), N_("trait plein : la ressource est déjà opérante")),
    "connue-sans-lien": (
        N_("connue, sans lien"),
        N_("trait pointillé : on connaît la ressource mais on n'a pas encore de lien avec"),
    ),
    "aucune": (N_("aucun lien"), N_("absence de trait : pas de lien entre le chantier et la ressource")),
}


def _check_items_source(model: RatingActivity | RankingActivity) -> None:
    """Exactly one of ``items`` and ``items_from``."""
    items, items_from = model.items, model.items_from
    if items is not None and items_from is not None:
        _fail(
            type(model).__name__,
            ("items_from",),
            "either 'items' (a fixed list) or 'items_from' (an earlier activity), not both",
            "both",
        )
    if items is None and items_from is None:
        _fail(
            type(model).__name__,
            ("items",),
            "a list of items, or 'items_from' to take them from an earlier activity "
            "(one of the two is required)",
            None,
        )


# --- activities ----------------------------------------------------------------


class TextActivity(BaseModel):
    """A slide: instructions, an agenda, a question. Participants only read."""

    model_config = _MODEL_CONFIG

    kind: Literal["text"]
    id: ActivityId | None = None
    title: Title
    body: str = Field(default="", max_length=4000)
    # The id of an earlier ranking: the slide also lists the enjeux it kept.
    show_kept: ActivityId | None = None


class PostitsActivity(BaseModel):
    """Participants post short notes, optionally in a category and a sub-group."""

    model_config = _MODEL_CONFIG

    kind: Literal["postits"]
    id: ActivityId | None = None
    title: Title
    prompt: Prompt = ""
    categories: list[Name] = Field(default_factory=list, max_length=12)
    use_groups: bool = False
    live: bool = True
    max_length: int = Field(default=280, ge=1, le=280)

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, value: list[str]) -> list[str]:
        return _unique(value, "categories")


Items = Annotated[list[ItemText], Field(min_length=1, max_length=MAX_ITEMS)]


class _VoteActivity(BaseModel):
    """A vote (rating, ranking, poll) counts the whole room: sub-groups are for writing together."""

    @model_validator(mode="before")
    @classmethod
    def _no_sub_groups(cls, data: Any) -> Any:
        if isinstance(data, dict) and "use_groups" in data:
            raise _rule_error("no 'use_groups' on a vote (rating, ranking, poll): it counts the whole room; "
                              "sub-groups are for postits, table and resources")
        return data


class RatingActivity(_VoteActivity):
    """Every participant rates every item on one or two axes (the impact/maîtrise matrix)."""

    model_config = _MODEL_CONFIG

    kind: Literal["rating"]
    id: ActivityId | None = None
    title: Title
    prompt: Prompt = ""
    items: Items | None = None
    items_from: ItemsFrom | None = None
    axes: list[Axis] = Field(
        default_factory=lambda: [Axis(key=k, label=v) for k, v in DEFAULT_AXES],
        min_length=1,
        max_length=2,
    )
    scale: Scale = Field(default_factory=Scale)
    allow_unknown: bool = True
    quadrants: Quadrants = Field(default_factory=Quadrants)
    live: bool = False

    @field_validator("items")
    @classmethod
    def _unique_items(cls, value: list[str] | None) -> list[str] | None:
        return value if value is None else _unique(value, "items")

    @field_validator("axes")
    @classmethod
    def _unique_axes(cls, value: list[Axis]) -> list[Axis]:
        _unique([axis.key for axis in value], "axis keys")
        return value

    @model_validator(mode="after")
    def _check(self) -> RatingActivity:
        _check_items_source(self)
        if "quadrants" in self.model_fields_set and len(self.axes) != 2:
            _fail(
                "RatingActivity",
                ("quadrants",),
                "no 'quadrants' with a single axis (the matrix needs 2 axes)",
                None,
            )
        return self


class RankingActivity(_VoteActivity):
    """Participants order the items (or spread points, or grade them); the room keeps the top."""

    model_config = _MODEL_CONFIG

    kind: Literal["ranking"]
    id: ActivityId | None = None
    title: Title
    prompt: Prompt = ""
    items: Items | None = None
    items_from: ItemsFrom | None = None
    method: Literal["borda", "schulze", "dots", "majority"] = "borda"
    budget: Annotated[int, Field(ge=1, le=100)] | None = Field(default=None, validate_default=True)
    grades: Annotated[list[Name], Field(min_length=2, max_length=7)] | None = Field(
        default=None, validate_default=True
    )
    keep: int = Field(default=4, ge=1, le=20)
    live: bool = False

    @field_validator("items")
    @classmethod
    def _unique_items(cls, value: list[str] | None) -> list[str] | None:
        return value if value is None else _unique(value, "items")

    @field_validator("budget")
    @classmethod
    def _budget_for_dots(cls, value: int | None, info: ValidationInfo) -> int | None:
        method = info.data.get("method")
        if method == "dots":
            return DEFAULT_BUDGET if value is None else value
        if value is not None and method is not None:
            raise _rule_error(f"no 'budget' with method: {method} (it is only used with method: dots)")
        return value

    @field_validator("grades")
    @classmethod
    def _grades_for_majority(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        method = info.data.get("method")
        if method == "majority":
            return list(DEFAULT_GRADES) if value is None else _unique(value, "grades")
        if value is not None and method is not None:
            raise _rule_error(
                f"no 'grades' with method: {method} (they are only used with method: majority)"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> RankingActivity:
        _check_items_source(self)
        if self.items is not None and self.keep > len(self.items):
            _fail(
                "RankingActivity",
                ("keep",),
                f"a number of at most {len(self.items)} (the number of items)",
                self.keep,
            )
        return self


class PollActivity(_VoteActivity):
    """Participants pick one option; ``scale`` names a preset list of options."""

    model_config = _MODEL_CONFIG

    kind: Literal["poll"]
    id: ActivityId | None = None
    title: Title
    prompt: Prompt = ""
    options: Annotated[list[OptionText], Field(min_length=2, max_length=10)] | None = None
    scale: Literal["oui-non-moyennement", "frequence"] | None = None
    live: bool = False

    @model_validator(mode="before")
    @classmethod
    def _expand_scale(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("scale"), str):
            return data
        preset = POLL_SCALES.get(data["scale"].strip())
        if preset is None:
            return data  # reported by the field's own validation
        options = data.get("options")
        if options is None:
            return {**data, "options": list(preset)}
        if options != list(preset):
            _fail(
                "PollActivity",
                ("options",),
                "either 'options' (your own list) or 'scale' (a preset list), not both",
                options,
            )
        return data

    @field_validator("options")
    @classmethod
    def _unique_options(cls, value: list[str] | None) -> list[str] | None:
        return value if value is None else _unique(value, "options")

    @model_validator(mode="after")
    def _check(self) -> PollActivity:
        if self.options is None:
            _fail(
                "PollActivity",
                ("options",),
                "a list of 2 to 10 options, or a 'scale': 'oui-non-moyennement' or 'frequence' "
                "(one of the two is required)",
                None,
            )
        return self


class TableActivity(BaseModel):
    """The chantier table (fiche outil n° 3): sub-groups fill rows, one section per enjeu."""

    model_config = _MODEL_CONFIG

    kind: Literal["table"]
    id: ActivityId | None = None
    title: Title
    prompt: Prompt = ""
    columns: list[TableColumn] = Field(
        default_factory=lambda: [
            TableColumn(key=k, label=v, multiline=m) for k, v, m in DEFAULT_COLUMNS
        ],
        min_length=1,
        max_length=12,
    )
    sections: Annotated[list[ItemText], Field(min_length=1, max_length=20)] | None = None
    rows_from: RowsFrom | None = None
    target_rows: int = Field(default=5, ge=1, le=20)
    use_groups: bool = False
    live: bool = True

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: list[TableColumn]) -> list[TableColumn]:
        keys = _unique([column.key for column in value], "column keys")
        if "title" not in keys:
            raise _rule_error("a column with key 'title' (the chantier's title)")
        return value

    @field_validator("sections")
    @classmethod
    def _unique_sections(cls, value: list[str] | None) -> list[str] | None:
        return value if value is None else _unique(value, "sections")

    @model_validator(mode="after")
    def _check(self) -> TableActivity:
        if self.sections is not None and self.rows_from is not None:
            _fail(
                "TableActivity",
                ("rows_from",),
                "either 'sections' (a fixed list of enjeux) or 'rows_from' (an earlier ranking), "
                "not both",
                "both",
            )
        return self


class ResourcesActivity(BaseModel):
    """The resource map of one chantier: resources by category and the state of each link."""

    model_config = _MODEL_CONFIG

    kind: Literal["resources"]
    id: ActivityId | None = None
    title: Title
    prompt: Prompt = ""
    chantier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    categories: list[Name] = Field(
        default_factory=lambda: list(DEFAULT_RESOURCE_CATEGORIES), min_length=1, max_length=12
    )
    use_groups: bool = False
    live: bool = True

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, value: list[str]) -> list[str]:
        return _unique(value, "categories")


ActivityTemplate = Annotated[
    TextActivity
    | PostitsActivity
    | RatingActivity
    | RankingActivity
    | PollActivity
    | TableActivity
    | ResourcesActivity,
    Field(discriminator="kind"),
]

# Each model of the union by its `kind`, in the union's order.
ACTIVITY_MODELS: dict[str, type[BaseModel]] = {
    get_args(model.model_fields["kind"].annotation)[0]: model
    for model in get_args(get_args(ActivityTemplate)[0])
}
ACTIVITY_KINDS: tuple[str, ...] = tuple(ACTIVITY_MODELS)

# Which kinds an ``items_from`` may take from, by ``take``.
TAKE_FROM: dict[str, tuple[str, ...]] = {
    "all": ("postits",),
    "merged": ("postits",),
    "top": ("rating", "ranking"),
}


def _kinds(kinds: tuple[str, ...]) -> str:
    quoted = [repr(kind) for kind in kinds]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


class WorkshopTemplate(BaseModel):
    """A workshop: an ordered list of activities, with optional sub-groups."""

    model_config = _MODEL_CONFIG

    slug: str = Field(pattern=SLUG_PATTERN)
    title: Title
    description: str = Field(default="", max_length=2000)
    duration: Name | None = None
    groups: list[Name] = Field(default_factory=list, max_length=30)
    activities: list[ActivityTemplate] = Field(min_length=1, max_length=100)

    @field_validator("groups")
    @classmethod
    def _unique_groups(cls, value: list[str]) -> list[str]:
        return _unique(value, "group names")

    def activity(self, activity_id: str) -> Any:
        """The activity with this ``id`` (KeyError if none)."""
        for activity in self.activities:
            if activity.id == activity_id:
                return activity
        raise KeyError(activity_id)

    @model_validator(mode="after")
    def _check_activities(self) -> WorkshopTemplate:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        for index, activity in enumerate(self.activities):
            problems.extend(self._problems_of(index, activity))
        if problems:
            problems.sort(key=lambda problem: problem[0][1])
            details = [
                InitErrorDetails(type=_rule_error(expected), loc=loc, input=value)
                for loc, expected, value in problems
            ]
            raise ValidationError.from_exception_data(type(self).__name__, details)
        return self

    def _problems_of(
        self, index: int, activity: Any
    ) -> list[tuple[tuple[str | int, ...], str, Any]]:
        at: tuple[str | int, ...] = ("activities", index)
        out: list[tuple[tuple[str | int, ...], str, Any]] = []
        if getattr(activity, "use_groups", False) and len(self.groups) < 2:
            out.append(((*at, "use_groups"), "at least 2 groups in the workshop's 'groups'", True))
        earlier = self.activities[:index]
        if activity.id is not None:
            for other_index, other in enumerate(earlier):
                if other.id == activity.id:
                    out.append((
                        (*at, "id"),
                        f"an id used by only one activity ({activity.id!r} is already "
                        f"the id of activities[{other_index}])",
                        activity.id,
                    ))
                    break
        items_from = getattr(activity, "items_from", None)
        if items_from is not None:
            out.extend(self._items_from_problems(index, activity, items_from))
        show_kept = getattr(activity, "show_kept", None)
        if show_kept is not None:
            source = self._source(index, at, show_kept, out, field=("show_kept",))
            if source is not None and source.kind != "ranking":
                out.append((
                    (*at, "show_kept"),
                    f"the id of an earlier 'ranking' activity, whose kept enjeux the slide lists "
                    f"({show_kept!r} is a {source.kind!r} activity)",
                    show_kept,
                ))
        rows_from = getattr(activity, "rows_from", None)
        if rows_from is not None:
            source = self._source(index, (*at, "rows_from"), rows_from.activity, out)
            if source is not None and source.kind != "ranking":
                out.append((
                    (*at, "rows_from", "activity"),
                    f"the id of an earlier 'ranking' activity, whose kept enjeux become the "
                    f"table's sections ({rows_from.activity!r} is a {source.kind!r} activity)",
                    rows_from.activity,
                ))
        return out

    def _source(
        self,
        index: int,
        at: tuple[str | int, ...],
        ref: str,
        out: list[tuple[tuple[str | int, ...], str, Any]],
        field: tuple[str | int, ...] = ("activity",),
    ) -> Any:
        """The earlier activity ``ref`` names, or None after recording why it is not usable."""
        known_ids = [a.id for a in self.activities[:index] if a.id is not None]
        known = (
            "known ids: " + ", ".join(repr(i) for i in dict.fromkeys(known_ids))
            if known_ids
            else "no earlier activity has an 'id'"
        )
        for position, candidate in enumerate(self.activities):
            if candidate.id != ref:
                continue
            if position < index:
                return candidate
            where = (
                "is this activity"
                if position == index
                else f"is activities[{position}], which comes later"
            )
            out.append((
                (*at, *field),
                f"the id of an earlier activity ({ref!r} {where}; {known})",
                ref,
            ))
            return None
        out.append(((*at, *field), f"the id of an earlier activity ({known})", ref))
        return None

    def _items_from_problems(
        self, index: int, activity: Any, items_from: ItemsFrom
    ) -> list[tuple[tuple[str | int, ...], str, Any]]:
        at: tuple[str | int, ...] = ("activities", index, "items_from")
        out: list[tuple[tuple[str | int, ...], str, Any]] = []
        refs: list[tuple[tuple[str | int, ...], str]] = [(("activity",), items_from.activity)]
        refs += [(("also", i), ref) for i, ref in enumerate(items_from.also)]
        for field, ref in refs:
            source = self._source(index, at, ref, out, field)
            if source is None or self._source_problems(index, activity, items_from, at, field, ref,
                                                        source, out):
                return out
        return out

    def _source_problems(
        self, index: int, activity: Any, items_from: ItemsFrom, at: tuple[str | int, ...],
        field: tuple[str | int, ...], ref: str, source: Any,
        out: list[tuple[tuple[str | int, ...], str, Any]],
    ) -> bool:
        """Record why ``source`` cannot give this activity its items; True if it cannot."""
        take = items_from.take
        usable = ("postits", "rating", "ranking")
        if source.kind not in usable:
            out.append((
                (*at, *field),
                f"the id of an earlier {_kinds(usable)} activity "
                f"({ref!r} is a {source.kind!r} activity, which has no items)",
                ref,
            ))
            return True
        if source.kind not in TAKE_FROM[take]:
            right = [t for t, kinds in TAKE_FROM.items() if source.kind in kinds]
            out.append((
                (*at, "take") if field == ("activity",) else (*at, *field),
                f"take: {' or '.join(right)}, since {ref!r} is a {source.kind!r} activity "
                f"(take: {take} needs a {_kinds(TAKE_FROM[take])} activity)",
                take if field == ("activity",) else ref,
            ))
            return True
        n = items_from.n
        static = getattr(source, "items", None)
        if take == "top" and n is not None and static is not None and n > len(static):
            out.append((
                (*at, "n"),
                f"a number of at most {len(static)} (activity {ref!r} has {len(static)} items)",
                n,
            ))
        keep = getattr(activity, "keep", None)
        if take == "top" and n is not None and keep is not None and keep > n:
            out.append((
                ("activities", index, "keep"),
                f"a number of at most {n} (the number of items taken from {ref!r})",
                keep,
            ))
        return bool(out)


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


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's annotation (``Scale``, ``list[Axis]``, ``ItemsFrom | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _model_at(raw_loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The model holding the last element of a raw pydantic loc."""
    model: type[BaseModel] = WorkshopTemplate
    in_activities = False
    for part in raw_loc[:-1]:
        if isinstance(part, int):
            continue
        if in_activities:
            in_activities = False
            if part in ACTIVITY_MODELS:
                model = ACTIVITY_MODELS[part]
                continue
        if model is WorkshopTemplate and part == "activities":
            in_activities = True
            continue
        field = model.model_fields.get(part)
        nested = _nested_model(field.annotation) if field is not None else None
        if nested is None:
            return model
        model = nested
    return model


def _no_such_field(model: type[BaseModel], name: str | int) -> str:
    names = [n for n in model.model_fields if not (model is WorkshopTemplate and n == "slug")]
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"no such field ({hint}allowed: {', '.join(names)})"


_KINDS_TEXT = ", ".join(repr(kind) for kind in ACTIVITY_KINDS)


def _first_error(errors: list[Any]) -> Any:
    """The error to report: the first one, but a misspelt key before the field it misses."""
    first = errors[0]
    if first["type"] == "missing":
        parent = tuple(first["loc"])[:-1]
        for error in errors:
            if error["type"] == "extra_forbidden" and tuple(error["loc"])[:-1] == parent:
                return error
    return first


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
    if kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "activity"):
        return (
            loc,
            "an id made of lowercase letters, digits and hyphens, starting with a letter "
            "or a digit (at most 40 characters, e.g. 'facteurs')",
            _short(value),
        )
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "key":
        return (
            loc,
            "a key made of lowercase letters without accents, digits and underscores, "
            "starting with a letter (at most 40 characters, e.g. 'impact')",
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
        first = _first_error(exc.errors(include_url=False))
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
