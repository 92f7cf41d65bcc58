"""The chantier table on a real server: sub-groups fill rows at the same time, two phones edit
one row from the same version (exactly one wins, the other gets 409 and the current version),
the board shows the table, the facilitator edits and hides rows, and bad input stores nothing."""

import asyncio
import html
import re
import secrets
from urllib.parse import urlencode

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text
from sqlmodel import Session

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

FORM = {"Content-Type": "application/x-www-form-urlencoded"}

ENJEU_1 = "Comment renforcer l'attractivité du territoire grâce au numérique ?"
ENJEU_2 = "Former et outiller les professionnels"
TEMPLATE = f"""\
title: Chantiers express
groups: [Groupe 1, Groupe 2, Groupe 3]
activities:
  - kind: text
    title: Bienvenue
  - kind: table
    id: chantiers
    title: Les chantiers clés
    sections:
      - "{ENJEU_1}"
      - {ENJEU_2}
    target_rows: 3
    use_groups: true
  - kind: table
    id: libre
    title: Un tableau sans sous-groupes
    columns:
      - {{key: title, label: "Titre du chantier", multiline: false}}
      - {{key: pilot, label: "Qui pilote ?"}}
    live: false
"""


@pytest.fixture
def table_server(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"chantiers-express": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url,
                    extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("chantiers-express")
        activity_id = fac.open_postits(ws["id"], position=1)
        yield srv, fac, ws, activity_id


# ---------------------------------------------------------------- helpers


def group_ids(phone: Participant) -> dict[str, int]:
    page = phone.client.get(f"/p/{phone.code}").text
    return {name: int(gid) for gid, name in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)}


def choose_group(phone: Participant, activity_id: int, group_id: int) -> httpx.Response:
    return phone.client.post(f"/p/{phone.code}/activities/{activity_id}/table-group",
                             data={"group_id": str(group_id)})


def cells(**values: str) -> dict[str, str]:
    return {f"cell_{k}": v for k, v in values.items()}


def add_row(phone: Participant, activity_id: int, section: str, key: str | None = None,
            **values: str) -> httpx.Response:
    data = {"section": section, "idempotency_key": key or secrets.token_hex(12), **cells(**values)}
    return phone.client.post(f"/p/{phone.code}/activities/{activity_id}/rows", data=data)


def save_row(phone: Participant, activity_id: int, row_id: int, version: int,
             **values: str) -> httpx.Response:
    return phone.client.post(f"/p/{phone.code}/activities/{activity_id}/rows/{row_id}",
                             data={"version": str(version), **cells(**values)})


def db_rows(url: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, activity_id, section, group_id, cells, version, hidden, created_by, updated_by "
                "FROM table_row ORDER BY id")).mappings().all()
    finally:
        engine.dispose()
    out = []
    for row in rows:
        row = dict(row)
        if isinstance(row["cells"], str):
            import json
            row["cells"] = json.loads(row["cells"])
        out.append(row)
    return out


def row_id_of(response: httpx.Response) -> int:
    return int(re.search(r'data-row="(\d+)"', response.text).group(1))


def unescaped(page: str) -> str:
    return html.unescape(page)


# ---------------------------------------------------------------- the table fills up


def test_sub_groups_fill_the_table_at_the_same_time(table_server):
    srv, _fac, ws, activity_id = table_server
    phones = [Participant(srv.url, ws["code"], name=f"Personne {n}") for n in range(6)]
    groups = group_ids(phones[0])
    names = ["Groupe 1", "Groupe 2", "Groupe 3"]
    for n, phone in enumerate(phones):
        assert choose_group(phone, activity_id, groups[names[n % 3]]).status_code == 200

    async def fill() -> list[tuple[int, str, str, int]]:
        async def one(n: int, phone: Participant) -> list[tuple[int, str, str, int]]:
            out = []
            async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies) as c:
                for section in ("0", "1"):
                    title = f"Chantier {n}-{section} du {names[n % 3]}"
                    key = secrets.token_hex(12)
                    data = {"section": section, "idempotency_key": key, "cell_title": title,
                            "cell_objectives": f"On aura réussi si {n} <b>ça marche</b>",
                            "cell_pilot": "Communauté de communes"}
                    url = f"/p/{ws['code']}/activities/{activity_id}/rows"
                    r = await c.post(url, data=data)
                    assert r.status_code == 201, r.text
                    assert "✓ enregistré" in r.text
                    again = await c.post(url, data=data)  # a retry (the answer was lost) adds nothing
                    assert again.status_code == 200 and row_id_of(again) == row_id_of(r)
                    out.append((n, section, title, row_id_of(r)))
            return out

        done = await asyncio.gather(*[one(n, p) for n, p in enumerate(phones)])
        return [x for chunk in done for x in chunk]

    made = asyncio.run(fill())
    rows = db_rows(srv.database_url)
    assert len(rows) == 12
    by_id = {r["id"]: r for r in rows}
    for n, section, title, row_id in made:
        row = by_id[row_id]
        assert row["cells"]["title"] == title and row["section"] == section
        assert row["group_id"] == groups[names[n % 3]] and row["version"] == 1
        assert row["cells"]["objectives"] == f"On aura réussi si {n} <b>ça marche</b>"

    # Each phone sees its sub-group's rows (written by any member), and not the others'.
    page = unescaped(phones[0].client.get(f"/p/{ws['code']}").text)
    assert "Chantier 0-0 du Groupe 1" in page and "Chantier 3-1 du Groupe 1" in page
    assert "du Groupe 2" not in page
    assert "<b>ça marche</b>" not in phones[0].client.get(f"/p/{ws['code']}").text  # escaped
    assert re.search(r"<strong>2</strong> / 3 chantiers de votre groupe", page)

    # The board shows the whole table, by enjeu and sub-group, with counts.
    board = unescaped(httpx.get(f"{srv.url}/b/{ws['board_key']}").text)
    assert ENJEU_1 in board and ENJEU_2 in board
    assert len(re.findall(r'class="tbl-card"', board)) == 12
    for _n, _section, title, _row_id in made:
        assert title in board
    assert board.count("6 chantiers") == 2
    assert re.search(r"Groupe 2\s*<span class=\"tbl-bgroup-count\">2/3</span>", board)
    assert "Communauté de communes" in board


def test_two_phones_edit_one_row_from_the_same_version(table_server):
    srv, _fac, ws, activity_id = table_server
    phones = [Participant(srv.url, ws["code"], name=f"Membre {n}") for n in range(4)]
    gid = group_ids(phones[0])["Groupe 2"]
    for phone in phones:
        choose_group(phone, activity_id, gid)
    r = add_row(phones[0], activity_id, "0", title="Faciliter l'accès aux services numériques")
    assert r.status_code == 201
    row_id = row_id_of(r)
    version = 1
    for round_ in range(5):
        texts = [f"Tour {round_} : objectifs écrits par le téléphone {n}" for n in range(len(phones))]

        async def race(texts=texts, version=version) -> list[httpx.Response]:
            async def one(phone: Participant, body: str) -> httpx.Response:
                async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies) as c:
                    return await c.post(f"/p/{ws['code']}/activities/{activity_id}/rows/{row_id}",
                                        data={"version": str(version), "cell_objectives": body})

            return await asyncio.gather(*[one(p, t) for p, t in zip(phones, texts, strict=True)])

        answers = asyncio.run(race())
        statuses = [a.status_code for a in answers]
        assert statuses.count(200) == 1 and statuses.count(409) == len(phones) - 1, statuses
        winner = texts[statuses.index(200)]
        stored = db_rows(srv.database_url)[0]
        assert stored["cells"]["objectives"] == winner
        assert stored["version"] == version + 1
        for answer, mine in zip(answers, texts, strict=True):
            if answer.status_code != 409:
                assert "✓ enregistré" in answer.text
                continue
            page = unescaped(answer.text)
            assert answer.headers["x-cap-conflict"] == "stale"
            assert ("Ce chantier a été modifié par quelqu'un d'autre de votre groupe pendant que "
                    "vous écriviez : voici la version actuelle…") in page
            assert winner in page  # the current version, to merge
            assert re.search(r'<textarea[^>]*name="cell_objectives"[^>]*>' + re.escape(mine), page)
            assert f'name="version" value="{version + 1}"' in answer.text  # she can now save over it
        version += 1

    # A loser saves her merged text from the version the conflict gave her: accepted.
    r = save_row(phones[1], activity_id, row_id, version, objectives="Texte fusionné")
    assert r.status_code == 200 and "✓ enregistré" in r.text
    assert db_rows(srv.database_url)[0]["cells"]["objectives"] == "Texte fusionné"
    # Saving again from the old version is stale, and changes nothing.
    r = save_row(phones[2], activity_id, row_id, version, objectives="Trop tard")
    assert r.status_code == 409
    stored = db_rows(srv.database_url)[0]
    assert stored["cells"]["objectives"] == "Texte fusionné" and stored["version"] == version + 1
    assert stored["cells"]["title"] == "Faciliter l'accès aux services numériques"


def test_the_board_and_the_group_phones_follow_live(table_server):
    srv, _fac, ws, activity_id = table_server
    alice, bob, carol = (Participant(srv.url, ws["code"], name=n) for n in ("Alice", "Bob", "Carol"))
    groups = group_ids(alice)
    choose_group(alice, activity_id, groups["Groupe 1"])
    choose_group(bob, activity_id, groups["Groupe 1"])
    choose_group(carol, activity_id, groups["Groupe 3"])

    async def scenario() -> tuple[str, str, list[str]]:
        headers = {"Cookie": bob.cookie_header, "Origin": srv.url}
        async with websockets.connect(f"{srv.ws_url}/ws/board/{ws['board_key']}") as board, \
                websockets.connect(f"{srv.ws_url}/ws/p/{ws['code']}", additional_headers=headers) as phone, \
                websockets.connect(f"{srv.ws_url}/ws/p/{ws['code']}",
                                   additional_headers={"Cookie": carol.cookie_header,
                                                       "Origin": srv.url}) as other:
            await asyncio.wait_for(board.recv(), 5)
            await asyncio.wait_for(phone.recv(), 5)
            await asyncio.wait_for(other.recv(), 5)
            r = await asyncio.to_thread(add_row, alice, activity_id, "1", None,
                                        title="Un réseau de médiateurs formés")
            assert r.status_code == 201
            board_frame = phone_frame = ""
            while "Un réseau de médiateurs formés" not in board_frame:
                board_frame = await asyncio.wait_for(board.recv(), 5)
            while "Un réseau de médiateurs formés" not in phone_frame:
                phone_frame = await asyncio.wait_for(phone.recv(), 5)
            others = []
            with pytest.raises(TimeoutError):
                while True:
                    others.append(await asyncio.wait_for(other.recv(), 1.5))
            return board_frame, phone_frame, others

    board_frame, phone_frame, others = asyncio.run(scenario())
    # The board is sent what changed: its table of chantiers (#board-results), not its header.
    assert 'id="board-results"' in board_frame and "tbl-card" in board_frame
    assert 'id="p-activity"' in phone_frame and "par Alice" in phone_frame
    # Carol's phone is refreshed too (one push for every phone), but never shows group 1's rows.
    assert all("Un réseau de médiateurs formés" not in frame for frame in others)


def test_the_facilitator_edits_and_hides_rows(table_server):
    srv, fac, ws, activity_id = table_server
    alice = Participant(srv.url, ws["code"], name="Alice")
    choose_group(alice, activity_id, group_ids(alice)["Groupe 1"])
    row_id = row_id_of(add_row(alice, activity_id, "0", title="Itinérance des services",
                               obstacles="Zones blanches"))
    form = fac.client.get(f"/f/table-rows/{row_id}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    r = fac.client.post(f"/f/table-rows/{row_id}", data={"version": "1", "cell_pilot": "Région"})
    assert r.status_code == 200 and "✓ enregistré" in r.text
    row = db_rows(srv.database_url)[0]
    assert row["cells"] == {"title": "Itinérance des services", "obstacles": "Zones blanches",
                            "pilot": "Région"}
    assert row["version"] == 2 and row["updated_by"] is None
    # A phone that opened the row before the facilitator's edit is told, not overwritten.
    r = save_row(alice, activity_id, row_id, 1, pilot="Commune")
    assert r.status_code == 409 and "Région" in r.text
    r = fac.client.post(f"/f/table-rows/{row_id}", data={"version": "1", "cell_pilot": "Département"})
    assert r.status_code == 409 and "modifié par quelqu'un d'autre" in unescaped(r.text)
    assert db_rows(srv.database_url)[0]["cells"]["pilot"] == "Région"

    page = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert f'id="ctl-row-{row_id}"' in page and "Zones blanches" in page
    r = fac.client.post(f"/f/table-rows/{row_id}/hidden", data={"hidden": "true"})
    assert r.status_code == 200 and 'class="is-hidden"' in r.text
    assert "Itinérance des services" not in httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    assert "masqué par l'animateur" in unescaped(alice.client.get(f"/p/{ws['code']}").text)
    r = save_row(alice, activity_id, row_id, 2, pilot="Commune")
    assert r.status_code == 409 and "masqué" in r.json()["detail"]
    assert fac.client.post(f"/f/table-rows/{row_id}/hidden", data={"hidden": "false"}).status_code == 200
    assert "Itinérance des services" in unescaped(httpx.get(f"{srv.url}/b/{ws['board_key']}").text)

    # Another facilitator may not touch it.
    other = Facilitator(srv.url, create_facilitator(srv.database_url))
    r = other.client.post(f"/f/table-rows/{row_id}", data={"version": "2", "cell_pilot": "x"})
    assert r.status_code == 403
    assert other.client.post(f"/f/table-rows/{row_id}/hidden", data={"hidden": "true"}).status_code == 403
    assert other.client.get(f"/f/table-rows/{row_id}/edit").status_code == 403


def test_a_table_without_sub_groups_is_shared_by_the_room(table_server):
    srv, fac, ws, _ = table_server
    activity_id = fac.open_postits(ws["id"], position=2)
    alice, bob = Participant(srv.url, ws["code"]), Participant(srv.url, ws["code"])
    r = add_row(alice, activity_id, "0", title="Un chantier commun", pilot="Le CIAS")
    assert r.status_code == 201
    row_id = row_id_of(r)
    assert "Un chantier commun" in bob.client.get(f"/p/{ws['code']}").text
    assert save_row(bob, activity_id, row_id, 1, pilot="La commune").status_code == 200
    # Only the template's columns: a multi-line text in a single-line column becomes one line.
    r = save_row(alice, activity_id, row_id, 2, title="Un chantier\ncommun  et partagé")
    assert r.status_code == 200
    assert db_rows(srv.database_url)[0]["cells"] == {"title": "Un chantier commun et partagé",
                                                     "pilot": "La commune"}
    r = save_row(alice, activity_id, row_id, 3, objectives="pas une colonne de ce tableau")
    assert r.status_code == 422 and "Colonne inconnue" in r.json()["detail"]
    # Not live: the board counts the rows until the facilitator reveals them.
    board = httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    assert "<strong>1</strong> chantier proposé" in board and "Un chantier commun" not in board
    assert fac.set_state(activity_id, "closed").status_code == 200
    assert fac.set_state(activity_id, "revealed").status_code == 200
    assert "Un chantier commun et partagé" in unescaped(httpx.get(f"{srv.url}/b/{ws['board_key']}").text)


# ---------------------------------------------------------------- bad input


def test_bad_input_is_refused_and_stores_nothing(table_server):
    srv, fac, ws, activity_id = table_server
    alice = Participant(srv.url, ws["code"])
    groups = group_ids(alice)
    url = f"/p/{ws['code']}/activities/{activity_id}/rows"
    # No sub-group chosen yet.
    r = add_row(alice, activity_id, "0", title="Sans groupe")
    assert r.status_code == 422 and "sous-groupe" in r.json()["detail"]
    assert choose_group(alice, activity_id, groups["Groupe 1"]).status_code == 200
    row_id = row_id_of(add_row(alice, activity_id, "0", title="Le chantier d'Alice"))
    before = db_rows(srv.database_url)

    cases = [
        (add_row(alice, activity_id, "0", objectives="x" * 2001, title="Trop long"), 422, "2001 caractères"),
        (add_row(alice, activity_id, "0", title="t" * 2001), 422, "2000 au maximum"),
        (add_row(alice, activity_id, "0", title="Inconnue", budget="1 €"), 422, "Colonne inconnue"),
        (add_row(alice, activity_id, "7", title="Enjeu inconnu"), 422, "Enjeu inconnu"),
        (add_row(alice, activity_id, "0", title="   "), 422, "titre"),
        (add_row(alice, activity_id, "0", objectives="sans titre"), 422, "titre"),
        (add_row(alice, activity_id, "0", key="court", title="Clé"), 422, "Clé d'idempotence"),
        (alice.client.post(url, data={"section": "0", "idempotency_key": secrets.token_hex(8),
                                      "cell_title": "Groupe forgé", "group_id": "999999"}),
         404, "Sous-groupe"),
        (alice.client.post(url, content=urlencode([("section", "0"),
                                                   ("idempotency_key", secrets.token_hex(8)),
                                                   ("cell_title", "a"), ("cell_title", "b")]),
                           headers=FORM), 422, "deux fois"),
        (save_row(alice, activity_id, row_id, 1, objectives="y" * 2001), 422, "2001 caractères"),
        (save_row(alice, activity_id, row_id, 1, nope="?"), 422, "Colonne inconnue"),
        (save_row(alice, activity_id, row_id, 1, title=""), 422, "titre"),
        (save_row(alice, activity_id, 999999, 1, title="Ligne inconnue"), 404, "introuvable"),
        (alice.client.post(f"{url}/{row_id}", data={"cell_title": "Sans version"}), 422, "version"),
        (alice.client.post(f"{url}/{row_id}", data={"version": "0", "cell_title": "v0"}), 422, "version"),
        (save_row(alice, 999999, row_id, 1, title="Activité inconnue"), 404, "Activité"),
        (save_row(alice, activity_id - 1, row_id, 1, title="Une diapositive"), 409, "pas une activité"),
        (choose_group(alice, activity_id, 999999), 404, "Sous-groupe"),
    ]
    for response, status, fragment in cases:
        assert response.status_code == status, (status, response.text)
        assert fragment in response.json()["detail"], response.text

    # A group of another workshop is a forged group too.
    ws2 = fac.create_workshop("chantiers-express")
    engine = create_engine(srv.database_url)
    with engine.connect() as conn:
        foreign = conn.execute(text("SELECT id FROM workshop_group WHERE workshop_id = :w"),
                               {"w": ws2["id"]}).scalars().first()
    engine.dispose()
    r = alice.client.post(url, data={"section": "0", "idempotency_key": secrets.token_hex(8),
                                     "cell_title": "Groupe d'un autre atelier", "group_id": str(foreign)})
    assert r.status_code == 404
    # A row of another activity (the second table) is unknown here.
    second = fac.open_postits(ws["id"], position=2)
    fac.goto(ws["id"], 1)
    other_row = row_id_of(add_row(alice, second, "0", title="Dans l'autre tableau"))
    r = save_row(alice, activity_id, other_row, 1, title="Mauvaise activité")
    assert r.status_code == 404 and "introuvable dans ce tableau" in r.json()["detail"]
    # Another sub-group's row.
    bob = Participant(srv.url, ws["code"])
    choose_group(bob, activity_id, groups["Groupe 2"])
    r = save_row(bob, activity_id, row_id, 1, title="Pas mon groupe")
    assert r.status_code == 403 and "Groupe 1" in r.json()["detail"]
    assert bob.client.get(f"{url}/{row_id}/edit").status_code == 403
    # Not joined.
    assert httpx.post(f"{srv.url}{url}/{row_id}", data={"version": "1", "cell_title": "x"}).status_code == 401
    assert httpx.post(f"{srv.url}{url}", data={"section": "0", "idempotency_key": secrets.token_hex(8),
                                                "cell_title": "x"}).status_code == 401
    # A closed table takes nothing.
    assert fac.set_state(activity_id, "closed").status_code == 200
    r = add_row(alice, activity_id, "0", title="Trop tard")
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]
    r = save_row(alice, activity_id, row_id, 1, title="Trop tard")
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]

    after = [r for r in db_rows(srv.database_url) if r["cells"]["title"] != "Dans l'autre tableau"]
    assert after == before


# ---------------------------------------------------------------- sections from a ranking


def test_sections_are_the_enjeux_kept_by_the_ranking(database_url):
    """`rows_from`: one section per kept, visible enjeu of the ranking named by the table."""
    from app.db import make_engine
    from app.domain.tables import arrange
    from app.models import Activity, Facilitator, Item, TableRow, Workshop
    from app.services import tables

    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = Facilitator(email="a@example.org", name="A", password_hash="x")
        session.add(owner)
        session.flush()
        workshop = Workshop(title="T", template_slug="t", join_code="ABCDEF", board_key="k" * 43,
                            owner_id=owner.id)
        session.add(workshop)
        session.flush()
        ranking = Activity(workshop_id=workshop.id, position=0, kind="text", title="Enjeux",
                           config={"id": "enjeux"})
        table = Activity(workshop_id=workshop.id, position=1, kind="table", title="Chantiers",
                         config={"rows_from": {"activity": "enjeux", "take": "top"}})
        session.add_all([ranking, table])
        session.flush()
        texts = ["Former les pros", "Équiper les lieux", "Mieux communiquer", "Sensibiliser"]
        items = [Item(activity_id=ranking.id, source="template", text=t, kept=n != 1, hidden=n == 3)
                 for n, t in enumerate(texts)]
        session.add_all(items)
        session.commit()
        sections = tables.sections_of(session, table)
        assert [(s.label, s.number) for s in sections] == [("Former les pros", 1), ("Mieux communiquer", 2)]
        assert sections[0].key == f"item-{items[0].id}"
        # A row of an enjeu no longer kept stays in sight, in a last section.
        row = TableRow(activity_id=table.id, section=f"item-{items[1].id}", cells={"title": "x"})
        session.add(row)
        session.commit()
        arranged = arrange(sections, tables.rows_of(session, table.id))
        assert [s.section.number for s in arranged] == [1, 2, 0]
        assert arranged[-1].rows[0].id == row.id
    engine.dispose()


def test_the_shipped_template_takes_its_enjeux_from_the_ranking(server, facilitator_email):
    """chantiers-cles.yaml: rank the ANCT's enjeux, keep the top 4, fill the table per enjeu."""
    fac = Facilitator(server.url, facilitator_email)
    ws = fac.create_workshop("chantiers-cles")
    ranking_id = fac.open_postits(ws["id"], position=1)
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        items = conn.execute(text("SELECT id, text FROM item WHERE activity_id = :a ORDER BY id"),
                             {"a": ranking_id}).all()
    engine.dispose()
    assert len(items) == 7
    order = [item_id for item_id, _ in reversed(items)]  # everyone ranks the list upside down
    voters = [Participant(server.url, ws["code"]) for _ in range(3)]
    for voter in voters:
        r = voter.client.post(f"/p/{ws['code']}/activities/{ranking_id}/ranking",
                              data={"ballot": ",".join(map(str, order))})
        assert r.status_code == 201, r.text
    assert fac.set_state(ranking_id, "closed").status_code == 200
    assert fac.client.post(f"/f/activities/{ranking_id}/keep", data={"n": "4"}).status_code == 200

    table_id = fac.open_postits(ws["id"], position=3)
    alice = voters[0]
    choose_group(alice, table_id, group_ids(alice)["Groupe 2"])
    page = unescaped(alice.client.get(f"/p/{ws['code']}").text)
    expected = [label for _, label in reversed(items)][:4]
    shown = re.findall(r'<span class="tbl-num">Enjeu (\d)</span> ([^<]+)</h2>', page)
    assert shown == [(str(n), label) for n, label in enumerate(expected, 1)]
    first, fourth = order[0], order[3]
    assert add_row(alice, table_id, f"item-{first}", title="Un chantier du premier enjeu").status_code == 201
    assert add_row(alice, table_id, f"item-{fourth}", title="Un chantier du quatrième").status_code == 201
    r = add_row(alice, table_id, f"item-{order[4]}", title="Un enjeu non retenu")
    assert r.status_code == 422 and "Enjeu inconnu" in r.json()["detail"]
    board = unescaped(httpx.get(f"{server.url}/b/{ws['board_key']}").text)
    assert all(label in board for label in expected) and "Un chantier du premier enjeu" in board

    # The facilitator drops the fourth enjeu: its chantier stays in sight, apart.
    assert fac.set_state(ranking_id, "revealed").status_code == 200
    r = fac.client.post(f"/f/items/{fourth}/kept", data={"kept": "false"})
    assert r.status_code == 200, r.text
    board = unescaped(httpx.get(f"{server.url}/b/{ws['board_key']}").text)
    assert expected[3] not in board
    assert "Chantiers d'un enjeu qui n'est plus retenu" in board and "Un chantier du quatrième" in board
