"""Faults, from the outside (issue 11, points 8–10): the channel layer down, the database out of
reach, one phone's ballots racing on several workers. Real servers; on PostgreSQL and Redis in
`make test`'s second pass. Redis and PostgreSQL are cut through a server or a proxy of the test's
own, never the machine's shared ones."""

import asyncio
import contextlib
import random

import httpx
import pytest

from tests.integration.test_ranking import BORDA, TEMPLATE, items_of, open_activity, votes_of
from tests.support import Facilitator, Participant, create_facilitator, run_server

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]


async def _at_once(servers: list, phone: Participant, path: str, ballots: list[str]) -> list:
    """The ballots posted all at once by one phone, spread over the servers in turn."""
    clients = [httpx.AsyncClient(base_url=s.url, cookies=phone.client.cookies, timeout=30) for s in servers]
    try:
        return await asyncio.gather(*[clients[n % len(clients)].post(path, data={"ballot": ballot})
                                      for n, ballot in enumerate(ballots)])
    finally:
        for client in clients:
            await client.aclose()


# --- point 10: one phone, twenty different ballots at once ---------------------------------------


def test_twenty_ranking_ballots_at_once_from_one_phone_on_three_workers(database_url, broadcast_url,
                                                                          tmp_path):
    """Sent at once to three workers, every ballot is stored (the last one whole) or answered with
    a French conflict; never a 500 (it was « ballot replacement did not converge »)."""
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "priorisation-test.yaml").write_text(TEMPLATE, encoding="utf-8")
    env = {"SESSIONS_DIR": str(folder)}
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(run_server(database_url, tmp_path, broadcast_url,
                                                  name=f"worker{n}", extra_env=env))
                   for n in range(3)]
        fac = Facilitator(servers[0].url, create_facilitator(database_url))
        ws = fac.create_workshop("priorisation-test")
        activity_id = open_activity(fac, ws, BORDA)
        ids = [i for i, _ in items_of(database_url, activity_id)]
        rng = random.Random(11)
        earlier: set[int] = set()
        for round_ in range(8):
            phone = Participant(servers[0].url, ws["code"])
            ballots: set[str] = set()
            while len(ballots) < 20:
                ballots.add(",".join(map(str, rng.sample(ids, len(ids)))))

            path = f"/p/{ws['code']}/activities/{activity_id}/ranking"
            answers = asyncio.run(_at_once(servers, phone, path, sorted(ballots)))
            for answer in answers:
                assert answer.status_code in (200, 201, 409), (round_, answer.status_code, answer.text)
                if answer.status_code == 409:
                    assert "réessayez" in answer.json()["detail"]
                else:
                    assert "✓ enregistré" in answer.text
            by_phone: dict[int, dict[int, int]] = {}
            for participant_id, target, axis, value in votes_of(database_url, activity_id):
                assert axis == "rank"
                by_phone.setdefault(participant_id, {})[int(target)] = value
            (mine,) = [b for p, b in by_phone.items() if p not in earlier]
            order = ",".join(str(i) for i, _ in sorted(mine.items(), key=lambda kv: kv[1]))
            assert order in ballots, "the stored ballot is one of those sent, whole"
            earlier |= by_phone.keys()
