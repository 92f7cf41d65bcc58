"""Priority ranking in real browsers: a phone orders the ANCT's enjeux by drag (SortableJS) and by
keyboard (the ▲ ▼ buttons), validates, changes its ballot, validates offline; the board reveals
the aggregated order; the facilitator keeps the top 4 from the control page. Dot voting and
majority judgment on a phone too. Screenshots in artifacts/screenshots/ranking-*.png.
"""

import html
import re

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.browser.test_live_browser import (
    DESKTOP,
    PHONE_A,
    PHONE_B,
    SMALL_PROJECTOR,
    Watch,
    assert_fits,
    close_all,
    desktop_page,
    expect,
    join,
    live,
    login,
    phone_page,
)
from tests.support import ANCT_ENJEUX, Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser


ENJEUX = ANCT_ENJEUX
PISTES = ["Médiation itinérante", "Formation des agents", "Cartographie de l'offre", "Équipement des lieux"]


def _items(values: list[str]) -> str:
    return "\n".join(f'      - "{v}"' for v in values)


TEMPLATE = f"""\
title: Priorisation des enjeux
activities:
  - kind: ranking
    id: enjeux
    title: Classez les enjeux par ordre de priorité
    prompt: "Du plus prioritaire au moins prioritaire pour votre territoire."
    items:
{_items(ENJEUX)}
    method: borda
    keep: 4
  - kind: ranking
    id: points
    title: Répartissez vos 10 points
    items:
{_items(PISTES)}
    method: dots
    budget: 10
    keep: 2
  - kind: ranking
    id: mentions
    title: Jugez chaque piste
    items:
{_items(PISTES)}
    method: majority
    keep: 2
  - kind: text
    title: "Cap partagé : les enjeux retenus"
    show_kept: enjeux
    body: Ce sont les grands enjeux de la feuille de route.
"""


@pytest.fixture
def ranking_server(database_url, tmp_path):
    sessions = catalog(tmp_path, {"priorisation": TEMPLATE})
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        email = create_facilitator(database_url)
        fac = Facilitator(srv.url, email)
        yield srv, fac, fac.create_workshop("priorisation"), email


def db_rows(url: str, query: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query), params)]
    finally:
        engine.dispose()


def stored_order(url: str, activity_id: int) -> dict[int, list[str]]:
    """Each participant's stored ranking, as item texts from first to last."""
    out: dict[int, list[tuple[int, str]]] = {}
    for pid, value, body in db_rows(url, "SELECT v.participant_id, v.value, i.text FROM vote v "
                                         "JOIN item i ON i.id = CAST(v.target AS INTEGER) "
                                         "WHERE v.activity_id = :a AND v.axis = 'rank'", a=activity_id):
        out.setdefault(pid, []).append((value, body))
    return {pid: [t for _, t in sorted(rows)] for pid, rows in out.items()}


def starting_with(prefix: str) -> re.Pattern:
    """A name pattern for Playwright (which needs the slashes of « et/ou » escaped)."""
    return re.compile("^" + re.escape(prefix).replace("/", "\\/"))


def shown_order(page) -> list[str]:
    return page.locator(".rk-item .rk-label").all_inner_texts()


def drag(page, source, target) -> None:
    """Press on the source's grip, move in small steps to the target's top edge, release."""
    a = source.bounding_box()
    b = target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    steps = 12
    x0, y0 = a["x"] + a["width"] / 2, a["y"] + a["height"] / 2
    x1, y1 = b["x"] + b["width"] / 2, b["y"] + 4
    for n in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * n / steps, y0 + (y1 - y0) * n / steps)
        page.wait_for_timeout(25)
    page.mouse.up()


def test_rank_by_drag_and_by_keyboard_then_reveal(browser, ranking_server, shots):
    srv, fac, ws, email = ranking_server
    watch, contexts, failed = Watch(), [], True
    try:
        activity_id = fac.current_activity_id(ws["id"])
        assert fac.set_state(activity_id, "open").status_code == 200
        board_ctx, board = desktop_page(browser, watch, "board")
        contexts.append(board_ctx)
        board.goto(f"{srv.url}/b/{ws['board_key']}")
        live(board)

        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx)
        join(phone, srv, ws["code"], "Awa")
        expect(phone.locator(".rk-item")).to_have_count(7)
        start = shown_order(phone)
        assert sorted(start) == sorted(ENJEUX)
        phone.screenshot(path=shots / "ranking-phone-1-start.png")
        assert_fits(phone, [".rk-submit"])

        # Drag: the last enjeu to the top, by its grip (SortableJS).
        items = phone.locator(".rk-item")
        phone.wait_for_function("() => !!window.Sortable")
        # The whole list in view, just below the sticky header, like a thumb would have it.
        phone.evaluate("window.scrollTo(0, document.querySelector('.rk-item').getBoundingClientRect().top"
                       " + window.scrollY - 64)")
        drag(phone, items.nth(6).locator(".rk-grab"), items.nth(0))
        after_drag = [start[6], *start[:6]]
        expect(phone.locator(".rk-item .rk-label")).to_have_text(after_drag)
        expect(phone.locator(".rk-item .rk-pos").first).to_have_text("1")
        expect(phone.locator("[data-dirty]")).to_be_visible()

        # Keyboard: Enter twice on "Descendre" of the first enjeu, Space on "Monter" of the last.
        down = phone.get_by_role("button", name=starting_with(f"Descendre « {after_drag[0]}"))
        down.focus()
        phone.keyboard.press("Enter")
        phone.keyboard.press("Enter")
        focused = phone.evaluate("document.activeElement.getAttribute('aria-label')")
        assert focused.startswith(f"Descendre « {after_drag[0]} »") and "position 3 sur 7" in focused
        up = phone.get_by_role("button", name=starting_with(f"Monter « {after_drag[6]}"))
        up.focus()
        phone.keyboard.press("Space")
        expected = [after_drag[1], after_drag[2], after_drag[0], after_drag[3], after_drag[4],
                    after_drag[6], after_drag[5]]
        expect(phone.locator(".rk-item .rk-label")).to_have_text(expected)
        expect(phone.locator("[data-announcer]")).to_contain_text("position 6 sur 7")
        phone.screenshot(path=shots / "ranking-phone-2-ordered.png")

        # The facilitator hides an enjeu, then puts it back: each time the phone's list is
        # re-rendered by a live push, and her order, not yet validated, survives both.
        ids = dict(db_rows(srv.database_url, "SELECT text, id FROM item WHERE activity_id = :a",
                           a=activity_id))
        hidden = expected[3]
        assert fac.client.post(f"/f/items/{ids[hidden]}/hidden", data={"hidden": "true"}).status_code == 200
        expect(phone.locator(".rk-item .rk-label")).to_have_text([t for t in expected if t != hidden])
        assert fac.client.post(f"/f/items/{ids[hidden]}/hidden", data={"hidden": "false"}).status_code == 200
        expect(phone.locator(".rk-item .rk-label")).to_have_text(expected)
        expect(phone.locator("[data-dirty]")).to_be_visible()

        phone.get_by_role("button", name="Valider mon classement").click()
        mine = phone.locator(f"#ballot-{activity_id}")
        expect(mine).to_contain_text("✓ enregistré")
        expect(mine.locator("li")).to_have_text(expected)
        expect(phone.locator("[data-dirty]")).to_be_hidden()
        assert list(stored_order(srv.database_url, activity_id).values()) == [expected]
        mine.scroll_into_view_if_needed()
        phone.screenshot(path=shots / "ranking-phone-3-stored.png")

        # She changes her ballot while the ranking is open, on a dropped connection: the outbox
        # keeps it, says so, and sends it once back online; one ballot stored, never two.
        phone.get_by_role("button", name=starting_with(f"Monter « {expected[2]}")).click()
        changed = [expected[0], expected[2], expected[1], *expected[3:]]
        expect(phone.locator(".rk-item .rk-label")).to_have_text(changed)
        ctx.set_offline(True)
        phone.get_by_role("button", name="Valider mon classement").click()
        pending = phone.locator(f"#mine-{activity_id} .pending")
        expect(pending).to_contain_text("hors ligne")
        expect(mine).to_contain_text("bulletin précédent")
        pending.scroll_into_view_if_needed()
        phone.screenshot(path=shots / "ranking-phone-4-offline.png")
        ctx.set_offline(False)
        phone.evaluate("window.dispatchEvent(new Event('online'))")
        expect(pending).to_have_count(0)
        expect(mine).to_contain_text("✓ enregistré")
        expect(mine.locator("li")).to_have_text(changed)
        assert list(stored_order(srv.database_url, activity_id).values()) == [changed]

        # A second phone (360 px) and a few more ballots sent over HTTP.
        ctx_b, phone_b = phone_page(browser, watch, "phone B", PHONE_B)
        contexts.append(ctx_b)
        join(phone_b, srv, ws["code"], "Bruno")
        expect(phone_b.locator(".rk-item")).to_have_count(7)
        assert_fits(phone_b, [".rk-submit", ".rk-item .rk-move >> nth=0"])
        phone_b.get_by_role("button", name="Valider mon classement").click()
        expect(phone_b.locator(f"#ballot-{activity_id}")).to_contain_text("✓ enregistré")
        for n in range(6):
            other = Participant(srv.url, ws["code"])
            order = ENJEUX[n % 3:] + ENJEUX[:n % 3]
            order = [order[6], *order[:6]] if n % 2 else order
            r = other.client.post(f"/p/{ws['code']}/activities/{activity_id}/ranking",
                                  data={"ballot": ",".join(str(ids[t]) for t in order)})
            assert r.status_code == 201, r.text
        expect(board.locator(".board-waiting strong")).to_have_text("8")
        board.screenshot(path=shots / "ranking-board-1-waiting-1920.png")

        # The facilitator closes and reveals from the control page; the board updates live.
        cctx, control = desktop_page(browser, watch, "control")
        contexts.append(cctx)
        login(control, srv, email)
        control.goto(f"{srv.url}/f/workshops/{ws['id']}")
        live(control)
        expect(control.locator(".rk-control h2")).to_contain_text("8 bulletins")
        control.get_by_role("button", name="Fermer").click()
        expect(control.locator("[data-state]")).to_have_attribute("data-state", "closed")
        control.get_by_role("button", name="Révéler").click()
        expect(control.locator("[data-state]")).to_have_attribute("data-state", "revealed")

        ballots = list(stored_order(srv.database_url, activity_id).values())
        assert len(ballots) == 8
        points = {t: sum(6 - b.index(t) for b in ballots) for t in ENJEUX}
        borda = sorted(ENJEUX, key=lambda t: (-points[t], ENJEUX.index(t)))
        expect(board.locator(".rk-row .rk-text")).to_have_text(borda)
        expect(board.locator(".rk-row .rk-score strong")).to_have_text([f"{points[t]} pts" for t in borda])
        expect(board.locator(".rk-row.is-top")).to_have_count(4)
        expect(board.locator(".rk-agreement")).to_have_text(
            re.compile(r"^accord .+ : les .+ \(W de Kendall = \d,\d\d, de 0 à 1\)$"))
        board.screenshot(path=shots / "ranking-board-2-revealed-1920.png")

        control.get_by_role("button", name="Garder les 4 premiers").click()
        expect(board.locator(".rk-kept li")).to_have_text(borda[:4])
        expect(phone.locator(".rk-kept li")).to_have_text(borda[:4])
        expect(phone.locator(".rk-phone-results li")).to_have_count(7)
        kept = {t for (t,) in db_rows(srv.database_url, "SELECT text FROM item WHERE activity_id = :a "
                                                       "AND kept = true", a=activity_id)}
        assert kept == set(borda[:4])
        board.screenshot(path=shots / "ranking-board-3-kept-1920.png")
        control.screenshot(path=shots / "ranking-control-1920.png", full_page=True)
        phone.locator(".rk-kept").scroll_into_view_if_needed()
        phone.screenshot(path=shots / "ranking-phone-5-results.png")

        small_ctx, small = desktop_page(browser, watch, "board 1280", SMALL_PROJECTOR)
        contexts.append(small_ctx)
        small.goto(f"{srv.url}/b/{ws['board_key']}")
        live(small)
        expect(small.locator(".rk-row")).to_have_count(7)
        assert_fits(small, [".rk-row", ".rk-kept"])
        small.screenshot(path=shots / "ranking-board-3-kept-1280.png")
        watch.check()
        failed = False
    finally:
        close_all(contexts, shots, failed)


def test_dots_and_majority_on_a_phone(browser, ranking_server, shots):
    srv, fac, ws, _email = ranking_server
    watch, contexts, failed = Watch(), [], True
    try:
        assert fac.goto(ws["id"], 1).status_code == 200
        dots = fac.current_activity_id(ws["id"])
        assert fac.set_state(dots, "open").status_code == 200
        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx)
        join(phone, srv, ws["code"], "Chloé")
        remaining = phone.locator("[data-remaining] strong")
        expect(remaining).to_have_text("10")
        plus = phone.get_by_role("button", name=f"Ajouter un point à « {PISTES[1]} »")
        for _ in range(7):
            plus.click()
        phone.get_by_role("button", name=f"Ajouter un point à « {PISTES[2]} »").click()
        # Said in the page's live region, which pushes never replace.
        expect(phone.locator("[data-announcer]")).to_have_text("Points restants : 2 sur 10")
        minus = phone.get_by_role("button", name=f"Retirer un point à « {PISTES[0]} »")
        expect(minus).to_be_disabled()
        other = phone.get_by_role("button", name=f"Ajouter un point à « {PISTES[3]} »")
        other.focus()
        phone.keyboard.press("Enter")
        phone.keyboard.press("Enter")
        expect(remaining).to_have_text("0")
        expect(other).to_be_disabled()  # the budget is spent: no more "+" anywhere
        expect(plus).to_be_disabled()
        phone.screenshot(path=shots / "ranking-phone-6-dots.png")
        phone.get_by_role("button", name="Valider mes points").click()
        mine = phone.locator(f"#ballot-{dots}")
        expect(mine).to_contain_text("✓ enregistré")
        expect(mine.locator("li")).to_have_text([f"7 pts — {PISTES[1]}", f"2 pts — {PISTES[3]}",
                                                 f"1 pt — {PISTES[2]}"])
        got = db_rows(srv.database_url, "SELECT i.text, v.value FROM vote v JOIN item i ON "
                                        "i.id = CAST(v.target AS INTEGER) WHERE v.activity_id = :a", a=dots)
        assert dict(got) == {PISTES[0]: 0, PISTES[1]: 7, PISTES[2]: 1, PISTES[3]: 2}

        assert fac.set_state(dots, "closed").status_code == 200
        assert fac.goto(ws["id"], 2).status_code == 200
        mj = fac.current_activity_id(ws["id"])
        assert fac.set_state(mj, "open").status_code == 200
        expect(phone.locator(".rk-grade-item")).to_have_count(4)
        expect(phone.locator("[data-ungraded]")).to_have_text("4 enjeux sans mention")
        choices = {PISTES[0]: "très prioritaire", PISTES[1]: "prioritaire", PISTES[2]: "pas prioritaire"}
        for piste, grade in choices.items():
            phone.locator(".rk-grade-item", has_text=piste).locator("label", has_text=re.compile(
                rf"^{grade}$")).click()
        expect(phone.locator("[data-ungraded]")).to_have_text("1 enjeu sans mention")
        # The keyboard reaches the grades too: arrow keys move within one item's radio group.
        phone.locator(".rk-grade-item", has_text=PISTES[3]).locator("input").first.focus()
        phone.keyboard.press("Space")
        phone.keyboard.press("ArrowRight")
        expect(phone.locator("[data-ungraded]")).to_have_text("Tous les enjeux ont une mention.")
        phone.screenshot(path=shots / "ranking-phone-7-majority.png")
        phone.get_by_role("button", name="Valider mes mentions").click()
        expect(phone.locator(f"#ballot-{mj}")).to_contain_text("✓ enregistré")
        got = dict(db_rows(srv.database_url, "SELECT i.text, v.value FROM vote v JOIN item i ON "
                                             "i.id = CAST(v.target AS INTEGER) WHERE v.activity_id = :a",
                           a=mj))
        assert got == {PISTES[0]: 0, PISTES[1]: 1, PISTES[2]: 3, PISTES[3]: 1}

        for n in range(4):
            other_phone = Participant(srv.url, ws["code"])
            ids = dict(db_rows(srv.database_url, "SELECT text, id FROM item WHERE activity_id = :a", a=mj))
            ballot = ",".join(f"{ids[p]}:{(n + k) % 4}" for k, p in enumerate(PISTES))
            r = other_phone.client.post(f"/p/{ws['code']}/activities/{mj}/ranking", data={"ballot": ballot})
            assert r.status_code == 201, r.text
        assert fac.set_state(mj, "closed").status_code == 200
        assert fac.set_state(mj, "revealed").status_code == 200
        for name, viewport in (("1920", DESKTOP), ("1280", SMALL_PROJECTOR)):
            bctx, board = desktop_page(browser, watch, f"board {name}", viewport)
            contexts.append(bctx)
            board.goto(f"{srv.url}/b/{ws['board_key']}")
            live(board)
            expect(board.locator(".rk-row")).to_have_count(4)
            expect(board.locator(".rk-legend")).to_contain_text("très prioritaire")
            assert_fits(board, [".rk-row"])
            board.screenshot(path=shots / f"ranking-board-4-majority-{name}.png")
        watch.check()
        failed = False
    finally:
        close_all(contexts, shots, failed)


def test_the_closing_slide_lists_the_kept_enjeux_and_follows_the_facilitator(browser, ranking_server, shots):
    srv, fac, ws, _email = ranking_server
    watch, contexts, failed = Watch(), [], True
    try:
        ranking = fac.current_activity_id(ws["id"])
        assert fac.set_state(ranking, "open").status_code == 200
        ids = dict(db_rows(srv.database_url, "SELECT text, id FROM item WHERE activity_id = :a", a=ranking))
        for n in range(5):
            order = ENJEUX[n % 3:] + ENJEUX[:n % 3]
            ballot = ",".join(str(ids[t]) for t in order)
            r = Participant(srv.url, ws["code"]).client.post(
                f"/p/{ws['code']}/activities/{ranking}/ranking", data={"ballot": ballot})
            assert r.status_code == 201, r.text
        for state in ("closed", "revealed"):
            assert fac.set_state(ranking, state).status_code == 200
        assert fac.client.post(f"/f/activities/{ranking}/keep", data={"n": "4"}).status_code == 200
        shown = httpx.get(f"{srv.url}/b/{ws['board_key']}").text.split('class="rk-kept"', 1)[1]
        kept = [html.unescape(t) for t in re.findall(r'<li data-kept="\d+">([^<]*)</li>', shown)]
        assert len(kept) == 4
        assert fac.goto(ws["id"], 3).status_code == 200

        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx)
        join(phone, srv, ws["code"], "Chloé")
        expect(phone.locator(".slide-kept li")).to_have_text(kept)
        phone.screenshot(path=shots / "slide-kept-phone.png", full_page=True)
        boards = []
        for name, viewport in (("1920", DESKTOP), ("1280", SMALL_PROJECTOR)):
            bctx, board = desktop_page(browser, watch, f"board {name}", viewport)
            contexts.append(bctx)
            board.goto(f"{srv.url}/b/{ws['board_key']}")
            live(board)
            expect(board.locator(".slide-kept li")).to_have_text(kept)
            assert_fits(board, [".slide-kept"])
            board.screenshot(path=shots / f"slide-kept-board-{name}.png")
            boards.append(board)
        # She drops the last one while the slide is shown: the board and the phone follow live.
        assert fac.client.post(f"/f/items/{ids[kept[-1]]}/kept", data={"kept": "false"}).status_code == 200
        for page in (*boards, phone):
            expect(page.locator(".slide-kept li")).to_have_text(kept[:-1])
        watch.check()
        failed = False
    finally:
        close_all(contexts, shots, failed)
