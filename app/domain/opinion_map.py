"""« Carte des sensibilités »: where the room agrees and where it divides, from its ballots.

After the manner of Polis's opinion groups (compdemocracy/polis, math/src/polismath/math/
{pca,clusters,repness}.clj, AGPL; the method is public, this is a rewrite with numpy and
scikit-learn):

- a participants × items matrix of scores (a rating axis, or ranks turned into scores), only
  participants who answered at least min(7, items) items; a missing answer takes the item's mean;
- a 2-D projection by PCA, each participant's point scaled by sqrt(items / her answers), so that
  someone who answered little is not pulled to the centre;
- 2 to 4 groups by k-means on the whole matrix, k chosen by the silhouette, fixed seeds and labels
  in a stable order (largest group first); no group is reported when the best silhouette is low,
  or no higher than the same answers shuffled item by item reach (uniform opinions, or noise,
  have no structure worth naming);
- per group, the items that set it apart: Polis's representativeness, with Laplace-smoothed
  shares of « high » answers in and out of the group and a two-proportion z-test;
- across groups, the items fédérateurs (group-aware consensus: the product of the groups'
  smoothed high shares, each at least one half) and the items clivants (the largest difference
  between the groups' shares).

Nothing here names a participant: answer sheets come unnamed, are read in the order of their
answers, and the points leave sorted by group and position.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

MIN_PARTICIPANTS = 8
MOST_ANSWERS_NEEDED = 7
MAX_GROUPS = 4
MIN_GROUP = 4
SILHOUETTE_FLOOR = 0.15
NULL_ROOMS = 19
Z_90 = 1.2816  # one-sided, 90 %: Polis's z-sig-90
SEED = 0
SHOWN = 3  # items listed per group and in each list
DIVIDING_GAP = 0.3  # an item clivant: groups' high shares this far apart at least


class Status(StrEnum):
    GROUPS = "groups"
    NO_STRUCTURE = "no_structure"
    TOO_FEW = "too_few"


@dataclass(frozen=True)
class Point:
    x: float  # in [-1, 1]
    y: float
    group: int | None  # the group's index, None without groups


@dataclass(frozen=True)
class Distinctive:
    """An item a group answers unlike the rest of the room."""

    item: int
    high: bool  # the group rates it high (else: low) more than the others
    share_in: float  # the group's share of that answer
    share_out: float  # the rest of the room's


@dataclass(frozen=True)
class Group:
    size: int
    distinctive: tuple[Distinctive, ...]


@dataclass(frozen=True)
class Shared:
    """An item across the groups: each group's share of high answers."""

    item: int
    shares: tuple[float, ...]


@dataclass(frozen=True)
class OpinionMap:
    status: Status
    counted: int  # participants who answered enough
    points: tuple[Point, ...] = ()
    groups: tuple[Group, ...] = ()
    silhouette: float | None = None
    federating: tuple[Shared, ...] = field(default=())
    dividing: tuple[Shared, ...] = field(default=())


def prop_test(successes: int, trials: int) -> float:
    """z of a share against one half, with pseudo-counts (Polis's prop-test)."""
    successes, trials = successes + 1, trials + 1
    return 2 * math.sqrt(trials) * (successes / trials - 0.5)


def two_prop_test(succ_in: int, succ_out: int, pop_in: int, pop_out: int) -> float:
    """z of the difference of two shares, with pseudo-counts (Polis's two-prop-test)."""
    succ_in, succ_out, pop_in, pop_out = succ_in + 1, succ_out + 1, pop_in + 1, pop_out + 1
    pi1, pi2 = succ_in / pop_in, succ_out / pop_out
    pi_hat = (succ_in + succ_out) / (pop_in + pop_out)
    if pi_hat >= 1:
        return 0.0
    return (pi1 - pi2) / math.sqrt(pi_hat * (1 - pi_hat) * (1 / pop_in + 1 / pop_out))


def smoothed(successes: int, trials: int) -> float:
    return (successes + 1) / (trials + 2)


def opinion_map(sheets: Iterable[Mapping[int, float]], items: Sequence[int],
                high_from: float) -> OpinionMap:
    """The map of these answer sheets (one a participant, unnamed: item → score; a score
    ≥ `high_from` is « high »)."""
    items = list(items)
    need = min(MOST_ANSWERS_NEEDED, len(items))
    rows = [a for a in sheets if sum(i in a for i in items) >= need]
    answered_items = [i for i in items if any(i in a for a in rows)]
    if len(rows) < MIN_PARTICIPANTS or len(answered_items) < 2:
        return OpinionMap(Status.TOO_FEW, len(rows))
    # Rows in the order of their answers, not of the participants: the same room gives the same
    # map however it was read, and nothing of the input's order reaches the output.
    raw = np.array(sorted(([a.get(i, math.nan) for i in answered_items] for a in rows),
                          key=lambda r: [(math.isnan(v), v) for v in r]), dtype=float)
    given = ~np.isnan(raw)
    means = np.nanmean(raw, axis=0)
    centred = np.where(given, raw, means) - means
    coords = _projection(centred, given)
    labels, silhouette = _groups(centred)
    high = given & (raw >= high_from)
    if labels is None:
        points = tuple(Point(x, y, None) for x, y in sorted(coords))
        room = np.zeros(len(rows), dtype=int)
        return OpinionMap(Status.NO_STRUCTURE, len(rows), points, silhouette=silhouette,
                          federating=_federating(answered_items, room, 1, high, given))
    labels = _stable(labels, coords)
    count = int(labels.max()) + 1
    points = tuple(Point(x, y, g) for g, x, y in sorted(
        (int(g), x, y) for (x, y), g in zip(coords, labels, strict=True)))
    groups = tuple(Group(int((labels == g).sum()), _distinctive(answered_items, labels == g, high, given))
                   for g in range(count))
    return OpinionMap(Status.GROUPS, len(rows), points, groups, silhouette,
                      _federating(answered_items, labels, count, high, given),
                      _dividing(answered_items, labels, count, high, given))


def _projection(centred: np.ndarray, given: np.ndarray) -> list[tuple[float, float]]:
    from sklearn.decomposition import PCA

    n_items = centred.shape[1]
    flat = PCA(n_components=2, svd_solver="full").fit_transform(centred) if n_items >= 2 else centred
    scale = np.sqrt(n_items / given.sum(axis=1))[:, None]
    scaled = flat * scale
    largest = float(np.abs(scaled).max()) or 1.0
    return [(round(float(x) / largest, 4), round(float(y) / largest, 4)) for x, y in scaled]


def _groups(centred: np.ndarray) -> tuple[np.ndarray | None, float | None]:
    """k-means labels for the k of best silhouette (2..4), or None when that silhouette is below
    SILHOUETTE_FLOOR or not above every one of NULL_ROOMS rooms without structure: the same
    answers with each item's shuffled among the participants (its spread kept, any link between
    items gone). Few items on a short scale cluster by chance; this tells it from a real split."""
    found = _best_split(centred)
    if found is None:
        return None, None
    score, labels = found
    rng = np.random.default_rng(SEED)
    null = []
    for _ in range(NULL_ROOMS):
        shuffled = np.column_stack([rng.permutation(column) for column in centred.T])
        best = _best_split(shuffled)
        null.append(best[0] if best else -1.0)
    real = score >= SILHOUETTE_FLOOR and score > max(null)
    return (labels if real else None), round(score, 4)


def _best_split(matrix: np.ndarray) -> tuple[float, np.ndarray] | None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    best: tuple[float, np.ndarray] | None = None
    distinct = len(np.unique(matrix, axis=0))
    for k in range(2, min(MAX_GROUPS, distinct) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(matrix)
        if np.bincount(labels).min() < MIN_GROUP:
            continue  # two or three people apart are not a sensibilité of the room
        score = float(silhouette_score(matrix, labels))
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    return best


def _stable(labels: np.ndarray, coords: list[tuple[float, float]]) -> np.ndarray:
    """Groups renumbered: largest first, then leftmost on the map (same room, same labels)."""
    xs = np.array([x for x, _ in coords])
    order = sorted(set(labels.tolist()),
                   key=lambda g: (-int((labels == g).sum()), float(xs[labels == g].mean())))
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber[g] for g in labels.tolist()])


def _distinctive(items: list[int], inside: np.ndarray, high: np.ndarray,
                 given: np.ndarray) -> tuple[Distinctive, ...]:
    found = []
    for j, item in enumerate(items):
        n_in, n_out = int(given[inside, j].sum()), int(given[~inside, j].sum())
        for is_high in (True, False):
            chosen = high[:, j] if is_high else given[:, j] & ~high[:, j]
            s_in, s_out = int(chosen[inside].sum()), int(chosen[~inside].sum())
            share_in, share_out = smoothed(s_in, n_in), smoothed(s_out, n_out)
            z_share, z_diff = prop_test(s_in, n_in), two_prop_test(s_in, s_out, n_in, n_out)
            if z_share > Z_90 and z_diff > Z_90:
                ratio = share_in / share_out
                found.append((ratio * z_diff * share_in * z_share,
                              Distinctive(item, is_high, _share(s_in, n_in), _share(s_out, n_out))))
    found.sort(key=lambda f: (-f[0], f[1].item))
    return tuple(d for _, d in found[:SHOWN])


def _share(successes: int, trials: int) -> float:
    return round(successes / trials, 4) if trials else 0.0


def _shares(items: list[int], labels: np.ndarray, count: int, high: np.ndarray,
            given: np.ndarray) -> list[tuple[tuple[float, ...], Shared]]:
    """Per item, the groups' smoothed shares of high answers (what is compared) and the item
    with their plain shares (what is shown)."""
    counts = [[(int(high[labels == g, j].sum()), int(given[labels == g, j].sum())) for g in range(count)]
              for j in range(len(items))]
    return [(tuple(smoothed(s, n) for s, n in per_group),
             Shared(item, tuple(_share(s, n) for s, n in per_group)))
            for item, per_group in zip(items, counts, strict=True)]


def _federating(items: list[int], labels: np.ndarray, count: int, high: np.ndarray,
                given: np.ndarray) -> tuple[Shared, ...]:
    """High in every group: the largest products of the groups' smoothed shares, each at least
    one half (group-aware consensus)."""
    found = [(math.prod(p), s) for p, s in _shares(items, labels, count, high, given) if min(p) >= 0.5]
    found.sort(key=lambda f: (-f[0], f[1].item))
    return tuple(s for _, s in found[:SHOWN])


def _dividing(items: list[int], labels: np.ndarray, count: int, high: np.ndarray,
              given: np.ndarray) -> tuple[Shared, ...]:
    """The largest differences between the groups' smoothed shares (at least DIVIDING_GAP)."""
    found = [(max(p) - min(p), s) for p, s in _shares(items, labels, count, high, given)
             if max(p) - min(p) >= DIVIDING_GAP]
    found.sort(key=lambda f: (-f[0], f[1].item))
    return tuple(s for _, s in found[:SHOWN])
