"""The roadmap's exports (DOCX, ODT, PDF, Markdown, XLSX of actions, JSON), each read back with an
independent reader: python-docx, odfpy (the ODT is written by odfdo), pypdf, openpyxl, plain text.

The roadmap built here has what a document must get right: three enjeux in rank order, a défi
answering two of them, a chantier under a défi with actions (budget, co-financements, besoins,
years) and resources in every link state, a chantier filed straight under an enjeu, one under
neither, and an action whose name is a spreadsheet formula.
"""

import io
import json
import re
import unicodedata
import zipfile
from datetime import datetime

import pytest

from app.domain import roadmap as domain

FORMULA = "=cmd|' /C calc'!A0"
TERRITORY = "Communauté d'agglomération du Val de Sèvre"
ENJEUX = [
    "Comment réduire les inégalités territoriales accentuées par la transition numérique ?",
    "Comment accompagner les publics les plus éloignés du numérique dans les quartiers ?",
    "Comment faire coopérer durablement les acteurs de la médiation numérique ?",
]


def sample() -> domain.RoadmapFile:
    return domain.RoadmapFile.model_validate({
        "territoire": {"nom": TERRITORY, "type": "epci", "code": "200041762"},
        "feuille_de_route": {
            "nom": "Feuille de route d'inclusion numérique du Val de Sèvre",
            "perimetre": "groupements-de-communes",
            "porteurs": ["Communauté d'agglomération du Val de Sèvre", "Département des Deux-Sèvres"],
            "contexte": "Diagnostic du territoire :\n- Des communes rurales vieillissantes\n"
                        "- Deux quartiers prioritaires\n\nLes ateliers ont réuni 48 acteurs.",
            "gouvernance": [
                {"nom": "Comité de pilotage", "type": "strategique", "frequence": "deux fois par an"},
                {"nom": "Comité technique", "type": "technique", "frequence": "tous les mois"},
            ],
        },
        "enjeux": [
            {"id": "e-terr", "question": ENJEUX[0], "score": 42, "score_libelle": "points",
             "provenance": {"atelier": "Prospective à dix ans", "date": "2025-03-12",
                            "activite": "Priorisation des enjeux", "methode": "méthode de Borda",
                            "rang": 1, "bulletins": 23, "accord": 0.78,
                            "contributions": ["Zones blanches en milieu rural", "Pas de bus numérique"]}},
            {"id": "e-quart", "question": ENJEUX[1], "score": 37.5, "score_libelle": "points",
             "provenance": {"atelier": "Prospective à dix ans", "date": "2025-03-12",
                            "methode": "méthode de Borda", "bulletins": 23, "accord": 0.61}},
            {"id": "e-coop", "question": ENJEUX[2]},
        ],
        "defis": [
            {"id": "d-med", "titre": "Promouvoir une médiation numérique mobile et de proximité",
             "enjeux": ["e-terr", "e-coop"]},
            {"id": "d-form", "titre": "Former les aidants numériques", "enjeux": ["e-quart"]},
        ],
        "chantiers": [
            {"id": "c-bus", "code": "1.a", "titre": "Déployer un bus numérique itinérant", "defi": "d-med",
             "description": "Un bus équipé circule dans les communes rurales.\nIl s'arrête au marché.",
             "objectifs": ["Chaque commune est desservie une fois par mois"],
             "freins": ["Trouver des médiateurs", "Financer le véhicule"],
             "gouvernance": {"pilote": "Service cohésion territoriale", "fait": "Conseillers numériques",
                             "associes": "Centres sociaux, mairies"},
             "service_coordinateur": "Cohésion territoriale",
             "ressources": [
                 {"nom": "Conseillers numériques France Services", "categorie": "intervenants",
                  "lien": "operante"},
                 {"nom": "Centres sociaux", "categorie": "partenaires de projet", "lien": "connue-sans-lien"},
                 {"nom": "Mairies rurales", "categorie": "partenaires de projet", "lien": "aucune"},
                 {"nom": "CAF des Deux-Sèvres", "categorie": "financements", "lien": "operante"},
             ],
             "actions": [
                 {"nom": "Acheter et aménager le bus", "contexte": "Pas de lieu de médiation à l'est",
                  "description": "Véhicule, connexion 4G, six postes.",
                  "porteurs": ["Communauté d'agglomération"], "budgetGlobal": 180000,
                  "coFinancements": [{"membre": "Région Nouvelle-Aquitaine", "montant": 60000},
                                     {"coFinanceur": "CAF", "montant": 25000}],  # earlier files' key
                  "besoins": ["monter_dossiers_de_subvention", "structurer_un_fonds"],
                  "dateDeDebut": "2025-03-01", "dateDeFin": 2026,
                  "destinataires": ["Communauté d'agglomération", "Centre social de l'Est"]},
                 {"nom": FORMULA, "porteurs": ["+33 5 49 00 00 00"], "dateDeDebut": 2026},
             ]},
            {"id": "c-aidants", "code": "2.a", "titre": "Former les agents d'accueil des mairies",
             "defi": "d-form", "service_coordinateur": "Ressources humaines",
             "actions": [{"nom": "Deux sessions de formation par an", "budgetGlobal": 8000,
                          "besoins": ["sensibiliser_les_acteurs_aux_outils_existants"]}]},
            {"id": "c-annuaire", "titre": "Publier un annuaire des lieux de médiation", "enjeu": "e-coop",
             "actions": [{"nom": "Recenser les lieux", "dateDeFin": 2025}]},
            {"id": "c-veille", "code": "9", "titre": "Tenir une veille sur les usages numériques"},
        ],
    })


def plain(text: str) -> str:
    """Spaces (no-break ones too) folded, for comparing extracted text."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


ROADMAP_NAME = "Feuille de route d'inclusion numérique du Val de Sèvre"
BUS = "Chantier 1.a — Déployer un bus numérique itinérant"
# The document's outline, written out: (level, heading) in order.
HEADINGS = [
    (1, "Contexte"),
    (1, "Gouvernance"),
    (1, "Enjeux prioritaires"),
    (2, f"Enjeu 1 — {ENJEUX[0]}"),
    (2, f"Enjeu 2 — {ENJEUX[1]}"),
    (2, f"Enjeu 3 — {ENJEUX[2]}"),
    (1, "Défis, chantiers et actions"),
    (2, "Défi 1 — Promouvoir une médiation numérique mobile et de proximité"),
    (3, BUS),
    (2, "Défi 2 — Former les aidants numériques"),
    (3, "Chantier 2.a — Former les agents d'accueil des mairies"),
    (1, "Chantiers qui ne relèvent pas encore d'un défi"),
    (2, f"Enjeu 3 — {ENJEUX[2]}"),
    (3, "Chantier — Publier un annuaire des lieux de médiation"),
    (2, "Chantiers sans enjeu ni défi"),
    (3, "Chantier 9 — Tenir une veille sur les usages numériques"),
    (1, "Fiches chantier"),
    (2, BUS),
    (3, "Description du chantier"),
    (3, "Gouvernance"),
    (3, "Actions concrètes"),
    (3, "Ressources à mobiliser"),
    (3, "Cartographie des ressources"),
]
# The « Sommaire »: levels 1 and 2 of the outline.
CONTENTS = [(level, text) for level, text in HEADINGS if level <= 2]
# What the text says, in this order: actions and amounts under their chantier, each chantier under
# its défi or enjeu (before the next one's heading), the fiche with its lists and its map.
IN_ORDER = [
    "Territoire", "Communauté d'agglomération du Val de Sèvre", "Type de territoire", "EPCI",
    "Code SIREN", "200041762", "Périmètre", "Groupements de communes",
    "Porteurs", "Communauté d'agglomération du Val de Sèvre ; Département des Deux-Sèvres",
    "Contenu", "3 enjeux, 2 défis, 4 chantiers, 4 actions",
    "Contexte", "Diagnostic du territoire :", "Des communes rurales vieillissantes",
    "Deux quartiers prioritaires",
    "Les ateliers ont réuni 48 acteurs.",
    "Comité de pilotage", "Stratégique", "deux fois par an",
    "Comité technique", "tous les mois",
    "Enjeu 1", ENJEUX[0], "Score : 42 points",
    "atelier « Prospective à dix ans » du 12 mars 2025", "méthode de Borda", "1er au classement",
    "23 bulletins", "accord 78 %",
    "Zones blanches en milieu rural", "Pas de bus numérique",
    "Enjeu 2", ENJEUX[1], "Score : 37,5 points", "accord 61 %",
    "Enjeu 3", ENJEUX[2],
    "Défi 1", "Promouvoir une médiation numérique mobile et de proximité",
    "Chantier 1.a", "Déployer un bus numérique itinérant", "Coordonné par : Cohésion territoriale",
    "Acheter et aménager le bus", "Contexte : Pas de lieu de médiation à l'est",
    "Porteurs : Communauté d'agglomération", "Budget global : 180 000 €",
    "Co-financements : Région Nouvelle-Aquitaine : 60 000 € ; CAF : 25 000 € (total 85 000 €)",
    "Monter des dossiers de subvention complexes", "Structurer un fond local pour l’inclusion numérique",
    "Période : du 1er mars 2025 à 2026",
    "Destinataires de la subvention : Communauté d'agglomération ; Centre social de l'Est",
    "=cmd|' /C calc'!A0", "+33 5 49 00 00 00", "à partir de 2026",
    "Défi 2", "Former les aidants numériques",
    "Chantier 2.a", "Former les agents d'accueil des mairies", "Deux sessions de formation par an",
    "Budget global : 8 000 €", "Sensibiliser les acteur de l’inclusion numérique aux outils existants",
    "Enjeu 3", ENJEUX[2], "Publier un annuaire des lieux de médiation", "Recenser les lieux", "jusqu'en 2025",
    "Chantier 9", "Tenir une veille sur les usages numériques",
    "Fiches chantier", "Chantier 1.a", "Déployer un bus numérique itinérant",
    "Un bus équipé circule dans les communes rurales.",
    "On aura réussi si :", "Chaque commune est desservie une fois par mois",
    "On doit lever des freins :", "Trouver des médiateurs", "Financer le véhicule",
    "Qui pilote : Service cohésion territoriale", "Qui fait : Conseillers numériques",
    "Qui est associé : Centres sociaux, mairies",
    "Intervenants", "Conseillers numériques France Services — opérante",
    "Partenaires de projet", "Centres sociaux — connue, sans lien", "Mairies rurales — aucun lien",
    "Financements", "CAF des Deux-Sèvres — opérante",
    "Cartographie des ressources",
]


def assert_in_order(text: str, expected: list[str] = IN_ORDER) -> None:
    text = plain(text)
    at = 0
    for needle in expected:
        found = text.find(plain(needle), at)
        assert found >= 0, f"« {needle} » missing after …{text[max(0, at - 120):at]}"
        at = found + len(plain(needle))


@pytest.fixture(scope="module")
def data() -> domain.RoadmapFile:
    return sample()


# ---------------------------------------------------------------- DOCX (python-docx)


@pytest.fixture(scope="module")
def docx_file(data):
    from app.exports.roadmap_docx import to_docx

    return to_docx(data)


def test_docx_headings_in_order_with_word_styles(docx_file):
    import docx

    document = docx.Document(io.BytesIO(docx_file))
    styled = [(p.style.name, p.text) for p in document.paragraphs
              if p.style.name.startswith(("Heading", "Title"))]
    assert styled[0] == ("Title", ROADMAP_NAME)
    assert [(int(name.removeprefix("Heading ")), plain(text)) for name, text in styled[1:]] == [
        (level, plain(text)) for level, text in HEADINGS]
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def test_docx_text_actions_amounts_and_map(docx_file):
    import docx

    document = docx.Document(io.BytesIO(docx_file))
    assert_in_order("\n".join(p.text for p in document.paragraphs))
    # One resource map: the only chantier with resources; a PNG picture right after its heading.
    assert len(document.inline_shapes) == 1
    assert document.inline_shapes[0]._inline.docPr.get("descr").startswith("Cartographie des ressources du ")
    texts = [p.text for p in document.paragraphs]
    after = texts.index("Cartographie des ressources")
    picture = document.paragraphs[after + 1]
    blips = picture._p.xpath(".//a:blip/@r:embed")
    assert len(blips) == 1
    blob = document.part.related_parts[blips[0]].blob
    assert blob.startswith(b"\x89PNG")
    assert len(blob) > 20_000  # a drawn map, not an empty image
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Acheter et aménager le bus" in bullets and FORMULA in bullets


def test_docx_sommaire_is_a_toc_field_holding_the_headings_until_updated(docx_file):
    import docx
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(docx_file))
    # Word and LibreOffice are asked to compute the fields on opening; in its place in the settings.
    settings = [child.tag for child in document.settings.element]
    assert settings.count(qn("w:updateFields")) == 1
    flag = document.settings.element.find(qn("w:updateFields"))
    assert flag.get(qn("w:val")) == "true"
    assert settings.index(qn("w:updateFields")) < settings.index(qn("w:compat"))
    # One field, Word's table of contents of levels 1 and 2, as links.
    codes = [code.text for code in document.element.body.iter(qn("w:instrText"))]
    assert codes == [' TOC \\o "1-2" \\h \\z \\u ']
    # Right after the cover: the « Sommaire » title on a new page, in no heading style (not listed).
    paragraphs = document.paragraphs
    at = next(n for n, p in enumerate(paragraphs) if p.text == "Sommaire")
    assert paragraphs[at - 1].text.startswith("Contenu")
    assert paragraphs[at].style.name == "TOC Heading" and paragraphs[at].paragraph_format.page_break_before
    assert paragraphs[at].style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "9"  # body text
    # The field's result until it is computed: the headings, in order, one paragraph each in « toc 1 »
    # or « toc 2 », between the field's separator (first paragraph) and its end (last one).
    entries = paragraphs[at + 1:at + 1 + len(CONTENTS)]
    assert [(p.style.name, plain(p.text)) for p in entries] == [
        (f"toc {level}", plain(text)) for level, text in CONTENTS]
    chars = [(n, char.get(qn("w:fldCharType"))) for n, p in enumerate(entries)
             for char in p._p.iter(qn("w:fldChar"))]
    assert chars == [(0, "begin"), (0, "separate"), (len(CONTENTS) - 1, "end")]
    assert paragraphs[at + 1 + len(CONTENTS)].style.name == "Heading 1"
    # The entries' styles put the page number at the right margin, after dots.
    section = document.sections[0]
    for level in (1, 2):
        (tab,) = document.styles[f"toc {level}"].paragraph_format.tab_stops
        assert (tab.alignment, tab.leader) == (WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        assert tab.position == section.page_width - section.left_margin - section.right_margin


# ---------------------------------------------------------------- ODT (odfpy; odfdo wrote it)


@pytest.fixture(scope="module")
def odt_file(data):
    from app.exports.roadmap_odt import to_odt

    return to_odt(data)


def odt_walk(raw: bytes) -> tuple[list[tuple[str, object, str]], object]:
    """The ODT's body in order: ("h", level, text), ("p", style, text), ("img", href, "")."""
    from odf import teletype
    from odf.opendocument import load

    document = load(io.BytesIO(raw))
    out: list[tuple[str, object, str]] = []

    def visit(node) -> None:
        name = getattr(node, "qname", (None, None))[1]
        if name == "h":
            out.append(("h", int(node.getAttribute("outlinelevel")), teletype.extractText(node)))
        elif name == "p":
            out.append(("p", node.getAttribute("stylename"), teletype.extractText(node)))
        elif name == "image":
            out.append(("img", node.getAttribute("href"), ""))
        for child in node.childNodes:
            if child.nodeType == child.ELEMENT_NODE:
                visit(child)

    visit(document.text)
    return out, document


def test_odt_headings_in_order_with_libreoffice_styles(odt_file):
    body, document = odt_walk(odt_file)
    headings = [(level, plain(text)) for kind, level, text in body if kind == "h"]
    assert headings == [(level, plain(text)) for level, text in HEADINGS]
    # Each heading is in a « Heading n » style, directly or through an automatic style (page break).
    parents = {s.getAttribute("name"): s.getAttribute("parentstylename")
               for s in document.automaticstyles.childNodes if s.qname[1] == "style"}
    from odf import text as odf_text

    for h in document.getElementsByType(odf_text.H):
        style = h.getAttribute("stylename")
        level = h.getAttribute("outlinelevel")
        assert parents.get(style, style) == f"Heading_20_{level}", style
    titles = [text for kind, style, text in body if kind == "p" and style == "Title"]
    assert titles == [ROADMAP_NAME]


def test_odt_text_actions_amounts_and_map(odt_file):
    body, _ = odt_walk(odt_file)
    assert_in_order("\n".join(text for _, _, text in body))
    images = [(n, href) for n, (kind, href, _) in enumerate(body) if kind == "img"]
    assert len(images) == 1
    position, href = images[0]
    assert [text for kind, _, text in body[:position] if kind == "h"][-1] == "Cartographie des ressources"
    with zipfile.ZipFile(io.BytesIO(odt_file)) as archive:
        blob = archive.read(href)
        manifest = archive.read("META-INF/manifest.xml").decode()
    assert blob.startswith(b"\x89PNG") and len(blob) > 20_000
    assert href in manifest


def test_odt_sommaire_is_a_table_of_contents_filled_with_the_headings(odt_file):
    from odf import teletype
    from odf import text as odf_text
    from odf.opendocument import load

    document = load(io.BytesIO(odt_file))
    (toc,) = document.getElementsByType(odf_text.TableOfContent)
    (source,) = toc.getElementsByType(odf_text.TableOfContentSource)
    assert source.getAttribute("outlinelevel") == "2"
    # Each level's template makes LibreOffice write text, dots and page number when it updates it.
    for template in source.getElementsByType(odf_text.TableOfContentEntryTemplate)[:2]:
        parts = [n.qname[1] for n in template.childNodes]
        assert parts == ["index-entry-link-start", "index-entry-text", "index-entry-tab-stop",
                         "index-entry-page-number", "index-entry-link-end"]
    (body,) = toc.getElementsByType(odf_text.IndexBody)
    (title,) = body.getElementsByType(odf_text.IndexTitle)
    assert teletype.extractText(title) == "Sommaire"
    entries = [n for n in body.childNodes if n.qname[1] == "p"]
    assert [(n.getAttribute("stylename"), plain(teletype.extractText(n))) for n in entries] == [
        (f"Contents_20_{level}", plain(text)) for level, text in CONTENTS]
    # Right after the cover, before the first heading; its title starts a page.
    order = [n.qname[1] for n in document.text.childNodes]
    assert order.index("table-of-content") == order.index("h") - 1
    title_style = next(s for s in document.styles.childNodes
                       if s.qname[1] == "style" and s.getAttribute("name") == "Contents_20_Heading")
    (props,) = [n for n in title_style.childNodes if n.qname[1] == "paragraph-properties"]
    assert props.getAttribute("breakbefore") == "page"


# ---------------------------------------------------------------- PDF (pypdf)


@pytest.fixture(scope="module")
def pdf_file(data):
    from app.exports.roadmap_pdf import to_pdf

    return to_pdf(data)


def test_pdf_text_in_order_a4_page_numbers_and_map(pdf_file):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_file))
    # A line the PDF wrapped at a hyphen (« Deux-|Sèvres ») is one word again.
    pages = [page.extract_text().replace("-\n", "-") for page in reader.pages]
    assert len(pages) >= 4
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert_in_order("\n".join(pages), [ROADMAP_NAME, *IN_ORDER])
    # Page numbers after the cover.
    for n, text in enumerate(pages[1:], start=2):
        assert f"page {n} / {len(pages)}" in plain(text)
    # The map is inline SVG, so its words are text: the centre, the resources, the legend.
    last = plain("\n".join(pages[-2:]))
    assert "CHANTIER" in last and "Légende" in last
    assert last.count("CAF des Deux-Sèvres") == 2  # in the list and on the map


def test_pdf_sommaire_gives_each_heading_the_page_it_is_printed_on(pdf_file):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_file))
    pages = [plain(page.extract_text().replace("-\n", "-")) for page in reader.pages]
    # The page after the cover; the first section on the next one.
    assert pages[1].startswith("Sommaire") and pages[2].startswith("Contexte")
    # Each heading's page: where its text is, in order, from the page after the Sommaire (the PDF
    # prints « Enjeu 1 » apart from the question, without the dash).
    printed_on = []
    at_page, at = 2, 0
    for _, text in CONTENTS:
        printed = text.replace(" — ", " ", 1)
        while pages[at_page].find(plain(printed), at) < 0:
            at_page, at = at_page + 1, 0
        at = pages[at_page].find(plain(printed), at) + len(plain(printed))
        printed_on.append(at_page + 1)
    assert printed_on[0] == 3 and printed_on == sorted(printed_on) and len(set(printed_on)) >= 5
    # Each entry of the Sommaire: the heading, dots, the page number.
    listed = []
    at = 0
    for _, text in CONTENTS:
        found = re.compile(re.escape(plain(text)) + r"[ .]*? (\d+)(?: |$)").search(pages[1], at)
        assert found, f"« {text} » not in the Sommaire after …{pages[1][max(0, at - 80):at]}"
        listed.append(int(found.group(1)))
        at = found.end(1)
    assert listed == printed_on
    # And each entry is a link to its heading, whose destination is on that page.
    targets = []
    for annotation in reader.pages[1].get("/Annots", []):
        destination = annotation.get_object()["/Dest"]
        if not targets or targets[-1] != destination:
            targets.append(destination)
    assert len(targets) == len(CONTENTS)
    assert [reader.get_destination_page_number(reader.named_destinations[t]) + 1 for t in targets] == listed


def test_pdf_headings_are_never_the_last_line_of_a_page(pdf_file):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_file))
    headings = {plain(text) for _, text in HEADINGS}
    for page in reader.pages[:-1]:
        lines = [plain(line) for line in page.extract_text().splitlines() if plain(line)]
        body = [line for line in lines if not line.startswith("page ") and line != plain(ROADMAP_NAME)]
        assert body and body[-1] not in headings, body[-3:]


# ---------------------------------------------------------------- Markdown (plain text)


def test_markdown_headings_lists_and_escaping(data):
    from app.exports.roadmap_md import to_md

    text = to_md(data).decode("utf-8")
    headings = [(len(m.group(1)), plain(m.group(2)))
                for m in re.finditer(r"^(#{1,3}) (.+)$", text, flags=re.MULTILINE)]
    assert headings == [(1, plain(ROADMAP_NAME))] + [(level, plain(t)) for level, t in HEADINGS]
    unescaped = text.replace("\\", "")
    assert_in_order(unescaped.replace("**", "").replace("*", ""))
    assert "- **=cmd\\|' /C calc'!A0**" in text  # a list entry, its « | » escaped
    assert "  - Budget global\xa0: 180\xa0000\xa0€\n" in text  # French spacing, no-break


def test_markdown_escapes_typed_text():
    from app.exports.roadmap_md import md_text

    assert md_text("# *gras* [lien](x) <b>") == "\\# \\*gras\\* \\[lien\\](x) \\<b\\>"
    assert md_text("- pas une liste") == "\\- pas une liste"
    assert md_text("1. pas une liste") == "1\\. pas une liste"
    assert md_text("ligne 1\nligne 2", "  ") == "ligne 1  \n  ligne 2"


# ---------------------------------------------------------------- XLSX of actions (openpyxl)

NEEDS_CODES = [
    "etablir_un_diagnostic_territorial", "co_construire_la_feuille_de_route", "rediger_la_feuille_de_route",
    "appui_juridique", "structurer_un_fonds", "monter_dossiers_de_subvention", "animer_la_gouvernance",
    "structurer_une_filiere_de_reconditionnement", "collecter_des_donnees_territoriales",
    "sensibiliser_les_acteurs_aux_outils_existants", "appuyer_la_certification_qualiopi",
]


def test_xlsx_actions_in_platform_fields(data):
    from openpyxl import load_workbook

    from app.exports.roadmap_actions import to_xlsx

    book = load_workbook(io.BytesIO(to_xlsx(data)))
    assert book.sheetnames == ["actions", "besoins"]
    sheet = book["actions"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["nom", "contexte", "description", "porteurs", "budgetGlobal", "coFinancements",
                       "besoins", "dateDeDebut", "dateDeFin", "anneeDeDebut", "anneeDeFin", "destinataires",
                       "chantier", "defi", "enjeux"]
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert len(rows) == 1 + 4
    bus = by_name["Acheter et aménager le bus"]
    assert bus["budgetGlobal"] == 180000 and isinstance(bus["budgetGlobal"], int)
    assert plain(bus["coFinancements"]) == "Région Nouvelle-Aquitaine : 60 000 € ; CAF : 25 000 €"
    assert bus["besoins"] == "monter_dossiers_de_subvention, structurer_un_fonds"
    # a day is a date cell; a year alone only fills the year column, as the platform's form asks
    assert (bus["dateDeDebut"], bus["dateDeFin"]) == (datetime(2025, 3, 1), None)
    assert (bus["anneeDeDebut"], bus["anneeDeFin"]) == (2025, 2026)
    start_cell = sheet.cell(row=1 + 1, column=rows[0].index("dateDeDebut") + 1)
    assert start_cell.is_date and start_cell.number_format == "DD/MM/YYYY"
    assert bus["destinataires"] == "Communauté d'agglomération ; Centre social de l'Est"
    assert bus["porteurs"] == "Communauté d'agglomération"
    assert bus["chantier"] == "1.a — Déployer un bus numérique itinérant"
    assert bus["defi"] == "1 — Promouvoir une médiation numérique mobile et de proximité"
    assert bus["enjeux"] == f"1 — {ENJEUX[0]} ; 3 — {ENJEUX[2]}"
    # The formula is a string cell, shown as typed (never evaluated), like the phone number.
    formula_row = next(n for n, row in enumerate(rows) if row[0] == FORMULA) + 1
    cell = sheet.cell(row=formula_row, column=1)
    assert cell.data_type == "s"
    assert sheet.cell(row=formula_row, column=4).value == "+33 5 49 00 00 00"
    assert by_name[FORMULA]["budgetGlobal"] is None
    loose = by_name["Recenser les lieux"]
    assert loose["chantier"] == "Publier un annuaire des lieux de médiation"
    assert loose["defi"] is None and loose["enjeux"] == f"3 — {ENJEUX[2]}"
    assert (loose["dateDeDebut"], loose["dateDeFin"], loose["anneeDeDebut"], loose["anneeDeFin"]) == (
        None, None, None, 2025)
    order = [row[0] for row in rows[1:]]
    assert order == ["Acheter et aménager le bus", FORMULA, "Deux sessions de formation par an",
                     "Recenser les lieux"]
    needs = [[c.value for c in row] for row in book["besoins"].iter_rows()]
    assert needs[0] == ["code", "libellé"]
    assert [row[0] for row in needs[1:]] == NEEDS_CODES
    assert dict(needs[1:]) == domain.BESOINS  # the platform's labels


# ---------------------------------------------------------------- JSON, names, the map


def test_json_is_the_file_format_and_reimports(data):
    from app.exports.roadmap_files import write

    content, filename, media_type = write(data, "json")
    assert filename == "feuille-de-route-communaute-d-agglomeration-du-val-de-sevre.json"
    assert media_type == "application/json"
    assert domain.parse_file(content) == data
    assert json.loads(content)["schema"] == "cap-partage/feuille-de-route"


def test_file_names_and_unknown_format(data):
    from app.domain.errors import NotFound
    from app.exports.roadmap_files import write

    _, filename, media_type = write(data, "xlsx")
    assert filename == "feuille-de-route-communaute-d-agglomeration-du-val-de-sevre-actions.xlsx"
    assert media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _, filename, media_type = write(data, "md")
    assert filename.endswith(".md") and media_type.startswith("text/markdown")
    with pytest.raises(NotFound):
        write(data, "exe")


def test_resource_map_lines_follow_link_states(data):
    from xml.etree import ElementTree

    from app.exports.resource_map_svg import chantier_map_svg

    bus = data.chantiers[0]
    svg = ElementTree.fromstring(chantier_map_svg(bus))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    ns = {"s": "http://www.w3.org/2000/svg"}
    links = svg.findall(".//s:g[@class='rm-links']/s:line", ns)
    dashed = [line for line in links if line.get("stroke-dasharray")]
    # Two operating resources: solid; one known without a link: dotted; « aucun lien »: no line.
    assert (len(links) - len(dashed), len(dashed)) == (2, 1)
    words = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "Mairies rurales" in words and "Légende" in words and "1.a" in words


def test_characters_a_document_cannot_hold_do_not_break_it(data):
    from app.exports.roadmap_files import write

    broken = data.model_copy(deep=True)
    broken.chantiers[0].title = "Bus\x01 numérique\x0b"
    for fmt in ("docx", "odt", "md"):
        content, _, _ = write(broken, fmt)
        assert content
    assert "Bus\ufffd numérique" in write(broken, "md")[0].decode()


def test_french_numbers():
    from app.domain.french import euros, number, percent

    assert number(1234567) == "1\xa0234\xa0567"
    assert number(37.5) == "37,5" and number(3.456) == "3,46"
    assert number(3.001) == "3" and number(42.0) == "42"
    assert euros(20000) == "20\xa0000\xa0€" and percent(0.784) == "78\xa0%"


def test_an_empty_roadmap_is_a_short_document_in_every_format():
    from pypdf import PdfReader

    from app.exports.roadmap_files import FORMATS, write

    empty = domain.RoadmapFile.model_validate({
        "territoire": {"nom": "Saint-Yrieix-la-Perche", "type": "commune"},
        "feuille_de_route": {"nom": "Première feuille de route"}})
    files = {fmt: write(empty, fmt)[0] for fmt in FORMATS}
    assert all(files.values())
    text = plain("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages))
    assert_in_order(text, ["Première feuille de route", "Territoire", "Saint-Yrieix-la-Perche", "Commune",
                           "Contenu", "0 enjeu, 0 défi, 0 chantier, 0 action", "Enjeux prioritaires",
                           "Aucun enjeu, défi ni chantier n'est encore inscrit dans cette feuille de route."])
    assert "Fiches chantier" not in text and "Code INSEE" not in text
    assert "Défis, chantiers et actions" not in text  # no section page to say there is nothing


def document_text(fmt: str, content: bytes) -> str:
    """The words a reader sees in a roadmap document, whatever its format."""
    if fmt == "md":
        return plain(content.decode().replace("**", ""))
    if fmt == "pdf":
        from pypdf import PdfReader

        return plain("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    if fmt == "odt":
        return plain("\n".join(text for _, _, text in odt_walk(content)[0]))
    import docx

    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return plain("\n".join([p.text for p in document.paragraphs] + cells))


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "md"])
def test_a_voted_enjeu_prints_its_score_once_in_the_methods_unit(fmt):
    from app.exports.roadmap_files import write

    voted = domain.RoadmapFile.model_validate({
        "territoire": {"nom": "Boulazac", "type": "commune"},
        "feuille_de_route": {"nom": "Feuille"},
        "enjeux": [
            # as promotion writes them from a Borda, a Schulze and a majority judgment vote
            {"id": "e1", "question": "Mieux équiper les lieux ?", "score": 63, "score_libelle": "63 pts"},
            {"id": "e2", "question": "Mieux se connaître ?", "score": 2, "score_libelle": "bat 2 sur 3"},
            {"id": "e3", "question": "Mieux orienter ?", "score_libelle": "très prioritaire"},
            # as a file may give them: a bare number, a number and its unit
            {"id": "e4", "question": "Mieux former ?", "score": 37.5},
            {"id": "e5", "question": "Mieux collecter ?", "score": 12, "score_libelle": "points"},
        ]})
    text = document_text(fmt, write(voted, fmt)[0])
    for shown in ("63 pts", "bat 2 sur 3", "très prioritaire", "37,5", "12 points"):
        assert text.count(f"Score : {shown}") == 1, (shown, text)
    assert "63 63" not in text and "2 bat" not in text and "12 12" not in text


def young(defis: int, attached: int, chantiers: int = 0) -> domain.RoadmapFile:
    """A roadmap still being built: 4 enjeux, ``defis`` défis of which the first ``attached`` answer
    enjeu 1, and ``chantiers`` chantiers under the first défi, none with an action."""
    return domain.RoadmapFile.model_validate({
        "territoire": {"nom": "Boulazac", "type": "commune"},
        "feuille_de_route": {"nom": "Feuille en cours"},
        "enjeux": [{"id": f"e{n}", "question": q} for n, q in enumerate(ENJEUX[:4])],
        "defis": [{"id": f"d{n}", "titre": f"Défi numéro {n}", "enjeux": ["e0"] if n <= attached else []}
                  for n in range(1, defis + 1)],
        "chantiers": [{"id": f"c{n}", "code": f"1.{'abcdef'[n]}", "titre": f"Chantier {n}", "defi": "d1"}
                      for n in range(chantiers)],
    })


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "md"])
def test_a_young_roadmap_says_what_is_missing_in_one_sentence(fmt):
    from app.exports.roadmap_files import write

    # enjeux only: one sentence, and no section page to say there are no défis
    text = document_text(fmt, write(young(0, 0), fmt)[0])
    assert text.count("leurs défis, leurs chantiers et leurs actions restent à définir") == 1
    assert "Défis, chantiers et actions" not in text.replace("Sommaire", "")
    assert "Aucun" not in text and "Pas encore" not in text
    # six défis, none attached to an enjeu, none with a chantier: two sentences, not twelve
    text = document_text(fmt, write(young(6, 0), fmt)[0])
    assert text.count("Aucun défi n'est encore rattaché à un enjeu.") == 1
    assert text.count("Aucun défi n'a encore de chantier.") == 1
    assert text.count("encore") == 2 and "Pas encore" not in text
    # some of each: named once
    text = document_text(fmt, write(young(4, 1, chantiers=3), fmt)[0])
    assert text.count("Les défis 2, 3 et 4 ne sont encore rattachés à aucun enjeu.") == 1
    assert text.count("Les défis 2, 3 et 4 n'ont pas encore de chantier.") == 1
    assert text.count("Aucun de ces chantiers n'a encore d'action concrète.") == 1
    assert text.count("encore") == 3
