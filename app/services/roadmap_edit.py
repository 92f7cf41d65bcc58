"""The roadmap editor: what its pages show, and every change they make.

Writes: the roadmap's header, its committees, enjeux, défis (and the enjeux each answers),
chantiers (their fiche, and the défi, or the enjeu, they are filed under), and each chantier's
actions and resources; add, edit, delete, reorder. Chantier codes in a défi's numbering
(« 2.a ») follow their défi when it is numbered anew, and a chantier filed elsewhere. Every form
is checked by the pydantic models of `app.domain.roadmap`, the ones a JSON import goes through,
so the editor accepts exactly what an import accepts; a refusal is a `DomainError` in French that
names the field, and nothing changes. Each change stamps the roadmap (`roadmaps.touch`) and commits.

Reads: the view of the roadmap page and of a fiche chantier, computed once per response.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.domain import resource_map, validation
from app.domain import roadmap as domain
from app.domain.chantier_map import ChantierMap, map_title
from app.domain.errors import N_, DomainError, NotFound, Term
from app.domain.french import date_text, decimal, euros, period
from app.models import Action, Chantier, Committee, Defi, DefiEnjeu, Enjeu, Resource, Roadmap, Territory
from app.services import roadmaps

M = TypeVar("M", bound=BaseModel)
# The rows of a list of the roadmap, and of a list of a chantier.
RoadmapRow = Committee | Enjeu | Defi | Chantier
ChantierRow = Action | Resource
Row = RoadmapRow | ChantierRow


class Form(Protocol):
    """A submitted form (Starlette's `FormData`): one value, or every value, of a field."""

    def get(self, key: str, default: str, /) -> object: ...

    def getlist(self, key: str, /) -> list[Any]: ...


# ---------------------------------------------------------------- reading a form

MAX_ID_TEXT = 18


def is_id(text: str) -> bool:
    """Whether a stripped form value can be a database id."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_TEXT


def parse_id(raw: str, missing: str) -> int:
    """A database id from a URL or a form field; `NotFound(missing)` when it cannot be one."""
    text = (raw or "").strip()
    if not is_id(text):
        raise NotFound(missing)
    return int(text)


def form_text(form: Form, key: str, default: str = "") -> str:
    value = form.get(key, default)
    if not isinstance(value, str):
        raise DomainError(N_("Le champ « %(field)s » doit être du texte."), field=key)
    return value


def _optional_number(form: Form, key: str) -> str | None:
    """A number field: empty means none; French digit grouping (« 12 000 ») is allowed."""
    text = re.sub(r"[\s\u202f\u00a0]", "", form_text(form, key))
    return text or None


def fields(form: Form, *keys: str) -> dict[str, str]:
    """Text fields of a form, by their keys in the roadmap file (missing ones empty)."""
    return {key: form_text(form, key) for key in keys}


def _texts(form: Form, key: str) -> list[str]:
    values = form.getlist(key)
    if not all(isinstance(v, str) for v in values):
        raise DomainError(N_("Le champ « %(field)s » doit être du texte."), field=key)
    return values


# ---------------------------------------------------------------- checking with the domain's models

# The French name of each field, by its key in the roadmap file (the forms use the same keys).
LABELS = {
    "nom": N_("nom"),
    "type": N_("type"),
    "code": N_("code"),
    "frequence": N_("fréquence"),
    "perimetre": N_("périmètre"),
    "porteurs": N_("porteurs"),
    "contexte": N_("contexte"),
    "question": N_("question"),
    "titre": N_("titre"),
    "description": N_("description"),
    "enjeux": N_("enjeux"),
    "objectifs": N_("« on aura réussi si »"),
    "freins": N_("freins à lever"),
    "gouvernance": N_("gouvernance"),
    "pilote": N_("qui pilote"),
    "fait": N_("qui fait"),
    "associes": N_("qui est associé"),
    "service_coordinateur": N_("coordonné par"),
    "categorie": N_("catégorie"),
    "lien": N_("état du lien"),
    "budgetGlobal": N_("budget global"),
    "coFinancements": N_("co-financement"),
    "coFinanceur": N_("co-financeur"),
    "membre": N_("co-financeur"),
    "destinataires": N_("destinataire"),
    "montant": N_("montant"),
    "besoins": N_("besoin"),
    "dateDeDebut": N_("début"),
    "dateDeFin": N_("fin"),
}


def _place(loc: Sequence[int | str], say: validation.Say = validation.french) -> str:
    words: list[str] = []
    for part in loc:
        if isinstance(part, int):
            if words:
                words[-1] = say(N_("%(field)s n° %(number)s"), field=words[-1], number=part + 1)
        else:
            words.append(say(LABELS[part]) if part in LABELS else part)
    return ", ".join(words)


def _why(err: Any, say: validation.Say = validation.french) -> str:
    if err["type"] == "value_error":
        # The domain's own sentences name fields by their file keys (« dateDeFin »): say them in French.
        message = validation.explain(err, say=say)
        return re.sub(r"\b[a-z]+[A-Z]\w*\b",
                      lambda m: say(LABELS[m.group()]) if m.group() in LABELS else m.group(), message)
    return validation.explain(err, form=True, say=say)


def _explain(err: ValidationError, subject: str = "", say: validation.Say = validation.french) -> str:
    problems = []
    for detail in err.errors():
        place = _place(detail["loc"], say)
        problems.append(say(N_("%(place)s : %(why)s"), place=place, why=_why(detail, say)) if place
                        else _why(detail, say))
    text = functools.reduce(lambda said, problem: say(N_("%(problems)s ; %(problem)s"), problems=said,
                                                      problem=problem), problems)
    text = say(N_("%(subject)s — %(problems)s"), subject=say(subject), problems=text) if subject else text
    return text[:1].upper() + text[1:] + "."


class FormRefused(DomainError):
    """A form the domain's model refuses, each problem named by its field; worded in the reader's
    language where it is shown (`said`), in French as `message`."""

    def __init__(self, err: ValidationError, subject: str = "") -> None:
        self.error, self.subject = err, subject
        super().__init__(_explain(err, subject))

    def said(self, say: validation.Say) -> str:
        return _explain(self.error, self.subject, say)


def check(model: type[M], data: dict[str, Any], subject: str = "") -> M:
    """`data` (keys of the roadmap file) read by the domain's model, or a `FormRefused`."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise FormRefused(err, subject) from None


# ---------------------------------------------------------------- the header of a roadmap


def _territory(form: Form) -> domain.Territory:
    territory = check(
        domain.Territory,
        {
            "nom": form_text(form, "territoire_nom"),
            "type": form_text(form, "territoire_type"),
            "code": form_text(form, "territoire_code"),
        },
        N_("Territoire"),
    )
    return territory


def _info(form: Form, with_details: bool) -> domain.RoadmapInfo:
    data: dict[str, Any] = {"nom": form_text(form, "nom"), "perimetre": form_text(form, "perimetre") or None}
    if with_details:
        data["porteurs"] = domain.split_lines(form_text(form, "porteurs"))
        data["contexte"] = form_text(form, "contexte")
    return check(domain.RoadmapInfo, data, N_("Feuille de route"))


def create(session: Session, owner_id: int, form: Form) -> Roadmap:
    """A new, empty roadmap from the list page's form (nom, territoire, périmètre)."""
    info = _info(form, with_details=False)
    return roadmaps.create(session, owner_id, _territory(form), info)


def save_infos(session: Session, roadmap: Roadmap, form: Form) -> None:
    info = _info(form, with_details=True)
    territory = _territory(form)
    place = session.get(Territory, roadmap.territory_id)
    if place is None:
        raise NotFound(N_("Territoire de la feuille de route introuvable."))
    place.name, place.kind, place.code = territory.name, territory.kind, territory.code
    roadmap.name, roadmap.perimeter = info.name, info.perimeter
    roadmap.carriers, roadmap.context = list(info.carriers), info.context
    session.add(place)
    _done(session, roadmap)


def _done(session: Session, roadmap: Roadmap) -> None:
    roadmaps.touch(session, roadmap)
    session.commit()


# ---------------------------------------------------------------- the lists


@dataclass(frozen=True)
class Kind:
    """A list the editor edits: its URL segment (and section name), its table, whether it hangs
    from the roadmap or from a chantier, and how a form fills one of its rows."""

    name: str
    missing: str  # « Comité introuvable dans cette feuille de route. »
    model: type[Row]
    scope: str  # "roadmap" or "chantier"
    write: Callable[[Session, Roadmap, Chantier | None, Any, Form], None]
    # Rows are ordered among those of the same group (a défi's chantiers).
    group: Callable[[Any], object] = lambda row: None
    # What follows a new order, given the rows' ids before and after (défis: chantier codes).
    reordered: Callable[[Session, Roadmap, list[int], list[int]], None] | None = None


def _write_committee(
    session: Session, roadmap: Roadmap, chantier: Chantier | None, row: Committee, form: Form
) -> None:
    c = check(domain.Committee, fields(form, "nom", "type", "frequence"))
    row.name, row.kind, row.frequency = c.name, c.kind, c.frequency


def _write_enjeu(
    session: Session, roadmap: Roadmap, chantier: Chantier | None, row: Enjeu, form: Form
) -> None:
    e = check(domain.Enjeu, {"id": "enjeu", "question": form_text(form, "question")})
    row.question = e.question


def _owned_ids(
    session: Session, model: type[Enjeu] | type[Defi], roadmap: Roadmap, raws: Iterable[str], what: str
) -> list[int]:
    """Ids sent by a form, each one of this roadmap's (an enjeu, a défi), or a `DomainError`."""
    ids = []
    for raw in raws:
        try:
            ids.append(parse_id(raw, ""))
        except NotFound:
            raise DomainError(N_("%(what)s : identifiant illisible « %(raw)s »."), what=Term(what),
                              raw=str(raw)[:20]) from None
    if ids:
        found = set(
            session.exec(select(model.id).where(col(model.id).in_(ids), model.roadmap_id == roadmap.id))
        )
        stray = [i for i in ids if i not in found]
        if stray:
            raise DomainError(N_("%(what)s : « %(id)s » n'est pas dans cette feuille de route."),
                              what=Term(what), id=stray[0])
    return list(dict.fromkeys(ids))


def _write_defi(session: Session, roadmap: Roadmap, chantier: Chantier | None, row: Defi, form: Form) -> None:
    enjeu_ids = _owned_ids(session, Enjeu, roadmap, _texts(form, "enjeux"), N_("Enjeu"))
    d = check(
        domain.Defi,
        {"id": "defi", **fields(form, "titre", "description"), "enjeux": [f"enjeu-{i}" for i in enjeu_ids]},
    )
    row.title, row.description = d.title, d.description
    if row.id is None:
        session.add(row)
        session.flush()
    current = {
        link.enjeu_id: link for link in session.exec(select(DefiEnjeu).where(DefiEnjeu.defi_id == row.id))
    }
    for enjeu_id, link in current.items():
        if enjeu_id not in enjeu_ids:
            session.delete(link)
    for enjeu_id in enjeu_ids:
        if enjeu_id not in current:
            session.add(DefiEnjeu(defi_id=row.id, enjeu_id=enjeu_id))


# A fiche chantier is edited a part at a time; the chantier list edits its head (code, titre, and
# where it is filed: « rattacher »).
CHANTIER_PARTS = {
    "entete": ("code", "titre", "rattacher"),
    "description": ("description",),
    "objectifs": ("objectifs",),
    "freins": ("freins",),
    "gouvernance": ("pilote", "fait", "associes"),
    "coordination": ("service_coordinateur",),
}
_LINES = ("objectifs", "freins")
_GOVERNANCE = ("pilote", "fait", "associes")


def _chantier_data(row: Chantier) -> dict[str, Any]:
    return {
        "id": "chantier",
        "code": row.code or "",
        "titre": row.title or "",
        "description": row.description or "",
        "objectifs": list(row.objectives),
        "freins": list(row.obstacles),
        "gouvernance": {"pilote": row.pilot, "fait": row.doers, "associes": row.associates},
        "service_coordinateur": row.coordinator,
    }


def _defi_number(session: Session, roadmap: Roadmap, defi_id: int | None) -> int | None:
    ids = [d.id for d in roadmaps.defis_of(session, roadmap.id)]
    return ids.index(defi_id) + 1 if defi_id in ids else None


def suggest_code(
    session: Session, roadmap: Roadmap, defi_id: int | None, leave_out: int | None = None
) -> str:
    taken = [c.code for c in roadmaps.chantiers_of(session, roadmap.id) if c.id != leave_out]
    return domain.chantier_code(_defi_number(session, roadmap, defi_id), taken)


def _parent(session: Session, roadmap: Roadmap, row: Chantier, raw: str) -> tuple[int | None, int | None]:
    """The défi and the enjeu of a chantier from its « Rattacher à » choice: « defi:<id> » (the
    enjeu it came from stays on record), « enjeu:<id> » (a chantier of that enjeu, still to file
    under a défi), or nothing (neither). Each of this roadmap, or a `DomainError`."""
    text = raw.strip()
    if not text:
        return None, None
    kind, _, raw_id = text.partition(":")
    if kind == "defi":
        return _owned_ids(session, Defi, roadmap, [raw_id], N_("Défi"))[0], row.enjeu_id
    if kind == "enjeu":
        return None, _owned_ids(session, Enjeu, roadmap, [raw_id], N_("Enjeu"))[0]
    raise DomainError(
        N_("Rattacher à : choix illisible « %(choice)s » (un défi ou un enjeu de la feuille de route)."),
        choice=text[:30])


def _code_of_place(session: Session, roadmap: Roadmap, row: Chantier, code: str, defi_id: int | None) -> str:
    """The code of a chantier in its (new) place. A new one without code gets the next of its défi
    (« 1.c »). One filed under another défi gets the next of the new défi if its code is empty, or,
    left as it was in the form, followed no défi (« 3 ») or the old one (« 1.b »); one taken out of
    its défi (to an enjeu, or to neither) loses a code of the old défi's numbering. A code typed in
    the form, or a custom one (« CTG-1 »), stays."""
    if row.id is None:
        return code or suggest_code(session, roadmap, defi_id)
    if defi_id == row.defi_id:
        return code
    old = _defi_number(session, roadmap, row.defi_id)
    as_it_was = code == row.code
    numbered = domain.follows(code, None) or (old is not None and domain.follows(code, old))
    if defi_id is not None and (not code or (as_it_was and numbered)):
        return suggest_code(session, roadmap, defi_id, leave_out=row.id)
    if defi_id is None and old is not None and as_it_was and domain.follows(code, old):
        return ""
    return code


def _check_code_free(session: Session, roadmap: Roadmap, code: str, chantier_id: int | None) -> None:
    """Two chantiers of a roadmap never share a code (the documents and the JSON name them by it)."""
    for other in roadmaps.chantiers_of(session, roadmap.id):
        if code and other.code == code and other.id != chantier_id:
            raise DomainError(N_("Le code « %(code)s » est déjà celui du chantier « %(title)s » : "
                                 "choisissez-en un autre."), code=code, title=other.title)


def write_chantier(session: Session, roadmap: Roadmap, row: Chantier, form: Form, part: str) -> None:
    """One part of a chantier (or its head) from a form, checked as a whole chantier."""
    keys = CHANTIER_PARTS[part]
    data = _chantier_data(row)
    for key in keys:
        if key in _LINES:
            data[key] = domain.split_lines(form_text(form, key))
        elif key in _GOVERNANCE:
            data["gouvernance"][key] = form_text(form, key)
        elif key != "rattacher":
            data[key] = form_text(form, key)
    defi_id, enjeu_id = row.defi_id, row.enjeu_id
    if "rattacher" in keys:
        defi_id, enjeu_id = _parent(session, roadmap, row, form_text(form, "rattacher"))
    c = check(domain.Chantier, data)
    code = _code_of_place(session, roadmap, row, c.code, defi_id)
    _check_code_free(session, roadmap, code, row.id)
    row.code = code
    row.title, row.description = c.title, c.description
    row.objectives, row.obstacles = list(c.objectives), list(c.obstacles)
    row.pilot, row.doers, row.associates = c.governance.pilot, c.governance.doers, c.governance.associates
    row.coordinator, row.defi_id, row.enjeu_id = c.coordinator, defi_id, enjeu_id


def renumber_codes(session: Session, roadmap: Roadmap, before: list[int], after: list[int]) -> None:
    """The défis (their ids) numbered anew: the chantier codes in their défi's numbering follow it
    (`domain.renumbered`: « 2.a » → « 1.a »; « CTG-1 » stays; never twice the same code)."""
    old = {defi_id: n for n, defi_id in enumerate(before, start=1)}
    new = {defi_id: n for n, defi_id in enumerate(after, start=1)}
    chantiers = roadmaps.chantiers_of(session, roadmap.id)
    codes = domain.renumbered([(c.code, None, None) if c.defi_id is None else
                               (c.code, old.get(c.defi_id), new.get(c.defi_id)) for c in chantiers])
    for chantier, code in zip(chantiers, codes, strict=True):
        if chantier.code != code:
            chantier.code = code
            session.add(chantier)


def _write_chantier_head(
    session: Session, roadmap: Roadmap, chantier: Chantier | None, row: Chantier, form: Form
) -> None:
    write_chantier(session, roadmap, row, form, "entete")


def _write_resource(
    session: Session, roadmap: Roadmap, chantier: Chantier | None, row: Resource, form: Form
) -> None:
    # The link state alone may be sent (the select of each resource): the rest stays.
    r = check(
        domain.Resource,
        {
            "nom": form_text(form, "nom", row.name or ""),
            "categorie": form_text(form, "categorie", row.category or ""),
            "lien": form_text(form, "lien", row.link or "aucune"),
        },
    )
    row.name, row.category, row.link = r.name, r.category, r.link


def _cofinancings(form: Form) -> list[dict[str, Any]]:
    """The co-financing lines of the action form; blank lines are dropped."""
    funders, amounts = _texts(form, "coFinanceur"), _texts(form, "montant")
    if len(funders) != len(amounts):
        raise DomainError(N_("Co-financements : chaque co-financeur va avec son montant."))
    out = []
    for funder, amount in zip(funders, amounts, strict=True):
        number = re.sub(r"[\s\u202f\u00a0]", "", amount)
        if funder.strip() or number:
            line: dict[str, Any] = {"membre": funder}
            if number:
                line["montant"] = number
            out.append(line)
    return out


def _write_action(
    session: Session, roadmap: Roadmap, chantier: Chantier | None, row: Action, form: Form
) -> None:
    a = check(
        domain.Action,
        {
            **fields(form, "nom", "contexte", "description"),
            "porteurs": domain.split_lines(form_text(form, "porteurs")),
            "budgetGlobal": _optional_number(form, "budgetGlobal"),
            "coFinancements": _cofinancings(form),
            "besoins": _texts(form, "besoins"),
            "dateDeDebut": form_text(form, "dateDeDebut") or None,
            "dateDeFin": form_text(form, "dateDeFin") or None,
            "destinataires": domain.split_lines(form_text(form, "destinataires")),
        },
    )
    for key, value in roadmaps.action_values(a).items():
        setattr(row, key, value)


LISTS = {
    k.name: k
    for k in (
        Kind("comites", N_("Comité introuvable dans cette feuille de route."), Committee, "roadmap",
             _write_committee),
        Kind("enjeux", N_("Enjeu introuvable dans cette feuille de route."), Enjeu, "roadmap", _write_enjeu),
        Kind("defis", N_("Défi introuvable dans cette feuille de route."), Defi, "roadmap", _write_defi,
             reordered=renumber_codes),
        Kind("chantiers", N_("Chantier introuvable dans cette feuille de route."), Chantier, "roadmap",
             _write_chantier_head, group=lambda c: c.defi_id),
        Kind("actions", N_("Action introuvable dans cette feuille de route."), Action, "chantier",
             _write_action),
        Kind("ressources", N_("Ressource introuvable dans cette feuille de route."), Resource, "chantier",
             _write_resource),
    )
}
# The parts edited as one block: the roadmap's header, and the parts of a fiche chantier.
PARTS = {"infos": "roadmap", **{part: "chantier" for part in CHANTIER_PARTS}}
# What a change shows again: its own section first, then those that show it too.
SECTIONS = {
    "enjeux": ("enjeux", "defis", "chantiers"),  # défis and chantiers say which enjeu they answer
    "defis": ("defis", "chantiers"),  # chantiers are grouped by défi
    "entete": ("entete", "ressources"),  # the map's centre is the chantier
}


def sections(name: str) -> tuple[str, ...]:
    return SECTIONS.get(name, (name,))


def _parent_filter(kind: Kind, roadmap: Roadmap, chantier: Chantier | None) -> Any:
    model = kind.model
    if kind.scope == "roadmap":
        if not issubclass(model, RoadmapRow):
            raise TypeError(f"{model.__name__} rows do not hang from a roadmap")
        return model.roadmap_id == roadmap.id
    assert chantier is not None
    if not issubclass(model, ChantierRow):
        raise TypeError(f"{model.__name__} rows do not hang from a chantier")
    return model.chantier_id == chantier.id


def rows_of(session: Session, kind: Kind, roadmap: Roadmap, chantier: Chantier | None) -> list[Any]:
    return list(
        session.exec(
            select(kind.model)
            .where(_parent_filter(kind, roadmap, chantier))
            .order_by(col(kind.model.position), col(kind.model.id))
        )
    )


def chantier_of(session: Session, roadmap: Roadmap, raw_id: str) -> Chantier:
    chantier = session.get(Chantier, parse_id(raw_id, N_("Chantier introuvable.")))
    if chantier is None or chantier.roadmap_id != roadmap.id:
        raise NotFound(N_("Chantier introuvable dans cette feuille de route."))
    return chantier


def row_of(session: Session, kind: Kind, roadmap: Roadmap, chantier: Chantier | None, raw_id: str) -> Any:
    missing = kind.missing
    row = session.get(kind.model, parse_id(raw_id, missing))
    parent = roadmap.id if kind.scope == "roadmap" else chantier.id if chantier else None
    if row is None or _parent_id(kind, row) != parent:
        raise NotFound(missing)
    return row


def _parent_id(kind: Kind, row: object) -> int:
    """The id of the roadmap, or of the chantier, that a row of `kind` hangs from."""
    if kind.scope == "roadmap":
        if not isinstance(row, RoadmapRow):
            raise TypeError(f"{type(row).__name__} rows do not hang from a roadmap")
        return row.roadmap_id
    if not isinstance(row, ChantierRow):
        raise TypeError(f"{type(row).__name__} rows do not hang from a chantier")
    return row.chantier_id


def save(
    session: Session, kind: Kind, roadmap: Roadmap, chantier: Chantier | None, row: Any | None, form: Form
) -> Any:
    """A row added (`row` None: at the end of its list) or changed from a form."""
    if row is None:
        rows = rows_of(session, kind, roadmap, chantier)
        parent: dict[str, Any]  # keyword arguments of any of the `Row` models: its roadmap or chantier
        if kind.scope == "roadmap":
            parent = {"roadmap_id": roadmap.id}
        elif chantier is not None:
            parent = {"chantier_id": chantier.id}
        else:
            raise NotFound(N_("Chantier introuvable."))
        row = kind.model(**parent, position=max((r.position for r in rows), default=-1) + 1)
    kind.write(session, roadmap, chantier, row, form)
    session.add(row)
    _done(session, roadmap)
    return row


def _forget_defi(session: Session, roadmap: Roadmap, defi: Defi) -> None:
    """A défi deleted: its chantiers wait « à rattacher » without a code of its numbering, and the
    défis after it move up one number, their chantiers' codes with them (« 3.a » → « 2.a »)."""
    before = [d.id for d in roadmaps.defis_of(session, roadmap.id)]
    number = before.index(defi.id) + 1
    for chantier in roadmaps.chantiers_of(session, roadmap.id):
        if chantier.defi_id == defi.id:
            chantier.defi_id = None
            if domain.follows(chantier.code, number):
                chantier.code = ""
            session.add(chantier)
    renumber_codes(session, roadmap, before, [i for i in before if i != defi.id])


def delete(session: Session, roadmap: Roadmap, row: Any) -> None:
    if isinstance(row, Defi):
        _forget_defi(session, roadmap, row)
    session.delete(row)
    _done(session, roadmap)


def _place_group(session: Session, kind: Kind, roadmap: Roadmap, rows: list[Any], group: list[Any]) -> None:
    """`group` (some of `rows`, in a new order) takes the places its members had; positions are
    renumbered 0, 1, 2… over all the rows; then what follows the new order, and the change saved."""
    members = {r.id for r in group}
    incoming = iter(group)
    ordered = [next(incoming) if r.id in members else r for r in rows]
    for position, row in enumerate(ordered):
        row.position = position
    if kind.reordered is not None:
        kind.reordered(session, roadmap, [r.id for r in rows], [r.id for r in ordered])
    _done(session, roadmap)


def move(
    session: Session, kind: Kind, roadmap: Roadmap, chantier: Chantier | None, row: Any, raw_step: str
) -> None:
    """One place up (-1) or down (+1) among its group (the ▲ ▼ buttons); at an end, nothing moves."""
    if raw_step.strip() not in ("-1", "1"):
        raise DomainError(N_("Sens de déplacement inconnu : « %(step)s » (-1 ou 1)."), step=raw_step[:10])
    rows = rows_of(session, kind, roadmap, chantier)
    group = [r for r in rows if kind.group(r) == kind.group(row)]
    i = group.index(row)
    j = i + int(raw_step)
    if 0 <= j < len(group):
        group[i], group[j] = group[j], group[i]
        _place_group(session, kind, roadmap, rows, group)


def reorder(
    session: Session, kind: Kind, roadmap: Roadmap, chantier: Chantier | None, raw_order: str
) -> None:
    """A group in a new order (after a drag): its ids, comma-separated, each once."""
    parts = [p for p in raw_order.split(",") if p.strip()]
    rows = rows_of(session, kind, roadmap, chantier)
    by_id = {r.id: r for r in rows}
    try:
        ids = [parse_id(p, "") for p in parts]
    except NotFound:
        raise DomainError(
            N_("Ordre illisible : des identifiants séparés par des virgules sont attendus.")
        ) from None
    stale = DomainError(N_("L'ordre envoyé ne correspond pas à la liste actuelle : rechargez la page."))
    if not ids or any(i not in by_id for i in ids) or len(set(ids)) != len(ids):
        raise stale
    group_key = kind.group(by_id[ids[0]])
    if sorted(ids) != sorted(r.id for r in rows if kind.group(r) == group_key):
        raise stale
    _place_group(session, kind, roadmap, rows, [by_id[i] for i in ids])


def save_part(session: Session, roadmap: Roadmap, chantier: Chantier | None, part: str, form: Form) -> None:
    if part == "infos":
        save_infos(session, roadmap, form)
        return
    assert chantier is not None
    write_chantier(session, roadmap, chantier, form, part)
    session.add(chantier)
    _done(session, roadmap)


# ---------------------------------------------------------------- what the pages show


def counts(session: Session, roadmap_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per roadmap: its numbers of enjeux, défis and chantiers (the list page)."""
    out = {i: {"enjeux": 0, "defis": 0, "chantiers": 0} for i in roadmap_ids}
    for name, model in (("enjeux", Enjeu), ("defis", Defi), ("chantiers", Chantier)):
        rows = session.exec(
            select(model.roadmap_id, func.count())
            .where(col(model.roadmap_id).in_(roadmap_ids))
            .group_by(col(model.roadmap_id))
        )
        for roadmap_id, n in rows:
            out[roadmap_id][name] = n
    return out


@dataclass
class ProvenanceView:
    summary: str
    items: list[str]


def provenance(raw: dict[str, Any] | None) -> ProvenanceView | None:
    """« Issu de l'atelier « X » du 12/03/2025, vote « Y » (Borda), rang 2, 23 bulletins… »."""
    if not raw:
        return None
    try:
        p = domain.Provenance.model_validate(raw)
    except ValidationError:
        return None
    parts = []
    if p.workshop:
        parts.append(f"issu de l'atelier « {p.workshop} »" + (f" du {date_text(p.date)}" if p.date else ""))
    if p.activity:
        parts.append(f"vote « {p.activity} »" + (f" ({p.method})" if p.method else ""))
    if p.rank:
        parts.append(f"rang {p.rank}")
    if p.ballots is not None:
        parts.append(f"{p.ballots} bulletin{'s' if p.ballots > 1 else ''}")
    if p.agreement is not None:
        parts.append(f"accord {decimal(p.agreement * 100, 0)} %")
    if p.stance:
        parts.append(p.stance)
    summary = ", ".join(parts)
    return ProvenanceView(summary[:1].upper() + summary[1:], list(p.items))


@dataclass
class Group:
    """The chantiers under one défi (`defi` None: those still to file under a défi)."""

    defi: Defi | None
    number: int | None
    chantiers: list[Chantier]
    suggested: str
    key: str


def page_view(session: Session, roadmap: Roadmap) -> dict[str, Any]:
    enjeux = roadmaps.enjeux_of(session, roadmap.id)
    defis = roadmaps.defis_of(session, roadmap.id)
    chantiers = roadmaps.chantiers_of(session, roadmap.id)
    enjeu_number = {e.id: n for n, e in enumerate(enjeux, start=1)}
    links = {
        d: sorted(ids, key=enjeu_number.__getitem__)
        for d, ids in roadmaps.defi_links(session, roadmap.id).items()
    }
    taken = [c.code for c in chantiers]
    groups = [
        Group(d, n, [c for c in chantiers if c.defi_id == d.id], domain.chantier_code(n, taken), f"d{d.id}")
        for n, d in enumerate(defis, start=1)
    ]
    loose = [c for c in chantiers if c.defi_id is None]
    if loose or not defis:
        groups.append(Group(None, None, loose, domain.chantier_code(None, taken), "libres"))
    ids = [c.id for c in chantiers]
    return {
        "roadmap": roadmap,
        "territory": session.get(Territory, roadmap.territory_id),
        "base": f"/f/roadmaps/{roadmap.id}",
        "committees": roadmaps.committees_of(session, roadmap.id),
        "enjeux": enjeux,
        "enjeu_number": enjeu_number,
        "provenance": {e.id: provenance(e.provenance) for e in enjeux},
        "score": {e.id: text for e in enjeux if (text := domain.score_text(e.score, e.score_label))},
        "defis": defis,
        "defi_number": {d.id: n for n, d in enumerate(defis, start=1)},
        "links": links,
        "groups": groups,
        "chantier_count": len(chantiers),
        "actions_count": _per_chantier(session, Action, ids),
        "resources_count": _per_chantier(session, Resource, ids),
        "workshops": roadmaps.workshops_of(session, roadmap.id),
        "kinds": domain.TERRITORY_KINDS,
        "perimeters": domain.PERIMETERS,
        "committee_kinds": domain.COMMITTEE_KINDS,
        "exports": EXPORTS,
        "editing": "",
        "oob": (),
    }


EXPORTS = (
    ("docx", "Word (DOCX)"),
    ("odt", "OpenDocument (ODT)"),
    ("pdf", "PDF"),
    ("md", "Markdown"),
    ("json", N_("JSON (réimportable)")),
    ("xlsx", N_("Actions (XLSX)")),
)


def _per_chantier(session: Session, model: type[Action] | type[Resource], ids: list[int]) -> Counter[int]:
    if not ids:
        return Counter()
    rows = session.exec(
        select(model.chantier_id, func.count())
        .where(col(model.chantier_id).in_(ids))
        .group_by(col(model.chantier_id))
    )
    return Counter(dict(rows.all()))


@dataclass
class ActionView:
    row: Action
    budget: str
    cofinancings: list[tuple[str, str]]
    cofinanced: str
    needs: list[str]
    period: str

    @property
    def id(self) -> int | None:
        return self.row.id

    @property
    def name(self) -> str:
        return self.row.name


def _action_view(a: Action) -> ActionView:
    lines = [(str(c.get("membre", "")), euros(int(c.get("montant", 0)))) for c in a.cofinancings]
    total = sum(int(c.get("montant", 0)) for c in a.cofinancings)
    return ActionView(
        a,
        euros(a.budget) if a.budget is not None else "",
        lines,
        euros(total) if lines else "",
        [domain.BESOINS.get(n, n) for n in a.needs],
        period(a.start_date, a.end_date),
    )


@dataclass
class Category:
    name: str
    resources: list[Resource] = field(default_factory=list)


def by_category(resources: Iterable[Resource]) -> list[Category]:
    """The usual categories first, in the method's order, then the others as they come."""
    groups: dict[str, Category] = {}
    for r in resources:
        groups.setdefault(r.category, Category(r.category)).resources.append(r)
    usual = {name: n for n, name in enumerate(domain.RESOURCE_CATEGORIES)}
    return sorted(groups.values(), key=lambda c: usual.get(c.name, len(usual)))


def _link_state(stored: str) -> domain.LinkState:
    """A resource's stored link state, every write having checked it against `domain.LINK_STATES`."""
    if not domain.is_link_state(stored):
        raise ValueError(f"stored link state « {stored[:20]} » is none of {', '.join(domain.LINK_STATES)}")
    return stored


def fiche_view(session: Session, roadmap: Roadmap, chantier: Chantier) -> dict[str, Any]:
    enjeux = roadmaps.enjeux_of(session, roadmap.id)
    defis = roadmaps.defis_of(session, roadmap.id)
    defi = next((d for d in defis if d.id == chantier.defi_id), None)
    if defi is not None:
        answered = set(roadmaps.defi_links(session, roadmap.id).get(defi.id, []))
    else:
        answered = {chantier.enjeu_id} if chantier.enjeu_id else set()
    categories = by_category(roadmaps.resources_of(session, chantier.id))
    shown = [r for c in categories for r in c.resources]
    # Unchecked models, for the map's title and resources (`ref` is never read there).
    head = domain.Chantier.model_construct(ref="", code=chantier.code, title=chantier.title)
    rmap = ChantierMap(
        map_title(head),
        tuple(domain.Resource.model_construct(name=r.name, category=r.category, link=_link_state(r.link))
              for r in shown),
    )
    return {
        "roadmap": roadmap,
        "chantier": chantier,
        "base": f"/f/roadmaps/{roadmap.id}/chantiers/{chantier.id}",
        "page_url": f"/f/roadmaps/{roadmap.id}",
        "defi": defi,
        "defi_number": next((n for n, d in enumerate(defis, start=1) if d is defi), None),
        "defis": defis,
        "enjeux": enjeux,
        "answered": [(n, e) for n, e in enumerate(enjeux, start=1) if e.id in answered],
        "actions": [_action_view(a) for a in roadmaps.actions_of(session, chantier.id)],
        "categories": categories,
        "usual_categories": domain.RESOURCE_CATEGORIES,
        "rmap": rmap,
        "state_label": resource_map.STATE_LABELS,
        "link_states": domain.LINK_STATES,
        "besoins": domain.BESOINS,
        "years": (domain.MIN_YEAR, domain.MAX_YEAR),
        "editing": "",
        "oob": (),
    }
