"""The post-its' part of the compte-rendu: the visible post-its by category, a merge once."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import select

from app import i18n
from app.exports.report_base import Reading, capitalised
from app.models import Item

if TYPE_CHECKING:
    from docx.document import Document as DocumentType


@dataclass
class Note:
    text: str
    group: str
    merged: int  # how many post-its this one gathers (0: a post-it as written)
    authors: list[str] = field(default_factory=list)


@dataclass
class NoteColumn:
    name: str
    notes: list[Note]


@dataclass
class PostitsPart:
    columns: list[NoteColumn]
    count: int


def part(reading: Reading) -> PostitsPart:
    ctx, people = reading.ctx, reading.people
    everything = reading.session.exec(select(Item).where(Item.activity_id == reading.activity.id)).all()
    originals: dict[int, list[Item]] = {}
    for item in everything:
        if item.merged_into_id is not None:
            originals.setdefault(item.merged_into_id, []).append(item)

    def authors(note: Item) -> list[str]:
        sources = originals.get(note.id) or [note]
        return list(dict.fromkeys(a for a in (people.of(s.participant_id) for s in sources) if a))

    columns = [NoteColumn(capitalised(c.name),
                          [Note(n.text, reading.group_name(n.group_id), ctx["merged_counts"].get(n.id, 0),
                                authors(n)) for n in c.items])
               for c in ctx["columns"]]
    return PostitsPart([c for c in columns if c.notes], ctx["count"])


def write_docx(doc: "DocumentType", p: PostitsPart) -> None:
    # imported on use: python-docx loads slowly
    from app.exports.report_docx_base import add_note, add_small

    doc.add_paragraph().add_run(
        i18n.ngettext("%(num)s post-it (après regroupement des doublons).",
                      "%(num)s post-its (après regroupement des doublons).", p.count)).bold = True
    if not p.columns:
        add_note(doc, i18n.gettext("Aucun post-it."))
    for column in p.columns:
        doc.add_heading(f"{column.name} ({len(column.notes)})", level=2)
        for note in column.notes:
            paragraph = doc.add_paragraph(style="List Bullet")
            paragraph.add_run(note.text)
            meta = [note.group] if note.group else []
            if note.merged:
                meta.append(i18n.gettext("regroupe %(count)s post-its", count=note.merged))
            if note.authors:
                meta.append(", ".join(note.authors))
            if meta:
                add_small(paragraph, " — " + " · ".join(meta))
