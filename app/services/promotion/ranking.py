"""A ranking gives the roadmap its kept items as enjeux, with their rank, score, ballots, agreement
and the post-its behind them."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.errors import N_
from app.domain.provenance import source_items
from app.models import Activity, Enjeu, Item, Roadmap
from app.services import items, opinion_maps, rankings, roadmaps
from app.services.promotion.base import Form, Run, check_ids, form_ids, provenance, same

STEP = 1
"""Enjeux first: a table's rows go under them."""


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

    @property
    def empty(self) -> bool:
        return not self.enjeux


def gather(session: Session, roadmap: Roadmap, activity: Activity) -> RankingCandidates:
    query = select(col(Enjeu.source_item_id)).where(Enjeu.roadmap_id == roadmap.id)
    promoted = {i for i in session.exec(query) if i is not None}
    links = items.links_of_workshop(session, activity.workshop_id)
    result = rankings.result(session, activity)
    kept = [row for row in result.rows if row.item.kept]
    return RankingCandidates(
        activity,
        result,
        [
            EnjeuCandidate(
                row.item,
                row.rank,
                row.score,
                _number(row.value),
                [s.text for s in source_items(row.item.id, links)],
                row.item.id in promoted,
            )
            for row in kept
        ],
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def choices(form: Form) -> list[int]:
    """The ids of the kept items ticked."""
    return form_ids(form, "enjeu", N_("Enjeu(x)"))


def check(session: Session, roadmap: Roadmap, offers: list[RankingCandidates], item_ids: list[int]) -> None:
    check_ids(item_ids, {c.item.id for r in offers for c in r.enjeux}, N_("Enjeu(x)"))


def bring(run: Run, offers: list[RankingCandidates], item_ids: list[int]) -> None:
    """The chosen items' enjeux, in the ranking's order."""
    enjeux = {c.item.id: (r, c) for r in offers for c in r.enjeux}
    # Each ranking's carte des sensibilités, read once for all its enjeux.
    maps: dict[int, opinion_maps.Reading] = {}
    for item_id in sorted(item_ids, key=lambda i: (enjeux[i][1].rank, i)):
        ranking, candidate = enjeux[item_id]
        if item_id in run.by_item:
            run.summary.skipped += 1
            continue
        if ranking.activity.id not in maps:
            maps[ranking.activity.id] = opinion_maps.read(run.session, ranking.activity)
        stance = opinion_maps.stance(maps[ranking.activity.id], candidate.item.id)
        enjeu = _enjeu_of_item(run, ranking, candidate, stance)
        run.by_item[item_id] = enjeu
        run.took(enjeu)


def _enjeu_of_item(run: Run, ranking: RankingCandidates, candidate: EnjeuCandidate, stance: str) -> Enjeu:
    """The roadmap enjeu of a kept item: the roadmap's enjeu with that question if no workshop
    has given it one yet (written by hand, or made for a table's rows), now with the ranking's
    figures; else a new enjeu at the next position."""
    result = ranking.result
    agreement = None if result.agreement is None else round(result.agreement, 3)
    question = candidate.item.text[:1000]
    enjeu = next((e for e in roadmaps.enjeux_of(run.session, run.roadmap.id)
                  if e.source_item_id is None and same(e.question, question)), None)
    if enjeu is None:
        enjeu = Enjeu(roadmap_id=run.roadmap.id, position=run.next_enjeu, question=question)
    enjeu.score = candidate.score
    enjeu.score_label = candidate.score_label[:80]
    enjeu.source_item_id = candidate.item.id
    enjeu.provenance = provenance(
        run.workshop,
        ranking.activity,
        method=result.method_label,
        rank=candidate.rank,
        ballots=result.n_ballots,
        agreement=agreement,
        stance=stance,
        items=[t[:1000] for t in candidate.sources],
    )
    run.session.add(enjeu)
    run.session.flush()
    return enjeu
