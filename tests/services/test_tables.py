"""The chantier table service: rows added once per idempotency key, sections fixed by the template
or taken from the enjeux a ranking kept (in the ranking's order), sub-group rules, edits written
only from the current version (`StaleRow` otherwise), hiding; and what each write publishes."""

import pytest
from sqlmodel import Session, select

from app.domain.errors import DomainError, Forbidden, NotAllowed, NotFound
from app.domain.tables import Section
from app.models import Item, Participant, TableRow
from app.publishing import MODERATION
from app.services import rankings, tables, workshops
from app.services.tables import StaleRow
from tests.services.helpers import opened

TEMPLATE = """\
title: Chantiers
groups: [Groupe 1, Groupe 2]
activities:
  - kind: ranking
    id: enjeux
    title: Nos enjeux
    items: [Former les aidants, Équiper les lieux, Mieux orienter]
    keep: 2
  - kind: table
    id: fixe
    title: Sections fixes
    sections: [Attractivité du territoire, Former et outiller]
  - kind: table
    id: libre
    title: Sans sections
  - kind: table
    id: chantiers
    title: Les chantiers de chaque enjeu
    rows_from: {activity: enjeux, take: top}
    use_groups: true
"""


def stored_rows(session: Session) -> list[TableRow]:
    return list(session.exec(select(TableRow).order_by(TableRow.id)))


def ranking_items(room) -> dict[str, Item]:
    ranking = room.activity("enjeux")
    return {i.text: i for i in rankings.all_items(room.session, ranking.id)}


def keep_by_vote(room, screens, ballots: list[list[str]], n: int) -> list[Item]:
    """Play the ranking: open it, cast these ballots (texts, best first), close it, keep the top n."""
    ranking = room.activity("enjeux")
    workshops.set_state(room.session, ranking, "open", publisher=screens)
    by_text = ranking_items(room)
    for ballot in ballots:
        rankings.cast(room.session, room.join(), ranking.id,
                      ",".join(str(by_text[t].id) for t in ballot), publisher=screens)
    workshops.set_state(room.session, ranking, "closed", publisher=screens)
    kept = rankings.keep_top(room.session, ranking, n, publisher=screens)
    screens.events.clear()
    return kept


# ---------------------------------------------------------------- create_row


def test_a_row_is_created_once_per_key_and_published_once(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "fixe", screens)
    alice = room.join("Alice")
    row, created = tables.create_row(room.session, alice, table.id, "1",
                                     {"title": "  Un   guichet \n unique ", "actions": "Former  \nOuvrir"},
                                     "cle-ligne-0001", publisher=screens)
    assert created
    # The title column is a single line (spaces collapsed); a multi-line cell keeps its lines.
    assert row.cells == {"title": "Un guichet unique", "actions": "Former\nOuvrir"}
    assert (row.section, row.group_id, row.position, row.version) == ("1", None, 1, 1)
    assert (row.created_by, row.updated_by, row.hidden) == (alice.id, alice.id, False)
    # The same key again (a replay, even with other text): the stored row, nothing new, no event.
    again, created = tables.create_row(room.session, alice, table.id, "0", {"title": "Autre chose"},
                                       "cle-ligne-0001", publisher=screens)
    assert (again.id, created) == (row.id, False)
    assert again.cells == {"title": "Un guichet unique", "actions": "Former\nOuvrir"}
    assert [r.id for r in stored_rows(room.session)] == [row.id]
    assert screens.events == [(room.workshop.id, MODERATION)]


def test_the_same_key_from_another_participant_is_another_row(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    first, _ = tables.create_row(room.session, room.join(), table.id, "0", {"title": "Un"},
                                 "cle-commune-01", publisher=screens)
    second, created = tables.create_row(room.session, room.join(), table.id, "0", {"title": "Deux"},
                                        "cle-commune-01", publisher=screens)
    assert created and second.id != first.id
    # Positions follow one another within a section (and a sub-group): 1, 2.
    assert [(r.cells["title"], r.position) for r in stored_rows(room.session)] == [("Un", 1), ("Deux", 2)]
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_positions_count_within_each_section(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "fixe", screens)
    bob = room.join()
    for n, section in enumerate(["0", "0", "1", "0", "1"]):
        tables.create_row(room.session, bob, table.id, section, {"title": f"Chantier {n}"},
                          f"cle-position-{n}", publisher=screens)
    assert [(r.section, r.position) for r in stored_rows(room.session)] == [
        ("0", 1), ("0", 2), ("1", 1), ("0", 3), ("1", 2)]


REFUSED = [
    ("7", {"title": "Un chantier"}, "cle-refus-0001", "Enjeu inconnu dans ce tableau : « 7 »"),
    ("0", {"objectives": "Sans titre"}, "cle-refus-0002", "Donnez un titre au chantier"),
    ("0", {"title": "   "}, "cle-refus-0003", "Donnez un titre au chantier"),
    ("0", {"title": "Un", "budget": "10"}, "cle-refus-0004", "Colonne inconnue : « budget »"),
    ("0", {"title": "x" * 2001}, "cle-refus-0005",
     "« Titre du chantier » fait 2001 caractères ; 2000 au maximum"),
    ("0", {"title": "Un"}, "court", "Clé d'idempotence invalide"),
]


def test_a_refused_row_stores_and_publishes_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "fixe", screens)
    alice = room.join()
    for section, cells, key, message in REFUSED:
        with pytest.raises(DomainError, match=message):
            tables.create_row(room.session, alice, table.id, section, cells, key, publisher=screens)
        assert stored_rows(room.session) == []
        assert screens.events == []


def test_a_row_needs_an_open_table_of_the_workshop(make_room, screens):
    room = make_room(TEMPLATE)
    table = room.activity("fixe")  # still a draft
    alice = room.join()
    with pytest.raises(NotAllowed, match="n'est pas ouverte : votre contribution n'a pas été enregistrée"):
        tables.create_row(room.session, alice, table.id, "0", {"title": "Trop tôt"}, "cle-draft-001",
                          publisher=screens)
    with pytest.raises(NotAllowed, match="n'est pas une activité de tableau des chantiers"):
        tables.create_row(room.session, alice, room.activity("enjeux").id, "0", {"title": "Là"},
                          "cle-draft-002", publisher=screens)
    other = make_room(TEMPLATE)
    foreign = opened(other, "fixe", screens)
    with pytest.raises(NotFound, match=f"Activité {foreign.id} introuvable dans cet atelier"):
        tables.create_row(room.session, alice, foreign.id, "0", {"title": "Ailleurs"}, "cle-draft-003",
                          publisher=screens)
    assert stored_rows(room.session) == []
    assert screens.events == []


# ---------------------------------------------------------------- sections


def test_fixed_sections_or_a_single_one(make_room):
    room = make_room(TEMPLATE)
    assert tables.sections_of(room.session, room.activity("fixe")) == [
        Section("0", "Attractivité du territoire", 1), Section("1", "Former et outiller", 2)]
    assert tables.sections_of(room.session, room.activity("libre")) == [Section("0", "", 1)]


def test_sections_are_the_kept_enjeux_in_the_rankings_order(make_room, screens):
    room = make_room(TEMPLATE)
    table = room.activity("chantiers")
    assert tables.sections_of(room.session, table) == []  # nothing kept yet: no section guessed
    # Borda (2 points for first place, 1 for second, 0 for last):
    #   Mieux orienter 2+2+1 = 5, Former les aidants 1+0+2 = 3, Équiper les lieux 0+1+0 = 1.
    ballots = [["Mieux orienter", "Former les aidants", "Équiper les lieux"],
               ["Mieux orienter", "Équiper les lieux", "Former les aidants"],
               ["Former les aidants", "Mieux orienter", "Équiper les lieux"]]
    by_text = ranking_items(room)
    points = dict.fromkeys(by_text, 0)
    for ballot in ballots:
        for position, text in enumerate(ballot):
            points[text] += len(ballot) - 1 - position
    expected = sorted(by_text, key=lambda t: -points[t])[:2]
    assert expected == ["Mieux orienter", "Former les aidants"]
    kept = keep_by_vote(room, screens, ballots, 2)
    assert [i.text for i in kept] == expected
    # The order is the ranking's, not the order of the list (« Mieux orienter » comes last in it).
    assert tables.sections_of(room.session, table) == [
        Section(f"item-{by_text[t].id}", t, n) for n, t in enumerate(expected, start=1)]
    # Keeping the third one by hand: it follows, in the ranking's order.
    ranking = room.activity("enjeux")
    rankings.set_kept(room.session, ranking, by_text["Équiper les lieux"], True, publisher=screens)
    assert [s.label for s in tables.sections_of(room.session, table)] == [
        "Mieux orienter", "Former les aidants", "Équiper les lieux"]
    # Dropping one removes its section.
    rankings.set_kept(room.session, ranking, by_text["Mieux orienter"], False, publisher=screens)
    assert [s.key for s in tables.sections_of(room.session, table)] == [
        f"item-{by_text['Former les aidants'].id}", f"item-{by_text['Équiper les lieux'].id}"]


def test_a_row_goes_only_under_a_kept_enjeu(make_room, screens):
    room = make_room(TEMPLATE)
    keep_by_vote(room, screens, [["Équiper les lieux", "Mieux orienter", "Former les aidants"]], 1)
    by_text = ranking_items(room)
    table = opened(room, "chantiers", screens)
    groups = workshops.groups_of(room.session, room.workshop.id)
    alice = room.join()
    not_kept = f"item-{by_text['Mieux orienter'].id}"
    with pytest.raises(DomainError, match=f"Enjeu inconnu dans ce tableau : « {not_kept} »"):
        tables.create_row(room.session, alice, table.id, not_kept, {"title": "Orienter"},
                          "cle-section-01", groups[0].id, publisher=screens)
    kept = f"item-{by_text['Équiper les lieux'].id}"
    row, created = tables.create_row(room.session, alice, table.id, kept, {"title": "Équiper"},
                                     "cle-section-02", groups[0].id, publisher=screens)
    assert created and row.section == kept
    assert screens.events == [(room.workshop.id, MODERATION)]


# ---------------------------------------------------------------- sub-groups


def test_a_group_table_needs_a_sub_group_of_the_workshop(make_room, screens):
    room = make_room(TEMPLATE)
    keep_by_vote(room, screens, [["Former les aidants", "Mieux orienter", "Équiper les lieux"]], 1)
    section = f"item-{ranking_items(room)['Former les aidants'].id}"
    table = opened(room, "chantiers", screens)
    g1, g2 = workshops.groups_of(room.session, room.workshop.id)
    alice = room.join()
    with pytest.raises(DomainError, match="Choisissez votre sous-groupe avant d'envoyer"):
        tables.create_row(room.session, alice, table.id, section, {"title": "Sans groupe"},
                          "cle-groupe-001", publisher=screens)
    foreign = workshops.groups_of(room.session, make_room(TEMPLATE).workshop.id)[0]
    with pytest.raises(NotFound, match=f"Sous-groupe {foreign.id} introuvable dans cet atelier"):
        tables.create_row(room.session, alice, table.id, section, {"title": "Groupe étranger"},
                          "cle-groupe-002", foreign.id, publisher=screens)
    assert stored_rows(room.session) == [] and screens.events == []

    first, _ = tables.create_row(room.session, alice, table.id, section, {"title": "Un"},
                                 "cle-groupe-003", g1.id, publisher=screens)
    assert first.group_id == g1.id
    # Her sub-group is remembered: her next row needs no group_id.
    assert room.session.get(Participant, alice.id).group_id == g1.id
    second, _ = tables.create_row(room.session, alice, table.id, section, {"title": "Deux"},
                                  "cle-groupe-004", publisher=screens)
    bob = room.join()
    other, _ = tables.create_row(room.session, bob, table.id, section, {"title": "Trois"},
                                 "cle-groupe-005", g2.id, publisher=screens)
    # Positions count within the section and the sub-group.
    assert [(r.group_id, r.position) for r in (first, second, other)] == [
        (g1.id, 1), (g1.id, 2), (g2.id, 1)]
    assert screens.events == [(room.workshop.id, MODERATION)] * 3


def test_a_table_without_sub_groups_refuses_one(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    group = workshops.groups_of(room.session, room.workshop.id)[0]
    with pytest.raises(DomainError, match="Ce tableau ne se remplit pas par sous-groupe"):
        tables.create_row(room.session, room.join(), table.id, "0", {"title": "Un"}, "cle-libre-001",
                          group.id, publisher=screens)
    assert stored_rows(room.session) == [] and screens.events == []


def test_check_may_edit(make_room, screens):
    room = make_room(TEMPLATE)
    keep_by_vote(room, screens, [["Former les aidants", "Mieux orienter", "Équiper les lieux"]], 1)
    section = f"item-{ranking_items(room)['Former les aidants'].id}"
    table = opened(room, "chantiers", screens)
    g1, g2 = workshops.groups_of(room.session, room.workshop.id)
    groups = {g.id: g for g in (g1, g2)}
    alice, bob, carol = room.join(), room.join(), room.join()
    row, _ = tables.create_row(room.session, alice, table.id, section, {"title": "Un"}, "cle-edit-0001",
                               g1.id, publisher=screens)
    tables.create_row(room.session, bob, table.id, section, {"title": "Deux"}, "cle-edit-0002", g2.id,
                      publisher=screens)
    tables.check_may_edit(table, row, alice, groups)  # her own sub-group's row
    with pytest.raises(Forbidden, match="Ce chantier appartient au sous-groupe « Groupe 1 » : "
                                        "seul ce sous-groupe peut le modifier"):
        tables.check_may_edit(table, row, bob, groups)
    with pytest.raises(Forbidden, match="appartient à un autre sous-groupe"):
        tables.check_may_edit(table, row, bob, {})  # a sub-group the caller does not know
    with pytest.raises(Forbidden, match="au sous-groupe « Groupe 1 »"):
        tables.check_may_edit(table, row, carol, groups)  # no sub-group yet
    tables.set_hidden(room.session, table, row, True, publisher=screens)
    with pytest.raises(NotAllowed, match="masqué par l'animateur : il ne peut plus être modifié"):
        tables.check_may_edit(table, row, alice, groups)

    shared = opened(room, "libre", screens)
    mine, _ = tables.create_row(room.session, alice, shared.id, "0", {"title": "Commun"}, "cle-edit-0003",
                                publisher=screens)
    tables.check_may_edit(shared, mine, bob, groups)  # without sub-groups the room shares the rows


# ---------------------------------------------------------------- editing


def test_an_edit_from_the_current_version_is_written_and_published(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    alice, bob = room.join(), room.join()
    row, _ = tables.create_row(room.session, alice, table.id, "0",
                               {"title": "Un", "pilot": "La mairie", "doers": "Les aidants"},
                               "cle-version-01", publisher=screens)
    screens.events.clear()
    edited = tables.edit_row(room.session, table, row, 1, {"pilot": "L'EPCI", "doers": ""}, bob,
                             publisher=screens)
    # Only the cells sent change; an emptied cell is dropped; the version grows by one.
    assert edited.cells == {"title": "Un", "pilot": "L'EPCI"}
    assert (edited.version, edited.updated_by, edited.created_by) == (2, bob.id, alice.id)
    stored = room.session.exec(select(TableRow.cells, TableRow.version).where(TableRow.id == row.id)).one()
    assert tuple(stored) == ({"title": "Un", "pilot": "L'EPCI"}, 2)
    # The facilitator's edit (no editor) is recorded as hers.
    tables.edit_row(room.session, table, edited, 2, {"title": "Un guichet"}, None, publisher=screens)
    assert (edited.version, edited.updated_by, edited.cells["title"]) == (3, None, "Un guichet")
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_an_edit_from_an_old_version_is_refused_with_the_current_row(make_room, screens):
    room = make_room(TEMPLATE)
    keep_by_vote(room, screens, [["Former les aidants", "Mieux orienter", "Équiper les lieux"]], 1)
    section = f"item-{ranking_items(room)['Former les aidants'].id}"
    table = opened(room, "chantiers", screens)
    group = workshops.groups_of(room.session, room.workshop.id)[0]
    alice, bob = room.join(), room.join()
    row, _ = tables.create_row(room.session, alice, table.id, section, {"title": "Un"}, "cle-stale-001",
                               group.id, publisher=screens)
    tables.edit_row(room.session, table, row, 1, {"pilot": "Alice"}, alice, publisher=screens)
    screens.events.clear()
    with pytest.raises(StaleRow, match="modifié par quelqu'un d'autre de votre groupe pendant que vous "
                                       "écriviez") as refused:
        tables.edit_row(room.session, table, row, 1, {"pilot": "Bob"}, bob, publisher=screens)
    assert refused.value.row.version == 2 and refused.value.row.cells == {"title": "Un", "pilot": "Alice"}
    assert isinstance(refused.value, NotAllowed)  # a 409 for the routes
    with pytest.raises(StaleRow, match="modifié par quelqu'un d'autre pendant"):
        tables.edit_row(room.session, table, row, 1, {"pilot": "L'animatrice"}, None, publisher=screens)
    room.session.expire_all()
    assert room.session.get(TableRow, row.id).cells == {"title": "Un", "pilot": "Alice"}
    assert screens.events == []


def test_an_edit_that_changes_nothing_writes_nothing(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    alice = room.join()
    row, _ = tables.create_row(room.session, alice, table.id, "0", {"title": "Un", "pilot": "Alice"},
                               "cle-same-0001", publisher=screens)
    tables.edit_row(room.session, table, row, 1, {"doers": "Bob"}, alice, publisher=screens)
    screens.events.clear()
    # Even from an old version: what she sends is what is there, so nothing is overwritten.
    same = tables.edit_row(room.session, table, row, 1, {"pilot": " Alice ", "doers": "Bob"}, alice,
                           publisher=screens)
    assert (same.version, same.cells) == (2, {"title": "Un", "pilot": "Alice", "doers": "Bob"})
    assert screens.events == []


def test_an_edit_refused_by_the_database_when_another_session_saved_first(make_room, screens):
    """The row in memory still says version 1 while another request has stored version 2: the
    conditional UPDATE matches no row, and the edit is refused with the version stored."""
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    alice, bob = room.join(), room.join()
    row, _ = tables.create_row(room.session, alice, table.id, "0", {"title": "Un"}, "cle-race-0001",
                               publisher=screens)
    screens.events.clear()
    with Session(room.session.get_bind(), expire_on_commit=False) as other:
        theirs = other.get(TableRow, row.id)
        tables.edit_row(other, table, theirs, 1, {"pilot": "Alice"}, alice, publisher=screens)
    assert row.version == 1  # not seen yet by this session
    with pytest.raises(StaleRow, match="voici la version actuelle") as refused:
        tables.edit_row(room.session, table, row, 1, {"pilot": "Bob"}, bob, publisher=screens)
    assert (refused.value.row.version, refused.value.row.cells) == (2, {"title": "Un", "pilot": "Alice"})
    assert screens.events == [(room.workshop.id, MODERATION)]  # the other session's edit only


def test_an_edit_is_checked_like_a_new_row(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    alice = room.join()
    row, _ = tables.create_row(room.session, alice, table.id, "0", {"title": "Un"}, "cle-check-001",
                               publisher=screens)
    screens.events.clear()
    with pytest.raises(DomainError, match="Donnez un titre au chantier"):
        tables.edit_row(room.session, table, row, 1, {"title": ""}, alice, publisher=screens)
    with pytest.raises(DomainError, match="Colonne inconnue : « couleur »"):
        tables.edit_row(room.session, table, row, 1, {"couleur": "bleu"}, alice, publisher=screens)
    assert (row.version, row.cells) == (1, {"title": "Un"})
    assert screens.events == []


# ---------------------------------------------------------------- hiding


def test_hiding_and_showing_a_row_is_published(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    alice = room.join()
    kept, _ = tables.create_row(room.session, alice, table.id, "0", {"title": "Gardé"}, "cle-hide-0001",
                                publisher=screens)
    row, _ = tables.create_row(room.session, alice, table.id, "0", {"title": "Masqué"}, "cle-hide-0002",
                               publisher=screens)
    screens.events.clear()
    tables.set_hidden(room.session, table, row, True, publisher=screens)
    assert [r.id for r in tables.rows_of(room.session, table.id, include_hidden=False)] == [kept.id]
    assert [r.id for r in tables.rows_of(room.session, table.id)] == [kept.id, row.id]
    tables.set_hidden(room.session, table, row, False, publisher=screens)
    assert [r.id for r in tables.rows_of(room.session, table.id, include_hidden=False)] == [kept.id, row.id]
    assert screens.events == [(room.workshop.id, MODERATION)] * 2


def test_row_of_refuses_a_row_of_another_table(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    row, _ = tables.create_row(room.session, room.join(), table.id, "0", {"title": "Un"},
                               "cle-rowof-001", publisher=screens)
    assert tables.row_of(room.session, table, row.id).id == row.id
    with pytest.raises(NotFound, match=f"Chantier {row.id} introuvable dans ce tableau"):
        tables.row_of(room.session, room.activity("fixe"), row.id)


# ---------------------------------------------------------------- a phone's « Ajouter »


def test_submit_row_creates_once_and_a_changed_retry_is_an_edit_of_the_first_version(make_room, screens):
    room = make_room(TEMPLATE)
    table = opened(room, "libre", screens)
    alice, bob = room.join(), room.join()
    row, created = tables.submit_row(room.session, alice, table.id, "0", {"title": "Un guichet"},
                                     "cle-retry-0001", publisher=screens)
    assert created and row.version == 1
    # The same request again (its answer was lost): the stored row, nothing written, no event.
    again, created = tables.submit_row(room.session, alice, table.id, "0", {"title": "Un guichet"},
                                       "cle-retry-0001", publisher=screens)
    assert (again.id, again.version, created) == (row.id, 1, False)
    # Retried after she changed her text: an edit of the version her first try created.
    edited, created = tables.submit_row(room.session, alice, table.id, "0",
                                        {"title": "Un guichet unique"}, "cle-retry-0001",
                                        publisher=screens)
    assert (edited.id, edited.version, created) == (row.id, 2, False)
    assert edited.cells == {"title": "Un guichet unique"} and edited.updated_by == alice.id
    assert screens.events == [(room.workshop.id, MODERATION)] * 2
    # Bob saved since: her retry with other text no longer starts from the current version.
    tables.edit_row(room.session, table, edited, 2, {"title": "Le guichet de Bob"}, bob,
                    publisher=screens)
    with pytest.raises(StaleRow, match="modifié par quelqu'un d'autre"):
        tables.submit_row(room.session, alice, table.id, "0", {"title": "Encore autre chose"},
                          "cle-retry-0001", publisher=screens)
    assert [r.cells for r in stored_rows(room.session)] == [{"title": "Le guichet de Bob"}]


def test_editable_row_is_an_open_table_row_of_her_sub_group(make_room, screens):
    room = make_room(TEMPLATE)
    keep_by_vote(room, screens, [["Former les aidants", "Mieux orienter", "Équiper les lieux"]], 1)
    section = f"item-{ranking_items(room)['Former les aidants'].id}"
    table = opened(room, "chantiers", screens)
    g1, g2 = workshops.groups_of(room.session, room.workshop.id)
    alice, bob = room.join(), room.join()
    row, _ = tables.create_row(room.session, alice, table.id, section, {"title": "Un"}, "cle-edit-0101",
                               g1.id, publisher=screens)
    assert tables.editable_row(room.session, alice, table.id, row.id) == (table, row)
    tables.create_row(room.session, bob, table.id, section, {"title": "Deux"}, "cle-edit-0102", g2.id,
                      publisher=screens)
    with pytest.raises(Forbidden, match="au sous-groupe « Groupe 1 »"):
        tables.editable_row(room.session, bob, table.id, row.id)
    with pytest.raises(NotFound, match="introuvable dans ce tableau"):
        tables.editable_row(room.session, alice, table.id, 999_999)
    workshops.set_state(room.session, table, "closed", publisher=screens)
    with pytest.raises(NotAllowed, match="pas ouverte"):
        tables.editable_row(room.session, alice, table.id, row.id)
