"""Services tested directly: a real database session (SQLite here, PostgreSQL again with
CAP_TEST_DB=postgres: every test in this folder is marked `storage`), no HTTP, and a
`RecordingPublisher` to see what each service announces to the screens after its commit."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.db import make_engine
from app.domain.workshop_templates import parse_template
from app.models import Activity, Facilitator, Participant, Workshop
from app.publishing import RecordingPublisher
from app.services import accounts, participants, workshops


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/services/" in str(item.fspath):
            item.add_marker(pytest.mark.storage)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as opened:
        yield opened
    engine.dispose()


@pytest.fixture
def screens() -> RecordingPublisher:
    return RecordingPublisher()


@dataclass
class Room:
    """A workshop made from a YAML template, its facilitator and its activities by template id."""

    session: Session
    owner: Facilitator
    workshop: Workshop

    def activity(self, ref: str) -> Activity:
        found = workshops.activity_by_ref(self.session, self.workshop.id, ref)
        assert found is not None, ref
        return found

    def join(self, name: str = "") -> Participant:
        return participants.join(self.session, self.workshop, name)


@pytest.fixture
def make_room(session: Session):
    """`make_room(yaml)`: a workshop from that template text (its activities need an `id`)."""
    count = 0

    def make(template: str) -> Room:
        nonlocal count
        count += 1
        owner = accounts.create_facilitator(session, f"animation{count}@example.org", "Animatrice",
                                            "motdepasse-animation")
        workshop = workshops.create_from_template(session, owner.id,
                                                  parse_template(template, "atelier.yaml"))
        return Room(session, owner, workshop)

    return make
