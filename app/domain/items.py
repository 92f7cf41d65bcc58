"""Post-it rules: text validation and merging duplicates with provenance."""

import unicodedata
from dataclasses import dataclass

from app.domain.errors import N_, DomainError, NotAllowed

MAX_TEXT = 280


def clean_text(raw: str, max_length: int = MAX_TEXT) -> str:
    """Normalise a participant's text; refuse empty or oversized notes."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").strip()
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    if not text:
        raise DomainError(N_("Le post-it est vide."))
    if len(text) > max_length:
        raise DomainError(N_("Le post-it fait %(length)s caractères ; %(most)s au maximum."),
                          length=len(text), most=max_length)
    return text


def check_category(category: str, allowed: list[str]) -> str:
    category = category.strip()
    if not allowed:
        return ""
    if category not in allowed:
        raise DomainError(N_("Catégorie inconnue : « %(category)s ». Choix : %(choices)s."),
                          category=category, choices=", ".join(allowed))
    return category


@dataclass(frozen=True)
class ItemView:
    id: int
    activity_id: int
    text: str
    category: str
    hidden: bool
    merged_into_id: int | None


@dataclass(frozen=True)
class MergePlan:
    text: str
    category: str
    originals: tuple[int, ...]


def plan_merge(items: list[ItemView], activity_id: int, text: str | None,
               max_length: int = MAX_TEXT) -> MergePlan:
    """Merge 2+ visible notes of one activity into a new one that keeps their ids."""
    ids = [i.id for i in items]
    if len(set(ids)) < 2:
        raise DomainError(N_("Choisissez au moins deux post-its à fusionner."))
    for item in items:
        if item.activity_id != activity_id:
            raise NotAllowed(N_("Le post-it %(id)s n'appartient pas à cette activité."), id=item.id)
        if item.merged_into_id is not None:
            raise NotAllowed(N_("Le post-it %(id)s a déjà été fusionné."), id=item.id)
    first = min(items, key=lambda i: i.id)
    merged_text = clean_text(text, max_length) if text and text.strip() else first.text
    categories = {i.category for i in items}
    category = first.category if len(categories) > 1 else categories.pop()
    return MergePlan(text=merged_text, category=category, originals=tuple(sorted(set(ids))))
