"""Aggregating a room's priorities: rankings (Borda, Schulze), dot voting, majority judgment.

Conventions (shown to facilitators, keep them in sync with the board's legend):

- Items are identified by hashable ids (the database's item ids); ``items`` is the list as the
  activity presents it. Its order is the final, deterministic tie-break of every method: among
  items the method cannot separate, the one listed first comes first. Such items share a ``rank``
  (competition ranking: 1, 2, 2, 4) and are flagged ``tied``.
- A ranking ballot must be a full permutation of the items (no partial ballots).
- Borda: on m items, first place earns m − 1 points, last place 0. Ties: equal points.
- Schulze: pairwise preferences d[a][b]; a link a→b has strength d[a][b] when d[a][b] > d[b][a],
  else 0 ("winning votes"; with full permutations it ranks the same as margins); strongest
  (widest) paths p by Floyd–Warshall; a beats b when p[a][b] > p[b][a]. The order is built from
  that relation by levels: rank 1 is every item that no other item beats (the Schulze winners);
  remove them and repeat on the rest. An item is therefore ranked strictly above every item it
  beats, and two items share a rank only when neither beats the other. The ``score`` is the
  number of items an item beats, shown beside the rank; it does not set the order (an unbeaten
  item may beat fewer items than one it is tied with or ranked above).
- Kendall's W over full permutations (no tie correction needed); ``None`` with fewer than 2
  ballots or fewer than 2 items. Dot voting and majority judgment ballots only order the items
  partially (equal points, equal grades): ``kendall_w_scores`` ranks each ballot with ties (mid
  ranks) and applies the usual tie correction. ``agreement_level`` names W in plain French.
- Dot voting: each participant spreads at most ``budget`` whole points, optionally at most
  ``max_per_item`` on one item. Order: points, then number of voters (broader support), then
  ``items``; tied when both points and voters are equal.
- Majority judgment (Balinski & Laraki): grades are listed from best to worst; a grade missing
  from a ballot counts as the worst grade, as Balinski and Laraki count an abstention as « à
  rejeter », so every item is judged by the same voters. Majority grade: the lower median. Order:
  the "majority value", i.e. the sequence of medians obtained by removing the median grade one at
  a time, compared lexicographically; items with the same sequence (same merit profile) are tied.
- Top N: the first N of an order; items outside the first N tied with the N-th are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import permutations
from types import MappingProxyType

from app.domain.errors import N_, DomainError

__all__ = [
    "AGREEMENT_LEVELS",
    "DEFAULT_GRADES",
    "DEFAULT_TOP_N",
    "DotVotingResult",
    "GradeProfile",
    "MajorityJudgmentResult",
    "RankingResult",
    "SchulzeResult",
    "Standing",
    "TopN",
    "agreement_level",
    "borda",
    "condorcet_winner",
    "dot_voting",
    "kendall_w",
    "kendall_w_scores",
    "majority_judgment",
    "majority_value",
    "pairwise_preferences",
    "schulze",
    "strongest_paths",
    "top_n",
    "validate_dots",
    "validate_grades",
    "validate_ranking",
]

# The app's item ids. The methods only compare and hash them (the tests also use letters).
ItemId = int

DEFAULT_GRADES: tuple[str, ...] = ("très prioritaire", "prioritaire", "secondaire", "pas prioritaire")
DEFAULT_TOP_N = 4


@dataclass(frozen=True)
class Standing:
    """An item's place in an aggregated order; ``score``'s meaning depends on the method."""

    item: ItemId
    rank: int
    score: int | float | str | None
    tied: bool


@dataclass(frozen=True)
class RankingResult:
    method: str
    standings: tuple[Standing, ...]
    n_ballots: int
    agreement: float | None

    @property
    def order(self) -> tuple[ItemId, ...]:
        return tuple(s.item for s in self.standings)


@dataclass(frozen=True)
class SchulzeResult(RankingResult):
    preferences: Mapping[tuple[ItemId, ItemId], int]
    paths: Mapping[tuple[ItemId, ItemId], int]


@dataclass(frozen=True)
class DotVotingResult:
    standings: tuple[Standing, ...]
    points: Mapping[ItemId, int]
    voters: Mapping[ItemId, int]
    n_ballots: int
    total_points: int

    @property
    def order(self) -> tuple[ItemId, ...]:
        return tuple(s.item for s in self.standings)


@dataclass(frozen=True)
class GradeProfile:
    """One item's merit profile. ``counts`` follow the grades from best to worst."""

    item: ItemId
    counts: tuple[int, ...]
    majority_grade: str | None
    majority_grade_index: int | None
    above: float
    below: float
    sign: str
    majority_value: tuple[int, ...]


@dataclass(frozen=True)
class MajorityJudgmentResult:
    grades: tuple[str, ...]
    standings: tuple[Standing, ...]
    profiles: Mapping[ItemId, GradeProfile]
    n_ballots: int

    @property
    def order(self) -> tuple[ItemId, ...]:
        return tuple(s.item for s in self.standings)


@dataclass(frozen=True)
class TopN:
    kept: tuple[Standing, ...]
    tied_outside: tuple[Standing, ...]

    @property
    def tie_at_cut(self) -> bool:
        return bool(self.tied_outside)

    @property
    def items(self) -> tuple[ItemId, ...]:
        return tuple(s.item for s in self.kept)


# --- shared -----------------------------------------------------------------------------------


def _check_items(items: Sequence[ItemId]) -> None:
    if len(set(items)) != len(items):
        raise DomainError(N_("La liste des éléments contient des doublons."))


def _is_id_of(value: object, known: set[ItemId]) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return value in known
    except TypeError:
        return False


def _standings(
    items: Sequence[ItemId], key: Mapping[ItemId, tuple[int, ...]], score: Mapping[ItemId, int | str | None]
) -> tuple[Standing, ...]:
    """Sort by ``key`` descending, then by position in ``items``; equal keys share a rank."""
    position = {item: i for i, item in enumerate(items)}
    ordered = sorted(items, key=lambda item: position[item])
    ordered.sort(key=lambda item: key[item], reverse=True)
    counts: dict[tuple[int, ...], int] = {}
    for item in items:
        counts[key[item]] = counts.get(key[item], 0) + 1
    standings = []
    rank = 0
    previous: tuple[int, ...] | None = None
    for index, item in enumerate(ordered):
        if key[item] != previous:
            rank = index + 1
            previous = key[item]
        standings.append(Standing(item=item, rank=rank, score=score[item], tied=counts[key[item]] > 1))
    return tuple(standings)


def _label(item: ItemId) -> str:
    return f"« {item} »"


# --- rankings ---------------------------------------------------------------------------------


def validate_ranking(ballot: object, items: Sequence[ItemId]) -> tuple[ItemId, ...]:
    """A ranking ballot (best first) as a tuple; it must order every item exactly once."""
    _check_items(items)
    if isinstance(ballot, str | bytes | Mapping) or not isinstance(ballot, Iterable):
        raise DomainError(N_("Un classement doit être une liste ordonnée des éléments."))
    ranked = tuple(ballot)
    known = set(items)
    unknown = [value for value in ranked if not _is_id_of(value, known)]
    if unknown:
        raise DomainError(N_("Élément inconnu dans le classement : %(items)s."),
                          items=", ".join(map(_label, unknown)))
    seen: set[ItemId] = set()
    duplicated = []
    for value in ranked:
        if value in seen and value not in duplicated:
            duplicated.append(value)
        seen.add(value)
    if duplicated:
        raise DomainError(N_("Chaque élément doit être classé une seule fois : %(items)s "
                             "apparaît plusieurs fois."),
                          items=", ".join(map(_label, duplicated)))
    missing = [item for item in items if item not in seen]
    if missing:
        raise DomainError(N_("Le classement doit contenir tous les éléments ; il manque %(items)s."),
                          items=", ".join(map(_label, missing)))
    return ranked


def _valid_ballots(ballots: Iterable[object], items: Sequence[ItemId]) -> list[tuple[ItemId, ...]]:
    return [validate_ranking(ballot, items) for ballot in ballots]


def borda(ballots: Iterable[Sequence[ItemId]], items: Sequence[ItemId]) -> RankingResult:
    """Borda count: m − 1 points for first place … 0 for last; agreement is Kendall's W."""
    valid = _valid_ballots(ballots, items)
    m = len(items)
    points = dict.fromkeys(items, 0)
    for ballot in valid:
        for position, item in enumerate(ballot):
            points[item] += m - 1 - position
    standings = _standings(items, {i: (points[i],) for i in items}, points)
    return RankingResult("borda", standings, len(valid), _kendall_w(valid, items))


def pairwise_preferences(
    ballots: Iterable[Sequence[ItemId]], items: Sequence[ItemId]
) -> dict[tuple[ItemId, ItemId], int]:
    """d[(a, b)]: how many ballots rank a above b."""
    valid = _valid_ballots(ballots, items)
    return _pairwise(valid, items)


def _pairwise(valid: list[tuple[ItemId, ...]], items: Sequence[ItemId]) -> dict[tuple[ItemId, ItemId], int]:
    d = {(a, b): 0 for a, b in permutations(items, 2)}
    for ballot in valid:
        for i, a in enumerate(ballot):
            for b in ballot[i + 1 :]:
                d[(a, b)] += 1
    return d


def strongest_paths(
    d: Mapping[tuple[ItemId, ItemId], int], items: Sequence[ItemId]
) -> dict[tuple[ItemId, ItemId], int]:
    """p[(a, b)]: strength of the widest path from a to b (Schulze, winning votes)."""
    p = {(a, b): (d[(a, b)] if d[(a, b)] > d[(b, a)] else 0) for a, b in permutations(items, 2)}
    for k in items:
        for i in items:
            if i == k:
                continue
            for j in items:
                if j in (i, k):
                    continue
                p[(i, j)] = max(p[(i, j)], min(p[(i, k)], p[(k, j)]))
    return p


def schulze(ballots: Iterable[Sequence[ItemId]], items: Sequence[ItemId]) -> SchulzeResult:
    """Schulze method: levels of unbeaten items (see the module's conventions); ``score`` is the
    number of items an item beats on strongest paths."""
    valid = _valid_ballots(ballots, items)
    d = _pairwise(valid, items)
    p = strongest_paths(d, items)
    wins = {a: sum(1 for b in items if b != a and p[(a, b)] > p[(b, a)]) for a in items}
    level = _unbeaten_levels(items, p)
    standings = _standings(items, {i: (-level[i],) for i in items}, wins)
    return SchulzeResult(
        method="schulze",
        standings=standings,
        n_ballots=len(valid),
        agreement=_kendall_w(valid, items),
        preferences=MappingProxyType(d),
        paths=MappingProxyType(p),
    )


def _unbeaten_levels(
    items: Sequence[ItemId], p: Mapping[tuple[ItemId, ItemId], int]
) -> dict[ItemId, int]:
    """Level 1: the items no other item beats; then the same among the items left, and so on.

    The beat relation is a strict partial order (Schulze 2011, §4.1), so every non-empty set of
    items has an unbeaten one and each round removes at least one item.
    """
    left = list(items)
    level: dict[ItemId, int] = {}
    depth = 0
    while left:
        depth += 1
        unbeaten = [b for b in left if not any(p[(a, b)] > p[(b, a)] for a in left if a != b)]
        for item in unbeaten:
            level[item] = depth
        left = [item for item in left if item not in level]
    return level


def condorcet_winner(ballots: Iterable[Sequence[ItemId]], items: Sequence[ItemId]) -> ItemId | None:
    """The item preferred to every other one by a strict majority of ballots, if there is one."""
    d = pairwise_preferences(ballots, items)
    for a in items:
        if all(d[(a, b)] > d[(b, a)] for b in items if b != a):
            return a
    return None


def kendall_w(ballots: Iterable[Sequence[ItemId]], items: Sequence[ItemId]) -> float | None:
    """Kendall's coefficient of concordance, 0 (no agreement) to 1 (identical ballots)."""
    return _kendall_w(_valid_ballots(ballots, items), items)


def _kendall_w(valid: list[tuple[ItemId, ...]], items: Sequence[ItemId]) -> float | None:
    n, m = len(valid), len(items)
    if n < 2 or m < 2:
        return None
    rank_sums = dict.fromkeys(items, 0)
    for ballot in valid:
        for position, item in enumerate(ballot, start=1):
            rank_sums[item] += position
    mean = Fraction(n * (m + 1), 2)
    s = sum((r - mean) ** 2 for r in rank_sums.values())
    return float(12 * s / (n * n * (m**3 - m)))


def kendall_w_scores(
    ballots: Iterable[Mapping[ItemId, int | float]], items: Sequence[ItemId]
) -> float | None:
    """Kendall's W for ballots that score every item (higher is better); equal scores are ties.

    Each ballot is turned into ranks (1 = best; tied items share their mean rank), then
    W = 12 S / (n² (m³ − m) − n Σ T), T = Σ (t³ − t) over each ballot's groups of t tied items.
    ``None`` with fewer than 2 ballots or 2 items, or when every ballot ties every item.
    """
    _check_items(items)
    rows = list(ballots)
    n, m = len(rows), len(items)
    if n < 2 or m < 2:
        return None
    rank_sums = dict.fromkeys(items, Fraction(0))
    ties = 0
    for ballot in rows:
        missing = [item for item in items if item not in ballot]
        if missing:
            raise DomainError(N_("Chaque bulletin doit noter tous les éléments ; il manque %(item)s."),
                              item=_label(missing[0]))
        groups: dict[int | float, list[ItemId]] = {}
        for item in items:
            groups.setdefault(ballot[item], []).append(item)
        better = 0
        for score in sorted(groups, reverse=True):
            group = groups[score]
            t = len(group)
            mid = Fraction(2 * better + t + 1, 2)  # mean of ranks better+1 … better+t
            for item in group:
                rank_sums[item] += mid
            ties += t**3 - t
            better += t
    mean = Fraction(n * (m + 1), 2)
    s = sum((r - mean) ** 2 for r in rank_sums.values())
    denominator = n * n * (m**3 - m) - n * ties
    if denominator <= 0:
        return None
    return float(12 * s / denominator)


# Lower bounds of W for each level, from the strongest (after Schmidt 1997's reading of W):
# W < 0,15 très faible, < 0,35 faible, < 0,6 moyen, ≥ 0,6 fort; with what each means for the room.
AGREEMENT_LEVELS: tuple[tuple[float, str, str], ...] = (
    (0.6, N_("accord fort"), N_("les participants ont classé les éléments de façon très semblable")),
    (0.35, N_("accord moyen"), N_("les classements des participants se ressemblent en partie")),
    (0.15, N_("accord faible"), N_("les classements des participants diffèrent beaucoup")),
    (0.0, N_("accord très faible"), N_("les participants ne s'accordent presque pas sur l'ordre")),
)


def agreement_level(w: float | None) -> str | None:
    """How much the room agrees, in plain French (``None`` when W is not defined)."""
    if w is None:
        return None
    return next(label for bound, label, _ in AGREEMENT_LEVELS if w >= bound)


def agreement_meaning(w: float | None) -> str | None:
    """What the level of agreement says about the ballots, for a room that never heard of
    Kendall's W (``None`` when W is not defined)."""
    if w is None:
        return None
    return next(meaning for bound, _, meaning in AGREEMENT_LEVELS if w >= bound)


# --- dot voting -------------------------------------------------------------------------------


def validate_dots(
    allocation: object,
    items: Sequence[ItemId],
    budget: int,
    max_per_item: int | None = None,
) -> dict[ItemId, int]:
    """A participant's points per item (zeros dropped); at most ``budget`` in total."""
    _check_items(items)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise DomainError(N_("Le nombre de points à répartir doit être un entier positif (reçu %(budget)s)."),
                          budget=repr(budget))
    if not isinstance(allocation, Mapping):
        raise DomainError(N_("Une répartition de points associe des points à des éléments."))
    known = set(items)
    cleaned: dict[ItemId, int] = {}
    for item, points in allocation.items():
        if not _is_id_of(item, known):
            raise DomainError(N_("Élément inconnu dans la répartition : %(item)s."), item=_label(item))
        if isinstance(points, bool) or not isinstance(points, int):
            raise DomainError(N_("Les points doivent être des nombres entiers "
                                 "(reçu %(points)s pour %(item)s)."),
                              points=repr(points), item=_label(item))
        if points < 0:
            raise DomainError(N_("Les points ne peuvent pas être négatifs (%(points)s pour %(item)s)."),
                              points=points, item=_label(item))
        if max_per_item is not None and points > max_per_item:
            raise DomainError(N_("Au plus %(max)s point(s) par élément (%(points)s pour %(item)s)."),
                              max=max_per_item, points=points, item=_label(item))
        if points:
            cleaned[item] = points
    total = sum(cleaned.values())
    if total > budget:
        raise DomainError(N_("Vous avez réparti %(total)s points ; vous en avez %(budget)s au maximum."),
                          total=total, budget=budget)
    return cleaned


def dot_voting(
    allocations: Iterable[Mapping[ItemId, int]],
    items: Sequence[ItemId],
    budget: int,
    max_per_item: int | None = None,
) -> DotVotingResult:
    """Points and voters per item; order by points, then voters, then ``items``."""
    points = dict.fromkeys(items, 0)
    voters = dict.fromkeys(items, 0)
    n = 0
    for allocation in allocations:
        n += 1
        for item, value in validate_dots(allocation, items, budget, max_per_item).items():
            points[item] += value
            voters[item] += 1
    standings = _standings(items, {i: (points[i], voters[i]) for i in items}, points)
    return DotVotingResult(
        standings=standings,
        points=MappingProxyType(points),
        voters=MappingProxyType(voters),
        n_ballots=n,
        total_points=sum(points.values()),
    )


# --- majority judgment ------------------------------------------------------------------------


def _check_grades(grades: Sequence[str]) -> None:
    if len(grades) < 2 or len(set(grades)) != len(grades):
        raise DomainError(N_("L'échelle de mentions doit compter au moins deux mentions distinctes."))


def validate_grades(
    ballot: object, items: Sequence[ItemId], grades: Sequence[str] = DEFAULT_GRADES
) -> dict[ItemId, str]:
    """A majority-judgment ballot: item → grade; items left out will count as the worst grade."""
    _check_items(items)
    _check_grades(grades)
    if not isinstance(ballot, Mapping):
        raise DomainError(N_("Un bulletin de jugement majoritaire associe une mention à des éléments."))
    known = set(items)
    for item, grade in ballot.items():
        if not _is_id_of(item, known):
            raise DomainError(N_("Élément inconnu dans le bulletin : %(item)s."), item=_label(item))
        if grade not in grades:
            raise DomainError(N_("Mention inconnue pour %(item)s : %(grade)s. Mentions : %(grades)s."),
                              item=_label(item), grade=repr(grade), grades=", ".join(grades))
    return dict(ballot)


def majority_value(grade_indexes: Iterable[int]) -> tuple[int, ...]:
    """Successive lower medians when removing the median grade one at a time (0 = best grade).

    On the grades sorted best to worst (s[0] <= … <= s[n-1]), the lower median is s[n // 2]; the
    removal order is then m, m − 1, m + 1, m − 2, … when n is even and m, m + 1, m − 1, … when odd.
    """
    s = sorted(grade_indexes)
    n = len(s)
    if not n:
        return ()
    m = n // 2
    first, second = (-1, 1) if n % 2 == 0 else (1, -1)
    sequence = [s[m]]
    for k in range(1, n):
        step = (k + 1) // 2
        offset = first * step if k % 2 == 1 else second * step
        sequence.append(s[m + offset])
    return tuple(sequence)


def majority_judgment(
    ballots: Iterable[Mapping[ItemId, str]],
    items: Sequence[ItemId],
    grades: Sequence[str] = DEFAULT_GRADES,
) -> MajorityJudgmentResult:
    """Balinski–Laraki majority judgment; ``score`` is the majority grade (None without ballots)."""
    grades = tuple(grades)
    worst = len(grades) - 1
    given: dict[ItemId, list[int]] = {item: [] for item in items}
    n = 0
    for ballot in ballots:
        valid = validate_grades(ballot, items, grades)
        n += 1
        for item in items:
            given[item].append(grades.index(valid[item]) if item in valid else worst)
    profiles: dict[ItemId, GradeProfile] = {}
    for item in items:
        indexes = given[item]
        value = majority_value(indexes)
        counts = tuple(indexes.count(g) for g in range(len(grades)))
        if value:
            grade = value[0]
            above = Fraction(sum(counts[:grade]), n)
            below = Fraction(sum(counts[grade + 1 :]), n)
        else:
            grade, above, below = None, Fraction(0), Fraction(0)
        profiles[item] = GradeProfile(
            item=item,
            counts=counts,
            majority_grade=grades[grade] if grade is not None else None,
            majority_grade_index=grade,
            above=float(above),
            below=float(below),
            sign="+" if above > below else "-",
            majority_value=value,
        )
    key = {item: tuple(-g for g in profiles[item].majority_value) for item in items}
    score = {item: profiles[item].majority_grade for item in items}
    return MajorityJudgmentResult(
        grades=grades,
        standings=_standings(items, key, score),
        profiles=MappingProxyType(profiles),
        n_ballots=n,
    )


# --- top N ------------------------------------------------------------------------------------


def top_n(standings: Sequence[Standing], n: int = DEFAULT_TOP_N) -> TopN:
    """The first ``n`` standings, and those left out although tied with the ``n``-th."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DomainError(N_("Le nombre d'éléments à retenir doit être un entier supérieur ou égal à 1."))
    kept = tuple(standings[:n])
    if not kept or len(standings) <= n:
        return TopN(kept=kept, tied_outside=())
    cut_rank = kept[-1].rank
    tied_outside = tuple(s for s in standings[n:] if s.rank == cut_rank)
    return TopN(kept=kept, tied_outside=tied_outside)
