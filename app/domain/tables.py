"""The chantier table (fiche outil n° 3): its columns, its sections (the enjeux), its cells.

Pure code: no web, no SQL. The services store rows; this module says what a valid cell is,
which sections a table has, and how rows are arranged by section and sub-group for the screens.
"""

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from app.domain.errors import N_, DomainError
from app.domain.workshop_templates import DEFAULT_COLUMNS

MAX_CELL = 2000
TITLE = "title"
ORPHAN_KEY = "?"

# What the board and the control page write above a cell (the template's labels are questions).
# Marked for the catalogs: screens and exports show them in their reader's language.
SHORT_LABELS = {
    "title": N_("Titre"),
    "objectives": N_("On aura réussi si…"),
    "actions": N_("Actions"),
    "pilot": N_("Pilote"),
    "doers": N_("Qui fait"),
    "associates": N_("Associés"),
    "resources_available": N_("Ressources mobilisables"),
    "resources_needed": N_("À mobiliser"),
    "obstacles": N_("Freins"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    multiline: bool = True

    @property
    def short(self) -> str:
        return SHORT_LABELS.get(self.key) or abridge(self.label, 28)


def columns_of(config: Mapping[str, Any]) -> list[Column]:
    """The columns of a table activity (its validated template settings)."""
    raw = config.get("columns") or [
        {"key": k, "label": label, "multiline": m} for k, label, m in DEFAULT_COLUMNS
    ]
    return [Column(c["key"], c["label"], bool(c.get("multiline", True))) for c in raw]


def clean_cell(raw: str, column: Column, max_length: int = MAX_CELL) -> str:
    """Normalise a cell's text (control characters dropped, one line if the column is)."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    if column.multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    else:
        text = " ".join(text.split())
    text = text.strip()
    if len(text) > max_length:
        raise DomainError(N_("« %(column)s » fait %(length)s caractères ; %(most)s au maximum."),
                          column=column.label, length=len(text), most=max_length)
    return text


def clean_cells(raw: Mapping[str, str], columns: Sequence[Column]) -> dict[str, str]:
    """Validate the cells of a form: known columns only, each within the length limit."""
    by_key = {c.key: c for c in columns}
    unknown = [k for k in raw if k not in by_key]
    if unknown:
        keys = ", ".join(by_key)
        raise DomainError(N_("Colonne inconnue : « %(column)s ». Colonnes du tableau : %(keys)s."),
                          column=unknown[0][:40], keys=keys)
    return {key: clean_cell(value, by_key[key]) for key, value in raw.items()}


def merged_cells(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """A row's cells after an edit; a chantier always keeps a title."""
    cells = {**current, **changes}
    cells = {k: v for k, v in cells.items() if v}
    if not cells.get(TITLE):
        raise DomainError(N_("Donnez un titre au chantier."))
    return cells


def changed_columns(current: Mapping[str, str], mine: Mapping[str, str],
                    columns: Sequence[Column]) -> list[str]:
    """The columns where someone's text differs from the current version (to merge a conflict)."""
    return [c.key for c in columns if (current.get(c.key) or "") != (mine.get(c.key) or "")]


def filled(cells: Mapping[str, str], columns: Sequence[Column]) -> int:
    return sum(1 for c in columns if cells.get(c.key))


def one_line(text: str) -> str:
    """A multi-line cell on one line (the lines of a list of actions become « a · b · c »)."""
    return " · ".join(part.strip(" -•*\t") for part in text.split("\n") if part.strip(" -•*\t"))


def abridge(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word when possible, with an ellipsis."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.·-") + "…"


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """An enjeu of the table. `number` is its rank (1-based); 0 for rows of a removed enjeu."""

    key: str
    label: str
    number: int


def fixed_sections(labels: Sequence[str] | None) -> list[Section]:
    """The template's sections, or one unnamed section when it has none."""
    if not labels:
        return [Section("0", "", 1)]
    return [Section(str(i), label, i + 1) for i, label in enumerate(labels)]


def item_sections(items: Iterable[tuple[int, str]]) -> list[Section]:
    """One section per enjeu kept by an earlier ranking, in the ranking's order."""
    return [Section(f"item-{item_id}", text, n) for n, (item_id, text) in enumerate(items, 1)]


def check_section(key: str, sections: Sequence[Section]) -> Section:
    for section in sections:
        if section.key == key:
            return section
    raise DomainError(N_("Enjeu inconnu dans ce tableau : « %(key)s »."), key=key[:24])


# ---------------------------------------------------------------- arranging rows


class RowLike(Protocol):
    @property
    def id(self) -> int: ...

    section: str
    group_id: int | None
    position: int


R = TypeVar("R", bound=RowLike)


@dataclass
class GroupRows:
    group_id: int | None
    rows: list[Any] = field(default_factory=list)


@dataclass
class SectionRows:
    section: Section
    groups: list[GroupRows] = field(default_factory=list)

    @property
    def rows(self) -> list[Any]:
        return [row for group in self.groups for row in group.rows]

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def arrange(sections: Sequence[Section], rows: Iterable[R],
            group_order: Sequence[int | None] = ()) -> list[SectionRows]:
    """Rows by section, then by sub-group (in the workshop's order), then in order of creation.

    Rows whose enjeu is no longer a section (the facilitator kept other enjeux) are gathered in a
    last section, so that nothing written is lost from sight.
    """
    rank = {gid: n for n, gid in enumerate(group_order)}
    ordered = sorted(rows, key=lambda r: (rank.get(r.group_id, len(rank)), r.position, r.id or 0))
    out = {s.key: SectionRows(s) for s in sections}
    orphans = SectionRows(Section(ORPHAN_KEY, N_("Chantiers d'un enjeu qui n'est plus retenu"), 0))
    for row in ordered:
        target = out.get(row.section, orphans)
        if not target.groups or target.groups[-1].group_id != row.group_id:
            target.groups.append(GroupRows(row.group_id))
        target.groups[-1].rows.append(row)
    result = list(out.values())
    if orphans.groups:
        result.append(orphans)
    return result


def next_position(positions: Iterable[int]) -> int:
    return max(positions, default=0) + 1
