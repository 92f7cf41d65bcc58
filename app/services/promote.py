"""From a workshop's results to the roadmap, in a few clicks.

What a workshop can give a roadmap: the priority enjeux its rankings kept (with their rank, score,
ballots, agreement and the post-its behind them), the rows of its chantier tables (each becomes a
chantier of its enjeu), and the resources of its resource maps (each becomes a resource of a
chantier, with its link state). `candidates` lists them, saying what is already in the roadmap;
`promote` brings the chosen ones in, in one transaction. Doing it twice adds nothing twice.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.domain import roadmap as domain
from app.domain import tables as table_domain
from app.domain.errors import DomainError, NotFound
from app.domain.provenance import source_items
from app.domain.resource_map import name_key
from app.models import (
    Action,
    Activity,
    Chantier,
    Enjeu,
    Item,
    Resource,
    ResourceLink,
    Roadmap,
    RoadmapWorkshop,
    TableRow,
    Workshop,
    WorkshopGroup,
)
from app.services import items, rankings, resource_maps, roadmaps, tables, workshops

NEW_CHANTIER = "nouveau"
# Where the two resource columns of a chantier table go on the chantier's resource list.
ROW_RESOURCES = {
    "resources_available": ("Ressources mobilisables", "connue-sans-lien"),
    "resources_needed": ("Ressources à mobiliser", "aucune"),
}
ROW_FIELDS = {"title", "objectives", "actions", "pilot", "doers", "associates", "obstacles", *ROW_RESOURCES}


@dataclass
class EnjeuCandidate:
    item: Item
    rank: int
    score_label: str
    score: float | None
    sources: list[str]
    promoted: bool


@dataclass
class RankingCandidates:
    activity: Activity
    result: rankings.Result
    enjeux: list[EnjeuCandidate]


@dataclass
class RowCandidate:
    row: TableRow
    title: str
    group: str
    promoted: bool


@dataclass
class SectionCandidates:
    label: str
    rows: list[RowCandidate]


@dataclass
class TableCandidates:
    activity: Activity
    sections: list[SectionCandidates]


@dataclass
class MapCandidates:
    activity: Activity
    chantier: str
    resources: list[ResourceLink]
    # The roadmap chantier it most likely is (same title), else None: a new chantier.
    target: Chantier | None


@dataclass
class Candidates:
    workshop: Workshop
    rankings: list[RankingCandidates] = field(default_factory=list)
    tables: list[TableCandidates] = field(default_factory=list)
    maps: list[MapCandidates] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            any(r.enjeux for r in self.rankings)
            or any(s.rows for t in self.tables for s in t.sections)
            or any(m.resources for m in self.maps)
        )


@dataclass
class Summary:
    enjeux: int = 0
    chantiers: int = 0
    actions: int = 0
    resources: int = 0
    skipped: int = 0


def _promoted_items(session: Session, roadmap_id: int) -> set[int]:
    query = select(col(Enjeu.source_item_id)).where(Enjeu.roadmap_id == roadmap_id)
    return {i for i in session.exec(query) if i is not None}


def _promoted_rows(session: Session, roadmap_id: int) -> set[int]:
    query = select(col(Chantier.source_row_id)).where(Chantier.roadmap_id == roadmap_id)
    return {i for i in session.exec(query) if i is not None}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _title_match(chantiers: list[Chantier], wanted: str) -> Chantier | None:
    """The chantier a map is about: « Chantier 1.b — Développer… » matches code 1.b or the title."""
    for chantier in chantiers:
        labels = [
            chantier.title,
            f"{chantier.code} {chantier.title}",
            f"Chantier {chantier.code} — {chantier.title}",
        ]
        if any(_same(wanted, label) for label in labels) or (
            chantier.title and _same(wanted[-len(chantier.title) :], chantier.title)
        ):
            return chantier
    return None


def candidates(session: Session, roadmap: Roadmap, workshop: Workshop) -> Candidates:
    out = Candidates(workshop)
    promoted_items = _promoted_items(session, roadmap.id)
    promoted_rows = _promoted_rows(session, roadmap.id)
    links = items.links_of_workshop(session, workshop.id)
    groups = {g.id: g.name for g in workshops.groups_of(session, workshop.id)}
    chantiers = roadmaps.chantiers_of(session, roadmap.id)
    for activity in workshops.activities_of(session, workshop.id):
        if activity.kind == "ranking":
            result = rankings.result(session, activity)
            kept = [row for row in result.rows if row.item.kept]
            out.rankings.append(
                RankingCandidates(
                    activity,
                    result,
                    [
                        EnjeuCandidate(
                            row.item,
                            row.rank,
                            row.score,
                            _number(row.value),
                            [s.text for s in source_items(row.item.id, links)],
                            row.item.id in promoted_items,
                        )
                        for row in kept
                    ],
                )
            )
        elif activity.kind == "table":
            sections = tables.sections_of(session, activity)
            rows = tables.rows_of(session, activity.id, include_hidden=False)
            by_section = table_domain.arrange(sections, rows, list(groups))
            out.tables.append(
                TableCandidates(
                    activity,
                    [
                        SectionCandidates(
                            block.section.label,
                            [
                                RowCandidate(
                                    row,
                                    row.cells.get("title", "").strip() or "(sans titre)",
                                    groups.get(row.group_id, ""),
                                    row.id in promoted_rows,
                                )
                                for row in block.rows
                            ],
                        )
                        for block in by_section
                    ],
                )
            )
        elif activity.kind == "resources":
            title = activity.config.get("chantier", activity.title)
            out.maps.append(
                MapCandidates(
                    activity,
                    title,
                    resource_maps.resources_of(session, activity.id, False),
                    _title_match(chantiers, title),
                )
            )
    return out


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# ---------------------------------------------------------------- promoting


def _check_ids(wanted: list[int], known: set[int], what: str) -> None:
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise NotFound(f"{what} inconnu(s) dans cet atelier : {', '.join(map(str, unknown[:5]))}.")


def promote(
    session: Session,
    roadmap: Roadmap,
    workshop: Workshop,
    item_ids: list[int],
    row_ids: list[int],
    map_targets: dict[int, str],
) -> Summary:
    """Bring the chosen results into the roadmap. `map_targets`: resource-map activity id → a chantier
    id of the roadmap, NEW_CHANTIER, or "" (not this map). All or nothing."""
    found = candidates(session, roadmap, workshop)
    enjeu_rows = {c.item.id: (r, c) for r in found.rankings for c in r.enjeux}
    table_rows = {rc.row.id: (t, s, rc) for t in found.tables for s in t.sections for rc in s.rows}
    maps = {m.activity.id: m for m in found.maps}
    _check_ids(item_ids, set(enjeu_rows), "Enjeu(x)")
    _check_ids(row_ids, set(table_rows), "Ligne(s) du tableau")
    _check_ids(list(map_targets), set(maps), "Cartographie(s)")
    chantier_ids = {c.id for c in roadmaps.chantiers_of(session, roadmap.id)}
    for target in map_targets.values():
        if target not in ("", NEW_CHANTIER) and (not target.isdigit() or int(target) not in chantier_ids):
            raise NotFound("Chantier de destination inconnu dans cette feuille de route.")
    summary = Summary()
    try:
        enjeux = roadmaps.enjeux_of(session, roadmap.id)
        by_item = {e.source_item_id: e for e in enjeux if e.source_item_id}
        next_position = max((e.position for e in enjeux), default=-1) + 1
        for item_id in sorted(item_ids, key=lambda i: (enjeu_rows[i][1].rank, i)):
            ranking, candidate = enjeu_rows[item_id]
            if item_id in by_item:
                summary.skipped += 1
                continue
            enjeu = _enjeu_of_item(session, roadmap, workshop, ranking, candidate, next_position)
            by_item[item_id] = enjeu
            if enjeu.position == next_position:
                next_position += 1
                summary.enjeux += 1
        chantiers = roadmaps.chantiers_of(session, roadmap.id)
        next_chantier = max((c.position for c in chantiers), default=-1) + 1
        for row_id in row_ids:
            table, section, row_candidate = table_rows[row_id]
            if row_candidate.promoted:
                summary.skipped += 1
                continue
            enjeu = _enjeu_of_section(
                session,
                roadmap,
                workshop,
                table.activity,
                row_candidate.row,
                section.label,
                by_item,
                next_position,
            )
            if enjeu.position == next_position:
                next_position += 1
                summary.enjeux += 1
            actions = _add_chantier(session, roadmap, table.activity, row_candidate.row, enjeu,
                                    next_chantier)
            next_chantier += 1
            summary.chantiers += 1
            summary.actions += actions
        for activity_id, target in map_targets.items():
            if target:
                summary.resources += _add_resources(
                    session, roadmap, maps[activity_id], target, next_chantier
                )
                next_chantier += 1
        if (
            session.exec(
                select(RoadmapWorkshop).where(
                    RoadmapWorkshop.roadmap_id == roadmap.id, RoadmapWorkshop.workshop_id == workshop.id
                )
            ).first()
            is None
        ):
            session.add(RoadmapWorkshop(roadmap_id=roadmap.id, workshop_id=workshop.id))
        roadmaps.touch(session, roadmap)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return summary


def _provenance(workshop: Workshop, activity: Activity, **extra: object) -> dict:
    data = domain.Provenance(
        workshop=workshop.title, date=workshop.created_at.date().isoformat(), activity=activity.title, **extra
    )
    return data.model_dump(mode="json", by_alias=True)


def _enjeu_of_item(
    session: Session,
    roadmap: Roadmap,
    workshop: Workshop,
    ranking: RankingCandidates,
    candidate: EnjeuCandidate,
    position: int,
) -> Enjeu:
    """The roadmap enjeu of a kept item: the roadmap's enjeu with that question if no workshop
    has given it one yet (written by hand, or made for a table's rows), now with the ranking's
    figures; else a new enjeu at `position`."""
    result = ranking.result
    agreement = None if result.agreement is None else round(result.agreement, 3)
    question = candidate.item.text[:1000]
    enjeu = next((e for e in roadmaps.enjeux_of(session, roadmap.id)
                  if e.source_item_id is None and _same(e.question, question)), None)
    if enjeu is None:
        enjeu = Enjeu(roadmap_id=roadmap.id, position=position, question=question)
    enjeu.score = candidate.score
    enjeu.score_label = candidate.score_label[:80]
    enjeu.source_item_id = candidate.item.id
    enjeu.provenance = _provenance(
            workshop,
            ranking.activity,
            method=result.method_label,
            rank=candidate.rank,
            ballots=result.n_ballots,
            agreement=agreement,
            items=[t[:1000] for t in candidate.sources],
        )
    session.add(enjeu)
    session.flush()
    return enjeu


def _enjeu_of_section(
    session: Session,
    roadmap: Roadmap,
    workshop: Workshop,
    table: Activity,
    row: TableRow,
    label: str,
    by_item: dict[int, Enjeu],
    position: int,
) -> Enjeu:
    """The roadmap enjeu a table row answers: the one promoted from the section's kept item, else
    the one with the section's question, else a new enjeu with that question."""
    item_id = int(row.section[5:]) if row.section.startswith("item-") and row.section[5:].isdigit() else None
    if item_id in by_item:
        return by_item[item_id]
    item = session.get(Item, item_id) if item_id else None
    question = (item.text if item else label) or f"Enjeu de « {table.title} »"
    for enjeu in roadmaps.enjeux_of(session, roadmap.id):
        if _same(enjeu.question, question):
            return enjeu
    enjeu = Enjeu(
        roadmap_id=roadmap.id,
        position=position,
        question=question[:1000],
        source_item_id=item.id if item else None,
        provenance=_provenance(workshop, table),
    )
    session.add(enjeu)
    session.flush()
    if item:
        by_item[item.id] = enjeu
    return enjeu


def _add_chantier(
    session: Session, roadmap: Roadmap, table: Activity, row: TableRow, enjeu: Enjeu, position: int
) -> int:
    cells = {k: v.strip() for k, v in row.cells.items() if isinstance(v, str)}
    labels = {c.key: c.label for c in table_domain.columns_of(table.config)}
    extra = [f"{labels.get(k, k)} : {v}" for k, v in cells.items() if v and k not in ROW_FIELDS]
    group = session.get(WorkshopGroup, row.group_id) if row.group_id else None
    chantier = Chantier(
        roadmap_id=roadmap.id,
        position=position,
        title=(cells.get("title") or "Chantier sans titre")[:500],
        description="\n".join(extra)[:20000],
        objectives=domain.split_lines(cells.get("objectives", "")),
        obstacles=domain.split_lines(cells.get("obstacles", "")),
        pilot=cells.get("pilot", "")[:1000],
        doers=cells.get("doers", "")[:1000],
        associates=cells.get("associates", "")[:2000],
        coordinator=(f"Proposé par « {group.name} »" if group else "")[:500],
        enjeu_id=enjeu.id,
        source_row_id=row.id,
    )
    session.add(chantier)
    session.flush()
    actions = domain.split_lines(cells.get("actions", ""))
    for n, name in enumerate(actions):
        session.add(Action(chantier_id=chantier.id, position=n, name=name[:500]))
    n = 0
    for key, (category, link) in ROW_RESOURCES.items():
        for name in domain.split_lines(cells.get(key, "")):
            session.add(
                Resource(chantier_id=chantier.id, position=n, name=name[:200], category=category, link=link)
            )
            n += 1
    return len(actions)


def _add_resources(
    session: Session, roadmap: Roadmap, found: MapCandidates, target: str, position: int
) -> int:
    if target == NEW_CHANTIER:
        chantier = Chantier(roadmap_id=roadmap.id, position=position, title=found.chantier[:500])
        session.add(chantier)
        session.flush()
    else:
        target_chantier = session.get(Chantier, int(target))
        if target_chantier is None or target_chantier.roadmap_id != roadmap.id:
            raise DomainError("Chantier de destination inconnu dans cette feuille de route.")
        chantier = target_chantier
    existing = {
        (name_key(r.name), r.category.casefold()): r for r in roadmaps.resources_of(session, chantier.id)
    }
    n = max((r.position for r in existing.values()), default=-1) + 1
    count = 0
    for link in found.resources:
        key = (name_key(link.name), link.category.casefold())
        resource = existing.get(key)
        if resource is None:
            resource = Resource(chantier_id=chantier.id, position=n, name=link.name, category=link.category)
            n += 1
        resource.link = link.state
        resource.source_link_id = link.id
        session.add(resource)
        existing[key] = resource
        count += 1
    return count
