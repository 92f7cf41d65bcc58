"""The territory's roadmap (feuille de route): its vocabulary, its file format, its outline.

Pure code: pydantic and the standard library. The roadmap is
Territoire → Feuille de route → Enjeu → Défi → Chantier → (Ressource, Action) (DESIGN.md §4).
A défi may answer several enjeux; a chantier belongs to a défi, or, straight from a workshop's
chantier table and until someone files it under a défi, to an enjeu.

`RoadmapFile` is the complete, versioned JSON format (`SCHEMA`, `VERSION`): what the app exports
and re-imports, and what the exports (DOCX, ODT, PDF, Markdown, XLSX) are written from. Keys are
French; an action's keys are the national platform's own (`nom`, `contexte`, `budgetGlobal`,
`besoins`, `dateDeDebut`…) so that an export can be re-keyed there. `parse_file` checks a file
completely (version, fields, references between enjeux, défis and chantiers) and names the place
of the first problems; nothing is half-read.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Final, Literal, TypeAlias, TypeGuard, get_args

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.domain.errors import N_, Said, Saids, Term, worded
from app.domain.french import NBSP, number
from app.domain.validation import problems

SCHEMA: Final = "cap-partage/feuille-de-route"
VERSION: Final = 1

# The labels are marked for the catalogs: the documents say them in their language.
TERRITORY_KINDS = {
    "commune": N_("Commune"),
    "epci": N_("EPCI"),
    "departement": N_("Département"),
    "region": N_("Région"),
    "autre": N_("Autre"),
}
# The national platform's `perimetreGeographique` (src/domain/FeuilleDeRoute.ts), with our labels.
PERIMETERS = {
    "departemental": N_("Départemental"),
    "groupementsDeCommunes": N_("Groupements de communes"),
    "regional": N_("Régional"),
}
# Spellings of earlier versions of the file format, still read.
PERIMETER_SYNONYMS = {"groupements-de-communes": "groupementsDeCommunes"}
COMMITTEE_KINDS = {
    "strategique": N_("Stratégique"),
    "technique": N_("Technique"),
    "consultatif": N_("Consultatif"),
    "autre": N_("Autre"),
}
LINK_STATES = {
    "operante": N_("Opérante"),
    "connue-sans-lien": N_("Connue, sans lien"),
    "aucune": N_("Aucun lien"),
}
RESOURCE_CATEGORIES = (N_("partenaires de projet"), N_("ressources matérielles"), N_("intervenants"),
                       N_("financements"), N_("ressources humaines"))
# The national platform's needs of an action: its codes (`BesoinsPossible`,
# src/use-cases/queries/shared/ActionReadModel.ts) and its labels, word for word, its spelling
# kept (`BESOINS_LABELS`, src/presenters/shared/besoins.ts), so that a label can be found there;
# in the order of its form's groups (`BESOINS_CATEGORIES`: formations, financements, outillages,
# formations des professionnels).
BESOINS = {
    "etablir_un_diagnostic_territorial": "Établir un diagnostic territorial",
    "co_construire_la_feuille_de_route": "Co-construire la feuille de route avec les membres",
    "rediger_la_feuille_de_route": "Rédiger la feuille de route",
    "appui_juridique": "Appui juridique dédié à la gouvernance",
    "structurer_un_fonds": "Structurer un fond local pour l’inclusion numérique",
    "monter_dossiers_de_subvention": "Monter des dossiers de subvention complexes",
    "animer_la_gouvernance": "Animer et mettre en œuvre la gouvernance et la feuille de route",
    "structurer_une_filiere_de_reconditionnement": "Structurer une filière de reconditionnement locale",
    "collecter_des_donnees_territoriales": (
        "Collecter des données territoriales pour alimenter un hub "
        "national"),
    "sensibiliser_les_acteurs_aux_outils_existants": (
        "Sensibiliser les acteur de l’inclusion numérique aux outils "
        "existants"),
    "appuyer_la_certification_qualiopi": (
        "Appuyer la certification Qualiopi de structures privées portant des "
        "formations à l’inclusion numérique"),
}
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CODE = 12  # a chantier's code: « 1.a », « CTG-1 »
# An INSEE code (commune 2A004, département 24, région 75) or a SIREN (EPCI: 9 digits).
TERRITORY_CODE = r"^([0-9][0-9AB][0-9]{0,3}|[0-9]{9})?$"
MAX_LIST = 200


# The codes above as types (a `Literal` must be written out); `_check_codes` keeps them equal.
TerritoryKind: TypeAlias = Literal["commune", "epci", "departement", "region", "autre"]
Perimeter: TypeAlias = Literal["departemental", "groupementsDeCommunes", "regional"]
CommitteeKind: TypeAlias = Literal["strategique", "technique", "consultatif", "autre"]
LinkState: TypeAlias = Literal["operante", "connue-sans-lien", "aucune"]
Besoin: TypeAlias = Literal[
    "etablir_un_diagnostic_territorial",
    "co_construire_la_feuille_de_route",
    "rediger_la_feuille_de_route",
    "appui_juridique",
    "structurer_un_fonds",
    "monter_dossiers_de_subvention",
    "animer_la_gouvernance",
    "structurer_une_filiere_de_reconditionnement",
    "collecter_des_donnees_territoriales",
    "sensibiliser_les_acteurs_aux_outils_existants",
    "appuyer_la_certification_qualiopi",
]


def _check_codes() -> None:
    """Each `Literal` above lists its dictionary's keys, in the same order (the order of the
    choices in a validation message); checked on import, so that a test sees any drift."""
    for literal, labels in ((TerritoryKind, TERRITORY_KINDS), (Perimeter, PERIMETERS),
                            (CommitteeKind, COMMITTEE_KINDS), (LinkState, LINK_STATES), (Besoin, BESOINS)):
        if get_args(literal) != tuple(labels):
            raise AssertionError(f"{literal} does not list the keys {tuple(labels)}")


_check_codes()


def is_link_state(value: str) -> TypeGuard[LinkState]:
    """Whether a stored text is a resource's link state (a key of `LINK_STATES`)."""
    return value in LINK_STATES


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    """The constraints of a text field: `Annotated[str, _text(200, 1)]`."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Ref: TypeAlias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                                  pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Line: TypeAlias = Annotated[str, _text(1000, 1)]
Euros: TypeAlias = Annotated[int, Field(ge=0, le=10**12)]


def _platform_date(value: object) -> object:
    """An action's start or end: a year alone (« 2025 », also the integer 2025 of earlier files)
    or a day (« 2025-03-15 »), kept as given: a year is not turned into the 1st of January."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return value
    given = value.strip()
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", given)  # « 15/03/2025 », as typed in a form
    text = f"{french[3]}-{int(french[2]):02d}-{int(french[1]):02d}" if french else given
    refused = Said(N_("« %(given)s » n'est ni une année (2025) ni une date (2025-03-15)"), given=given[:20])
    if len(text) not in (4, 10):
        raise ValueError(refused)
    try:
        year = int(text) if len(text) == 4 and text.isdigit() else date.fromisoformat(text).year
    except ValueError:
        raise ValueError(refused) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(Said(N_("année %(year)s hors de la période %(first)s–%(last)s"), year=year,
                              first=MIN_YEAR, last=MAX_YEAR))
    return text


PlatformDate: TypeAlias = Annotated[str, BeforeValidator(_platform_date)]


def _perimeter(value: object) -> object:
    return PERIMETER_SYNONYMS.get(value, value) if isinstance(value, str) else value


def period_bounds(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """The first day a start allows and the last day an end allows (a year: 1 January, 31 December)."""
    first = (date(int(start), 1, 1) if len(start) == 4 else date.fromisoformat(start)) if start else None
    last = (date(int(end), 12, 31) if len(end) == 4 else date.fromisoformat(end)) if end else None
    return first, last


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=False,
                              str_strip_whitespace=True)


class Territory(_Model):
    name: Annotated[str, _text(200, 1)] = Field(alias="nom")
    kind: TerritoryKind = Field(alias="type")
    # Empty when unknown.
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=TERRITORY_CODE)] = ""


class Committee(_Model):
    name: Annotated[str, _text(200, 1)] = Field(alias="nom")
    kind: CommitteeKind = Field(alias="type")
    frequency: Annotated[str, _text(200)] = Field(default="", alias="frequence")


class RoadmapInfo(_Model):
    name: Annotated[str, _text(200, 1)] = Field(alias="nom")
    perimeter: Annotated[Perimeter | None, BeforeValidator(_perimeter)] = Field(
        default=None, alias="perimetre")
    carriers: list[Line] = Field(default_factory=list, max_length=MAX_LIST, alias="porteurs")
    context: Annotated[str, _text(20000)] = Field(default="", alias="contexte")
    committees: list[Committee] = Field(default_factory=list, max_length=MAX_LIST, alias="gouvernance")


class Provenance(_Model):
    """Where an enjeu came from: the workshop, the vote, and the post-its behind it (a snapshot,
    so that the roadmap still says it once the workshop is deleted)."""

    workshop: Annotated[str, _text(200)] = Field(default="", alias="atelier")
    date: Annotated[str, _text(40)] = ""
    activity: Annotated[str, _text(200)] = Field(default="", alias="activite")
    method: Annotated[str, _text(60)] = Field(default="", alias="methode")
    rank: Annotated[int, Field(ge=1)] | None = Field(default=None, alias="rang")
    ballots: Annotated[int, Field(ge=0)] | None = Field(default=None, alias="bulletins")
    agreement: Annotated[float, Field(ge=0, le=1)] | None = Field(default=None, alias="accord")
    # Its place in the vote's carte des sensibilités: « fédérateur (…) » or « clivant (…) ».
    stance: Annotated[str, _text(300)] = Field(default="", alias="sensibilite")
    items: list[Line] = Field(default_factory=list, max_length=MAX_LIST, alias="contributions")


class Enjeu(_Model):
    ref: Ref = Field(alias="id")
    question: Line
    score: float | None = None
    score_label: Annotated[str, _text(80)] = Field(default="", alias="score_libelle")
    provenance: Provenance | None = None


class Defi(_Model):
    ref: Ref = Field(alias="id")
    title: Annotated[str, _text(500, 1)] = Field(alias="titre")
    description: Annotated[str, _text(8000)] = ""
    enjeux: list[Ref] = Field(default_factory=list, max_length=MAX_LIST)


class Governance(_Model):
    pilot: Annotated[str, _text(1000)] = Field(default="", alias="pilote")
    doers: Annotated[str, _text(1000)] = Field(default="", alias="fait")
    associates: Annotated[str, _text(2000)] = Field(default="", alias="associes")


class Resource(_Model):
    name: Annotated[str, _text(200, 1)] = Field(alias="nom")
    category: Annotated[str, _text(60, 1)] = Field(alias="categorie")
    link: LinkState = Field(default="aucune", alias="lien")


class Cofinancing(_Model):
    # The platform's co-financement is {membre, montant}; files of earlier versions said « coFinanceur ».
    funder: Annotated[str, _text(300, 1)] = Field(alias="membre",
                                                  validation_alias=AliasChoices("membre", "coFinanceur"))
    amount: Euros = Field(alias="montant")


class Action(_Model):
    name: Annotated[str, _text(500, 1)] = Field(alias="nom")
    context: Annotated[str, _text(8000)] = Field(default="", alias="contexte")
    description: Annotated[str, _text(8000)] = ""
    carriers: list[Line] = Field(default_factory=list, max_length=MAX_LIST, alias="porteurs")
    budget: Euros | None = Field(default=None, alias="budgetGlobal")
    cofinancings: list[Cofinancing] = Field(default_factory=list, max_length=MAX_LIST, alias="coFinancements")
    needs: list[Besoin] = Field(default_factory=list, alias="besoins")
    start: PlatformDate | None = Field(default=None, alias="dateDeDebut")
    end: PlatformDate | None = Field(default=None, alias="dateDeFin")
    # The members a subsidy request for this action would go to (the platform's « destinataires »).
    recipients: list[Line] = Field(default_factory=list, max_length=MAX_LIST, alias="destinataires")

    @property
    def start_year(self) -> int | None:
        return int(self.start[:4]) if self.start else None

    @property
    def end_year(self) -> int | None:
        return int(self.end[:4]) if self.end else None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Action:
        first, last = period_bounds(self.start, self.end)
        if first and last and last < first:
            raise ValueError(Said(N_("%(end_key)s (%(end)s) avant %(start_key)s (%(start)s)"),
                                  end_key="dateDeFin", end=self.end, start_key="dateDeDebut",
                                  start=self.start))
        if len(set(self.needs)) != len(self.needs):
            raise ValueError(Said(N_("un même besoin est cité deux fois")))
        return self


class Chantier(_Model):
    ref: Ref = Field(alias="id")
    code: Annotated[str, _text(MAX_CODE)] = ""
    title: Annotated[str, _text(500, 1)] = Field(alias="titre")
    description: Annotated[str, _text(20000)] = ""
    objectives: list[Line] = Field(default_factory=list, max_length=MAX_LIST, alias="objectifs")
    obstacles: list[Line] = Field(default_factory=list, max_length=MAX_LIST, alias="freins")
    governance: Governance = Field(default_factory=Governance, alias="gouvernance")
    coordinator: Annotated[str, _text(500)] = Field(default="", alias="service_coordinateur")
    defi: Ref | None = None
    enjeu: Ref | None = None
    resources: list[Resource] = Field(default_factory=list, max_length=MAX_LIST, alias="ressources")
    actions: list[Action] = Field(default_factory=list, max_length=MAX_LIST)


class RoadmapFile(_Model):
    schema_: Literal["cap-partage/feuille-de-route"] = Field(default=SCHEMA, alias="schema")
    version: Literal[1] = VERSION
    territory: Territory = Field(alias="territoire")
    roadmap: RoadmapInfo = Field(alias="feuille_de_route")
    enjeux: list[Enjeu] = Field(default_factory=list, max_length=MAX_LIST)
    defis: list[Defi] = Field(default_factory=list, max_length=MAX_LIST)
    chantiers: list[Chantier] = Field(default_factory=list, max_length=MAX_LIST)

    @model_validator(mode="after")
    def _references(self) -> RoadmapFile:
        problems: list[Said] = []
        for what, refs in (("enjeux", [e.ref for e in self.enjeux]), ("defis", [d.ref for d in self.defis]),
                           ("chantiers", [c.ref for c in self.chantiers])):
            seen: set[str] = set()
            for index, ref in enumerate(refs):
                if ref in seen:
                    problems.append(Said(N_("%(place)s : « %(ref)s » est déjà pris par un autre élément"),
                                         place=f"{what}[{index}].id", ref=ref))
                seen.add(ref)
        codes: dict[str, int] = {}
        for index, chantier in enumerate(self.chantiers):
            if chantier.code in codes:
                problems.append(Said(N_("%(place)s : « %(code)s » est déjà le code de %(other)s"),
                                     place=f"chantiers[{index}].code", code=chantier.code,
                                     other=f"chantiers[{codes[chantier.code]}]"))
            elif chantier.code:
                codes[chantier.code] = index
        enjeux = {e.ref for e in self.enjeux}
        defis = {d.ref for d in self.defis}
        for index, defi in enumerate(self.defis):
            for j, ref in enumerate(defi.enjeux):
                if ref not in enjeux:
                    problems.append(Said(N_("%(place)s : « %(ref)s » ne correspond à aucun enjeu"),
                                         place=f"defis[{index}].enjeux[{j}]", ref=ref))
        for index, chantier in enumerate(self.chantiers):
            if chantier.defi is not None and chantier.defi not in defis:
                problems.append(Said(N_("%(place)s : « %(ref)s » ne désigne aucun défi"),
                                     place=f"chantiers[{index}].defi", ref=chantier.defi))
            if chantier.enjeu is not None and chantier.enjeu not in enjeux:
                problems.append(Said(N_("%(place)s : « %(ref)s » ne désigne aucun enjeu"),
                                     place=f"chantiers[{index}].enjeu", ref=chantier.enjeu))
        if problems:
            raise ValueError(Saids(problems))
        return self


class RoadmapFileError(Exception):
    """A roadmap file that cannot be imported; `problems` name each place (`chantiers[3].titre`)."""

    def __init__(self, problems: Sequence[str], error: ValidationError | None = None) -> None:
        self.problems = list(problems)
        self.error = error
        super().__init__("Fichier de feuille de route refusé : " + " ; ".join(self.problems))

    def said(self, say: Callable[..., str]) -> list[str]:
        """The problems as ``say`` words them (`app.i18n.gettext`: in the reader's language)."""
        if self.error is not None:
            return problems(self.error, say=say)
        return [worded(problem, say) for problem in self.problems]


MAX_DEPTH = 12  # a roadmap file nests 8 levels at most (chantiers[i].actions[j].coFinancements[k].montant)


def _too_deep(data: object) -> str | None:
    """The place of the first value nested deeper than `MAX_DEPTH`, walked without recursion."""
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, at, depth = stack.pop()
        if depth > MAX_DEPTH:
            return at
        if isinstance(value, dict):
            stack.extend((v, f"{at}.{k}" if at else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{at}[{n}]", depth + 1) for n, v in enumerate(value))
    return None


def _unreadable_text(value: object, place: str = "") -> list[str]:
    """Places of strings no document can hold: control characters (but tab and new line) and lone
    surrogates, which JSON escapes let through."""
    if isinstance(value, str):
        bad = [ch for ch in value if (ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF]
        if not bad:
            return []
        return [Said(N_("%(place)s : caractère de contrôle ou invalide (U+%(code)s)"),
                     place=place or Term(N_("fichier")), code=f"{ord(bad[0]):04X}")]
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in _unreadable_text(item, f"{place}.{key}" if place else str(key))]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in _unreadable_text(item, f"{place}[{n}]")]
    return []


def parse_file(raw: bytes | str) -> RoadmapFile:
    """A roadmap file read, checked and ready to import, or `RoadmapFileError` naming the places."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        unreadable_json = Said(N_("ce n'est pas un fichier JSON lisible (%(error)s)"), error=err)
        raise RoadmapFileError([unreadable_json]) from None
    except RecursionError:
        too_deep = Said(N_("le fichier imbrique des objets ou des listes sur des milliers de niveaux ; "
                           "une feuille de route en compte %(most)s au plus"), most=MAX_DEPTH)
        raise RoadmapFileError([too_deep]) from None
    except ValueError:
        # Python refuses to read integers of more than 4,300 digits (a guard against slow parsing).
        raise RoadmapFileError([Said(N_("le fichier contient un nombre de plusieurs milliers de chiffres ; "
                                        "aucun champ d'une feuille de route n'en demande autant"))]) from None
    if not isinstance(data, dict):
        raise RoadmapFileError([Said(N_("le fichier doit contenir un objet JSON { … }"))])
    deep = _too_deep(data)
    if deep is not None:
        raise RoadmapFileError([Said(N_("%(place)s : imbriqué sur plus de %(most)s niveaux ; "
                                        "une feuille de route n'en compte pas autant"),
                                     place=deep, most=MAX_DEPTH)])
    if data.get("schema") != SCHEMA:
        raise RoadmapFileError([Said(N_("schema : « %(expected)s » attendu, pas « %(given)s »"),
                                     expected=SCHEMA, given=str(data.get("schema"))[:60])])
    if data.get("version") != VERSION:
        raise RoadmapFileError([Said(N_("version : ce fichier est en version « %(given)s » ; "
                                        "cette version de Cap Partagé lit la version %(version)s"),
                                     given=str(data.get("version"))[:20], version=VERSION)])
    unreadable = _unreadable_text(data)
    if unreadable:
        raise RoadmapFileError(unreadable)
    try:
        return RoadmapFile.model_validate(data)
    except ValidationError as err:
        raise RoadmapFileError(problems(err), error=err) from None


def dump_file(roadmap: RoadmapFile) -> str:
    """The JSON text of a roadmap: stable key order and layout, so that equal roadmaps give equal
    files (export → import → export is byte for byte the same)."""
    data = roadmap.model_dump(mode="json", by_alias=True)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- outline


def chantier_code(defi_number: int | None, taken: Iterable[str]) -> str:
    """The next free code under the n-th défi: "1.a", "1.b"… (or "1", "2"… with no défi)."""
    used = set(taken)
    if defi_number is None:
        n = 1
        while str(n) in used:
            n += 1
        return str(n)
    for letter in _letters():
        code = f"{defi_number}.{letter}"
        if code not in used:
            return code
    raise AssertionError("unreachable: letters never run out")


def follows(code: str, defi_number: int | None) -> bool:
    """Whether a code is in the numbering of the n-th défi (« 2.b » or « 2 » under défi 2), or, with
    no défi, in that of the chantiers without one (« 3 »)."""
    if defi_number is None:
        return code.isdigit()
    return code == str(defi_number) or code.startswith(f"{defi_number}.")


def renumbered(chantiers: Sequence[tuple[str, int | None, int | None]]) -> list[str]:
    """The chantiers' codes once the défis are numbered anew. Each chantier is given as (its code, the
    number of its défi before, after), in the roadmap's order. A code in its défi's old numbering
    takes the new number (« 2.a » under the défi that becomes n° 1 → « 1.a »); the others stay
    (« CTG-1 », or under a défi that keeps its number). No code is given twice: where the new code
    is already taken, the chantier gets the next free letter under its défi (`chantier_code`), once
    every other has its own."""
    out = [code for code, _old, _new in chantiers]
    moving = [n for n, (code, old, new) in enumerate(chantiers)
              if old is not None and new is not None and old != new and follows(code, old)]
    taken = {code for n, code in enumerate(out) if n not in moving}
    blocked = []
    for n in moving:
        code, old, new = chantiers[n]
        wanted = f"{new}{code[len(str(old)):]}"
        if wanted in taken or len(wanted) > MAX_CODE:
            blocked.append(n)
        else:
            out[n] = wanted
            taken.add(wanted)
    for n in blocked:
        out[n] = chantier_code(chantiers[n][2], taken)
        taken.add(out[n])
    return out


def _letters() -> Iterable[str]:
    yield from string.ascii_lowercase
    for first in string.ascii_lowercase:
        for second in string.ascii_lowercase:
            yield first + second


@dataclass
class DefiSection:
    number: int
    defi: Defi
    enjeu_numbers: list[int]
    chantiers: list[Chantier]


@dataclass
class EnjeuSection:
    number: int
    enjeu: Enjeu
    defi_numbers: list[int]
    # Chantiers filed straight under this enjeu, not yet under a défi.
    loose_chantiers: list[Chantier] = field(default_factory=list)


@dataclass
class Outline:
    """The document's order: enjeux by rank, défis in order with their chantiers, and which enjeu
    each answers. Every export walks this, so they all agree."""

    enjeux: list[EnjeuSection]
    defis: list[DefiSection]
    orphans: list[Chantier]  # neither under a défi nor under an enjeu

    def all_chantiers(self) -> list[Chantier]:
        out = [c for d in self.defis for c in d.chantiers]
        out += [c for e in self.enjeux for c in e.loose_chantiers]
        return out + self.orphans

    def enjeux_of(self, chantier: Chantier) -> list[int]:
        """The numbers of the enjeux a chantier answers (through its défi, or directly)."""
        for section in self.defis:
            if chantier in section.chantiers:
                return section.enjeu_numbers
        return [e.number for e in self.enjeux if chantier in e.loose_chantiers]


def outline(roadmap: RoadmapFile) -> Outline:
    """Enjeux are numbered in list order (the list is kept in rank order), défis likewise."""
    enjeu_number = {e.ref: n for n, e in enumerate(roadmap.enjeux, start=1)}
    defi_number = {d.ref: n for n, d in enumerate(roadmap.defis, start=1)}
    defis = [DefiSection(defi_number[d.ref], d, sorted(enjeu_number[r] for r in d.enjeux), [])
             for d in roadmap.defis]
    enjeux = [EnjeuSection(enjeu_number[e.ref], e, []) for e in roadmap.enjeux]
    orphans = []
    for chantier in roadmap.chantiers:
        if chantier.defi in defi_number:
            defis[defi_number[chantier.defi] - 1].chantiers.append(chantier)
        elif chantier.enjeu in enjeu_number:
            enjeux[enjeu_number[chantier.enjeu] - 1].loose_chantiers.append(chantier)
        else:
            orphans.append(chantier)
    for section in enjeux:
        section.defi_numbers = [d.number for d in defis if section.number in d.enjeu_numbers]
    return Outline(enjeux, defis, orphans)


def score_text(score: float | None, label: str) -> str:
    """An enjeu's score as read, once: a vote's label already holds the figure in the method's
    unit (« 63 pts », « bat 2 sur 3 », a majority grade), so it is printed alone; a bare unit
    (« points ») follows the number; a number without a label is printed alone."""
    figure = number(score) if score is not None else ""
    if not label:
        return figure
    if not figure or re.search(rf"(?<![\d,]){re.escape(figure)}(?![\d,])", label.replace(" ", NBSP)):
        return label
    return f"{figure} {label}"


def cofinanced(action: Action) -> int:
    return sum(c.amount for c in action.cofinancings)


def split_lines(raw: str) -> list[str]:
    """A textarea's lines as list entries (« on aura réussi si… », freins): bullets and blanks
    dropped."""
    out = []
    for line in raw.splitlines():
        text = line.strip().lstrip("-•*–").strip()
        if text:
            out.append(text)
    return out
