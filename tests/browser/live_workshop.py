"""A workshop with one activity of every kind a phone shows, for the focus, announcement and draft
tests (tests/browser/test_focus_browser.py, test_announcements_browser.py, test_drafts_browser.py)."""

from typing import Any, NamedTuple

import pytest

from tests.browser.test_live_browser import DESKTOP, desktop_page, expect, live, login
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

TEMPLATE = """\
title: Atelier clavier
groups: [Groupe 1, Groupe 2]
activities:
  - kind: postits
    id: idees
    title: Vos idées
    categories: [social, économique]
    use_groups: true
  - kind: poll
    title: Quel scénario ?
    prompt: >-
      Trois ans de travail attendent le territoire : une feuille de route départementale seule,
      ou des feuilles de route par bassin de vie, portées par les intercommunalités et suivies
      ensemble chaque année. Lisez les deux scénarios affichés, discutez-en avec vos voisins,
      puis votez pour celui qui vous semble le plus juste pour les habitants.
    options: [Le premier, Le second]
  - kind: rating
    title: Notez les facteurs
    items: [La fibre partout, Moins de guichets, Des aidants formés]
  - kind: ranking
    title: Classez les enjeux
    items: [Former, Équiper, Accompagner]
    method: borda
    keep: 2
  - kind: table
    title: Les chantiers
    sections: [Former les aidants]
    target_rows: 2
  - kind: resources
    title: Les ressources
    chantier: Former les aidants
    categories: [partenaires, outils]
  - kind: text
    title: Et maintenant ?
    body: Merci à toutes et à tous.
"""
POSTITS, POLL, RATING, RANKING, TABLE, RESOURCES, TEXT = range(7)
WORKSHOP = "Atelier clavier"


@pytest.fixture
def kinds_server(database_url, tmp_path):
    sessions = catalog(tmp_path, {"atelier-clavier": TEMPLATE})
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        yield srv


def new_workshop(server) -> tuple[Facilitator, dict]:
    """A facilitator of her own on `server`, and her workshop of every kind (the template above)."""
    fac = Facilitator(server.url, create_facilitator(server.database_url))
    return fac, fac.create_workshop("atelier-clavier")


class NotesRoom(NamedTuple):
    fac: Facilitator
    ws: dict
    activity: int
    phone: Participant
    group: int
    control: Any


def control_with_notes(browser, watch, contexts: list, server, notes: list[tuple[str, str]],
                       close: bool = False, viewport: dict = DESKTOP) -> NotesRoom:
    """A facilitator's workshop (the template above) on its post-its, `notes` ((text, category))
    posted by one phone of the first sub-group, the activity closed if `close`; her control page
    open and live."""
    fac, ws = new_workshop(server)
    activity = fac.open_postits(ws["id"], POSTITS)
    phone = Participant(server.url, ws["code"])
    group = phone.first_group_id()
    for text, category in notes:
        assert phone.post(activity, text, category=category, group_id=group).status_code == 201
    if close:
        assert fac.set_state(activity, "closed").status_code == 200
    ctx, control = desktop_page(browser, watch, "control", viewport)
    contexts.append(ctx)
    login(control, server, fac.email)
    control.goto(f"{server.url}/f/workshops/{ws['id']}")
    live(control)
    return NotesRoom(fac, ws, activity, phone, group, control)


def join(page, server, code: str, name: str) -> None:
    page.goto(f"{server.url}/j/{code}")
    page.get_by_label("Prénom et nom").fill(name)
    page.get_by_role("button", name="Participer").click()
    expect(page).to_have_url(f"{server.url}/p/{code}")
    live(page)


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is on an element matching `selector`."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached with Tab")
