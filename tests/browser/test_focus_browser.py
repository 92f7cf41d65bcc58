"""Focus survives live updates: a keyboard-only walk of every kind a phone shows, and of the
control page (Debian chromium, Playwright, a real server).

After each swap, `document.activeElement` is the control she was on (same id, or the same kind of
control under the same keyed ancestor: the same rating button of the same card, the « Envoyer »
button of the form), or, when that control is gone (a new step, a closed vote), the heading of
the step (`[data-focus-home]`, the step's h1). Pushes driven: a timer start, a moderation (a note
or an item hidden by the facilitator), a renaming of the workshop, the next step, the opening or
closing of an activity; and her own taps and saves (a vote, a rating, a ballot, a table row, a
resource's link)."""

import re

import pytest

from tests.browser.live_workshop import (
    POLL,
    POSTITS,
    RANKING,
    RATING,
    RESOURCES,
    TABLE,
    TEXT,
    kinds_server,  # noqa: F401 (a fixture)
    new_workshop,
    tab_to,
)
from tests.browser.test_live_browser import (
    PHONE_A,
    Watch,
    close_all,
    desktop_page,
    expect,
    live,
    login,
    mark_page,
    phone_page,
    pushes,
    wait_for_push,
)
from tests.support import Participant, sql

pytestmark = pytest.mark.browser

NOTE = "Des bus jusqu'aux France Services"


def pushed(page, action) -> None:
    """Run `action` (the facilitator's request) and wait until the phone has applied a push."""
    before = pushes(page)
    action()
    wait_for_push(page, before)


def heading(page, title: str) -> None:
    """The focus is on the heading of the step."""
    expect(page.locator("#p-activity h1")).to_have_text(title)
    expect(page.locator("#p-activity h1")).to_be_focused()


def item_id(url: str, activity_id: int, body: str) -> int:
    return sql(url, "SELECT id FROM item WHERE activity_id = :a AND text = :t", a=activity_id, t=body)[0][0]


def test_a_keyboard_walk_keeps_the_focus_across_pushes(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch = Watch()
    contexts = []
    try:
        fac, ws = new_workshop(server)
        ids: dict[int, int] = {}
        code = ws["code"]

        def goto(position: int) -> None:
            assert fac.goto(ws["id"], position).status_code == 200
            ids[position] = fac.current_activity_id(ws["id"])

        def open_(position: int) -> None:
            assert fac.set_state(ids[position], "open").status_code == 200

        def timer() -> None:
            assert fac.client.post(f"/f/workshops/{ws['id']}/timer", data={"seconds": 300}).status_code == 200

        def hide(item: int) -> None:
            assert fac.client.post(f"/f/items/{item}/hidden", data={"hidden": "true"}).status_code == 200

        def rename(title: str) -> None:
            answer = fac.client.post(f"/f/workshops/{ws['id']}/rename", data={"title": title})
            assert answer.status_code == 303

        ctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(ctx)
        ids[POSTITS] = fac.open_postits(ws["id"], POSTITS)
        # Joining by keyboard: the join page turns into the step (one round trip, the page kept),
        # and the focus, on « Participer » that is gone, goes to the step's heading.
        phone.goto(f"{server.url}/j/{code}")
        # No « connexion… » bar on the join page: it shows once she has joined.
        expect(phone.locator(".phone-head")).to_be_hidden()
        tab_to(phone, "input[name=name]")
        phone.keyboard.type("Awa Diallo")
        tab_to(phone, "button[type=submit]")
        phone.keyboard.press("Enter")
        live(phone)
        expect(phone).to_have_url(f"{server.url}/p/{code}")
        heading(phone, "Vos idées")
        expect(phone.locator(".phone-head")).to_be_visible()
        mark_page(phone)
        other = Participant(server.url, code, "Bruno")
        group = other.first_group_id()

        # ---- post-its: the text she is typing keeps the focus (and its caret) across pushes.
        phone.locator("#p-activity h1").focus()
        tab_to(phone, "select[name=group_id]")
        phone.keyboard.press("ArrowDown")  # Groupe 1
        tab_to(phone, "input[name=category]")
        phone.keyboard.press("Space")
        tab_to(phone, "textarea[name=text]")
        phone.keyboard.type(NOTE)
        textarea = phone.locator(f"#text-{ids[POSTITS]}")
        pushed(phone, timer)
        expect(textarea).to_be_focused()
        # The workshop renamed: the whole step is re-rendered (its textarea kept, hx-preserve).
        pushed(phone, lambda: rename("Atelier clavier (matin)"))
        expect(textarea).to_be_focused()
        expect(textarea).to_have_value(NOTE)
        assert phone.evaluate("document.activeElement.selectionStart") == len(NOTE)
        phone.keyboard.press("Tab")
        send = phone.get_by_role("button", name="Envoyer")
        expect(send).to_be_focused()
        phone.keyboard.press("Enter")
        expect(phone.locator("[data-mine] li", has_text="Des bus")).to_contain_text("✓ envoyé")
        expect(send).to_be_focused()
        # The facilitator hides her note (her list is re-rendered), then renames the workshop (the
        # whole step is): « Envoyer » keeps the focus.
        pushed(phone, lambda: hide(item_id(server.database_url, ids[POSTITS], NOTE)))
        expect(phone.locator("[data-mine] li", has_text="Des bus")).to_contain_text("masqué par l'animateur")
        expect(send).to_be_focused()
        pushed(phone, lambda: rename("Atelier clavier"))
        expect(send).to_be_focused()
        # The next step: her control is gone, the focus goes to the new step's heading.
        pushed(phone, lambda: goto(POLL))
        heading(phone, "Quel scénario ?")

        # ---- poll: the opening re-renders the step (the heading keeps the focus); her vote.
        pushed(phone, lambda: open_(POLL))
        heading(phone, "Quel scénario ?")
        tab_to(phone, ".poll-option")
        phone.keyboard.press("Tab")
        second = phone.get_by_role("button", name="Le second")
        expect(second).to_be_focused()
        phone.keyboard.press("Enter")
        expect(phone.locator("[data-mine] li")).to_contain_text("✓")
        expect(second).to_be_focused()
        pushed(phone, timer)
        expect(second).to_be_focused()
        # The vote closes: its buttons are gone, the heading takes the focus.
        pushed(phone, lambda: fac.set_state(ids[POLL], "closed"))
        heading(phone, "Quel scénario ?")
        phone.screenshot(path=shots / "focus-phone-1-poll-closed.png")

        # ---- rating: her tap replaces the card (rating.js); the same button keeps the focus.
        pushed(phone, lambda: goto(RATING))
        pushed(phone, lambda: open_(RATING))
        heading(phone, "Notez les facteurs")
        fibre = item_id(server.database_url, ids[RATING], "La fibre partout")
        maitrise = f'#rate-item-{fibre} form[data-rate]:nth-of-type(2)'
        button = f'{maitrise} button[value="3"]'
        # One Tab stop per axis (nothing chosen yet: on its first value); the arrows move and choose.
        tab_to(phone, f'{maitrise} button[value="1"]')
        phone.keyboard.press("ArrowRight")
        phone.keyboard.press("ArrowRight")
        expect(phone.locator(button)).to_have_class(re.compile(r"\bis-chosen\b"))
        expect(phone.locator(f"#rate-item-{fibre} [data-rate-status]")).to_contain_text("enregistré")
        expect(phone.locator(button)).to_be_focused()
        # The facilitator hides another item: the cards are re-rendered, the focus stays.
        pushed(phone, lambda: hide(item_id(server.database_url, ids[RATING], "Moins de guichets")))
        expect(phone.locator(".rate-card")).to_have_count(2)
        expect(phone.locator(button)).to_be_focused()
        phone.screenshot(path=shots / "focus-phone-2-rating.png")
        pushed(phone, lambda: goto(RANKING))
        heading(phone, "Classez les enjeux")

        # ---- ranking: the move buttons of an item keep the focus while the list is re-rendered.
        pushed(phone, lambda: open_(RANKING))
        # Each render draws a new starting order; her draft (one move down) is kept. The item she
        # moved stays first once the one she moved it below is hidden: its ▼ keeps the focus.
        order = phone.locator(".rk-item").evaluate_all("items => items.map(i => i.dataset.id)")
        down = f'.rk-item[data-id="{order[0]}"] button[data-move="1"]'
        tab_to(phone, down)
        phone.keyboard.press("Enter")
        expect(phone.locator(".rk-item").nth(1)).to_have_attribute("data-id", order[0])
        expect(phone.locator(down)).to_be_focused()
        pushed(phone, lambda: hide(int(order[1])))
        expect(phone.locator(".rk-item")).to_have_count(2)
        expect(phone.locator(down)).to_be_focused()
        tab_to(phone, ".rk-submit")
        phone.keyboard.press("Enter")
        expect(phone.locator("[data-saved-ballot]")).to_contain_text("✓ enregistré")
        pushed(phone, timer)
        expect(phone.locator(".rk-submit")).to_be_focused()
        pushed(phone, lambda: goto(TABLE))
        heading(phone, "Les chantiers")

        # ---- table: her save swaps the sheet (htmx), « Enregistrer » keeps the focus.
        pushed(phone, lambda: open_(TABLE))
        tab_to(phone, ".tbl-add")
        phone.keyboard.press("Enter")
        title = phone.get_by_label("Titre du chantier")
        expect(title).to_be_focused()
        phone.keyboard.type("Former les secrétaires de mairie")
        tab_to(phone, "[data-sheet] button[type=submit]")
        phone.keyboard.press("Enter")
        expect(phone.locator("[data-sheet] [data-saved]")).to_contain_text("enregistré")
        expect(phone.locator("[data-sheet] button[type=submit]")).to_be_focused()
        pushed(phone, timer)
        expect(phone.locator("[data-sheet] button[type=submit]")).to_be_focused()
        phone.screenshot(path=shots / "focus-phone-3-table-saved.png")
        pushed(phone, lambda: goto(RESOURCES))
        heading(phone, "Les ressources")

        # ---- resource map: the name she is typing keeps the focus when the step is re-rendered.
        pushed(phone, lambda: open_(RESOURCES))
        tab_to(phone, "input[name=text]")
        phone.keyboard.type("Médiathèque")
        name = phone.locator(f"#rm-name-{ids[RESOURCES]}")
        pushed(phone, timer)
        expect(name).to_be_focused()
        tab_to(phone, "input[name=category]")
        phone.keyboard.press("Space")
        tab_to(phone, ".rm-add-state")
        phone.keyboard.press("Enter")
        expect(phone.locator(f"#mine-{ids[RESOURCES]}")).to_contain_text("Médiathèque")
        pushed(phone, lambda: rename("Atelier clavier"))  # the map shows it now
        resource = phone.locator(".rm-item", has_text="Médiathèque").get_attribute("id")
        link = f'#{resource} button[name=state][aria-pressed="false"]'
        tab_to(phone, link)
        state = phone.evaluate("document.activeElement.value")
        # Her link state: htmx replaces the resource, the button she pressed keeps the focus.
        phone.keyboard.press("Enter")
        expect(phone.locator(f"#{resource} [data-saved]")).to_be_visible()
        expect(phone.locator(f'#{resource} button[value="{state}"]')).to_be_focused()
        pushed(phone, lambda: fac.set_state(ids[RESOURCES], "closed"))
        heading(phone, "Les ressources")
        pushed(phone, lambda: fac.goto(ws["id"], TEXT))

        # ---- text: the heading keeps the focus through a timer start.
        heading(phone, "Et maintenant ?")
        pushed(phone, timer)
        heading(phone, "Et maintenant ?")

        # ---- the control page: its own swaps (htmx) and the pushes keep the button she pressed.
        ctx_c, control = desktop_page(browser, watch, "control")
        contexts.append(ctx_c)
        login(control, server, fac.email)
        control.goto(f"{server.url}/f/workshops/{ws['id']}")
        live(control)
        mark_page(control)
        previous = control.get_by_role("button", name="← Précédente")
        previous.focus()
        control.keyboard.press("Enter")
        expect(control.locator(".current-activity h1")).to_contain_text("Les ressources")
        expect(previous).to_be_focused()
        # A post-it typed in from a phone refreshes the control page's main part.
        pushed(control, lambda: fac.goto(ws["id"], POSTITS))
        expect(control.locator(".current-activity h1")).to_contain_text("Vos idées")
        expect(previous).to_be_disabled()
        expect(control.locator(".current-activity h1")).to_be_focused()
        note = control.locator(".mod-item", has_text=NOTE)
        note.get_by_role("button", name="Afficher").focus()
        control.keyboard.press("Enter")
        expect(note.get_by_role("button", name="Masquer")).to_be_focused()
        assert other.post(ids[POSTITS], "Encore un post-it", group_id=group).status_code == 201
        expect(control.locator(".mod-item", has_text="Encore un post-it")).to_be_visible()
        expect(note.get_by_role("button", name="Masquer")).to_be_focused()
        control.screenshot(path=shots / "focus-control-1-after-push.png")
        watch.check()
    finally:
        close_all(contexts, shots, failed=bool(watch.problems))
