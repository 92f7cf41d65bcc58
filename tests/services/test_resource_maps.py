"""The resource map service: a resource is added once per key ("replayed") and once per name in a
category ("exists", the name compared without case or spacing), link states change only from the
current version (`StaleResource`), hidden resources are frozen, the facilitator adds and corrects
(never into a name already there); and what each write publishes."""

import pytest
from sqlmodel import Session, select

from app.domain.errors import DomainError, NotAllowed, NotFound
from app.domain.workshop_templates import DEFAULT_RESOURCE_CATEGORIES
from app.models import Participant, ResourceLink
from app.publishing import MODERATION
from app.services import resource_maps, workshops
from app.services.resource_maps import StaleResource
from tests.services.helpers import opened

TEMPLATE = """\
title: Cartographie
groups: [Groupe 1, Groupe 2]
activities:
  - kind: resources
    id: carte
    title: Les ressources du chantier 1.b
    chantier: Développer des actions à destination des jeunes
  - kind: resources
    id: groupes
    title: Par sous-groupe
    chantier: Former les aidants
    categories: [partenaires, financements]
    use_groups: true
  - kind: postits
    id: idees
    title: Vos idées
"""
PARTNERS, MATERIAL = DEFAULT_RESOURCE_CATEGORIES[0], DEFAULT_RESOURCE_CATEGORIES[1]


def stored(session: Session) -> list[tuple[str, str, str, str, int]]:
    """Every resource as (name, name_key, category, state, version), in order of creation."""
    rows = session.exec(select(ResourceLink).order_by(ResourceLink.id))
    return [(r.name, r.name_key, r.category, r.state, r.version) for r in rows]


# ---------------------------------------------------------------- adding


def test_created_then_replayed_then_exists(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice, bob = room.join(), room.join()
    added, outcome = resource_maps.add(room.session, alice, carte.id, "  Médiathèque   de\tla ville ",
                                       PARTNERS, "operante", "cle-ress-0001", publisher=screens)
    assert outcome == "created"
    assert (added.name, added.name_key, added.category, added.state) == (
        "Médiathèque de la ville", "médiathèque de la ville", PARTNERS, "operante")
    assert (added.created_by, added.updated_by, added.version, added.group_id) == (
        alice.id, alice.id, 1, None)
    # The same request again (same key, whatever it says now): the stored one, unchanged.
    again, outcome = resource_maps.add(room.session, alice, carte.id, "Autre chose", MATERIAL, "aucune",
                                       "cle-ress-0001", publisher=screens)
    assert (again.id, outcome) == (added.id, "replayed")
    # The same name from someone else, written otherwise: the one already on the map, unchanged.
    same, outcome = resource_maps.add(room.session, bob, carte.id, "MÉDIATHÈQUE DE LA   VILLE",
                                      PARTNERS, "aucune", "cle-ress-0002", publisher=screens)
    assert (same.id, outcome, same.state) == (added.id, "exists", "operante")
    assert stored(room.session) == [
        ("Médiathèque de la ville", "médiathèque de la ville", PARTNERS, "operante", 1)]
    assert screens.events == [(room.workshop.id, MODERATION)]


def test_names_are_compared_without_case_spacing_or_unicode_form(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice = room.join()
    first, _ = resource_maps.add(room.session, alice, carte.id, "Espace Numérique Élodie", PARTNERS,
                                 "aucune", "cle-nom-00001", publisher=screens)
    # Decomposed accents (e + U+0301), as some keyboards send them, are the same letters.
    decomposed = "espace nume\u0301rique e\u0301lodie"
    for n, name in enumerate(["ESPACE NUMÉRIQUE ÉLODIE", decomposed, " espace\u00a0numérique  élodie"]):
        found, outcome = resource_maps.add(room.session, alice, carte.id, name, PARTNERS, "aucune",
                                           f"cle-nom-0001{n}", publisher=screens)
        assert (found.id, outcome) == (first.id, "exists"), name
    # Another category, or other letters (no accent), is another resource.
    other_category, outcome = resource_maps.add(room.session, alice, carte.id, "Espace numérique Élodie",
                                                MATERIAL, "aucune", "cle-nom-00020", publisher=screens)
    assert outcome == "created" and other_category.id != first.id
    plain, outcome = resource_maps.add(room.session, alice, carte.id, "Espace numerique Elodie", PARTNERS,
                                       "aucune", "cle-nom-00021", publisher=screens)
    assert outcome == "created" and plain.name_key == "espace numerique elodie"
    assert [row[1] for row in stored(room.session)] == [
        "espace numérique élodie", "espace numérique élodie", "espace numerique elodie"]
    assert screens.events == [(room.workshop.id, MODERATION)] * 3


def test_a_refused_resource_stores_and_publishes_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice = room.join()
    states = "operante (opérante), connue-sans-lien (connue, sans lien), aucune (aucun lien)"
    cases = [
        ("   ", PARTNERS, "aucune", "Donnez le nom de la ressource."),
        ("x" * 121, PARTNERS, "aucune", "Le nom de la ressource fait 121 caractères ; 120 au maximum."),
        ("La Poste", "bénévoles", "aucune",
         f"Catégorie inconnue : « bénévoles ». Choix : {', '.join(DEFAULT_RESOURCE_CATEGORIES)}."),
        ("La Poste", PARTNERS, "rouge", f"État de lien inconnu : « rouge ». Choix : {states}."),
    ]
    for n, (name, category, state, message) in enumerate(cases):
        with pytest.raises(DomainError) as refused:
            resource_maps.add(room.session, alice, carte.id, name, category, state, f"cle-refus-000{n}",
                              publisher=screens)
        assert refused.value.message == message
    group = workshops.groups_of(room.session, room.workshop.id)[0]
    with pytest.raises(DomainError, match="Cette carte ne se remplit pas par sous-groupe"):
        resource_maps.add(room.session, alice, carte.id, "La Poste", PARTNERS, "aucune", "cle-refus-0009",
                          group.id, publisher=screens)
    with pytest.raises(DomainError, match="Clé d'idempotence invalide"):
        resource_maps.add(room.session, alice, carte.id, "La Poste", PARTNERS, "aucune", "cle!",
                          publisher=screens)
    notes = opened(room, "idees", screens)
    with pytest.raises(NotAllowed, match="n'est pas une activité de cartographie des ressources"):
        resource_maps.add(room.session, alice, notes.id, "La Poste", PARTNERS, "aucune", "cle-refus-0010",
                          publisher=screens)
    assert stored(room.session) == []
    assert screens.events == []


def test_a_map_that_is_not_open_refuses(make_room, screens):
    room = make_room(TEMPLATE)
    carte = room.activity("carte")
    with pytest.raises(NotAllowed, match="n'est pas ouverte"):
        resource_maps.add(room.session, room.join(), carte.id, "La Poste", PARTNERS, "aucune",
                          "cle-draft-0001", publisher=screens)
    assert stored(room.session) == [] and screens.events == []


def test_a_group_map_files_each_resource_under_a_sub_group(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "groupes", screens)
    g1, _g2 = workshops.groups_of(room.session, room.workshop.id)
    alice = room.join()
    with pytest.raises(DomainError, match="Choisissez votre sous-groupe avant d'envoyer"):
        resource_maps.add(room.session, alice, carte.id, "La CAF", "financements", "aucune",
                          "cle-groupe-001", publisher=screens)
    assert stored(room.session) == [] and screens.events == []
    added, outcome = resource_maps.add(room.session, alice, carte.id, "La CAF", "financements", "aucune",
                                       "cle-groupe-002", g1.id, publisher=screens)
    assert (outcome, added.group_id) == ("created", g1.id)
    assert room.session.get(Participant, alice.id).group_id == g1.id
    # Her sub-group is remembered.
    second, _ = resource_maps.add(room.session, alice, carte.id, "Le Département", "financements",
                                  "aucune", "cle-groupe-003", publisher=screens)
    assert second.group_id == g1.id
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


# ---------------------------------------------------------------- link states


def test_a_link_state_changes_from_the_current_version_only(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice, bob = room.join(), room.join()
    added, _ = resource_maps.add(room.session, alice, carte.id, "Conseillers numériques", PARTNERS,
                                 "aucune", "cle-etat-0001", publisher=screens)
    screens.events.clear()
    changed, did = resource_maps.set_state(room.session, bob, carte.id, added.id, "connue-sans-lien", 1,
                                           publisher=screens)
    assert did and (changed.state, changed.version, changed.updated_by) == ("connue-sans-lien", 2, bob.id)
    assert screens.events == [(room.workshop.id, MODERATION)]
    # Alice still saw version 1 and taps « opérante »: refused, told what it is now.
    with pytest.raises(StaleResource) as refused:
        resource_maps.set_state(room.session, alice, carte.id, added.id, "operante", 1, publisher=screens)
    assert refused.value.message == ("Quelqu'un vient de modifier « Conseillers numériques » : le lien "
                                     "est maintenant « connue, sans lien ». Touchez à nouveau pour le "
                                     "changer.")
    assert refused.value.resource.version == 2 and isinstance(refused.value, NotAllowed)
    # What is already so, even from an old version, changes nothing and says so.
    same, did = resource_maps.set_state(room.session, alice, carte.id, added.id, "connue-sans-lien", 1,
                                        publisher=screens)
    assert not did and same.version == 2
    assert screens.events == [(room.workshop.id, MODERATION)]
    assert stored(room.session) == [
        ("Conseillers numériques", "conseillers numériques", PARTNERS, "connue-sans-lien", 2)]


def test_a_link_state_refused_by_the_database_when_another_session_saved_first(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice, bob = room.join(), room.join()
    added, _ = resource_maps.add(room.session, alice, carte.id, "La Poste", PARTNERS, "aucune",
                                 "cle-course-001", publisher=screens)
    screens.events.clear()
    with Session(room.session.get_bind(), expire_on_commit=False) as other:
        resource_maps.set_state(other, other.get(Participant, bob.id), carte.id, added.id, "operante", 1,
                                publisher=screens)
    assert added.version == 1  # this session has not seen it
    with pytest.raises(StaleResource, match="le lien est maintenant « opérante »") as refused:
        resource_maps.set_state(room.session, alice, carte.id, added.id, "connue-sans-lien", 1,
                                publisher=screens)
    assert (refused.value.resource.state, refused.value.resource.version) == ("operante", 2)
    assert screens.events == [(room.workshop.id, MODERATION)]  # the other session's change only


def test_set_state_refusals(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice = room.join()
    added, _ = resource_maps.add(room.session, alice, carte.id, "La Poste", PARTNERS, "aucune",
                                 "cle-refus-0101", publisher=screens)
    other = opened(room, "groupes", screens)
    with pytest.raises(NotFound, match=f"Ressource {added.id} introuvable sur cette carte"):
        resource_maps.set_state(room.session, alice, other.id, added.id, "operante", 1, publisher=screens)
    with pytest.raises(DomainError, match="État de lien inconnu : « plein »"):
        resource_maps.set_state(room.session, alice, carte.id, added.id, "plein", 1, publisher=screens)
    resource_maps.set_hidden(room.session, carte, added, True, publisher=screens)
    screens.events.clear()
    with pytest.raises(NotAllowed, match="Cette ressource a été masquée par l'animateur"):
        resource_maps.set_state(room.session, alice, carte.id, added.id, "operante", 1, publisher=screens)
    workshops.set_state(room.session, carte, "closed", publisher=screens)
    screens.events.clear()
    with pytest.raises(NotAllowed, match="n'est pas ouverte"):
        resource_maps.set_state(room.session, alice, carte.id, added.id, "operante", 1, publisher=screens)
    assert stored(room.session) == [("La Poste", "la poste", PARTNERS, "aucune", 1)]
    assert screens.events == []


# ---------------------------------------------------------------- the facilitator


def test_the_facilitator_adds_even_before_the_map_opens(make_room, screens):
    room = make_room(TEMPLATE)
    carte = room.activity("carte")  # a draft: she prepares the map
    added, outcome = resource_maps.add_by_facilitator(room.session, carte, " France   Services ", PARTNERS,
                                                      "operante", note="  à  Trélissac ",
                                                      publisher=screens)
    assert outcome == "created"
    assert (added.name, added.note, added.state, added.created_by, added.client_key) == (
        "France Services", "à Trélissac", "operante", None, None)
    # A second one typed in by her: no key, no clash.
    second, outcome = resource_maps.add_by_facilitator(room.session, carte, "La CAF", "financements",
                                                       "aucune", publisher=screens)
    assert outcome == "created"
    same, outcome = resource_maps.add_by_facilitator(room.session, carte, "france services", PARTNERS,
                                                     "aucune", publisher=screens)
    assert (same.id, outcome, same.state) == (added.id, "exists", "operante")
    with pytest.raises(NotAllowed, match="Cette activité n'est pas une cartographie des ressources"):
        resource_maps.add_by_facilitator(room.session, room.activity("idees"), "La Poste", PARTNERS,
                                         "aucune", publisher=screens)
    with pytest.raises(DomainError, match="La précision fait 281 caractères ; 280 au maximum"):
        resource_maps.add_by_facilitator(room.session, carte, "La Poste", PARTNERS, "aucune",
                                         note="n" * 281, publisher=screens)
    assert [r.id for r in resource_maps.resources_of(room.session, carte.id)] == [added.id, second.id]
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_the_facilitator_corrects_a_resource(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice = room.join()
    poste, _ = resource_maps.add(room.session, alice, carte.id, "La poste", PARTNERS, "aucune",
                                 "cle-edit-00001", publisher=screens)
    screens.events.clear()
    edited = resource_maps.edit(room.session, carte, poste, 1, "La Poste de Trélissac", MATERIAL,
                                "connue-sans-lien", "guichet le mardi", publisher=screens)
    assert (edited.name, edited.name_key, edited.category, edited.state, edited.note) == (
        "La Poste de Trélissac", "la poste de trélissac", MATERIAL, "connue-sans-lien", "guichet le mardi")
    assert (edited.version, edited.updated_by, edited.created_by) == (2, None, alice.id)
    # Its own name in another case is no collision with itself.
    resource_maps.edit(room.session, carte, edited, 2, "LA POSTE DE TRÉLISSAC", MATERIAL,
                       "connue-sans-lien", "", publisher=screens)
    assert (edited.name, edited.version) == ("LA POSTE DE TRÉLISSAC", 3)
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_a_correction_never_makes_a_name_twice_or_overwrites_a_newer_version(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice = room.join()
    caf, _ = resource_maps.add(room.session, alice, carte.id, "La CAF", "financements", "aucune",
                               "cle-coll-00001", publisher=screens)
    msa, _ = resource_maps.add(room.session, alice, carte.id, "La MSA", "financements", "aucune",
                               "cle-coll-00002", publisher=screens)
    resource_maps.add(room.session, alice, carte.id, "La MSA", PARTNERS, "aucune",
                                         "cle-coll-00003", publisher=screens)
    screens.events.clear()
    with pytest.raises(NotAllowed) as refused:
        resource_maps.edit(room.session, carte, caf, 1, "  la   msa ", "financements", "aucune", "",
                           publisher=screens)
    assert refused.value.message == "« La MSA » est déjà sur la carte dans « financements »."
    # Moved into a category where its name already is: refused too.
    with pytest.raises(NotAllowed, match=f"« La MSA » est déjà sur la carte dans « {PARTNERS} »"):
        resource_maps.edit(room.session, carte, msa, 1, "La MSA", PARTNERS, "aucune", "",
                           publisher=screens)
    with pytest.raises(StaleResource, match="Quelqu'un vient de modifier « La CAF »"):
        resource_maps.edit(room.session, carte, caf, 7, "La Caisse d'allocations familiales",
                           "financements", "aucune", "", publisher=screens)
    with pytest.raises(DomainError, match="Catégorie inconnue : « dons »"):
        resource_maps.edit(room.session, carte, caf, 1, "La CAF", "dons", "aucune", "", publisher=screens)
    room.session.expire_all()
    assert stored(room.session) == [("La CAF", "la caf", "financements", "aucune", 1),
                                    ("La MSA", "la msa", "financements", "aucune", 1),
                                    ("La MSA", "la msa", PARTNERS, "aucune", 1)]
    assert screens.events == []


def test_hiding_and_showing_a_resource_is_published(make_room, screens):
    room = make_room(TEMPLATE)
    carte = opened(room, "carte", screens)
    alice = room.join()
    shown, _ = resource_maps.add(room.session, alice, carte.id, "La CAF", "financements", "aucune",
                                 "cle-cache-0001", publisher=screens)
    hidden, _ = resource_maps.add(room.session, alice, carte.id, "Un doublon", PARTNERS, "aucune",
                                  "cle-cache-0002", publisher=screens)
    screens.events.clear()
    resource_maps.set_hidden(room.session, carte, hidden, True, publisher=screens)
    assert [r.id for r in resource_maps.resources_of(room.session, carte.id, include_hidden=False)] == [
        shown.id]
    assert [r.id for r in resource_maps.resources_of(room.session, carte.id)] == [shown.id, hidden.id]
    resource_maps.set_hidden(room.session, carte, hidden, False, publisher=screens)
    assert [r.id for r in resource_maps.resources_of(room.session, carte.id, include_hidden=False)] == [
        shown.id, hidden.id]
    assert screens.events == [(room.workshop.id, MODERATION)] * 2
