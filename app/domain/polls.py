"""Quick polls on a scale: one choice per participant, counted and shared."""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from app.domain.errors import N_, DomainError
from app.domain.french import rounded


def validate_choice(raw: object, options: list[str]) -> int:
    """The index of the chosen option; refuses anything that is not one of them."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise DomainError(N_("Choix invalide : attendu le numéro d'une option."))
    try:
        index = int(raw)
    except ValueError:
        raise DomainError(N_("Choix invalide : « %(choice)s » n'est pas une option."),
                          choice=str(raw)[:20]) from None
    if not 0 <= index < len(options):
        raise DomainError(N_("Choix invalide : il y a %(count)s options (0 à %(last)s)."),
                          count=len(options), last=len(options) - 1)
    return index


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int
    share: Fraction  # of the answers, 0 when nobody answered

    @property
    def percent(self) -> int:
        return int(rounded(float(self.share * 100), 0))


@dataclass(frozen=True)
class PollResult:
    options: tuple[OptionResult, ...]
    n: int
    # Of n, the answers entered by the facilitator (show of hands, paper ballots).
    n_proxy: int = 0

    @property
    def leader(self) -> int | None:
        """Index of the most chosen option, None if nobody answered or on a tie at the top."""
        counts = [o.count for o in self.options]
        best = max(counts, default=0)
        return counts.index(best) if best and counts.count(best) == 1 else None


MAX_PROXY = 10_000


def validate_proxy_counts(raw: Sequence[object], options: list[str]) -> list[int]:
    """One non-negative whole count per option, as typed in by the facilitator."""
    if len(raw) != len(options):
        raise DomainError(N_("Attendu un nombre par option (%(count)s), reçu %(given)s."),
                          count=len(options), given=len(raw))
    counts = []
    for label, value in zip(options, raw, strict=True):
        text = str(value).strip() or "0"
        if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_PROXY:
            raise DomainError(N_("Nombre invalide pour « %(label)s » : un entier de 0 à %(most)s."),
                              label=label, most=MAX_PROXY)
        counts.append(int(text))
    return counts


def tally(choices: list[int], options: list[str], proxy: list[int] | None = None) -> PollResult:
    """Phones' choices plus the facilitator's counts (show of hands, paper), if any."""
    counts = list(proxy) if proxy else [0] * len(options)
    n_proxy = sum(counts)
    for choice in choices:
        counts[validate_choice(choice, options)] += 1
    n = sum(counts)
    return PollResult(
        tuple(OptionResult(label, c, Fraction(c, n) if n else Fraction(0))
              for label, c in zip(options, counts, strict=True)),
        n,
        n_proxy,
    )
