"""The impact/maîtrise rating on a real server: 20 phones rate every item on both axes at once,
change their minds, say « je ne sais pas »; the board's figures after the reveal are checked
against values computed here from what was sent; a later activity takes the top N; bad input
is refused with a clear message and stores nothing."""

import asyncio
import html
import random
import re
import statistics
from fractions import Fraction

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

TEMPLATE = """\
title: Prospective express
activities:
  - kind: postits
    id: facteurs
    title: Facteurs de changement
  - kind: rating
    id: matrice
    title: Impact et maîtrise des facteurs
    prompt: Notez chaque facteur.
    items_from: {activity: facteurs, take: merged}
  - kind: rating
    id: liste
    title: Une liste fixe
    items: [Fibre partout, Fermeture des guichets, Conseillers numériques, Vieillissement]
    quadrants:
      high_low: Vigilance
      high_high: Nos leviers
      low_high: Bonus
      low_low: Veille
  - kind: rating
    id: retenus
    title: Les trois facteurs retenus
    items_from: {activity: matrice, take: top, n: 3}
  - kind: rating
    id: urgence
    title: Une seule échelle
    items: [Alpha, Beta]
    axes: [{key: urgence, label: Urgence}]
    scale: {min: 0, max: 5}
    allow_unknown: false
"""

NOTES = ["La fibre partout", "Le très haut débit partout", "Dématérialisation des démarches",
         "Vieillissement de la population", "Fin des guichets", "Hors sujet"]
AXES = ("impact", "maitrise")


@pytest.fixture
def rating_server(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"prospective-express": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url,
                    extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("prospective-express")
        yield srv, fac, ws


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params).all()]
    finally:
        engine.dispose()


def activity_ids(srv) -> list[int]:
    return [r[0] for r in query(srv.database_url, "SELECT id FROM activity ORDER BY position")]


def items_of(srv, activity_id: int) -> list[tuple[int, str, bool, int | None, int | None]]:
    return query(srv.database_url, "SELECT id, text, hidden, merged_into_id, origin_id FROM item "
                 "WHERE activity_id = :a ORDER BY id", a=activity_id)


def votes(srv) -> list[tuple]:
    return query(srv.database_url, "SELECT activity_id, participant_id, target, axis, value FROM vote "
                 "ORDER BY activity_id, participant_id, target, axis")


def rate_url(code: str, activity_id: int) -> str:
    return f"/p/{code}/activities/{activity_id}/rate"


def board_rows(page: str) -> dict[int, dict]:
    """The board table's rows: number → text, quadrant class, sort values and cell texts."""
    rows = {}
    for match in re.finditer(r'<tr class="q-([a-z]+)" data-num="(\d+)"([^>]*)>(.*?)</tr>', page, re.S):
        quadrant, number, attrs, body = match.groups()
        values = dict(re.findall(r'data-sort-([a-z_]+)="([^"]*)"', attrs))
        rows[int(number)] = {
            "quadrant": quadrant,
            "text": html.unescape(re.search(r'class="rate-item-label">([^<]*)<', body).group(1)),
            "means": {k: (float(v) if v else None) for k, v in values.items()},
            "n": [int(n) for n in re.findall(r"· n (\d+)</span>", body)],
            "tag": (html.unescape(m.group(1)) if (m := re.search(r'class="q-tag">([^<]*)<', body)) else None),
        }
    return rows


def expected_quadrant(impact: list[int], maitrise: list[int], midpoint=Fraction(5, 2)) -> str:
    if not impact or not maitrise:
        return "none"
    high_i = Fraction(sum(impact), len(impact)) >= midpoint
    high_m = Fraction(sum(maitrise), len(maitrise)) >= midpoint
    return {(True, False): "anticiper", (True, True): "leviers", (False, True): "secondaires",
            (False, False): "surveiller"}[(high_i, high_m)]


def prepare_items(srv, fac, ws) -> tuple[int, list[tuple]]:
    """Post-its posted, two duplicates merged, one hidden; the rating opened: its items."""
    postits, matrice, *_ = activity_ids(srv)
    fac.open_postits(ws["id"], position=0)
    author = Participant(srv.url, ws["code"])
    for body in NOTES:
        assert author.post(postits, body, category="").status_code == 201
    notes = {t: i for i, t, *_ in items_of(srv, postits)}
    r = fac.client.post(f"/f/activities/{postits}/merge",
                        data={"item_ids": [notes[NOTES[0]], notes[NOTES[1]]],
                              "text": "Le très haut débit pour tous"})
    assert r.status_code == 200, r.text
    assert fac.client.post(f"/f/items/{notes['Hors sujet']}/hidden",
                           data={"hidden": "true"}).status_code == 200
    assert fac.set_state(postits, "closed").status_code == 200
    assert fac.goto(ws["id"], 1).status_code == 200
    assert fac.set_state(matrice, "open").status_code == 200
    rated = items_of(srv, matrice)
    assert sorted(t for _, t, *_ in rated) == sorted(
        ["Le très haut débit pour tous", "Dématérialisation des démarches",
         "Vieillissement de la population", "Fin des guichets"])
    return matrice, rated


def test_twenty_phones_rate_and_the_matrix_matches(rating_server):
    srv, fac, ws = rating_server
    matrice, rated = prepare_items(srv, fac, ws)
    item_ids = [i for i, *_ in rated]
    rng = random.Random(2024)
    phones = [Participant(srv.url, ws["code"]) for _ in range(20)]
    url = rate_url(ws["code"], matrice)

    def draw() -> str:
        return "nsp" if rng.random() < 0.12 else str(rng.randint(1, 4))

    async def rate_all() -> list[dict]:
        async def one(phone: Participant) -> dict:
            final: dict[tuple[int, str], int | None] = {}
            async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies) as c:
                cells = [(i, a) for i in item_ids for a in AXES]
                rng.shuffle(cells)
                for item, axis in cells:
                    first = draw()
                    r = await c.post(url, data={"item": str(item), "axis": axis, "value": first})
                    assert r.status_code == 201, r.text
                    assert f'id="rate-item-{item}"' in r.text
                    r = await c.post(url, data={"item": str(item), "axis": axis, "value": first})
                    assert r.status_code == 200  # a retry (lost answer) stores nothing new
                    last = first
                    if rng.random() < 0.3:  # a change of mind while the rating is open
                        last = draw()
                        r = await c.post(url, data={"item": str(item), "axis": axis, "value": last})
                        assert r.status_code == (200 if last == first else 201)
                    final[(item, axis)] = None if last == "nsp" else int(last)
                # Everything rated: the phone's own answer says so.
                assert f"<strong>{len(item_ids)} / {len(item_ids)}</strong>" in r.text
                assert "✓ enregistré" in r.text
            return final

        return await asyncio.gather(*[one(p) for p in phones])

    finals = asyncio.run(rate_all())

    # One vote per participant, item and axis: 20 × 4 × 2, each the last answer sent.
    stored = [v for v in votes(srv) if v[0] == matrice]
    assert len(stored) == 20 * len(item_ids) * 2
    assert len({(p, t, a) for _, p, t, a, _ in stored}) == len(stored)
    pids = sorted({p for _, p, *_ in stored})
    by_pid = {pid: {(int(t), a): v for _, p, t, a, v in stored if p == pid} for pid in pids}
    assert sorted(repr(sorted_items(v)) for v in by_pid.values()) == sorted(
        repr(sorted_items(f)) for f in finals)

    # Hidden until revealed: the board counts who rated.
    board_url = f"{srv.url}/b/{ws['board_key']}"
    page = httpx.get(board_url).text
    assert "<strong>20</strong> participants ont commencé à noter" in page
    assert "20 ont tout noté (4 éléments) · 160 notes" in page
    assert "rate-matrix" not in page and "data-sort-impact" not in page
    assert fac.set_state(matrice, "closed").status_code == 200
    r = phones[0].client.post(url, data={"item": str(item_ids[0]), "axis": "impact", "value": "1"})
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]
    assert fac.set_state(matrice, "revealed").status_code == 200

    page = httpx.get(board_url).text
    assert "rate-matrix" in page
    rows = board_rows(page)
    assert sorted(rows) == [1, 2, 3, 4]
    texts = {i: t for i, t, *_ in rated}
    for number, item in enumerate(item_ids, start=1):
        row = rows[number]
        assert row["text"] == texts[item]
        given = {a: [f[(item, a)] for f in finals if f[(item, a)] is not None] for a in AXES}
        for axis in AXES:
            assert row["means"][axis] == pytest.approx(statistics.fmean(given[axis]))
        assert row["n"] == [len(given["impact"]), len(given["maitrise"])]
        spread = max(statistics.pstdev(given["impact"]), statistics.pstdev(given["maitrise"]))
        assert row["means"]["spread"] == pytest.approx(spread)
        quadrant = expected_quadrant(given["impact"], given["maitrise"])
        assert row["quadrant"] == quadrant
        assert row["tag"] == {"anticiper": "enjeux à anticiper", "leviers": "leviers d'action",
                              "secondaires": "actions secondaires", "surveiller": "à surveiller"}[quadrant]
    # The table starts sorted by impact, highest first.
    order = [int(n) for n in re.findall(r'<tr class="q-[a-z]+" data-num="(\d+)"', page)]
    impacts = [rows[n]["means"]["impact"] for n in order]
    assert impacts == sorted(impacts, reverse=True)
    # Each plotted item has its numbered marker.
    assert sorted(int(n) for n in re.findall(r'class="rate-point q-[a-z]+" data-number="(\d+)"', page)) == [
        1, 2, 3, 4]

    # Once revealed, a phone sees the results and its own ratings (read-only).
    mine = phones[0].client.get(f"/p/{ws['code']}").text
    assert "Résultats" in mine and "Vos notes" in mine and "4 / 4" in mine

    # The facilitator's CSV carries the same figures.
    csv_text = fac.client.get(f"/f/activities/{matrice}/rating.csv").text
    first_line = csv_text.lstrip("\ufeff").splitlines()[1].split(";")
    assert first_line[1] == texts[item_ids[0]]

    # The top 3 by impact feed the next activity (ties: smaller σ, more answers, list order).
    def key(item: int) -> tuple:
        impact = [f[(item, "impact")] for f in finals if f[(item, "impact")] is not None]
        return (-Fraction(sum(impact), len(impact)), statistics.pstdev(impact), -len(impact),
                item_ids.index(item))

    expected_top = sorted(item_ids, key=key)[:3]
    retenus = activity_ids(srv)[3]
    assert fac.goto(ws["id"], 3).status_code == 200
    assert fac.set_state(retenus, "open").status_code == 200
    taken = items_of(srv, retenus)
    assert [origin for *_, origin in taken] == expected_top
    assert [t for _, t, *_ in taken] == [texts[i] for i in expected_top]


def sorted_items(final: dict) -> list:
    return sorted(final.items())


def test_static_list_custom_quadrants_and_live_board(rating_server):
    srv, fac, ws = rating_server
    liste = activity_ids(srv)[2]
    assert fac.goto(ws["id"], 2).status_code == 200
    assert fac.set_state(liste, "open").status_code == 200
    items = items_of(srv, liste)
    assert [t for _, t, *_ in items] == ["Fibre partout", "Fermeture des guichets",
                                         "Conseillers numériques", "Vieillissement"]
    a, b = Participant(srv.url, ws["code"]), Participant(srv.url, ws["code"])
    url = rate_url(ws["code"], liste)
    plan = {  # item index → (a's impact, a's maitrise, b's impact, b's maitrise)
        0: ("4", "1", "3", "2"),    # impact 3.5, maîtrise 1.5 → Vigilance
        1: ("4", "4", "2", "3"),    # 3, 3.5 → Nos leviers
        2: ("1", "3", "2", "nsp"),  # 1.5, 3 → Bonus
        3: ("2", "2", "nsp", "1"),  # 2, 1.5 → Veille
    }

    async def scenario() -> str:
        async with websockets.connect(f"{srv.ws_url}/ws/board/{ws['board_key']}") as board:
            await asyncio.wait_for(board.recv(), 5)
            r = await asyncio.to_thread(a.client.post, url,
                                        data={"item": str(items[0][0]), "axis": "impact", "value": "4"})
            assert r.status_code == 201
            frame = ""
            while "<strong>1</strong> participant a commencé" not in frame:
                frame = await asyncio.wait_for(board.recv(), 5)
            return frame

    frame = asyncio.run(scenario())
    assert "rate-matrix" not in frame  # still hidden: only the count moved
    for index, (ai, am, bi, bm) in plan.items():
        item = str(items[index][0])
        for phone, axis, value in ((a, "impact", ai), (a, "maitrise", am), (b, "impact", bi),
                                   (b, "maitrise", bm)):
            r = phone.client.post(url, data={"item": item, "axis": axis, "value": value})
            assert r.status_code in (200, 201), r.text
    page = a.client.get(f"/p/{ws['code']}").text
    assert "<strong>4 / 4</strong>" in page and page.count("✓ enregistré") == 4
    control = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert "<strong>2</strong> participants ont commencé" in control
    assert "2</strong> participants : 4 / 4 éléments notés" in control
    assert fac.set_state(liste, "closed").status_code == 200
    assert fac.set_state(liste, "revealed").status_code == 200
    rows = board_rows(httpx.get(f"{srv.url}/b/{ws['board_key']}").text)
    assert [(rows[n]["quadrant"], rows[n]["tag"]) for n in (1, 2, 3, 4)] == [
        ("anticiper", "Vigilance"), ("leviers", "Nos leviers"), ("secondaires", "Bonus"),
        ("surveiller", "Veille")]
    assert [rows[n]["means"]["impact"] for n in (1, 2, 3, 4)] == [3.5, 3.0, 1.5, 2.0]
    assert [rows[n]["n"] for n in (1, 2, 3, 4)] == [[2, 2], [2, 2], [2, 1], [1, 2]]


def test_bad_ratings_are_refused_and_store_nothing(rating_server):
    srv, fac, ws = rating_server
    postits, matrice, liste, _retenus, urgence = activity_ids(srv)
    assert fac.goto(ws["id"], 2).status_code == 200
    assert fac.set_state(liste, "open").status_code == 200
    items = [i for i, *_ in items_of(srv, liste)]
    alice = Participant(srv.url, ws["code"])
    url = rate_url(ws["code"], liste)
    r = alice.client.post(url, data={"item": str(items[0]), "axis": "impact", "value": "3"})
    assert r.status_code == 201
    # The facilitator hides one item and merges two others.
    assert fac.client.post(f"/f/items/{items[1]}/hidden", data={"hidden": "true"}).status_code == 200
    r = fac.client.post(f"/f/activities/{liste}/merge", data={"item_ids": [items[2], items[3]]})
    assert r.status_code == 200
    before = (votes(srv), items_of(srv, liste))

    def refused(response: httpx.Response, status: int, fragment: str) -> None:
        assert response.status_code == status, response.text
        assert fragment in response.json()["detail"], response.json()
        assert (votes(srv), items_of(srv, liste)) == before

    def post(value: str = "2", item: int | str = items[0], axis: str = "impact", activity: int = liste,
             client: httpx.Client = alice.client) -> httpx.Response:
        return client.post(rate_url(ws["code"], activity),
                           data={"item": str(item), "axis": axis, "value": value})

    refused(post("0"), 422, "hors de l'échelle : choisissez de 1 à 4")
    refused(post("5"), 422, "hors de l'échelle")
    refused(post("-1"), 422, "hors de l'échelle")
    refused(post("2.5"), 422, "nombre entier de 1 à 4")
    refused(post("trois"), 422, "nombre entier")
    refused(post("1e3"), 422, "nombre entier")
    refused(post(""), 422, "Aucune note reçue")
    refused(post("2", axis="urgence"), 422, "Axe de notation inconnu")
    refused(post("2", axis=""), 422, "Axe de notation inconnu")
    refused(post("2", item=999_999), 404, "Élément 999999 introuvable")
    refused(post("2", item="abc"), 422, "Élément à noter invalide")
    refused(post("2", item=items[1]), 409, "retiré de la liste")
    refused(post("2", item=items[2]), 409, "regroupé")
    other = query(srv.database_url, "SELECT id FROM item WHERE activity_id = :a", a=urgence)[0][0]
    refused(post("2", item=other), 404, "introuvable dans cette notation")
    refused(alice.client.post(url, data={"axis": "impact", "value": "2"}), 422, "Élément à noter invalide")
    refused(alice.client.post(url, data={"item": str(items[0]), "axis": "impact", "value": "2" * 30}), 422,
            "value")
    refused(post("2", activity=999_999), 404, "Activité 999999")
    refused(post("2", activity=postits), 409, "n'est pas une notation")
    refused(post("2", activity=matrice), 409, "pas ouverte")  # still a draft
    stranger = httpx.Client(base_url=srv.url)
    refused(post("2", client=stranger), 401, "Rejoignez d'abord l'atelier")
    # A one-axis 0–5 scale without « je ne sais pas ».
    assert fac.goto(ws["id"], 4).status_code == 200
    assert fac.set_state(urgence, "open").status_code == 200
    refused(post("nsp", item=other, axis="urgence", activity=urgence), 422,
            "« je ne sais pas » n'est pas proposé")
    refused(post("6", item=other, axis="urgence", activity=urgence), 422, "de 0 à 5")
    refused(post("2", item=other, axis="impact", activity=urgence), 422, "Axe de notation inconnu")
    r = post("0", item=other, axis="urgence", activity=urgence)
    assert r.status_code == 201 and "✓ enregistré" in r.text
    # A closed rating refuses, a change of mind included.
    assert fac.set_state(liste, "closed").status_code == 200
    before = (votes(srv), items_of(srv, liste))
    refused(post("4"), 409, "pas ouverte")
    # « je ne sais pas » is stored as NULL and replaces a value while open.
    assert fac.set_state(liste, "open").status_code == 200
    r = post("nsp")
    assert r.status_code == 201
    assert [v for v in votes(srv) if v[0] == liste] == [(liste, v[1], str(items[0]), "impact", None)
                                                        for v in votes(srv) if v[0] == liste]
