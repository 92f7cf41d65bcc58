"""Personal data on a real server (issue 11, points 11–13): no log line ties a request to an
address or to a workshop, activity or phone; the retention's purge by the daily task, by the
command and by the facilitator's button; the privacy notice and the legal notice, configured,
linked from the pages a participant sees."""

import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, text

from tests.support import ROOT, Facilitator, Participant, create_facilitator, run_server, sql

pytestmark = pytest.mark.storage

POLL = 7  # concertation-fne.yaml: its first poll
LONG_AGO = datetime(2024, 1, 15, 10, 0)


def vote_in_a_poll(srv, fac: Facilitator, names: list[str]) -> tuple[dict, int, list[Participant]]:
    ws = fac.create_workshop("concertation-fne", title="Concertation de Boulazac")
    assert fac.goto(ws["id"], POLL).status_code == 200
    poll_id = fac.current_activity_id(ws["id"])
    assert fac.set_state(poll_id, "open").status_code == 200
    phones = [Participant(srv.url, ws["code"], name=name) for name in names]
    for n, phone in enumerate(phones):
        r = phone.client.post(f"/p/{ws['code']}/activities/{poll_id}/vote", data={"choice": str(n % 3)})
        assert r.status_code in (200, 201), r.text
    return ws, poll_id, phones


async def open_phone_socket(srv, ws: dict, phone: Participant) -> None:
    async with websockets.connect(f"{srv.ws_url}/ws/p/{ws['code']}",
                                  additional_headers={"Cookie": phone.cookie_header}) as sock:
        await asyncio.wait_for(sock.recv(), 5)


def personal_traces(log: str, ws: dict, poll_id: int) -> list[str]:
    """What in a log would tie a request to a place, a workshop, a vote or a phone (the clients
    are on 127.0.0.1, the address the server says it listens on)."""
    log = "\n".join(line for line in log.splitlines() if "Uvicorn running on" not in line)
    found = [t for t in ("127.0.0.1", ws["code"], ws["board_key"]) if t in log]
    found += re.findall(rf"/(?:{ws['id']}|{poll_id})(?:/|\b)", log)
    return found


# ---------------------------------------------------------------- 11: logs


def test_the_server_log_after_votes_has_no_address_nor_id(database_url: str, tmp_path: Path) -> None:
    email = create_facilitator(database_url)
    with run_server(database_url, tmp_path, name="quiet", uvicorn_args=["--log-level", "info"]) as srv:
        fac = Facilitator(srv.url, email)
        ws, poll_id, phones = vote_in_a_poll(srv, fac, ["Léa Roux", ""])
        asyncio.run(open_phone_socket(srv, ws, phones[0]))
        srv.process.terminate()
        srv.process.wait(10)
        log = srv.log.read_text()
    assert "Application startup complete" in log  # the log is on, at the info level
    assert personal_traces(log, ws, poll_id) == []
    assert '"POST' not in log and "WebSocket" not in log

    # ACCESS_LOG=true, for debugging: a line per request, still with no address nor id.
    with run_server(database_url, tmp_path, name="debug", extra_env={"ACCESS_LOG": "true"},
                    uvicorn_args=["--log-level", "info"]) as srv:
        fac = Facilitator(srv.url, email)
        ws, poll_id, phones = vote_in_a_poll(srv, fac, ["Léa Roux"])
        asyncio.run(open_phone_socket(srv, ws, phones[0]))
        srv.process.terminate()
        srv.process.wait(10)
        log = srv.log.read_text()
    assert '- "POST /p/:x/activities/:x/vote HTTP/1.1" 201' in log
    assert '- "WebSocket /ws/p/:x" [accepted]' in log
    assert personal_traces(log, ws, poll_id) == []


# ---------------------------------------------------------------- 12: retention and purge


def age(database_url: str, workshop_id: int) -> None:
    """Make a workshop's last activity two years old."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE workshop SET created_at = :t WHERE id = :w"),
                     {"t": LONG_AGO, "w": workshop_id})
        conn.execute(text("UPDATE participant SET created_at = :t, last_seen = :t WHERE workshop_id = :w"),
                     {"t": LONG_AGO, "w": workshop_id})
    engine.dispose()


def people(database_url: str, workshop_id: int) -> tuple[int, int]:
    """(participants a phone's token names, names kept) in a workshop."""
    held = sql(database_url, "SELECT count(*) FROM participant WHERE workshop_id = :w "
               "AND token NOT LIKE '~%'", w=workshop_id)[0][0]
    names = sql(database_url, "SELECT count(*) FROM participant_identity JOIN participant "
                "ON participant.id = participant_identity.participant_id WHERE workshop_id = :w",
                w=workshop_id)[0][0]
    return held, names


def poll_counts(database_url: str, poll_id: int) -> list[tuple]:
    return [tuple(r) for r in sql(database_url, "SELECT value, count(*) FROM vote WHERE activity_id = :a "
                                  "GROUP BY value ORDER BY value", a=poll_id)]


def test_the_daily_task_purges_expired_workshops_at_start(database_url: str, tmp_path: Path) -> None:
    email = create_facilitator(database_url)
    with run_server(database_url, tmp_path, name="before") as srv:
        fac = Facilitator(srv.url, email)
        old, old_poll, old_phones = vote_in_a_poll(srv, fac, ["Léa Roux", "Marc Petit", ""])
        fresh, _, _ = vote_in_a_poll(srv, fac, ["Inès Bello"])
    age(database_url, old["id"])
    counts = poll_counts(database_url, old_poll)
    with run_server(database_url, tmp_path, name="after") as srv:
        deadline = time.monotonic() + 10
        while not sql(database_url, "SELECT count(*) FROM purge_record")[0][0]:
            assert time.monotonic() < deadline, srv.log.read_text()
            time.sleep(0.1)
        # The old phones are not recognised any more: they are asked to join again.
        r = old_phones[0].client.get(f"{srv.url}/p/{old['code']}")
        assert r.status_code == 303 and r.headers["location"] == f"/j/{old['code']}"
    assert people(database_url, old["id"]) == (0, 0)
    assert people(database_url, fresh["id"]) == (1, 1)
    assert poll_counts(database_url, old_poll) == counts
    assert [tuple(r) for r in sql(database_url, "SELECT workshop_id, trigger, participants, names, ballots "
                                  "FROM purge_record")] == [(old["id"], "automatique", 3, 2, 3)]


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url}, cwd=ROOT, check=False)


def test_the_purge_command_purges_once_and_shows_its_journal(database_url: str, tmp_path: Path) -> None:
    email = create_facilitator(database_url)
    with run_server(database_url, tmp_path, extra_env={"PURGE_INTERVAL_HOURS": "0"}) as srv:
        fac = Facilitator(srv.url, email)
        old, _, _ = vote_in_a_poll(srv, fac, ["Léa Roux", ""])
        fresh, _, _ = vote_in_a_poll(srv, fac, ["Inès Bello"])
    age(database_url, old["id"])
    done = cli(database_url, "purge")
    assert done.returncode == 0, done.stderr
    assert "1 atelier purgé." in done.stdout
    said = f"atelier {old['id']} « Concertation de Boulazac » (commande) : 2 participants, 1 noms"
    assert said in done.stdout
    assert people(database_url, old["id"]) == (0, 0) and people(database_url, fresh["id"]) == (1, 1)
    again = cli(database_url, "purge")
    assert again.returncode == 0 and "0 ateliers purgés." in again.stdout
    journal = cli(database_url, "purge", "--journal")
    assert journal.returncode == 0 and journal.stdout.count("(commande)") == 1


def test_a_facilitator_purges_her_workshop_now(server, facilitator_email: str) -> None:
    fac = Facilitator(server.url, facilitator_email)
    ws, poll_id, phones = vote_in_a_poll(server, fac, ["Léa Roux", ""])
    page = fac.client.get(f"/f/workshops/{ws['id']}").text
    assert f'action="/f/workshops/{ws["id"]}/purge"' in page and "Purger maintenant" in page
    assert 'name="confirm" value="oui" required' in page
    counts = poll_counts(server.database_url, poll_id)
    # Without the box ticked, nothing happens.
    r = fac.client.post(f"/f/workshops/{ws['id']}/purge")
    assert r.status_code == 422 and people(server.database_url, ws["id"]) == (2, 1)
    # Another facilitator cannot purge it.
    other = Facilitator(server.url, create_facilitator(server.database_url))
    assert other.client.post(f"/f/workshops/{ws['id']}/purge", data={"confirm": "oui"}).status_code == 403
    r = fac.client.post(f"/f/workshops/{ws['id']}/purge", data={"confirm": "oui"})
    assert r.status_code == 303
    assert people(server.database_url, ws["id"]) == (0, 0)
    assert poll_counts(server.database_url, poll_id) == counts
    assert "Dernière purge" in fac.client.get(f"/f/workshops/{ws['id']}").text
    assert phones[0].client.get(f"/p/{ws['code']}").status_code == 303
    # The retention is set per workshop.
    r = fac.client.post(f"/f/workshops/{ws['id']}/retention", data={"months": "6"})
    assert r.status_code == 303
    assert sql(server.database_url, "SELECT retention_months FROM workshop WHERE id = :w",
               w=ws["id"]) == [(6,)]
    assert fac.client.post(f"/f/workshops/{ws['id']}/retention", data={"months": "0"}).status_code == 422


# ---------------------------------------------------------------- 13: the notices


NOTICE = {
    "CONTROLLER_NAME": "Communauté d'agglomération du Val de Lune",
    "CONTROLLER_ADDRESS": "1 place de la Mairie, 24000 Lune",
    "DPO_CONTACT": "dpo@val-de-lune.fr",
    "PUBLISHER_NAME": "Service numérique du Val de Lune",
    "PUBLISHER_ADDRESS": "2 rue des Écoles, 24000 Lune",
    "PUBLICATION_DIRECTOR": "Claire Fontaine",
    "HOST_NAME": "Hébergeur Public SAS",
    "HOST_ADDRESS": "3 avenue du Centre, 75000 Paris",
    "RETENTION_MONTHS": "18",
    "ACCESSIBILITY_CONTACT": "accessibilite@val-de-lune.fr",
}


def test_the_privacy_and_legal_notices_are_configured_and_linked(database_url: str, tmp_path: Path) -> None:
    email = create_facilitator(database_url)
    with run_server(database_url, tmp_path, extra_env=NOTICE) as srv:
        privacy = httpx.get(f"{srv.url}/confidentialite")
        assert privacy.status_code == 200 and privacy.headers["content-type"].startswith("text/html")
        text = privacy.text
        for value in ("Communauté d'agglomération du Val de Lune", "dpo@val-de-lune.fr",
                      "1 place de la Mairie"):
            assert value.replace("'", "&#39;") in text
        for said in ("Responsable du traitement", "Ce qui est enregistré", "Pourquoi", "18 mois",
                     "Vos droits", "CNIL", "cap_session", "strictement nécessaire"):
            assert said in text, said
        legal = httpx.get(f"{srv.url}/mentions-legales")
        assert legal.status_code == 200
        for value in list(NOTICE.values())[3:8]:
            assert value in legal.text, value
        assert "cap_session" in legal.text and 'href="/confidentialite"' in legal.text
        declaration = httpx.get(f"{srv.url}/accessibilite")
        assert declaration.status_code == 200
        # The publisher commits itself; people write to the accessibility contact.
        assert "Service numérique du Val de Lune s'engage" in declaration.text
        assert "<strong>accessibilite@val-de-lune.fr</strong>" in declaration.text

        fac = Facilitator(srv.url, email)
        ws = fac.create_workshop("concertation-fne")
        home = httpx.get(f"{srv.url}/").text
        join = httpx.get(f"{srv.url}/j/{ws['code']}").text
        phone = Participant(srv.url, ws["code"], name="Léa Roux")
        mine = phone.client.get(f"/p/{ws['code']}").text
        for page in (home, join, mine):
            assert 'href="/confidentialite"' in page and 'href="/mentions-legales"' in page
            assert 'href="/accessibilite"' in page
        # The join page's notice, beside the optional name fields, with this workshop's retention.
        notice = re.search(r'<p class="muted small privacy-notice">(.*?)</p>', join, re.S).group(1)
        assert join.index('name="organisation"') < join.index("privacy-notice") < join.index("Participer")
        assert "facultatifs" in notice and "jamais vos votes" in notice and "18 mois" in notice
        assert "Val de Lune" in notice
    # Only the one strictly necessary cookie is ever set.
    assert set(phone.client.cookies.keys()) == {"cap_session"}
    assert set(fac.client.cookies.keys()) == {"cap_session"}
