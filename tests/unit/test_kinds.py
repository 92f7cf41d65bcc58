"""A kind is declared once (`app.domain.kinds.KINDS`) and has its part in every layer: this test
names what a kind lacks. docs/kinds.md says how to add one."""

import inspect
from pathlib import Path
from typing import get_args

from app import main
from app.domain.kinds import KINDS, Kind
from app.domain.workshop_templates import ACTIVITY_MODELS, TAKE_FROM, ActivityTemplate
from app.exports.report import PARTS
from app.rendering import TEMPLATES
from app.screens import SCREENS
from app.services.orders import ORDERS

SCREEN_FUNCTIONS = {"board": 2, "control": 2, "phones": 3}


def missing_parts(kind: Kind) -> list[str]:
    """What the kind lacks, in words; [] when every layer has its part."""
    name, missing = kind.name, []
    if get_args(kind.template.model_fields["kind"].annotation) != (name,):
        missing.append(f"its template model's `kind` is not Literal[{name!r}]")
    if ACTIVITY_MODELS.get(name) is not kind.template:
        missing.append("its template model in workshop_templates.ACTIVITY_MODELS")
    screen = SCREENS.get(name)
    if screen is None:
        missing.append(f"app/screens/{name}.py in app.screens.SCREENS")
    else:
        for function, arity in SCREEN_FUNCTIONS.items():
            found = getattr(screen, function, None)
            if not callable(found) or len(inspect.signature(found).parameters) != arity:
                missing.append(f"app/screens/{name}.py: {function}() taking {arity} arguments")
    templates = TEMPLATES / "activities" / name
    for page in ("board.html", "phone.html") + (("control.html",) if kind.contributions else ()):
        if not (templates / page).is_file():
            missing.append(f"app/templates/activities/{name}/{page}")
    if name not in PARTS:
        missing.append("its part of the compte-rendu in app.exports.report.PARTS")
    elif PARTS[name] is not None and not (TEMPLATES / "exports" / "report" / f"{name}.html").is_file():
        missing.append(f"app/templates/exports/report/{name}.html")
    if kind.contributions:
        handlers = [r for router in main.ROUTERS for r in router.routes
                    if Path(inspect.getfile(getattr(r, "endpoint"))).stem == name]  # noqa: B009
        if not handlers:
            missing.append(f"app/routes/{name}.py with its router in app.main.ROUTERS")
        if not kind.not_this_kind:
            missing.append("its refusal wording (`not_this_kind`)")
    return missing


def test_every_kind_has_every_part():
    assert {name: missing_parts(kind) for name, kind in KINDS.items()} == {name: [] for name in KINDS}


def test_the_registry_and_the_template_schema_name_the_same_kinds():
    union = get_args(get_args(ActivityTemplate)[0])
    assert {kind.template for kind in KINDS.values()} == set(union)
    assert set(KINDS) == set(ACTIVITY_MODELS) == set(SCREENS) == set(PARTS)


def test_the_kinds_a_template_may_take_the_top_of_have_an_order():
    assert set(ORDERS) == set(TAKE_FROM["top"])


def test_a_kind_without_its_parts_is_named_with_what_it_lacks():
    ghost = Kind("nuage", "Nuage de mots", KINDS["postits"].template, contributions=True)
    missing = missing_parts(ghost)
    assert "its template model's `kind` is not Literal['nuage']" in missing
    assert "app/screens/nuage.py in app.screens.SCREENS" in missing
    assert "app/templates/activities/nuage/board.html" in missing
    assert "its part of the compte-rendu in app.exports.report.PARTS" in missing
    assert "app/routes/nuage.py with its router in app.main.ROUTERS" in missing
    assert "its refusal wording (`not_this_kind`)" in missing
