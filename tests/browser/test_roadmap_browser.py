"""The roadmap editor in a real browser (Debian chromium, Playwright).

A facilitator logs in, goes from her workshops to « Feuilles de route », creates a roadmap, adds
three enjeux and reorders them by drag (SortableJS) and by keyboard (▲ ▼, the focus staying on the
button pressed), adds a défi answering two enjeux and a chantier under it (its code suggested),
files a second chantier under an enjeu then under a second défi (« Rattacher à »), reorders the
défis by keyboard (the codes that follow them change on the page) and an enjeu (the défis'
« Répond à » chips follow at once), opens its fiche, fills in description, « on aura réussi
si », freins and gouvernance, adds two actions (co-financings, besoins, years) and four resources
in three categories with different link states, and sees the map draw solid and dotted lines; a
refused form says why, in the form.
All of it without a page load, with no script error and no CSP violation; checked in the database
after each step. Screenshots (artifacts/screenshots/roadmap-*.png) at 1440×900 and 390×844.
"""

import re

import pytest

from app.domain import roadmap as domain
from tests.browser.test_live_browser import (
    PHONE_A,
    Watch,
    assert_same_page,
    close_all,
    desktop_page,
    expect,
    login,
    mark_page,
    phone_page,
)
from tests.browser.test_ranking_browser import drag, starting_with
from tests.integration.test_roadmap_editor import file_of

pytestmark = pytest.mark.browser


WIDE = {"width": 1440, "height": 900}
ENJEUX = [
    "Comment bien accompagner la population dans sa transition numérique ?",
    "Comment réduire les inégalités sociales renforcées par le numérique ?",
    "Comment réduire les inégalités territoriales accentuées par la transition numérique ?",
]
DEFI = "Développer des formations pour renforcer les compétences numériques"
DEFI_2 = "Connaître et faire connaître l'offre de médiation"
CHANTIER = "Développer des actions à destination des jeunes (3 à 14 ans)"
CHANTIER_2 = "Une campagne de communication sur les lieux de médiation"
RESOURCES = [  # name, category, link state (value, label)
    ("Centres sociaux / Espaces de vie sociale", "partenaires de projet", "operante"),
    ("Réseau local des conseillers numériques", "partenaires de projet", "connue-sans-lien"),
    ("Robots et tablettes itinérants", "ressources matérielles", "aucune"),
    ("CAF de la Dordogne", "financements", "operante"),
]


def snap(page, path, **options) -> None:
    """A screenshot that leaves the fields as they are (no caret hiding style for htmx to copy)."""
    page.screenshot(path=path, caret="initial", animations="disabled", **options)


def shown_enjeux(page) -> list[str]:
    return page.locator("#list-enjeux .rdm-question").all_inner_texts()


def chips(page, defi: str):
    """The « Répond à » chips of a défi on the page."""
    return section(page, "defis").locator(".rdm-item", has_text=defi).locator(".rdm-chip")


def file_chantier(page, title: str, choice: str) -> None:
    """« Modifier » a chantier of the page, « Rattacher à » the option labelled `choice`, save."""
    section(page, "chantiers").get_by_role("button", name=f"Modifier : {title}").click()
    editing = section(page, "chantiers").locator(".rdm-item.is-editing")
    editing.get_by_label("Rattacher à").select_option(label=choice)
    editing.get_by_role("button", name="Enregistrer").click()
    expect(section(page, "chantiers").locator(".rdm-item.is-editing")).to_have_count(0)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_size}"


def section(page, name: str):
    return page.locator(f"#sec-{name}")


def edit_part(page, name: str, fill: dict[str, str]) -> None:
    """Open a part of the fiche, fill its fields (by label), save; the part shows it again."""
    part = section(page, name)
    part.get_by_role("button", name=starting_with("Modifier")).click()
    for label, value in fill.items():
        part.get_by_label(label, exact=True).fill(value)
    part.get_by_role("button", name="Enregistrer").click()
    expect(section(page, name).get_by_role("button", name=starting_with("Modifier"))).to_be_visible()


def test_a_roadmap_and_a_fiche_chantier_in_a_browser(browser, server, facilitator_email, shots):
    url = server.database_url
    watch = Watch()
    contexts = []
    failed = True
    try:
        ctx, page = desktop_page(browser, watch, "editor", WIDE)
        contexts.append(ctx)
        login(page, server, facilitator_email)
        page.get_by_role("link", name="Feuilles de route").click()
        expect(page).to_have_url(f"{server.url}/f/roadmaps")

        # ---- create
        page.get_by_label("Nom", exact=True).fill("Feuille de route du Grand Périgueux")
        page.get_by_label("Nom du territoire").fill("Grand Périgueux")
        page.get_by_label("Type").select_option("epci")
        page.get_by_label("Code INSEE ou SIREN").fill("200040392")
        page.get_by_label("Périmètre").select_option("groupementsDeCommunes")
        page.get_by_role("button", name="Créer la feuille de route").click()
        expect(page).to_have_url(re.compile(r"/f/roadmaps/\d+$"))
        rid = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_role("heading", level=1)).to_have_text("Feuille de route du Grand Périgueux")
        mark_page(page)

        # ---- three enjeux; the field is ready for the next one after each
        for n, question in enumerate(ENJEUX, start=1):
            page.get_by_label("Nouvel enjeu").fill(question)
            page.get_by_role("button", name="Ajouter l'enjeu").click()
            expect(page.locator("#list-enjeux .rdm-item")).to_have_count(n)
            expect(page.get_by_label("Nouvel enjeu")).to_be_focused()
            expect(page.get_by_label("Nouvel enjeu")).to_have_value("")
        assert [e.question for e in file_of(url, rid).enjeux] == ENJEUX

        # ---- reorder by drag: the third to the top
        items = page.locator("#list-enjeux .rdm-item")
        drag(page, items.nth(2).locator(".rdm-grab"), items.nth(0))
        after_drag = [ENJEUX[2], ENJEUX[0], ENJEUX[1]]
        expect(page.locator("#list-enjeux .rdm-question")).to_have_text(after_drag)
        expect(page.locator("#rdm-status")).to_have_text(f"« {ENJEUX[2]} » : position 1 sur 3.")
        assert [e.question for e in file_of(url, rid).enjeux] == after_drag

        # ---- reorder by keyboard: Tab to ▼ of the first, Enter; the focus stays on it
        down = page.get_by_role("button", name=starting_with(f"Descendre « {ENJEUX[2]} »"))
        down.focus()
        page.keyboard.press("Enter")
        after_down = [ENJEUX[0], ENJEUX[2], ENJEUX[1]]
        expect(page.locator("#list-enjeux .rdm-question")).to_have_text(after_down)
        focused = page.locator(":focus")
        expect(focused).to_have_attribute("aria-label", f"Descendre « {ENJEUX[2]} » (position 2 sur 3)")
        # What a screen reader hears once the list is settled (and ready for the next key).
        expect(page.locator("#rdm-status")).to_have_text(f"« {ENJEUX[2]} » : position 2 sur 3.")
        page.keyboard.press("Enter")  # down again: it reaches the end, the focus goes to its ▲
        after_second = [ENJEUX[0], ENJEUX[1], ENJEUX[2]]
        expect(page.locator("#list-enjeux .rdm-question")).to_have_text(after_second)
        expect(page.locator(":focus")).to_have_attribute(
            "aria-label", f"Monter « {ENJEUX[2]} » (position 3 sur 3)"
        )
        expect(page.locator("#rdm-status")).to_have_text(f"« {ENJEUX[2]} » : position 3 sur 3.")
        page.keyboard.press("Shift+Tab")  # from ▲ back to the ▼ of the item before
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        expect(page.locator(":focus")).to_have_attribute(
            "aria-label", starting_with(f"Descendre « {ENJEUX[1]} »")
        )
        page.keyboard.press("Space")
        final = [ENJEUX[0], ENJEUX[2], ENJEUX[1]]
        expect(page.locator("#list-enjeux .rdm-question")).to_have_text(final)
        expect(page.locator("#rdm-status")).to_have_text(f"« {ENJEUX[1]} » : position 3 sur 3.")
        assert [e.question for e in file_of(url, rid).enjeux] == final

        # ---- a défi answering enjeux 1 and 3, then a chantier under it, its code suggested
        defis = section(page, "defis")
        defis.get_by_label("Titre du défi").fill(DEFI)
        defis.get_by_role("checkbox", name=starting_with("Enjeu 1 —")).check()
        defis.get_by_role("checkbox", name=starting_with("Enjeu 3 —")).check()
        defis.get_by_role("button", name="Ajouter le défi").click()
        expect(section(page, "defis").locator(".rdm-item")).to_have_count(1)
        expect(section(page, "defis").locator(".rdm-chip")).to_have_text(["Enjeu 1", "Enjeu 3"])
        assert file_of(url, rid).defis[0].enjeux == ["enjeu-1", "enjeu-3"]
        chantiers = section(page, "chantiers")
        expect(chantiers.get_by_role("heading", name=re.compile("Défi 1"))).to_be_visible()
        expect(chantiers.get_by_label("Code")).to_have_value("1.a")
        chantiers.get_by_label("Nouveau chantier du défi 1").fill(CHANTIER)
        chantiers.get_by_role("button", name="Ajouter", exact=True).click()
        expect(section(page, "chantiers").locator(".rdm-code")).to_have_text(["1.a"])
        expect(section(page, "chantiers").get_by_label("Code")).to_have_value("1.b")
        assert [(c.code, c.title, c.defi) for c in file_of(url, rid).chantiers] == [
            ("1.a", CHANTIER, "defi-1")
        ]

        # ---- a second chantier, filed under an enjeu, then under a second défi
        section(page, "chantiers").get_by_label("Nouveau chantier du défi 1").fill(CHANTIER_2)
        section(page, "chantiers").get_by_role("button", name="Ajouter", exact=True).click()
        expect(section(page, "chantiers").locator(".rdm-code")).to_have_text(["1.a", "1.b"])
        section(page, "defis").locator("summary", has_text="Ajouter un défi").click()
        section(page, "defis").get_by_label("Titre du défi").fill(DEFI_2)
        section(page, "defis").get_by_role("checkbox", name=starting_with("Enjeu 2 —")).check()
        section(page, "defis").get_by_role("button", name="Ajouter le défi").click()
        expect(section(page, "defis").locator(".rdm-item")).to_have_count(2)
        file_chantier(page, CHANTIER_2, f"Enjeu 2 — {ENJEUX[2]}")
        waiting = section(page, "chantiers").locator(".rdm-group", has_text="À rattacher à un défi")
        expect(waiting.locator(".rdm-item")).to_have_count(1)
        expect(waiting.locator(".rdm-item")).to_contain_text(CHANTIER_2)
        expect(waiting.locator(".rdm-item")).to_contain_text("répond à l'enjeu 2")
        expect(waiting.locator(".rdm-code")).to_have_text(["—"])  # « 1.b » was défi 1's
        section(page, "chantiers").screenshot(
            path=shots / "roadmap-chantiers-enjeu-1440.png", caret="initial"
        )
        assert [(c.code, c.defi, c.enjeu) for c in file_of(url, rid).chantiers] == [
            ("1.a", "defi-1", None),
            ("", None, "enjeu-2"),
        ]
        file_chantier(page, CHANTIER_2, f"Défi 2 — {DEFI_2}")
        expect(section(page, "chantiers").locator(".rdm-group-title")).to_have_text(
            [f"Défi 1 {DEFI}", f"Défi 2 {DEFI_2}"]
        )
        expect(section(page, "chantiers").locator(".rdm-code")).to_have_text(["1.a", "2.a"])
        assert [(c.code, c.defi, c.enjeu) for c in file_of(url, rid).chantiers] == [
            ("1.a", "defi-1", None),
            ("2.a", "defi-2", "enjeu-2"),
        ]
        section(page, "chantiers").get_by_role("button", name=f"Modifier : {CHANTIER_2}").click()
        editing = section(page, "chantiers").locator(".rdm-item.is-editing")
        expect(editing.get_by_label("Rattacher à").locator("optgroup")).to_have_count(2)
        editing.scroll_into_view_if_needed()
        snap(page, shots / "roadmap-chantier-rattacher-1440.png")
        editing.get_by_role("button", name="Annuler").click()
        expect(section(page, "chantiers").locator(".rdm-item.is-editing")).to_have_count(0)

        # ---- the défis reordered by keyboard: the codes that follow them change on the page
        section(page, "defis").get_by_role("button", name=starting_with(f"Monter « {DEFI_2} »")).focus()
        page.keyboard.press("Enter")
        expect(section(page, "defis").locator(".rdm-title")).to_have_text([DEFI_2, DEFI])
        expect(page.locator(":focus")).to_have_attribute(
            "aria-label", f"Descendre « {DEFI_2} » (position 1 sur 2)"
        )
        expect(page.locator("#rdm-status")).to_have_text(f"« {DEFI_2} » : position 1 sur 2.")
        expect(section(page, "chantiers").locator(".rdm-group-title")).to_have_text(
            [f"Défi 1 {DEFI_2}", f"Défi 2 {DEFI}"]
        )
        expect(section(page, "chantiers").locator(".rdm-code")).to_have_text(["1.a", "2.a"])
        expect(
            section(page, "chantiers").locator(".rdm-item", has_text=CHANTIER_2).locator(".rdm-code")
        ).to_have_text("1.a")
        data = file_of(url, rid)
        assert [d.title for d in data.defis] == [DEFI_2, DEFI]
        assert [(c.code, c.title, c.defi) for c in data.chantiers] == [
            ("2.a", CHANTIER, "defi-2"),
            ("1.a", CHANTIER_2, "defi-1"),
        ]

        # ---- an enjeu moved down and back: the défis' « Répond à » follow at once
        expect(chips(page, DEFI)).to_have_text(["Enjeu 1", "Enjeu 3"])
        expect(chips(page, DEFI_2)).to_have_text(["Enjeu 2"])
        page.get_by_role("button", name=starting_with(f"Descendre « {ENJEUX[0]} »")).focus()
        page.keyboard.press("Enter")
        expect(page.locator("#list-enjeux .rdm-question")).to_have_text([ENJEUX[2], ENJEUX[0], ENJEUX[1]])
        expect(chips(page, DEFI)).to_have_text(["Enjeu 2", "Enjeu 3"])
        expect(chips(page, DEFI_2)).to_have_text(["Enjeu 1"])
        assert [d.enjeux for d in file_of(url, rid).defis] == [["enjeu-1"], ["enjeu-2", "enjeu-3"]]
        page.keyboard.press("Shift+Tab")  # from its ▼ to its ▲
        page.keyboard.press("Enter")
        expect(page.locator("#list-enjeux .rdm-question")).to_have_text(final)
        expect(chips(page, DEFI)).to_have_text(["Enjeu 1", "Enjeu 3"])
        expect(chips(page, DEFI_2)).to_have_text(["Enjeu 2"])
        assert [d.enjeux for d in file_of(url, rid).defis] == [["enjeu-2"], ["enjeu-1", "enjeu-3"]]
        assert_same_page(page)
        page.evaluate("window.scrollTo(0, 0)")
        snap(page, shots / "roadmap-page-1440.png", full_page=True)

        # ---- the fiche chantier
        section(page, "chantiers").get_by_role("link", name=CHANTIER).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(CHANTIER)
        expect(section(page, "entete")).to_contain_text(f"Défi 2 — {DEFI}")
        expect(section(page, "entete").locator(".rdm-answer")).to_have_text(
            [f"Enjeu 1 — {ENJEUX[0]}", f"Enjeu 3 — {ENJEUX[1]}"]
        )
        mark_page(page)
        edit_part(
            page,
            "description",
            {
                "Description du chantier": (
                    "Les jeunes sont une part de la population à sensibiliser aux risques du numérique "
                    "(cyber harcèlement, addictions) et à ses opportunités."
                )
            },
        )
        edit_part(
            page,
            "objectifs",
            {
                "Les critères de réussite": (
                    "Si on arrive à équiper tous les ALSH d'outils numériques\n"
                    "Si on arrive à former les équipes pédagogiques\n"
                    "Si on donne à voir aux jeunes des métiers du numérique"
                )
            },
        )
        edit_part(
            page,
            "freins",
            {
                "Les freins à lever": (
                    "- Partager cette question avec l'Éducation nationale\n"
                    "- Moyens financiers complémentaires"
                )
            },
        )
        edit_part(
            page,
            "gouvernance",
            {
                "Qui pilote ?": "Service enfance, en lien avec le chantier CTG",
                "Qui fait ?": "Service enfance, informatique, intervenants extérieurs",
                "Qui est associé ?": "Médiathèques, centres sociaux, conseillers numériques",
            },
        )
        edit_part(page, "coordination", {"Coordonné par": "Solidarité et services (ALSH)"})
        expect(section(page, "objectifs").locator("li")).to_have_count(3)
        expect(section(page, "freins").locator("li")).to_have_text(
            ["Partager cette question avec l'Éducation nationale", "Moyens financiers complémentaires"]
        )
        expect(section(page, "gouvernance")).to_contain_text("Service enfance, en lien avec le chantier CTG")
        chantier = file_of(url, rid).chantiers[0]
        assert chantier.objectives[2] == "Si on donne à voir aux jeunes des métiers du numérique"
        assert chantier.governance.associates == "Médiathèques, centres sociaux, conseillers numériques"
        assert chantier.coordinator == "Solidarité et services (ALSH)"

        # ---- two actions; a refused one says why in its form
        actions = section(page, "actions")
        actions.get_by_label("Nom de l'action").fill("Colos apprenantes sur le numérique")
        actions.get_by_label("Budget global (€)").fill("12 000")
        actions.get_by_label("Co-financeur 1").fill("CAF de la Dordogne")
        actions.get_by_label("Montant 1 en euros").fill("5000")
        actions.get_by_role("button", name="+ Une ligne de co-financement").click()
        actions.get_by_label("Co-financeur 2").fill("Département")
        actions.get_by_label("Montant 2 en euros").fill("2500")
        actions.get_by_label("Monter des dossiers de subvention complexes").check()
        actions.get_by_label(domain.BESOINS["animer_la_gouvernance"]).check()
        actions.get_by_label("Début (année ou date)").fill("2026")
        actions.get_by_label("Fin (année ou date)").fill("2025")
        actions.get_by_role("button", name="Ajouter l'action").click()
        alert = actions.get_by_role("alert")
        expect(alert).to_have_text("Fin (2025) avant début (2026).")
        expect(page.locator("#toast")).to_be_hidden()
        assert file_of(url, rid).chantiers[0].actions == []
        actions.get_by_label("Fin (année ou date)").fill("2027")
        actions.get_by_role("button", name="Ajouter l'action").click()
        expect(section(page, "actions").locator(".rdm-item")).to_have_count(1)
        expect(section(page, "actions").locator(".rdm-item")).to_contain_text(
            "CAF de la Dordogne : 5\u202f000\u00a0€"
        )
        section(page, "actions").locator("summary", has_text="Ajouter une action").click()
        section(page, "actions").get_by_label("Nom de l'action").fill("Ateliers robotique et programmation")
        section(page, "actions").get_by_label("Porteurs").fill("Service enfance\nFab Lab du territoire")
        section(page, "actions").get_by_role("button", name="Ajouter l'action").click()
        expect(section(page, "actions").locator(".rdm-item")).to_have_count(2)
        first, second = file_of(url, rid).chantiers[0].actions
        assert (
            first.budget,
            [(c.funder, c.amount) for c in first.cofinancings],
            first.needs,
            first.start_year,
            first.end_year,
        ) == (
            12000,
            [("CAF de la Dordogne", 5000), ("Département", 2500)],
            ["monter_dossiers_de_subvention", "animer_la_gouvernance"],
            2026,
            2027,
        )
        assert second.carriers == ["Service enfance", "Fab Lab du territoire"]

        # ---- four resources in three categories, and the map
        for n, (name, category, link) in enumerate(RESOURCES):
            resources = section(page, "ressources")
            expect(resources.get_by_label("Nouvelle ressource")).to_have_value("")  # the form is back
            if n:  # and settled: the editor focuses it once htmx has settled the swap after an add
                expect(resources.get_by_label("Nouvelle ressource")).to_be_focused()
            resources.get_by_label("Nouvelle ressource").fill(name)
            resources.get_by_label("Catégorie", exact=True).fill(category)
            resources.get_by_label("État du lien", exact=True).select_option(link)
            expect(resources.get_by_label("Catégorie", exact=True)).to_have_value(category)
            resources.get_by_role("button", name="Ajouter la ressource").click()
            expect(section(page, "ressources").locator(".rdm-cat .rdm-item", has_text=name)).to_be_visible()
        expect(section(page, "ressources").locator(".rdm-cat-title")).to_have_text(
            [
                re.compile("^Partenaires de projet"),
                re.compile("^Ressources matérielles"),
                re.compile("^Financements"),
            ]
        )
        links = section(page, "ressources").locator("svg .rm-links line")
        expect(links).to_have_count(3)  # « aucun lien »: no line
        expect(section(page, "ressources").locator("svg .rm-links line.rm-solid")).to_have_count(2)
        expect(section(page, "ressources").locator("svg .rm-links line.rm-dotted")).to_have_count(1)
        expect(section(page, "ressources").locator("svg .rm-legend")).to_contain_text("trait plein")
        # A resource's state, changed from its list: the map follows.
        robots = section(page, "ressources").get_by_label(f"État du lien avec « {RESOURCES[2][0]} »")
        robots.select_option("connue-sans-lien")
        expect(section(page, "ressources").locator("svg .rm-links line.rm-dotted")).to_have_count(2)
        expect(section(page, "ressources").locator("svg .rm-links line")).to_have_count(4)
        assert [(r.name, r.category, r.link) for r in file_of(url, rid).chantiers[0].resources] == [
            RESOURCES[0][:3],
            RESOURCES[1][:3],
            (RESOURCES[2][0], RESOURCES[2][1], "connue-sans-lien"),
            RESOURCES[3][:3],
        ]
        assert_same_page(page)
        page.evaluate("window.scrollTo(0, 0)")
        snap(page, shots / "roadmap-fiche-1440.png", full_page=True)
        section(page, "ressources").screenshot(path=shots / "roadmap-fiche-map-1440.png", caret="initial")
        # An action opened for editing, as the facilitator sees it.
        section(page, "actions").get_by_role(
            "button", name="Modifier : Colos apprenantes sur le numérique"
        ).click()
        editing = section(page, "actions").locator(".rdm-item.is-editing")
        expect(editing.get_by_label("Co-financeur 2")).to_have_value("Département")
        expect(editing.get_by_label(domain.BESOINS["animer_la_gouvernance"])).to_be_checked()
        expect(editing.get_by_label("Appui juridique dédié à la gouvernance")).not_to_be_checked()
        section(page, "actions").scroll_into_view_if_needed()
        snap(page, shots / "roadmap-fiche-action-form-1440.png")
        section(page, "actions").get_by_role("button", name="Annuler").click()
        expect(section(page, "actions").get_by_label("Co-financeur 2")).to_have_count(0)

        # ---- an action deleted, after its confirmation
        robotics = section(page, "actions").locator(".rdm-item", has_text="Ateliers robotique")
        robotics.locator("summary", has_text="Supprimer").click()
        expect(robotics.get_by_text("Supprimer cette action ?")).to_be_visible()
        section(page, "actions").screenshot(path=shots / "roadmap-fiche-confirm-1440.png", caret="initial")
        robotics.get_by_role("button", name="Supprimer définitivement").click()
        expect(section(page, "actions").locator(".rdm-item")).to_have_count(1)
        assert [a.name for a in file_of(url, rid).chantiers[0].actions] == [
            "Colos apprenantes sur le numérique"
        ]
        assert_same_page(page)

        # ---- the list counts what was made
        page.goto(f"{server.url}/f/roadmaps")
        card = page.locator(".rdm-card", has_text="Feuille de route du Grand Périgueux")
        expect(card.locator(".rdm-card-counts")).to_have_text(
            re.compile(r"3\s*enjeux\s*2\s*défis\s*2\s*chantiers")
        )
        snap(page, shots / "roadmap-list-1440.png", full_page=True)

        # ---- the same pages on a phone
        pctx, phone = phone_page(browser, watch, "phone", PHONE_A)
        contexts.append(pctx)
        login(phone, server, facilitator_email)
        phone.goto(f"{server.url}/f/roadmaps/{rid}")
        expect(phone.locator("#list-enjeux .rdm-item")).to_have_count(3)
        no_sideways_scroll(phone)
        snap(phone, shots / "roadmap-page-390.png", full_page=True)
        phone.get_by_role("link", name=CHANTIER).first.click()
        expect(phone.locator("#sec-ressources svg")).to_be_visible()
        no_sideways_scroll(phone)
        snap(phone, shots / "roadmap-fiche-390.png", full_page=True)

        # A new chantier's title half typed stays when an enjeu is added meanwhile (which
        # re-renders the chantiers' section, whose forms name the enjeux).
        page.goto(f"{server.url}/f/roadmaps/{rid}")
        half_typed = section(page, "chantiers").get_by_label("Nouveau chantier du défi 1")
        half_typed.fill("Former les aid")
        page.get_by_label("Nouvel enjeu").fill("Comment financer la médiation numérique ?")
        page.get_by_role("button", name="Ajouter l'enjeu").click()
        expect(page.locator("#list-enjeux .rdm-item")).to_have_count(4)
        expect(half_typed).to_have_value("Former les aid")
        watch.check()
        failed = False
    finally:
        close_all(contexts, shots, failed)
