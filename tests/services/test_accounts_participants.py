"""Facilitator accounts (app/services/accounts.py) and anonymous participants
(app/services/participants.py): who may have an account and how she logs in; how a participant
joins, is found again by her token, chooses her sub-group, and is counted as present."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from app.domain.errors import DomainError, NotAllowed, NotFound
from app.models import Facilitator, Participant, ParticipantIdentity, utcnow
from app.services import accounts, participants, tables, workshops
from tests.services.helpers import exactly

TEMPLATE = """\
title: Atelier
groups: [Groupe 1, Groupe 2]
activities:
  - kind: postits
    id: idees
    title: Vos idées
"""
TTL = 60


def facilitators(session: Session) -> list[tuple[str, str]]:
    return [(f.email, f.name) for f in session.exec(select(Facilitator).order_by(Facilitator.id))]


# ---------------------------------------------------------------- accounts


def test_an_account_is_created_with_a_normalised_email_and_a_hashed_password(session):
    account = accounts.create_facilitator(session, "  Anne.Dupont@Example.ORG ", "  Anne Dupont ",
                                          "huit-car")
    assert (account.email, account.name) == ("anne.dupont@example.org", "Anne Dupont")
    assert "huit-car" not in account.password_hash and account.password_hash.startswith("$argon2")
    assert PasswordHasher().verify(account.password_hash, "huit-car")
    # Without a name, she is called by her address; a long name is cut at 120 characters.
    nameless = accounts.create_facilitator(session, "b@example.org", "   ", "motdepasse")
    long_name = accounts.create_facilitator(session, "c@example.org", "N" * 130, "motdepasse")
    assert (nameless.name, long_name.name) == ("b@example.org", "N" * 120)
    assert facilitators(session) == [("anne.dupont@example.org", "Anne Dupont"),
                                     ("b@example.org", "b@example.org"), ("c@example.org", "N" * 120)]


def test_an_account_is_refused_for_a_bad_email_a_short_password_or_a_taken_address(session):
    accounts.create_facilitator(session, "anne@example.org", "Anne", "motdepasse")
    longest = "a" * (254 - len("@example.org")) + "@example.org"
    assert len(longest) == 254
    for email, password, error, message in [
        ("anne.example.org", "motdepasse", DomainError, "Adresse e-mail invalide."),
        ("   ", "motdepasse", DomainError, "Adresse e-mail invalide."),
        ("a" + longest, "motdepasse", DomainError, "Adresse e-mail invalide."),
        ("berthe@example.org", "7-carac", DomainError, "Le mot de passe doit faire au moins 8 caractères."),
        ("berthe@example.org", "", DomainError, "Le mot de passe doit faire au moins 8 caractères."),
        (" ANNE@example.org", "motdepasse", NotAllowed, "Un compte existe déjà pour anne@example.org."),
    ]:
        with pytest.raises(error, match=exactly(message)):
            accounts.create_facilitator(session, email, "Quelqu'un", password)
    assert facilitators(session) == [("anne@example.org", "Anne")]
    # 254 characters is the limit, not beyond it.
    assert accounts.create_facilitator(session, longest, "Longue", "motdepasse").email == longest


def test_authenticate_with_the_right_password_only(session):
    anne = accounts.create_facilitator(session, "anne@example.org", "Anne", "le-bon-mot")
    found = accounts.authenticate(session, "  ANNE@Example.org ", "le-bon-mot")
    assert found is not None and found.id == anne.id
    assert accounts.authenticate(session, "anne@example.org", "le-bon-mo") is None
    assert accounts.authenticate(session, "anne@example.org", "LE-BON-MOT") is None
    assert accounts.authenticate(session, "berthe@example.org", "le-bon-mot") is None
    assert accounts.authenticate(session, "anne@example.org", "") is None


def test_an_old_hash_is_replaced_at_the_next_login(session):
    anne = accounts.create_facilitator(session, "anne@example.org", "Anne", "le-bon-mot")
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    anne.password_hash = weak.hash("le-bon-mot")
    session.add(anne)
    session.commit()
    assert PasswordHasher().check_needs_rehash(anne.password_hash)
    assert accounts.authenticate(session, "anne@example.org", "le-bon-mot").id == anne.id
    session.expire_all()
    stored = session.get(Facilitator, anne.id).password_hash
    assert not PasswordHasher().check_needs_rehash(stored) and PasswordHasher().verify(stored, "le-bon-mot")
    # A stored hash that is not one refuses the login (no error).
    anne.password_hash = "pas-un-hachage"
    session.add(anne)
    session.commit()
    assert accounts.authenticate(session, "anne@example.org", "le-bon-mot") is None


# ---------------------------------------------------------------- joining


def test_joining_cleans_and_limits_the_name_and_the_organisation(make_room):
    room = make_room(TEMPLATE)
    anne = participants.join(room.session, room.workshop, "  Anne \n  Dupont ", " Centre   social ")
    # Her name and organisation are kept apart from the row her votes reference.
    who = room.session.get(ParticipantIdentity, anne.id)
    assert (who.display_name, who.organisation, anne.workshop_id) == (
        "Anne Dupont", "Centre social", room.workshop.id)
    assert (anne.proxy, anne.connections, anne.group_id) == (False, 0, None)
    assert not {"display_name", "organisation"} & set(Participant.model_fields)
    anonymous = participants.join(room.session, room.workshop)
    assert room.session.get(ParticipantIdentity, anonymous.id) is None
    assert len(anne.token) == 43 and anne.token != anonymous.token  # 32 random bytes, URL-safe
    # The limits count the cleaned text: 80 characters for a name, 120 for an organisation.
    longest = participants.join(room.session, room.workshop, f"  {'n' * 80}  ", "o" * 120)
    who = room.session.get(ParticipantIdentity, longest.id)
    assert (len(who.display_name), len(who.organisation)) == (80, 120)
    before = len(room.session.exec(select(Participant)).all())
    for name, organisation, message in [
        ("n" * 81, "", "Nom : 80 caractères au maximum."),
        ("a " * 41, "", "Nom : 80 caractères au maximum."),  # 81 once cleaned
        ("Anne", "o" * 121, "Structure : 120 caractères au maximum."),
    ]:
        with pytest.raises(DomainError, match=exactly(message)):
            participants.join(room.session, room.workshop, name, organisation)
    assert len(room.session.exec(select(Participant)).all()) == before


def test_paper_ballots_are_nameless_participants_of_their_workshop(make_room):
    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    room.join("Anne")  # a phone is not a paper ballot
    first = participants.join_paper_ballot(room.session, room.workshop)
    second = participants.join_paper_ballot(room.session, other.workshop)
    assert [(p.proxy, p.workshop_id) for p in (first, second)] == [
        (True, room.workshop.id), (True, other.workshop.id)]
    assert room.session.get(ParticipantIdentity, first.id) is None


def test_a_participant_is_found_by_her_token_in_her_workshop_only(make_room):
    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    anne = room.join("Anne")
    assert participants.by_token(room.session, room.workshop.id, anne.token).id == anne.id
    assert participants.by_token(room.session, other.workshop.id, anne.token) is None
    assert participants.by_token(room.session, room.workshop.id, anne.token[:-1]) is None
    assert participants.by_token(room.session, room.workshop.id, "") is None
    assert participants.by_token(room.session, room.workshop.id, None) is None


def test_in_workshop_reads_what_by_code_then_by_token_read(make_room):
    """The one-query identity of a phone's write is defined by the two reads it replaces: the
    workshop of the code, then the participant of the token the browser holds under its id."""
    import itertools

    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    anne, berthe, claude = room.join("Anne"), room.join("Berthe"), other.join("Claude")
    held = [anne.token, berthe.token, claude.token, anne.token[:-1], "", 7]
    keys = [str(room.workshop.id), str(other.workshop.id), "999"]
    for code in (room.workshop.join_code, other.workshop.join_code.lower()):
        workshop = workshops.by_code(room.session, code)
        for chosen in itertools.product([None, *held], repeat=len(keys)):
            tokens = {k: t for k, t in zip(keys, chosen, strict=True) if t is not None}
            found_workshop, found = participants.in_workshop(room.session, code, tokens)
            token = tokens.get(str(workshop.id))
            token = token if isinstance(token, str) else None
            expected = participants.by_token(room.session, workshop.id, token)
            assert found_workshop.id == workshop.id
            assert (found.id if found else None) == (expected.id if expected else None), tokens
    with pytest.raises(NotFound, match=exactly("Aucun atelier avec le code « nope ».")):
        participants.in_workshop(room.session, "nope", {str(room.workshop.id): anne.token})


# ---------------------------------------------------------------- sub-groups


def test_choosing_a_sub_group(make_room):
    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    session = room.session
    g1, g2 = workshops.groups_of(session, room.workshop.id)
    foreign = workshops.groups_of(session, other.workshop.id)[0]
    anne, berthe = room.join("Anne"), room.join("Berthe")
    with pytest.raises(DomainError, match=exactly("Choisissez votre sous-groupe avant d'envoyer.")):
        participants.choose_group(session, anne, None)
    for group_id in (foreign.id, 999999):
        with pytest.raises(NotFound, match=exactly(f"Sous-groupe {group_id} introuvable dans cet atelier.")):
            participants.choose_group(session, anne, group_id)
    assert participants.choose_group(session, anne, g1.id) == g1.id
    # The caller commits (with the contribution it records): without a commit, nothing is kept.
    session.rollback()
    assert session.get(Participant, anne.id).group_id is None
    tables.choose_group(session, anne, g1.id)  # the table's route commits it
    session.expire_all()
    assert session.get(Participant, anne.id).group_id == g1.id
    # Chosen before: no group_id needed; another one moves her.
    assert participants.choose_group(session, anne, None) == g1.id
    assert participants.choose_group(session, anne, g2.id) == g2.id
    session.commit()
    assert participants.groups_of(session, [anne.id, berthe.id]) == {anne.id: g2.id, berthe.id: None}
    assert participants.groups_of(session, []) == {}


# ---------------------------------------------------------------- presence


def present(room) -> int:
    return participants.count_present(room.session, room.workshop.id, TTL)


def connections(room, participant: Participant) -> int:
    room.session.expire_all()
    return room.session.get(Participant, participant.id).connections


def test_present_means_connected_and_seen_recently(make_room):
    room, other = make_room(TEMPLATE), make_room(TEMPLATE)
    session = room.session
    anne, berthe = room.join("Anne"), room.join("Berthe")
    assert present(room) == 0  # joined, no screen open
    participants.connected(session, anne.id, 1)
    participants.connected(session, anne.id, 1)  # a second tab
    participants.connected(session, berthe.id, 1)
    assert (connections(room, anne), present(room)) == (2, 2)
    participants.connected(session, anne.id, -1)
    assert (connections(room, anne), present(room)) == (1, 2)
    participants.connected(session, anne.id, -1)
    assert (connections(room, anne), present(room)) == (0, 1)
    participants.connected(session, anne.id, -1)  # a close counted twice never goes below zero
    assert connections(room, anne) == 0
    # Paper ballots and other workshops' participants are not counted.
    ballot = participants.join_paper_ballot(session, room.workshop)
    participants.connected(session, ballot.id, 1)
    stranger = other.join("Claire")
    participants.connected(session, stranger.id, 1)
    assert present(room) == 1
    assert participants.count_present(session, other.workshop.id, TTL) == 1


def test_presence_expires_without_a_heartbeat(make_room):
    room = make_room(TEMPLATE)
    session = room.session
    anne, berthe = room.join("Anne"), room.join("Berthe")
    for who in (anne, berthe):
        participants.connected(session, who.id, 1)
    assert present(room) == 2
    # Nothing heard from them for longer than the time to live: not counted, though connected.
    session.expire_all()
    for who in (anne, berthe):
        seen = session.get(Participant, who.id)
        seen.last_seen = utcnow() - timedelta(seconds=TTL + 5)
        session.add(seen)
    session.commit()
    assert present(room) == 0
    assert participants.count_present(session, room.workshop.id, TTL + 60) == 2  # a longer TTL
    before = utcnow()
    participants.heartbeat(session, [anne.id])
    session.expire_all()
    assert session.get(Participant, anne.id).last_seen >= before
    assert present(room) == 1
    participants.heartbeat(session, [])  # nothing to do
    assert present(room) == 1
