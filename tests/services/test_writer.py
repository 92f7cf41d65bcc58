"""app/services/writer.py on a real database: participants' ratings go through the batch writer
while the facilitator closes and reopens the rating from another connection, in random
interleavings; the database must then hold exactly the acknowledged writes, once each, and a
rating closed before a write was sent must refuse it."""

import asyncio
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import Session, select

from app.db import make_writer_engine
from app.domain.errors import DomainError, NotAllowed
from app.models import Vote
from app.publishing import ITEMS, RecordingPublisher
from app.services import items, ratings, workshops
from app.services.writer import Writer
from tests.services.helpers import QUIET, opened

TEMPLATE = """\
title: Écritures groupées
activities:
  - kind: rating
    id: urgence
    title: Urgence
    items: [Équiper les lieux, Former les professionnels, Ouvrir le samedi]
    axes: [{key: urgence, label: Urgence}]
    scale: {min: 0, max: 3}
    allow_unknown: false
"""

PEOPLE, ITEMS_RATED = 3, 3

write = st.tuples(st.just("rate"), st.integers(0, PEOPLE - 1), st.integers(0, ITEMS_RATED - 1),
                  st.integers(0, 4))  # 4 is off the scale: refused, stores nothing
step = st.one_of(write, write, write, st.just(("replay",)), st.just(("close",)), st.just(("reopen",)),
                 st.just(("flush",)))


@dataclass
class Sent:
    key: tuple[int, int]
    value: int
    after_close: bool  # sent once a close had committed; answered before any reopen
    task: "asyncio.Task[tuple[int | None, bool]]"


def stored(session: Session, activity_id: int) -> list[tuple[int, int, int | None]]:
    with Session(session.get_bind()) as other:
        return [(v.participant_id, int(v.target), v.value)
                for v in other.exec(select(Vote).where(Vote.activity_id == activity_id))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=40))
def test_the_database_holds_exactly_what_was_acknowledged(make_room, session, database_url, steps):
    room = make_room(TEMPLATE)
    activity = opened(room, "urgence")
    people = [room.join(f"P{n}") for n in range(PEOPLE)]
    shown = items.of_activity(session, activity.id)
    screens = RecordingPublisher()
    engine = make_writer_engine(database_url)
    facilitator_engine = make_writer_engine(database_url)

    def set_state(state: str) -> None:
        with Session(facilitator_engine, expire_on_commit=False) as other:
            fresh = workshops.get_activity(other, activity.id)
            workshops.set_state(other, fresh, state, publisher=QUIET)

    async def play() -> list[Sent]:
        writer = Writer(engine, screens, max_batch=4)
        await writer.start()
        sent: list[Sent] = []
        closed = False
        for s in steps:
            if s[0] == "rate" or (s[0] == "replay" and sent):
                if s[0] == "rate":
                    _, p, i, value = s
                    key = (p, i)
                else:
                    key, value = sent[-1].key, sent[-1].value
                person, item = people[key[0]], shown[key[1]]

                def op(db: Session, publisher, person=person, item=item, value=value):
                    rated = ratings.rate(db, person, activity.id, str(item.id), "urgence", str(value),
                                         publisher=publisher)
                    return rated.value, rated.changed

                sent.append(Sent(key, value, closed, asyncio.create_task(writer.run(op))))
                await asyncio.sleep(0)
            elif (s[0] == "close" and not closed) or (s[0] == "reopen" and closed):
                if closed:  # what was sent while closed is answered before the reopen
                    await asyncio.gather(*(x.task for x in sent), return_exceptions=True)
                await asyncio.to_thread(set_state, "closed" if s[0] == "close" else "open")
                closed = s[0] == "close"
            elif s[0] == "flush":
                await asyncio.gather(*(x.task for x in sent), return_exceptions=True)
        await asyncio.gather(*(x.task for x in sent), return_exceptions=True)
        await writer.stop()
        return sent

    sent = asyncio.run(play())
    last: dict[tuple[int, int], int] = {}
    for x in sent:
        error = x.task.exception()
        if error is None:
            assert not x.after_close, "a write sent after the close committed was acknowledged"
            assert x.task.result()[0] == x.value
            last[x.key] = x.value
        else:
            assert isinstance(error, DomainError), error
            if x.after_close:
                assert isinstance(error, NotAllowed)
            else:  # refused for its value, or because a close overtook it
                assert x.value == 4 or isinstance(error, NotAllowed), error
    ids = {p.id: n for n, p in enumerate(people)}
    position = {item.id: n for n, item in enumerate(shown)}
    rows = [((ids[p], position[i]), v) for p, i, v in stored(session, activity.id)]
    assert sorted(rows) == sorted(last.items()), "stored ≠ acknowledged (lost, doubled or unacknowledged)"
    if last:
        assert (activity.workshop_id, ITEMS) in screens.events
    engine.dispose()
    facilitator_engine.dispose()


def test_a_batch_publishes_each_change_once_after_its_commit(make_room, session, database_url):
    room = make_room(TEMPLATE)
    activity = opened(room, "urgence")
    people = [room.join(f"P{n}") for n in range(PEOPLE)]
    shown = items.of_activity(session, activity.id)
    seen: list[tuple[int, str, int]] = []

    class Counting:
        """Records, at each publish, how many votes another connection already sees."""

        def publish(self, workshop_id: int, change: str) -> None:
            seen.append((workshop_id, change, len(stored(session, activity.id))))

    writer = Writer(make_writer_engine(database_url), Counting())
    operations = [
        (lambda db, publisher, p=p, i=i: ratings.rate(db, p, activity.id, str(i.id), "urgence", "2",
                                                     publisher=publisher))
        for p in people for i in shown]
    outcomes = writer.commit(operations)
    assert all(o.error is None for o in outcomes)
    assert seen == [(activity.workshop_id, ITEMS, PEOPLE * ITEMS_RATED)]
    assert writer.batches == 1 and writer.operations == PEOPLE * ITEMS_RATED


def test_a_failing_commit_acknowledges_nothing_and_stores_nothing(make_room, session, database_url):
    room = make_room(TEMPLATE)
    activity = opened(room, "urgence")
    people = [room.join(f"P{n}") for n in range(PEOPLE)]
    item = items.of_activity(session, activity.id)[0]
    engine = make_writer_engine(database_url)

    def disk_full(_connection) -> None:
        raise OSError("disque plein")

    event.listen(engine, "commit", disk_full)  # before the COMMIT reaches the database
    screens = RecordingPublisher()
    writer = Writer(engine, screens)
    operations = [
        (lambda db, publisher, p=p: ratings.rate(db, p, activity.id, str(item.id), "urgence", "1",
                                                 publisher=publisher))
        for p in people]
    outcomes = writer.commit(operations)
    assert [type(o.error) for o in outcomes] == [OSError] * PEOPLE
    assert stored(session, activity.id) == []
    assert screens.events == []
    assert writer.batches == 0
    engine.dispose()


def test_a_batch_publishes_each_workshop_and_change_once_in_order(database_url):
    screens = RecordingPublisher()
    writer = Writer(make_writer_engine(database_url), screens)

    def publishes(workshop_id: int, change: str):
        return lambda _db, publisher: publisher.publish(workshop_id, change)

    outcomes = writer.commit([publishes(1, ITEMS), publishes(1, ITEMS), publishes(2, ITEMS),
                              publishes(1, "state")])
    assert all(o.error is None for o in outcomes)
    assert screens.events == [(1, ITEMS), (2, ITEMS), (1, "state")]
    writer.engine.dispose()
