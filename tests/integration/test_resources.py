"""The resource map on a real server: phones add resources in every category with every link
state, the board draws solid and dotted lines accordingly (and none for « aucun lien »), link
states change with a version check, the facilitator corrects and hides, bad input stores nothing."""

import asyncio
import html
import itertools
import re
import secrets

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

CHANTIER = "Développer des actions à destination des jeunes (3 à 14 ans)"
CATEGORIES = ["partenaires de projet", "ressources matérielles", "intervenants", "financements"]
STATES = ["operante", "connue-sans-lien", "aucune"]
TEMPLATE = f"""\
title: Carte express
groups: [Groupe A, Groupe B]
activities:
  - kind: text
    title: Bienvenue
  - kind: resources
    id: ressources
    title: Les ressources du chantier 1.b
    chantier: "{CHANTIER}"
  - kind: resources
    id: par-groupe
    title: Une carte par sous-groupe
    chantier: Un autre chantier
    categories: [partenaires, financements]
    use_groups: true
"""


@pytest.fixture
def map_server(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"carte-express": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url,
                    extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("carte-express")
        activity_id = fac.open_postits(ws["id"], position=1)
        yield srv, fac, ws, activity_id


def add(phone: Participant, activity_id: int, name: str, category: str, state: str,
        key: str | None = None, **extra: str) -> httpx.Response:
    data = {"text": name, "category": category, "state": state,
            "idempotency_key": key or secrets.token_hex(12), **extra}
    return phone.client.post(f"/p/{phone.code}/activities/{activity_id}/resources", data=data)


def set_state(phone: Participant, activity_id: int, resource_id: int, state: str,
              version: int) -> httpx.Response:
    return phone.client.post(f"/p/{phone.code}/activities/{activity_id}/resources/{resource_id}/state",
                             data={"state": state, "version": str(version)})


def db_resources(url: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(
                "SELECT id, activity_id, category, name, state, version, hidden, group_id, created_by "
                "FROM resource_link ORDER BY id")).mappings()]
    finally:
        engine.dispose()


def resource_id(response: httpx.Response) -> int:
    return int(re.search(r'id="res-(?:added-)?(\d+)"', response.text).group(1))


def svg_of(page: str) -> str:
    match = re.search(r'<svg class="rm-map".*?</svg>', page, re.S)
    assert match, "no resource map on the page"
    return match.group(0)


def lines(svg: str) -> dict[int, tuple[str, bool]]:
    """resource id -> (style, dashed) of each link line of the map."""
    out = {}
    for tag in re.findall(r"<line [^>]*data-resource=[^>]*>", svg):
        rid = int(re.search(r'data-resource="(\d+)"', tag).group(1))
        style = re.search(r'class="rm-link rm-(\w+)"', tag).group(1)
        out[rid] = (style, "stroke-dasharray" in tag)
    return out


def nodes(svg: str) -> dict[int, str]:
    found = re.findall(r'class="rm-node[^"]*" data-resource="(\d+)" data-state="([^"]+)"', svg)
    return {int(i): s for i, s in found}


# ---------------------------------------------------------------- the map


def test_every_category_and_every_link_state_on_the_board_map(map_server):
    srv, _fac, ws, activity_id = map_server
    phones = [Participant(srv.url, ws["code"], name=f"P{n}") for n in range(4)]
    wanted = [(f"{cat.split()[0].capitalize()} n° {n} <i>{state}</i>", cat, state)
              for n, (cat, state) in enumerate(itertools.product(CATEGORIES, STATES))]

    async def fill() -> dict[str, int]:
        async def one(n: int, phone: Participant) -> dict[str, int]:
            made = {}
            async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies) as c:
                for name, cat, state in wanted[n::len(phones)]:
                    data = {"text": name, "category": cat, "state": state,
                            "idempotency_key": secrets.token_hex(12)}
                    url = f"/p/{ws['code']}/activities/{activity_id}/resources"
                    r = await c.post(url, data=data)
                    assert r.status_code == 201 and "✓ ajoutée" in r.text, r.text
                    again = await c.post(url, data=data)  # a retry from the outbox
                    assert again.status_code == 200 and resource_id(again) == resource_id(r)
                    made[name] = resource_id(r)
            return made

        done = await asyncio.gather(*[one(n, p) for n, p in enumerate(phones)])
        return {k: v for d in done for k, v in d.items()}

    made = asyncio.run(fill())
    stored = db_resources(srv.database_url)
    assert len(stored) == 12
    assert {(r["name"], r["category"], r["state"]) for r in stored} == set(wanted)

    board = httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    svg = svg_of(board)
    assert "<i>" not in svg and "&lt;i&gt;" in svg  # participant text stays text
    drawn = lines(svg)
    shown = nodes(svg)
    assert len(shown) == 12
    for name, _cat, state in wanted:
        rid = made[name]
        assert shown[rid] == state
        if state == "operante":
            assert drawn[rid] == ("solid", False)
        elif state == "connue-sans-lien":
            assert drawn[rid] == ("dotted", True)
        else:
            assert rid not in drawn  # no link, no line
    assert len(drawn) == 8
    for cat in CATEGORIES:
        assert f'data-category="{cat}"' in svg
    assert "CHANTIER" in svg and "Légende" in svg
    assert "4 opérantes, 4 connues sans lien, 4 sans lien" in html.unescape(svg)

    # Phones see the whole map by category, with the three buttons on each resource.
    page = phones[0].client.get(f"/p/{ws['code']}").text
    assert page.count('class="rm-item ') == 12
    assert page.count('aria-pressed="true"') == 12
    # The same name again (other case and spacing) in the same category is the same resource.
    r = add(phones[1], activity_id, "  partenaires N° 0  <i>OPERANTE</i> ", CATEGORIES[0], "aucune")
    assert r.status_code == 200 and "déjà sur la carte" in html.unescape(r.text)
    # In another category it is another resource.
    r = add(phones[1], activity_id, "Partenaires n° 0 <i>operante</i>", CATEGORIES[3], "aucune")
    assert r.status_code == 201
    assert len(db_resources(srv.database_url)) == 13


def test_link_states_change_with_a_version_check(map_server):
    srv, _fac, ws, activity_id = map_server
    alice, bob = Participant(srv.url, ws["code"], name="Alice"), Participant(srv.url, ws["code"])
    rid = resource_id(add(alice, activity_id, "Conseillers numériques", "intervenants", "aucune"))
    assert rid not in lines(svg_of(httpx.get(f"{srv.url}/b/{ws['board_key']}").text))

    r = set_state(bob, activity_id, rid, "connue-sans-lien", 1)
    assert r.status_code == 200 and "✓ enregistré : connue, sans lien" in html.unescape(r.text)
    assert lines(svg_of(httpx.get(f"{srv.url}/b/{ws['board_key']}").text))[rid] == ("dotted", True)
    # Alice still saw version 1 and taps « opérante »: refused, she sees the current state.
    r = set_state(alice, activity_id, rid, "operante", 1)
    assert r.status_code == 409 and r.headers["x-cap-conflict"] == "stale"
    assert "le lien est maintenant « connue, sans lien »" in html.unescape(r.text)
    assert 'name="version" value="2"' in r.text
    assert db_resources(srv.database_url)[0]["state"] == "connue-sans-lien"
    # Tapping what is already so (the same choice from a stale screen) is fine and changes nothing.
    r = set_state(alice, activity_id, rid, "connue-sans-lien", 1)
    assert r.status_code == 200 and db_resources(srv.database_url)[0]["version"] == 2
    r = set_state(alice, activity_id, rid, "operante", 2)
    assert r.status_code == 200
    assert lines(svg_of(httpx.get(f"{srv.url}/b/{ws['board_key']}").text))[rid] == ("solid", False)

    # Two phones at once from the same version, different states: exactly one wins.
    async def race() -> list[int]:
        async def one(phone: Participant, state: str) -> int:
            async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies) as c:
                r = await c.post(f"/p/{ws['code']}/activities/{activity_id}/resources/{rid}/state",
                                 data={"state": state, "version": "3"})
                return r.status_code

        return await asyncio.gather(one(alice, "aucune"), one(bob, "connue-sans-lien"))

    statuses = asyncio.run(race())
    assert sorted(statuses) == [200, 409]
    assert db_resources(srv.database_url)[0]["version"] == 4


def test_the_board_map_follows_live(map_server):
    srv, _fac, ws, activity_id = map_server
    alice = Participant(srv.url, ws["code"])

    async def scenario() -> str:
        async with websockets.connect(f"{srv.ws_url}/ws/board/{ws['board_key']}") as board:
            await asyncio.wait_for(board.recv(), 5)
            r = await asyncio.to_thread(add, alice, activity_id, "Fab Lab du territoire", "intervenants",
                                        "operante")
            assert r.status_code == 201
            frame = ""
            while "Fab Lab du territoire" not in frame:
                frame = await asyncio.wait_for(board.recv(), 5)
            return frame

    frame = asyncio.run(scenario())
    assert 'class="rm-link rm-solid"' in frame


def test_the_facilitator_adds_corrects_and_hides(map_server):
    srv, fac, ws, activity_id = map_server
    alice = Participant(srv.url, ws["code"])
    rid = resource_id(add(alice, activity_id, "Centre social", "partenaires de projet", "operante"))
    r = fac.client.post(f"/f/activities/{activity_id}/resources",
                        data={"text": "CAF", "category": "financements", "state": "connue-sans-lien"})
    assert r.status_code == 200 and "CAF" in r.text and "saisie par l'animateur" in r.text
    caf = db_resources(srv.database_url)[1]
    assert caf["created_by"] is None and caf["state"] == "connue-sans-lien"

    form = fac.client.get(f"/f/resources/{rid}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    r = fac.client.post(f"/f/resources/{rid}", data={
        "name": "Centres sociaux / Espaces de vie sociale", "category": "partenaires de projet",
        "state": "connue-sans-lien", "note": "à contacter", "version": "1"})
    assert r.status_code == 200 and "✓ enregistré" in r.text
    row = db_resources(srv.database_url)[0]
    assert (row["name"], row["state"], row["version"]) == ("Centres sociaux / Espaces de vie sociale",
                                                           "connue-sans-lien", 2)
    r = fac.client.post(f"/f/resources/{rid}", data={
        "name": "Autre nom", "category": "partenaires de projet", "state": "aucune", "version": "1"})
    assert r.status_code == 409 and "Centres sociaux" in r.text
    r = fac.client.post(f"/f/resources/{rid}", data={
        "name": "caf", "category": "financements", "state": "aucune", "version": "2"})
    assert r.status_code == 409 and "déjà sur la carte" in r.json()["detail"]
    assert db_resources(srv.database_url)[0]["name"] == "Centres sociaux / Espaces de vie sociale"

    assert fac.client.post(f"/f/resources/{rid}/hidden", data={"hidden": "true"}).status_code == 200
    svg = svg_of(httpx.get(f"{srv.url}/b/{ws['board_key']}").text)
    assert rid not in nodes(svg) and rid not in lines(svg)
    r = set_state(alice, activity_id, rid, "operante", 2)
    assert r.status_code == 409 and "masquée" in r.json()["detail"]
    page = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert f'id="ctl-res-{rid}"' in page and "masquée" in page

    other = Facilitator(srv.url, create_facilitator(srv.database_url))
    assert other.client.get(f"/f/resources/{rid}/edit").status_code == 403
    assert other.client.post(f"/f/resources/{rid}/hidden", data={"hidden": "false"}).status_code == 403
    assert other.client.post(f"/f/activities/{activity_id}/resources",
                             data={"text": "x", "category": "financements"}).status_code == 403


# ---------------------------------------------------------------- bad input


def test_bad_input_is_refused_and_stores_nothing(map_server):
    srv, fac, ws, activity_id = map_server
    alice = Participant(srv.url, ws["code"])
    rid = resource_id(add(alice, activity_id, "Médiathèques", "partenaires de projet", "aucune"))
    before = db_resources(srv.database_url)
    url = f"/p/{ws['code']}/activities/{activity_id}/resources"
    cases = [
        (add(alice, activity_id, "x" * 121, "intervenants", "aucune"), 422, "121 caractères"),
        (add(alice, activity_id, "   ", "intervenants", "aucune"), 422, "nom de la ressource"),
        (add(alice, activity_id, "Bus numérique", "humaines", "aucune"), 422, "Catégorie inconnue"),
        (add(alice, activity_id, "Bus numérique", "intervenants", "solide"), 422, "État de lien inconnu"),
        (add(alice, activity_id, "Bus numérique", "intervenants", "operante", key="court"), 422,
         "Clé d'idempotence"),
        (add(alice, activity_id, "Bus numérique", "intervenants", "operante", group_id="1"), 422,
         "pas par sous-groupe"),
        (alice.client.post(url, data={"text": "Sans état", "category": "intervenants",
                                      "idempotency_key": secrets.token_hex(8)}), 422, "state"),
        (set_state(alice, activity_id, rid, "pointille", 1), 422, "État de lien inconnu"),
        (set_state(alice, activity_id, 999999, "operante", 1), 404, "introuvable"),
        (set_state(alice, 999999, rid, "operante", 1), 404, "Activité"),
        (set_state(alice, activity_id - 1, rid, "operante", 1), 409, "pas une activité"),
        (alice.client.post(f"{url}/{rid}/state", data={"state": "operante"}), 422, "version"),
        (add(alice, activity_id - 1, "Sur une diapositive", "intervenants", "aucune"), 409,
         "pas une activité"),
    ]
    for response, status, fragment in cases:
        assert response.status_code == status, (status, response.text)
        assert fragment in response.json()["detail"], response.text

    # A resource of another map is unknown on this one.
    group_map = fac.open_postits(ws["id"], position=2)
    engine = create_engine(srv.database_url)
    with engine.connect() as conn:
        gids = conn.execute(text("SELECT id FROM workshop_group WHERE workshop_id = :w ORDER BY position"),
                            {"w": ws["id"]}).scalars().all()
    engine.dispose()
    # Sub-groups: none chosen, a forged one, then a real one.
    r = add(alice, group_map, "Sans groupe", "partenaires", "aucune")
    assert r.status_code == 422 and "sous-groupe" in r.json()["detail"]
    r = add(alice, group_map, "Groupe forgé", "partenaires", "aucune", group_id="999999")
    assert r.status_code == 404 and "Sous-groupe" in r.json()["detail"]
    ws2 = fac.create_workshop("carte-express")
    engine = create_engine(srv.database_url)
    with engine.connect() as conn:
        foreign = conn.execute(text("SELECT id FROM workshop_group WHERE workshop_id = :w"),
                               {"w": ws2["id"]}).scalars().first()
    engine.dispose()
    r = add(alice, group_map, "Groupe d'un autre atelier", "partenaires", "aucune", group_id=str(foreign))
    assert r.status_code == 404
    r = add(alice, group_map, "La CAF", "financements", "operante", group_id=str(gids[1]))
    assert r.status_code == 201
    other_rid = resource_id(r)
    r = set_state(alice, activity_id, other_rid, "aucune", 1)
    assert r.status_code == 404 and "introuvable sur cette carte" in r.json()["detail"]
    # Not joined.
    assert httpx.post(f"{srv.url}{url}", data={"text": "x", "category": "intervenants", "state": "aucune",
                                               "idempotency_key": secrets.token_hex(8)}).status_code == 401
    r = httpx.post(f"{srv.url}{url}/{rid}/state", data={"state": "aucune", "version": "1"})
    assert r.status_code == 401
    # A closed map takes nothing.
    assert fac.set_state(activity_id, "closed").status_code == 200
    r = add(alice, activity_id, "Trop tard", "intervenants", "aucune")
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]
    r = set_state(alice, activity_id, rid, "operante", 1)
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]
    # The facilitator's own bad input.
    for data, fragment in [({"text": "x" * 121, "category": "financements"}, "121 caractères"),
                           ({"text": "x", "category": "inconnue"}, "Catégorie inconnue"),
                           ({"text": "x", "category": "financements", "state": "?"}, "État de lien")]:
        r = fac.client.post(f"/f/activities/{activity_id}/resources", data=data)
        assert r.status_code == 422 and fragment in r.json()["detail"]

    after = [r for r in db_resources(srv.database_url) if r["activity_id"] == activity_id]
    assert after == before
