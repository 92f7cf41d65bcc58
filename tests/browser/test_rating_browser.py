"""The impact/maîtrise rating in real browsers: a phone rates with buttons (changes its mind, says
« je ne sais pas », loses its connection), the board reveals the matrix at two projector sizes,
the table sorts, the facilitator's page shows progress and results.

Screenshots: artifacts/screenshots/rating-*.png.
"""

import random
import re

import pytest
from sqlalchemy import create_engine, text

from tests.browser.test_live_browser import (
    DESKTOP,
    PHONE_A,
    PHONE_B,
    SMALL_PROJECTOR,
    Watch,
    assert_fits,
    assert_no_overflow,
    close_all,
    desktop_page,
    expect,
    join,
    live,
    login,
    phone_page,
    shot_of,
)
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser


FACTORS = [
    "Dématérialisation totale des démarches administratives",
    "Vieillissement de la population",
    "Déploiement de la fibre dans les zones rurales",
    "Fermeture des guichets de proximité",
    "Intelligence artificielle dans les services publics",
    "Précarité énergétique des ménages",
    "Renouvellement des conseillers numériques",
    "Coût du matériel informatique",
]

TEMPLATE = "title: Mon territoire dans 10 ans\nactivities:\n  - kind: rating\n" \
    "    title: Impact et maîtrise des facteurs\n" \
    "    prompt: Pour chaque facteur, son impact sur le territoire et la maîtrise qu'il en a.\n" \
    "    items:\n" + "".join(f"      - {f}\n" for f in FACTORS)

# Where the room puts each factor (impact, maîtrise), roughly: every quadrant, some disagreement,
# and two factors rated exactly alike (their markers must not hide each other).
PROFILE = [(3.6, 1.4), (3.2, 1.3), (3.4, 3.3), (2.9, 2.2), (2.2, 1.6), (2.9, 2.2), (1.6, 3.4), (1.3, 1.5)]


def card(page, number: int):
    return page.locator(".rate-card").nth(number - 1)


def choice(page, number: int, axis: str, value: str):
    """One value of an axis of a card: a radio named after the axis, the item and the value."""
    return card(page, number).get_by_role("radio", name=f"{axis} de « {FACTORS[number - 1]} » : {value}",
                                          exact=True)


def tap(page, number: int, axis: str, value: str) -> None:
    choice(page, number, axis, value).click()


def stored(database_url: str) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT i.text, v.axis, v.value FROM vote v JOIN item i ON i.id = CAST(v.target AS INTEGER)"
                " ORDER BY v.participant_id, v.target, v.axis"))]
    finally:
        engine.dispose()


def simulated_room(srv, code: str, activity_id: int, n: int = 12) -> None:
    """n more participants over HTTP, rating around PROFILE; factor 6 gets exactly factor 4's answers."""
    rng = random.Random(11)
    for _ in range(n):
        phone = Participant(srv.url, code)
        items = [int(i) for i in re.findall(r'data-item="(\d+)"', phone.client.get(f"/p/{code}").text)]
        answers = {}
        for index, (impact, maitrise) in enumerate(PROFILE):
            for axis, centre in (("impact", impact), ("maitrise", maitrise)):
                value = "nsp" if rng.random() < 0.08 else str(min(4, max(1, round(rng.gauss(centre, 0.7)))))
                answers[(index, axis)] = answers[(3, axis)] if index == 5 else value
        for (index, axis), value in answers.items():
            r = phone.client.post(f"/p/{code}/activities/{activity_id}/rate",
                                  data={"item": str(items[index]), "axis": axis, "value": value})
            assert r.status_code in (200, 201), r.text


def test_a_phone_rates_and_the_board_reveals_the_matrix(browser, database_url, tmp_path, shots):
    sessions = catalog(tmp_path, {"prospective": TEMPLATE})
    watch, contexts, failed = Watch(), [], True
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        try:
            email = create_facilitator(database_url)
            fac = Facilitator(srv.url, email)
            ws = fac.create_workshop("prospective")
            rating_id = fac.open_postits(ws["id"], position=0)
            board_ctx, board = desktop_page(browser, watch, "board")
            contexts.append(board_ctx)
            board.goto(f"{srv.url}/b/{ws['board_key']}")
            live(board)

            ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
            contexts.append(ctx)
            join(phone, srv, ws["code"], "Camille")
            expect(phone.locator(".rate-card")).to_have_count(len(FACTORS))
            expect(phone.locator(".rate-progress")).to_contain_text("0 / 8")
            phone.screenshot(path=shots / "rating-phone-start.png")
            phone.set_viewport_size(PHONE_B)  # the narrowest phones: nothing scrolls sideways
            assert_fits(phone, [".rate-card:first-child .rate-buttons", ".rate-progress"])
            phone.screenshot(path=shots / "rating-phone-360.png")
            phone.set_viewport_size(PHONE_A)

            # Impact then maîtrise: the card says « enregistré » once the server stored both.
            tap(phone, 1, "Impact", "3")
            expect(card(phone, 1).locator(".rate-status")).to_contain_text("Impact enregistré")
            tap(phone, 1, "Maîtrise", "2")
            expect(card(phone, 1).locator(".rate-status")).to_have_text("✓ enregistré")
            expect(phone.locator(".rate-progress")).to_contain_text("1 / 8")
            # A change of mind replaces the rating.
            tap(phone, 1, "Impact", "4")
            expect(choice(phone, 1, "Impact", "4")).to_have_attribute(
                "aria-checked", "true")
            expect(choice(phone, 1, "Impact", "3")).to_have_attribute(
                "aria-checked", "false")
            expect(card(phone, 1).locator(".rate-status")).to_have_text("✓ enregistré")
            # « je ne sais pas » counts as answered.
            tap(phone, 2, "Impact", "je ne sais pas")
            tap(phone, 2, "Maîtrise", "1")
            expect(card(phone, 2).locator(".rate-status")).to_have_text("✓ enregistré")
            expect(phone.locator(".rate-progress")).to_contain_text("2 / 8")
            for number in range(3, 8):
                same = 4 if number == 6 else number  # factors 4 and 6 are rated alike by everyone
                tap(phone, number, "Impact", str(1 + same % 4))
                tap(phone, number, "Maîtrise", str(1 + (same * 3) % 4))
                expect(card(phone, number).locator(".rate-status")).to_have_text("✓ enregistré")
            expect(phone.locator(".rate-progress")).to_contain_text("7 / 8")
            phone.screenshot(path=shots / "rating-phone-progress.png")

            # Offline: the tap is kept and said so, then sent once the network is back.
            ctx.set_offline(True)
            tap(phone, 8, "Impact", "2")
            expect(card(phone, 8).locator(".rate-status")).to_contain_text("hors ligne")
            expect(choice(phone, 8, "Impact", "2")).to_have_attribute(
                "aria-checked", "true")
            phone.screenshot(path=shots / "rating-phone-offline.png")
            ctx.set_offline(False)
            expect(card(phone, 8).locator(".rate-status")).to_contain_text("Impact enregistré",
                                                                           timeout=15_000)
            tap(phone, 8, "Maîtrise", "3")
            expect(card(phone, 8).locator(".rate-status")).to_have_text("✓ enregistré")
            expect(phone.locator(".rate-progress")).to_contain_text("8 / 8")
            expect(phone.locator(".rate-progress")).to_contain_text("Merci")
            mine = [r for r in stored(database_url)]
            assert len(mine) == 16
            assert (FACTORS[0], "impact", 4) in mine and (FACTORS[1], "impact", None) in mine
            assert (FACTORS[7], "impact", 2) in mine

            # Before the reveal the board only counts.
            expect(board.locator(".board-waiting")).to_contain_text("1 participant a commencé à noter")
            simulated_room(srv, ws["code"], rating_id)
            expect(board.locator(".board-waiting")).to_contain_text("13 participants ont commencé")
            board.screenshot(path=shots / "rating-board-waiting.png")

            # A tap made offline while the facilitator closes the rating: refused, said so, nothing stored.
            ctx.set_offline(True)
            tap(phone, 1, "Impact", "1")
            expect(card(phone, 1).locator(".rate-status")).to_contain_text("hors ligne")
            assert fac.set_state(rating_id, "closed").status_code == 200
            ctx.set_offline(False)
            expect(phone.locator(".notice")).to_contain_text("close")
            expect(card(phone, 1).locator(".rate-status")).to_contain_text("refusé", timeout=15_000)
            expect(card(phone, 1).locator(".rate-status")).to_contain_text("pas ouverte")
            expect(choice(phone, 1, "Impact", "4")).to_have_attribute(
                "aria-checked", "true")
            expect(choice(phone, 1, "Impact", "4")).to_be_disabled()
            phone.screenshot(path=shots / "rating-phone-refused.png")
            assert (FACTORS[0], "impact", 4) in stored(database_url)
            assert fac.set_state(rating_id, "revealed").status_code == 200
            expect(board.locator(".rate-matrix .rate-point")).to_have_count(8)
            expect(board.locator(".rate-table tbody tr")).to_have_count(8)
            board.wait_for_timeout(300)
            board.screenshot(path=shots / "rating-board-1920x1080.png")
            assert_fits(board, [".rate-matrix", ".rate-table", ".board-title"])
            assert_no_overflow(board, "#board-main")
            board.set_viewport_size(SMALL_PROJECTOR)
            board.wait_for_timeout(300)
            board.screenshot(path=shots / "rating-board-1280x720.png")
            assert_fits(board, [".rate-matrix", ".rate-table", ".board-title"])
            assert_no_overflow(board, "#board-main")
            # Markers never cover each other (two factors have the very same means).
            boxes = board.locator(".rate-point circle").evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.x + r.width / 2,"
                " r.y + r.height / 2, r.width / 2]; })")
            for i, (x1, y1, r1) in enumerate(boxes):
                for x2, y2, r2 in boxes[i + 1:]:
                    assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2 - 1
            board.set_viewport_size(DESKTOP)

            # The table sorts by maîtrise, then by spread.
            board.locator(".rate-sort").get_by_role("button", name="Maîtrise").click()
            values = [float(v) for v in board.locator(".rate-table tbody tr").evaluate_all(
                "rows => rows.map(r => r.getAttribute('data-sort-maitrise'))")]
            assert values == sorted(values, reverse=True)
            expect(board.locator("th[aria-sort=descending]")).to_contain_text("Maîtrise")
            board.locator(".rate-sort").get_by_role("button", name="Désaccord").click()
            spreads = [float(v) for v in board.locator(".rate-table tbody tr").evaluate_all(
                "rows => rows.map(r => r.getAttribute('data-sort-spread'))")]
            assert spreads == sorted(spreads, reverse=True)
            board.screenshot(path=shots / "rating-board-sorted-by-spread.png")

            expect(phone.locator(".rate-phone-results .rate-matrix")).to_have_count(1)
            phone.evaluate("window.scrollTo(0, 0)")
            phone.screenshot(path=shots / "rating-phone-results.png")
            phone.locator(".rate-result-list").scroll_into_view_if_needed()
            phone.screenshot(path=shots / "rating-phone-results-list.png")

            fac_ctx, control = desktop_page(browser, watch, "control", {"width": 1440, "height": 900})
            contexts.append(fac_ctx)
            login(control, srv, email)
            control.goto(f"{srv.url}/f/workshops/{ws['id']}")
            live(control)
            expect(control.locator(".rate-control-progress")).to_contain_text("13 participants ont commencé")
            expect(control.locator(".rate-table tbody tr")).to_have_count(8)
            control.screenshot(path=shots / "rating-control.png", full_page=True)
            watch.check()
            failed = False
        finally:
            close_all(contexts, shots, failed)


def test_each_axis_is_one_radio_group_walked_with_the_arrows(browser, database_url, tmp_path, shots):
    """Issue 12, point 4: a keyboard reaches each item's axis in one Tab stop (the chosen value, or
    the first), the arrow keys move inside it and choose, wrapping at the ends, and each control
    is named after its axis, its item and its value."""
    sessions = catalog(tmp_path, {"prospective": TEMPLATE})
    watch = Watch()
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        fac = Facilitator(srv.url, create_facilitator(database_url))
        ws = fac.create_workshop("prospective")
        fac.open_postits(ws["id"], position=0)
        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        try:
            join(phone, srv, ws["code"], "")
            group = card(phone, 1).get_by_role("radiogroup", name=f"Impact de « {FACTORS[0]} »", exact=True)
            expect(group.get_by_role("radio")).to_have_count(5)
            # From the page's top, Tab goes from one axis to the next: one stop per radio group.
            stops = []
            for _ in range(6):
                phone.keyboard.press("Tab")
                stops.append(phone.evaluate("""() => {
                    const el = document.activeElement;
                    return el.getAttribute("role") === "radio" ? el.getAttribute("aria-label") : null;
                }"""))
            radios = [s for s in stops if s]
            assert radios[:4] == [f"{axis} de « {factor} » : 1" for factor in FACTORS[:2]
                                  for axis in ("Impact", "Maîtrise")], stops
            # Back on the first item's impact: right twice chooses 3, left from 1 wraps to « je ne sais pas ».
            choice(phone, 1, "Impact", "1").focus()
            phone.keyboard.press("ArrowRight")
            phone.keyboard.press("ArrowRight")
            expect(choice(phone, 1, "Impact", "3")).to_be_focused()
            expect(choice(phone, 1, "Impact", "3")).to_have_class(re.compile(r"\bis-chosen\b"))
            expect(choice(phone, 1, "Impact", "3")).to_have_attribute("aria-checked", "true")
            expect(choice(phone, 1, "Impact", "3")).to_have_attribute("tabindex", "0")
            expect(choice(phone, 1, "Impact", "1")).to_have_attribute("tabindex", "-1")
            choice(phone, 1, "Maîtrise", "1").focus()
            phone.keyboard.press("ArrowLeft")
            unknown = choice(phone, 1, "Maîtrise", "je ne sais pas")
            expect(unknown).to_be_focused()
            expect(unknown).to_have_class(re.compile(r"\bis-chosen\b"))
            shot_of(card(phone, 1), shots / "rating-phone-keyboard.png")
            assert [(text, axis, value) for text, axis, value in stored(srv.database_url)] == [
                (FACTORS[0], "impact", 3), (FACTORS[0], "maitrise", None)]
            watch.check()
        finally:
            ctx.close()
