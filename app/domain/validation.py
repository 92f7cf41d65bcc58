"""Validation errors in French: one wording for every form, import and request.

pydantic explains in English (« Input should be a valid string »). Each error it reports carries
a stable ``type`` and its context (limits, choices); `explain` words it in French from those,
never from pydantic's ``msg``, and `problems` names the place of each. A type this table does not
know still gets a French sentence.

Pure code: no web, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from app.domain.french import number

SHOWN = 40  # characters of a refused value quoted back
MAX_CHOICES_SHOWN = 8

Error = Mapping[str, Any]


def _shown(value: object) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    elif isinstance(value, int | float):
        text = str(value) if len(str(value)) <= SHOWN else "un nombre de plus de 40 chiffres"
    elif isinstance(value, Mapping):
        return "un objet { … }"
    elif isinstance(value, list | tuple):
        return "une liste [ … ]"
    elif value is None:
        return "rien (null)"
    else:
        return "une valeur"
    text = " ".join(text.split())
    return f"« {text[:SHOWN]}{'…' if len(text) > SHOWN else ''} »"


def _choices(ctx: Mapping[str, Any]) -> str:
    choices = [c.strip().strip("'") for c in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")]
    choices = [c for c in choices if c]
    if not choices or len(choices) > MAX_CHOICES_SHOWN:
        return ""
    return " ; valeurs possibles : " + ", ".join(f"« {c} »" for c in choices)


def _limit(ctx: Mapping[str, Any], key: str) -> str:
    value = ctx.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        # four digits stay whole (a year: « 2000 au minimum »); beyond, in French groups
        return number(value) if abs(value) >= 10_000 else str(value).replace(".", ",")
    return str(value) if value is not None else "?"


def _length(value: object) -> str:
    return f" (ici {len(value)})" if isinstance(value, str | list | tuple | dict) else ""


def _plural(n: object, word: str) -> str:
    return f"{n} {word}{'s' if isinstance(n, int) and n > 1 else ''}"


# type → wording from (context, input); ``form`` words a missing field for a person filling a form.
_WORDING: dict[str, Callable[[Mapping[str, Any], object], str]] = {
    "extra_forbidden": lambda ctx, v: "champ inconnu",
    "string_type": lambda ctx, v: f"doit être un texte, pas {_shown(v)}",
    "string_sub_type": lambda ctx, v: f"doit être un texte, pas {_shown(v)}",
    "string_unicode": lambda ctx, v: "doit être un texte lisible",
    "string_too_long": lambda ctx, v: f"{_plural(ctx.get('max_length'), 'caractère')} au plus{_length(v)}",
    "string_pattern_mismatch": lambda ctx, v: f"{_shown(v)} n'a pas le format attendu",
    "int_type": lambda ctx, v: f"doit être un nombre entier, pas {_shown(v)}",
    "int_parsing": lambda ctx, v: f"doit être un nombre entier, pas {_shown(v)}",
    "int_parsing_size": lambda ctx, v: "nombre bien trop grand",
    "int_from_float": lambda ctx, v: f"doit être un nombre entier (sans décimales), pas {_shown(v)}",
    "float_type": lambda ctx, v: f"doit être un nombre, pas {_shown(v)}",
    "float_parsing": lambda ctx, v: f"doit être un nombre, pas {_shown(v)}",
    "finite_number": lambda ctx, v: "doit être un nombre fini",
    "decimal_type": lambda ctx, v: f"doit être un nombre, pas {_shown(v)}",
    "decimal_parsing": lambda ctx, v: f"doit être un nombre, pas {_shown(v)}",
    "bool_type": lambda ctx, v: f"doit valoir oui ou non (true ou false), pas {_shown(v)}",
    "bool_parsing": lambda ctx, v: f"doit valoir oui ou non (true ou false), pas {_shown(v)}",
    "list_type": lambda ctx, v: f"doit être une liste [ … ], pas {_shown(v)}",
    "tuple_type": lambda ctx, v: f"doit être une liste [ … ], pas {_shown(v)}",
    "set_type": lambda ctx, v: f"doit être une liste [ … ], pas {_shown(v)}",
    "dict_type": lambda ctx, v: f"doit être un objet {{ … }}, pas {_shown(v)}",
    "model_type": lambda ctx, v: f"doit être un objet {{ … }}, pas {_shown(v)}",
    "model_attributes_type": lambda ctx, v: f"doit être un objet {{ … }}, pas {_shown(v)}",
    "too_short": lambda ctx, v: f"{_plural(ctx.get('min_length'), 'élément')} au moins",
    "too_long": lambda ctx, v: f"{_plural(ctx.get('max_length'), 'élément')} au plus",
    "greater_than": lambda ctx, v: f"doit être supérieur à {_limit(ctx, 'gt')}",
    "greater_than_equal": lambda ctx, v: f"{_limit(ctx, 'ge')} au minimum",
    "less_than": lambda ctx, v: f"doit être inférieur à {_limit(ctx, 'lt')}",
    "less_than_equal": lambda ctx, v: f"{_limit(ctx, 'le')} au maximum",
    "multiple_of": lambda ctx, v: f"doit être un multiple de {_limit(ctx, 'multiple_of')}",
    "literal_error": lambda ctx, v: f"valeur inconnue {_shown(v)}{_choices(ctx)}",
    "enum": lambda ctx, v: f"valeur inconnue {_shown(v)}{_choices(ctx)}",
    "date_type": lambda ctx, v: f"doit être une date (AAAA-MM-JJ), pas {_shown(v)}",
    "date_parsing": lambda ctx, v: f"doit être une date (AAAA-MM-JJ), pas {_shown(v)}",
    "date_from_datetime_parsing": lambda ctx, v: f"doit être une date (AAAA-MM-JJ), pas {_shown(v)}",
    "date_from_datetime_inexact": lambda ctx, v: "doit être une date sans heure (AAAA-MM-JJ)",
    "datetime_type": lambda ctx, v: f"doit être une date et une heure, pas {_shown(v)}",
    "datetime_parsing": lambda ctx, v: f"doit être une date et une heure, pas {_shown(v)}",
    "json_invalid": lambda ctx, v: "n'est pas du JSON lisible",
    "json_type": lambda ctx, v: "doit être du JSON",
    "none_required": lambda ctx, v: "doit rester vide",
    "union_tag_invalid": lambda ctx, v: f"type inconnu {_shown(ctx.get('tag'))}{_choices(ctx)}",
    "union_tag_not_found": lambda ctx, v: f"le champ « {ctx.get('discriminator', 'type')} » manque",
    "recursion_loop": lambda ctx, v: "structure qui se contient elle-même",
    "frozen_field": lambda ctx, v: "ne peut pas être modifié",
    "url_parsing": lambda ctx, v: f"doit être une adresse web, pas {_shown(v)}",
    "uuid_parsing": lambda ctx, v: f"doit être un identifiant (UUID), pas {_shown(v)}",
}


def explain(error: Error, form: bool = False) -> str:
    """One error in French, without its place. ``form``: worded for a person filling a form (« à
    remplir ») rather than for a file (« champ obligatoire absent »)."""
    kind, ctx, given = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "à remplir" if form else "champ obligatoire absent"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "à remplir" if form else "ne peut pas être vide"
        return f"{_plural(ctx.get('min_length'), 'caractère')} au moins"
    if kind in ("value_error", "assertion_error"):
        # The domain's own sentences, already in French (pydantic puts a prefix before them).
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    wording = _WORDING.get(kind)
    if wording is None:
        return f"valeur refusée{f' : {_shown(given)}' if given is not None else ''}"
    return wording(ctx, given)


def place(loc: Sequence[int | str]) -> str:
    """A place in a file: « chantiers[3].actions[0].nom »."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems(err: ValidationError, where: Callable[[Sequence[int | str]], str] = place,
             form: bool = False) -> list[str]:
    """Each error of ``err`` as « place : explanation » (the explanation alone at the root)."""
    out = []
    for detail in err.errors():
        at = where(detail["loc"])
        why = explain(detail, form)
        out.append(f"{at} : {why}" if at else why)
    return out
