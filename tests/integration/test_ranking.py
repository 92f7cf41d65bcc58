"""Priority ranking on a real server: 20 phones rank the ANCT's 7 enjeux, the board shows the
aggregated order, the facilitator keeps the top 4; dot voting and majority judgment on smaller
groups; bad ballots refused with nothing stored.

Every expected value (Borda points, orders, Kendall's W, majority grades) is computed here by
hand from what the phones sent, never through app.domain.
"""

import asyncio
import html
import random
import re
from collections import Counter
from fractions import Fraction

import httpx
import pytest

from tests.support import (
    ANCT_ENJEUX,
    Facilitator,
    Participant,
    catalog,
    create_facilitator,
    run_server,
    sql,
    weighted_order,
)

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

ENJEUX = ANCT_ENJEUX
SMALL = ["Médiation itinérante", "Formation des agents", "Cartographie de l'offre", "Équipement des lieux"]
GRADES = ["très prioritaire", "prioritaire", "secondaire", "pas prioritaire"]


def _yaml_list(values: list[str], indent: int = 6) -> str:
    return "\n".join(" " * indent + '- "' + v.replace('"', '\\"') + '"' for v in values)


TEMPLATE = f"""\
title: Priorisation (test)
activities:
  - kind: text
    title: Consigne
    body: Classez les enjeux.
  - kind: ranking
    id: enjeux
    title: Classez les enjeux par ordre de priorité
    items:
{_yaml_list(ENJEUX)}
    method: borda
    keep: 4
  - kind: ranking
    id: suite
    title: Les quatre premiers, départagés
    items_from:
      activity: enjeux
      take: top
      n: 4
    method: schulze
    keep: 2
  - kind: ranking
    id: points
    title: Répartissez vos points
    items:
{_yaml_list(SMALL)}
    method: dots
    budget: 10
    keep: 2
  - kind: ranking
    id: mentions
    title: Jugez chaque piste
    items:
{_yaml_list(SMALL)}
    method: majority
    keep: 2
"""
BORDA, SCHULZE, DOTS, MAJORITY = 1, 2, 3, 4


@pytest.fixture
def ranking_server(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"priorisation-test": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url,
                    extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("priorisation-test")
        yield srv, fac, ws


# --- helpers ------------------------------------------------------------------------------------


def items_of(url: str, activity_id: int) -> list[tuple[int, str]]:
    return sql(url, "SELECT id, text FROM item WHERE activity_id = :a AND hidden = false "
                    "AND merged_into_id IS NULL ORDER BY id", a=activity_id)


def votes_of(url: str, activity_id: int) -> list[tuple]:
    return sql(url, "SELECT participant_id, target, axis, value FROM vote WHERE activity_id = :a "
                    "ORDER BY participant_id, target", a=activity_id)


def open_activity(fac: Facilitator, ws: dict, position: int) -> int:
    assert fac.goto(ws["id"], position).status_code == 200
    activity_id = fac.current_activity_id(ws["id"])
    r = fac.set_state(activity_id, "open")
    assert r.status_code == 200, r.text
    return activity_id


def board_rows(page: str) -> list[dict]:
    rows = []
    for m in re.finditer(r'<li class="rk-row([^"]*)"\s+data-item="(\d+)" data-rank="(\d+)" '
                         r'data-score="([^"]*)">.*?<span class="rk-text">([^<]*)</span>', page, re.S):
        rows.append({"classes": m.group(1).split(), "id": int(m.group(2)), "rank": int(m.group(3)),
                     "score": html.unescape(m.group(4)), "text": html.unescape(m.group(5))})
    return rows


def board_w(page: str) -> float | None:
    m = re.search(r'data-w="([0-9.]+)"', page)
    return float(m.group(1)) if m else None


def board(srv, ws) -> str:
    return httpx.get(f"{srv.url}/b/{ws['board_key']}").text


def kendall_w(rank_rows: list[dict[int, Fraction]], ties: list[int]) -> float:
    """W = 12 S / (n² (m³ − m) − n Σ T) from each ballot's ranks (mid-ranks for ties)."""
    n, items = len(rank_rows), list(rank_rows[0])
    m = len(items)
    sums = {i: sum(r[i] for r in rank_rows) for i in items}
    mean = Fraction(n * (m + 1), 2)
    s = sum((sums[i] - mean) ** 2 for i in items)
    return float(12 * s / (n * n * (m**3 - m) - n * sum(ties)))


def mid_ranks(scores: dict[int, int]) -> tuple[dict[int, Fraction], int]:
    """Ranks by score, highest first; tied items share the mean of their ranks; and Σ(t³ − t)."""
    ranks = {}
    for i, v in scores.items():
        better = sum(1 for w in scores.values() if w > v)
        equal = sum(1 for w in scores.values() if w == v)
        ranks[i] = Fraction(2 * better + equal + 1, 2)
    return ranks, sum(t**3 - t for t in Counter(scores.values()).values())


def level(w: float) -> str:
    return ("accord fort" if w >= 0.6 else "accord moyen" if w >= 0.35
            else "accord faible" if w >= 0.15 else "accord très faible")


async def send_all(srv, code: str, activity_id: int, jobs: list[tuple[Participant, list[str]]]) -> list:
    """Each phone sends its ballots in turn; the phones run concurrently."""
    async def one(phone: Participant, ballots: list[str]) -> list[int]:
        async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies, timeout=20) as c:
            statuses = []
            for ballot in ballots:
                r = await c.post(f"/p/{code}/activities/{activity_id}/ranking",
                                 data={"ballot": ballot, "idempotency_key": f"k{random.getrandbits(64):x}"})
                assert r.status_code in (200, 201), r.text
                statuses.append(r.status_code)
                assert "✓ enregistré" in r.text
            return statuses

    return await asyncio.gather(*[one(p, b) for p, b in jobs])


# --- Borda on the ANCT's seven enjeux -------------------------------------------------------------


def test_twenty_phones_rank_the_enjeux_and_the_board_matches(ranking_server):
    srv, fac, ws = ranking_server
    activity_id = open_activity(fac, ws, BORDA)
    enjeux = items_of(srv.database_url, activity_id)
    assert [t for _, t in enjeux] == ENJEUX
    ids = [i for i, _ in enjeux]
    rng = random.Random(2024)
    # A room that leans: « Former et outiller » and « Renforcer l'offre » tend to come first.
    weight = {ids[6]: 6, ids[0]: 5, ids[2]: 4, ids[1]: 3, ids[3]: 2, ids[4]: 1.5, ids[5]: 1}

    def draw() -> list[int]:
        return weighted_order(rng, ids, weight)

    phones = [Participant(srv.url, ws["code"]) for _ in range(20)]
    jobs, final = [], []
    for n, phone in enumerate(phones):
        first = draw()
        ballots = [",".join(map(str, first)), ",".join(map(str, first))]  # a replay changes nothing
        last = first
        if n % 3 == 0:  # a third of the room changes its mind while the ranking is open
            last = draw()
            ballots.append(",".join(map(str, last)))
        jobs.append((phone, ballots))
        final.append(last)
    statuses = asyncio.run(send_all(srv, ws["code"], activity_id, jobs))
    for (_phone, ballots), got in zip(jobs, statuses, strict=True):
        assert got[0] == 201 and got[1] == 200
        if len(ballots) == 3:
            assert got[2] == (201 if ballots[2] != ballots[0] else 200)

    # Stored: one vote per phone and item, the final position of each.
    stored: dict[int, dict[int, int]] = {}
    for pid, target, axis, value in votes_of(srv.database_url, activity_id):
        assert axis == "rank"
        stored.setdefault(pid, {})[int(target)] = value
    assert len(stored) == 20
    got_orders = sorted(tuple(sorted(b, key=b.get)) for b in stored.values())
    assert got_orders == sorted(tuple(o) for o in final)

    # Before the reveal the board shows how many ballots, not the results.
    page = board(srv, ws)
    assert "<strong>20</strong> bulletins" in page and not board_rows(page)
    assert fac.set_state(activity_id, "closed").status_code == 200
    r = phones[0].client.post(f"/p/{ws['code']}/activities/{activity_id}/ranking",
                              data={"ballot": ",".join(map(str, ids))})
    assert r.status_code == 409 and "pas ouvert" in r.json()["detail"]
    assert fac.set_state(activity_id, "revealed").status_code == 200

    # Borda by hand: m − 1 points for first place … 0 for last; ties broken by list order.
    m = len(ids)
    points = dict.fromkeys(ids, 0)
    for order in final:
        for position, item in enumerate(order):
            points[item] += m - 1 - position
    expected = sorted(ids, key=lambda i: (-points[i], ids.index(i)))
    page = board(srv, ws)
    rows = board_rows(page)
    assert [r["id"] for r in rows] == expected
    assert [int(r["score"].split()[0]) for r in rows] == [points[i] for i in expected]
    assert [r["text"] for r in rows] == [dict(enjeux)[i] for i in expected]
    assert [("is-top" in r["classes"]) for r in rows] == [True] * 4 + [False] * 3
    ranks = [{item: Fraction(pos) for pos, item in enumerate(order, start=1)} for order in final]
    w = kendall_w(ranks, [0] * len(final))
    assert board_w(page) == pytest.approx(w, abs=1e-4)
    w_text = f"{w:.2f}".replace(".", ",")
    assert f"<strong>{level(w)}</strong> : " in page  # the level, then what it means
    assert f"(W de Kendall = {w_text}, de 0 à 1)" in page
    assert re.search(r"\(W = \d", page) is None  # never a bare « W = 0,53 »
    assert "20</strong> bulletins" in page and "méthode de Borda" in page

    # « Garder les 4 premiers »: Item.kept on exactly the top 4; the board names them.
    r = fac.client.post(f"/f/activities/{activity_id}/keep", data={"n": "4"})
    assert r.status_code == 200, r.text
    kept = {i for (i,) in sql(srv.database_url, "SELECT id FROM item WHERE activity_id = :a AND kept = true",
                              a=activity_id)}
    assert kept == set(expected[:4])
    page = board(srv, ws)
    section = page.split("Enjeux prioritaires", 1)[1]
    shown = [html.unescape(t) for t in re.findall(r'<li data-kept="\d+">([^<]*)</li>', section)]
    assert shown == [dict(enjeux)[i] for i in expected[:4]]
    assert "Enjeux prioritaires" in phones[1].client.get(f"/p/{ws['code']}").text
    # The facilitator settles a tie by hand: the 4th is no longer kept, the 5th is.
    assert fac.client.post(f"/f/items/{expected[3]}/kept", data={"kept": "false"}).status_code == 200
    assert fac.client.post(f"/f/items/{expected[4]}/kept", data={"kept": "true"}).status_code == 200
    kept = {i for (i,) in sql(srv.database_url, "SELECT id FROM item WHERE activity_id = :a AND kept = true",
                              a=activity_id)}
    assert kept == {*expected[:3], expected[4]}

    # The next activity takes the top 4 of this one (the ranking module's `top`), and each phone
    # sees its own ballot and the room's results once revealed.
    page = phones[0].client.get(f"/p/{ws['code']}").text
    assert "Résultats de la salle" in page and "✓ enregistré" in page
    assert f"<strong>{level(w).capitalize()}</strong> : les " in page
    assert f"(W de Kendall = {w_text}, de 0 à 1)" in page
    suite = open_activity(fac, ws, SCHULZE)
    assert [t for _, t in items_of(srv.database_url, suite)] == [dict(enjeux)[i] for i in expected[:4]]


def test_schulze_follows_the_pairwise_majorities(ranking_server):
    srv, fac, ws = ranking_server
    borda_id = open_activity(fac, ws, BORDA)
    ids = [i for i, _ in items_of(srv.database_url, borda_id)]
    # Five phones rank the enjeux, so that the top 4 is defined; then the Schulze activity on them.
    phones = [Participant(srv.url, ws["code"]) for _ in range(5)]
    asyncio.run(send_all(srv, ws["code"], borda_id, [(p, [",".join(map(str, ids))]) for p in phones]))
    assert fac.set_state(borda_id, "closed").status_code == 200
    suite = open_activity(fac, ws, SCHULZE)
    a, b, c, d = (i for i, _ in items_of(srv.database_url, suite))
    # A Condorcet cycle among a, b, c (2 of 5 a>b>c, 2 b>c>a, 1 c>a>b), d always last:
    ballots = [[a, b, c, d], [a, b, c, d], [b, c, a, d], [b, c, a, d], [c, a, b, d]]
    asyncio.run(send_all(srv, ws["code"], suite,
                         [(p, [",".join(map(str, o))]) for p, o in zip(phones, ballots, strict=True)]))
    assert fac.set_state(suite, "closed").status_code == 200
    assert fac.set_state(suite, "revealed").status_code == 200
    # By hand: d[x][y] = ballots with x above y; links x→y of strength d[x][y] when d[x][y] > d[y][x];
    # widest paths; x beats y when p[x][y] > p[y][x]. Here a>b 3:2, b>c 4:1, c>a 3:2: every path
    # between a and b or a and c has strength 3 both ways, b beats c (4 against 3) and all beat d.
    # Nobody beats a or b: they share rank 1 (a listed first), then c, then d.
    items = [a, b, c, d]
    pref = {(x, y): sum(1 for o in ballots if o.index(x) < o.index(y))
            for x in items for y in items if x != y}
    p = {k: (v if v > pref[(k[1], k[0])] else 0) for k, v in pref.items()}
    for k in items:
        for i in items:
            for j in items:
                if len({i, j, k}) == 3:
                    p[(i, j)] = max(p[(i, j)], min(p[(i, k)], p[(k, j)]))
    beats = {(x, y) for x in items for y in items if x != y and p[(x, y)] > p[(y, x)]}
    wins = {x: sum(1 for y in items if (x, y) in beats) for x in items}
    level, left = {}, list(items)
    while left:
        unbeaten = [y for y in left if not any((x, y) in beats for x in left)]
        level |= dict.fromkeys(unbeaten, 1 + max(level.values(), default=0))
        left = [y for y in left if y not in unbeaten]
    expected = sorted(items, key=lambda x: (level[x], items.index(x)))
    rows = board_rows(board(srv, ws))
    assert [r["id"] for r in rows] == expected == [a, b, c, d]
    assert [r["rank"] for r in rows] == [1, 1, 3, 4]
    assert [r["score"] for r in rows] == [f"bat {wins[x]} sur 3" for x in expected]
    exported = fac.client.get(f"/f/activities/{suite}/enjeux.json").json()["enjeux"]
    assert [(e["rang"], e["ex_aequo"], e["score_libelle"]) for e in exported] == [
        (1, True, f"bat {wins[a]} sur 3"), (1, True, f"bat {wins[b]} sur 3"), (3, False, "bat 1 sur 3"),
        (4, False, "bat 0 sur 3")]
    rule = "Au 1<sup>er</sup> rang, les éléments qu'aucun autre ne bat"
    assert rule in html.unescape(board(srv, ws))
    assert rule in html.unescape(fac.client.get(f"/f/workshops/{ws['id']}").text)


# --- dot voting and majority judgment ---------------------------------------------------------------


def test_dot_voting_on_a_small_group(ranking_server):
    srv, fac, ws = ranking_server
    activity_id = open_activity(fac, ws, DOTS)
    ids = [i for i, _ in items_of(srv.database_url, activity_id)]
    rng = random.Random(11)
    phones = [Participant(srv.url, ws["code"]) for _ in range(6)]
    allocations, jobs = [], []
    for n, phone in enumerate(phones):
        alloc = dict.fromkeys(ids, 0)
        for _ in range(rng.randint(6, 10)):  # at most the budget of 10, not always all of it
            alloc[rng.choice(ids[: 2 + n % 3])] += 1
        first = {i: 0 for i in ids} | {ids[-1]: 10}
        ballots = [",".join(f"{i}:{v}" for i, v in first.items()),
                   ",".join(f"{i}:{v}" for i, v in alloc.items())]
        jobs.append((phone, ballots))
        allocations.append(alloc)
    asyncio.run(send_all(srv, ws["code"], activity_id, jobs))
    assert len(votes_of(srv.database_url, activity_id)) == 6 * len(ids)
    assert fac.set_state(activity_id, "closed").status_code == 200
    assert fac.set_state(activity_id, "revealed").status_code == 200
    total = {i: sum(a[i] for a in allocations) for i in ids}
    voters = {i: sum(1 for a in allocations if a[i] > 0) for i in ids}
    expected = sorted(ids, key=lambda i: (-total[i], -voters[i], ids.index(i)))
    page = board(srv, ws)
    rows = board_rows(page)
    assert [r["id"] for r in rows] == expected
    assert [int(r["score"].split()[0]) for r in rows] == [total[i] for i in expected]
    for r in rows:
        assert f"{voters[r['id']]} votant" in page.split(f'data-item="{r["id"]}"', 1)[1].split("</li>", 1)[0]
    ranked = [mid_ranks(a) for a in allocations]
    w = kendall_w([r for r, _ in ranked], [t for _, t in ranked])
    assert board_w(page) == pytest.approx(w, abs=1e-4)
    assert "vote par points (10 points chacun)" in page


def test_majority_judgment_on_a_small_group(ranking_server):
    srv, fac, ws = ranking_server
    activity_id = open_activity(fac, ws, MAJORITY)
    ids = [i for i, _ in items_of(srv.database_url, activity_id)]
    rng = random.Random(5)
    phones = [Participant(srv.url, ws["code"]) for _ in range(7)]
    ballots, jobs = [], []
    for phone in phones:
        grades = {ids[0]: rng.choice([0, 1, 1, 2]), ids[1]: rng.choice([0, 1, 2, 3]),
                  ids[2]: rng.choice([1, 2, 2, 3])}
        if rng.random() < 0.7:  # sometimes one item is left ungraded: it counts as the worst grade
            grades[ids[3]] = rng.choice([0, 1, 2])
        jobs.append((phone, [",".join(f"{i}:{g}" for i, g in grades.items())]))
        ballots.append(grades)
    asyncio.run(send_all(srv, ws["code"], activity_id, jobs))
    assert fac.set_state(activity_id, "closed").status_code == 200
    assert fac.set_state(activity_id, "revealed").status_code == 200

    def majority_sequence(values: list[int]) -> tuple[int, ...]:
        """Take the (lower) median grade out, again and again (0 = best grade)."""
        left, out = sorted(values), []
        while left:
            out.append(left.pop(len(left) // 2))
        return tuple(out)

    given = {i: [b.get(i, 3) for b in ballots] for i in ids}
    sequence = {i: majority_sequence(given[i]) for i in ids}
    expected = sorted(ids, key=lambda i: (sequence[i], ids.index(i)))
    page = board(srv, ws)
    rows = board_rows(page)
    assert [r["id"] for r in rows] == expected
    assert [r["score"] for r in rows] == [GRADES[sequence[i][0]] for i in expected]
    ranked = [mid_ranks({i: -b.get(i, 3) for i in ids}) for b in ballots]
    w = kendall_w([r for r, _ in ranked], [t for _, t in ranked])
    assert board_w(page) == pytest.approx(w, abs=1e-4)
    assert "jugement majoritaire" in page and "médiane" in page


# --- bad input --------------------------------------------------------------------------------------


def test_bad_ballots_are_refused_and_nothing_is_stored(ranking_server):
    srv, fac, ws = ranking_server
    activity_id = open_activity(fac, ws, BORDA)
    ids = [i for i, _ in items_of(srv.database_url, activity_id)]
    alice = Participant(srv.url, ws["code"])
    url = f"/p/{ws['code']}/activities/{activity_id}/ranking"

    def send(ballot: str, who: Participant = alice) -> httpx.Response:
        return who.client.post(url, data={"ballot": ballot})

    assert send(",".join(map(str, ids))).status_code == 201
    before = votes_of(srv.database_url, activity_id)
    cases = [
        (",".join(map(str, ids[:-1])), 422, "il manque « Former et outiller les professionnels »"),
        (",".join(map(str, [*ids[:-1], ids[0]])), 422, "plusieurs fois"),
        (",".join(map(str, [*ids, 999999])), 422, "inconnu"),
        ("le premier, puis l'autre", 422, "illisible"),
        ("", 422, "illisible"),
    ]
    for ballot, status, fragment in cases:
        r = send(ballot)
        assert r.status_code == status and fragment in r.json()["detail"], (ballot, r.text)
    r = httpx.post(f"{srv.url}{url}", data={"ballot": ",".join(map(str, ids))})
    assert r.status_code == 401 and "Rejoignez" in r.json()["detail"]
    r = alice.client.post(f"/p/{ws['code']}/activities/999999/ranking", data={"ballot": "1"})
    assert r.status_code == 404
    slide = activity_id - 1
    r = alice.client.post(f"/p/{ws['code']}/activities/{slide}/ranking", data={"ballot": "1"})
    assert r.status_code == 409 and "pas un classement" in r.json()["detail"]
    draft = activity_id + 2  # the dot-voting activity, still a draft
    r = alice.client.post(f"/p/{ws['code']}/activities/{draft}/ranking", data={"ballot": f"{ids[0]}:1"})
    assert r.status_code == 409 and "pas ouvert" in r.json()["detail"]
    assert votes_of(srv.database_url, activity_id) == before

    # A hidden item: a ballot naming it is refused; one without it is the new full ranking.
    assert fac.client.post(f"/f/items/{ids[2]}/hidden", data={"hidden": "true"}).status_code == 200
    r = send(",".join(map(str, ids)))
    assert r.status_code == 409 and "retiré de la liste" in r.json()["detail"]
    assert votes_of(srv.database_url, activity_id) == before
    # Merged items: the originals are refused, the merged item takes their place.
    r = fac.client.post(f"/f/activities/{activity_id}/merge", data={"item_ids": [str(ids[0]), str(ids[1])],
                                                                    "text": "Renforcer et relier l'offre"})
    assert r.status_code == 200, r.text
    merged = next(i for i, _ in items_of(srv.database_url, activity_id) if i not in ids)
    visible = [i for i, _ in items_of(srv.database_url, activity_id)]
    r = send(",".join(map(str, [ids[0], *visible])))
    assert r.status_code == 409 and "fusionné" in r.json()["detail"]
    assert votes_of(srv.database_url, activity_id) == before
    # Alice's old ballot no longer orders the merged item: it waits to be validated again.
    assert "validez à nouveau" in alice.client.get(f"/p/{ws['code']}").text
    r = send(",".join(map(str, [merged, *[i for i in visible if i != merged]])))
    assert r.status_code == 201 and "✓ enregistré" in r.text

    # Dot voting: over the budget, negative points, unknown items, a hidden one.
    fac.set_state(activity_id, "closed")
    dots = open_activity(fac, ws, DOTS)
    dot_ids = [i for i, _ in items_of(srv.database_url, dots)]
    durl = f"/p/{ws['code']}/activities/{dots}/ranking"
    assert alice.client.post(durl, data={"ballot": f"{dot_ids[0]}:4,{dot_ids[1]}:6"}).status_code == 201
    before = votes_of(srv.database_url, dots)
    for ballot, status, fragment in [
        (f"{dot_ids[0]}:6,{dot_ids[1]}:5", 422, "11 points ; vous en avez 10 au maximum"),
        (f"{dot_ids[0]}:-1,{dot_ids[1]}:5", 422, "négatifs"),
        (f"{dot_ids[0]}:1,{dot_ids[0]}:2", 422, "qu'une fois"),
        (f"{dot_ids[0]}=3", 422, "illisible"),
        ("424242:1", 422, "inconnu"),
    ]:
        r = alice.client.post(durl, data={"ballot": ballot})
        assert r.status_code == status and fragment in r.json()["detail"], (ballot, r.text)
    assert fac.client.post(f"/f/items/{dot_ids[3]}/hidden", data={"hidden": "true"}).status_code == 200
    r = alice.client.post(durl, data={"ballot": f"{dot_ids[3]}:1"})
    assert r.status_code == 409 and "retiré" in r.json()["detail"]
    assert votes_of(srv.database_url, dots) == before

    # Majority judgment: an unknown grade, an empty ballot.
    fac.set_state(dots, "closed")
    mj = open_activity(fac, ws, MAJORITY)
    mj_ids = [i for i, _ in items_of(srv.database_url, mj)]
    murl = f"/p/{ws['code']}/activities/{mj}/ranking"
    for ballot, status, fragment in [
        (f"{mj_ids[0]}:4", 422, "Mention inconnue"),
        (f"{mj_ids[0]}:-1", 422, "Mention inconnue"),
        ("", 422, "au moins un élément"),
    ]:
        r = alice.client.post(murl, data={"ballot": ballot})
        assert r.status_code == status and fragment in r.json()["detail"], (ballot, r.text)
    assert votes_of(srv.database_url, mj) == []

    # Keeping needs a closed ranking, a facilitator, and a sane number.
    r = fac.client.post(f"/f/activities/{mj}/keep", data={"n": "2"})
    assert r.status_code == 409 and "Fermez" in r.json()["detail"]
    r = httpx.post(f"{srv.url}/f/activities/{activity_id}/keep", data={"n": "2"}, headers={"Origin": srv.url})
    assert r.status_code == 401
    r = fac.client.post(f"/f/activities/{activity_id}/keep", data={"n": "40"})
    assert r.status_code == 422
    other = Facilitator(srv.url, create_facilitator(srv.database_url))
    r = other.client.post(f"/f/activities/{activity_id}/keep", data={"n": "2"})
    assert r.status_code == 403
    r = other.client.post(f"/f/items/{ids[3]}/kept", data={"kept": "true"})
    assert r.status_code == 403
    assert sql(srv.database_url, "SELECT count(*) FROM item WHERE kept = true") == [(0,)]


def test_adding_an_item_asks_for_ballots_again(ranking_server):
    srv, fac, ws = ranking_server
    activity_id = open_activity(fac, ws, BORDA)
    ids = [i for i, _ in items_of(srv.database_url, activity_id)]
    alice, bob = Participant(srv.url, ws["code"]), Participant(srv.url, ws["code"])
    url = f"/p/{ws['code']}/activities/{activity_id}/ranking"
    assert alice.client.post(url, data={"ballot": ",".join(map(str, ids))}).status_code == 201
    assert bob.client.post(url, data={"ballot": ",".join(map(str, ids[::-1]))}).status_code == 201
    r = fac.client.post(f"/f/activities/{activity_id}/items", data={"text": "Accompagner les aidants"})
    assert r.status_code == 200
    control = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert "0 bulletin, 2 à revalider" in control
    new = next(i for i, _ in items_of(srv.database_url, activity_id) if i not in ids)
    assert bob.client.post(url, data={"ballot": ",".join(map(str, [new, *ids]))}).status_code == 201
    control = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert "1 bulletin, 1 à revalider" in control
