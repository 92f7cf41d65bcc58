"""The carte des sensibilités over a real server (HTTP clients, a board's WebSocket): refused
with a clear word before the reveal, to another facilitator and for a bad value; once shown, the
board's pushed fragment and its page carry the groups and the lists, never a participant id."""

import asyncio
import re

import pytest
import websockets

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server, sql

pytestmark = pytest.mark.storage

TEMPLATE = ("title: Atelier\nactivities:\n  - kind: ranking\n    title: Les enjeux\n"
            "    items: [Accompagner, Équiper, Former, Orienter, Financer, Coopérer]\n")


def test_the_map_is_shown_to_the_room_and_names_no_one(database_url, tmp_path):
    env = {**catalog(tmp_path, {"carte": TEMPLATE}), "WRITE_LIMITS": "1000/minute",
           "JOIN_CODE_LIMITS": "100/minute"}
    with run_server(database_url, tmp_path, extra_env=env) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("carte")
        assert fac.goto(ws["id"], 0).status_code == 200
        ranking = fac.current_activity_id(ws["id"])
        assert fac.set_state(ranking, "open").status_code == 200
        ids = [str(r[0]) for r in sql(database_url, "SELECT id FROM item WHERE activity_id = :a ORDER BY id",
                                      a=ranking)]
        for n in range(12):
            order = ids if n % 2 == 0 else [ids[0], *reversed(ids[1:])]
            phone = Participant(srv.url, ws["code"])
            r = phone.client.post(f"/p/{ws['code']}/activities/{ranking}/ranking",
                                  data={"ballot": ",".join(order)})
            assert r.status_code in (200, 201), r.text
        url = f"/f/activities/{ranking}/opinion-map"
        r = fac.client.post(url, data={"show": "oui"})
        assert r.status_code == 409 and "Révélez d'abord les résultats" in r.text
        other = Facilitator(srv.url, create_facilitator(database_url))
        assert other.client.post(url, data={"show": "oui"}).status_code in (403, 404)
        assert fac.client.post(url, data={"show": "peut-être"}).status_code == 422
        assert fac.client.get(url).status_code == 409  # no preview while the vote is open
        assert fac.set_state(ranking, "closed").status_code == 200
        assert fac.set_state(ranking, "revealed").status_code == 200

        async def pushed() -> str:
            async with websockets.connect(f"{srv.ws_url}/ws/board/{ws['board_key']}") as board:
                await asyncio.wait_for(board.recv(), 10)  # the first frame, on connecting
                r = await asyncio.to_thread(fac.client.post, url, data={"show": "oui"})
                assert r.status_code == 200
                while True:
                    frame = await asyncio.wait_for(board.recv(), 10)
                    if "om-map" in frame:
                        return str(frame)

        frame = asyncio.run(pushed())
        page = fac.client.get(f"/b/{ws['board_key']}").text
        for html in (frame, page):
            assert html.count('class="om-dot') == 12
            assert re.findall(r"Groupe [AB]</strong> · (\d+) participants", html) == ["6", "6"]
            assert "Ce qui rassemble" in html and "Accompagner" in html and "Ce qui divise" in html
        people = [r[0] for r in sql(database_url, "SELECT id FROM participant WHERE workshop_id = :w",
                                    w=ws["id"])]
        assert len(people) == 12 and not any(re.search(rf"\b{p}\b", frame + page) for p in people)
        # Back to the results.
        assert fac.client.post(url, data={"show": "non"}).status_code == 200
        assert "om-map" not in fac.client.get(f"/b/{ws['board_key']}").text
