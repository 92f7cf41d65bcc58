"""Validation errors in the reader's language: one wording for every form, import and request.

pydantic explains in English (« Input should be a valid string »). Each error it reports carries
a stable ``type`` and its context (limits, choices); `explain` words it from those, never from
pydantic's ``msg``, and `problems` names the place of each. A type this table does not know still
gets a sentence. Every fragment is a catalog string (`N_`) with named placeholders; ``say``
translates and fills one (the web layer passes `app.i18n.gettext`); by default, French.

Pure code: no web, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from app.domain.errors import N_, Said, Saids, worded
from app.domain.french import number

SHOWN = 40  # characters of a refused value quoted back
MAX_CHOICES_SHOWN = 8

Error = Mapping[str, Any]
Say = Callable[..., str]


def french(template: str, **params: object) -> str:
    """The source language: the template as written, filled."""
    return template % params if params else template


def _shown(value: object, say: Say = french) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = say(N_("oui")) if value else say(N_("non"))
    elif isinstance(value, int | float):
        text = str(value) if len(str(value)) <= SHOWN else say(N_("un nombre de plus de 40 chiffres"))
    elif isinstance(value, Mapping):
        return say(N_("un objet { … }"))
    elif isinstance(value, list | tuple):
        return say(N_("une liste [ … ]"))
    elif value is None:
        return say(N_("rien (null)"))
    else:
        return say(N_("une valeur"))
    text = " ".join(text.split())
    return say(N_("« %(text)s »"), text=f"{text[:SHOWN]}{'…' if len(text) > SHOWN else ''}")


def _choices(ctx: Mapping[str, Any], say: Say) -> str:
    choices = [c.strip().strip("'") for c in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")]
    choices = [c for c in choices if c]
    if not choices or len(choices) > MAX_CHOICES_SHOWN:
        return ""
    return ", ".join(say(N_("« %(text)s »"), text=c) for c in choices)


def _unknown(template: str, value: str, ctx: Mapping[str, Any], say: Say) -> str:
    """« valeur inconnue « x » », and the choices when there are few."""
    choices = _choices(ctx, say)
    text = say(template, value=value)
    if not choices:
        return text
    return say(N_("%(text)s ; valeurs possibles : %(choices)s"), text=text, choices=choices)


def _limit(ctx: Mapping[str, Any], key: str) -> str:
    value = ctx.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        # four digits stay whole (a year: « 2000 au minimum »); beyond, in French groups
        return number(value) if abs(value) >= 10_000 else str(value).replace(".", ",")
    return str(value) if value is not None else "?"


def _length(text: str, value: object, say: Say) -> str:
    if isinstance(value, str | list | tuple | dict):
        return say(N_("%(text)s (ici %(length)s)"), text=text, length=len(value))
    return text


def _characters(n: object, say: Say) -> str:
    return say(N_("%(count)s caractères"), count=n) if isinstance(n, int) and n > 1 else \
        say(N_("%(count)s caractère"), count=n)


def _elements(n: object, say: Say) -> str:
    return say(N_("%(count)s éléments"), count=n) if isinstance(n, int) and n > 1 else \
        say(N_("%(count)s élément"), count=n)


Wording = Callable[[Mapping[str, Any], object, Say], str]


def _not(template: str) -> Wording:
    """« doit être un texte, pas « 24 » »: the template names the refused value ``value``."""
    return lambda ctx, v, say: say(template, value=_shown(v, say))


def _plain(template: str) -> Wording:
    return lambda ctx, v, say: say(template)


TEXT = N_("doit être un texte, pas %(value)s")
INTEGER = N_("doit être un nombre entier, pas %(value)s")
NUMBER = N_("doit être un nombre, pas %(value)s")
YES_NO = N_("doit valoir oui ou non (true ou false), pas %(value)s")
LIST = N_("doit être une liste [ … ], pas %(value)s")
OBJECT = N_("doit être un objet { … }, pas %(value)s")
DATE = N_("doit être une date (AAAA-MM-JJ), pas %(value)s")
DATETIME = N_("doit être une date et une heure, pas %(value)s")
UNKNOWN_VALUE = N_("valeur inconnue %(value)s")

# type → wording from (context, input, say); ``form`` words a missing field for a person filling a form.
_WORDING: dict[str, Wording] = {
    "extra_forbidden": _plain(N_("champ inconnu")),
    "string_type": _not(TEXT),
    "string_sub_type": _not(TEXT),
    "string_unicode": _plain(N_("doit être un texte lisible")),
    "string_too_long": lambda ctx, v, say: _length(
        say(N_("%(limit)s au plus"), limit=_characters(ctx.get("max_length"), say)), v, say),
    "string_pattern_mismatch": lambda ctx, v, say: say(N_("%(value)s n'a pas le format attendu"),
                                                       value=_shown(v, say)),
    "int_type": _not(INTEGER),
    "int_parsing": _not(INTEGER),
    "int_parsing_size": _plain(N_("nombre bien trop grand")),
    "int_from_float": _not(N_("doit être un nombre entier (sans décimales), pas %(value)s")),
    "float_type": _not(NUMBER),
    "float_parsing": _not(NUMBER),
    "finite_number": _plain(N_("doit être un nombre fini")),
    "decimal_type": _not(NUMBER),
    "decimal_parsing": _not(NUMBER),
    "bool_type": _not(YES_NO),
    "bool_parsing": _not(YES_NO),
    "list_type": _not(LIST),
    "tuple_type": _not(LIST),
    "set_type": _not(LIST),
    "dict_type": _not(OBJECT),
    "model_type": _not(OBJECT),
    "model_attributes_type": _not(OBJECT),
    "too_short": lambda ctx, v, say: say(N_("%(limit)s au moins"),
                                         limit=_elements(ctx.get("min_length"), say)),
    "too_long": lambda ctx, v, say: say(N_("%(limit)s au plus"), limit=_elements(ctx.get("max_length"), say)),
    "greater_than": lambda ctx, v, say: say(N_("doit être supérieur à %(limit)s"), limit=_limit(ctx, "gt")),
    "greater_than_equal": lambda ctx, v, say: say(N_("%(limit)s au minimum"), limit=_limit(ctx, "ge")),
    "less_than": lambda ctx, v, say: say(N_("doit être inférieur à %(limit)s"), limit=_limit(ctx, "lt")),
    "less_than_equal": lambda ctx, v, say: say(N_("%(limit)s au maximum"), limit=_limit(ctx, "le")),
    "multiple_of": lambda ctx, v, say: say(N_("doit être un multiple de %(limit)s"),
                                           limit=_limit(ctx, "multiple_of")),
    "literal_error": lambda ctx, v, say: _unknown(UNKNOWN_VALUE, _shown(v, say), ctx, say),
    "enum": lambda ctx, v, say: _unknown(UNKNOWN_VALUE, _shown(v, say), ctx, say),
    "date_type": _not(DATE),
    "date_parsing": _not(DATE),
    "date_from_datetime_parsing": _not(DATE),
    "date_from_datetime_inexact": _plain(N_("doit être une date sans heure (AAAA-MM-JJ)")),
    "datetime_type": _not(DATETIME),
    "datetime_parsing": _not(DATETIME),
    "json_invalid": _plain(N_("n'est pas du JSON lisible")),
    "json_type": _plain(N_("doit être du JSON")),
    "none_required": _plain(N_("doit rester vide")),
    "union_tag_invalid": lambda ctx, v, say: _unknown(N_("type inconnu %(value)s"),
                                                      _shown(ctx.get("tag"), say), ctx, say),
    "union_tag_not_found": lambda ctx, v, say: say(N_("le champ « %(field)s » manque"),
                                                   field=ctx.get("discriminator", "type")),
    "recursion_loop": _plain(N_("structure qui se contient elle-même")),
    "frozen_field": _plain(N_("ne peut pas être modifié")),
    "url_parsing": _not(N_("doit être une adresse web, pas %(value)s")),
    "uuid_parsing": _not(N_("doit être un identifiant (UUID), pas %(value)s")),
}


def explain(error: Error, form: bool = False, say: Say = french) -> str:
    """One error, without its place, in French or as ``say`` words it. ``form``: worded for a
    person filling a form (« à remplir ») rather than for a file (« champ obligatoire absent »)."""
    kind, ctx, given = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return say(N_("à remplir")) if form else say(N_("champ obligatoire absent"))
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return say(N_("à remplir")) if form else say(N_("ne peut pas être vide"))
        return say(N_("%(limit)s au moins"), limit=_characters(ctx.get("min_length"), say))
    if kind in ("value_error", "assertion_error"):
        # The domain's own sentences: a `Said` one in the reader's language, any other as it is, in
        # French (pydantic puts a prefix before them).
        cause = ctx.get("error")
        if isinstance(cause, Exception) and cause.args and isinstance(cause.args[0], Said | Saids):
            return worded(cause.args[0], say)
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    wording = _WORDING.get(kind)
    if wording is None:
        if given is None:
            return say(N_("valeur refusée"))
        return say(N_("valeur refusée : %(value)s"), value=_shown(given, say))
    return wording(ctx, given, say)


def place(loc: Sequence[int | str]) -> str:
    """A place in a file: « chantiers[3].actions[0].nom »."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems(err: ValidationError, where: Callable[[Sequence[int | str]], str] = place,
             form: bool = False, say: Say = french) -> list[str]:
    """Each error of ``err`` as « place : explanation » (the explanation alone at the root)."""
    out = []
    for detail in err.errors():
        at = where(detail["loc"])
        why = explain(detail, form, say)
        out.append(say(N_("%(place)s : %(why)s"), place=at, why=why) if at else why)
    return out
