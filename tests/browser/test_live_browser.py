"""A live workshop in real browsers: a facilitator's laptop, the projected board, two phones.

Debian chromium driven by Playwright against a real uvicorn server (the `server` fixture):
login and workshop creation through the real forms, joining with the code, posting post-its,
the board updating over WebSockets without reload, a phone losing its connection (the outbox
keeps the post and sends it once back online), moderation from the control page, moving to the
next activity, and participant text staying inert everywhere it is shown.

Screenshots go to artifacts/screenshots/ for a human look.
"""

import contextlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support import DEMO_PASSWORD, Facilitator, Participant, Server

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
expect.set_options(timeout=10_000)

DESKTOP = {"width": 1920, "height": 1080}
SMALL_PROJECTOR = {"width": 1280, "height": 720}
PHONE_A = {"width": 390, "height": 844}
PHONE_B = {"width": 360, "height": 740}
MOBILE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/126.0 Mobile Safari/537.36")
MARKER = "window.__capSamePage"
XSS = '<img src=x onerror=alert(1)> <script>alert(2)</script> <b hx-get="/f">x</b>'


# ---------------------------------------------------------------- helpers


@dataclass
class Watch:
    """What must never happen on a page: a script error, a CSP violation, a dialog."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page, name: str) -> None:
        page.on("pageerror", lambda err: self.problems.append(f"{name}: uncaught {err}"))
        page.on("console", lambda msg: self._console(name, msg))
        page.on("dialog", lambda dialog: self._dialog(name, dialog))

    def _console(self, name: str, msg) -> None:
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            self.problems.append(f"{name}: {msg.text}")

    def _dialog(self, name: str, dialog) -> None:
        self.problems.append(f"{name}: a dialog opened ({dialog.type}: {dialog.message!r})")
        dialog.dismiss()

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def desktop_page(browser, watch: Watch, name: str, viewport: dict = DESKTOP):
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch.attach(page, name)
    return context, page


def close_all(contexts: list, shots: Path, failed: bool) -> None:
    """Close the browser contexts; after a failure, first keep a picture of every page."""
    for context in contexts:
        if failed:
            for n, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=shots / f"failure-{id(context) % 1000}-{n}.png", full_page=True)
        context.close()


def phone_page(browser, watch: Watch, name: str, viewport: dict):
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, user_agent=MOBILE_UA, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch.attach(page, name)
    return context, page


def live(page) -> None:
    """The page's WebSocket is up."""
    expect(page.locator("[data-conn-status]")).to_have_text("en direct")


def shot_of(locator, path) -> None:
    """A screenshot of `locator`, taken again when a live push replaced it meanwhile (the control
    page's first push, the full state, may come just after the page is shown)."""
    for attempt in range(3):
        try:
            locator.screenshot(path=path)
            return
        except sync_api.Error as err:
            if "not attached" not in str(err) or attempt == 2:
                raise


def mark_page(page) -> None:
    """Set a marker that a reload would lose, and count the WebSocket pushes the page applies."""
    page.evaluate(f"""() => {{
        {MARKER} = true;
        window.__capPushes = 0;
        document.addEventListener("htmx:wsAfterMessage", () => {{ window.__capPushes += 1; }});
    }}""")


def pushes(page) -> int:
    return page.evaluate("window.__capPushes")


def wait_for_push(page, after: int) -> None:
    page.wait_for_function("n => window.__capPushes > n", arg=after, timeout=10_000)


def assert_same_page(page) -> None:
    assert page.evaluate(f"{MARKER} === true"), "the page was reloaded"


def login(page, server: Server, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{server.url}/f")


def join(page, server: Server, code: str, name: str, shots: Path | None = None,
         shot_prefix: str = "phone", start: str = "") -> None:
    """Home page → type the code → join form → participant page, as on a phone."""
    page.goto(start or server.url + "/")
    page.get_by_label("Code de l'atelier").fill(code)
    if shots:
        page.screenshot(path=shots / f"{shot_prefix}-1-home-code.png")
    page.get_by_role("button", name="Rejoindre").click()
    code = code.upper()  # the server normalises what was typed
    expect(page).to_have_url(f"{server.url}/j/{code}")
    if name:
        page.get_by_label("Prénom et nom").fill(name)
    if shots:
        page.screenshot(path=shots / f"{shot_prefix}-2-join.png")
    page.get_by_role("button", name="Participer").click()
    expect(page).to_have_url(f"{server.url}/p/{code}")
    live(page)


def fill_postit(page, body: str, group: str, category: str) -> None:
    page.get_by_label("Votre sous-groupe").select_option(label=group)
    page.locator("label.chip", has_text=category).click()
    page.get_by_label("Votre post-it").fill(body)


def my_note(page, body: str):
    return page.locator("[data-mine] li", has_text=body)


def post(page, body: str, group: str = "Groupe 1", category: str = "technologique") -> None:
    fill_postit(page, body, group, category)
    page.get_by_role("button", name="Envoyer").click()
    expect(my_note(page, body)).to_contain_text("✓ envoyé")


def board_note(board, body: str):
    return board.locator("#board-main .note", has_text=body)


def activity_id(page) -> int:
    return int(page.locator("#p-activity").get_attribute("data-activity"))


def rows_with_text(database_url: str, body: str) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(
                text("SELECT id, category, group_id, client_key FROM item WHERE text = :t"),
                {"t": body}))
    finally:
        engine.dispose()


def assert_no_overflow(page, selector: str) -> None:
    """The element's content is not clipped (the board hides what overflows)."""
    hidden = page.locator(selector).evaluate("e => e.scrollHeight - e.clientHeight")
    assert hidden <= 1, f"{selector} hides {hidden}px of its content at {page.viewport_size}"


def assert_fits(page, selectors: list[str]) -> None:
    """No horizontal scrolling, and each element entirely inside the viewport (nothing cut off)."""
    size = page.viewport_size
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls horizontally by {overflow}px at {size}"
    for selector in selectors:
        assert page.locator(selector).count(), f"nothing matches {selector}"
        for box in page.locator(selector).evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return [r.left, r.top, r.right, r.bottom]; })"):
            left, top, right, bottom = box
            assert left >= 0 and top >= 0 and right <= size["width"] + 0.5 \
                and bottom <= size["height"] + 0.5, f"{selector} {box} is cut off at {size}"


# ---------------------------------------------------------------- the workshop


def test_live_workshop_with_a_board_and_two_phones(browser, server, facilitator_email, shots):
    watch = Watch()
    contexts = []
    try:
        # 1. The facilitator logs in, creates a workshop from the list page and opens activity 2.
        ctx, control = desktop_page(browser, watch, "control")
        contexts.append(ctx)
        login(control, server, facilitator_email)
        control.get_by_label("Modèle", exact=True).select_option("prospective-10-ans")
        control.locator("#title").fill("Atelier navigateur")
        control.get_by_role("button", name="Créer l'atelier").click()
        expect(control).to_have_url(re.compile(r"/f/workshops/\d+$"))
        live(control)
        code = control.locator(".topbar .code").inner_text().strip()
        board_href = control.get_by_role("link", name="Ouvrir l'écran de projection").get_attribute("href")
        assert re.fullmatch(r"[A-Z0-9]{4,12}", code), code

        # The projector opens on the instructions slide, which must fit the screen at either size.
        board = ctx.new_page()
        watch.attach(board, "board")
        board.goto(server.url + board_href)
        live(board)
        expect(board.locator(".board-title")).to_have_text("Atelier de prospective : la consigne")
        expect(board.locator("[data-join-code]")).to_have_text(code)
        mark_page(board)
        for size in (DESKTOP, SMALL_PROJECTOR):
            board.set_viewport_size(size)
            board.screenshot(path=shots / f"board-0-slide-{size['width']}x{size['height']}.png",
                             animations="disabled")
            assert_fits(board, [".join-code", ".qr", ".board-title"])
            assert_no_overflow(board, "#board-main")
        board.set_viewport_size(DESKTOP)

        # The facilitator moves to activity 2 and opens it: the board follows, live.
        control.get_by_role("button", name="Suivante →").click()
        expect(control.locator(".current-activity h1")).to_contain_text("Facteurs de changement")
        control.get_by_role("button", name="Ouvrir", exact=True).click()
        expect(control.locator(".current-activity h1 .badge")).to_have_attribute("data-state", "open")
        expect(board.locator(".board-title")).to_have_text("Facteurs de changement")
        expect(board.locator(".board-step .badge")).to_have_text("ouverte")
        assert_same_page(board)

        # 2. Two phones join with the code and post, each in its sub-group and category.
        ctx_a, phone_a = phone_page(browser, watch, "phone A", PHONE_A)
        ctx_b, phone_b = phone_page(browser, watch, "phone B", PHONE_B)
        contexts += [ctx_a, ctx_b]
        # Phone A types the address shown on the projector, phone B the server's address.
        shown = board.locator(".join-url").inner_text().strip()
        join(phone_a, server, code, "Awa Diallo", shots, "phone-a", start=f"http://{shown}")
        join(phone_b, server, code.lower(), "", None)  # typed in lower case, anonymous
        expect(phone_b).to_have_url(f"{server.url}/p/{code}")
        expect(board.locator("#board-presence strong")).to_have_text("2")
        mark_page(phone_a)
        mark_page(phone_b)
        activity = activity_id(phone_a)

        text_a = "La fibre arrive dans toutes les communes d'ici 2030"
        text_b1 = "Des démarches administratives 100 % en ligne"
        fill_postit(phone_a, text_a, "Groupe 1", "technologique")
        phone_a.screenshot(path=shots / "phone-a-3-posting.png")
        phone_a.get_by_role("button", name="Envoyer").click()
        expect(my_note(phone_a, text_a)).to_contain_text("✓ envoyé")
        expect(phone_a.locator(".step-line")).to_contain_text("· Groupe 1")  # chosen with the post
        post(phone_b, text_b1, "Groupe 2", "réglementaire")
        phone_a.screenshot(path=shots / "phone-a-4-sent.png")
        phone_b.screenshot(path=shots / "phone-b-1-sent.png")

        # 3. The board shows both, live, without reloading.
        expect(board_note(board, text_a)).to_be_visible()
        expect(board_note(board, text_b1)).to_be_visible()
        expect(board_note(board, text_a)).to_contain_text("Groupe 1")
        column_b1 = board.locator("#board-main .column", has=board.locator(".note", has_text=text_b1))
        expect(column_b1.locator(".column-title")).to_contain_text("réglementaire")
        assert_same_page(board)

        # A screen refresh pushed while a participant is choosing keeps their choices.
        fill_postit(phone_a, "Un choix en cours", "Groupe 3", "social")
        seen = pushes(phone_a)
        control.locator(".steps li.current button.step").click()  # goto the current step: a push
        wait_for_push(phone_a, seen)
        expect(phone_a.get_by_label("Votre sous-groupe")).to_have_value(
            phone_a.get_by_label("Votre sous-groupe").locator("option", has_text="Groupe 3")
            .get_attribute("value"))
        expect(phone_a.locator("label.chip", has_text="social").locator("input")).to_be_checked()
        expect(phone_a.get_by_label("Votre post-it")).to_have_value("Un choix en cours")
        phone_a.get_by_label("Votre post-it").fill("")

        # 4. Phone B loses its connection: the post waits, then goes once the network is back.
        text_b2 = "Les usagers éloignés du numérique restent nombreux"
        ctx_b.set_offline(True)
        expect(phone_b.locator("[data-conn-status]")).to_contain_text("connexion perdue")
        fill_postit(phone_b, text_b2, "Groupe 2", "social")
        phone_b.get_by_role("button", name="Envoyer").click()
        pending = my_note(phone_b, text_b2)
        expect(pending).to_contain_text("hors ligne")
        expect(pending).not_to_contain_text("envoyé")
        expect(pending).to_have_class(re.compile(r"\bpending\b"))
        phone_b.screenshot(path=shots / "phone-b-2-offline-pending.png")
        assert rows_with_text(server.database_url, text_b2) == []
        expect(board_note(board, text_b2)).to_have_count(0)

        ctx_b.set_offline(False)
        expect(pending).to_contain_text("✓ envoyé")
        expect(pending).not_to_have_class(re.compile(r"\bpending\b"))
        live(phone_b)
        phone_b.screenshot(path=shots / "phone-b-3-after-reconnect.png")
        expect(board_note(board, text_b2)).to_be_visible()
        assert_same_page(board)
        rows = rows_with_text(server.database_url, text_b2)
        assert len(rows) == 1, rows
        assert rows[0][1] == "social"

        # Reloading the phone keeps its identity and its post-its, each once, nothing pending.
        phone_b.reload()
        expect(phone_b).to_have_url(f"{server.url}/p/{code}")
        live(phone_b)
        expect(my_note(phone_b, text_b1)).to_contain_text("✓ envoyé")
        expect(my_note(phone_b, text_b2)).to_have_count(1)
        expect(my_note(phone_b, text_b2)).to_contain_text("✓ envoyé")
        expect(phone_b.locator("[data-mine] li.pending")).to_have_count(0)
        assert phone_b.evaluate("localStorage.getItem('cap-outbox:' + location.pathname)") in (None, "[]")
        mark_page(phone_b)

        # The projector, at full HD and at 1280×720: everything legible and inside the screen.
        board.screenshot(path=shots / "board-1920x1080.png", animations="disabled")
        assert_fits(board, [".join-code", ".qr", "#board-presence", ".board-title", "#board-main .note"])
        board.set_viewport_size(SMALL_PROJECTOR)
        board.screenshot(path=shots / "board-1280x720.png", animations="disabled")
        assert_fits(board, [".join-code", ".qr", "#board-presence", ".board-title", "#board-main .note"])
        board.set_viewport_size(DESKTOP)

        # 5. Moderation from the control page: hide one, merge two, then the next activity.
        expect(control.locator(".mod-item")).to_have_count(3)
        control.screenshot(path=shots / "control-1-notes.png", full_page=True)
        mark_page(control)

        # "Masquer", its answer held back until the live push of the same change has been applied
        # (a push replacing #ctl-main while a request is in flight): the page stays whole.
        held = {}

        def hold(route) -> None:
            held["response"] = route.fetch()
            held["route"] = route

        control.route("**/f/items/*/hidden", hold)
        control.evaluate("""() => document.addEventListener("htmx:beforeRequest",
                                                          e => { window.__capXhr = e.detail.xhr; })""")
        seen = pushes(control)
        control.locator(".mod-item", has_text=text_a).get_by_role("button", name="Masquer").click()
        wait_for_push(control, seen)
        expect(control.locator(".mod-item", has_text=text_a)).to_have_class(re.compile(r"\bis-hidden\b"))
        held["route"].fulfill(response=held["response"])
        control.wait_for_function("() => window.__capXhr.readyState === 4")  # its load handler ran
        control.unroute("**/f/items/*/hidden")
        expect(control.locator(".mod-item input[type=checkbox]")).to_have_count(3)
        expect(board_note(board, text_a)).to_have_count(0)

        # The selection and the merged text survive a push (a participant posting meanwhile).
        merged_text = "Démarches en ligne et usagers éloignés"
        control.locator(".mod-item", has_text=text_b1).locator("input[type=checkbox]").check()
        control.locator(".mod-item", has_text=text_b2).locator("input[type=checkbox]").check()
        control.get_by_label("Texte du post-it fusionné").fill(merged_text)
        text_a2 = "Les France Services deviennent des tiers-lieux numériques"
        post(phone_a, text_a2, "Groupe 1", "politique")
        expect(control.locator(".mod-item")).to_have_count(4)
        expect(control.locator(".mod-item input[type=checkbox]")).to_have_count(4)
        expect(control.locator(".mod-item input:checked")).to_have_count(2)
        expect(control.get_by_label("Texte du post-it fusionné")).to_have_value(merged_text)
        control.get_by_role("button", name="Fusionner la sélection").click()
        expect(control.locator(".mod-item", has_text=merged_text)).to_contain_text("Fusion de 2 post-its")
        expect(control.get_by_label("Texte du post-it fusionné")).to_have_value("")
        expect(control.locator(".mod-item input:checked")).to_have_count(0)
        merged = board_note(board, merged_text)
        expect(merged).to_contain_text("× 2")
        expect(board_note(board, text_b1)).to_have_count(0)
        expect(board_note(board, text_b2)).to_have_count(0)
        expect(board_note(board, text_a2)).to_be_visible()
        expect(board.locator("#board-main .note")).to_have_count(2)
        assert_same_page(board)
        assert_same_page(control)
        board.screenshot(path=shots / "board-2-after-moderation.png", animations="disabled")
        control.screenshot(path=shots / "control-2-after-moderation.png", full_page=True)

        control.get_by_role("button", name="Suivante →").click()
        expect(control.locator(".current-activity h1")).to_contain_text("Facteurs d'inertie")
        for phone in (phone_a, phone_b):
            expect(phone.locator("#p-activity h1")).to_have_text("Facteurs d'inertie")
            expect(phone.locator("#p-activity")).to_contain_text("l'animateur va ouvrir cette activité")
            assert activity_id(phone) != activity
            assert_same_page(phone)
        expect(board.locator(".board-title")).to_have_text("Facteurs d'inertie")
        assert_same_page(board)
        phone_a.screenshot(path=shots / "phone-a-5-next-activity.png")

        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)


# ---------------------------------------------------------------- untrusted text


def test_participant_text_stays_inert_on_every_screen(browser, server, facilitator_email, shots):
    fac = Facilitator(server.url, facilitator_email)
    workshop = fac.create_workshop(title="Atelier XSS")
    fac.open_postits(workshop["id"])
    watch = Watch()
    contexts = []
    try:
        ctx, board = desktop_page(browser, watch, "board")
        contexts.append(ctx)
        board.goto(f"{server.url}/b/{workshop['board_key']}")
        live(board)
        mark_page(board)

        ctx_p, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx_p)
        join(phone, server, workshop["code"], '"><script>alert(3)</script>')

        # Shown while pending (built by app.js), then as stored (rendered by the server).
        ctx_p.set_offline(True)
        fill_postit(phone, XSS, "Groupe 4", "politique")
        phone.get_by_role("button", name="Envoyer").click()
        expect(phone.locator("[data-mine] li.pending .note-text")).to_have_text(XSS)
        ctx_p.set_offline(False)
        expect(phone.locator("[data-mine] li:not(.pending) .note-text")).to_have_text(XSS)
        expect(phone.locator("[data-mine] li")).to_contain_text("✓ envoyé")

        note = board.locator("#board-main .note .note-text")
        expect(note).to_have_count(1)
        assert note.text_content() == XSS
        assert "<script>" in board.locator("#board-main").text_content()
        assert_same_page(board)

        control_ctx, control = desktop_page(browser, watch, "control")
        contexts.append(control_ctx)
        login(control, server, facilitator_email)
        control.goto(f"{server.url}/f/workshops/{workshop['id']}")
        live(control)
        expect(control.locator(".mod-item .note-text")).to_have_text(XSS)

        phone.reload()
        live(phone)
        expect(phone.locator("[data-mine] li .note-text")).to_have_text(XSS)

        for name, page in (("board", board), ("control", control), ("phone", phone)):
            for selector in ('img[src="x"]', "b[hx-get]", "main script", "#board-main script"):
                assert page.locator(selector).count() == 0, f"{name}: {selector} made it into the DOM"
        board.screenshot(path=shots / "xss-board.png", animations="disabled")
        phone.screenshot(path=shots / "xss-phone.png")
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)


# ---------------------------------------------------------------- the projector, stressed


def test_board_fits_the_projector_with_a_wide_code_and_many_notes(browser, server, facilitator_email,
                                                                   shots):
    fac = Facilitator(server.url, facilitator_email)
    title = "Feuille de route d'inclusion numérique de la communauté de communes"
    workshop = fac.create_workshop(title=title)
    activity = fac.open_postits(workshop["id"])
    engine = create_engine(server.database_url)
    with engine.begin() as conn:  # the widest letters of the alphabet, six times
        conn.execute(text("UPDATE workshop SET join_code = 'WMWMWM' WHERE id = :id"), {"id": workshop["id"]})
    engine.dispose()
    watch = Watch()
    contexts = []
    try:
        ctx, board = desktop_page(browser, watch, "board")
        contexts.append(ctx)
        board.goto(f"{server.url}/b/{workshop['board_key']}")
        live(board)
        expect(board.locator("[data-join-code]")).to_have_text("WMWMWM")
        mark_page(board)

        phone = Participant(server.url, "WMWMWM")
        group = phone.first_group_id()
        long_word = "Anticonstitutionnellement-intercommunalité"
        for n in range(14):
            body = f"Facteur {n + 1} : " + ("médiation numérique itinérante " * (1 + n % 4)).strip()
            assert phone.post(activity, body, category="social", group_id=group).status_code == 201
        assert phone.post(activity, long_word, category="environnemental", group_id=group).status_code == 201
        expect(board.locator("#board-main .note")).to_have_count(15)
        assert_same_page(board)

        for size in (DESKTOP, SMALL_PROJECTOR):
            board.set_viewport_size(size)
            board.screenshot(path=shots / f"board-busy-{size['width']}x{size['height']}.png",
                             animations="disabled")
            assert_fits(board, [".join-code", ".qr", "#board-presence", ".board-title", ".column-title"])
            # The busy column shows its newest note, whole, in letters still readable from afar.
            assert_fits(board, ['#board-main .note:has-text("Facteur 14 :")'])
            font = board.locator(".note", has_text="Facteur 14 :").evaluate(
                "e => parseFloat(getComputedStyle(e).fontSize)")
            assert font >= 0.011 * size["height"], f"notes shrank to {font}px at {size}"
            # A long word wraps inside its note rather than spilling over the next column.
            overflow = board.locator(".note", has_text=long_word).evaluate(
                "e => e.scrollWidth - e.clientWidth")
            assert overflow <= 0, f"a long word overflows its note by {overflow}px at {size}"
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
