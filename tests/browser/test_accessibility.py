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
NARROW = {"width": 320, "height": 640}

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
PAGES = ["home", "join", "join-tokens", "login", "workshops", "roadmaps", "roadmap", "chantier",
         "confidentialite", "mentions-legales", "accessibilite", "restitution"]


@dataclass
class Room:
    """One server and one workshop for the module, moved from state to state by the tests."""

    url: str
    database_url: str
    fac: Facilitator
    ws: dict
    tokens_code: str
    restitution: str
    roadmap: int
    phone: object
    desk: object
    board: object
    narrow: object
    states: dict[int, str] = field(default_factory=dict)

    def activity(self, kind: str) -> int:
        (row,) = sql(self.database_url, "SELECT id FROM activity WHERE workshop_id = :w AND position = :p",
                     w=self.ws["id"], p=KINDS.index(kind))
        return row[0]

    def show(self, kind: str, state: str) -> None:
        """The workshop on this kind's activity, in this state (first opened: a few contributions)."""
        assert self.fac.goto(self.ws["id"], KINDS.index(kind)).status_code == 200
        if kind == "text":
            return
        activity_id = self.activity(kind)
        current = self.states.get(activity_id, "draft")
        path = {("draft", "open"): ["open"], ("draft", "revealed"): ["open", "closed", "revealed"],
                ("open", "revealed"): ["closed", "revealed"], ("revealed", "open"): ["closed", "open"]}
        for step in path.get((current, state), []):
            assert self.fac.set_state(activity_id, step).status_code == 200
            if current == "draft" and step == "open":
                self.contribute(kind, activity_id)
        self.states[activity_id] = state

    def contribute(self, kind: str, activity_id: int) -> None:
        query = "SELECT id FROM item WHERE activity_id = :a ORDER BY id"
        items = [r[0] for r in sql(self.database_url, query, a=activity_id)]
        for n in range(3):
            p = Participant(self.url, self.ws["code"], name=f"Participant {n}")
            key = secrets.token_hex(12)
            if kind == "postits":
                r = p.post(activity_id, f"Les personnes âgées isolées, idée {n}", category="social")
            elif kind == "poll":
                r = p.client.post(f"/p/{p.code}/activities/{activity_id}/vote",
                                  data={"choice": str(n)})
            elif kind == "rating":
                for item in items:
                    for axis in ("impact", "maitrise"):
                        value = str(1 + (item + n) % 4)
                        r = p.client.post(f"/p/{p.code}/activities/{activity_id}/rate",
                                          data={"item": str(item), "axis": axis, "value": value})
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
        shown = fac.create_workshop("pour-tous", title="Atelier restitué")
        assert fac.client.post(f"/f/workshops/{shown['id']}/restitution",
                               data={"publier": "oui"}).status_code == 303
        (restitution,), = sql(srv.database_url, "SELECT restitution_key FROM workshop WHERE id = :w",
                              w=shown["id"])
        contexts = [browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                        user_agent=MOBILE_UA, locale="fr-FR"),
                    browser.new_context(viewport=DESKTOP, locale="fr-FR"),
                    browser.new_context(viewport=BOARD, locale="fr-FR"),
                    browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True,
                                        device_scale_factor=2, user_agent=MOBILE_UA, locale="fr-FR",
                                        reduced_motion="reduce")]
        for context in contexts:
            context.set_default_timeout(10_000)
            # Injected by the DevTools protocol, before the page's own scripts: the app's
            # Content-Security-Policy (script-src 'self') still holds for everything else.
            context.add_init_script(path=str(AXE))
        phone, desk, board, narrow = (context.new_page() for context in contexts)
        login(desk, srv, email)
        roadmap = create_roadmap(desk, srv.url)
        try:
            yield Room(srv.url, srv.database_url, fac, ws, tokens["code"], restitution, roadmap, phone,
                       desk, board, narrow)
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
    # A chantier, for its fiche (the roadmap editor's other page), on the page loaded afresh: the
    # enjeux' swaps re-render the chantiers' part too, which could take a half-typed title away.
    page.reload()
    title = page.get_by_label(re.compile("^Nouveau chantier")).first
    title.fill("Former les aidants numériques")
    page.locator("form", has=title).get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("link", name="ouvrir la fiche chantier")).to_have_count(1)
    return int(page.url.rsplit("/", 1)[1])


def chantier_path(room: Room) -> str:
    (chantier,), = sql(room.database_url, "SELECT id FROM chantier WHERE roadmap_id = :r", r=room.roadmap)
    return f"/f/roadmaps/{room.roadmap}/chantiers/{chantier}"


def open_page(room: Room, name: str, page=None):
    """The page named in PAGES, loaded in the browser context that shows it (or in `page`)."""
    target = {"home": (room.phone, "/"), "join": (room.phone, f"/j/{room.ws['code']}"),
              "join-tokens": (room.phone, f"/j/{room.tokens_code}"), "login": (room.board, "/login"),
              "workshops": (room.desk, "/f"), "roadmaps": (room.desk, "/f/roadmaps"),
              "roadmap": (room.desk, f"/f/roadmaps/{room.roadmap}"),
              "chantier": (room.desk, chantier_path(room)),
              "confidentialite": (room.phone, "/confidentialite"),
              "mentions-legales": (room.phone, "/mentions-legales"),
              "accessibilite": (room.phone, "/accessibilite"),
              "restitution": (room.phone, f"/r/{room.restitution}")}
    shown_in, path = target[name]
    page = page or shown_in
    response = page.goto(room.url + path)
    assert response.status == 200, f"{path}: {response.status}"
    return page


def open_phone(room: Room, page, kind: str):
    """The participant's page on this phone (joining first if needed), showing `kind`."""
    page.goto(f"{room.url}/p/{room.ws['code']}")
    if not page.url.endswith(f"/p/{room.ws['code']}"):  # not joined yet: sent to the join page
        page.get_by_role("button", name="Participer").click()
        expect(page).to_have_url(f"{room.url}/p/{room.ws['code']}")
        # Joined without leaving the join page; audited as every later visit opens it.
        expect(page.locator("[data-conn-status]")).to_have_text("en direct")
        page.reload()
    expect(page.locator("#p-activity")).to_have_attribute("data-activity", str(room.activity(kind)))
    expect(page.locator("[data-conn-status]")).to_have_text("en direct")
    return page


def open_view(room: Room, kind: str, state: str, view: str):
    """The phone, board or control page of the workshop with `kind` shown in `state`."""
    room.show(kind, state)
    if view == "phone":
        return open_phone(room, room.phone, kind)
    if view == "board":
        page = room.board
        page.goto(f"{room.url}/b/{room.ws['board_key']}")
    else:
        page = room.desk
        page.goto(f"{room.url}/f/workshops/{room.ws['id']}")
    expect(page.locator("[data-conn-status]")).to_have_text("en direct")
    return page


# ---------------------------------------------------------------- axe on every page state


@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible(room, shots, name):
    page = open_page(room, name)
    audit(page, shots, name)
    assert_skip_link_main_and_footer(page)


@pytest.mark.parametrize(("kind", "state", "view"), STATES, ids=["-".join(s) for s in STATES])
def test_workshop_view_is_accessible(room, shots, kind, state, view):
    page = open_view(room, kind, state, view)
    audit(page, shots, f"{view}-{kind}-{state}")
    assert_skip_link_main_and_footer(page)


def assert_skip_link_main_and_footer(page) -> None:
    """The first Tab reaches « Aller au contenu », which leads to the page's one <main>; the
    footer links to the accessibility statement."""
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Aller au contenu")
    expect(skip).to_be_in_viewport()
    target = skip.get_attribute("href")
    assert page.locator("main").count() == 1
    assert page.locator(f"main{target}").count() == 1, f"the skip link's {target} is not the <main>"
    expect(page.locator("footer a[href='/accessibilite']")).to_be_visible()


# ---------------------------------------------------------------- focus ring

# The colour behind an element: its ancestors' backgrounds, composited from the first opaque one.
BACKDROP_JS = """el => {
    const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
        const [r, g, b, a = 1] = parse(getComputedStyle(e).backgroundColor);
        if (a > 0) layers.push([r, g, b, a]);
        if (a === 1) break;
    }
    let [r, g, b] = [255, 255, 255];
    for (const [lr, lg, lb, la] of layers.reverse()) {
        [r, g, b] = [lr * la + r * (1 - la), lg * la + g * (1 - la), lb * la + b * (1 - la)];
    }
    return [r, g, b];
}"""
# The focused element's ring (a visually hidden radio's ring is drawn on the label after it).
RING_JS = """() => {
    let el = document.activeElement;
    if (getComputedStyle(el).outlineStyle === "none" && el.nextElementSibling) el = el.nextElementSibling;
    const s = getComputedStyle(el);
    const name = (document.activeElement.getAttribute("aria-label") || document.activeElement.textContent
                  || document.activeElement.name || "").trim().slice(0, 50);
    return {name: document.activeElement.tagName + " " + name, style: s.outlineStyle,
            width: parseFloat(s.outlineWidth), color: (s.outlineColor.match(/[\\d.]+/g) || []).map(Number),
            backdrop: (BACKDROP)(el.parentElement)};
}""".replace("BACKDROP", BACKDROP_JS)


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula():
    assert round(contrast([0, 0, 0], [255, 255, 255]), 1) == 21.0
    assert round(contrast([0x9c, 0xc3, 0xef], [0xf6, 0xf7, 0xf9]), 2) == 1.71  # the old ring


FOCUS_VIEWS = [("home", None), ("join", None), ("workshops", None), ("roadmap", None),
               ("postits", "phone"), ("rating", "phone"), ("ranking", "phone"), ("table", "phone"),
               ("resources", "phone"), ("postits", "control"), ("poll", "board")]


@pytest.mark.parametrize(("name", "view"), FOCUS_VIEWS,
                         ids=[f"{v or 'page'}-{n}" for n, v in FOCUS_VIEWS])
def test_focus_ring_contrasts_with_what_is_behind_it(room, name, view):
    """Tab through the page: each focused control has a ring of at least 2px and 3:1 against
    the colour around it (WCAG 2.1, 1.4.11)."""
    page = open_page(room, name) if view is None else open_view(room, name, "open", view)
    page.locator("body").focus()
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING_JS)
        if ring["name"].startswith("BODY") or ring["name"] in [r["name"] for r in seen]:
            break
        seen.append(ring)
    assert len(seen) >= 2, seen  # the board: the skip link and the declaration's
    for ring in seen:
        assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, ring
        ratio = contrast(ring["color"], ring["backdrop"])
        assert ratio >= 3, f"{ring['name']}: ring {ring['color']} on {ring['backdrop']} is {ratio:.2f}:1"


# ---------------------------------------------------------------- phone: reflow, targets, motion

PHONE_STATES = [("text", "open")] + [(k, s) for k in KINDS[1:] for s in ("open", "revealed")]


@pytest.mark.parametrize(("kind", "state"), PHONE_STATES, ids=["-".join(s) for s in PHONE_STATES])
def test_participant_page_fits_320px_and_200_percent_text(room, shots, kind, state):
    room.show(kind, state)
    assert_reflows(open_phone(room, room.narrow, kind), shots, f"{kind}-{state}")


@pytest.mark.parametrize("name", ["home", "join", "join-tokens", "confidentialite", "accessibilite",
                                  "restitution"])
def test_public_page_fits_320px_and_200_percent_text(room, shots, name):
    assert_reflows(open_page(room, name, room.narrow), shots, name)


def assert_reflows(page, shots: Path, name: str) -> None:
    """No sideways scroll at 320 CSS px, nor once the text is doubled (WCAG 1.4.10 and 1.4.4)."""
    for scale in ("100%", "200%"):
        page.evaluate("size => { document.documentElement.style.fontSize = size; }", scale)
        page.screenshot(path=shots / f"a11y-320-{name}-{scale[:-1]}.png", full_page=True)
        # Against the 320 px asked for: a mobile browser widens innerWidth to a page too wide.
        width = page.viewport_size["width"]
        wider = page.evaluate("""width => [...document.querySelectorAll("body *")]
            .filter(e => e.getClientRects().length && (e.getBoundingClientRect().right > width + 0.5
                                                       || e.scrollWidth > e.clientWidth + 1))
            .slice(0, 5).map(e => e.tagName + "." + e.className)""", width)
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        assert overflow <= 0, f"{name} at {scale}: scrolls sideways by {overflow}px ({wider})"


CONTROLS = "button, a, input:not([type=hidden]), select, textarea, summary"
TARGETS_JS = """(root, selector) => [...root.querySelectorAll(selector)]
    .map(e => ["radio", "checkbox"].includes(e.type) && e.closest("label") ? e.closest("label") : e)
    .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
    // A link inside a sentence of a paragraph is exempt (WCAG 2.5.8): its size is the text's.
    .filter(e => !(e.tagName === "A" && getComputedStyle(e).display === "inline"
                   && e.parentElement.tagName === "P"
                   && e.parentElement.textContent.trim() !== e.textContent.trim()))
    .map(e => { const r = e.getBoundingClientRect();
                return [e.tagName + " " + (e.getAttribute("aria-label") || e.textContent).trim().slice(0, 40),
                        Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; })"""


@pytest.mark.parametrize("kind", KINDS)
def test_participant_controls_are_44px_touch_targets(room, kind):
    room.show(kind, "open")
    page = open_phone(room, room.phone, kind)
    targets = page.locator("body").evaluate(TARGETS_JS, CONTROLS)
    assert targets
    small = [t for t in targets if t[1] < 44 or t[2] < 44]
    assert not small, f"{kind}: targets under 44×44 px: {small}"


@pytest.mark.parametrize("kind", ["ranking", "rating"])
def test_export_links_are_44px_touch_targets(room, kind):
    """The exports box and every download link of the control page (a facilitator on a tablet)."""
    page = open_view(room, kind, "revealed", "control")
    targets = page.locator("body").evaluate(TARGETS_JS, f".exports-box :is({CONTROLS}), a[download]")
    # The report's PDF and DOCX, the enjeux' four formats; the ranking's five or the rating's CSV.
    assert len(targets) >= {"ranking": 11, "rating": 7}[kind], targets
    small = [t for t in targets if t[1] < 44 or t[2] < 44]
    assert not small, f"export links under 44×44 px: {small}"


def test_no_motion_under_reduced_motion(room):
    """Under prefers-reduced-motion: no CSS transition or animation, and SortableJS does not
    animate the ballot's items as they move."""
    room.show("ranking", "open")
    page = open_phone(room, room.narrow, "ranking")
    expect(page.locator(".rk-item").first).to_be_visible()
    page.wait_for_function("document.querySelector('[data-rank-list]').capSortable")
    assert page.evaluate("document.querySelector('[data-rank-list]').capSortable.options.animation") == 0
    moving = page.evaluate("""() => [...document.querySelectorAll("*")].filter(e => {
        const s = getComputedStyle(e);
        return s.animationName !== "none" || s.transitionDuration.split(",").some(d => parseFloat(d) > 0);
    }).map(e => e.tagName + "." + e.className)""")
    assert not moving
    room.show("postits", "open")
    board = open_view(room, "postits", "open", "board")
    assert board.locator(".note").count()
    board.emulate_media(reduced_motion="reduce")
    assert board.evaluate("""() => [...document.querySelectorAll(".note")]
        .every(n => getComputedStyle(n).animationName === "none")""")
    board.emulate_media(reduced_motion="no-preference")


# ---------------------------------------------------------------- the declaration


def test_the_declaration_has_the_rgaa_sections_and_says_what_the_audit_covers(room):
    page = open_page(room, "accessibilite")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    expect(page.get_by_role("heading", level=2)).to_have_text([
        "État de conformité", "Résultats des tests", "Contenus non accessibles",
        "Établissement de cette déclaration", "Retour d'information et contact", "Voies de recours"])
    for heading in ("Non-conformités", "Dérogations pour charge disproportionnée", "Environnement de test",
                    "Technologies utilisées pour la réalisation de Cap Partagé"):
        expect(page.get_by_role("heading", level=3, name=heading)).to_be_visible()
    text = page.locator("main").inner_text()
    assert "partiellement conforme" in text and "RGAA), version 4.1" in text
    assert "Aucun audit RGAA manuel" in text
    # What the page says of the audit is what this module does.
    version = re.match(r"/\*! axe v([\d.]+)", AXE.read_text(encoding="utf-8")).group(1)
    assert f"axe-core {version}" in text
    assert f"sur {len(PAGES) + len(STATES)} états de page" in text
    assert "4 décembre 2026" in text
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in text
    expect(page.get_by_role("link", name="formulaire en ligne")).to_have_attribute(
        "href", "https://formulaire.defenseurdesdroits.fr/")
    expect(page.get_by_role("link", name=re.compile("délégué du Défenseur des droits"))).to_be_visible()
    # Without ACCESSIBILITY_CONTACT nor DPO_CONTACT: the organiser.
    assert "adressez-vous à l'organisateur de l'atelier" in text
