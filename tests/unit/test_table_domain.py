"""Pure rules of the chantier table (cells, sections, arrangement) and of the resource map
(valid resources, and where the map draws them)."""

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import resource_map as rm
from app.domain import tables as t
from app.domain.errors import DomainError
from app.domain.workshop_templates import DEFAULT_RESOURCE_CATEGORIES, RESOURCE_LINK_STATES

COLUMNS = t.columns_of({})


# ---------------------------------------------------------------- cells


def test_default_columns_are_the_fiche_outil_3():
    assert [c.key for c in COLUMNS] == ["title", "objectives", "actions", "pilot", "doers", "associates",
                                        "resources_available", "resources_needed", "obstacles"]
    assert not COLUMNS[0].multiline and all(c.multiline for c in COLUMNS[1:])
    assert COLUMNS[1].short == "On aura réussi si…"
    budget = {"key": "budget", "label": "Budget prévisionnel du chantier, en euros"}
    custom = t.columns_of({"columns": [{"key": "title", "label": "Titre"}, budget]})
    assert custom[1].short == "Budget prévisionnel du…"


def test_cells_are_cleaned_and_limited():
    title, objectives = COLUMNS[0], COLUMNS[1]
    assert t.clean_cell("  Faciliter\nl'accès\r\n aux  services ", title) == "Faciliter l'accès aux services"
    raw = "Si les services sont utilisés   \r\nSi on a une accessibilité\u0007"
    assert t.clean_cell(raw, objectives) == "Si les services sont utilisés\nSi on a une accessibilité"
    assert t.clean_cell("e\u0301", title) == "é"  # NFC
    assert t.clean_cell("x" * 2000, objectives) == "x" * 2000
    with pytest.raises(DomainError, match="2001 caractères ; 2000 au maximum"):
        t.clean_cell("x" * 2001, objectives)
    with pytest.raises(DomainError, match="« Titre du chantier »"):
        t.clean_cell("x" * 2001, title)


def test_only_the_tables_columns_are_accepted():
    assert t.clean_cells({"title": " A ", "pilot": "CC"}, COLUMNS) == {"title": "A", "pilot": "CC"}
    with pytest.raises(DomainError, match="Colonne inconnue : « budget »"):
        t.clean_cells({"title": "A", "budget": "1 €"}, COLUMNS)


def test_an_edit_keeps_the_other_cells_and_a_title():
    current = {"title": "A", "pilot": "CC", "doers": "Service enfance"}
    assert t.merged_cells(current, {"pilot": "Région", "doers": ""}) == {"title": "A", "pilot": "Région"}
    with pytest.raises(DomainError, match="titre"):
        t.merged_cells(current, {"title": ""})
    with pytest.raises(DomainError, match="titre"):
        t.merged_cells({}, {"pilot": "CC"})
    assert t.changed_columns(current, {**current, "pilot": "Région"}, COLUMNS) == ["pilot"]
    assert t.filled(current, COLUMNS) == 3


def test_abridged_cells_are_cut_at_a_word_on_one_line():
    actions = "- Mettre en place une meilleure communication\n- Itinérance des services\n\n- Réseau"
    assert t.one_line(actions) == \
        "Mettre en place une meilleure communication · Itinérance des services · Réseau"
    assert t.abridge("court", 10) == "court"
    cut = t.abridge("Faciliter l'accès aux services numériques et les déplacements", 30)
    assert cut == "Faciliter l'accès aux…" and len(cut) <= 30
    assert t.abridge("x" * 50, 10) == "x" * 9 + "…"


# ---------------------------------------------------------------- sections and rows


@dataclass
class Row:
    id: int
    section: str
    group_id: int | None
    position: int
    hidden: bool = False


def test_sections_fixed_from_items_or_a_single_one():
    assert t.fixed_sections(None) == [t.Section("0", "", 1)]
    assert t.fixed_sections(["A", "B"]) == [t.Section("0", "A", 1), t.Section("1", "B", 2)]
    assert t.item_sections([(12, "Former"), (7, "Équiper")]) == [t.Section("item-12", "Former", 1),
                                                                  t.Section("item-7", "Équiper", 2)]
    assert t.check_section("1", t.fixed_sections(["A", "B"])).label == "B"
    with pytest.raises(DomainError, match="Enjeu inconnu"):
        t.check_section("2", t.fixed_sections(["A", "B"]))


def test_rows_by_section_then_sub_group_then_creation():
    sections = t.fixed_sections(["A", "B"])
    rows = [Row(1, "0", 20, 1), Row(2, "0", 10, 1), Row(3, "1", 10, 1), Row(4, "0", 20, 2),
            Row(5, "0", 10, 2), Row(6, "9", 10, 1), Row(7, "0", None, 1)]
    arranged = t.arrange(sections, rows, [10, 20])
    assert [s.section.key for s in arranged] == ["0", "1", t.ORPHAN_KEY]
    first = arranged[0]
    assert [(g.group_id, [r.id for r in g.rows]) for g in first.groups] == [(10, [2, 5]), (20, [1, 4]),
                                                                             (None, [7])]
    assert first.count == 5 and [r.id for r in first.rows] == [2, 5, 1, 4, 7]
    assert arranged[2].section.number == 0 and arranged[2].rows[0].id == 6
    assert t.arrange(sections, [], [10])[1].count == 0
    assert len(t.arrange(sections, [])) == 2  # no orphan section when nothing is orphaned
    assert t.next_position([]) == 1 and t.next_position([1, 4, 2]) == 5


# ---------------------------------------------------------------- resources


def test_resource_names_states_and_categories():
    assert rm.clean_name("  Conseillers\tnumériques \n") == "Conseillers numériques"
    assert rm.name_key("Conseillers  NUMÉRIQUES") == rm.name_key("conseillers numériques")
    with pytest.raises(DomainError, match="nom"):
        rm.clean_name(" \u200b ".replace("\u200b", " "))
    with pytest.raises(DomainError, match="121 caractères ; 120 au maximum"):
        rm.clean_name("x" * 121)
    assert set(rm.LINE_STYLES) == set(RESOURCE_LINK_STATES)
    for state in RESOURCE_LINK_STATES:
        assert rm.check_state(state) == state
    with pytest.raises(DomainError, match="État de lien inconnu"):
        rm.check_state("solide")
    assert rm.check_category(" intervenants ", DEFAULT_RESOURCE_CATEGORIES) == "intervenants"
    with pytest.raises(DomainError, match="Catégorie inconnue"):
        rm.check_category("Intervenants", DEFAULT_RESOURCE_CATEGORIES)
    with pytest.raises(DomainError, match="281 caractères"):
        rm.clean_note("x" * 281)


def test_wrap_keeps_words_and_marks_what_is_cut():
    assert rm.wrap("Réseau local tiers-lieux", 12, 3) == ("Réseau local", "tiers-lieux")
    assert rm.wrap("Robotique, informatique, outils numériques (fixe ou itinérants)", 20, 2) == \
        ("Robotique,", "informatique, outil…")
    assert rm.wrap("x" * 25, 10, 3) == ("x" * 10, "x" * 10, "x" * 5)
    assert rm.wrap("", 10, 2) == ("",)


SEED_004 = [  # the resource map of chantier 1.b, Grand Périgueux (seed 004)
    ("Centres sociaux/Espaces Vie sociale", "partenaires de projet", "operante"),
    ("Réseau local CnFS", "partenaires de projet", "connue-sans-lien"),
    ("Communes (périscolaire, ALSH)", "partenaires de projet", "operante"),
    ("Réseau local tiers-lieux", "partenaires de projet", "connue-sans-lien"),
    ("Robotique, informatique, outils numériques (fixe ou itinérants)", "ressources matérielles", "aucune"),
    ("Animateurs ALSH formés et/ou en formation", "intervenants", "operante"),
    ("Conseillers numériques", "intervenants", "connue-sans-lien"),
    ("Animateurs Bus numérique Grand Périgueux", "intervenants", "connue-sans-lien"),
    ("Fab Lab du territoire/tiers-lieux", "intervenants", "aucune"),
    ("Partenaires sociaux (CAF…)", "financements", "operante"),
    ("Contribution en compétences et/ou en matériel (ex. conseillers numériques, bénévoles experts, "
     "outils num., robots…)", "financements", "connue-sans-lien"),
]


def _resources(spec) -> list[rm.MapResource]:
    return [rm.MapResource(n, name, cat, state) for n, (name, cat, state) in enumerate(spec, 1)]


def _inside(box: rm.Box) -> bool:
    return box.x >= 0 and box.y >= 0 and box.right <= rm.WIDTH and box.bottom <= rm.HEIGHT


def _check(m: rm.MapLayout, resources: list[rm.MapResource]) -> None:
    boxes = [n.box for n in m.nodes] + [c.header for c in m.clusters] + \
        [c.more for c in m.clusters if c.more]
    for box in [*boxes, m.center, m.legend]:
        assert _inside(box), box
    for i, a in enumerate(boxes):
        assert not a.overlaps(m.center) and not a.overlaps(m.legend)
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    shown = {n.resource.id for n in m.nodes}
    assert len(shown) == len(m.nodes)
    assert sum(c.total for c in m.clusters) == len(resources)
    assert len(shown) + sum(c.hidden_count for c in m.clusters) == len(resources)
    by_id = {n.resource.id: n for n in m.nodes}
    for link in m.links:
        node = by_id[link.resource_id]
        assert link.style == rm.LINE_STYLES[node.resource.state]
        assert link.x1 in (m.center.x, m.center.right) and m.center.y <= link.y1 <= m.center.bottom
        assert link.x2 in (node.box.x, node.box.right) and link.y2 == round(node.box.cy, 1)
    linked = {link.resource_id for link in m.links}
    assert linked == {n.resource.id for n in m.nodes if n.resource.state != "aucune"}
    # Each category's count badge and label stay in its column, where no line goes: no line crosses them.
    for c in m.clusters:
        column = rm.Box(c.header.x, 0, rm.NODE_W, rm.HEIGHT)
        width = len(c.label) * c.label_font * rm.CHAR_W * rm.BOLD_W
        x = c.badge.right + 10 if c.side == "left" else c.badge.x - 10 - width
        label = rm.Box(x, c.header.y, width, rm.HEADER_H)
        assert c.category.startswith(c.label.removesuffix("…")) and c.label_font >= rm.LABEL_MIN_FONT
        for box in (c.badge, label):
            assert column.x <= box.x and box.right <= column.right, (c.category, box)
            for link in m.links:
                assert not _crosses(link, box), (c.category, box, link)


def _crosses(link: rm.Link, box: rm.Box) -> bool:
    """Whether the segment of ``link`` meets ``box`` (Liang–Barsky clipping)."""
    dx, dy = link.x2 - link.x1, link.y2 - link.y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, link.x1 - box.x), (dx, box.right - link.x1), (-dy, link.y1 - box.y),
                 (dy, box.bottom - link.y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def test_the_segment_test_itself():
    box = rm.Box(10, 10, 10, 10)
    assert _crosses(rm.Link(1, "solid", 0, 0, 30, 30), box)
    assert _crosses(rm.Link(1, "solid", 15, 15, 40, 0), box)
    assert not _crosses(rm.Link(1, "solid", 0, 0, 30, 5), box)
    assert not _crosses(rm.Link(1, "solid", 0, 25, 9, 0), box)


def test_before_the_fix_the_seed_004_line_crossed_the_long_category_label():
    # « Intervenants dans les ALSH (4) » written at 26 px from the column's edge ran past it, into
    # the line going to its first resource: what the geometric check above now rules out.
    names = {"partenaires de projet": "Partenaires de projet",
             "ressources matérielles": "Ressources matérielles",
             "intervenants": "Intervenants dans les ALSH", "financements": "Financements"}
    resources = [rm.MapResource(r.id, r.name, names[r.category], r.state) for r in _resources(SEED_004)]
    m = rm.layout("1.b Développer des actions à destination des jeunes (3 à 14 ans)", list(names.values()),
                  resources)
    _check(m, resources)
    cluster = next(c for c in m.clusters if c.category == "Intervenants dans les ALSH")
    old_label = rm.Box(cluster.header.x, cluster.header.y, len("Intervenants dans les ALSH (4)") * 26 * 0.6,
                       rm.HEADER_H)
    assert any(_crosses(link, old_label) for link in m.links)
    assert cluster.label == "Intervenants dans les ALSH" and cluster.label_font < rm.LABEL_FONT


def test_the_seed_004_map():
    resources = _resources(SEED_004)
    m = rm.layout("Développer des actions à destination des jeunes (3 à 14 ans)",
                  list(DEFAULT_RESOURCE_CATEGORIES), resources)
    _check(m, resources)
    assert [c.category for c in m.clusters] == ["partenaires de projet", "intervenants",
                                                "ressources matérielles", "financements"]
    assert [c.side for c in m.clusters] == ["left", "left", "right", "right"]
    assert m.density == rm.DENSITIES[0] and all(c.more is None for c in m.clusters)
    styles = sorted(link.style for link in m.links)
    assert styles == ["dotted"] * 5 + ["solid"] * 4
    assert m.center_lines[0].startswith("Développer")
    # Lines leave the chantier spread along its side, not from one point.
    assert len({link.y1 for link in m.links if link.x1 == m.center.x}) > 3


def test_a_crowded_map_gets_denser_then_shows_how_many_are_left_out():
    crowded = _resources([(f"Ressource numéro {n} avec un nom assez long pour deux lignes", cat, "operante")
                          for cat in DEFAULT_RESOURCE_CATEGORIES for n in range(7)])
    m = rm.layout("Chantier", list(DEFAULT_RESOURCE_CATEGORIES), crowded)
    _check(m, crowded)
    assert m.density != rm.DENSITIES[0] and not any(c.more for c in m.clusters)
    huge = _resources([(f"R{n}", "intervenants", "connue-sans-lien") for n in range(60)])
    m = rm.layout("Chantier", list(DEFAULT_RESOURCE_CATEGORIES), huge)
    _check(m, huge)
    cluster = next(c for c in m.clusters if c.category == "intervenants")
    assert cluster.more is not None and cluster.hidden_count > 0 and cluster.total == 60


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12).flatmap(lambda k: st.tuples(
    st.just([f"catégorie {i}" for i in range(k)]),
    st.lists(st.tuples(st.text(min_size=1, max_size=120).map(lambda s: s.strip() or "x"),
                       st.integers(0, k - 1), st.sampled_from(list(RESOURCE_LINK_STATES))),
             max_size=80))))
def test_any_map_stays_inside_the_screen_without_overlaps(case):
    categories, spec = case
    categories = [f"{name} {'x' * (7 * i % 50)}" for i, name in enumerate(categories)]  # short and long
    resources = [rm.MapResource(n, name, categories[c], state) for n, (name, c, state) in enumerate(spec)]
    _check(rm.layout("Un chantier " * 12, categories, resources), resources)
