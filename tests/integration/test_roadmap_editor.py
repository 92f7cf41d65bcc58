"""The roadmap editor on a real server: a roadmap built form by form (header, committees, enjeux
reordered, défis answering enjeux, chantiers under défis with their codes, a fiche filled in,
actions with co-financings and besoins, resources in categories with their link states), checked
in the database after each step through `roadmaps.to_file`, the structure every export writes;
chantiers filed under an enjeu then a défi, défis reordered with the codes that follow them, and
enjeux reordered with the défis' « Répond à » swapped at once; then bad input of every kind of
form, and another facilitator, each refused with a French message and the database unchanged."""

import html
import json
import re

import httpx
import pytest
from sqlmodel import Session, select

from app.db import make_engine
from app.domain import roadmap as domain
from app.models import Action, Chantier, Committee, Defi, Enjeu, Resource, Roadmap
from app.services import roadmaps
from tests.support import Facilitator, create_facilitator

pytestmark = pytest.mark.storage

ENJEUX = [
    "Comment bien accompagner la population et les secteurs clés dans leur transition numérique ?",
    "Comment réduire efficacement les inégalités sociales renforcées par le numérique ?",
    "Comment réduire efficacement les inégalités territoriales accentuées par la transition numérique ?",
]


class Editor:
    """A logged-in facilitator using the editor's forms as htmx sends them."""

    def __init__(self, server, email: str) -> None:
        self.client = Facilitator(server.url, email).client
        self.client.headers["HX-Request"] = "true"

    def post(self, path: str, data: dict | None = None) -> httpx.Response:
        return self.client.post(path, data=data or {})

    def ok(self, path: str, data: dict | None = None) -> str:
        r = self.post(path, data)
        assert r.status_code == 200, r.text
        return r.text

    def create(self, name: str = "Feuille de route du Grand Périgueux", **extra: str) -> int:
        data = {
            "nom": name,
            "territoire_nom": "Grand Périgueux",
            "territoire_type": "epci",
            "territoire_code": "200040392",
            "perimetre": "groupements-de-communes",
            **extra,
        }
        r = self.post("/f/roadmaps", data)
        assert r.status_code == 200, r.text
        return int(r.headers["HX-Redirect"].rsplit("/", 1)[1])


def file_of(url: str, roadmap_id: int) -> domain.RoadmapFile:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return roadmaps.to_file(session, session.get(Roadmap, roadmap_id))
    finally:
        engine.dispose()


def ids(url: str, model, **where) -> list[int]:
    """The ids of a table's rows, in their order (position, then id)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            query = select(model.id)
            for key, value in where.items():
                query = query.where(getattr(model, key) == value)
            return list(session.exec(query.order_by(model.position, model.id)))
    finally:
        engine.dispose()


def snapshot(url: str) -> list[tuple]:
    """Every roadmap, whole, with its last change: what a refused request must leave as it was."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return [
                (r.id, r.updated_at, domain.dump_file(roadmaps.to_file(session, r)))
                for r in session.exec(select(Roadmap).order_by(Roadmap.id))
            ]
    finally:
        engine.dispose()


def questions(data: domain.RoadmapFile) -> list[str]:
    return [e.question for e in data.enjeux]


def test_a_roadmap_built_form_by_form(server, facilitator_email):
    url = server.database_url
    ed = Editor(server, facilitator_email)

    # ---- the roadmap and its header
    rid = ed.create()
    base = f"/f/roadmaps/{rid}"
    data = file_of(url, rid)
    assert (data.territory.name, data.territory.kind, data.territory.code) == (
        "Grand Périgueux",
        "epci",
        "200040392",
    )
    assert (data.roadmap.name, data.roadmap.perimeter) == (
        "Feuille de route du Grand Périgueux",
        "groupementsDeCommunes",  # the platform's spelling; the form still sends the earlier one
    )
    listing = ed.client.get("/f/roadmaps").text
    assert "Feuille de route du Grand Périgueux" in listing and "Grand Périgueux" in listing

    ed.ok(
        f"{base}/infos",
        {
            "nom": "Feuille de route 2025-2027",
            "territoire_nom": "Grand Périgueux",
            "territoire_type": "epci",
            "territoire_code": "200040392",
            "perimetre": "departemental",
            "porteurs": "- Grand Périgueux\n\n• CIAS du Grand Périgueux\n",
            "contexte": "Diagnostic partagé en 2024.\nTrois ateliers.",
        },
    )
    data = file_of(url, rid)
    assert data.roadmap.name == "Feuille de route 2025-2027"
    assert data.roadmap.perimeter == "departemental"
    assert data.roadmap.carriers == ["Grand Périgueux", "CIAS du Grand Périgueux"]
    assert data.roadmap.context == "Diagnostic partagé en 2024.\nTrois ateliers."

    # ---- governance
    ed.ok(
        f"{base}/comites", {"nom": "Comité de pilotage", "type": "strategique", "frequence": "2 fois par an"}
    )
    html = ed.ok(
        f"{base}/comites", {"nom": "Comité technique", "type": "technique", "frequence": "chaque mois"}
    )
    assert "Comité technique" in html and 'id="sec-comites"' in html
    first, second = ids(url, Committee, roadmap_id=rid)
    ed.ok(
        f"{base}/comites/{second}",
        {"nom": "Comité technique", "type": "technique", "frequence": "tous les 2 mois"},
    )
    assert [(c.name, c.kind, c.frequency) for c in file_of(url, rid).roadmap.committees] == [
        ("Comité de pilotage", "strategique", "2 fois par an"),
        ("Comité technique", "technique", "tous les 2 mois"),
    ]
    ed.ok(f"{base}/comites/{first}/supprimer")
    assert [c.name for c in file_of(url, rid).roadmap.committees] == ["Comité technique"]

    # ---- enjeux, added then reordered by ▲ ▼ and by a drag's order
    for question in ENJEUX:
        html = ed.ok(f"{base}/enjeux", {"question": question})
    # Adding an enjeu shows the défis and the chantiers again too (they name the enjeux).
    assert 'id="sec-defis"' in html and 'id="sec-chantiers"' in html and html.count('hx-swap-oob="true"') == 2
    assert questions(file_of(url, rid)) == ENJEUX
    e1, e2, e3 = ids(url, Enjeu, roadmap_id=rid)
    ed.ok(f"{base}/enjeux/{e3}/deplacer", {"sens": "-1"})
    assert questions(file_of(url, rid)) == [ENJEUX[0], ENJEUX[2], ENJEUX[1]]
    ed.ok(f"{base}/enjeux/{e1}/deplacer", {"sens": "-1"})  # already first: nothing moves
    assert questions(file_of(url, rid)) == [ENJEUX[0], ENJEUX[2], ENJEUX[1]]
    ed.ok(f"{base}/enjeux/ordre", {"ordre": f"{e2},{e1},{e3}"})
    assert questions(file_of(url, rid)) == [ENJEUX[1], ENJEUX[0], ENJEUX[2]]
    ed.ok(f"{base}/enjeux/{e2}", {"question": "  Comment réduire les inégalités sociales ?  "})
    assert questions(file_of(url, rid))[0] == "Comment réduire les inégalités sociales ?"

    # ---- défis answering enjeux
    ed.ok(
        f"{base}/defis",
        {
            "titre": "Développer des formations",
            "description": "Pour tous les publics.",
            "enjeux": [str(e1), str(e3)],
        },
    )
    ed.ok(f"{base}/defis", {"titre": "Connaître l'offre de médiation", "enjeux": [str(e2)]})
    d1, d2 = ids(url, Defi, roadmap_id=rid)
    data = file_of(url, rid)
    # Enjeux are e2, e1, e3 in rank order: e1 is enjeu-2, e3 is enjeu-3.
    assert [(d.title, d.enjeux) for d in data.defis] == [
        ("Développer des formations", ["enjeu-2", "enjeu-3"]),
        ("Connaître l'offre de médiation", ["enjeu-1"]),
    ]
    assert data.defis[0].description == "Pour tous les publics."
    ed.ok(
        f"{base}/defis/{d2}",
        {"titre": "Connaître et faire connaître l'offre de médiation", "enjeux": [str(e2), str(e1)]},
    )
    assert file_of(url, rid).defis[1].enjeux == ["enjeu-1", "enjeu-2"]
    ed.ok(f"{base}/defis/{d2}", {"titre": "Connaître et faire connaître l'offre de médiation"})
    assert file_of(url, rid).defis[1].enjeux == []

    # ---- chantiers: codes suggested under their défi; one moved to another défi
    page = ed.client.get(base).text
    assert re.search(r'name="code" value="1\.a"', page) and re.search(r'name="code" value="2\.a"', page)
    ed.ok(
        f"{base}/chantiers",
        {"rattacher": f"defi:{d1}", "code": "1.a", "titre": "Sensibiliser et former les agents"},
    )
    ed.ok(
        f"{base}/chantiers",
        {"rattacher": f"defi:{d1}", "code": "", "titre": "Des actions pour les jeunes (3 à 14 ans)"},
    )
    ed.ok(
        f"{base}/chantiers",
        {"rattacher": f"defi:{d2}", "code": "2.a", "titre": "Une campagne de communication"},
    )
    ed.ok(f"{base}/chantiers", {"rattacher": "", "code": "", "titre": "Un chantier à rattacher"})
    c1, c2, c3, c4 = ids(url, Chantier, roadmap_id=rid)
    data = file_of(url, rid)
    assert [(c.code, c.title, c.defi) for c in data.chantiers] == [
        ("1.a", "Sensibiliser et former les agents", "defi-1"),
        ("1.b", "Des actions pour les jeunes (3 à 14 ans)", "defi-1"),
        ("2.a", "Une campagne de communication", "defi-2"),
        ("1", "Un chantier à rattacher", None),
    ]
    ed.ok(
        f"{base}/chantiers/{c2}",
        {"code": "1.b", "titre": "Des actions pour les jeunes (3 à 14 ans)", "rattacher": f"defi:{d2}"},
    )
    ed.ok(
        f"{base}/chantiers/{c4}", {"code": "4.z", "titre": "Un chantier rattaché", "rattacher": f"defi:{d1}"}
    )
    data = file_of(url, rid)
    assert [(c.code, c.defi) for c in data.chantiers] == [
        ("1.a", "defi-1"),
        ("2.b", "defi-2"),
        ("2.a", "defi-2"),
        ("4.z", "defi-1"),
    ]
    # ▲ among the chantiers of défi 2: « 2.a » before « 2.b ».
    ed.ok(f"{base}/chantiers/{c3}/deplacer", {"sens": "-1"})
    assert [c.code for c in file_of(url, rid).chantiers] == ["1.a", "2.a", "2.b", "4.z"]
    page = ed.client.get(base).text
    assert page.index("Une campagne de communication") < page.index("Des actions pour les jeunes")

    # The page's other buttons lead to the exports and to « Verser les résultats d'un atelier ».
    links = sorted(set(re.findall(rf'href="({base}/(?:export\.\w+|importer-atelier))"', page)))
    assert [link.rsplit("/", 1)[1] for link in links] == [
        "export.docx",
        "export.json",
        "export.md",
        "export.odt",
        "export.pdf",
        "export.xlsx",
        "importer-atelier",
    ]
    for link in links:
        assert ed.client.get(link).status_code == 200, link

    # ---- the fiche chantier, part by part
    fiche = f"{base}/chantiers/{c2}"
    page = ed.client.get(fiche).text
    assert (
        "Description du chantier" in page
        and "On aura réussi si" in page
        and "On doit lever des freins" in page
    )
    ed.ok(
        f"{fiche}/description", {"description": "Les jeunes sont une part de la population à sensibiliser."}
    )
    ed.ok(
        f"{fiche}/objectifs",
        {"objectifs": "- Si on arrive à équiper tous les ALSH\n\n- Si on arrive à former"},
    )
    ed.ok(
        f"{fiche}/freins",
        {"freins": "• Partager cette question avec l'Éducation nationale\nMoyens financiers"},
    )
    ed.ok(
        f"{fiche}/gouvernance",
        {
            "pilote": "Service enfance",
            "fait": "Service enfance, informatique",
            "associes": "Médiathèques, centres sociaux",
        },
    )
    ed.ok(f"{fiche}/coordination", {"service_coordinateur": "Solidarité et services (ALSH)"})
    html = ed.ok(
        f"{fiche}/entete",
        {
            "code": "2.b",
            "titre": "Développer des actions à destination des jeunes",
            "rattacher": f"defi:{d2}",
        },
    )
    assert 'id="sec-ressources"' in html  # the map's centre says the chantier: shown again
    chantier = file_of(url, rid).chantiers[2]
    assert chantier.title == "Développer des actions à destination des jeunes"
    assert chantier.description == "Les jeunes sont une part de la population à sensibiliser."
    assert chantier.objectives == ["Si on arrive à équiper tous les ALSH", "Si on arrive à former"]
    assert chantier.obstacles == ["Partager cette question avec l'Éducation nationale", "Moyens financiers"]
    assert (chantier.governance.pilot, chantier.governance.doers, chantier.governance.associates) == (
        "Service enfance",
        "Service enfance, informatique",
        "Médiathèques, centres sociaux",
    )
    assert chantier.coordinator == "Solidarité et services (ALSH)"

    # ---- actions, in the national platform's terms
    ed.ok(
        f"{fiche}/actions",
        {
            "nom": "Colos apprenantes sur le numérique",
            "contexte": "Été 2026",
            "description": "Deux séjours.",
            "porteurs": "Service enfance\nFrancas",
            "budgetGlobal": "12 000",
            "coFinanceur": ["CAF de la Dordogne", "Département", ""],
            "montant": ["5000", "2 500", ""],
            "besoins": ["monter_dossiers_de_subvention", "animer_la_gouvernance"],
            "dateDeDebut": "01/07/2026",
            "dateDeFin": "2027",
            "destinataires": "Francas\nCentre social de Boulazac",
        },
    )
    ed.ok(f"{fiche}/actions", {"nom": "Ateliers robotique", "coFinanceur": "", "montant": ""})
    a1, a2 = ids(url, Action, chantier_id=c2)
    actions = file_of(url, rid).chantiers[2].actions
    assert actions[0].model_dump(by_alias=True) == {
        "nom": "Colos apprenantes sur le numérique",
        "contexte": "Été 2026",
        "description": "Deux séjours.",
        "porteurs": ["Service enfance", "Francas"],
        "budgetGlobal": 12000,
        "coFinancements": [
            {"membre": "CAF de la Dordogne", "montant": 5000},
            {"membre": "Département", "montant": 2500},
        ],
        "besoins": ["monter_dossiers_de_subvention", "animer_la_gouvernance"],
        "dateDeDebut": "2026-07-01",
        "dateDeFin": "2027",
        "destinataires": ["Francas", "Centre social de Boulazac"],
    }
    page = ed.client.get(fiche).text
    assert "du 1er juillet 2026 à 2027" in page and "Centre social de Boulazac" in page
    assert (
        actions[1].name == "Ateliers robotique"
        and actions[1].budget is None
        and actions[1].cofinancings == []
    )
    ed.ok(f"{fiche}/actions/ordre", {"ordre": f"{a2},{a1}"})
    assert [a.name for a in file_of(url, rid).chantiers[2].actions] == [
        "Ateliers robotique",
        "Colos apprenantes sur le numérique",
    ]
    ed.ok(
        f"{fiche}/actions/{a2}",
        {
            "nom": "Ateliers robotique et programmation",
            "besoins": "appui_juridique",
            "dateDeDebut": "2025",
            "dateDeFin": "2025",
            "coFinanceur": "",
            "montant": "",
        },
    )
    first_action = file_of(url, rid).chantiers[2].actions[0]
    assert (first_action.name, first_action.needs, first_action.start_year) == (
        "Ateliers robotique et programmation",
        ["appui_juridique"],
        2025,
    )

    # ---- resources by category, with their link states, and the map
    for name, category, link in (
        ("Centres sociaux", "partenaires de projet", "operante"),
        ("Réseau local CnFS", "partenaires de projet", "connue-sans-lien"),
        ("Robots et tablettes", "ressources matérielles", "aucune"),
        ("CAF", "financements", "operante"),
    ):
        ed.ok(f"{fiche}/ressources", {"nom": name, "categorie": category, "lien": link})
    r1, _r2, r3, r4 = ids(url, Resource, chantier_id=c2)
    ed.ok(
        f"{fiche}/ressources/{r3}", {"lien": "connue-sans-lien"}
    )  # the select of a resource sends its state alone
    ed.ok(
        f"{fiche}/ressources/{r4}",
        {"nom": "Caisse d'allocations familiales", "categorie": "financements", "lien": "operante"},
    )
    resources = file_of(url, rid).chantiers[2].resources
    assert [(r.name, r.category, r.link) for r in resources] == [
        ("Centres sociaux", "partenaires de projet", "operante"),
        ("Réseau local CnFS", "partenaires de projet", "connue-sans-lien"),
        ("Robots et tablettes", "ressources matérielles", "connue-sans-lien"),
        ("Caisse d'allocations familiales", "financements", "operante"),
    ]
    page = ed.client.get(fiche).text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert len(re.findall(r'class="rm-link rm-solid"', svg)) == 2 + 1  # two resources, and the legend's
    assert len(re.findall(r'class="rm-link rm-dotted"', svg)) == 2 + 1
    ed.ok(f"{fiche}/ressources/{r1}/supprimer")
    assert len(file_of(url, rid).chantiers[2].resources) == 3

    # ---- deleting: an enjeu leaves the défis that answered it; a défi leaves its chantiers to file
    ed.ok(f"{base}/defis/{d1}", {"titre": "Développer des formations", "enjeux": [str(e1), str(e3)]})
    ed.ok(f"{base}/enjeux/{e3}/supprimer")
    data = file_of(url, rid)
    assert questions(data) == ["Comment réduire les inégalités sociales ?", ENJEUX[0]]
    assert data.defis[0].enjeux == ["enjeu-2"]
    ed.ok(f"{base}/defis/{d1}/supprimer")
    data = file_of(url, rid)
    assert [d.title for d in data.defis] == ["Connaître et faire connaître l'offre de médiation"]
    # its chantier waits « à rattacher » without its code; défi 2 became n° 1, its codes follow;
    # a custom code stays
    assert [(c.code, c.defi) for c in data.chantiers] == [
        ("", None),
        ("1.a", "defi-1"),
        ("1.b", "defi-1"),
        ("4.z", None),
    ]
    page = ed.client.get(base).text
    assert "À rattacher à un défi" in page
    ed.ok(f"{base}/chantiers/{c1}/supprimer")
    assert ids(url, Chantier, roadmap_id=rid) == [c3, c2, c4]

    # ---- the list counts it; deleting the roadmap deletes it all
    listing = ed.client.get("/f/roadmaps").text
    assert re.search(
        r"<strong>2</strong> enjeux.*<strong>1</strong> défi<.*<strong>3</strong> chantiers", listing, re.S
    )
    r = ed.post(f"{base}/supprimer")
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/f/roadmaps"
    assert snapshot(url) == []
    assert ids(url, Resource, chantier_id=c2) == [] and ids(url, Action, chantier_id=c2) == []


def section_of(page: str, name: str) -> str:
    """A section of a page or of an editing response (swapped in place, or out of band)."""
    start = page.index(f'<section id="sec-{name}"')
    return page[start : page.index("</section>", start)]


def answers(page: str) -> dict[str, list[str]]:
    """Each défi's « Répond à » chips, by its title, as the défis section shows them."""
    out = {}
    for item in section_of(page, "defis").split('<li class="rdm-item')[1:]:
        title = html.unescape(re.search(r'data-label="([^"]*)"', item).group(1))
        out[title] = re.findall(r'<span class="rdm-chip">([^<]*)</span>', item)
    return out


def shown_chantiers(page: str) -> list[tuple[str, str]]:
    """(code, title) of each chantier, in the order the chantiers section shows them."""
    found = re.findall(
        r'<span class="rdm-code">([^<]*)</span>\s*<a class="rdm-title" href="[^"]*">([^<]*)</a>',
        section_of(page, "chantiers"),
    )
    return [(html.unescape(code), html.unescape(title)) for code, title in found]


def test_chantiers_filed_under_an_enjeu_or_a_defi_and_codes_that_follow_the_defis(server, facilitator_email):
    url = server.database_url
    ed = Editor(server, facilitator_email)
    rid = ed.create()
    base = f"/f/roadmaps/{rid}"
    for question in ENJEUX:
        ed.ok(f"{base}/enjeux", {"question": question})
    e1, e2, e3 = ids(url, Enjeu, roadmap_id=rid)
    for title, answered in (("Former", [e1, e3]), ("Connaître l'offre", [e2]), ("Équiper", [])):
        ed.ok(f"{base}/defis", {"titre": title, "enjeux": [str(i) for i in answered]})
    d1, d2, d3 = ids(url, Defi, roadmap_id=rid)
    titles = ["Former les agents", "Former les jeunes", "Une campagne", "Le chantier de la CTG", "D'atelier"]
    for parent, code, title in zip(
        [f"defi:{d1}", f"defi:{d1}", f"defi:{d2}", f"defi:{d2}", ""],
        ["", "", "", "CTG-1", ""],
        titles,
        strict=True,
    ):
        ed.ok(f"{base}/chantiers", {"rattacher": parent, "code": code, "titre": title})
    chantiers = ids(url, Chantier, roadmap_id=rid)
    _, jeunes, _, ctg, atelier = chantiers
    title_of = dict(zip(chantiers, titles, strict=True))

    def placed() -> list[tuple[str, str | None, str | None]]:
        return [(c.code, c.defi, c.enjeu) for c in file_of(url, rid).chantiers]

    def file_under(chantier: int, parent: str, code: str, path: str = "") -> str:
        """« Rattacher à » from the chantier list (or the fiche's head: `path`), the code as it was."""
        where = path or f"{base}/chantiers/{chantier}"
        return ed.ok(where, {"code": code, "titre": title_of[chantier], "rattacher": parent})

    assert placed() == [
        ("1.a", "defi-1", None),
        ("1.b", "defi-1", None),
        ("2.a", "defi-2", None),
        ("CTG-1", "defi-2", None),
        ("1", None, None),
    ]

    # ---- « Rattacher à »: the défis, and apart the enjeux, for a chantier still to file
    form = ed.client.get(f"{base}/chantiers/bloc", params={"modifier": f"chantiers-{atelier}"}).text
    select = form[form.index('name="rattacher"') : form.index("</select>")]
    assert re.findall(r'<optgroup label="([^"]*)"', select) == [
        "Défis",
        "Enjeux (chantier encore à rattacher à un défi)",
    ]
    assert re.findall(r'<option value="([^"]*)"', select) == [
        "",
        f"defi:{d1}",
        f"defi:{d2}",
        f"defi:{d3}",
        f"enjeu:{e1}",
        f"enjeu:{e2}",
        f"enjeu:{e3}",
    ]
    assert "selected" not in select

    # Under an enjeu: no défi yet; a code that followed no défi stays.
    page = file_under(atelier, f"enjeu:{e2}", "1")
    assert placed()[4] == ("1", None, "enjeu-2")
    assert "répond à l'enjeu 2" in section_of(page, "chantiers")
    form = ed.client.get(f"{base}/chantiers/bloc", params={"modifier": f"chantiers-{atelier}"}).text
    assert f'<option value="enjeu:{e2}" selected>' in form
    # Then under a défi: the next code of that défi; the enjeu it came from stays on record.
    file_under(atelier, f"defi:{d3}", "1")
    assert placed()[4] == ("3.a", "defi-3", "enjeu-2")

    # From a défi to an enjeu (on the fiche): a code of the old défi is cleared, a custom one stays.
    fiche = f"{base}/chantiers/{jeunes}"
    file_under(jeunes, f"enjeu:{e3}", "1.b", path=f"{fiche}/entete")
    assert placed()[1] == ("", None, "enjeu-3")
    page = ed.client.get(fiche, params={"modifier": "sec-entete"}).text
    assert "à rattacher à un défi" in page and f"Enjeu 3</strong> — {ENJEUX[2]}" in page
    file_under(ctg, f"enjeu:{e1}", "CTG-1")
    assert placed()[3] == ("CTG-1", None, "enjeu-1")
    file_under(ctg, f"defi:{d1}", "CTG-1")
    assert placed()[3] == ("CTG-1", "defi-1", "enjeu-1")
    # An empty code under a défi: the next free one there.
    file_under(jeunes, f"defi:{d2}", "")
    assert placed() == [
        ("1.a", "defi-1", None),
        ("2.b", "defi-2", "enjeu-3"),
        ("2.a", "defi-2", None),
        ("CTG-1", "defi-1", "enjeu-1"),
        ("3.a", "defi-3", "enjeu-2"),
    ]

    # ---- défis reordered (a drag's order): the codes that follow them too, shown at once
    page = ed.ok(f"{base}/defis/ordre", {"ordre": f"{d3},{d1},{d2}"})
    assert [d.title for d in file_of(url, rid).defis] == ["Équiper", "Former", "Connaître l'offre"]
    assert [code for code, _defi, _enjeu in placed()] == ["2.a", "3.b", "3.a", "CTG-1", "1.a"]
    assert shown_chantiers(page) == [
        ("1.a", "D'atelier"),
        ("2.a", "Former les agents"),
        ("CTG-1", "Le chantier de la CTG"),
        ("3.b", "Former les jeunes"),
        ("3.a", "Une campagne"),
    ]
    # ▲ on the first: nothing moves, no code changes.
    before = snapshot(url)
    ed.ok(f"{base}/defis/{d3}/deplacer", {"sens": "-1"})
    assert snapshot(url) == before

    # A code already held (typed for a chantier without défi): the next free letter instead.
    ed.ok(f"{base}/chantiers", {"rattacher": "", "code": "2.b", "titre": "Un chantier libre"})
    libre = ids(url, Chantier, roadmap_id=rid)[-1]
    title_of[libre] = "Un chantier libre"
    page = ed.ok(f"{base}/defis/{d1}/deplacer", {"sens": "1"})  # « Former »: n° 2 → n° 3
    codes = [code for code, _defi, _enjeu in placed()]
    assert codes == ["3.a", "2.c", "2.a", "CTG-1", "1.a", "2.b"]
    assert len(set(codes)) == len(codes)
    assert shown_chantiers(page)[:3] == [
        ("1.a", "D'atelier"),
        ("2.c", "Former les jeunes"),
        ("2.a", "Une campagne"),
    ]

    # ---- enjeux reordered: the défis still answer the same enjeux, their chips say the new numbers
    file_under(libre, f"enjeu:{e3}", "2.b")
    assert placed()[5] == ("2.b", None, "enjeu-3")
    assert answers(ed.client.get(base).text) == {
        "Équiper": [],
        "Connaître l'offre": ["Enjeu 2"],
        "Former": ["Enjeu 1", "Enjeu 3"],
    }
    page = ed.ok(f"{base}/enjeux/{e3}/deplacer", {"sens": "-1"})
    assert 'id="sec-defis" class="rdm-section" aria-labelledby="h-defis" hx-swap-oob="true"' in page
    assert answers(page) == {
        "Équiper": [],
        "Connaître l'offre": ["Enjeu 3"],
        "Former": ["Enjeu 1", "Enjeu 2"],
    }
    assert "répond à l'enjeu 2" in section_of(page, "chantiers")
    data = file_of(url, rid)
    assert questions(data) == [ENJEUX[0], ENJEUX[2], ENJEUX[1]]
    assert [(d.title, d.enjeux) for d in data.defis] == [
        ("Équiper", []),
        ("Connaître l'offre", ["enjeu-3"]),
        ("Former", ["enjeu-1", "enjeu-2"]),
    ]
    assert placed()[5] == ("2.b", None, "enjeu-2")


@pytest.fixture
def two_roadmaps(server, facilitator_email):
    """Roadmap A with one of everything, roadmap B of the same facilitator (for ids that are not A's)."""
    url = server.database_url
    ed = Editor(server, facilitator_email)
    made = {}
    for name in ("A", "B"):
        rid = ed.create(f"Feuille {name}")
        base = f"/f/roadmaps/{rid}"
        ed.ok(f"{base}/comites", {"nom": "Copil", "type": "strategique"})
        ed.ok(f"{base}/enjeux", {"question": f"Enjeu de {name} ?"})
        ed.ok(f"{base}/enjeux", {"question": f"Second enjeu de {name} ?"})
        (enjeu, enjeu_2) = ids(url, Enjeu, roadmap_id=rid)
        ed.ok(f"{base}/defis", {"titre": f"Défi de {name}", "enjeux": str(enjeu)})
        (defi,) = ids(url, Defi, roadmap_id=rid)
        ed.ok(
            f"{base}/chantiers", {"rattacher": f"defi:{defi}", "code": "1.a", "titre": f"Chantier de {name}"}
        )
        (chantier,) = ids(url, Chantier, roadmap_id=rid)
        fiche = f"{base}/chantiers/{chantier}"
        ed.ok(f"{fiche}/actions", {"nom": "Une action", "dateDeDebut": "2025", "dateDeFin": "2026"})
        ed.ok(f"{fiche}/ressources", {"nom": "CAF", "categorie": "financements", "lien": "operante"})
        made[name] = {
            "id": rid,
            "base": base,
            "fiche": fiche,
            "enjeu": enjeu,
            "enjeu_2": enjeu_2,
            "defi": defi,
            "chantier": chantier,
            "action": ids(url, Action, chantier_id=chantier)[0],
            "resource": ids(url, Resource, chantier_id=chantier)[0],
            "committee": ids(url, Committee, roadmap_id=rid)[0],
        }
    return ed, made["A"], made["B"]


def refused(url: str, response: httpx.Response, status: int, fragment: str, before: list) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    detail = response.json()["detail"]
    assert fragment in detail, detail
    assert snapshot(url) == before


def test_bad_input_is_refused_in_french_and_changes_nothing(server, two_roadmaps):
    url = server.database_url
    ed, a, b = two_roadmaps
    base, fiche = a["base"], a["fiche"]
    before = snapshot(url)
    post = ed.post

    # Text too long, missing, of the wrong type.
    refused(
        url,
        post(f"{base}/enjeux", {"question": "x" * 1001}),
        422,
        "Question : 1000 caractères au plus",
        before,
    )
    refused(
        url, post(f"{base}/enjeux/{a['enjeu']}", {"question": "   "}), 422, "Question : à remplir", before
    )
    refused(
        url,
        post(f"{base}/comites", {"nom": "C" * 201, "type": "technique"}),
        422,
        "200 caractères au plus",
        before,
    )
    refused(
        url,
        post(f"{base}/comites", {"nom": "Copil", "type": "hebdomadaire"}),
        422,
        "Type : valeur inconnue « hebdomadaire »",
        before,
    )
    refused(
        url,
        post(f"{fiche}/description", {"description": "d" * 20001}),
        422,
        "20000 caractères au plus",
        before,
    )
    refused(
        url, post(f"{fiche}/objectifs", {"objectifs": "o" * 1001}), 422, "« on aura réussi si » n° 1", before
    )
    refused(url, post(f"{fiche}/gouvernance", {"pilote": "p" * 1001}), 422, "Gouvernance, qui pilote", before)
    refused(
        url,
        post(
            f"{base}/infos",
            {"nom": "A", "territoire_nom": "T", "territoire_type": "epci", "territoire_code": "ABC123"},
        ),
        422,
        "Territoire — code",
        before,
    )
    refused(
        url,
        post(
            f"{base}/infos",
            {"nom": "A", "territoire_nom": "T", "territoire_type": "epci", "perimetre": "national"},
        ),
        422,
        "Feuille de route — périmètre : valeur inconnue « national »",
        before,
    )
    refused(
        url,
        post("/f/roadmaps", {"nom": "Sans territoire", "territoire_type": "epci"}),
        422,
        "Territoire — nom : à remplir",
        before,
    )

    # Two chantiers never share a code (the one under a défi and a free one alike).
    twin = "Le code « 1.a » est déjà celui du chantier « Chantier de A »"
    refused(
        url,
        post(f"{base}/chantiers", {"titre": "Un autre", "code": "1.a", "rattacher": f"defi:{a['defi']}"}),
        422,
        twin,
        before,
    )
    refused(
        url,
        post(f"{base}/chantiers", {"titre": "Un autre", "code": "1.a", "rattacher": ""}),
        422,
        twin,
        before,
    )

    # Ids that are not numbers, not this roadmap's, not of this list.
    refused(
        url, post(f"{base}/defis", {"titre": "Défi", "enjeux": "abc"}), 422, "identifiant illisible", before
    )
    refused(
        url,
        post(f"{base}/defis", {"titre": "Défi", "enjeux": str(b["enjeu"])}),
        422,
        "n'est pas dans cette feuille de route",
        before,
    )
    refused(
        url,
        post(f"{base}/chantiers", {"titre": "Chantier", "rattacher": f"defi:{b['defi']}"}),
        422,
        "n'est pas dans cette feuille de route",
        before,
    )
    refused(
        url,
        post(f"{base}/chantiers/{a['chantier']}", {"titre": "Chantier", "rattacher": "defi:2x"}),
        422,
        "identifiant illisible",
        before,
    )
    refused(
        url,
        post(f"{fiche}/entete", {"titre": "Chantier", "rattacher": f"defi:{b['defi']}"}),
        422,
        "n'est pas dans cette feuille de route",
        before,
    )
    refused(
        url,
        post(f"{base}/chantiers/{a['chantier']}", {"titre": "Chantier", "rattacher": f"enjeu:{b['enjeu']}"}),
        422,
        f"Enjeu : « {b['enjeu']} » n'est pas dans cette feuille de route.",
        before,
    )
    refused(
        url,
        post(f"{fiche}/entete", {"titre": "Chantier", "rattacher": "enjeu:abc"}),
        422,
        "Enjeu : identifiant illisible « abc »",
        before,
    )
    refused(
        url,
        post(
            f"{base}/chantiers/{a['chantier']}", {"titre": "Chantier", "rattacher": f"atelier:{a['enjeu']}"}
        ),
        422,
        f"Rattacher à : choix illisible « atelier:{a['enjeu']} »",
        before,
    )
    refused(
        url,
        post(f"{base}/defis/ordre", {"ordre": f"{a['defi']},{b['defi']}"}),
        422,
        "ne correspond pas à la liste",
        before,
    )
    refused(
        url, post(f"{base}/defis/{a['defi']}/deplacer", {"sens": "+2"}), 422, "Sens de déplacement", before
    )
    refused(url, post(f"{base}/defis/{b['defi']}/deplacer", {"sens": "1"}), 404, "Défi introuvable", before)
    refused(
        url, post("/f/roadmaps/abc/enjeux", {"question": "Q ?"}), 404, "Feuille de route introuvable", before
    )
    refused(url, post(f"{base}/enjeux/abc", {"question": "Q ?"}), 404, "Enjeu introuvable", before)
    refused(url, post(f"{base}/enjeux/{b['enjeu']}", {"question": "Q ?"}), 404, "Enjeu introuvable", before)
    refused(url, post(f"{base}/enjeux/{b['enjeu']}/supprimer"), 404, "Enjeu introuvable", before)
    refused(url, post(f"{base}/comites/{b['committee']}/supprimer"), 404, "Comité introuvable", before)
    refused(
        url,
        post(f"{base}/chantiers/{b['chantier']}/actions", {"nom": "Action"}),
        404,
        "Chantier introuvable",
        before,
    )
    refused(url, post(f"{fiche}/actions/{b['action']}", {"nom": "Action"}), 404, "Action introuvable", before)
    refused(url, post(f"{fiche}/ressources/{b['resource']}/supprimer"), 404, "Ressource introuvable", before)
    refused(
        url, post(f"{base}/enjeux/{a['enjeu']}/deplacer", {"sens": "5"}), 422, "Sens de déplacement", before
    )
    refused(
        url,
        post(f"{base}/enjeux/ordre", {"ordre": f"{a['enjeu']},{b['enjeu']}"}),
        422,
        "ne correspond pas à la liste",
        before,
    )
    refused(url, post(f"{base}/enjeux/ordre", {"ordre": f"{a['enjeu']}"}), 422, "ne correspond pas", before)
    refused(url, post(f"{base}/enjeux/ordre", {"ordre": "1;2"}), 422, "Ordre illisible", before)

    # Actions: besoins, years, amounts.
    action = f"{fiche}/actions/{a['action']}"
    refused(
        url,
        post(action, {"nom": "Action", "besoins": ["appui_juridique", "faire_le_cafe"]}),
        422,
        "Besoin n° 2 : valeur inconnue « faire_le_cafe »",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "besoins": ["appui_juridique", "appui_juridique"]}),
        422,
        "Un même besoin est cité deux fois",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "dateDeDebut": "2026", "dateDeFin": "2024"}),
        422,
        "Fin (2024) avant début (2026)",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "dateDeDebut": "1850"}),
        422,
        "Début : année 1850 hors de la période 2000–2100",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "dateDeDebut": "31/02/2026"}),
        422,
        "Début : « 31/02/2026 » n'est ni une année (2025) ni une date (2025-03-15)",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "budgetGlobal": "beaucoup"}),
        422,
        "Budget global : doit être un nombre entier, pas « beaucoup »",
        before,
    )
    refused(url, post(action, {"nom": "Action", "budgetGlobal": "-5"}), 422, "0 au minimum", before)
    refused(
        url,
        post(action, {"nom": "Action", "coFinanceur": ["CAF"], "montant": [""]}),
        422,
        "Co-financement n° 1, montant : à remplir",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "coFinanceur": ["", "Région"], "montant": ["100", "x"]}),
        422,
        "Co-financement n° 1, co-financeur : à remplir",
        before,
    )
    refused(
        url,
        post(action, {"nom": "Action", "coFinanceur": ["CAF", "Région"], "montant": ["100"]}),
        422,
        "chaque co-financeur va avec son montant",
        before,
    )

    # Resources: link state, name, category.
    resource = f"{fiche}/ressources/{a['resource']}"
    refused(url, post(resource, {"lien": "solide"}), 422, "État du lien : valeur inconnue « solide »", before)
    refused(
        url,
        post(f"{fiche}/ressources", {"nom": "", "categorie": "financements", "lien": "operante"}),
        422,
        "Nom : à remplir",
        before,
    )
    refused(
        url,
        post(f"{fiche}/ressources", {"nom": "CAF", "categorie": "c" * 61, "lien": "operante"}),
        422,
        "Catégorie : 60 caractères au plus",
        before,
    )

    # Not logged in; a cross-site post.
    anonymous = httpx.Client(base_url=server.url, headers={"HX-Request": "true", "Origin": server.url})
    refused(
        url, anonymous.post(f"{base}/enjeux", data={"question": "Q ?"}), 401, "Connexion animateur", before
    )
    r = ed.client.post(
        f"{base}/enjeux", data={"question": "Q ?"}, headers={"Origin": "https://ailleurs.example"}
    )
    refused(url, r, 403, "Origine refusée", before)


def test_another_facilitator_gets_404_everywhere(server, two_roadmaps):
    url = server.database_url
    _ed, a, _b = two_roadmaps
    other = Editor(server, create_facilitator(url))
    before = snapshot(url)
    base, fiche = a["base"], a["fiche"]
    for path, data in (
        (f"{base}/infos", {"nom": "Pris", "territoire_nom": "T", "territoire_type": "epci"}),
        (f"{base}/enjeux", {"question": "Q ?"}),
        (f"{base}/enjeux/{a['enjeu']}", {"question": "Q ?"}),
        (f"{base}/enjeux/{a['enjeu']}/supprimer", {}),
        (f"{base}/enjeux/{a['enjeu']}/deplacer", {"sens": "1"}),
        (f"{base}/enjeux/ordre", {"ordre": f"{a['enjeu_2']},{a['enjeu']}"}),
        (f"{base}/defis/{a['defi']}", {"titre": "Pris"}),
        (f"{base}/comites/{a['committee']}/supprimer", {}),
        (f"{base}/chantiers", {"titre": "Pris", "rattacher": f"defi:{a['defi']}"}),
        (f"{base}/chantiers/{a['chantier']}", {"titre": "Pris", "rattacher": f"enjeu:{a['enjeu']}"}),
        (f"{base}/defis/{a['defi']}/deplacer", {"sens": "1"}),
        (f"{fiche}/description", {"description": "Pris"}),
        (f"{fiche}/actions", {"nom": "Prise"}),
        (f"{fiche}/ressources/{a['resource']}", {"lien": "aucune"}),
        (f"{base}/supprimer", {}),
    ):
        refused(url, other.post(path, data), 404, "Feuille de route introuvable", before)
    for path in (base, fiche, f"{base}/enjeux/bloc", f"{fiche}/actions/bloc?modifier=actions-{a['action']}"):
        r = other.client.get(path)
        assert r.status_code == 404, path
    # As a page, the 404 says it in French.
    del other.client.headers["HX-Request"]
    page = other.client.get(base, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Feuille de route introuvable." in page.text
    assert "Feuille A" not in other.client.get("/f/roadmaps").text


def test_an_enjeu_shows_its_score_and_where_it_came_from(server, facilitator_email):
    """An enjeu promoted from a workshop: the page says the workshop, the vote, the ballots and the
    post-its it came from (Enjeu.provenance), escaped."""
    ed = Editor(server, facilitator_email)
    data = {
        "schema": domain.SCHEMA,
        "version": domain.VERSION,
        "territoire": {"nom": "Périgueux", "type": "commune", "code": "24322"},
        "feuille_de_route": {"nom": "Feuille de Périgueux"},
        "enjeux": [
            {
                "id": "e1",
                "question": "Comment mieux équiper les lieux et les publics ?",
                "score": 12.5,
                "score_libelle": "points Borda",
                "provenance": {
                    "atelier": "Priorisation des enjeux",
                    "date": "2025-03-12",
                    "activite": "Classement des enjeux",
                    "methode": "Borda",
                    "rang": 2,
                    "bulletins": 23,
                    "accord": 0.71,
                    "contributions": ["Des tablettes en prêt", "<b>Des</b> ordinateurs reconditionnés"],
                },
            }
        ],
    }
    r = ed.client.post(
        "/f/roadmaps/import", files={"file": ("f.json", json.dumps(data).encode(), "application/json")}
    )
    assert r.status_code == 303, r.text
    page = ed.client.get(r.headers["location"]).text
    assert "score 12,5 points Borda" in page
    assert (
        "Issu de l&#39;atelier « Priorisation des enjeux » du 12 mars 2025, vote « Classement des enjeux » "
        "(Borda), rang 2, 23 bulletins, accord 71 %"
    ) in page
    assert "d'après 2 contributions : « Des tablettes en prêt »" in page
    assert "<li>&lt;b&gt;Des&lt;/b&gt; ordinateurs reconditionnés</li>" in page
