"""The chantier table and the resource map in real browsers (Debian chromium, Playwright).

Table: two phones of one sub-group (390×844 and 360×740) fill and edit the same chantier; the
stale edit is refused and shown with the current version, her text kept; typing survives live
refreshes; the board shows the table growing at 1920×1080 and 1280×720; the facilitator hides a
row. Resource map: built from a phone (name, category, the three link buttons), the board draws
it. Screenshots: artifacts/screenshots/table-*.png and resources-*.png.
"""

import re
import secrets
import sys

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
    live,
    login,
    mark_page,
    phone_page,
    pushes,
    wait_for_push,
)
from tests.support import Facilitator, Participant, catalog, create_facilitator, run_server

pytestmark = pytest.mark.browser


ENJEU_1 = "Comment renforcer l'attractivité du territoire grâce au numérique ?"
ENJEU_2 = "Former et outiller les professionnels"
ENJEU_3 = "Mieux diagnostiquer et orienter les publics"
TEMPLATE = f"""\
title: Identification des chantiers clés
groups: [Groupe 1, Groupe 2, Groupe 3]
activities:
  - kind: table
    id: chantiers
    title: Les chantiers clés de chaque enjeu
    prompt: Pour chaque enjeu prioritaire, proposez 4 à 5 chantiers clés avec votre sous-groupe.
    sections:
      - "{ENJEU_1}"
      - {ENJEU_2}
      - {ENJEU_3}
    target_rows: 4
    use_groups: true
"""


@pytest.fixture
def table_server(database_url, tmp_path):
    sessions = catalog(tmp_path, {"chantiers-navigateur": TEMPLATE})
    with run_server(database_url, tmp_path, extra_env=sessions) as srv:
        yield srv


def join(page, server, code: str, name: str) -> None:
    page.goto(f"{server.url}/j/{code}")
    page.get_by_label("Prénom et nom").fill(name)
    page.get_by_role("button", name="Participer").click()
    expect(page).to_have_url(f"{server.url}/p/{code}")
    live(page)


def table_rows(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT id, cells, version FROM table_row ORDER BY id")))
    finally:
        engine.dispose()


def cells_of(url: str, row_id: int) -> dict:
    import json

    for rid, cells, _version in table_rows(url):
        if rid == row_id:
            return json.loads(cells) if isinstance(cells, str) else cells
    raise AssertionError(f"row {row_id} not stored")


def snap(page, path, **options) -> None:
    """A screenshot that leaves the page as it was: Playwright hides the caret by giving fields a
    style attribute, which htmx then copies while settling swapped fields (a CSP violation)."""
    page.screenshot(path=path, caret="initial", **options)


def sheet(page):
    return page.locator("[data-sheet] form")


EXTRA_ROWS = [  # (group, section, title, objectives, pilot)
    ("Groupe 1", "0", "Itinérance des services publics numériques",
     "Si les services sont utilisés et les structures développées.", "Communauté de communes"),
    ("Groupe 2", "0", "Un réseau de transport autonome et connecté vers les France Services",
     "Si on a une accessibilité au lieu de problèmes de mobilité.", "Région Nouvelle-Aquitaine"),
    ("Groupe 2", "0", "Mieux communiquer sur les services existants",
     "Si chaque habitant sait où trouver de l'aide à moins de 20 minutes.", "Service communication"),
    ("Groupe 3", "0", "Des permanences numériques dans les mairies rurales",
     "Si toutes les communes de moins de 500 habitants ont une permanence mensuelle.", "Communes"),
    ("Groupe 1", "1", "Former les agents d'accueil aux démarches en ligne",
     "Si 80 % des agents d'accueil ont suivi la formation Pix.", "CNFPT"),
    ("Groupe 3", "1", "Un intranet ressources pour les professionnels",
     "Si les agents y trouvent les outils dont ils ont besoin.", "Service informatique"),
    ("Groupe 2", "1", "Outiller les travailleurs sociaux (Aidants Connect)",
     "Si chaque structure habilitée utilise Aidants Connect.", "Département"),
    ("Groupe 1", "2", "Un guichet d'orientation partagé entre acteurs",
     "Si une personne orientée est reçue sous 15 jours.", "CIAS"),
    ("Groupe 3", "2", "Repérer les publics éloignés avec les bailleurs sociaux",
     "Si les bailleurs orientent leurs locataires vers les médiateurs.", "Bailleurs sociaux"),
    ("Groupe 2", "2", "Un diagnostic des compétences numériques à l'accueil",
     "Si chaque accueil dispose d'un outil de diagnostic simple.", "France Services"),
]


def test_a_chantier_edited_on_two_phones(browser, table_server, shots):
    server = table_server
    watch = Watch()
    contexts = []
    try:
        email = create_facilitator(server.database_url)
        fac = Facilitator(server.url, email)
        ws = fac.create_workshop("chantiers-navigateur")
        activity_id = fac.open_postits(ws["id"], position=0)
        code = ws["code"]

        ctx, board = desktop_page(browser, watch, "board")
        contexts.append(ctx)
        board.goto(f"{server.url}/b/{ws['board_key']}")
        live(board)
        expect(board.locator(".tbl-bsec")).to_have_count(3)
        snap(board, shots / "table-board-0-empty.png", animations="disabled")

        ctx_a, phone_a = phone_page(browser, watch, "phone A", PHONE_A)
        ctx_b, phone_b = phone_page(browser, watch, "phone B", PHONE_B)
        contexts += [ctx_a, ctx_b]
        join(phone_a, server, code, "Awa Diallo")
        join(phone_b, server, code, "Bruno Martin")
        for phone in (phone_a, phone_b):
            expect(phone.locator(".tbl-group-pick")).to_be_visible()
            phone.get_by_label("Votre sous-groupe").select_option(label="Groupe 1")
            expect(phone.locator(".tbl-psec")).to_have_count(3)
        snap(phone_b, shots / "table-phone-b-0-sections.png")

        # Phone A adds a chantier to enjeu 1 in the sheet.
        title = "Faciliter l'accès aux services numériques"
        phone_a.get_by_role("button", name="+ Ajouter un chantier à l'enjeu 1").click()
        form = sheet(phone_a)
        expect(form.get_by_role("heading", name="Nouveau chantier")).to_be_visible()
        form.get_by_label("Titre du chantier").fill(title)
        form.get_by_label("Les objectifs : on aura réussi si…").fill(
            "Si les services sont utilisés et les structures sont développées.")
        form.get_by_label("Qui pilote ?").fill("Communauté de communes")
        snap(phone_a, shots / "table-phone-a-1-new-chantier.png")
        form.get_by_role("button", name="Enregistrer").click()
        expect(form.locator("[data-saved]")).to_contain_text("✓ enregistré")
        row_id = int(form.get_attribute("data-row"))
        snap(phone_a, shots / "table-phone-a-2-saved.png")
        form.get_by_role("button", name="Fermer").click()
        expect(phone_a.locator("[data-sheet]")).to_be_empty()

        # Phone B, same sub-group, sees it live; the board too.
        card_b = phone_b.locator(f"#tbl-row-{row_id}")
        expect(card_b).to_contain_text(title)
        expect(card_b).to_contain_text("par Awa Diallo")
        expect(phone_b.locator(f"#tbl-psec-{activity_id}-0 [data-progress]")).to_contain_text("1 / 4")
        expect(board.locator(f"#board-row-{row_id}")).to_contain_text(title)

        # Both open the chantier (version 1). A saves first; B's screen warns, then B's save is refused.
        phone_a.locator(f"#tbl-row-{row_id}").get_by_role("button", name="Modifier").click()
        phone_b.locator(f"#tbl-row-{row_id}").get_by_role("button", name="Modifier").click()
        objectives_a = "Si 90 % des habitants trouvent un lieu d'accompagnement à moins de 20 minutes."
        objectives_b = "Si les services sont utilisés par les publics les plus éloignés."
        sheet(phone_b).get_by_label("Les objectifs : on aura réussi si…").fill(objectives_b)
        sheet(phone_a).get_by_label("Les objectifs : on aura réussi si…").fill(objectives_a)
        sheet(phone_a).get_by_role("button", name="Enregistrer").click()
        expect(sheet(phone_a).locator("[data-saved]")).to_contain_text("version 2")
        expect(sheet(phone_b).locator("[data-stale-hint]")).to_be_visible()
        # B's text survived the live refresh that brought A's version.
        expect(sheet(phone_b).get_by_label("Les objectifs : on aura réussi si…")).to_have_value(objectives_b)
        snap(phone_b, shots / "table-phone-b-1-stale-hint.png")
        sheet(phone_b).get_by_role("button", name="Enregistrer").click()
        conflict = sheet(phone_b).locator("[data-conflict]")
        expect(conflict).to_contain_text("Ce chantier a été modifié par quelqu'un d'autre de votre groupe "
                                         "pendant que vous écriviez : voici la version actuelle…")
        changed = sheet(phone_b).locator(".tbl-field.is-changed")
        expect(changed).to_have_count(1)
        expect(changed.locator(".tbl-current-text")).to_have_text(objectives_a)
        expect(sheet(phone_b).get_by_label("Les objectifs : on aura réussi si…")).to_have_value(objectives_b)
        expect(sheet(phone_b).locator("[data-saved]")).to_have_count(0)
        assert cells_of(server.database_url, row_id)["objectives"] == objectives_a
        snap(phone_b, shots / "table-phone-b-2-conflict.png")
        sheet(phone_b).locator("[data-conflict]").scroll_into_view_if_needed()

        # She merges: takes the current version, adds her part, saves over version 2.
        sheet(phone_b).get_by_role("button", name="Reprendre la version actuelle").click()
        field = sheet(phone_b).get_by_label("Les objectifs : on aura réussi si…")
        expect(field).to_have_value(objectives_a)
        merged = objectives_a + " Et si les publics les plus éloignés les utilisent."
        field.fill(merged)
        sheet(phone_b).get_by_role("button", name="Enregistrer ma version").click()
        expect(sheet(phone_b).locator("[data-saved]")).to_contain_text("version 3")
        assert cells_of(server.database_url, row_id)["objectives"] == merged
        snap(phone_b, shots / "table-phone-b-3-merged.png")
        expect(phone_a.locator(f"#tbl-row-{row_id}")).to_contain_text("Et si les publics")

        # Typing in the sheet survives a live refresh (someone else adds a chantier meanwhile).
        field_a = sheet(phone_a).get_by_label("Action(s) du chantier")
        field_a.click()
        field_a.type("Itinérance des services")
        mark_page(phone_a)
        seen = pushes(phone_a)
        carol = Participant(server.url, code, name="Carol")
        carol.client.post(f"/p/{code}/activities/{activity_id}/table-group",
                          data={"group_id": re.search(r'<option value="(\d+)"[^>]*>Groupe 1<',
                                                      carol.client.get(f"/p/{code}").text).group(1)})
        r = carol.client.post(f"/p/{code}/activities/{activity_id}/rows",
                              data={"section": "1", "idempotency_key": secrets.token_hex(10),
                                    "cell_title": "Former les aidants numériques bénévoles"})
        assert r.status_code == 201
        wait_for_push(phone_a, seen)
        expect(phone_a.locator(".tbl-prow", has_text="Former les aidants")).to_have_count(1)
        expect(field_a).to_have_value("Itinérance des services")
        assert phone_a.evaluate("document.activeElement && document.activeElement.name") == "cell_actions"
        field_a.type(" en zone rurale")
        expect(field_a).to_have_value("Itinérance des services en zone rurale")
        # Her sheet was at version 2 and B saved version 3: refused, but only the cell she wrote is
        # in question (her untouched copy of the objectives is not sent, so not restored over B's).
        sheet(phone_a).get_by_role("button", name="Enregistrer").click()
        expect(sheet(phone_a).locator("[data-conflict]")).to_be_visible()
        changed = sheet(phone_a).locator(".tbl-field.is-changed")
        expect(changed).to_have_count(1)
        expect(changed).to_contain_text("Action(s) du chantier")
        expect(changed.locator(".tbl-current-text")).to_have_text("(vide)")
        snap(phone_a, shots / "table-phone-a-3-conflict-one-cell.png")
        sheet(phone_a).get_by_role("button", name="Enregistrer ma version").click()
        expect(sheet(phone_a).locator("[data-saved]")).to_contain_text("version 4")
        stored = cells_of(server.database_url, row_id)
        assert stored["objectives"] == merged
        assert stored["actions"] == "Itinérance des services en zone rurale"
        sheet(phone_a).get_by_role("button", name="Fermer").click()
        snap(phone_a, shots / "table-phone-a-4-group-rows.png", full_page=True)

        # The rest of the room fills the table; the board grows, legible at both sizes.
        people = {}
        for group, section, row_title, objectives, pilot in EXTRA_ROWS:
            if group not in people:
                person = Participant(server.url, code)
                page = person.client.get(f"/p/{code}").text
                gid = re.search(rf'<option value="(\d+)"[^>]*>{group}<', page).group(1)
                person.client.post(f"/p/{code}/activities/{activity_id}/table-group", data={"group_id": gid})
                people[group] = person
            r = people[group].client.post(f"/p/{code}/activities/{activity_id}/rows", data={
                "section": section, "idempotency_key": secrets.token_hex(10), "cell_title": row_title,
                "cell_objectives": objectives, "cell_pilot": pilot,
                "cell_actions": "Recenser l'existant\nMettre en place un calendrier\nÉvaluer après un an",
                "cell_obstacles": "Couverture numérique (zones blanches) ; formation du personnel"})
            assert r.status_code == 201
        expect(board.locator(".tbl-card")).to_have_count(len(EXTRA_ROWS) + 2)
        for size in (DESKTOP, SMALL_PROJECTOR):
            board.set_viewport_size(size)
            board.wait_for_timeout(300)
            snap(board, shots / f"table-board-{size['width']}x{size['height']}.png",
                             animations="disabled")
            assert_fits(board, [".join-code", ".board-title", ".tbl-bsec"])
            clipped = board.locator(".tbl-bsec-body.is-clipped").count()
            assert clipped == 0, f"{clipped} sections cut at {size}"
        board.set_viewport_size(DESKTOP)

        # The facilitator sees every row and hides one; it leaves the board.
        ctx_c, control = desktop_page(browser, watch, "control", {"width": 1600, "height": 1000})
        contexts.append(ctx_c)
        login(control, server, email)
        control.goto(f"{server.url}/f/workshops/{ws['id']}")
        live(control)
        expect(control.locator(".tbl-table tbody tr")).to_have_count(len(EXTRA_ROWS) + 2)
        snap(control, shots / "table-control-1.png", full_page=True)
        hide = "Un réseau de transport autonome et connecté vers les France Services"
        control.locator("tr", has_text=hide).get_by_role("button", name="Masquer").click()
        expect(control.locator("tr.is-hidden", has_text=hide)).to_have_count(1)
        expect(board.locator(".tbl-card", has_text=hide)).to_have_count(0)
        control.locator(f"#ctl-row-{row_id}").get_by_role("button", name="Modifier").click()
        editor = control.locator("#ctl-editor form")
        expect(editor.get_by_label("Qui fait ?")).to_be_visible()
        editor.get_by_label("Qui fait ?").fill("Service enfance, informatique, intervenants extérieurs")
        editor.get_by_role("button", name="Enregistrer").click()
        expect(editor.locator("[data-saved]")).to_contain_text("version 5")
        snap(control, shots / "table-control-2-edit.png", full_page=True)
        expect(phone_b.locator(f"#tbl-row-{row_id}")).to_contain_text("par l'animateur")
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)


# ---------------------------------------------------------------- resource map

SEED_004 = [  # chantier 1.b of the Grand Périgueux roadmap (seed 004)
    ("Réseau local CnFS", "partenaires de projet", "connue-sans-lien"),
    ("Communes (périscolaire, ALSH)", "partenaires de projet", "operante"),
    ("Réseau local tiers-lieux", "partenaires de projet", "connue-sans-lien"),
    ("Robotique, informatique, outils numériques (fixe ou itinérants)", "ressources matérielles", "aucune"),
    ("Animateurs ALSH formés et/ou en formation", "intervenants", "operante"),
    ("Animateurs Bus numérique Grand Périgueux", "intervenants", "connue-sans-lien"),
    ("Fab Lab du territoire/tiers-lieux", "intervenants", "aucune"),
    ("Contribution en compétences et/ou en matériel (conseillers numériques, bénévoles experts, robots…)",
     "financements", "connue-sans-lien"),
]


def test_a_resource_map_built_from_a_phone(browser, server, facilitator_email, shots):
    watch = Watch()
    contexts = []
    try:
        fac = Facilitator(server.url, facilitator_email)
        ws = fac.create_workshop("cartographie-ressources")
        activity_id = fac.open_postits(ws["id"], position=2)
        code = ws["code"]
        ctx, board = desktop_page(browser, watch, "board")
        contexts.append(ctx)
        board.goto(f"{server.url}/b/{ws['board_key']}")
        live(board)
        ctx_a, phone = phone_page(browser, watch, "phone", PHONE_A)
        ctx_b, phone_b = phone_page(browser, watch, "phone B", PHONE_B)
        contexts += [ctx_a, ctx_b]
        join(phone, server, code, "Awa Diallo")
        join(phone_b, server, code, "")
        expect(phone.locator(".rm-chantier")).to_contain_text("Développer des actions à destination")

        def sent(name: str) -> None:
            # The live refresh may show the stored resource a moment before the outbox hears back.
            expect(phone.locator("[data-mine] li.pending")).to_have_count(0)
            expect(phone.locator("[data-mine] li", has_text=name)).to_contain_text("✓ ajoutée")

        def add(name: str, category: str, state_label: str) -> None:
            phone.get_by_label("Une ressource pour ce chantier").fill(name)
            phone.locator("label.chip", has_text=category).click()
            phone.locator(".rm-add-state", has_text=state_label).click()
            sent(name)
            expect(phone.get_by_label("Une ressource pour ce chantier")).to_have_value("")

        phone.get_by_label("Une ressource pour ce chantier").fill("Centres sociaux / Espaces de vie sociale")
        phone.locator("label.chip", has_text="partenaires de projet").click()
        snap(phone, shots / "resources-phone-1-add.png")
        phone.locator(".rm-add-state", has_text="Opérante").click()
        sent("Centres sociaux")
        add("Conseillers numériques", "intervenants", "Connue, sans lien")
        add("Partenaires sociaux (CAF…)", "financements", "Opérante")
        add("Tablettes du bus numérique", "ressources matérielles", "Aucun lien")
        # Enter in the name field adds nothing until a link state is chosen.
        phone.get_by_label("Une ressource pour ce chantier").fill("Sans état choisi")
        phone.get_by_label("Une ressource pour ce chantier").press("Enter")
        phone.wait_for_timeout(300)
        expect(phone.locator("[data-mine] li", has_text="Sans état choisi")).to_have_count(0)
        phone.get_by_label("Une ressource pour ce chantier").fill("")

        # The board draws them: solid, dotted, none.
        svg = board.locator("svg.rm-map")
        expect(svg.locator(".rm-node")).to_have_count(4)
        expect(svg.locator("line.rm-solid[data-resource]")).to_have_count(2)
        expect(svg.locator("line.rm-dotted[data-resource]")).to_have_count(1)

        # Change a link with the three buttons: the board follows.
        item = phone.locator(".rm-item", has_text="Conseillers numériques")
        rid = int(item.get_attribute("id").split("-")[1])
        item.get_by_role("button", name="Conseillers numériques : opérante").click()
        expect(phone.locator(f"#res-{rid} [data-saved]")).to_contain_text("✓ enregistré : opérante")
        expect(phone.locator(f"#res-{rid} button[aria-pressed=true]")).to_contain_text("opérante")
        expect(svg.locator(f'line.rm-solid[data-resource="{rid}"]')).to_have_count(1)
        snap(phone, shots / "resources-phone-2-state-changed.png", full_page=True)

        # Phone B, whose screen is stale (we keep its old version), taps another state: refused, shown.
        item_b = phone_b.locator(f"#res-{rid}")
        expect(item_b.locator("button[aria-pressed=true]")).to_contain_text("opérante")
        item_b.locator('input[name="version"]').evaluate("e => e.value = '1'")
        item_b.get_by_role("button", name="Conseillers numériques : aucun lien").click()
        expect(phone_b.locator(f"#res-{rid} [data-conflict]")).to_contain_text(
            "le lien est maintenant « opérante »")
        snap(phone_b, shots / "resources-phone-b-stale.png")
        expect(svg.locator(f'line.rm-solid[data-resource="{rid}"]')).to_have_count(1)

        # The rest of the seed-004 map comes from other phones; the board, at both sizes.
        other = Participant(server.url, code)
        for name, category, state in SEED_004:
            r = other.client.post(f"/p/{code}/activities/{activity_id}/resources", data={
                "text": name, "category": category, "state": state, "idempotency_key": secrets.token_hex(10)})
            assert r.status_code == 201
        expect(svg.locator(".rm-node")).to_have_count(4 + len(SEED_004))
        for size in (DESKTOP, SMALL_PROJECTOR):
            board.set_viewport_size(size)
            board.wait_for_timeout(200)
            snap(board, shots / f"resources-board-{size['width']}x{size['height']}.png",
                             animations="disabled")
            assert_fits(board, [".join-code", ".board-title", "svg.rm-map"])
        snap(phone, shots / "resources-phone-3-map-list.png", full_page=True)

        ctx_c, control = desktop_page(browser, watch, "control", {"width": 1600, "height": 1000})
        contexts.append(ctx_c)
        login(control, server, facilitator_email)
        control.goto(f"{server.url}/f/workshops/{ws['id']}")
        live(control)
        tablets = control.locator(".rm-ctl-item", has_text="Tablettes du bus")
        tablets.get_by_role("button", name="Masquer").click()
        expect(svg.locator(".rm-node", has_text="Tablettes")).to_have_count(0)
        snap(control, shots / "resources-control.png", full_page=True)
        watch.check()
    finally:
        close_all(contexts, shots, failed=sys.exc_info()[0] is not None)
