"""The facilitator's list of post-its, sorted by category and filtered by a word (accents and case
aside), in Debian's chromium: the choice survives the pushes that re-render the list, a note
ticked for a merge stays shown, and the merge still takes what is ticked."""

import sys

import pytest

from tests.browser.live_workshop import (
    control_with_notes,
    kinds_server,  # noqa: F401 (a fixture)
)
from tests.browser.test_live_browser import (
    Watch,
    close_all,
    expect,
)

pytestmark = pytest.mark.browser

NOTES = [("Des bus jusqu'aux France Services", "social"), ("Former les élus", "économique"),
         ("Un BUS numérique itinérant", "économique"), ("Ouvrir les médiathèques le samedi", "social"),
         ("Former les aidants", "social")]


def test_the_list_is_sorted_and_filtered_across_pushes(browser, kinds_server, shots):  # noqa: F811
    server = kinds_server
    watch, contexts = Watch(), []
    try:
        room = control_with_notes(browser, watch, contexts, server, NOTES)
        phone, group, notes, control = room.phone, room.group, room.activity, room.control
        texts = control.locator(".mod-item:visible .note-text")
        expect(texts).to_have_text([t for t, _ in NOTES])

        control.get_by_label("Trier", exact=True).select_option("category")
        expect(texts).to_have_text([NOTES[1][0], NOTES[2][0], NOTES[0][0], NOTES[3][0], NOTES[4][0]])
        control.get_by_label("Filtrer", exact=True).fill("bús")
        expect(texts).to_have_text([NOTES[2][0], NOTES[0][0]])
        expect(control.locator("[data-mod-count]")).to_have_text("2 sur 5")

        # A new note arrives: the list is re-rendered by a push, the filter and the sort hold.
        control.locator(".mod-item", has_text=NOTES[2][0]).get_by_role("checkbox").check()
        r = phone.post(notes, "Une navette BUS le mardi", category="économique", group_id=group)
        assert r.status_code == 201
        expect(texts).to_have_text([NOTES[2][0], "Une navette BUS le mardi", NOTES[0][0]])
        expect(control.get_by_label("Filtrer", exact=True)).to_have_value("bús")
        control.screenshot(path=shots / "moderation-filtered.png", full_page=True)

        # A ticked note stays shown when the filter no longer matches it; the merge takes it.
        control.get_by_label("Filtrer", exact=True).fill("former")
        expect(texts).to_have_text([NOTES[1][0], NOTES[2][0], NOTES[4][0]])
        control.locator(".mod-item", has_text=NOTES[1][0]).get_by_role("checkbox").check()
        control.get_by_label("Filtrer", exact=True).fill("")
        control.get_by_role("button", name="Fusionner la sélection").click()
        expect(control.locator(".mod-item .provenance summary")).to_have_text(["Fusion de 2 post-its"])
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
