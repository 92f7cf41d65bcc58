"""A phone's page in two parts (app/screens/views.py, PhoneView): the shared part (`p-activity`),
rendered once for the phones that see the same, and her personal part (`p-mine`: her own notes),
rendered per phone. A phone fed by its pushes shows what a fresh page shows; a moderation sends
phones their personal part alone, rendered once per phone and never the shared part."""

import asyncio
import random
import re
from collections import Counter

import lxml.html
import pytest
import websockets
from sqlmodel import Session

from app import live
from app.config import Settings
from app.db import make_engine
from app.domain.workshop_templates import parse_template
from app.publishing import MODERATION, STRUCTURE, NoPublisher
from app.realtime import Connection
from app.services import accounts, items, participants, workshops
from tests.htmx_swaps import apply, canonical
from tests.integration.test_board_pushes import moderate, text_of
from tests.support import Participant, sql

QUIET = 1.0  # seconds without a frame: the phone has received the last push


def ids_of(frame: str) -> list[str]:
    """The ids of a frame's top-level elements, in order: what it replaces on the page."""
    return [f.get("id") for f in lxml.html.fragments_fromstring(frame) if not isinstance(f, str)]


@pytest.mark.storage
@pytest.mark.broadcast
@pytest.mark.parametrize("seed", [1, 2])
def test_a_phone_fed_by_its_pushes_equals_a_fresh_page(server, room, seed):
    """Phones post, the facilitator moderates (hide, show again, merge, unmerge, edit) and moves
    to the next step: the two phones watched, of two sub-groups, show what their page read afresh
    shows (its text, and its activity's HTML).

    The watched phones have chosen their sub-group (with a first note) before: a phone's own post
    that chooses it reaches no phone (ITEMS reach the boards): her phone's script names it in her
    step line from the answer (app.js), which a socket client does not run."""
    fac, ws, db = room["fac"], room["ws"], room["db"]
    rng = random.Random(seed)
    page_url = f"/p/{ws['code']}"
    groups = [int(g) for g in re.findall(r'<option value="(\d+)"', room["alice"].client.get(page_url).text)]
    # Each phone with her sub-group: phones of different sub-groups see different shared parts.
    phones = [(room["alice"], room["gid"]), (Participant(server.url, ws["code"]), groups[1])]
    phones += [(Participant(server.url, ws["code"]), rng.choice(groups)) for _ in range(3)]
    watched = [phone for phone, _group in phones[:2]]
    assert watched[1].post(room["activity"], "Première de Bob", group_id=groups[1]).status_code == 201

    async def scenario() -> list[tuple[str, str, str, str]]:
        socks = [await websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                          additional_headers={"Cookie": p.cookie_header})
                 for p in watched]
        pages = [lxml.html.document_fromstring(p.client.get(page_url).text) for p in watched]
        for sock, page in zip(socks, pages, strict=True):
            first = str(await asyncio.wait_for(sock.recv(), 5))  # the full state first
            assert ids_of(first) == ["p-activity", f"mine-{room['activity']}"]
            apply(page, first)
        frames = [0]

        async def listen(sock, page) -> None:
            while True:
                apply(page, str(await sock.recv()))
                frames[0] += 1

        async def compared() -> list[tuple[str, str, str, str]]:
            received = -1
            while received != frames[0]:  # quiet: no frame for QUIET seconds
                received = frames[0]
                await asyncio.sleep(QUIET)
            out = []
            for phone, page in zip(watched, pages, strict=True):
                reply = await asyncio.to_thread(phone.client.get, page_url)
                fresh = lxml.html.document_fromstring(reply.text)
                out.append((text_of(page), text_of(fresh), canonical(page.get_element_by_id("p-activity")),
                            canonical(fresh.get_element_by_id("p-activity"))))
            return out

        async def post(phone, group: int, activity_id: int, text: str) -> None:
            r = await asyncio.to_thread(phone.post, activity_id, text, None,
                                        rng.choice(["social", "politique"]), group)
            assert r.status_code == 201, r.text

        listeners = [asyncio.create_task(listen(s, p)) for s, p in zip(socks, pages, strict=True)]
        checks = []
        activity_id = room["activity"]
        for step in range(30):
            if step == 15:  # the next step: another post-it activity, opened
                assert (await asyncio.to_thread(fac.goto, ws["id"], 2)).status_code == 200
                activity_id = await asyncio.to_thread(fac.current_activity_id, ws["id"])
                assert (await asyncio.to_thread(fac.set_state, activity_id, "open")).status_code == 200
                checks += await compared()
            if rng.random() < 0.6:
                await post(*rng.choice(phones), activity_id, f"Idée {seed}-{step}")
            else:
                await asyncio.to_thread(moderate, rng, fac, activity_id, db)
            if rng.random() < 0.3:
                await asyncio.sleep(rng.random() * 0.3)
            if step % 10 == 9:
                # Her own posts reach her page from the replies to them (app.js), not by a push: a
                # moderation last, which pushes every phone her notes; then her page has caught up.
                text = f"À masquer {seed}-{step}"
                await post(*phones[step // 10 % 2], activity_id, text)
                note = sql(db, "SELECT id FROM item WHERE text = :t", t=text)[0][0]
                r = await asyncio.to_thread(fac.client.post, f"/f/items/{note}/hidden",
                                            data={"hidden": "true"})
                assert r.status_code == 200
                checks += await compared()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        for sock in socks:
            await sock.close()
        return checks

    checks = asyncio.run(scenario())
    for kept_text, fresh_text, kept_html, fresh_html in checks:
        assert kept_text == fresh_text
        assert kept_html == fresh_html
    for n in range(2):  # each watched phone's page showed her notes as the facilitator left them
        assert any(re.search(rf"À masquer {seed}-\d+ masqué par l'animateur", fresh)
                   for _kept, fresh, _h, _f in checks[n::2])


@pytest.mark.storage
@pytest.mark.broadcast
def test_a_moderation_sends_a_phone_her_notes_alone_and_a_step_both_parts(server, room):
    fac, ws, alice, activity_id = room["fac"], room["ws"], room["alice"], room["activity"]
    note_id = int(re.search(r'id="mod-(\d+)"', fac.client.get(f"/f/workshops/{ws['id']}").text).group(1))

    async def scenario() -> tuple[str, str]:
        async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                      additional_headers={"Cookie": alice.cookie_header}) as phone:
            await asyncio.wait_for(phone.recv(), 5)  # the full state first
            r = await asyncio.to_thread(fac.client.post, f"/f/items/{note_id}/hidden",
                                        data={"hidden": "true"})
            assert r.status_code == 200
            moderated = str(await asyncio.wait_for(phone.recv(), 5))
            assert (await asyncio.to_thread(fac.set_state, activity_id, "closed")).status_code == 200
            return moderated, str(await asyncio.wait_for(phone.recv(), 5))

    moderated, closed = asyncio.run(scenario())
    assert ids_of(moderated) == [f"mine-{activity_id}"]
    assert "masqué par l'animateur" in moderated
    assert "<form" not in moderated and "Votre post-it" not in moderated
    assert ids_of(closed) == ["p-activity", f"mine-{activity_id}"]  # shared first, then hers
    assert "Cette activité est fermée" in closed and "masqué par l'animateur" in closed


ROOM = """\
title: Trente téléphones
activities:
  - kind: postits
    id: idees
    title: Vos idées
    categories: [social, territoire]
"""


@pytest.mark.storage
def test_a_push_renders_the_shared_part_once_and_each_phone_s_own_notes_once(database_url, monkeypatch):
    """30 phones with a note each and 10 without: a moderation renders no shared part and one
    personal part per phone with notes, plus one for all the others; a step renders the shared
    part once."""
    engine = make_engine(database_url)
    quiet = NoPublisher()
    with Session(engine, expire_on_commit=False) as session:
        owner = accounts.create_facilitator(session, "trente@example.org", "Animatrice", "motdepasse-trente")
        workshop = workshops.create_from_template(session, owner.id, parse_template(ROOM, "atelier.yaml"))
        workshops.go_to(session, workshop, 0, publisher=quiet)
        activity = workshops.activity_by_ref(session, workshop.id, "idees")
        assert activity is not None
        workshops.set_state(session, activity, "open", publisher=quiet)
        phones = [participants.join(session, workshop, f"Phone {n}") for n in range(40)]
        for n, phone in enumerate(phones[:30]):
            items.post(session, phone, activity.id, f"Idée {n}", "social", client_key=f"cle-{n:04d}",
                       publisher=quiet)
        items.set_hidden(session, activity, items.of_activity(session, activity.id)[0], True,
                         publisher=quiet)
    monkeypatch.setattr(live, "get_engine", lambda: engine)
    renders: Counter[str] = Counter()
    render = live.render

    def counted(role: str, block: str, ctx: dict) -> str:
        renders[block] += 1
        return render(role, block, ctx)

    monkeypatch.setattr(live, "render", counted)

    async def send(frame: str) -> None:
        raise AssertionError("rendered, not sent")

    conns = [Connection(live.PARTICIPANT, send, phone.id) for phone in phones]
    screens = live.Live(Settings(database_url=database_url, redis_url=None))

    pushed = screens._render_all(workshop.id, {MODERATION}, conns)
    assert renders == {live.MINE: 31}
    assert [list(fragments) for _conn, fragments in pushed] == [[live.MINE]] * 40
    assert "masqué par l'animateur" in pushed[0][1][live.MINE]
    assert len({fragments[live.MINE] for _conn, fragments in pushed}) == 31

    renders.clear()
    pushed = screens._render_all(workshop.id, {STRUCTURE}, conns)
    assert renders == {"p-activity": 1, live.MINE: 31}
    assert [list(fragments) for _conn, fragments in pushed] == [["p-activity", live.MINE]] * 40
    engine.dispose()


@pytest.mark.storage
@pytest.mark.broadcast
def test_a_fresh_page_and_its_first_push_show_the_same(server, room):
    """The page a phone opens, and the same page once the first full push is applied to it."""
    ws, alice = room["ws"], room["alice"]

    async def scenario() -> str:
        async with websockets.connect(f"{server.ws_url}/ws/p/{ws['code']}",
                                      additional_headers={"Cookie": alice.cookie_header}) as phone:
            return str(await asyncio.wait_for(phone.recv(), 5))

    page = lxml.html.document_fromstring(alice.client.get(f"/p/{ws['code']}").text)
    before = canonical(page.find(".//main"))
    apply(page, asyncio.run(scenario()))
    assert canonical(page.find(".//main")) == before
