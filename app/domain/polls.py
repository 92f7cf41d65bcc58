"""Quick polls on a scale: one choice per participant, counted and shared."""

from dataclasses import dataclass
from fractions import Fraction

from app.domain.errors import DomainError


def validate_choice(raw: object, options: list[str]) -> int:
    """The index of the chosen option; refuses anything that is not one of them."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise DomainError("Choix invalide : attendu le numéro d'une option.")
    try:
        index = int(raw)
    except ValueError:
        raise DomainError(f"Choix invalide : « {str(raw)[:20]} » n'est pas une option.") from None
    if not 0 <= index < len(options):
        raise DomainError(f"Choix invalide : il y a {len(options)} options (0 à {len(options) - 1}).")
    return index


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int
    share: Fraction  # of the answers, 0 when nobody answered

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass(frozen=True)
class PollResult:
    options: tuple[OptionResult, ...]
    n: int

    @property
    def leader(self) -> int | None:
        """Index of the most chosen option, None if nobody answered or on a tie at the top."""
        counts = [o.count for o in self.options]
        best = max(counts, default=0)
        return counts.index(best) if best and counts.count(best) == 1 else None


def tally(choices: list[int], options: list[str]) -> PollResult:
    counts = [0] * len(options)
    for choice in choices:
        counts[validate_choice(choice, options)] += 1
    n = sum(counts)
    return PollResult(
        tuple(OptionResult(label, c, Fraction(c, n) if n else Fraction(0))
              for label, c in zip(options, counts, strict=True)),
        n,
    )
