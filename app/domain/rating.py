"""Rating items on two axes (impact / maitrise) and the impact/maitrise matrix.

Conventions (shown to facilitators, keep them in sync with the board's legend):

- A rating is an integer of the template's scale (default 1 to 4, no neutral middle) or ``None``
  for « je ne sais pas », which is counted in ``n_unknown`` and excluded from every statistic.
- Dispersion is the *population* standard deviation (``statistics.pstdev``): the room is the whole
  population being described, not a sample of a larger one, and one answer gives 0, not an error.
- The interquartile range is Q3 − Q1 with the *inclusive* (linear interpolation) method, the one
  of spreadsheets' QUARTILE.INC, so an exported table can be re-checked in a spreadsheet.
- With no counted answer on an axis, its mean, median, stdev and IQR are ``None``.
- Quadrant: an axis is « fort » when its mean is >= the scale's midpoint (2.5 for 1–4); a mean
  exactly on the midpoint counts as « fort » (compared exactly, with fractions). An item with no
  counted answer on either axis has no quadrant.
- Axes: a template names its axes (default ``impact`` then ``maitrise``). With two axes, the first
  plays the part of impact and the second the part of maîtrise: the template's quadrant keys
  ``high_low``, ``high_high``, ``low_high``, ``low_low`` (first axis, then second axis) are the
  quadrants ``anticiper``, ``leviers``, ``secondaires``, ``surveiller``. One axis: no quadrant.
- Top N (``top_rated``): the best means of one axis (the first by default), compared exactly;
  equal means are ordered by the smaller standard deviation (the room agrees more), then by more
  counted answers, then by the order of the list. Items without a counted answer on that axis
  are never taken. Exactly ``min(n, eligible)`` items: a tie across the cut is broken by these
  rules, not widened.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from app.domain.errors import N_, DomainError

__all__ = [
    "AXES",
    "DEFAULT_QUADRANT_NAMES",
    "DEFAULT_SCALE",
    "UNKNOWN",
    "AxisStats",
    "ItemRating",
    "Quadrant",
    "QuadrantNames",
    "RatingScale",
    "aggregate_ratings",
    "axis_stats",
    "quadrant_of",
    "sort_ratings",
    "top_rated",
    "validate_rating",
]

ItemId = int  # the app's item ids

UNKNOWN = None
AXES: tuple[str, str] = ("impact", "maitrise")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class RatingScale:
    """The integer values a participant may give, from ``minimum`` to ``maximum`` inclusive."""

    minimum: int = 1
    maximum: int = 4

    def __post_init__(self) -> None:
        if not (_is_int(self.minimum) and _is_int(self.maximum)) or self.minimum >= self.maximum:
            raise DomainError(
                f"Échelle de notation invalide ({self.minimum!r} à {self.maximum!r}) : "
                "il faut deux entiers, le premier plus petit que le second."
            )

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(range(self.minimum, self.maximum + 1))

    @property
    def midpoint(self) -> Fraction:
        return Fraction(self.minimum + self.maximum, 2)


DEFAULT_SCALE = RatingScale()


def validate_rating(value: object, scale: RatingScale = DEFAULT_SCALE) -> int | None:
    """The rating as stored: an int of the scale, or None for « je ne sais pas »."""
    if value is UNKNOWN:
        return None
    if not _is_int(value):
        raise DomainError(N_("Une note doit être un nombre entier de %(least)s à %(most)s, "
                             "ou « je ne sais pas »."), least=scale.minimum, most=scale.maximum)
    assert isinstance(value, int)
    if not scale.minimum <= value <= scale.maximum:
        raise DomainError(N_("La note %(value)s est hors de l'échelle : choisissez de %(least)s à %(most)s, "
                             "ou « je ne sais pas »."), value=value, least=scale.minimum, most=scale.maximum)
    return value


@dataclass(frozen=True)
class AxisStats:
    n: int
    n_unknown: int
    mean: float | None
    median: float | None
    stdev: float | None
    iqr: float | None
    exact_mean: Fraction | None = field(default=None, repr=False)


def axis_stats(values: Iterable[int | None]) -> AxisStats:
    """Statistics of one axis of one item; ``None`` values (« je ne sais pas ») are only counted."""
    counted: list[int] = []
    unknown = 0
    for value in values:
        if value is None:
            unknown += 1
        else:
            counted.append(value)
    if not counted:
        return AxisStats(n=0, n_unknown=unknown, mean=None, median=None, stdev=None, iqr=None)
    exact_mean = Fraction(sum(counted), len(counted))
    if len(counted) >= 2:
        q1, _, q3 = statistics.quantiles(counted, n=4, method="inclusive")
        iqr = float(q3 - q1)
    else:
        iqr = 0.0
    return AxisStats(
        n=len(counted),
        n_unknown=unknown,
        mean=float(exact_mean),
        median=float(statistics.median(counted)),
        stdev=float(statistics.pstdev(counted)),
        iqr=iqr,
        exact_mean=exact_mean,
    )


class Quadrant(StrEnum):
    """Where an item falls in the impact/maitrise matrix; names come from ``QuadrantNames``."""

    ANTICIPER = "anticiper"
    LEVIERS = "leviers"
    SECONDAIRES = "secondaires"
    SURVEILLER = "surveiller"

    @property
    def high_impact(self) -> bool:
        return self in (Quadrant.ANTICIPER, Quadrant.LEVIERS)

    @property
    def high_maitrise(self) -> bool:
        return self in (Quadrant.LEVIERS, Quadrant.SECONDAIRES)

    @property
    def template_key(self) -> str:
        """The key naming this quadrant in a template's ``quadrants`` (first axis, second axis)."""
        return _TEMPLATE_KEYS[self]


_TEMPLATE_KEYS: dict[Quadrant, str] = {
    Quadrant.ANTICIPER: "high_low",
    Quadrant.LEVIERS: "high_high",
    Quadrant.SECONDAIRES: "low_high",
    Quadrant.SURVEILLER: "low_low",
}


@dataclass(frozen=True)
class QuadrantNames:
    """The four quadrants' labels, overridable by a template (keys: the ``Quadrant`` values)."""

    # The default names are marked for the catalogs: screens show them in the reader's language.
    anticiper: str = N_("enjeux à anticiper")
    leviers: str = N_("leviers d'action")
    secondaires: str = N_("actions secondaires")
    surveiller: str = N_("à surveiller")

    def of(self, quadrant: Quadrant) -> str:
        return str(getattr(self, quadrant.value))

    @classmethod
    def from_template(cls, quadrants: Mapping[str, str]) -> QuadrantNames:
        """Names keyed as in a template (``high_low`` …); a missing key keeps its default name."""
        by_key = {key: quadrant for quadrant, key in _TEMPLATE_KEYS.items()}
        unknown = sorted(set(quadrants) - set(by_key))
        if unknown:
            raise DomainError(
                f"Quadrant inconnu : « {unknown[0]} ». Quadrants : {', '.join(by_key)}."
            )
        return cls(**{by_key[key].value: str(name) for key, name in quadrants.items()})


DEFAULT_QUADRANT_NAMES = QuadrantNames()


def quadrant_of(
    impact_mean: Fraction | float | None,
    maitrise_mean: Fraction | float | None,
    scale: RatingScale = DEFAULT_SCALE,
) -> Quadrant | None:
    """Quadrant from the two means; a mean equal to the midpoint counts as high."""
    if impact_mean is None or maitrise_mean is None:
        return None
    high_impact = Fraction(impact_mean) >= scale.midpoint
    high_maitrise = Fraction(maitrise_mean) >= scale.midpoint
    if high_impact:
        return Quadrant.LEVIERS if high_maitrise else Quadrant.ANTICIPER
    return Quadrant.SECONDAIRES if high_maitrise else Quadrant.SURVEILLER


@dataclass(frozen=True)
class ItemRating:
    item: ItemId
    stats: Mapping[str, AxisStats]
    quadrant: Quadrant | None
    quadrant_name: str | None

    @property
    def impact(self) -> AxisStats | None:
        return self.stats.get("impact")

    @property
    def maitrise(self) -> AxisStats | None:
        return self.stats.get("maitrise")

    @property
    def axes(self) -> tuple[str, ...]:
        return tuple(self.stats)

    def mean(self, axis: str) -> float | None:
        stats = self.stats.get(axis)
        return stats.mean if stats is not None else None

    @property
    def spread(self) -> float | None:
        """The larger standard deviation of the axes: disagreement on either axis."""
        values = [s.stdev for s in self.stats.values() if s.stdev is not None]
        return max(values) if values else None


def aggregate_ratings(
    items: Sequence[ItemId],
    ratings: Iterable[tuple[ItemId, str, object]],
    scale: RatingScale = DEFAULT_SCALE,
    axes: Sequence[str] = AXES,
    names: QuadrantNames = DEFAULT_QUADRANT_NAMES,
) -> tuple[ItemRating, ...]:
    """Per item (in the order of ``items``), the statistics of each axis and the quadrant.

    ``ratings`` are ``(item, axis, value)`` triples, one per participant, item and axis (the
    database enforces the uniqueness); every value is validated against ``scale``. With two
    axes, the quadrant comes from the first (impact's part) and the second (maîtrise's part).
    """
    known = set(items)
    values: dict[tuple[ItemId, str], list[int | None]] = {(i, a): [] for i in items for a in axes}
    for item, axis, value in ratings:
        if isinstance(item, bool) or not isinstance(item, Hashable) or item not in known:
            raise DomainError(N_("Élément inconnu dans la notation : « %(item)s »."), item=item)
        if axis not in axes:
            raise DomainError(N_("Axe de notation inconnu : « %(axis)s ». Axes : %(axes)s."),
                              axis=axis, axes=", ".join(axes))
        values[(item, axis)].append(validate_rating(value, scale))
    results = []
    for item in items:
        stats = {axis: axis_stats(values[(item, axis)]) for axis in axes}
        quadrant = None
        if len(axes) == 2:
            quadrant = quadrant_of(stats[axes[0]].exact_mean, stats[axes[1]].exact_mean, scale)
        results.append(
            ItemRating(
                item=item,
                stats=MappingProxyType(stats),
                quadrant=quadrant,
                quadrant_name=names.of(quadrant) if quadrant is not None else None,
            )
        )
    return tuple(results)


SortKey = str  # an axis key, or "spread"


def sort_ratings(
    results: Iterable[ItemRating], by: SortKey = "impact", descending: bool = True
) -> tuple[ItemRating, ...]:
    """Items by the mean of an axis, or by spread (largest stdev of the axes).

    Items without a value for the key come last whatever the direction; ties keep the input order.
    """
    listed = list(results)
    known = {"spread", *AXES, *(axis for r in listed for axis in r.stats)}
    if by not in known:
        raise DomainError(N_("Tri inconnu : « %(sort)s ». Choix : %(choices)s."), sort=by,
                          choices=", ".join(sorted(known)))

    def key_of(result: ItemRating) -> float | None:
        if by == "spread":
            return result.spread
        return result.mean(by)

    present = [r for r in listed if key_of(r) is not None]
    missing = [r for r in listed if key_of(r) is None]
    present.sort(key=lambda r: key_of(r) or 0.0, reverse=descending)
    return (*present, *missing)


def top_rated(results: Iterable[ItemRating], n: int, axis: str | None = None) -> tuple[ItemRating, ...]:
    """The ``n`` best items by the mean of ``axis`` (default: each result's first axis).

    Ties (equal exact means): smaller standard deviation first, then more counted answers, then
    the input order. Items with no counted answer on the axis are left out (see module docstring).
    """
    if not _is_int(n) or n < 1:
        raise DomainError(N_("Le nombre d'éléments à retenir doit être un entier positif (reçu : %(n)s)."),
                          n=repr(n))
    eligible: list[tuple[int, ItemRating, AxisStats]] = []
    for position, result in enumerate(results):
        key = axis if axis is not None else (result.axes[0] if result.axes else None)
        stats = result.stats.get(key) if key is not None else None
        if stats is not None and stats.exact_mean is not None:
            eligible.append((position, result, stats))
    eligible.sort(key=lambda e: (-e[2].exact_mean, e[2].stdev, -e[2].n, e[0]))  # type: ignore[operator]
    return tuple(result for _, result, _ in eligible[:n])
