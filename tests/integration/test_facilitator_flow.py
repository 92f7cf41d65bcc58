"""A facilitator's workshops: list, create from any template, rename, delete; the CLI."""

import html
import re
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from app.domain.workshop_templates import load_templates
from tests.support import ROOT, Facilitator, Participant

pytestmark = pytest.mark.storage


def test_list_create_rename_delete(server, facilitator_email):
    fac = Facilitator(server.url, facilitator_email)
    page = fac.client.get("/f").text
    assert "Aucun atelier" in page
    for slug in load_templates(ROOT / "sessions"):
        assert f'<option value="{slug}">' in page
    ws = fac.create_workshop(title="Atelier de Périgueux")
    assert re.fullmatch(r"[A-Z2-9]{6}", ws["code"])
    page = fac.client.get("/f").text
    assert "Atelier de Périgueux" in page and ws["code"] in page

    r = fac.client.post(f"/f/workshops/{ws['id']}/rename", data={"title": "  Périgueux,  séance 2 "})
    assert r.status_code == 303
    assert "Périgueux, séance 2" in fac.client.get("/f").text
    # The board and the phones see the new title.
    assert "Périgueux, séance 2" in fac.client.get(f"/b/{ws['board_key']}").text

    alice = Participant(server.url, ws["code"])
    fac.open_postits(ws["id"])
    gid = alice.first_group_id()
    activity = fac.current_activity_id(ws["id"])
    assert alice.post(activity, "À supprimer avec l'atelier", group_id=gid).status_code == 201
    assert fac.client.post(f"/f/workshops/{ws['id']}/delete").status_code == 303
    assert "Aucun atelier" in fac.client.get("/f").text
    assert fac.client.get(f"/b/{ws['board_key']}").status_code == 404
    assert alice.client.get(f"/p/{ws['code']}").status_code == 404
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("workshop", "activity", "item", "participant", "workshop_group")]
    engine.dispose()
    assert counts == [0, 0, 0, 0, 0]


def test_the_template_picker_shows_each_description_and_duration(server, facilitator_email):
    page = Facilitator(server.url, facilitator_email).client.get("/f").text
    templates = load_templates(ROOT / "sessions")
    assert templates["concertation-fne"].duration == "2 h 30"
    for slug, t in templates.items():
        entry = re.search(rf'<li class="workshop-row" data-template="{slug}">(.*?)</li>', page, re.S)
        assert entry, slug
        assert t.description in html.unescape(entry[1])
        assert f"Durée : {t.duration or 'non précisée'}" in entry[1]


def test_login_refuses_a_wrong_password(server, facilitator_email):
    import httpx

    client = httpx.Client(base_url=server.url, headers={"Origin": server.url})
    r = client.post("/login", data={"email": facilitator_email, "password": "mauvais-mot"})
    assert r.status_code == 401 and "incorrect" in r.text
    assert client.post("/f/workshops", data={"template": "prospective-10-ans"}).status_code == 401


def test_cli_creates_a_facilitator_and_refuses_a_duplicate(database_url):
    env_cmd = [sys.executable, "-m", "app", "create-facilitator", "--email", "Claire@Example.org",
               "--name", "Claire", "--password", "un-bon-mot-de-passe"]
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(env_cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "claire@example.org" in ok.stdout
    again = subprocess.run(env_cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "existe déjà" in again.stderr
    short = subprocess.run([*env_cmd[:-1], "court"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert short.returncode == 2 and "au moins 8" in short.stderr


def test_a_malformed_template_is_reported_and_never_used(database_url, tmp_path):
    import shutil

    from tests.support import create_facilitator, run_server

    folder = tmp_path / "sessions"
    folder.mkdir()
    shutil.copy(ROOT / "sessions" / "prospective-10-ans.yaml", folder)
    (folder / "sans-titre.yaml").write_text(
        "activities:\n  - kind: text\n    title: Bienvenue\n", encoding="utf-8")
    with run_server(database_url, tmp_path, extra_env={"SESSIONS_DIR": str(folder)}) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        page = fac.client.get("/f").text
        assert "sans-titre.yaml: title: expected a value (this field is required)" in page
        assert '<option value="prospective-10-ans">' in page
        assert '<option value="sans-titre">' not in page
        r = fac.client.post("/f/workshops", data={"template": "sans-titre"})
        assert r.status_code == 404 and "Modèle d'atelier inconnu" in r.json()["detail"]
        engine = create_engine(database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM workshop")).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM activity")).scalar_one() == 0
        engine.dispose()


def test_paper_postits_typed_in_by_the_facilitator(server, room):
    fac, ws, act = room["fac"], room["ws"], room["activity"]
    r = fac.client.post(f"/f/activities/{act}/items", data={"text": "Post-it papier", "category": "social"})
    assert r.status_code == 200 and "Post-it papier" in r.text and "papier" in r.text
    assert "Post-it papier" in fac.client.get(f"/b/{ws['board_key']}").text
    r = room["alice"].client.post(f"/f/activities/{act}/items", data={"text": "Intrus"})
    assert r.status_code == 401
    r = fac.client.post(f"/f/activities/{act}/items", data={"text": "x" * 281})
    assert r.status_code == 422 and "281" in r.json()["detail"]
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT text, source, participant_id FROM item WHERE source = 'facilitator'")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("Post-it papier", "facilitator", None)]


def test_facilitator_splits_the_room_into_sub_groups(server, room):
    fac, ws = room["fac"], room["ws"]
    phones = [room["alice"]] + [Participant(server.url, ws["code"]) for _ in range(6)]
    url = f"/f/workshops/{ws['id']}/groups"
    assert phones[1].client.post(url, data={"count": "2"}).status_code == 401
    for bad in ("1", "31", "trois"):
        assert fac.client.post(url, data={"count": bad}).status_code == 422
    r = fac.client.post(url, data={"count": "3"})
    assert r.status_code == 200 and "Groupe 1 : 3 · Groupe 2 : 2 · Groupe 3 : 2" in r.text
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT g.name, count(*) FROM participant p JOIN workshop_group g ON g.id = p.group_id "
            "GROUP BY g.name ORDER BY g.name")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("Groupe 1", 3), ("Groupe 2", 2), ("Groupe 3", 2)]
    assert "· Groupe 2" in phones[1].client.get(f"/p/{ws['code']}").text
    # Five groups where the template defined four: one more is created, then everyone is dealt again.
    r = fac.client.post(url, data={"count": "5"})
    assert r.status_code == 200 and "Groupe 5 : 1" in r.text


def test_the_button_that_hides_revealed_results_says_so(room):
    fac, ws, act = room["fac"], room["ws"], room["activity"]

    def buttons() -> list[tuple[str, str]]:
        page = fac.client.get(f"/f/workshops/{ws['id']}").text
        return re.findall(r'data-action="(\w+)"[^>]*>([^<]+)</button>', page)

    assert buttons() == [("closed", "Fermer")]
    assert fac.set_state(act, "closed").status_code == 200
    assert buttons() == [("open", "Ouvrir"), ("revealed", "Révéler")]
    assert fac.set_state(act, "revealed").status_code == 200
    assert buttons() == [("closed", "Masquer les résultats")]
