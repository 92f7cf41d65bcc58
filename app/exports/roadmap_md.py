"""The roadmap as Markdown: plain text, headings #, ## and ###, lists (see `roadmap_docs.blocks`).

Text typed in the app is escaped, so that a « * » or a « # » in a chantier's title stays a
character and never becomes emphasis, a heading, a link or HTML. The resource maps are images;
Markdown keeps their content as the list of resources by category, just above.
"""

import re

from app.domain.roadmap import RoadmapFile
from app.exports import roadmap_docs as docs

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MARK_START = re.compile(r"^([#>]|[-+](?=\s))")
_NUMBER_START = re.compile(r"^(\d+)([.)])(?=\s)")


def md_text(text: str, indent: str = "") -> str:
    """Escaped Markdown for typed text; its own line breaks kept (as hard breaks, indented)."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _INLINE.sub(r"\\\1", line.strip())
        line = _NUMBER_START.sub(r"\1\\\2", _MARK_START.sub(r"\\\1", line))
        lines.append(line)
    return f"  \n{indent}".join(line for line in lines if line)


def _entry(entry: docs.Entry) -> list[str]:
    text = md_text(entry.text, "  ")
    if entry.label:
        text = f"{md_text(docs.labelled(entry.label))} {text}"
    if entry.details:
        text = f"**{text}**"
    if entry.note:
        text += f" — *{md_text(entry.note)}*"
    out = [f"- {text}"]
    for label, value in entry.details:
        out.append(f"  - {md_text(docs.labelled(label))} {md_text(value, '    ')}")
    return out


def _block(block: docs.Block) -> list[str]:
    if isinstance(block, docs.Cover):
        out = [f"# {md_text(block.title)}", "", f"*{md_text(block.kicker)}*", ""]
        for name, value in block.fields:
            out.append(f"- **{md_text(docs.labelled(name))}** {md_text(value, '  ')}")
        return out
    if isinstance(block, docs.Heading):
        return ["#" * block.level + " " + md_text(block.full)]
    if isinstance(block, docs.Paragraph):
        text = md_text(block.text)
        return [f"**{md_text(docs.labelled(block.label))}** {text}" if block.label else text]
    if isinstance(block, docs.Bullets):
        out = [f"**{md_text(docs.labelled(block.label))}**", ""] if block.label else []
        for entry in block.entries:
            out += _entry(entry)
        return out
    if isinstance(block, (docs.Figure, docs.Contents)):  # no pages to number: readers draw the outline
        return []
    raise TypeError(f"unknown block {block!r}")


def to_md(data: RoadmapFile) -> bytes:
    """UTF-8 Markdown, one blank line between blocks, ending with a newline."""
    parts = ["\n".join(lines) for lines in map(_block, docs.blocks(data)) if lines]
    return ("\n\n".join(parts) + "\n").encode("utf-8")
