"""Priority ranking: ballots stored as votes, aggregated by the domain, top N kept as enjeux.

A ballot is one `Vote` per item of the activity (`target` = the item's id), replaced as a whole
in one transaction, so a phone may change it while the activity is open and a replay changes
nothing:

- ``borda`` / ``schulze``: axis ``rank``, value = position (1 = most important);
- ``dots``: axis ``dots``, value = points given (zeros stored, so an empty allocation still counts);
- ``majority``: axis ``grade``, value = index of the grade (0 = best); an item left ungraded
  counts as the worst grade (the domain's convention).

The items ranked are the activity's visible items (not hidden, not merged), in list order.
When the facilitator hides an item after ballots were cast, each ballot is read without it.
When she adds one, ranking ballots that do not order it no longer form a full ranking: they are
not counted ("à revalider") until the participant validates again; dot and grade ballots stay
valid (no points, or the worst grade, for the new item).
"""

import random
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from app.domain import ranking as domain
from app.domain.errors import N_, DomainError, NotAllowed, Said
from app.domain.french import decimal
from app.models import Activity, Item, Participant, Vote, utcnow
from app.publishing import ITEMS, MODERATION, Publisher, publish_safely
from app.services import votes, workshops

RANK, DOTS, GRADE = "rank", "dots", "grade"
AXES = {"borda": RANK, "schulze": RANK, "dots": DOTS, "majority": GRADE}
METHOD_LABELS = {
    "borda": N_("méthode de Borda"),
    "schulze": N_("méthode de Schulze (Condorcet)"),
    "dots": N_("vote par points"),
    "majority": N_("jugement majoritaire"),
}
MAX_BALLOT_CHARS = 4000


# --- reading ----------------------------------------------------------------------------------


def method_of(activity: Activity) -> str:
    return activity.config.get("method") or "borda"


def grades_of(activity: Activity) -> list[str]:
    return list(activity.config.get("grades") or domain.DEFAULT_GRADES)


def budget_of(activity: Activity) -> int:
    return int(activity.config.get("budget") or 10)


def keep_of(activity: Activity) -> int:
    return int(activity.config.get("keep") or domain.DEFAULT_TOP_N)


def all_items(session: Session, activity_id: int) -> list[Item]:
    return list(session.exec(select(Item).where(Item.activity_id == activity_id).order_by(col(Item.id))))


def is_visible(item: Item) -> bool:
    return not item.hidden and item.merged_into_id is None


def visible_items(session: Session, activity: Activity) -> list[Item]:
    return [i for i in all_items(session, activity.id) if is_visible(i)]


def raw_ballots(session: Session, activity: Activity,
                 participant_ids: list[int] | None = None) -> dict[int, dict[int, int]]:
    """participant → {item id: value} for the activity's method, read in one query."""
    query = select(Vote.participant_id, Vote.target, Vote.value).where(
        Vote.activity_id == activity.id, Vote.axis == AXES[method_of(activity)])
    if participant_ids is not None:
        if not participant_ids:
            return {}
        query = query.where(col(Vote.participant_id).in_(participant_ids))
    ballots: dict[int, dict[int, int]] = {}
    for pid, target, value in session.exec(query):
        if value is not None and target.isdigit():
            ballots.setdefault(pid, {})[int(target)] = value
    return ballots


def _as_order(raw: dict[int, int], ids: list[int]) -> tuple[int, ...] | None:
    """A stored ranking read on the current list: hidden items dropped; None if one is missing."""
    shown = set(ids)
    order = tuple(i for i, _pos in sorted(raw.items(), key=lambda kv: kv[1]) if i in shown)
    return order if len(order) == len(ids) else None


def _as_dots(raw: dict[int, int], ids: list[int]) -> dict[int, int]:
    return {i: raw.get(i, 0) for i in ids}


def _as_grades(raw: dict[int, int], ids: list[int], grades: list[str]) -> dict[int, str]:
    return {i: grades[raw[i]] for i in ids if i in raw and 0 <= raw[i] < len(grades)}


# --- results ----------------------------------------------------------------------------------


@dataclass
class Row:
    item: Item
    rank: int
    score: str
    share: float  # 0..1, the bar's length
    tied: bool
    top: bool
    tied_at_cut: bool
    detail: str = ""
    counts: list[int] = field(default_factory=list)  # majority judgment: voters per grade
    # The method's score as a value (Borda or dot points, items beaten, majority grade), for exports.
    value: int | float | str | None = None


@dataclass
class Result:
    method: str
    method_label: str
    rows: list[Row]
    n_ballots: int
    n_stale: int
    agreement: float | None
    agreement_label: str | None
    keep: int
    tie_at_cut: bool
    kept: list[Item]
    grades: list[str]
    budget: int

    @property
    def w_text(self) -> str:
        """Kendall's W as a French decimal (« 0,42 »)."""
        return "" if self.agreement is None else decimal(self.agreement, 2)

    @property
    def agreement_meaning(self) -> str | None:
        return domain.agreement_meaning(self.agreement)


def result(session: Session, activity: Activity, shown: list[Item] | None = None,
           raw: dict[int, dict[int, int]] | None = None) -> Result:
    """The aggregated order of the visible items, with scores, agreement and the top N."""
    shown = visible_items(session, activity) if shown is None else shown
    raw = raw_ballots(session, activity) if raw is None else raw
    by_id = {i.id: i for i in shown}
    ids = [i.id for i in shown]
    method = method_of(activity)
    grades = grades_of(activity)
    keep = min(keep_of(activity), len(ids)) if ids else keep_of(activity)
    n_stale = 0
    details: dict[int, str] = {}
    shares: dict[int, float] = {}
    counts: dict[int, list[int]] = {}
    if not ids:
        standings: tuple[domain.Standing, ...] = ()
        n_ballots, agreement = 0, None
    elif method in ("borda", "schulze"):
        orders = []
        for ballot in raw.values():
            order = _as_order(ballot, ids)
            if order is None:
                n_stale += 1
            else:
                orders.append(order)
        n_ballots = len(orders)
        outcome = (domain.borda if method == "borda" else domain.schulze)(orders, ids)
        standings, agreement = outcome.standings, outcome.agreement
        position_sums = dict.fromkeys(ids, 0)
        for order in orders:
            for position, item_id in enumerate(order, start=1):
                position_sums[item_id] += position
        m = len(ids)
        for s in standings:
            if method == "borda":
                points = float(s.score) if isinstance(s.score, int | float) else 0.0
                shares[s.item] = points / (n_ballots * (m - 1)) if n_ballots and m > 1 else 0.0
            else:
                # the bar follows the rank (levels of unbeaten items), not the number beaten
                shares[s.item] = (m - s.rank) / (m - 1) if m > 1 else 0.0
            if n_ballots:
                details[s.item] = Said(N_("rang moyen %(rank)s"),
                                       rank=decimal(position_sums[s.item] / n_ballots, 1))
    elif method == "dots":
        allocations = [_as_dots(ballot, ids) for ballot in raw.values()]
        outcome_dots = domain.dot_voting(allocations, ids, budget_of(activity))
        standings, n_ballots = outcome_dots.standings, outcome_dots.n_ballots
        agreement = domain.kendall_w_scores(allocations, ids)
        top_points = max(outcome_dots.points.values(), default=0)
        for item_id in ids:
            shares[item_id] = outcome_dots.points[item_id] / top_points if top_points else 0.0
            voters = outcome_dots.voters[item_id]
            details[item_id] = Said(N_("%(count)s votants") if voters > 1 else N_("%(count)s votant"),
                                    count=voters)
    else:
        ballots = [_as_grades(ballot, ids, grades) for ballot in raw.values()]
        outcome_mj = domain.majority_judgment(ballots, ids, grades)
        standings, n_ballots = outcome_mj.standings, outcome_mj.n_ballots
        worst = len(grades) - 1
        agreement = domain.kendall_w_scores(
            [{i: -(grades.index(b[i]) if i in b else worst) for i in ids} for b in ballots], ids)
        for item_id in ids:
            profile = outcome_mj.profiles[item_id]
            counts[item_id] = list(profile.counts)
            if profile.majority_grade is not None:
                details[item_id] = Said(N_("%(above)s %% mieux, %(below)s %% moins bien"),
                                        above=decimal(100 * profile.above, 0),
                                        below=decimal(100 * profile.below, 0))
            shares[item_id] = 0.0
    cut = domain.top_n(standings, keep) if standings else domain.TopN((), ())
    cut_rank = cut.kept[-1].rank if cut.kept else None
    rows = []
    for index, s in enumerate(standings):
        in_top = index < keep
        rows.append(Row(
            item=by_id[s.item], rank=s.rank, score=_score_label(method, s.score, n_ballots, len(ids)),
            share=shares.get(s.item, 0.0), tied=s.tied, top=in_top,
            tied_at_cut=cut.tie_at_cut and s.rank == cut_rank,
            detail=details.get(s.item, ""), counts=counts.get(s.item, []), value=s.score,
        ))
    return Result(
        method=method, method_label=METHOD_LABELS[method], rows=rows, n_ballots=n_ballots,
        n_stale=n_stale, agreement=agreement, agreement_label=domain.agreement_level(agreement),
        keep=keep, tie_at_cut=cut.tie_at_cut, kept=[r.item for r in rows if r.item.kept],
        grades=grades, budget=budget_of(activity),
    )


def _score_label(method: str, score: object, n_ballots: int, m: int) -> str:
    if method == "majority":
        return str(score) if score is not None else "—"
    if method == "schulze":
        return Said(N_("bat %(score)s sur %(others)s"), score=score, others=m - 1)
    return Said(N_("%(score)s pts") if isinstance(score, int) and score > 1 else N_("%(score)s pt"),
                score=score)


def top(session: Session, activity: Activity, n: int) -> list[Item]:
    """The first n items of the aggregated order (for an activity taking `top` from this one)."""
    return [row.item for row in result(session, activity).rows[:n]]


# --- the phone's side --------------------------------------------------------------------------


@dataclass
class Mine:
    """A participant's stored ballot, as her phone shows it."""

    method: str
    entries: list[tuple[Item, str]]  # (item, what she gave it), in her order
    stale: bool


def _phone_order(activity: Activity, participant_id: int, shown: list[Item],
                 ballot: dict[int, int] | None) -> list[Item]:
    """Her stored order (new items at the end), or the list shuffled for her: the order a list
    is presented in sways rankings (primacy), so each phone starts from its own random order."""
    if ballot:
        placed = sorted((i for i in shown if i.id in ballot), key=lambda i: ballot[i.id])
        return placed + [i for i in shown if i.id not in ballot]
    order = list(shown)
    random.Random(f"{activity.id}:{participant_id}").shuffle(order)
    return order


def _mine(activity: Activity, shown: list[Item], ballot: dict[int, int] | None) -> Mine | None:
    if not ballot:
        return None
    method = method_of(activity)
    ids = [i.id for i in shown]
    if AXES[method] == RANK:
        order = [i for i in sorted(shown, key=lambda i: ballot.get(i.id, 10**6)) if i.id in ballot]
        return Mine(method, [(item, str(n)) for n, item in enumerate(order, start=1)],
                    stale=_as_order(ballot, ids) is None)
    if method == "dots":
        given = [(i, ballot[i.id]) for i in shown if ballot.get(i.id)]
        given.sort(key=lambda e: -e[1])
        return Mine(method, [(i, f"{p} pt{'s' if p > 1 else ''}") for i, p in given], stale=False)
    grades = grades_of(activity)
    named = _as_grades(ballot, ids, grades)
    return Mine(method, [(i, named.get(i.id, f"{grades[-1]} (sans mention)")) for i in shown],
                stale=False)


@dataclass
class Phone:
    items: list[Item]
    values: dict[int, int]  # item id → points or grade index already given
    ballot_field: str  # the hidden field's initial value
    mine: Mine | None


def phone_views(session: Session, activity: Activity,
                participant_ids: list[int]) -> tuple[dict[int, Phone], list[Item]]:
    shown = visible_items(session, activity)
    raw = raw_ballots(session, activity, participant_ids)
    method = method_of(activity)
    views: dict[int, Phone] = {}
    for pid in participant_ids:
        ballot = raw.get(pid)
        ordered = _phone_order(activity, pid, shown, ballot) if AXES[method] == RANK else shown
        values = {i.id: ballot[i.id] for i in shown if ballot and i.id in ballot}
        views[pid] = Phone(items=ordered, values=values, ballot_field=_field(method, ordered, values),
                           mine=_mine(activity, shown, ballot))
    return views, shown


def _field(method: str, ordered: list[Item], values: dict[int, int]) -> str:
    if AXES[method] == RANK:
        return ",".join(str(i.id) for i in ordered)
    if method == "dots":
        return ",".join(f"{i.id}:{values.get(i.id, 0)}" for i in ordered)
    return ",".join(f"{i.id}:{values[i.id]}" for i in ordered if i.id in values)


def mine_of(session: Session, activity: Activity, participant: Participant) -> Mine | None:
    shown = visible_items(session, activity)
    return _mine(activity, shown, raw_ballots(session, activity, [participant.id]).get(participant.id))


# --- writing ------------------------------------------------------------------------------------


_PAIR = re.compile(r"^\s*(-?\d{1,12})\s*:\s*(-?\d{1,6})\s*$")


def parse_order(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    if not parts or not all(p.isdigit() and len(p) <= 12 for p in parts):
        raise DomainError(N_("Classement illisible : il faut la liste des éléments, du plus au moins "
                             "prioritaire."))
    return [int(p) for p in parts]


def parse_pairs(text: str, what: str) -> dict[int, int]:
    pairs: dict[int, int] = {}
    for part in (p for p in text.split(",") if p.strip()):
        match = _PAIR.match(part)
        if match is None:
            raise DomainError(N_("Bulletin illisible : « %(part)s » n'est pas « élément:%(what)s »."),
                              part=part.strip()[:40], what=what)
        item_id, value = int(match.group(1)), int(match.group(2))
        if item_id in pairs:
            raise DomainError(N_("Chaque élément ne peut figurer qu'une fois dans le bulletin."))
        pairs[item_id] = value
    return pairs


def _check_targets(activity: Activity, everything: list[Item], ids: list[int]) -> dict[int, Item]:
    """Refuse ids that are not items of this activity, or items hidden or merged meanwhile."""
    known = {i.id: i for i in everything}
    for item_id in ids:
        item = known.get(item_id)
        if item is None:
            raise DomainError(N_("Élément %(item_id)s inconnu dans ce classement."), item_id=item_id)
        if not is_visible(item):
            if item.merged_into_id is not None:
                raise NotAllowed(N_("« %(item)s » a été fusionné avec un autre : votre bulletin n'a pas été "
                                    "enregistré. Vérifiez la liste à jour et validez à nouveau."),
                                 item=item.text)
            raise NotAllowed(N_("« %(item)s » a été retiré de la liste : votre bulletin n'a pas été "
                                "enregistré. Vérifiez la liste à jour et validez à nouveau."), item=item.text)
    return known


def _named(message: str, items_by_id: dict[int, Item]) -> str:
    """The domain names items by id (« 12 »); the phone shows their text."""
    return re.sub(r"« (\d+) »", lambda m: f"« {items_by_id[int(m.group(1))].text} »"
                  if int(m.group(1)) in items_by_id else m.group(0), message)


def cast(session: Session, participant: Participant, activity_id: int, text: str, *,
         publisher: Publisher) -> tuple[Activity, bool]:
    """Validate and store a participant's ballot; returns (activity, changed)."""
    if len(text) > MAX_BALLOT_CHARS:
        raise DomainError(N_("Bulletin trop long."))
    activity = workshops.open_activity(session, participant, activity_id, "ranking")
    method = method_of(activity)
    everything = all_items(session, activity.id)
    shown = [i for i in everything if is_visible(i)]
    ids = [i.id for i in shown]
    if not ids:
        raise NotAllowed(N_("La liste à classer est vide : rien à enregistrer."))
    try:
        if AXES[method] == RANK:
            order = parse_order(text)
            known = _check_targets(activity, everything, order)
            valid = domain.validate_ranking(order, ids)
            values = {item_id: position for position, item_id in enumerate(valid, start=1)}
        elif method == "dots":
            pairs = parse_pairs(text, "points")
            known = _check_targets(activity, everything, list(pairs))
            domain.validate_dots(pairs, ids, budget_of(activity))
            values = {item_id: pairs.get(item_id, 0) for item_id in ids}
        else:
            pairs = parse_pairs(text, "mention")
            known = _check_targets(activity, everything, list(pairs))
            grades = grades_of(activity)
            bad = [(i, g) for i, g in pairs.items() if not 0 <= g < len(grades)]
            if bad:
                raise DomainError(N_("Mention inconnue pour « %(item)s » : %(grade)s. "
                                     "Mentions : %(grades)s."),
                                  item=known[bad[0][0]].text, grade=bad[0][1], grades=", ".join(grades))
            if not pairs:
                raise DomainError(N_("Donnez une mention à au moins un élément avant de valider."))
            domain.validate_grades({i: grades[g] for i, g in pairs.items()}, ids, grades)
            values = dict(pairs)
    except DomainError as err:
        # The domain names items by id (« 12 ») in the message's parameters: their text instead.
        named = {i.id: i for i in everything}
        err.params = {key: _named(value, named) if isinstance(value, str) else value
                      for key, value in err.params.items()}
        err.args = (err.message,)
        raise
    changed = _replace(session, activity, participant, AXES[method], values)
    if changed:
        publish_safely(publisher, activity.workshop_id, ITEMS)
    return activity, changed


def _replace(session: Session, activity: Activity, participant: Participant, axis: str,
             values: dict[int, int]) -> bool:
    """Replace the participant's whole ballot; False if it is unchanged.

    Its rows are upserted in one order rather than deleted and inserted again: ballots of one
    phone racing on several workers then wait for each other row by row, and the last one stored
    wins whole, instead of colliding on the unique constraint."""
    mine = (col(Vote.activity_id) == activity.id, col(Vote.participant_id) == participant.id)
    wanted = {(axis, str(k)): v for k, v in values.items()}
    current = {(v.axis, v.target): v.value for v in session.exec(select(Vote).where(*mine))}
    if current == wanted:
        return False
    targets = sorted(target for _axis, target in wanted)
    session.execute(delete(Vote).where(*mine, or_(col(Vote.axis) != axis, col(Vote.target).not_in(targets))))
    now = utcnow()
    session.connection().execute(votes.upsert(session.get_bind().dialect.name), [
        {"activity_id": activity.id, "participant_id": participant.id, "target": target, "axis": axis,
         "value": wanted[(axis, target)], "created_at": now, "updated_at": now} for target in targets])
    session.commit()
    return True


# --- the facilitator's side ---------------------------------------------------------------------


def _check_can_keep(activity: Activity) -> None:
    if activity.kind != "ranking":
        raise NotAllowed(N_("Seuls les éléments d'un classement peuvent être gardés comme enjeux "
                            "prioritaires."))
    if activity.state not in ("closed", "revealed"):
        raise NotAllowed(N_("Fermez d'abord le classement : ses résultats peuvent encore changer."))


def keep_top(session: Session, activity: Activity, n: int, *, publisher: Publisher) -> list[Item]:
    """Keep the first n of the aggregated order as the priority enjeux (and only them)."""
    _check_can_keep(activity)
    outcome = result(session, activity)
    if not outcome.rows:
        raise NotAllowed(N_("La liste est vide : aucun enjeu à garder."))
    if outcome.n_ballots == 0:
        raise NotAllowed(N_("Aucun bulletin pris en compte : rien à garder pour l'instant."))
    if not 1 <= n <= len(outcome.rows):
        raise DomainError(N_("Gardez entre 1 et %(count)s éléments (demandé : %(n)s)."),
                          count=len(outcome.rows), n=n)
    chosen = {row.item.id for row in outcome.rows[:n]}
    for item in all_items(session, activity.id):
        item.kept = item.id in chosen
        session.add(item)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)
    return [row.item for row in outcome.rows[:n]]


def set_kept(session: Session, activity: Activity, item: Item, kept: bool, *,
             publisher: Publisher) -> None:
    _check_can_keep(activity)
    if kept and not is_visible(item):
        raise NotAllowed(N_("Un élément retiré ou fusionné ne peut pas être gardé."))
    item.kept = kept
    session.add(item)
    session.commit()
    publish_safely(publisher, activity.workshop_id, MODERATION)
