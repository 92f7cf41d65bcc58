"""A full room on the projected board: 80 post-its over 4 categories, then 45 rated factors
revealed, at 1280×720 and 1920×1080. Every note and every table row is either on screen, whole and
in letters read from the back of the room, or on one of the pages the board turns through by itself
(« 2/3 »): the test turns the pages (Playwright's clock, not waiting) and collects what was shown.

Screenshots: artifacts/screenshots/board-capacity-*.png.
"""

import re
import sys
import textwrap

import pytest

from tests.browser.test_live_browser import (
    DESKTOP,
    SMALL_PROJECTOR,
    Watch,
    close_all,
    desktop_page,
    expect,
    live,
)
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser

CATEGORIES = ["économique", "politique", "technologique", "social"]
GROUPS = ["Groupe 1", "Groupe 2", "Groupe 3", "Groupe 4"]
WORDS = ["médiation", "numérique", "itinérante", "dans", "les", "communes", "rurales", "du", "territoire"]
NOTES = [f"Idée {n + 1}, " + " ".join(WORDS[: 2 + (n * 7) % 9]) for n in range(80)]
FACTORS = [f"Facteur {n + 1}, " + " ".join(WORDS[: 1 + (n * 5) % 8]) for n in range(45)]
PAGE_SECONDS = 8
# The legible minimum: 20px on a 720-pixel-high screen, in proportion above; the sub-group label
# (« Groupe 2 ») at least 17px there.
MIN_TEXT = 20 / 720
MIN_GROUP = 17 / 720

TEMPLATE = ("title: Atelier de prospective\n"
            f"groups: [{', '.join(GROUPS)}]\n"
            "activities:\n"
            "  - kind: postits\n"
            "    title: Facteurs de changement\n"
            "    prompt: Si on se projette dans 10 ans, quels facteurs vont impacter le territoire ?\n"
            f"    categories: [{', '.join(CATEGORIES)}]\n"
            "    use_groups: true\n"
            "  - kind: rating\n"
            "    title: Impact et maîtrise des facteurs\n"
            "    items:\n" + "".join(f"      - {f}\n" for f in FACTORS))

# What the board shows now of each paged list: its page indicator and each item on screen (not on
# another page), with its box, its list's box and its font sizes.
SHOWN = """([lists, items, text, meta]) => [...document.querySelectorAll(lists)].map(list => {
  const box = list.getBoundingClientRect();
  const pages = list.parentElement.querySelector('[data-pages]');
  return {
    pages: pages && !pages.hidden ? pages.textContent : '',
    items: [...list.querySelectorAll(items)].filter(e => e.offsetParent !== null).map(e => {
      const r = e.getBoundingClientRect();
      return {text: e.querySelector(text).textContent.trim(), box: [r.left, r.top, r.right, r.bottom],
              list: [box.left, box.top, box.right, box.bottom],
              font: parseFloat(getComputedStyle(e.querySelector(text)).fontSize),
              meta: meta ? parseFloat(getComputedStyle(e.querySelector(meta)).fontSize) : null};
    })};
})"""


def collect(board, size: dict, lists: str, items: str, text: str, meta: str | None = None) -> set[str]:
    """Turn the board's pages and gather every item shown, each checked whole, inside the screen
    and in legible letters; the union is what the board shows of the lists."""
    seen: set[str] = set()
    first = board.evaluate(SHOWN, [lists, items, text, meta])
    turns = max(int(p["pages"].split("/")[1]) if p["pages"] else 1 for p in first)
    for turn in range(turns):
        shown = first if turn == 0 else board.evaluate(SHOWN, [lists, items, text, meta])
        for column in shown:
            assert column["items"], f"an empty page in {lists} at {size}"
            for item in column["items"]:
                left, top, right, bottom = item["box"]
                l_left, l_top, l_right, l_bottom = item["list"]
                assert left >= 0 and top >= 0 and right <= size["width"] + 0.5 \
                    and bottom <= size["height"] + 0.5, f"{item['text']!r} {item['box']} off screen at {size}"
                assert left >= l_left - 1 and top >= l_top - 1 and right <= l_right + 1 \
                    and bottom <= l_bottom + 1, f"{item['text']!r} is cut by its list at {size}"
                assert item["font"] >= MIN_TEXT * size["height"] - 0.5, \
                    f"{item['text']!r} at {item['font']}px at {size}"
                if meta:
                    assert item["meta"] >= MIN_GROUP * size["height"] - 0.5, \
                        f"the sub-group under {item['text']!r} at {item['meta']}px at {size}"
                seen.add(item["text"])
        board.clock.run_for(PAGE_SECONDS * 1000)
    return seen


def page_counts(board, selector: str) -> list[str]:
    return board.locator(selector).evaluate_all("els => els.map(e => e.hidden ? '' : e.textContent)")


def test_the_board_holds_80_postits_and_45_rated_factors(browser, database_url, tmp_path, shots):
    sessions = catalog(tmp_path, {"capacite": TEMPLATE})
    watch, contexts = Watch(), []
    env = {**sessions, "WRITE_LIMITS": "1000/minute", "JOIN_CODE_LIMITS": "100/minute"}
    with run_server(database_url, tmp_path, extra_env=env) as srv:
        try:
            fac = Facilitator(srv.url, create_facilitator(database_url))
            ws = fac.create_workshop("capacite")
            postits = fac.open_postits(ws["id"], position=0)
            ctx, board = desktop_page(browser, watch, "board", SMALL_PROJECTOR)
            contexts.append(ctx)
            board.clock.install()
            board.goto(f"{srv.url}/b/{ws['board_key']}")
            live(board)

            # 8 phones, 10 notes each, every category and sub-group; the board gets them pushed.
            phones = [Participant(srv.url, ws["code"]) for _ in range(8)]
            groups = [int(g) for g in re.findall(r'<option value="(\d+)"[^>]*>Groupe',
                                                 phones[0].client.get(f"/p/{ws['code']}").text)]
            assert len(groups) == 4
            for n, body in enumerate(NOTES):
                r = phones[n % 8].post(postits, body, category=CATEGORIES[n % 4], group_id=groups[n // 20])
                assert r.status_code == 201, r.text
            expect(board.locator("#board-main .note")).to_have_count(80)
            expect(board.locator(".column-count")).to_have_text(["20"] * 4)

            for size in (SMALL_PROJECTOR, DESKTOP):
                board.set_viewport_size(size)
                # A column that does not fit says which page it shows.
                pages = page_counts(board, ".column-pages")
                assert all(re.fullmatch(r"\d+/\d+", p) for p in pages if p), pages
                board.screenshot(path=shots / f"board-capacity-postits-{size['width']}x{size['height']}.png",
                                 animations="disabled")
                seen = collect(board, size, "#board-main .notes", ".note", ".note-text", ".note-meta")
                assert seen == set(NOTES), f"never shown at {size}: {sorted(set(NOTES) - seen)}"
                if size == SMALL_PROJECTOR:
                    assert any(pages), "80 notes at 1280×720 fit without paging: the test shows nothing"
                    board.clock.run_for(PAGE_SECONDS * 1000)
                    board.screenshot(path=shots / "board-capacity-postits-1280x720-next-page.png",
                                     animations="disabled")

            # A new note arrives while the board pages: its column shows the page it is on.
            board.set_viewport_size(SMALL_PROJECTOR)
            late = "Idée 81 : un tiers-lieu numérique dans chaque canton"
            assert phones[0].post(postits, late, category="social", group_id=groups[3]).status_code == 201
            expect(board.locator(".column-count").nth(3)).to_have_text("21")
            expect(board.locator(".note", has_text=late)).to_be_visible()
            expect(board.locator(".column-count").nth(3)).to_have_text("21")

            # The rating: 45 factors, 5 participants, revealed.
            assert fac.goto(ws["id"], 1).status_code == 200
            rating = fac.current_activity_id(ws["id"])
            assert fac.set_state(rating, "open").status_code == 200
            for p, phone in enumerate(phones[:5]):
                items = re.findall(r'data-item="(\d+)"', phone.client.get(f"/p/{ws['code']}").text)
                assert len(items) == 45
                for n, item in enumerate(items):
                    for axis, value in (("impact", 1 + (n + p) % 4), ("maitrise", 1 + (n * 3 + p) % 4)):
                        r = phone.client.post(f"/p/{ws['code']}/activities/{rating}/rate",
                                              data={"item": item, "axis": axis, "value": str(value)})
                        assert r.status_code in (200, 201), r.text
            assert fac.set_state(rating, "closed").status_code == 200
            assert fac.set_state(rating, "revealed").status_code == 200
            expect(board.locator(".rate-matrix .rate-point")).to_have_count(45)
            expect(board.locator(".rate-table tbody tr")).to_have_count(45)
            for size in (SMALL_PROJECTOR, DESKTOP):
                board.set_viewport_size(size)
                pages = page_counts(board, ".rate-pages")  # the page it is on: it turns every 8 s
                assert re.fullmatch(r"\d+/\d+", pages[0]), pages
                board.screenshot(path=shots / f"board-capacity-rating-{size['width']}x{size['height']}.png",
                                 animations="disabled")
                seen = collect(board, size, ".board .rate-results", ".rate-table tbody tr",
                               ".rate-item-label")
                assert seen == set(FACTORS), f"never shown at {size}: {sorted(set(FACTORS) - seen)}"
                # The matrix: every factor's numbered marker inside the screen.
                for box in board.locator(".rate-point circle").evaluate_all(
                        "els => els.map(e => { const r = e.getBoundingClientRect();"
                        " return [r.left, r.top, r.right, r.bottom]; })"):
                    assert box[0] >= 0 and box[1] >= 0 \
                        and box[2] <= size["width"] and box[3] <= size["height"]
                # The five highest on impact carry their words beside their markers, on screen and
                # at least 14 px high; they are the table's first rows (its default order).
                labels = board.locator(".rate-marker-label").evaluate_all(
                    "els => els.map(e => { const r = e.getBoundingClientRect();"
                    " return [e.textContent, r.left, r.top, r.right, r.bottom]; })")
                top = board.locator(".rate-table tbody tr .rate-item-label").all_text_contents()[:5]
                assert [t for t, *_ in labels] == [
                    textwrap.shorten(t.strip(), width=28, placeholder="…") for t in top]
                for _text, left, top_y, right, bottom in labels:
                    assert left >= 0 and top_y >= 0 and right <= size["width"] and bottom <= size["height"]
                    assert bottom - top_y >= 14
            watch.check()
        finally:
            close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
