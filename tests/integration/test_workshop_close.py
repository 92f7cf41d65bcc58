"""« Clore l'atelier » (issue 11, point 3) on a real server: once closed, the join code works for
neither joining nor writing (to anyone without a place in the workshop it answers as an unknown
code; a participant's write is refused in French), every open board and phone is told at once,
the facilitator still reads and exports, and may reopen."""

import asyncio
import re
import threading
import time

import httpx
import lxml.html
import pytest
import websockets

from app.routes import KIND_ROUTERS
from app.routes import participant as participant_routes
from tests.htmx_swaps import apply
from tests.support import Participant, sql

pytestmark = [pytest.mark.storage, pytest.mark.broadcast]

# Every route a phone writes through: those of every activity kind and the participant pages'.
PHONE_WRITES = sorted({
    route.path for router in (*KIND_ROUTERS.values(), participant_routes.router)
    for route in router.routes
    if "POST" in getattr(route, "methods", ()) and route.path.startswith("/p/{code}/")
})


def text_of(html: str) -> str:
    return " ".join(lxml.html.document_fromstring(html).text_content().split())


def unknown_answer(client: httpx.Client, method: str, path: str, code: str) -> tuple[int, str]:
    """What `path` answers for `code`, written with the code blanked out: compared with what an
    unknown code answers, nothing tells a closed workshop's code from a code never given out."""
    r = client.request(method, path.replace("{code}", code), headers={"Accept": "text/html"})
    return r.status_code, r.text.replace(code, "CODE")


def test_the_phone_write_routes_are_all_found():
    assert {"/p/{code}/activities/{activity_id}/items", "/p/{code}/activities/{activity_id}/ranking",
            "/p/{code}/activities/{activity_id}/rate"} <= set(PHONE_WRITES)


def test_closing_stops_the_code_and_every_screen_says_it_is_over(server, room):
    fac, ws, activity_id, alice = room["fac"], room["ws"], room["activity"], room["alice"]
    code, db = ws["code"], room["db"]
    board_url = f"{server.url}/b/{ws['board_key']}"

    async def screens_while_closing() -> tuple[str, str]:
        async with websockets.connect(f"{server.ws_url}/ws/board/{ws['board_key']}",
                                      additional_headers={"Origin": server.url}) as board, \
                websockets.connect(f"{server.ws_url}/ws/p/{code}",
                                   additional_headers={"Origin": server.url,
                                                       "Cookie": alice.cookie_header}) as phone:
            board_page = lxml.html.document_fromstring(httpx.get(board_url).text)
            phone_page = lxml.html.document_fromstring(alice.client.get(f"/p/{code}").text)
            apply(board_page, str(await asyncio.wait_for(board.recv(), 5)))
            apply(phone_page, str(await asyncio.wait_for(phone.recv(), 5)))
            r = await asyncio.to_thread(fac.client.post, f"/f/workshops/{ws['id']}/close")
            assert r.status_code == 303 and r.headers["location"] == f"/f/workshops/{ws['id']}"
            for socket, page, words in ((board, board_page, "Atelier terminé"),
                                        (phone, phone_page, "L'atelier est terminé")):
                deadline = time.monotonic() + 5
                while words not in " ".join(page.text_content().split()):
                    apply(page, str(await asyncio.wait_for(socket.recv(), deadline - time.monotonic())))
            return (" ".join(board_page.text_content().split()),
                    " ".join(phone_page.text_content().split()))

    board_text, phone_text = asyncio.run(screens_while_closing())
    assert FIRST_NOTE_TEXT not in board_text and "Merci" in board_text
    assert "il ne reçoit plus de contributions" in phone_text

    # The code no longer lets anyone in, and answers exactly as a code never given out.
    stranger = httpx.Client(base_url=server.url, timeout=10)
    never = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    for method, path in (("GET", "/j/{code}"), ("POST", "/j/{code}"), ("GET", "/j/{code}/qr.svg"),
                         ("GET", "/p/{code}"), ("GET", "/?code={code}")):
        closed = unknown_answer(stranger, method, path, code)
        assert closed == unknown_answer(stranger, method, path, never), path
    assert stranger.get(f"/j/{code}").status_code == 404
    assert stranger.post(f"/j/{code}", data={"name": "Bob"}).status_code == 404

    # Alice, who was in, reads that it is over; every write of hers is refused in French.
    page = alice.client.get(f"/p/{code}")
    assert page.status_code == 200 and "L'atelier est terminé" in text_of(page.text)
    items_before = sql(db, "SELECT count(*) FROM item")
    votes_before = sql(db, "SELECT count(*) FROM vote")
    for path in PHONE_WRITES:
        r = alice.client.post(path.format(code=code, activity_id=activity_id, resource_id=1, row_id=1),
                              data={"text": "Trop tard", "idempotency_key": "k" * 32, "ballot": "1",
                                    "choice": "0", "category": "social", "group_id": str(room["gid"]),
                                    "state": "existe", "version": "1", "section": "0"})
        assert r.status_code == 410, (path, r.status_code, r.text)
        assert r.json()["detail"] == (f"L'atelier « {ws_title(fac, ws)} » est clos : "
                                      "votre envoi n'a pas été enregistré."), path
    assert sql(db, "SELECT count(*) FROM item") == items_before
    assert sql(db, "SELECT count(*) FROM vote") == votes_before
    assert fac.client.post(f"/f/workshops/{ws['id']}/paper-ballot").status_code == 409

    # The facilitator still reads and exports everything; her list says it is closed.
    control = fac.client.get(f"/f/workshops/{ws['id']}")
    assert control.status_code == 200 and "Atelier clos le" in control.text
    assert "Rouvrir l'atelier" in control.text and "Clore l'atelier" not in control.text
    assert FIRST_NOTE_TEXT in control.text
    assert re.search(r"clos le \d", fac.client.get("/f").text)
    report = fac.client.get(f"/f/workshops/{ws['id']}/compte-rendu.docx")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    board = httpx.get(board_url)
    assert board.status_code == 200 and "Atelier terminé" in text_of(board.text)
    assert code not in board.text.replace(f"le code {code}", "")  # no join code or QR left to scan

    # Reopened, the code works again.
    assert fac.client.post(f"/f/workshops/{ws['id']}/reopen").status_code == 303
    assert alice.post(activity_id, "Après réouverture", group_id=room["gid"]).status_code == 201
    bob = Participant(server.url, code)
    assert bob.client.get(f"/p/{code}").status_code == 200


FIRST_NOTE_TEXT = "Un premier post-it"


def ws_title(fac, ws) -> str:
    return re.search(r'<span class="brand">([^<]+)</span>', fac.client.get(f"/f/workshops/{ws['id']}").text
                     ).group(1).replace("&#39;", "'")


def test_writes_racing_the_close_are_answered_as_stored_or_refused(server, room):
    """Phones post without pause while the facilitator closes: every note answered 201 is stored,
    none answered otherwise is, and once the close has answered, nothing more gets in."""
    fac, ws, activity_id, gid, db = room["fac"], room["ws"], room["activity"], room["gid"], room["db"]
    phones = [room["alice"], *(Participant(server.url, ws["code"]) for _ in range(3))]
    answers: list[tuple[str, int, float]] = []
    closed_at: list[float] = []
    stop = threading.Event()

    def keep_posting(phone: Participant, n: int) -> None:
        step = 0
        while not stop.is_set():
            key, sent = f"race-{n}-{step}", time.monotonic()
            r = phone.post(activity_id, f"Note {n}-{step}", key=key, group_id=gid)
            answers.append((key, r.status_code, sent))
            assert r.status_code in (201, 410), r.text
            step += 1

    threads = [threading.Thread(target=keep_posting, args=(p, n)) for n, p in enumerate(phones)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    assert fac.client.post(f"/f/workshops/{ws['id']}/close").status_code == 303
    closed_at.append(time.monotonic())
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(10)
    stored = {k for (k,) in sql(db, "SELECT client_key FROM item WHERE client_key LIKE 'race-%'")}
    acknowledged = {k for k, status, _ in answers if status == 201}
    assert stored == acknowledged
    assert len(acknowledged) > 10 and any(status == 410 for _, status, _ in answers)
    # Sent after the close had answered: every one refused.
    late = [status for _k, status, sent in answers if sent > closed_at[0]]
    assert late and set(late) == {410}
