"""From played workshops to the roadmap, end to end on a real server.

A prospective workshop (post-its → impact/maîtrise rating → ranking, keep 4) is played by 20 phones
(the template playthrough of test_template_playthrough.py); the facilitator then opens « Verser
les résultats d'un atelier » on a roadmap and promotes the kept enjeux: they arrive in rank order
with their score, ballots, agreement and the post-its they came from. A chantiers workshop (ranking
→ chantier table) gives chantiers under their enjeu, a resource-map workshop the resources of a
chantier. Promoting twice adds nothing twice; foreign or unknown ids change nothing.
"""

import html
import re
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from app.db import make_engine
from app.domain import roadmap as domain
from app.models import Action, Chantier, Enjeu, Facilitator, Item, Resource, ResourceLink, Roadmap, TableRow
from app.services import roadmaps
from tests.integration.test_template_playthrough import Playthrough
from tests.support import Facilitator as FacilitatorClient
from tests.support import Server, create_facilitator

pytestmark = pytest.mark.storage


def new_roadmap(db_url: str, email: str) -> int:
    engine = make_engine(db_url)
    with Session(engine) as session:
        owner = session.exec(select(Facilitator).where(Facilitator.email == email)).one()
        roadmap = roadmaps.create(
            session,
            owner.id,
            domain.Territory(name="Val de Lune", kind="epci"),
            domain.RoadmapInfo(name="Feuille de route du Val"),
        )
        roadmap_id = roadmap.id
    engine.dispose()
    return roadmap_id


def snapshot(db_url: str) -> tuple:
    engine = make_engine(db_url)
    with Session(engine) as session:
        counts = tuple(
            len(session.exec(select(model)).all()) for model in (Roadmap, Enjeu, Chantier, Action, Resource)
        )
    engine.dispose()
    return counts


def plain(page: str) -> str:
    return " ".join(html.unescape(page).split())


def checked_values(page: str, name: str) -> list[int]:
    return [int(v) for v in re.findall(rf'name="{name}" value="(\d+)" checked', page)]


def promote_all(fac: FacilitatorClient, roadmap_id: int, workshop_id: int) -> tuple[str, str]:
    page = fac.client.get(f"/f/roadmaps/{roadmap_id}/importer-atelier", params={"atelier": workshop_id})
    assert page.status_code == 200, page.text
    data: dict = {
        "atelier": str(workshop_id),
        "enjeu": [str(i) for i in checked_values(page.text, "enjeu")],
        "ligne": [str(i) for i in checked_values(page.text, "ligne")],
    }
    for activity_id, value in re.findall(
        r'name="carte-(\d+)">.*?<option value="([^"]*)" selected', page.text, re.S
    ):
        data[f"carte-{activity_id}"] = value
    r = fac.client.post(f"/f/roadmaps/{roadmap_id}/importer-atelier", data=data)
    assert r.status_code == 200, r.text
    return page.text, r.text


def test_a_played_prospective_workshop_gives_enjeux_with_provenance(server: Server, facilitator_email: str):
    roadmap_id = new_roadmap(server.database_url, facilitator_email)
    play = Playthrough(server, facilitator_email, "prospective-10-ans", seed=7)
    try:
        play.play()
        kept = play.outcomes["enjeux"].kept
        workshop_id = play.ws["id"]
        notes = {text for outcome in play.outcomes.values() for _, text in outcome.visible}
        page, done = promote_all(play.fac, roadmap_id, workshop_id)
        assert len(kept) == 4
        assert [html.unescape(t) for t in re.findall(r"<strong>\d+\.</strong> ([^<]*?) <span", page)] == kept
        assert "4 enjeux, 0 chantier" in plain(done)

        engine = make_engine(server.database_url)
        with Session(engine) as session:
            enjeux = roadmaps.enjeux_of(session, roadmap_id)
            assert [e.question for e in enjeux] == kept
            for enjeu in enjeux:
                provenance = domain.Provenance.model_validate(enjeu.provenance)
                assert provenance.workshop == play.spec["title"]
                assert provenance.activity == "Les enjeux candidats"
                assert provenance.method == "méthode de Borda"
                assert provenance.ballots == 20
                # its rank in the room's vote: ex aequo share a rank
                assert provenance.rank == 1 + sum(1 for other in enjeux if other.score > enjeu.score)
                assert 0 <= provenance.agreement <= 1
                assert enjeu.score_label.endswith("pts") and enjeu.score == int(enjeu.score_label.split()[0])
                # the post-its behind it: the participants' own notes, merged ones by their originals
                assert provenance.items and set(provenance.items) <= notes | {
                    i.text for i in session.exec(select(Item).where(col(Item.merged_into_id).is_not(None)))
                }
                item = session.get(Item, enjeu.source_item_id)
                assert item.text == enjeu.question and item.kept
            data = roadmaps.to_file(session, session.get(Roadmap, roadmap_id))
            # scores fall with the rank
            assert [e.score for e in data.enjeux] == sorted((e.score for e in data.enjeux), reverse=True)
        engine.dispose()

        # The roadmap page says where each enjeu came from: the workshop, the vote, the post-its.
        shown = plain(play.fac.client.get(f"/f/roadmaps/{roadmap_id}").text)
        assert f"Issu de l'atelier « {play.spec['title']} »" in shown
        assert "20 bulletins" in shown
        for enjeu in data.enjeux:
            assert enjeu.question in shown
            assert all(text in shown for text in enjeu.provenance.items)
            # its score once, in the method's unit (« score 63 pts », never « score 63 · 63 pts »)
            assert f"score {enjeu.score_label}" in shown
            assert f"{enjeu.score:g} {enjeu.score:g}" not in shown and f"{enjeu.score:g} · " not in shown

        # Twice: nothing is added twice; the page says what is already there.
        before = snapshot(server.database_url)
        page, done = promote_all(play.fac, roadmap_id, workshop_id)
        assert page.count("déjà versé") == 4
        assert snapshot(server.database_url) == before
    finally:
        play.close()


def test_chantier_rows_and_resource_maps_become_chantiers_and_resources(
    server: Server, facilitator_email: str
):
    roadmap_id = new_roadmap(server.database_url, facilitator_email)
    chantiers_play = Playthrough(server, facilitator_email, "chantiers-cles", seed=3)
    try:
        chantiers_play.play()
        kept = chantiers_play.outcomes["enjeux"].kept
        _, done = promote_all(chantiers_play.fac, roadmap_id, chantiers_play.ws["id"])
    finally:
        chantiers_play.close()
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        rows = session.exec(select(TableRow).where(col(TableRow.hidden).is_(False))).all()
        enjeux = roadmaps.enjeux_of(session, roadmap_id)
        assert [e.question for e in enjeux] == kept
        chantiers = roadmaps.chantiers_of(session, roadmap_id)
        assert len(chantiers) == len(rows) > 0
        by_row = {c.source_row_id: c for c in chantiers}
        by_enjeu = {e.id: e for e in enjeux}
        items = {i.id: i for i in session.exec(select(Item))}
        for row in rows:
            chantier = by_row[row.id]
            assert chantier.title == row.cells["title"].strip()
            # under the enjeu of its section: the kept item the row was written for
            assert by_enjeu[chantier.enjeu_id].question == items[int(row.section[5:])].text
            assert chantier.objectives == domain.split_lines(row.cells.get("objectives", ""))
            assert chantier.pilot == row.cells.get("pilot", "").strip()
            assert [a.name for a in roadmaps.actions_of(session, chantier.id)] == domain.split_lines(
                row.cells.get("actions", "")
            )
    engine.dispose()
    assert f"{len(rows)} chantiers" in plain(done)

    map_play = Playthrough(server, facilitator_email, "cartographie-ressources", seed=5)
    try:
        map_play.play()
        promote_all(map_play.fac, roadmap_id, map_play.ws["id"])
        mapped = next(a["chantier"] for a in map_play.spec["activities"] if a["kind"] == "resources")
    finally:
        map_play.close()
    with Session(make_engine(server.database_url)) as session:
        links = session.exec(select(ResourceLink).where(col(ResourceLink.hidden).is_(False))).all()
        new = [c for c in roadmaps.chantiers_of(session, roadmap_id) if c.source_row_id is None]
        assert [c.title for c in new] == [mapped]
        resources = roadmaps.resources_of(session, new[0].id)
        assert sorted((r.name, r.category, r.link) for r in resources) == sorted(
            (link.name, link.category, link.state) for link in links
        )
        assert len(resources) > 0


def test_promote_refuses_foreign_and_unknown_ids(server: Server, facilitator_email: str):
    roadmap_id = new_roadmap(server.database_url, facilitator_email)
    play = Playthrough(server, facilitator_email, "priorisation-enjeux", seed=11)
    try:
        play.play()
        workshop_id = play.ws["id"]
        page = play.fac.client.get(
            f"/f/roadmaps/{roadmap_id}/importer-atelier", params={"atelier": workshop_id}
        )
        good = checked_values(page.text, "enjeu")
        assert good
        before = snapshot(server.database_url)
        url = f"/f/roadmaps/{roadmap_id}/importer-atelier"
        for data, status in [
            ({"atelier": str(workshop_id), "enjeu": ["999999"]}, 404),  # not an enjeu of this workshop
            ({"atelier": str(workshop_id), "enjeu": [str(good[0]), "abc"]}, 422),
            ({"atelier": "999999", "enjeu": [str(good[0])]}, 404),
            ({"atelier": str(workshop_id), "ligne": ["424242"]}, 404),
            ({"atelier": str(workshop_id), "carte-77777": "nouveau"}, 404),
            ({"atelier": str(workshop_id), "enjeu": [str(good[0])], "carte-x": "1"}, 422),
        ]:
            r = play.fac.client.post(url, data=data)
            assert r.status_code == status, (data, r.status_code, r.text[:300])
            assert snapshot(server.database_url) == before
        # Another facilitator sees neither the roadmap nor the workshop.
        other = FacilitatorClient(server.url, create_facilitator(server.database_url))
        assert other.client.get(url, params={"atelier": workshop_id}).status_code == 404
        r = other.client.post(url, data={"atelier": str(workshop_id), "enjeu": [str(good[0])]})
        assert r.status_code == 404
        other_roadmap = new_roadmap(
            server.database_url, other_email := create_facilitator(server.database_url)
        )
        intruder = FacilitatorClient(server.url, other_email)
        r = intruder.client.post(
            f"/f/roadmaps/{other_roadmap}/importer-atelier",
            data={"atelier": str(workshop_id), "enjeu": [str(good[0])]},
        )
        assert r.status_code == 403  # her own roadmap, but not her workshop
        assert snapshot(server.database_url)[1:] == before[1:]
    finally:
        play.close()


EXAMPLE = domain.parse_file(
    (Path(__file__).resolve().parents[2] / "examples" / "grand-perigueux.json").read_bytes()
)


def test_import_refuses_bad_files_naming_the_place(server: Server, facilitator_email: str):
    fac = FacilitatorClient(server.url, facilitator_email)
    good = domain.dump_file(EXAMPLE)
    before = snapshot(server.database_url)
    cases = [
        (good.replace('"version": 1', '"version": 3'), "version : ce fichier est en version « 3 »"),
        (good.replace('"question": ', '"questions": ', 1), "enjeux[0].question : champ obligatoire absent"),
        (
            good.replace('"defi": "defi-3"', '"defi": "defi-9"', 1),
            "chantiers[4].defi : « defi-9 » ne désigne aucun défi",
        ),
        ("{pas du json", "JSON"),
        # 100,000 levels deep, an integer of 5,000 digits: refused in French, not a server error
        ("[" * 100_000 + "]" * 100_000, "des milliers de niveaux"),
        (good.replace('"version": 1', '"version": ' + "1" * 5000), "plusieurs milliers de chiffres"),
        (good.replace('"nom": "Grand Périgueux"', '"nom": ' + "[" * 30 + "]" * 30, 1),
         "territoire.nom[0][0][0][0][0][0][0][0][0][0][0] : imbriqué sur plus de 12 niveaux"),
        (good.replace('"budgetGlobal": null', '"budgetGlobal": ' + "9" * 4000, 1),
         "budgetGlobal : 1 000 000 000 000 au maximum"),
        # type errors in French, never pydantic's English
        (good.replace('"nom": "Grand Périgueux"', '"nom": 24', 1),
         "territoire.nom : doit être un texte, pas « 24 »"),
        (good.replace('"enjeux": [', '"enjeux": {"a": 1}, "x": [', 1), "enjeux : doit être une liste"),
    ]
    for text, expected in cases:
        r = fac.client.post(
            "/f/roadmaps/import", files={"file": ("fdr.json", text.encode(), "application/json")}
        )
        assert r.status_code == 422, r.text[:300]
        assert expected in plain(r.text), plain(r.text)[-600:]
        assert "rien n'a été enregistré" in plain(r.text)
        assert "Input should" not in r.text and "Field required" not in r.text
        assert snapshot(server.database_url) == before
    r = fac.client.post("/f/roadmaps/import", files={"file": ("fdr.json", good.encode(), "application/json")})
    assert r.status_code == 303
    roadmap_id = int(r.headers["location"].rsplit("/", 1)[1])
    with Session(make_engine(server.database_url)) as session:
        roadmap = session.get(Roadmap, roadmap_id)
        assert domain.dump_file(roadmaps.to_file(session, roadmap)) == good
    # without logging in, nobody imports anything
    r = httpx.post(
        f"{server.url}/f/roadmaps/import", files={"file": ("fdr.json", good.encode(), "application/json")},
        headers={"Origin": server.url},
    )
    assert r.status_code == 401
