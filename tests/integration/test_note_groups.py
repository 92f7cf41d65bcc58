"""Grouping suggestions over a real server: once a post-it activity is closed, the control page
proposes the duplicates among 40 labelled post-its (tests/data/postits_groups.yaml), each group
accepted as a merge (provenance kept, « Défaire » undoes it) or ignored (never proposed again,
until asked back); refused for another facilitator, for unknown or too few ids; nothing is sent
anywhere (the suggestions are computed in the server's process)."""

import re
from pathlib import Path

import pytest
import yaml

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server, sql

pytestmark = pytest.mark.storage

DATA = yaml.safe_load((Path(__file__).parent.parent / "data" / "postits_groups.yaml").read_text())["notes"]
TEMPLATE = "title: Atelier\nactivities:\n  - kind: postits\n    title: Facteurs\n"


def suggested(page: str) -> list[list[int]]:
    """The groups the control page proposes: the ids each « Fusionner » form would merge."""
    forms = re.findall(r'<form hx-post="/f/activities/\d+/merge"[^>]*>(.*?)</form>', page, re.S)
    return [[int(i) for i in re.findall(r'name="item_ids" value="(\d+)"', f)] for f in forms]


def test_suggestions_are_merged_ignored_and_asked_back(database_url, tmp_path):
    env = {**catalog(tmp_path, {"atelier": TEMPLATE}), "WRITE_LIMITS": "1000/minute"}
    with run_server(database_url, tmp_path, extra_env=env) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("atelier")
        notes = fac.open_postits(ws["id"], position=0)
        phones = [Participant(srv.url, ws["code"]) for _ in range(4)]
        texts = [n["text"] for n in DATA[:40]]
        for n, text in enumerate(texts):
            assert phones[n % 4].post(notes, text, category="").status_code == 201, text
        group_of = {t: n["group"] for t, n in zip(texts, DATA[:40], strict=True)}
        control = f"/f/workshops/{ws['id']}"
        assert "Proposés une fois l'activité fermée" in fac.client.get(control).text
        assert suggested(fac.client.get(control).text) == []

        assert fac.set_state(notes, "closed").status_code == 200
        page = fac.client.get(control).text
        groups = suggested(page)
        assert len(groups) >= 2
        ids = dict(sql(database_url, "SELECT id, text FROM item WHERE activity_id = :a", a=notes))
        # Every proposed group is of one true group here (the precision the bench measures, on this slice).
        right = sum(len({group_of[ids[i]] for i in g}) == 1 for g in groups)
        assert right >= 0.8 * len(groups), [[ids[i] for i in g] for g in groups]

        # Accept the first: a merge, with its provenance and « Défaire ».
        first, second = groups[0], groups[1]
        r = fac.client.post(f"/f/activities/{notes}/merge", data={"item_ids": first})
        assert r.status_code == 200 and f"Fusion de {len(first)} post-its" in r.text
        assert first not in suggested(r.text)
        # Ignore the second: gone, and counted.
        r = fac.client.post(f"/f/activities/{notes}/suggestions/ignore", data={"item_ids": second})
        assert r.status_code == 200 and second not in suggested(r.text)
        assert "1 regroupement ignoré" in r.text
        # Asked back.
        r = fac.client.post(f"/f/activities/{notes}/suggestions/restore")
        assert r.status_code == 200 and second in suggested(r.text)

        # Refusals: nothing changes.
        url = f"/f/activities/{notes}/suggestions/ignore"
        other = Facilitator(srv.url, create_facilitator(database_url))
        assert other.client.post(url, data={"item_ids": second}).status_code in (403, 404)
        assert fac.client.post(url, data={"item_ids": [second[0]]}).status_code == 422
        assert fac.client.post(url, data={"item_ids": [second[0], 10**9]}).status_code == 422
        assert fac.client.post(url, data={"item_ids": ["pas-un-nombre"]}).status_code == 422
        assert second in suggested(fac.client.get(control).text)
        config = sql(database_url, "SELECT config FROM activity WHERE id = :a", a=notes)[0][0]
        assert "ignored_groups" not in str(config)
