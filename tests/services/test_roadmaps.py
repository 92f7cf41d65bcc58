"""Roadmaps (app/services/roadmaps.py and roadmap_edit.py): a roadmap file imported then written
again is the same file; each facilitator lists and opens only her own roadmaps; the editor adds,
changes and deletes enjeux, chantiers and actions by the file format's rules, refuses bad input in
French and changes nothing then. Roadmap services publish nothing (no screen follows them)."""

import json
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from starlette.datastructures import FormData

from app.domain import roadmap as domain
from app.domain.errors import DomainError, NotFound
from app.models import Action, Chantier, Committee, Defi, DefiEnjeu, Enjeu, Resource, Roadmap, Territory
from app.services import accounts, roadmap_edit, roadmaps
from tests.services.helpers import exactly

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "grand-perigueux.json"
ENJEUX, DEFIS, CHANTIERS = (roadmap_edit.LISTS[name] for name in ("enjeux", "defis", "chantiers"))
ACTIONS = roadmap_edit.LISTS["actions"]
MODELS = (Territory, Roadmap, Committee, Enjeu, Defi, DefiEnjeu, Chantier, Action, Resource)


def facilitator(session: Session, n: int):
    return accounts.create_facilitator(session, f"fdr{n}@example.org", f"Animatrice {n}", "motdepasse-fdr")


def counts(session: Session) -> tuple[int, ...]:
    return tuple(session.exec(select(func.count()).select_from(model)).one() for model in MODELS)


def empty_roadmap(session: Session, owner_id: int, name: str = "Feuille de route du Val") -> Roadmap:
    return roadmap_edit.create(session, owner_id, FormData({
        "nom": name, "perimetre": "", "territoire_nom": "Val de Lune", "territoire_type": "epci",
        "territoire_code": ""}))


def form(**values) -> FormData:
    """A submitted form; a list value is a field sent several times."""
    pairs = []
    for key, value in values.items():
        pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return FormData(pairs)


# ---------------------------------------------------------------- import and file


def test_an_imported_file_is_written_back_the_same(session):
    owner = facilitator(session, 1)
    raw = EXAMPLE.read_text(encoding="utf-8")
    roadmap = roadmaps.import_file(session, owner.id, domain.parse_file(raw))
    session.expire_all()  # read everything back from the database
    assert domain.dump_file(roadmaps.to_file(session, roadmap)) == raw
    # What was stored, counted from the file itself.
    data = json.loads(raw)
    chantiers = data["chantiers"]
    assert counts(session) == (
        1, 1, len(data["feuille_de_route"]["gouvernance"]), len(data["enjeux"]), len(data["defis"]),
        sum(len(d["enjeux"]) for d in data["defis"]), len(chantiers),
        sum(len(c["actions"]) for c in chantiers), sum(len(c["ressources"]) for c in chantiers))
    stored = roadmaps.chantiers_of(session, roadmap.id)
    assert [c.code for c in stored] == [c["code"] for c in chantiers]
    defis = {d.id: n for n, d in enumerate(roadmaps.defis_of(session, roadmap.id), start=1)}
    assert [f"defi-{defis[c.defi_id]}" for c in stored] == [c["defi"] for c in chantiers]


def test_an_import_is_all_or_nothing(session):
    owner = facilitator(session, 1)
    data = domain.parse_file(EXAMPLE.read_bytes())
    # A défi naming an enjeu the file lacks (parse_file would have refused it; built unchecked).
    broken_defi = data.defis[-1].model_copy(update={"enjeux": ["enjeu-99"]})
    broken = data.model_copy(update={"defis": [*data.defis[:-1], broken_defi]})
    before = counts(session)
    with pytest.raises(KeyError, match="enjeu-99"):
        roadmaps.import_file(session, owner.id, broken)
    assert counts(session) == before == (0,) * len(MODELS)


# ---------------------------------------------------------------- whose roadmaps


def test_each_facilitator_lists_and_opens_only_her_roadmaps(session):
    anne, berthe = facilitator(session, 1), facilitator(session, 2)
    older = roadmaps.import_file(session, anne.id, domain.parse_file(EXAMPLE.read_bytes()))
    newer = empty_roadmap(session, anne.id, "Feuille de route du Val")
    hers = empty_roadmap(session, berthe.id, "Celle de Berthe")
    # Most recently changed first.
    assert [(r.id, t.name) for r, t in roadmaps.list_owned(session, anne.id)] == [
        (newer.id, "Val de Lune"), (older.id, "Grand Périgueux")]
    roadmap_edit.save(session, ENJEUX, older, None, None, form(question="Un enjeu de plus ?"))
    assert [r.id for r, _ in roadmaps.list_owned(session, anne.id)] == [older.id, newer.id]
    assert [r.id for r, _ in roadmaps.list_owned(session, berthe.id)] == [hers.id]
    assert roadmaps.get_owned(session, anne.id, older.id).id == older.id
    for owner_id, roadmap_id in [(berthe.id, older.id), (anne.id, hers.id), (anne.id, 999999)]:
        with pytest.raises(NotFound, match=exactly("Feuille de route introuvable.")):
            roadmaps.get_owned(session, owner_id, roadmap_id)


def test_rows_of_another_roadmap_are_not_found(session):
    owner = facilitator(session, 1)
    mine, other = empty_roadmap(session, owner.id), empty_roadmap(session, owner.id, "Une autre")
    enjeu = roadmap_edit.save(session, ENJEUX, other, None, None, form(question="Ailleurs ?"))
    chantier = roadmap_edit.save(session, CHANTIERS, other, None, None, form(titre="Ailleurs", code="",
                                                                             rattacher=""))
    with pytest.raises(NotFound, match=exactly("Enjeu introuvable dans cette feuille de route.")):
        roadmap_edit.row_of(session, ENJEUX, mine, None, str(enjeu.id))
    with pytest.raises(NotFound, match=exactly("Chantier introuvable dans cette feuille de route.")):
        roadmap_edit.chantier_of(session, mine, str(chantier.id))
    with pytest.raises(NotFound, match=exactly("Enjeu introuvable dans cette feuille de route.")):
        roadmap_edit.row_of(session, ENJEUX, mine, None, "12abc")
    assert roadmap_edit.row_of(session, ENJEUX, other, None, f" {enjeu.id} ").id == enjeu.id
    # A défi may only answer enjeux of its own roadmap; a chantier be filed under its own défis.
    elsewhere = "n'est pas dans cette feuille de route."
    with pytest.raises(DomainError, match=exactly(f"Enjeu : « {enjeu.id} » {elsewhere}")):
        roadmap_edit.save(session, DEFIS, mine, None, None, form(titre="Un défi", description="",
                                                                 enjeux=[str(enjeu.id)]))
    defi = roadmap_edit.save(session, DEFIS, other, None, None, form(titre="Son défi", description=""))
    with pytest.raises(DomainError, match=exactly(f"Défi : « {defi.id} » {elsewhere}")):
        roadmap_edit.save(session, CHANTIERS, mine, None, None, form(titre="Le mien", code="",
                                                                     rattacher=f"defi:{defi.id}"))
    assert roadmaps.defis_of(session, mine.id) == [] and roadmaps.chantiers_of(session, mine.id) == []


# ---------------------------------------------------------------- enjeux


def test_enjeux_are_added_changed_and_deleted(session):
    owner = facilitator(session, 1)
    roadmap = empty_roadmap(session, owner.id)
    first = roadmap_edit.save(session, ENJEUX, roadmap, None, None, form(question="  Former les aidants ?  "))
    second = roadmap_edit.save(session, ENJEUX, roadmap, None, None, form(question="Équiper les lieux ?"))
    assert [(e.id, e.position, e.question) for e in roadmaps.enjeux_of(session, roadmap.id)] == [
        (first.id, 0, "Former les aidants ?"), (second.id, 1, "Équiper les lieux ?")]
    stamp = roadmap.updated_at
    roadmap_edit.save(session, ENJEUX, roadmap, None, first, form(question="Former et outiller ?"))
    session.refresh(roadmap)
    assert roadmap.updated_at > stamp  # every change stamps the roadmap
    assert session.get(Enjeu, first.id).question == "Former et outiller ?"

    before = counts(session)
    for question, message in [("   ", "Question : à remplir."),
                              ("x" * 1001, "Question : 1000 caractères au plus (ici 1001).")]:
        with pytest.raises(DomainError) as refused:
            roadmap_edit.save(session, ENJEUX, roadmap, None, first, form(question=question))
        assert refused.value.message == message
        session.rollback()
    session.expire_all()
    assert counts(session) == before and session.get(Enjeu, first.id).question == "Former et outiller ?"

    # Deleted: the défi no longer answers it, its chantier waits to be filed elsewhere.
    defi = roadmap_edit.save(session, DEFIS, roadmap, None, None,
                             form(titre="Un défi", description="", enjeux=[str(first.id), str(second.id)]))
    chantier = roadmap_edit.save(session, CHANTIERS, roadmap, None, None,
                                 form(titre="Un chantier", code="", rattacher=f"enjeu:{first.id}"))
    assert roadmaps.defi_links(session, roadmap.id) == {defi.id: [first.id, second.id]}
    roadmap_edit.delete(session, roadmap, roadmap_edit.row_of(session, ENJEUX, roadmap, None, str(first.id)))
    session.expire_all()
    assert [e.id for e in roadmaps.enjeux_of(session, roadmap.id)] == [second.id]
    assert roadmaps.defi_links(session, roadmap.id) == {defi.id: [second.id]}
    assert session.get(Chantier, chantier.id).enjeu_id is None


# ---------------------------------------------------------------- chantiers


def test_chantiers_get_a_code_in_their_defis_numbering(session):
    owner = facilitator(session, 1)
    roadmap = empty_roadmap(session, owner.id)
    d1 = roadmap_edit.save(session, DEFIS, roadmap, None, None, form(titre="Premier défi", description=""))
    d2 = roadmap_edit.save(session, DEFIS, roadmap, None, None, form(titre="Second défi", description=""))
    made = [roadmap_edit.save(session, CHANTIERS, roadmap, None, None, form(titre=title, code="",
                                                                            rattacher=place))
            for title, place in [("A", f"defi:{d2.id}"), ("B", f"defi:{d2.id}"), ("C", f"defi:{d1.id}"),
                                 ("D", ""), ("E", "")]]
    assert [(c.title, c.code, c.defi_id) for c in made] == [
        ("A", "2.a", d2.id), ("B", "2.b", d2.id), ("C", "1.a", d1.id), ("D", "1", None), ("E", "2", None)]
    # Filed under another défi, a code of the old numbering follows the new one.
    a = made[0]
    roadmap_edit.save(session, CHANTIERS, roadmap, None, a, form(titre="A", code="2.a",
                                                                 rattacher=f"defi:{d1.id}"))
    assert (a.code, a.defi_id) == ("1.b", d1.id)
    # Two chantiers never share a code.
    before = counts(session)
    with pytest.raises(DomainError, match=exactly("Le code « 1.a » est déjà celui du chantier « C » : "
                                                  "choisissez-en un autre.")):
        roadmap_edit.save(session, CHANTIERS, roadmap, None, None, form(titre="F", code="1.a", rattacher=""))
    session.rollback()
    assert counts(session) == before


def test_a_chantier_form_is_checked(session):
    owner = facilitator(session, 1)
    roadmap = empty_roadmap(session, owner.id)
    before = counts(session)
    for values, message in [
        (dict(titre="  ", code="", rattacher=""), "Titre : à remplir."),
        (dict(titre="A", code="x" * 13, rattacher=""), "Code : 12 caractères au plus (ici 13)."),
        (dict(titre="A", code="", rattacher="ailleurs"),
         "Rattacher à : choix illisible « ailleurs » (un défi ou un enjeu de la feuille de route)."),
        (dict(titre="A", code="", rattacher="enjeu:abc"), "Enjeu : identifiant illisible « abc »."),
    ]:
        with pytest.raises(DomainError) as refused:
            roadmap_edit.save(session, CHANTIERS, roadmap, None, None, form(**values))
        assert refused.value.message == message
        session.rollback()
    assert counts(session) == before


def test_a_deleted_chantier_takes_its_actions_and_resources(session):
    owner = facilitator(session, 1)
    roadmap = roadmaps.import_file(session, owner.id, domain.parse_file(EXAMPLE.read_bytes()))
    chantiers = roadmaps.chantiers_of(session, roadmap.id)
    target = next(c for c in chantiers if c.code == "1.b")
    actions, resources = roadmaps.actions_of(session, target.id), roadmaps.resources_of(session, target.id)
    assert actions and resources
    before = counts(session)
    roadmap_edit.delete(session, roadmap, target)
    session.expire_all()
    assert [c.id for c in roadmaps.chantiers_of(session, roadmap.id)] == [
        c.id for c in chantiers if c is not target]
    assert roadmaps.actions_of(session, target.id) == [] and roadmaps.resources_of(session, target.id) == []
    n = MODELS.index
    after = counts(session)
    assert (after[n(Chantier)], after[n(Action)], after[n(Resource)]) == (
        before[n(Chantier)] - 1, before[n(Action)] - len(actions), before[n(Resource)] - len(resources))


def test_a_deleted_defi_renumbers_the_codes_after_it(session):
    owner = facilitator(session, 1)
    roadmap = roadmaps.import_file(session, owner.id, domain.parse_file(EXAMPLE.read_bytes()))
    chantiers = roadmaps.chantiers_of(session, roadmap.id)
    defis = roadmaps.defis_of(session, roadmap.id)
    number = {d.id: n for n, d in enumerate(defis, start=1)}
    before = {c.id: (c.code, number[c.defi_id]) for c in chantiers}
    roadmap_edit.delete(session, roadmap, defis[0])
    session.expire_all()
    after = {c.id: (c.code, c.defi_id) for c in roadmaps.chantiers_of(session, roadmap.id)}
    for chantier_id, (code, n) in before.items():
        if n == 1:  # its chantiers wait to be filed, without a code of its numbering
            assert after[chantier_id] == ("", None)
        else:  # « 2.a » → « 1.a », « 5 » → « 4 »
            assert after[chantier_id][0] == f"{n - 1}{code[len(str(n)):]}"
    assert sorted(code for code, _ in after.values() if code) == [
        "1.a", "1.b", "2.a", "2.b", "3.a", "3.b", "4", "5"]


# ---------------------------------------------------------------- actions


def test_actions_are_added_changed_and_deleted(session):
    owner = facilitator(session, 1)
    roadmap = empty_roadmap(session, owner.id)
    chantier = roadmap_edit.save(session, CHANTIERS, roadmap, None, None,
                                 form(titre="Un chantier", code="", rattacher=""))
    first = roadmap_edit.save(session, ACTIONS, roadmap, chantier, None, form(
        nom="Former 20 aidants", contexte="", description="Deux sessions",
        porteurs="- La mairie\n\n- L'EPCI", budgetGlobal="12 000",
        coFinanceur=["La CAF", " ", "La Région"], montant=["3\u202f000", "", "4000"],
        besoins=["appui_juridique", "animer_la_gouvernance"], dateDeDebut="15/03/2025", dateDeFin="2026",
        destinataires="La préfecture"))
    assert (first.position, first.name, first.description, first.carriers, first.budget, first.cofinancings,
            first.needs, first.start_date, first.end_date, first.recipients) == (
        0, "Former 20 aidants", "Deux sessions", ["La mairie", "L'EPCI"], 12000,
        [{"membre": "La CAF", "montant": 3000}, {"membre": "La Région", "montant": 4000}],
        ["appui_juridique", "animer_la_gouvernance"], "2025-03-15", "2026", ["La préfecture"])
    second = roadmap_edit.save(session, ACTIONS, roadmap, chantier, None, form(nom="Ouvrir le samedi"))
    assert second.position == 1 and second.budget is None and second.start_date is None
    roadmap_edit.save(session, ACTIONS, roadmap, chantier, second, form(nom="Ouvrir le samedi matin",
                                                                        budgetGlobal="500"))
    assert [(a.name, a.budget) for a in roadmaps.actions_of(session, chantier.id)] == [
        ("Former 20 aidants", 12000), ("Ouvrir le samedi matin", 500)]

    before = counts(session)
    for values, message in [
        (dict(nom=""), "Nom : à remplir."),
        (dict(nom="A", budgetGlobal="douze"), "Budget global : doit être un nombre entier, pas « douze »."),
        (dict(nom="A", dateDeDebut="2025", dateDeFin="2024"), "Fin (2024) avant début (2025)."),
        (dict(nom="A", dateDeDebut="32/13/2025"),
         "Début : « 32/13/2025 » n'est ni une année (2025) ni une date (2025-03-15)."),
        (dict(nom="A", besoins=["voler"]), "Besoin n° 1 : valeur inconnue « voler »."),
        (dict(nom="A", coFinanceur=["La CAF"], montant=[]),
         "Co-financements : chaque co-financeur va avec son montant."),
    ]:
        with pytest.raises(DomainError) as refused:
            roadmap_edit.save(session, ACTIONS, roadmap, chantier, second, form(**values))
        assert refused.value.message == message
        session.rollback()
    session.expire_all()
    assert counts(session) == before
    assert session.get(Action, second.id).name == "Ouvrir le samedi matin"

    # Every field of an action is in the roadmap file, and comes back the same from an import.
    written = domain.dump_file(roadmaps.to_file(session, roadmap))
    assert json.loads(written)["chantiers"][0]["actions"][0] == {
        "nom": "Former 20 aidants", "contexte": "", "description": "Deux sessions",
        "porteurs": ["La mairie", "L'EPCI"], "budgetGlobal": 12000,
        "coFinancements": [{"membre": "La CAF", "montant": 3000}, {"membre": "La Région", "montant": 4000}],
        "besoins": ["appui_juridique", "animer_la_gouvernance"], "dateDeDebut": "2025-03-15",
        "dateDeFin": "2026", "destinataires": ["La préfecture"]}
    again = roadmaps.import_file(session, owner.id, domain.parse_file(written))
    assert domain.dump_file(roadmaps.to_file(session, again)) == written

    roadmap_edit.delete(session, roadmap, roadmap_edit.row_of(session, ACTIONS, roadmap, chantier,
                                                              str(first.id)))
    assert [a.id for a in roadmaps.actions_of(session, chantier.id)] == [second.id]
    other = roadmap_edit.save(session, CHANTIERS, roadmap, None, None, form(titre="Autre", code="",
                                                                            rattacher=""))
    with pytest.raises(NotFound, match=exactly("Action introuvable dans cette feuille de route.")):
        roadmap_edit.row_of(session, ACTIONS, roadmap, other, str(second.id))
