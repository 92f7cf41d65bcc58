"""Splitting the room into sub-groups (sous-groupes)."""

from app.domain.errors import N_, DomainError

MIN_GROUPS, MAX_GROUPS = 2, 30


def check_count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not MIN_GROUPS <= count <= MAX_GROUPS:
        raise DomainError(N_("Nombre de sous-groupes invalide : de %(least)s à %(most)s."),
                          least=MIN_GROUPS, most=MAX_GROUPS)
    return count


def default_names(existing: list[str], count: int) -> list[str]:
    """The names of the groups to create so that there are `count`: « Groupe N », never a duplicate."""
    taken = {name.casefold() for name in existing}
    names: list[str] = []
    n = 1
    while len(existing) + len(names) < count:
        name = f"Groupe {n}"
        if name.casefold() not in taken:
            names.append(name)
            taken.add(name.casefold())
        n += 1
    return names


def deal(participant_ids: list[int], group_ids: list[int]) -> dict[int, int]:
    """Deal participants, given in order of arrival, into groups like cards: sizes differ by one
    at most."""
    if not group_ids:
        raise DomainError(N_("Aucun sous-groupe où répartir les participants."))
    return {pid: group_ids[i % len(group_ids)] for i, pid in enumerate(participant_ids)}
