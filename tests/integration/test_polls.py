"""Polls on a real server: 20 phones vote, change their minds, the board shows the bars."""

import asyncio
import random
import re
import signal

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

TEMPLATE = """\
title: Diagnostic express
activities:
  - kind: text
    title: Bienvenue
  - kind: poll
    title: Le maillage
    prompt: "L'offre d'accompagnement couvre-t-elle tout le territoire ?"
    scale: oui-non-moyennement
  - kind: poll
    title: Fréquence
    scale: frequence
    live: true
"""


@pytest.fixture
def poll_server(database_url, broadcast_url, tmp_path):
    sessions = catalog(tmp_path, {"diagnostic-express": TEMPLATE})
    with run_server(database_url, tmp_path, broadcast_url,
                    extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("diagnostic-express")
        activity_id = fac.open_postits(ws["id"], position=1)
        yield srv, fac, ws, activity_id


def votes_in_db(url: str) -> list[tuple[int, int]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        # In the order the participants joined (their ids are random, not a sequence).
        rows = conn.execute(text("SELECT v.participant_id, v.value FROM vote v JOIN participant p "
                                 "ON p.id = v.participant_id ORDER BY p.created_at, p.id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_twenty_phones_vote_and_the_results_match(poll_server):
    srv, fac, ws, activity_id = poll_server
    rng = random.Random(7)
    phones = [Participant(srv.url, ws["code"]) for _ in range(20)]
    final: list[int] = []

    async def vote_all() -> list[int]:
        async def one(phone: Participant) -> int:
            async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies) as c:
                url = f"/p/{ws['code']}/activities/{activity_id}/vote"
                first = rng.randrange(3)
                r = await c.post(url, data={"choice": str(first)})
                assert r.status_code == 201 and "✓ enregistrée" in r.text
                r = await c.post(url, data={"choice": str(first)})  # a retry changes nothing
                assert r.status_code == 200
                last = rng.randrange(3)
                if last != first:  # a change of mind while the poll is open
                    r = await c.post(url, data={"choice": str(last)})
                    assert r.status_code == 201
                return last

        return await asyncio.gather(*[one(p) for p in phones])

    final = asyncio.run(vote_all())
    expected = [final.count(i) for i in range(3)]
    assert sorted(v for _, v in votes_in_db(srv.database_url)) == sorted(final)
    assert len(votes_in_db(srv.database_url)) == 20

    board = httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    assert "20</strong> réponses" in board and "poll-bars" not in board  # hidden until revealed
    assert fac.set_state(activity_id, "closed").status_code == 200
    r = phones[0].client.post(f"/p/{ws['code']}/activities/{activity_id}/vote", data={"choice": "0"})
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]
    assert fac.set_state(activity_id, "revealed").status_code == 200
    board = httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    shown = [int(n) for n in re.findall(r'class="poll-value"[^>]*>\d+ % \((\d+)\)', board)]
    assert shown == expected
    labels = re.findall(r'class="poll-label"[^>]*>([^<]+)<', board)
    assert labels == ["oui", "non", "moyennement"]
    percents = [int(p) for p in re.findall(r'class="poll-value"[^>]*>(\d+) %', board)]
    assert percents == [round(100 * c / 20) for c in expected]
    # Once revealed, each phone sees the results and its own answer.
    page = phones[0].client.get(f"/p/{ws['code']}").text
    mine = ["oui", "non", "moyennement"][final[0]]
    assert "Résultats" in page and f"Votre réponse : <strong>{mine}" in page


def test_bad_votes_change_nothing(poll_server):
    srv, _fac, ws, activity_id = poll_server
    alice = Participant(srv.url, ws["code"])
    url = f"/p/{ws['code']}/activities/{activity_id}/vote"
    assert alice.client.post(url, data={"choice": "1"}).status_code == 201
    before = votes_in_db(srv.database_url)
    for choice, status, fragment in [("3", 422, "3 options"), ("-1", 422, "3 options"),
                                     ("oui", 422, "n'est pas une option"), ("", 422, "")]:
        r = alice.client.post(url, data={"choice": choice})
        assert r.status_code == status and fragment in r.json()["detail"], r.text
    r = alice.client.post(f"/p/{ws['code']}/activities/999999/vote", data={"choice": "0"})
    assert r.status_code == 404
    # The next poll is still a draft; the first activity is a slide.
    other = int(re.search(r'data-activity="(\d+)"', alice.client.get(f"/p/{ws['code']}").text).group(1))
    slide_id = other - 1
    r = alice.client.post(f"/p/{ws['code']}/activities/{other + 1}/vote", data={"choice": "0"})
    assert r.status_code == 409 and "pas ouverte" in r.json()["detail"]
    r = alice.client.post(f"/p/{ws['code']}/activities/{slide_id}/vote", data={"choice": "0"})
    assert r.status_code == 409 and "pas une activité de vote" in r.json()["detail"]
    forged = httpx.post(f"{srv.url}{url}", data={"choice": "0"})
    assert forged.status_code == 401
    assert votes_in_db(srv.database_url) == before


def test_live_poll_bars_reach_the_board(poll_server):
    srv, fac, ws, _ = poll_server
    live_id = fac.open_postits(ws["id"], position=2)
    alice = Participant(srv.url, ws["code"])

    async def scenario() -> str:
        async with websockets.connect(f"{srv.ws_url}/ws/board/{ws['board_key']}") as board:
            await asyncio.wait_for(board.recv(), 5)
            r = await asyncio.to_thread(alice.client.post,
                                        f"/p/{ws['code']}/activities/{live_id}/vote",
                                        data={"choice": "2"})
            assert r.status_code == 201
            frame = ""
            while "poll-bars" not in frame or "100 % (1)" not in frame:
                frame = await asyncio.wait_for(board.recv(), 5)
            return frame

    frame = asyncio.run(scenario())
    labels = re.findall(r'class="poll-label"[^>]*>([^<]+)<', frame)
    assert labels == ["souvent", "parfois", "rarement", "jamais"]


def test_show_of_hands_adds_to_the_phones_and_is_flagged(poll_server):
    srv, fac, ws, activity_id = poll_server
    alice = Participant(srv.url, ws["code"])
    assert alice.client.post(f"/p/{ws['code']}/activities/{activity_id}/vote",
                             data={"choice": "0"}).status_code == 201
    url = f"/f/activities/{activity_id}/hands"
    assert alice.client.post(url, data={"counts": ["1", "2", "3"]}).status_code == 401
    for bad, fragment in ((["1", "2"], "un nombre par option"), (["1", "-2", "0"], "Nombre invalide"),
                          (["1", "deux", "0"], "Nombre invalide"), (["1", "99999", "0"], "Nombre invalide")):
        r = fac.client.post(url, data={"counts": bad})
        assert r.status_code == 422 and fragment in r.json()["detail"]
    r = fac.client.post(url, data={"counts": ["4", "0", "5"]})
    assert r.status_code == 200 and "10 réponses, dont 9 à main levée ou sur papier" in r.text
    r = fac.client.post(url, data={"counts": ["3", "1", "5"]})  # corrected: replaces, never adds up
    assert "10 réponses, dont 9 à main levée" in r.text
    assert fac.set_state(activity_id, "closed").status_code == 200
    assert fac.set_state(activity_id, "revealed").status_code == 200
    board = httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    assert re.findall(r'class="poll-value"[^>]*>([^<]+)<', board) == ["40 % (4)", "10 % (1)", "50 % (5)"]
    assert "dont 9 à main levée ou sur papier" in board
    r = fac.client.post(url, data={"counts": ["0", "0", "0"]})
    assert r.status_code == 409 and "masquez-les" in r.json()["detail"]


def test_paper_ballot_typed_in_by_the_facilitator_counts_and_is_flagged(poll_server):
    srv, fac, ws, activity_id = poll_server
    r = fac.client.post(f"/f/workshops/{ws['id']}/paper-ballot")
    assert r.status_code == 303 and r.headers["location"] == f"/p/{ws['code']}"
    page = fac.client.get(f"/p/{ws['code']}").text
    assert "Vous saisissez un bulletin papier pour une personne sans téléphone" in page
    assert fac.client.post(f"/p/{ws['code']}/activities/{activity_id}/vote",
                           data={"choice": "2"}).status_code == 201
    fac.client.post(f"/f/workshops/{ws['id']}/paper-ballot")  # the next paper ballot: no label,
    assert "Vous saisissez un bulletin papier" in fac.client.get(f"/p/{ws['code']}").text  # no name
    assert fac.client.post(f"/p/{ws['code']}/activities/{activity_id}/vote",
                           data={"choice": "2"}).status_code == 201
    alice = Participant(srv.url, ws["code"])
    assert alice.client.post(f"/f/workshops/{ws['id']}/paper-ballot").status_code == 401
    assert fac.set_state(activity_id, "closed").status_code == 200
    assert fac.set_state(activity_id, "revealed").status_code == 200
    board = httpx.get(f"{srv.url}/b/{ws['board_key']}").text
    assert "dont 2 bulletins papier saisis par l'animateur" in board
    assert "100 % (2)" in board
    assert "0</strong> participants connectés" in board  # paper ballots are not people online


def test_a_server_killed_mid_stream_acknowledged_only_what_it_stored(poll_server):
    """SIGKILL while 40 phones vote and change their minds as fast as they can: each phone's vote
    in the database is the last one the server acknowledged, or the one it was sending when the
    server died (stored, not yet answered); no acknowledged vote is missing."""
    srv, _fac, ws, activity_id = poll_server
    phones = [Participant(srv.url, ws["code"]) for _ in range(40)]
    acked: dict[int, int] = {}
    in_flight: dict[int, int] = {}
    answers = [0]
    url = f"/p/{ws['code']}/activities/{activity_id}/vote"

    async def stream(n: int, phone: Participant) -> None:
        rng = random.Random(n)
        async with httpx.AsyncClient(base_url=srv.url, cookies=phone.client.cookies, timeout=10) as c:
            while True:
                choice = rng.randrange(3)
                in_flight[n] = choice
                try:
                    r = await c.post(url, data={"choice": str(choice)})
                except httpx.HTTPError:
                    return
                assert r.status_code in (200, 201), r.text
                acked[n] = choice
                answers[0] += 1
                del in_flight[n]

    async def kill_after(acks: int) -> None:
        while len(acked) < len(phones) or answers[0] < acks:
            await asyncio.sleep(0.005)
        srv.process.send_signal(signal.SIGKILL)

    async def run() -> None:
        await asyncio.gather(kill_after(300), *(stream(n, p) for n, p in enumerate(phones)))

    asyncio.run(run())
    assert srv.process.wait(10) == -signal.SIGKILL
    assert len(in_flight) > 0  # killed mid-stream, with votes on their way
    stored = [v for _, v in votes_in_db(srv.database_url)]
    assert len(stored) == len(phones)  # every phone had an acknowledged vote: each is stored, once
    # Which row is whose: votes are in join order, as the phones are.
    for n, value in enumerate(stored):
        assert value == acked[n] or value == in_flight.get(n), (n, value, acked[n], in_flight.get(n))
