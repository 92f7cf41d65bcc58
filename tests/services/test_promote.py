"""From a played workshop to a roadmap (app/services/promotion/): the candidates are the enjeux a
ranking kept, the visible rows of a chantier table and the visible resources of a resource map;
promoting them creates enjeux (with their provenance), chantiers (with their actions and
resources) and a chantier's resources; promoting again adds nothing twice; unknown ids are refused
before anything is written."""

import re
from dataclasses import dataclass
from fractions import Fraction

import pytest
from sqlmodel import Session, func, select
from starlette.datastructures import FormData

from app.domain import roadmap as domain
from app.domain.errors import DomainError, NotFound
from app.models import (
    Action,
    Chantier,
    Enjeu,
    Item,
    Participant,
    Resource,
    ResourceLink,
    Roadmap,
    RoadmapWorkshop,
    TableRow,
    Workshop,
)
from app.services import (
    flow,
    items,
    promotion,
    rankings,
    resource_maps,
    roadmap_edit,
    roadmaps,
    tables,
    workshops,
)
from app.services.promotion import NEW_CHANTIER, Summary

TEMPLATE = """\
title: Atelier des chantiers
groups: [Groupe 1, Groupe 2]
activities:
  - kind: postits
    id: idees
    title: Vos idées
  - kind: ranking
    id: enjeux
    title: Les enjeux candidats
    items_from: {activity: idees, take: merged}
    keep: 2
  - kind: table
    id: chantiers
    title: Les chantiers clés
    rows_from: {activity: enjeux}
    use_groups: true
    columns:
      - key: title
        label: Titre du chantier
        multiline: false
      - key: objectives
        label: On aura réussi si
      - key: actions
        label: Actions
      - key: pilot
        label: "Qui pilote ?"
      - key: resources_available
        label: Ressources mobilisables
      - key: resources_needed
        label: Ressources à mobiliser
      - key: calendrier
        label: Calendrier prévu
  - kind: resources
    id: carte
    title: La carte des ressources
    chantier: Former les aidants numériques
"""
FORMER, ORIENTER, EQUIPER = "Former les aidants numériques", "Mieux orienter", "Équiper les lieux"
BALLOTS = [[FORMER, ORIENTER, EQUIPER], [FORMER, EQUIPER, ORIENTER], [ORIENTER, FORMER, EQUIPER]]
MODELS = (Roadmap, Enjeu, Chantier, Action, Resource, RoadmapWorkshop)


@dataclass
class Played:
    room: object
    workshop: Workshop
    ranked: dict[str, Item]  # the ranking's items by text
    rows: list[TableRow]  # visible rows: Groupe 1's, then Groupe 2's
    hidden_row: TableRow
    links: list[ResourceLink]  # visible resources of the map
    hidden_link: ResourceLink
    carte_id: int


def play(make_room, screens) -> Played:
    """Post-its (two merged), a ranking of the merged notes (3 ballots, the first 2 kept), a chantier
    table filled by two sub-groups, a resource map; one row and one resource hidden."""
    room = make_room(TEMPLATE)
    session = room.session
    notes = room.activity("idees")
    workshops.set_state(session, notes, "open", publisher=screens)
    alice, bob, carol = room.join("Alice"), room.join("Bob"), room.join("Carol")
    posted = {}
    for n, (who, text) in enumerate([(alice, "Former les aidants"), (bob, "Des aidants formés"),
                                     (carol, ORIENTER), (alice, EQUIPER)]):
        posted[text], _ = items.post(session, who, notes.id, text, client_key=f"cle-note-{n:04}",
                                     publisher=screens)
    workshops.set_state(session, notes, "closed", publisher=screens)
    items.merge(session, notes, [posted["Former les aidants"].id, posted["Des aidants formés"].id], FORMER,
                publisher=screens)

    ranking = room.activity("enjeux")
    flow.set_state(session, ranking, "open", publisher=screens)  # copies the merged notes
    ranked = {i.text: i for i in rankings.all_items(session, ranking.id)}
    assert sorted(ranked) == sorted([FORMER, ORIENTER, EQUIPER])
    for who, ballot in zip((alice, bob, carol), BALLOTS, strict=True):
        rankings.cast(session, who, ranking.id, ",".join(str(ranked[t].id) for t in ballot),
                      publisher=screens)
    workshops.set_state(session, ranking, "closed", publisher=screens)
    rankings.keep_top(session, ranking, 2, publisher=screens)

    table = room.activity("chantiers")
    workshops.set_state(session, table, "open", publisher=screens)
    g1, g2 = workshops.groups_of(session, room.workshop.id)
    first, _ = tables.create_row(session, alice, table.id, f"item-{ranked[FORMER].id}", {
        "title": "Un guichet unique",
        "objectives": "- Les aidants sont formés\n- Les lieux sont ouverts",
        "actions": "Former 20 aidants\n\nOuvrir le samedi",
        "pilot": "L'agglomération",
        "resources_available": "La CAF\nLa MSA",
        "resources_needed": "Un local",
        "calendrier": "2025",
    }, "cle-ligne-0001", g1.id, publisher=screens)
    second, _ = tables.create_row(session, bob, table.id, f"item-{ranked[ORIENTER].id}",
                                  {"title": "Un annuaire", "actions": "Recenser les lieux"},
                                  "cle-ligne-0002", g2.id, publisher=screens)
    hidden_row, _ = tables.create_row(session, carol, table.id, f"item-{ranked[FORMER].id}",
                                      {"title": "Un doublon"}, "cle-ligne-0003", g1.id, publisher=screens)
    tables.set_hidden(session, table, hidden_row, True, publisher=screens)

    carte = room.activity("carte")
    workshops.set_state(session, carte, "open", publisher=screens)
    caf, _ = resource_maps.add(session, alice, carte.id, "La CAF", "financements", "operante",
                               "cle-ress-0001", publisher=screens)
    media, _ = resource_maps.add(session, bob, carte.id, "Médiathèque", "partenaires de projet",
                                 "connue-sans-lien", "cle-ress-0002", publisher=screens)
    hidden_link, _ = resource_maps.add(session, carol, carte.id, "Erreur", "intervenants", "aucune",
                                       "cle-ress-0003", publisher=screens)
    resource_maps.set_hidden(session, carte, hidden_link, True, publisher=screens)
    return Played(room, room.workshop, ranked, [first, second], hidden_row, [caf, media], hidden_link,
                  carte.id)


def new_roadmap(session: Session, owner_id: int, name: str = "Feuille de route du Val") -> Roadmap:
    return roadmaps.create(session, owner_id, domain.Territory(name="Val de Lune", kind="epci"),
                           domain.RoadmapInfo(name=name))


def counts(session: Session) -> tuple[int, ...]:
    return tuple(session.exec(select(func.count()).select_from(model)).one() for model in MODELS)


def borda_points(ballots: list[list[str]]) -> dict[str, int]:
    points: dict[str, int] = {}
    for ballot in ballots:
        for position, text in enumerate(ballot):
            points[text] = points.get(text, 0) + len(ballot) - 1 - position
    return points


def kendall_w(ballots: list[list[str]]) -> float:
    """W = 12 S / (n² (m³ − m)), S the squared deviations of the rank sums from their mean."""
    n, m = len(ballots), len(ballots[0])
    sums: dict[str, int] = {}
    for ballot in ballots:
        for rank, text in enumerate(ballot, start=1):
            sums[text] = sums.get(text, 0) + rank
    mean = Fraction(n * (m + 1), 2)
    return float(12 * sum((s - mean) ** 2 for s in sums.values()) / (n * n * (m**3 - m)))


# ---------------------------------------------------------------- candidates


def test_the_candidates_of_a_played_workshop(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    found = promotion.candidates(session, roadmap, played.workshop)
    assert not found.empty

    points = borda_points(BALLOTS)
    assert points == {FORMER: 5, ORIENTER: 3, EQUIPER: 1}
    [ranking] = found.kinds["ranking"]
    assert ranking.activity.id == played.room.activity("enjeux").id
    assert [(c.item.id, c.rank, c.score_label, c.score, c.promoted) for c in ranking.enjeux] == [
        (played.ranked[FORMER].id, 1, "5 pts", 5.0, False),
        (played.ranked[ORIENTER].id, 2, "3 pts", 3.0, False),
    ]
    # The post-its behind each enjeu: the merged note's originals; the copied note itself.
    assert [c.sources for c in ranking.enjeux] == [["Former les aidants", "Des aidants formés"], [ORIENTER]]

    [table] = found.kinds["table"]
    shown = [(s.label, [(r.row.id, r.title, r.group, r.promoted) for r in s.rows]) for s in table.sections]
    assert shown == [
        (FORMER, [(played.rows[0].id, "Un guichet unique", "Groupe 1", False)]),
        (ORIENTER, [(played.rows[1].id, "Un annuaire", "Groupe 2", False)]),
    ]
    [carte] = found.kinds["resources"]
    assert (carte.activity.id, carte.chantier, carte.target) == (played.carte_id, FORMER, None)
    assert [r.id for r in carte.resources] == [link.id for link in played.links]


def test_an_unplayed_workshop_has_nothing_to_give(make_room, screens):
    room = make_room(TEMPLATE)
    found = promotion.candidates(room.session, new_roadmap(room.session, room.owner.id), room.workshop)
    assert [r.enjeux for r in found.kinds["ranking"]] == [[]]
    assert [t.sections for t in found.kinds["table"]] == [[]]
    assert [m.resources for m in found.kinds["resources"]] == [[]]
    assert found.empty


# ---------------------------------------------------------------- the page's choices


def test_every_promoting_kind_has_its_step_enjeux_first():
    assert list(promotion.PROMOTIONS) == ["ranking", "table", "resources"]


def test_the_choices_are_read_from_the_page_form():
    form = FormData([("atelier", "3"), ("enjeu", "7"), ("enjeu", " 5 "), ("ligne", "9"),
                     ("carte-4", " nouveau "), ("carte-6", "")])
    assert promotion.choices(form) == {"ranking": [7, 5], "table": [9], "resources": {4: "nouveau", 6: ""}}
    assert promotion.choices(FormData()) == {"ranking": [], "table": [], "resources": {}}
    for field, message in [(("enjeu", "abc"), "Enjeu(x) : choix illisible."),
                           (("ligne", "-1"), "Ligne(s) du tableau : choix illisible."),
                           (("carte-x", "1"), "Choix de chantier illisible pour une cartographie.")]:
        with pytest.raises(DomainError, match=f"^{re.escape(message)}$"):
            promotion.choices(FormData([field]))


# ---------------------------------------------------------------- promoting


def test_promoting_everything_creates_enjeux_chantiers_actions_and_resources(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    stamped = roadmap.updated_at
    former, orienter = played.ranked[FORMER], played.ranked[ORIENTER]
    # Ids in any order: the enjeux arrive in the ranking's order.
    summary = promotion.promote(session, roadmap, played.workshop, {
        "ranking": [orienter.id, former.id],
        "table": [r.id for r in played.rows],
        "resources": {played.carte_id: NEW_CHANTIER},
    })
    assert summary == Summary(enjeux=2, chantiers=2, actions=3, resources=2, skipped=0)

    enjeux = roadmaps.enjeux_of(session, roadmap.id)
    date = played.workshop.created_at.date().isoformat()
    agreement = round(kendall_w(BALLOTS), 3)
    assert agreement == 0.444  # rank sums 4, 6, 8 around a mean of 6: 12 × 8 / (9 × 24)
    assert [(e.position, e.question, e.score, e.score_label, e.source_item_id, e.provenance)
            for e in enjeux] == [
        (0, FORMER, 5.0, "5 pts", former.id, {
            "atelier": "Atelier des chantiers", "date": date, "activite": "Les enjeux candidats",
            "methode": "méthode de Borda", "rang": 1, "bulletins": 3, "accord": agreement, "sensibilite": "",
            "contributions": ["Former les aidants", "Des aidants formés"]}),
        (1, ORIENTER, 3.0, "3 pts", orienter.id, {
            "atelier": "Atelier des chantiers", "date": date, "activite": "Les enjeux candidats",
            "methode": "méthode de Borda", "rang": 2, "bulletins": 3, "accord": agreement, "sensibilite": "",
            "contributions": [ORIENTER]}),
    ]

    chantiers = roadmaps.chantiers_of(session, roadmap.id)
    assert [(c.position, c.title, c.enjeu_id, c.source_row_id, c.defi_id) for c in chantiers] == [
        (0, "Un guichet unique", enjeux[0].id, played.rows[0].id, None),
        (1, "Un annuaire", enjeux[1].id, played.rows[1].id, None),
        (2, FORMER, None, None, None),
    ]
    guichet, annuaire, carte = chantiers
    # A row's cells: lines become lists, an extra column goes to the description with its label.
    assert (guichet.objectives, guichet.obstacles, guichet.pilot, guichet.doers, guichet.description,
            guichet.coordinator) == (["Les aidants sont formés", "Les lieux sont ouverts"], [],
                                     "L'agglomération", "", "Calendrier prévu : 2025",
                                     "Proposé par « Groupe 1 »")
    assert annuaire.coordinator == "Proposé par « Groupe 2 »"
    assert [(a.position, a.name) for a in roadmaps.actions_of(session, guichet.id)] == [
        (0, "Former 20 aidants"), (1, "Ouvrir le samedi")]
    assert [(a.position, a.name) for a in roadmaps.actions_of(session, annuaire.id)] == [
        (0, "Recenser les lieux")]
    assert [(r.position, r.name, r.category, r.link, r.source_link_id)
            for r in roadmaps.resources_of(session, guichet.id)] == [
        (0, "La CAF", "Ressources mobilisables", "connue-sans-lien", None),
        (1, "La MSA", "Ressources mobilisables", "connue-sans-lien", None),
        (2, "Un local", "Ressources à mobiliser", "aucune", None),
    ]
    assert roadmaps.resources_of(session, annuaire.id) == []
    # The map's visible resources, with the state of their link.
    assert [(r.position, r.name, r.category, r.link, r.source_link_id)
            for r in roadmaps.resources_of(session, carte.id)] == [
        (0, "La CAF", "financements", "operante", played.links[0].id),
        (1, "Médiathèque", "partenaires de projet", "connue-sans-lien", played.links[1].id),
    ]
    assert [w.id for w in roadmaps.workshops_of(session, roadmap.id)] == [played.workshop.id]
    session.refresh(roadmap)
    assert roadmap.updated_at > stamped
    # What the roadmap file says of them (the editor and the exports read it).
    data = roadmaps.to_file(session, roadmap)
    assert [(c.title, c.enjeu) for c in data.chantiers] == [
        ("Un guichet unique", "enjeu-1"), ("Un annuaire", "enjeu-2"), (FORMER, None)]


def test_promoting_twice_adds_nothing_twice(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    item_ids = [played.ranked[FORMER].id, played.ranked[ORIENTER].id]
    row_ids = [r.id for r in played.rows]
    promotion.promote(session, roadmap, played.workshop,
                      {"ranking": item_ids, "table": row_ids, "resources": {played.carte_id: NEW_CHANTIER}})
    before = counts(session)

    # The room changes a link on the map meanwhile.
    alice = session.get(Participant, played.links[0].created_by)
    resource_maps.set_state(session, alice, played.carte_id, played.links[0].id, "aucune", 1,
                            publisher=screens)

    found = promotion.candidates(session, roadmap, played.workshop)
    assert [c.promoted for c in found.kinds["ranking"][0].enjeux] == [True, True]
    assert [rc.promoted for s in found.kinds["table"][0].sections for rc in s.rows] == [True, True]
    mapped = found.kinds["resources"][0].target  # the chantier made from the map, found again by its title
    assert mapped is not None and mapped.title == FORMER and mapped.source_row_id is None

    summary = promotion.promote(session, roadmap, played.workshop, {
        "ranking": item_ids, "table": row_ids, "resources": {played.carte_id: str(mapped.id)}})
    # Enjeux and rows are skipped; the map's resources are brought in again onto the same ones
    # (none added: their link states follow the map).
    assert summary == Summary(enjeux=0, chantiers=0, actions=0, resources=2, skipped=4)
    assert counts(session) == before
    assert [(r.name, r.link) for r in roadmaps.resources_of(session, mapped.id)] == [
        ("La CAF", "aucune"), ("Médiathèque", "connue-sans-lien")]


def test_rows_alone_bring_their_enjeu_and_an_existing_question_is_reused(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    # The roadmap already asks the second enjeu's question (written otherwise).
    roadmap_edit.save(session, roadmap_edit.LISTS["enjeux"], roadmap, None, None,
                      FormData({"question": "  MIEUX   orienter "}))
    [existing] = roadmaps.enjeux_of(session, roadmap.id)
    summary = promotion.promote(session, roadmap, played.workshop, {"table": [r.id for r in played.rows]})
    assert summary == Summary(enjeux=1, chantiers=2, actions=3, resources=0, skipped=0)
    enjeux = roadmaps.enjeux_of(session, roadmap.id)
    assert [(e.position, e.question, e.source_item_id, e.score) for e in enjeux] == [
        (0, "MIEUX   orienter", None, None), (1, FORMER, played.ranked[FORMER].id, None)]
    # Made from the table: its provenance names the table, no vote.
    assert enjeux[1].provenance == {
        "atelier": "Atelier des chantiers", "date": played.workshop.created_at.date().isoformat(),
        "activite": "Les chantiers clés", "methode": "", "rang": None, "bulletins": None, "accord": None,
        "sensibilite": "",
        "contributions": []}
    assert [c.enjeu_id for c in roadmaps.chantiers_of(session, roadmap.id)] == [enjeux[1].id, existing.id]
    # The enjeu made from the kept item is linked to it: promoting that item is skipped.
    summary = promotion.promote(session, roadmap, played.workshop, {"ranking": [played.ranked[FORMER].id]})
    assert summary == Summary(skipped=1)
    assert [e.question for e in roadmaps.enjeux_of(session, roadmap.id)] == ["MIEUX   orienter", FORMER]


def test_an_enjeu_matched_by_its_rows_is_not_added_again(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    roadmap_edit.save(session, roadmap_edit.LISTS["enjeux"], roadmap, None, None,
                      FormData({"question": "Mieux orienter"}))
    promotion.promote(session, roadmap, played.workshop, {"table": [played.rows[1].id]})
    [enjeu] = roadmaps.enjeux_of(session, roadmap.id)
    assert [c.enjeu_id for c in roadmaps.chantiers_of(session, roadmap.id)] == [enjeu.id]
    # promote itself took « Mieux orienter » of the roadmap for the kept item's enjeu; promoting the
    # kept item now should not make a second « Mieux orienter ».
    promotion.promote(session, roadmap, played.workshop, {"ranking": [played.ranked[ORIENTER].id]})
    assert [e.question for e in roadmaps.enjeux_of(session, roadmap.id)] == [ORIENTER]


def test_a_map_goes_into_an_existing_chantier_or_nowhere(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    roadmap_edit.save(session, roadmap_edit.LISTS["chantiers"], roadmap, None, None,
                      FormData({"code": "", "titre": "Chantier libre", "rattacher": ""}))
    [chantier] = roadmaps.chantiers_of(session, roadmap.id)
    roadmap_edit.save(session, roadmap_edit.LISTS["ressources"], roadmap, chantier, None,
                      FormData({"nom": "la caf", "categorie": "Financements", "lien": "aucune"}))
    nowhere = {"resources": {played.carte_id: ""}}
    assert promotion.promote(session, roadmap, played.workshop, nowhere) == Summary()
    assert len(roadmaps.chantiers_of(session, roadmap.id)) == 1
    into = {"resources": {played.carte_id: str(chantier.id)}}
    summary = promotion.promote(session, roadmap, played.workshop, into)
    assert summary == Summary(resources=2)
    # The resource already there (same name and category, in another case) takes the map's link.
    assert [(r.position, r.name, r.category, r.link)
            for r in roadmaps.resources_of(session, chantier.id)] == [
        (0, "la caf", "Financements", "operante"),
        (1, "Médiathèque", "partenaires de projet", "connue-sans-lien")]


def test_unknown_ids_are_refused_and_nothing_is_written(make_room, screens):
    played = play(make_room, screens)
    session = played.room.session
    roadmap = new_roadmap(session, played.room.owner.id)
    other_roadmap = new_roadmap(session, played.room.owner.id, "Une autre")
    roadmap_edit.save(session, roadmap_edit.LISTS["chantiers"], other_roadmap, None, None,
                      FormData({"code": "", "titre": "Ailleurs", "rattacher": ""}))
    [foreign_chantier] = roadmaps.chantiers_of(session, other_roadmap.id)
    not_kept = played.ranked[EQUIPER].id
    good = played.ranked[FORMER].id
    table_id = played.room.activity("chantiers").id
    before = counts(session)
    elsewhere = "Chantier de destination inconnu dans cette feuille de route."
    cases = [
        ({"ranking": [good, not_kept]}, f"Enjeu(x) inconnu(s) dans cet atelier : {not_kept}."),
        ({"ranking": [good, 999999, not_kept]},
         f"Enjeu(x) inconnu(s) dans cet atelier : 999999, {not_kept}."),
        ({"table": [played.rows[0].id, played.hidden_row.id]},
         f"Ligne(s) du tableau inconnu(s) dans cet atelier : {played.hidden_row.id}."),
        ({"resources": {table_id: NEW_CHANTIER}},
         f"Cartographie(s) inconnu(s) dans cet atelier : {table_id}."),
        ({"ranking": [good], "resources": {played.carte_id: str(foreign_chantier.id)}},
         elsewhere),
        ({"ranking": [good], "resources": {played.carte_id: "abc"}}, elsewhere),
    ]
    for chosen, message in cases:
        with pytest.raises(NotFound, match=f"^{re.escape(message)}$"):
            promotion.promote(session, roadmap, played.workshop, chosen)
        assert counts(session) == before
    # An enjeu kept by another workshop is not one of this workshop's.
    other_played = play(make_room, screens)
    foreign = other_played.ranked[FORMER].id
    with pytest.raises(NotFound, match=re.escape(f"Enjeu(x) inconnu(s) dans cet atelier : {foreign}.")):
        promotion.promote(session, roadmap, played.workshop, {"ranking": [foreign]})
    assert counts(session) == before
