"""What every kind's promotion shares: what it offers, the summary, one run's state, the checks."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session

from app.domain import roadmap as domain
from app.domain.errors import N_, DomainError, NotFound, Term
from app.models import Activity, Enjeu, Roadmap, Workshop
from app.services import roadmap_edit
from app.services.roadmap_edit import is_id

NEW_CHANTIER = "nouveau"


class Form(roadmap_edit.Form, Protocol):
    """The submitted page (Starlette's `FormData`), also read field by field in order."""

    def multi_items(self) -> list[tuple[str, Any]]: ...


class Offer(Protocol):
    """What one activity of a workshop can give the roadmap."""

    @property
    def activity(self) -> Activity: ...

    @property
    def empty(self) -> bool: ...


@dataclass
class Candidates:
    workshop: Workshop
    kinds: dict[str, list[Offer]]
    """Kind → what each of its activities offers, the kinds in the order they are brought in."""

    @property
    def empty(self) -> bool:
        return all(offer.empty for offers in self.kinds.values() for offer in offers)


@dataclass
class Summary:
    enjeux: int = 0
    chantiers: int = 0
    actions: int = 0
    resources: int = 0
    skipped: int = 0


@dataclass
class Run:
    """One promotion's transaction, handed from kind to kind in their order."""

    session: Session
    roadmap: Roadmap
    workshop: Workshop
    next_enjeu: int
    next_chantier: int
    by_item: dict[int, Enjeu]
    """The enjeu of each kept item: a table row goes under the enjeu of its section's item."""
    summary: Summary = field(default_factory=Summary)

    def took(self, enjeu: Enjeu) -> None:
        """Count an enjeu a step made or found: a new one took the next position."""
        if enjeu.position == self.next_enjeu:
            self.next_enjeu += 1
            self.summary.enjeux += 1


def form_ids(form: Form, name: str, what: str) -> list[int]:
    """The ids ticked in a form's field."""
    values = [value.strip() if isinstance(value, str) else "" for value in form.getlist(name)]
    if not all(is_id(value) for value in values):
        raise DomainError(N_("%(what)s : choix illisible."), what=Term(what))
    return [int(value) for value in values]


def check_ids(wanted: list[int], known: set[int], what: str) -> None:
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise NotFound(N_("%(what)s inconnu(s) dans cet atelier : %(ids)s."), what=Term(what),
                       ids=", ".join(map(str, unknown[:5])))


def same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def provenance(workshop: Workshop, activity: Activity, **extra: object) -> dict:
    data = domain.Provenance(
        workshop=workshop.title, date=workshop.created_at.date().isoformat(), activity=activity.title, **extra
    )
    return data.model_dump(mode="json", by_alias=True)
