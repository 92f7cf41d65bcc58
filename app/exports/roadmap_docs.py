"""The roadmap as a document: one walk over its outline, written out as DOCX, ODT, PDF or Markdown.

`blocks(data)` walks `domain.outline(data)` once and says what the document contains, in order,
with no format in mind: a cover, headings of three levels, labelled paragraphs, lists whose
entries may carry details, and the resource maps as figures. Each format has its writer
(`roadmap_docx`, `roadmap_odt`, `roadmap_pdf`, `roadmap_md`) turning these blocks into a file, so
every format shows the same sections in the same order:

- the cover: the territory, its kind and code, the perimeter, the carriers;
- the « Sommaire »: the level-1 and level-2 headings, with their page numbers where the format
  has pages (the Markdown writer leaves it out: a Markdown reader draws its own outline);
- « Contexte », « Gouvernance » (committees, type and frequency);
- « Enjeux prioritaires », in rank order, with score and provenance;
- « Défis, chantiers et actions »: each défi, the enjeux it answers, its chantiers and their
  actions; then the chantiers filed straight under an enjeu, and those under neither;
- « Fiches chantier »: description, « On aura réussi si : », « On doit lever des freins : »,
  governance, actions, resources by category with their link state, and the resource map.

The walk and the writers are pure: a `RoadmapFile` in, text or bytes out. `roadmap_export` at the
bottom reads a roadmap from the database and is what the routes and the command line call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar

from babel import numbers

from app import i18n
from app.domain import french
from app.domain import roadmap as domain
from app.domain.chantier_map import by_category
from app.domain.errors import N_
from app.domain.french import NBSP
from app.exports.resource_map_svg import chantier_map_svg
from app.screens.ranking import say

DASH = " — "


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Cover:
    kind: ClassVar[str] = "cover"
    kicker: str
    title: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Heading:
    """`number` (« Enjeu 1 », « Chantier 1.a ») comes before `text`; `new_page` starts a page.
    `anchor` names it for links (« titre-3 »), unique in the document."""

    kind: ClassVar[str] = "heading"
    level: int
    text: str
    number: str = ""
    new_page: bool = False
    anchor: str = ""

    @property
    def full(self) -> str:
        return f"{self.number}{DASH}{self.text}" if self.number else self.text


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; with a `label`, « label : text » with the label in bold."""

    kind: ClassVar[str] = "paragraph"
    text: str
    label: str = ""


@dataclass(frozen=True)
class Entry:
    """A list entry: « label : text » when it has a label. `details` are « label : value » lines under
    it (an action's porteurs, budget…); `note` follows the text after a dash (a resource's link
    state), `marker` names its look."""

    text: str
    label: str = ""
    details: tuple[tuple[str, str], ...] = ()
    note: str = ""
    marker: str = ""


@dataclass(frozen=True)
class Bullets:
    """A list, under an optional bold `label` (« On aura réussi si » : the writers add the colon)."""

    kind: ClassVar[str] = "bullets"
    entries: tuple[Entry, ...]
    label: str = ""


@dataclass(frozen=True)
class Figure:
    """A resource map: `svg` is a standalone SVG document, `alt` its alternative text."""

    kind: ClassVar[str] = "figure"
    svg: str
    caption: str
    alt: str


@dataclass(frozen=True)
class Contents:
    """The table of contents, on a page of its own after the cover: `entries` are the document's
    headings down to `levels`, in order, each with its anchor."""

    kind: ClassVar[str] = "contents"
    title: str
    levels: int
    entries: tuple[Heading, ...]


Block = Cover | Contents | Heading | Paragraph | Bullets | Figure
CONTENTS_TITLE = N_("Sommaire")
CONTENTS_LEVELS = 2


# ---------------------------------------------------------------- wording (French, or the current locale's)


def _french() -> bool:
    return i18n.current() == i18n.DEFAULT


# The documents' language (their metadata, and their text's, for spelling and hyphenation).
LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def language_tag() -> str:
    return LANGUAGE_TAGS.get(i18n.current(), "fr-FR")


def subject(data: domain.RoadmapFile) -> str:
    """The documents' subject (DOCX and ODT properties, the PDF's description)."""
    return i18n.gettext("Feuille de route d'inclusion numérique — %(territory)s",
                        territory=data.territory.name)


def labelled(label: str) -> str:
    """« Porteurs : » (French typography: a no-break space before the colon; « Carriers: » in English)."""
    return f"{label}{NBSP}:" if _french() else f"{label}:"


def quoted(text: str) -> str:
    """« text », the guillemets held to it (“text” in English)."""
    return f"«{NBSP}{text}{NBSP}»" if _french() else f"“{text}”"


def and_list(words: Sequence[str]) -> str:
    """« 1 », « 1 et 3 », « 1, 2 et 4 »."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + i18n.gettext(" et ") + words[-1]


def number(value: float) -> str:
    """« 12 500 », « 3,5 » (« 12,500 », « 3.5 » in English)."""
    if _french():
        return french.number(value)
    return numbers.format_decimal(value, format="#,##0.##", locale="en_GB")


def euros(amount: int) -> str:
    return french.euros(amount) if _french() else f"€{number(amount)}"


def percent(ratio: float) -> str:
    return french.percent(ratio) if _french() else f"{number(round(ratio * 100))}%"


def date_text(raw: str) -> str:
    """An ISO date in words (« 12 mars 2025 », « 12 March 2025 »); anything else as written."""
    if _french():
        return french.date_text(raw)
    try:
        return i18n.long_date(date.fromisoformat(raw))
    except ValueError:
        return raw


def period(start: str | None, end: str | None) -> str:
    """An action's time span (app.domain.french.period), in the current locale."""
    if _french():
        return french.period(start, end)

    def said(value: str) -> str:
        return date_text(value) if len(value) > 4 else value

    if start and end:
        if start == end:
            return said(start)
        return i18n.gettext("de %(start)s à %(end)s", start=said(start), end=said(end))
    if start:
        return i18n.gettext("à partir de %(start)s", start=said(start))
    if end:
        return i18n.gettext("jusqu'à %(end)s", end=said(end))
    return ""


def _form(n: int) -> int:
    """Which form of a count the cover takes: French « 0 enjeu », English « 0 issues »."""
    return 1 if n == 1 or (n == 0 and _french()) else 2


def _ordinal(rank: int) -> str:
    """« 1er », « 2e » (« 1st », « 2nd », « 3rd », « 4th » in English)."""
    if _french():
        return f"{rank}{'er' if rank == 1 else 'e'}"
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def cofinancings_text(action: domain.Action) -> str:
    """« Région : 20 000 € ; CAF : 5 000 € »."""
    return _join(f"{labelled(c.funder)} {euros(c.amount)}" for c in action.cofinancings)


def _join(texts: Any) -> str:
    """« a ; b » (« a; b » in English)."""
    return (" ; " if _french() else "; ").join(texts)


def needs_text(action: domain.Action) -> str:
    # The national platform's labels, word for word (so that each can be found there): in French.
    return _join(domain.BESOINS[code] for code in action.needs)


def territory_code_label(code: str) -> str:
    return i18n.gettext("Code SIREN") if len(code) == 9 else i18n.gettext("Code INSEE")


def chantier_number(chantier: domain.Chantier) -> str:
    if chantier.code:
        return i18n.gettext("Chantier %(code)s", code=chantier.code)
    return i18n.gettext("Chantier")


def provenance_text(p: domain.Provenance) -> str:
    """« atelier « Prospective » du 12 mars 2025, activité « Priorisation », méthode de Borda,
    2e au classement, 23 bulletins, accord 78 % »."""
    parts = []
    if p.workshop:
        workshop = quoted(p.workshop)
        parts.append(i18n.gettext("atelier %(workshop)s du %(date)s", workshop=workshop,
                                  date=date_text(p.date))
                     if p.date else i18n.gettext("atelier %(workshop)s", workshop=workshop))
    elif p.date:
        parts.append(date_text(p.date))
    if p.activity:
        parts.append(i18n.gettext("activité %(activity)s", activity=quoted(p.activity)))
    if p.method:
        parts.append(i18n.translate(p.method))
    if p.rank is not None:
        parts.append(i18n.gettext("%(rank)s au classement", rank=_ordinal(p.rank)))
    if p.ballots is not None:
        parts.append(i18n.ngettext("%(count)s bulletin", "%(count)s bulletins", p.ballots,
                                   count=number(p.ballots)))
    if p.agreement is not None:
        parts.append(i18n.gettext("accord %(share)s", share=percent(p.agreement)))
    if p.stance:
        parts.append(p.stance)
    return ", ".join(parts)


# ---------------------------------------------------------------- the walk


def text_blocks(text: str) -> list[Block]:
    """Free text (a context note): lines starting with « - », « • » or « * » become a list, blank
    lines separate paragraphs, other lines are paragraphs."""
    out: list[Block] = []
    entries: list[Entry] = []

    def flush() -> None:
        if entries:
            out.append(Bullets(tuple(entries)))
            entries.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line[:1] in ("-", "•", "*"):
            item = line.lstrip("-•*").strip()
            if item:
                entries.append(Entry(item))
            continue
        flush()
        if line:
            out.append(Paragraph(line))
    flush()
    return out


def _cover(data: domain.RoadmapFile, plan: domain.Outline) -> Cover:
    territory, info = data.territory, data.roadmap
    fields = [(i18n.gettext("Territoire"), territory.name),
              (i18n.gettext("Type de territoire"), i18n.translate(domain.TERRITORY_KINDS[territory.kind]))]
    if territory.code:
        fields.append((territory_code_label(territory.code), territory.code))
    if info.perimeter:
        fields.append((i18n.gettext("Périmètre"), i18n.translate(domain.PERIMETERS[info.perimeter])))
    if info.carriers:
        fields.append((i18n.gettext("Porteurs"), _join(info.carriers)))
    chantiers = plan.all_chantiers()
    actions = sum(len(c.actions) for c in chantiers)
    # French: « 0 enjeu », « 1 défi », « 2 chantiers » (the singular up to one).
    n_enjeux, n_defis, n_chantiers = len(data.enjeux), len(data.defis), len(chantiers)
    counts = [i18n.ngettext("%(num)s enjeu", "%(num)s enjeux", _form(n_enjeux), num=n_enjeux),
              i18n.ngettext("%(num)s défi", "%(num)s défis", _form(n_defis), num=n_defis),
              i18n.ngettext("%(num)s chantier", "%(num)s chantiers", _form(n_chantiers), num=n_chantiers),
              i18n.ngettext("%(num)s action", "%(num)s actions", _form(actions), num=actions)]
    fields.append((i18n.gettext("Contenu"), ", ".join(counts)))
    return Cover(i18n.gettext("Feuille de route d'inclusion numérique"), info.name, tuple(fields))


def _governance(info: domain.RoadmapInfo) -> list[Block]:
    entries = []
    for c in info.committees:
        details = [(i18n.gettext("Type"), i18n.translate(domain.COMMITTEE_KINDS[c.kind]))]
        if c.frequency:
            details.append((i18n.gettext("Fréquence"), c.frequency))
        entries.append(Entry(c.name, details=tuple(details)))
    return [Bullets(tuple(entries))]


def _enjeu(section: domain.EnjeuSection) -> list[Block]:
    e = section.enjeu
    out: list[Block] = [Heading(2, e.question, i18n.gettext("Enjeu %(number)s", number=section.number))]
    score = domain.score_text(e.score, e.score_label)
    if score:
        out.append(Paragraph(say(score), i18n.gettext("Score")))  # « bat 2 sur 3 », « 63 pts »…
    p = e.provenance
    if p is not None:
        summary = provenance_text(p)
        if summary:
            out.append(Paragraph(summary, i18n.gettext("Provenance")))
    if section.defi_numbers:
        words = and_list([str(n) for n in section.defi_numbers])
        if len(section.defi_numbers) == 1:
            out.append(Paragraph(i18n.gettext("défi %(numbers)s", numbers=words),
                                 i18n.gettext("Défi qui y répond")))
        else:
            out.append(Paragraph(i18n.gettext("défis %(numbers)s", numbers=words),
                                 i18n.gettext("Défis qui y répondent")))
    if p is not None and p.items:
        out.append(Bullets(tuple(Entry(item) for item in p.items), i18n.gettext("Contributions d'origine")))
    return out


def action_entry(action: domain.Action) -> Entry:
    """An action with what the national platform asks of it, in words."""
    details: list[tuple[str, str]] = []
    if action.context:
        details.append((i18n.gettext("Contexte"), action.context))
    if action.description:
        details.append((i18n.gettext("Description"), action.description))
    if action.carriers:
        details.append((i18n.gettext("Porteurs"), _join(action.carriers)))
    if action.budget is not None:
        details.append((i18n.gettext("Budget global"), euros(action.budget)))
    if action.cofinancings:
        total = euros(domain.cofinanced(action))
        details.append((i18n.gettext("Co-financements"), i18n.gettext(
            "%(cofinancings)s (total %(total)s)", cofinancings=cofinancings_text(action), total=total)))
    if action.needs:
        details.append((i18n.gettext("Besoins"), needs_text(action)))
    when = period(action.start, action.end)
    if when:
        details.append((i18n.gettext("Période"), when))
    if action.recipients:
        details.append((i18n.gettext("Destinataires de la subvention"), _join(action.recipients)))
    return Entry(action.name, details=tuple(details))


def _chantier_summary(chantier: domain.Chantier, level: int) -> list[Block]:
    out: list[Block] = [Heading(level, chantier.title, chantier_number(chantier))]
    if chantier.coordinator:
        out.append(Paragraph(chantier.coordinator, i18n.gettext("Coordonné par")))
    if chantier.actions:
        out.append(Bullets(tuple(action_entry(a) for a in chantier.actions),
                           i18n.gettext("Actions concrètes")))
    return out


def _still(names: Sequence[str], total: int, one: str, many: str, every: str) -> str:
    """One sentence for what several défis or chantiers still lack: ``one`` and ``many`` take the
    names (« Le défi {} … », « Les défis {} … »), ``every`` is said when all of them lack it."""
    if len(names) == total and total > 1:
        return every
    return one % {"names": names[0]} if len(names) == 1 else many % {"names": and_list(list(names))}


def _chantier_name(chantier: domain.Chantier) -> str:
    return chantier.code or quoted(chantier.title).replace(NBSP, " ")


def _pending(defis: Sequence[domain.DefiSection], chantiers: Sequence[domain.Chantier]) -> list[Block]:
    """What is still to be done, said once at the head of a section rather than under each défi and
    chantier (a young roadmap would otherwise read as a page of « pas encore »)."""
    out: list[Block] = []
    alone = [str(d.number) for d in defis if not d.enjeu_numbers]
    if alone:
        out.append(Paragraph(_still(
            alone, len(defis), i18n.gettext("Le défi %(names)s n'est encore rattaché à aucun enjeu."),
            i18n.gettext("Les défis %(names)s ne sont encore rattachés à aucun enjeu."),
            i18n.gettext("Aucun défi n'est encore rattaché à un enjeu."))))
    empty = [str(d.number) for d in defis if not d.chantiers]
    if empty:
        out.append(Paragraph(_still(
            empty, len(defis), i18n.gettext("Le défi %(names)s n'a pas encore de chantier."),
            i18n.gettext("Les défis %(names)s n'ont pas encore de chantier."),
            i18n.gettext("Aucun défi n'a encore de chantier."))))
    idle = [_chantier_name(c) for c in chantiers if not c.actions]
    if idle:
        out.append(Paragraph(_still(
            idle, len(chantiers), i18n.gettext("Le chantier %(names)s n'a pas encore d'action concrète."),
            i18n.gettext("Les chantiers %(names)s n'ont pas encore d'action concrète."),
            i18n.gettext("Aucun de ces chantiers n'a encore d'action concrète."))))
    return out


def _defi(section: domain.DefiSection, plan: domain.Outline) -> list[Block]:
    d = section.defi
    out: list[Block] = [Heading(2, d.title, i18n.gettext("Défi %(number)s", number=section.number))]
    if section.enjeu_numbers:
        enjeux = {e.number: e.enjeu for e in plan.enjeux}
        label = (i18n.gettext("Répond à l'enjeu") if len(section.enjeu_numbers) == 1
                 else i18n.gettext("Répond aux enjeux"))
        out.append(Bullets(tuple(
            Entry(i18n.gettext("Enjeu %(number)s", number=n) + f"{DASH}{enjeux[n].question}")
            for n in section.enjeu_numbers), label))
    out.extend(text_blocks(d.description))
    for chantier in section.chantiers:
        out.extend(_chantier_summary(chantier, 3))
    return out


def has_fiche(chantier: domain.Chantier) -> bool:
    """A fiche chantier is written for a chantier that says more than its title and actions."""
    g = chantier.governance
    return bool(chantier.description or chantier.objectives or chantier.obstacles or g.pilot
                or g.doers or g.associates or chantier.resources)


def link_label(state: str) -> str:
    label = i18n.translate(domain.LINK_STATES[state])
    return label[:1].lower() + label[1:]


def _fiche(chantier: domain.Chantier, plan: domain.Outline, first: bool) -> list[Block]:
    out: list[Block] = [Heading(2, chantier.title, chantier_number(chantier), new_page=not first)]
    enjeux = plan.enjeux_of(chantier)
    if enjeux:
        out.append(Paragraph(and_list([str(n) for n in enjeux]), i18n.gettext("Répond à l'enjeu")
                             if len(enjeux) == 1 else i18n.gettext("Répond aux enjeux")))
    if chantier.coordinator:
        out.append(Paragraph(chantier.coordinator, i18n.gettext("Coordonné par")))
    if chantier.description:
        out.append(Heading(3, i18n.gettext("Description du chantier")))
        out.extend(text_blocks(chantier.description))
    if chantier.objectives:
        out.append(Bullets(tuple(Entry(o) for o in chantier.objectives), i18n.gettext("On aura réussi si")))
    if chantier.obstacles:
        out.append(Bullets(tuple(Entry(o) for o in chantier.obstacles),
                           i18n.gettext("On doit lever des freins")))
    g = chantier.governance
    roles = [(i18n.gettext("Qui pilote"), g.pilot), (i18n.gettext("Qui fait"), g.doers),
             (i18n.gettext("Qui est associé"), g.associates)]
    if any(value for _, value in roles):
        out.append(Heading(3, i18n.gettext("Gouvernance")))
        out.append(Bullets(tuple(Entry(value, role) for role, value in roles if value)))
    if chantier.actions:
        out.append(Heading(3, i18n.gettext("Actions concrètes")))
        out.append(Bullets(tuple(Entry(a.name) for a in chantier.actions)))
    if chantier.resources:
        out.append(Heading(3, i18n.gettext("Ressources à mobiliser")))
        for category, members in by_category(chantier.resources):
            category = i18n.translate(category)
            out.append(Bullets(tuple(Entry(r.name, note=link_label(r.link), marker=r.link) for r in members),
                               category[:1].upper() + category[1:]))
        out.append(Heading(3, i18n.gettext("Cartographie des ressources")))
        caption = i18n.gettext("Cartographie des ressources du %(chantier)s",
                               chantier=chantier_number(chantier).lower())
        out.append(Figure(chantier_map_svg(chantier), caption, i18n.gettext(
            "%(caption)s : ses ressources et leur lien au chantier sont listés sous « Ressources à "
            "mobiliser ».", caption=caption)))
    return out


# Characters XML 1.0 cannot hold (DOCX, ODT, SVG and HTML are XML or close to it).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(data: domain.RoadmapFile) -> domain.RoadmapFile:
    """The roadmap with any character a document cannot hold replaced by U+FFFD (�)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _NOT_XML.sub("\ufffd", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return domain.RoadmapFile.model_validate(clean(data.model_dump(by_alias=True)))


def blocks(data: domain.RoadmapFile) -> list[Block]:
    """The whole document, in order."""
    data = printable(data)
    plan = domain.outline(data)
    info = data.roadmap
    out: list[Block] = [_cover(data, plan)]
    after_cover = True  # the first section starts on the page after the cover

    def section(title: str, page: bool = True) -> None:
        nonlocal after_cover
        out.append(Heading(1, title, new_page=page or after_cover))
        after_cover = False

    if info.context:
        section(i18n.gettext("Contexte"))
        out.extend(text_blocks(info.context))
    if info.committees:
        section(i18n.gettext("Gouvernance"), page=False)
        out.extend(_governance(info))
    section(i18n.gettext("Enjeux prioritaires"))
    chantiers = plan.all_chantiers()
    started = bool(plan.defis or chantiers)
    if plan.enjeux:
        out.append(Paragraph(
            i18n.gettext("Les enjeux sont présentés par ordre de priorité.") if started else
            i18n.gettext("Les enjeux sont présentés par ordre de priorité ; leurs défis, leurs chantiers et "
                         "leurs actions restent à définir.")))
    else:
        out.append(Paragraph(
            i18n.gettext("Aucun enjeu n'est encore inscrit dans cette feuille de route.") if started else
            i18n.gettext("Aucun enjeu, défi ni chantier n'est encore inscrit dans cette feuille de route.")))
    for e in plan.enjeux:
        out.extend(_enjeu(e))
    if plan.defis:
        section(i18n.gettext("Défis, chantiers et actions"))
        out.extend(_pending(plan.defis, [c for d in plan.defis for c in d.chantiers]))
        for d in plan.defis:
            out.extend(_defi(d, plan))
    loose = [e for e in plan.enjeux if e.loose_chantiers]
    if loose or plan.orphans:
        section(i18n.gettext("Chantiers rattachés directement à un enjeu") if not plan.orphans
                else i18n.gettext("Chantiers qui ne relèvent pas encore d'un défi"))
        out.extend(_pending((), [c for e in loose for c in e.loose_chantiers] + list(plan.orphans)))
        for e in loose:
            out.append(Heading(2, e.enjeu.question, i18n.gettext("Enjeu %(number)s", number=e.number)))
            for chantier in e.loose_chantiers:
                out.extend(_chantier_summary(chantier, 3))
        if plan.orphans:
            out.append(Heading(2, i18n.gettext("Chantiers sans enjeu ni défi")))
            for chantier in plan.orphans:
                out.extend(_chantier_summary(chantier, 3))
    detailed = [c for c in plan.all_chantiers() if has_fiche(c)]
    if detailed:
        section(i18n.gettext("Fiches chantier"))
        for n, chantier in enumerate(detailed):
            out.extend(_fiche(chantier, plan, first=n == 0))
    return _with_contents(out)


def _with_contents(out: list[Block]) -> list[Block]:
    """Each heading named by its place (« titre-1 », « titre-2 »…), and the « Sommaire » of those
    down to level 2 right after the cover."""
    named: list[Block] = []
    count = 0
    for block in out:
        if isinstance(block, Heading):
            count += 1
            block = replace(block, anchor=f"titre-{count}")
        named.append(block)
    entries = tuple(b for b in named if isinstance(b, Heading) and b.level <= CONTENTS_LEVELS)
    return [named[0], Contents(i18n.translate(CONTENTS_TITLE), CONTENTS_LEVELS, entries), *named[1:]]
