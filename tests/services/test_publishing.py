"""Services publish once, after their commit; a refused or replayed write publishes nothing; a
publisher that fails never turns a stored write into an error."""

import logging

import pytest
from sqlmodel import select

from app.domain.errors import NotAllowed
from app.models import Item
from app.publishing import ITEMS, MODERATION, STRUCTURE, publish_safely
from app.services import items, workshops
from tests.services.helpers import ONE_POSTITS


class Broken:
    def publish(self, workshop_id: int, change: str) -> None:
        raise ConnectionError("Redis est tombé")


def test_a_contribution_is_published_once_after_its_commit(make_room, screens):
    room = make_room(ONE_POSTITS)
    notes = room.activity("idees")
    workshops.set_state(room.session, notes, "open", publisher=screens)
    alice = room.join()
    note, created = items.post(room.session, alice, notes.id, "La fibre", client_key="cle-00000001",
                               publisher=screens)
    assert created
    again, created = items.post(room.session, alice, notes.id, "La fibre", client_key="cle-00000001",
                                publisher=screens)
    assert (again.id, created) == (note.id, False)  # a replay: stored once, announced once
    items.set_hidden(room.session, notes, note, True, publisher=screens)
    assert screens.events == [(room.workshop.id, STRUCTURE), (room.workshop.id, ITEMS),
                              (room.workshop.id, MODERATION)]


def test_a_refused_write_publishes_nothing(make_room, screens):
    room = make_room(ONE_POSTITS)
    alice = room.join()
    with pytest.raises(NotAllowed, match="pas ouverte"):
        items.post(room.session, alice, room.activity("idees").id, "Trop tôt",
                   client_key="cle-00000002", publisher=screens)
    assert screens.events == []
    assert room.session.exec(select(Item)).all() == []


def test_a_failing_publisher_is_logged_and_the_write_stays_stored(make_room, caplog):
    room = make_room(ONE_POSTITS)
    notes = room.activity("idees")
    with caplog.at_level(logging.ERROR, logger="cap.publishing"):
        workshops.set_state(room.session, notes, "open", publisher=Broken())
        note, created = items.post(room.session, room.join(), notes.id, "Les seniors",
                                   client_key="cle-00000003", publisher=Broken())
    assert created and room.session.get(Item, note.id) is not None
    assert notes.state == "open"
    assert [r.getMessage() for r in caplog.records] == [
        f"could not publish structure for workshop {room.workshop.id} (the change is stored)",
        f"could not publish items for workshop {room.workshop.id} (the change is stored)"]
    assert all(r.exc_info and "Redis est tombé" in str(r.exc_info[1]) for r in caplog.records)


def test_publish_safely_swallows_and_logs(caplog):
    with caplog.at_level(logging.ERROR, logger="cap.publishing"):
        publish_safely(Broken(), 7, ITEMS)
    assert "could not publish items for workshop 7" in caplog.text
