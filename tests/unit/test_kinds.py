"""A kind is declared once (`app.domain.kinds.KINDS`) and has its part in every layer, one module
per layer named after it and found by that name: this test names what a kind lacks.
docs/kinds.md says how to add one."""

import inspect
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import get_args

from app.domain.kinds import KINDS, Kind
from app.domain.workshop_templates import ACTIVITY_MODELS, TAKE_FROM, ActivityTemplate
from app.exports.report_parts import PARTS
from app.rendering import TEMPLATES
from app.routes import KIND_ROUTERS
from app.screens import SCREENS
from app.services.orders import ORDERS
from app.services.promotion import PROMOTIONS

# Each layer's module of a kind: the functions it must have, with their number of arguments.
SCREEN = {"board": 2, "control": 2, "phones": 3}
REPORT_PART = {"part": 1, "write_docx": 2}
PROMOTION = {"gather": 3, "choices": 1, "check": 4, "bring": 3}


def module(name: str) -> ModuleType | None:
    return import_module(name) if find_spec(name) is not None else None


def lacks(path: str, functions: dict[str, int]) -> list[str]:
    """What the module `path` (dotted) lacks of `functions`; all of it if there is no module."""
    file = path.replace(".", "/") + ".py"
    found = module(path)
    if found is None:
        return [f"{file} ({', '.join(functions)})"]
    return [f"{file}: {function}() taking {arity} argument(s)" for function, arity in functions.items()
            if not callable(f := getattr(found, function, None))
            or len(inspect.signature(f).parameters) != arity]


def missing_parts(kind: Kind) -> list[str]:
    """What the kind lacks, in words; [] when every layer has its part."""
    name, missing = kind.name, []
    if get_args(kind.template.model_fields["kind"].annotation) != (name,):
        missing.append(f"its template model's `kind` is not Literal[{name!r}]")
    if ACTIVITY_MODELS.get(name) is not kind.template:
        missing.append("its template model in the workshop_templates.ActivityTemplate union")
    missing += lacks(f"app.screens.{name}", SCREEN)
    pages = ["board.html", "phone.html"] + (["control.html"] if kind.contributions else [])
    missing += [f"app/templates/activities/{name}/{page}" for page in pages
                if not (TEMPLATES / "activities" / name / page).is_file()]
    if kind.contributions:
        if not kind.not_this_kind:
            missing.append("its refusal wording (`not_this_kind`)")
        routes = module(f"app.routes.{name}")
        if routes is None or not getattr(getattr(routes, "router", None), "routes", None):
            missing.append(f"app/routes/{name}.py with its `router`")
        missing += lacks(f"app.exports.report_parts.{name}", REPORT_PART)
        if not (TEMPLATES / "exports" / "report" / f"{name}.html").is_file():
            missing.append(f"app/templates/exports/report/{name}.html")
    if kind.promotes:
        missing += lacks(f"app.services.promotion.{name}", PROMOTION)
        promotion = module(f"app.services.promotion.{name}")
        if promotion is not None and not isinstance(getattr(promotion, "STEP", None), int):
            missing.append(f"app/services/promotion/{name}.py: its STEP")
        if not (TEMPLATES / "roadmap_promote" / f"{name}.html").is_file():
            missing.append(f"app/templates/roadmap_promote/{name}.html")
    return missing


def test_every_kind_has_every_part():
    assert {name: missing_parts(kind) for name, kind in KINDS.items()} == {name: [] for name in KINDS}


def test_the_registry_and_the_template_schema_name_the_same_kinds():
    union = get_args(get_args(ActivityTemplate)[0])
    assert {kind.template for kind in KINDS.values()} == set(union)
    assert set(KINDS) == set(ACTIVITY_MODELS) == set(SCREENS)


def test_each_layer_loads_the_parts_the_registry_declares():
    contributing = {name for name, kind in KINDS.items() if kind.contributions}
    assert set(KIND_ROUTERS) == set(PARTS) == contributing
    assert set(PROMOTIONS) == {name for name, kind in KINDS.items() if kind.promotes}
    steps = [promotion.STEP for promotion in PROMOTIONS.values()]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    # Enjeux come in before the chantiers that answer them, and those before their resources.
    assert list(PROMOTIONS) == ["ranking", "table", "resources"]


def test_the_kinds_a_template_may_take_the_top_of_have_an_order():
    assert set(ORDERS) == set(TAKE_FROM["top"])


def test_a_kind_without_its_parts_is_named_with_what_it_lacks():
    ghost = Kind("nuage", "Nuage de mots", KINDS["postits"].template, contributions=True, promotes=True)
    assert missing_parts(ghost) == [
        "its template model's `kind` is not Literal['nuage']",
        "its template model in the workshop_templates.ActivityTemplate union",
        "app/screens/nuage.py (board, control, phones)",
        "app/templates/activities/nuage/board.html",
        "app/templates/activities/nuage/phone.html",
        "app/templates/activities/nuage/control.html",
        "its refusal wording (`not_this_kind`)",
        "app/routes/nuage.py with its `router`",
        "app/exports/report_parts/nuage.py (part, write_docx)",
        "app/templates/exports/report/nuage.html",
        "app/services/promotion/nuage.py (gather, choices, check, bring)",
        "app/templates/roadmap_promote/nuage.html",
    ]


def test_a_module_with_a_wrong_function_is_named_too():
    # The rating's screen module has board/control/phones but no report-part functions.
    assert lacks("app.screens.rating", REPORT_PART) == [
        "app/screens/rating.py: part() taking 1 argument(s)",
        "app/screens/rating.py: write_docx() taking 2 argument(s)"]
