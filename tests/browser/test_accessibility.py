"""Accessibility of every page, in Debian chromium driven by Playwright against a real server.

axe-core (tests/browser/vendor, never served by the app) runs in each page state with the rules
tagged wcag2a, wcag2aa, wcag21a, wcag21aa and best-practice: no violation of any impact is
allowed. The states: the public pages, the participant's phone, the board and the control page
for each activity kind open then revealed, the facilitator's pages and the roadmap editor.

Beside axe: the focus ring's contrast against the page (WCAG relative luminance), a skip link and
a <main> on each page, participant pages at 320 px and at 200 % text without sideways scroll,
touch targets of at least 44 px on the phone and for the export links, the declaration
/accessibilite and its link from every page. Screenshots: artifacts/screenshots/a11y-*.png.
"""

import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.test_live_browser import MOBILE_UA, expect, login
from tests.support import Facilitator, Participant, create_facilitator, run_server, sql

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
BOARD = {"width": 1280, "height": 720}

ENJEUX = ["Former et outiller les professionnels", "Mieux équiper les lieux et/ou les publics",
          "Sensibiliser les publics à l'inclusion numérique"]
FACTORS = ["Télétravail et tiers-lieux", "Vieillissement de la population", "Couverture en fibre"]
TEMPLATE = f"""\
title: Atelier pour tout le monde
activities:
  - kind: text
    title: Bienvenue
    body: Un atelier où chacun participe, depuis son téléphone ou sur papier.
  - kind: postits
    title: Les publics éloignés du numérique
    prompt: Un public par post-it.
    categories: [social, technologique]
  - kind: poll
    title: La visibilité
    prompt: Les publics connaissent-ils les lieux d'accompagnement ?
    scale: oui-non-moyennement
  - kind: rating
    title: Impact et maîtrise des facteurs
    items: [{", ".join(FACTORS)}]
  - kind: ranking
    title: Classez les enjeux
    items: [{", ".join(ENJEUX)}]
    method: borda
    keep: 2
  - kind: table
    title: Les chantiers clés
    sections: ["{ENJEUX[0]}", "{ENJEUX[1]}"]
  - kind: resources
    title: Les ressources du chantier
    chantier: Former les aidants numériques
"""
KINDS = ["text", "postits", "poll", "rating", "ranking", "table", "resources"]
VIEWS = ["phone", "board", "control"]
STATES = ([("text", "open", view) for view in VIEWS]
          + [(kind, state, view) for kind in KINDS[1:] for state in ("open", "revealed") for view in VIEWS])
PAGES = ["home", "join", "join-tokens", "login", "workshops", "roadmaps", "roadmap", "confidentialite",
         "mentions-legales", "accessibilite"]


@dataclass
class Room:
    """One server and one workshop for the module, moved from state to state by the tests."""

    url: str
    database_url: str
    fac: Facilitator
    ws: dict
    tokens_code: str
    roadmap: int
    phone: object
    desk: object
    board: object
    states: dict[int, str] = field(default_factory=dict)

    def activity(self, kind: str) -> int:
        (row,) = sql(self.database_url, "SELECT id FROM activity WHERE workshop_id = :w AND position = :p",
                     w=self.ws["id"], p=KINDS.index(kind))
        return row[0]

    def show(self, kind: str, state: str) -> None:
        """The workshop on this kind's activity, in this state (open seeds a few contributions)."""
        position = KINDS.index(kind)
        assert self.fac.goto(self.ws["id"], position).status_code == 200
        activity_id = self.activity(kind)
        path = {"open": ["open"], "revealed": ["closed", "revealed"]}[state] if kind != "text" else []
        for step in path:
            if self.states.get(activity_id, "draft") == state:
                break
            if self.states.get(activity_id) == step:
                continue
            assert self.fac.set_state(activity_id, step).status_code == 200
            self.states[activity_id] = step
            if step == "open":
                self.contribute(kind, activity_id)

    def contribute(self, kind: str, activity_id: int) -> None:
        items = [r[0] for r in sql(self.database_url, "SELECT id FROM item WHERE activity_id = :a ORDER BY id",
                                   a=activity_id)]
        for n in range(3):
            p = Participant(self.url, self.ws["code"], name=f"Participant {n}")
            key = secrets.token_hex(12)
            if kind == "postits":
                r = p.post(activity_id, f"Les personnes âgées isolées, idée {n}", category="social")
            elif kind == "poll":
                r = p.client.post(f"/p/{p.code}/activities/{activity_id}/vote", data={"choice": str(n)})
            elif kind == "rating":
                for item in items:
                    for axis in ("impact", "maitrise"):
                        r = p.client.post(f"/p/{p.code}/activities/{activity_id}/rate",
                                          data={"item": str(item), "axis": axis, "value": str(1 + (item + n) % 4)})
                        assert r.status_code in (200, 201), r.text
            elif kind == "ranking":
                order = items[n:] + items[:n]
                r = p.client.post(f"/p/{p.code}/activities/{activity_id}/ranking",
                                  data={"ballot": ",".join(map(str, order)), "idempotency_key": key})
            elif kind == "table":
                r = p.client.post(f"/p/{p.code}/activities/{activity_id}/rows",
                                  data={"section": str(n % 2), "idempotency_key": key,
                                        "cell_title": f"Un chantier de formation n° {n}"})
            else:
                r = p.client.post(f"/p/{p.code}/activities/{activity_id}/resources",
                                  data={"text": f"Médiathèque {n}", "category": "partenaires de projet",
                                        "state": "aucune", "idempotency_key": key})
            assert r.status_code in (200, 201), r.text


@pytest.fixture(scope="module")
def room(browser, migrated_sqlite, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("a11y")
    folder = tmp / "sessions"
    folder.mkdir()
    (folder / "pour-tous.yaml").write_text(TEMPLATE, encoding="utf-8")
    database = tmp / "test.db"
    shutil.copyfile(migrated_sqlite, database)
    with run_server(f"sqlite:///{database}", tmp, extra_env={"SESSIONS_DIR": str(folder)}) as srv:
        email = create_facilitator(srv.database_url)
        fac = Facilitator(srv.url, email)
        ws = fac.create_workshop("pour-tous")
        tokens = fac.create_workshop("pour-tous", title="Atelier à jetons")
        assert fac.client.post(f"/f/workshops/{tokens['id']}/jetons/option",
                               data={"actif": "oui"}).status_code == 303
        contexts = [browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                        user_agent=MOBILE_UA, locale="fr-FR"),
                    browser.new_context(viewport=DESKTOP, locale="fr-FR"),
                    browser.new_context(viewport=BOARD, locale="fr-FR")]
        for context in contexts:
            context.set_default_timeout(10_000)
            # Injected by the DevTools protocol, before the page's own scripts: the app's
            # Content-Security-Policy (script-src 'self') still holds for everything else.
            context.add_init_script(path=str(AXE))
        phone, desk, board = (context.new_page() for context in contexts)
        login(desk, srv, email)
        roadmap = create_roadmap(desk, srv.url)
        try:
            yield Room(srv.url, srv.database_url, fac, ws, tokens["code"], roadmap, phone, desk, board)
        finally:
            for context in contexts:
                context.close()


def audit(page, shots: Path, name: str) -> None:
    """No axe violation on the page as it is now; a screenshot for a human look."""
    page.screenshot(path=shots / f"a11y-{name}.png", full_page=True)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    problems = [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
                    f"    {n['target']}: {n['failureSummary']}" for n in v["nodes"][:6])
                for v in result["violations"]]
    assert not problems, f"{name}: {len(problems)} axe violation(s)\n" + "\n".join(problems)


def create_roadmap(page, url: str) -> int:
    page.goto(f"{url}/f/roadmaps")
    page.get_by_label("Nom", exact=True).fill("Feuille de route du Grand Périgueux")
    page.get_by_label("Nom du territoire").fill("Grand Périgueux")
    page.get_by_label("Type").select_option("epci")
    page.get_by_label("Code INSEE ou SIREN").fill("200040392")
    page.get_by_label("Périmètre").select_option("groupementsDeCommunes")
    page.get_by_role("button", name="Créer la feuille de route").click()
    expect(page).to_have_url(re.compile(r"/f/roadmaps/\d+$"))
    for n, question in enumerate(ENJEUX[:2], start=1):
        page.get_by_label("Nouvel enjeu").fill(question)
        page.get_by_role("button", name="Ajouter l'enjeu").click()
        expect(page.locator("#list-enjeux .rdm-item")).to_have_count(n)
    return int(page.url.rsplit("/", 1)[1])


def open_page(room: Room, name: str):
    """The page named in PAGES, loaded in the browser context that shows it."""
    target = {"home": (room.phone, "/"), "join": (room.phone, f"/j/{room.ws['code']}"),
              "join-tokens": (room.phone, f"/j/{room.tokens_code}"), "login": (room.board, "/login"),
              "workshops": (room.desk, "/f"), "roadmaps": (room.desk, "/f/roadmaps"),
              "roadmap": (room.desk, f"/f/roadmaps/{room.roadmap}"),
              "confidentialite": (room.phone, "/confidentialite"),
              "mentions-legales": (room.phone, "/mentions-legales"),
              "accessibilite": (room.phone, "/accessibilite")}
    page, path = target[name]
    response = page.goto(room.url + path)
    assert response.status == 200, f"{path}: {response.status}"
    return page


def open_view(room: Room, kind: str, state: str, view: str):
    """The phone, board or control page of the workshop with `kind` shown in `state`."""
    room.show(kind, state)
    if view == "phone":
        page = room.phone
        if not room.phone.url.endswith(f"/p/{room.ws['code']}"):
            page.goto(f"{room.url}/j/{room.ws['code']}")
            page.get_by_role("button", name="Participer").click()
        page.goto(f"{room.url}/p/{room.ws['code']}")
        expect(page.locator("#p-activity")).to_have_attribute("data-activity", str(room.activity(kind)))
    elif view == "board":
        page = room.board
        page.goto(f"{room.url}/b/{room.ws['board_key']}")
    else:
        page = room.desk
        page.goto(f"{room.url}/f/workshops/{room.ws['id']}")
    expect(page.locator("[data-conn-status]")).to_have_text("en direct")
    return page


# ---------------------------------------------------------------- axe on every page state


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violation(room, shots, name):
    audit(open_page(room, name), shots, name)


@pytest.mark.parametrize(("kind", "state", "view"), STATES, ids=["-".join(s) for s in STATES])
def test_workshop_view_has_no_axe_violation(room, shots, kind, state, view):
    audit(open_view(room, kind, state, view), shots, f"{view}-{kind}-{state}")
