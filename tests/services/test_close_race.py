"""A phone's write and the facilitator's « Clore l'atelier » wait for each other (issue 11, point 3):
a write whose batch read the workshop open is committed before the close, and a write after the
close is refused; nothing is stored after a close is committed. On SQLite the batch writer's
transactions are IMMEDIATE; on PostgreSQL the write reads the workshop's row FOR SHARE."""

import threading

import pytest
from sqlmodel import Session, select

from app.db import make_engine, make_writer_engine
from app.domain.errors import Gone
from app.models import Item, Workshop, utcnow
from app.publishing import NoPublisher
from app.services import items, participants, workshops
from tests.services.helpers import ONE_POSTITS, opened

WAIT = 1.0  # seconds the other side is seen waiting


def _in_thread(target) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(target())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_close_waits_for_a_write_in_flight(make_room, database_url):
    room = make_room(ONE_POSTITS)
    notes = opened(room, "idees")
    alice = room.join("Alice")
    code, tokens = room.workshop.join_code, {str(room.workshop.id): alice.token}
    writer, other = make_writer_engine(database_url), make_engine(database_url)

    def close() -> None:
        with Session(other) as session:
            workshops.close(session, workshops.get(session, room.workshop.id), publisher=NoPublisher())

    try:
        with writer.connect() as connection, connection.begin(), \
                Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            _workshop, me = participants.in_workshop(session, code, tokens, writing=True)
            closing, outcome = _in_thread(close)
            closing.join(WAIT)
            assert closing.is_alive(), "the close waits for the write that read the workshop open"
            assert me is not None
            items.post(session, me, notes.id, "Juste à temps", client_key="k" * 32,
                       publisher=NoPublisher())
        closing.join(10)
        assert outcome == [None]
        with Session(other) as session:
            assert [i.text for i in session.exec(select(Item))] == ["Juste à temps"]
            assert session.get(Workshop, room.workshop.id).closed_at is not None
    finally:
        writer.dispose()
        other.dispose()


def test_a_write_waits_for_a_close_in_flight_and_is_refused(make_room, database_url):
    room = make_room(ONE_POSTITS)
    opened(room, "idees")
    alice = room.join("Alice")
    code, tokens = room.workshop.join_code, {str(room.workshop.id): alice.token}
    writer, other = make_writer_engine(database_url), make_engine(database_url)

    def write() -> None:
        with writer.connect() as connection, connection.begin(), \
                Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            participants.in_workshop(session, code, tokens, writing=True)

    try:
        with Session(other) as closing:
            workshop = closing.get(Workshop, room.workshop.id)
            workshop.closed_at = utcnow()
            closing.add(workshop)
            closing.flush()  # the close is written, not yet committed
            writing, outcome = _in_thread(write)
            writing.join(WAIT)
            assert writing.is_alive(), "the write waits for the close in flight"
            closing.commit()
        writing.join(10)
        (error,) = outcome
        assert isinstance(error, Gone) and "est clos" in error.message
    finally:
        writer.dispose()
        other.dispose()


def test_a_closed_workshop_answers_its_code_as_unknown_but_to_its_participants(make_room, screens):
    room = make_room(ONE_POSTITS)
    alice = room.join("Alice")
    code = room.workshop.join_code
    workshops.close(room.session, room.workshop, publisher=screens)
    assert screens.events == [(room.workshop.id, "structure")]
    unknown = workshops.unknown_code(code).message
    for call in (lambda: workshops.by_code(room.session, code),
                 lambda: participants.in_workshop(room.session, code, {}),
                 lambda: participants.in_workshop(room.session, code, {"0": "x"}, writing=True)):
        with pytest.raises(Exception) as refused:
            call()
        assert refused.value.message == unknown and refused.value.status == 404
    tokens = {str(room.workshop.id): alice.token}
    assert participants.in_workshop(room.session, code, tokens)[1].id == alice.id
    with pytest.raises(Gone):
        participants.in_workshop(room.session, code, tokens, writing=True)
    workshops.reopen(room.session, room.workshop, publisher=screens)
    assert participants.in_workshop(room.session, code, tokens, writing=True)[1].id == alice.id
    assert workshops.by_code(room.session, code).id == room.workshop.id
