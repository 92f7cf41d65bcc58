"""Group commit: participants' writes, many to a transaction, acknowledged once stored.

A route hands the writer an operation (a function of a database session and a publisher: the
same service calls it would make with its own session) and awaits its result on the event loop;
no request thread is held. One thread runs the queued operations in batches: everything queued
while the previous batch was committing goes into the next, so a quiet room gets each write
committed at once and a busy one gets a few commits a second instead of one per vote.

In a batch each operation runs in a session joined to the batch's transaction through a
SAVEPOINT: its own `commit()` keeps its work, its failure (a closed activity, a wrong value)
rolls back only its own work and is raised to its own caller. The batch then commits once; only
after that are the operations' results handed back, so an answer never precedes the storage of
what it acknowledges. If the commit fails, every operation of the batch gets the error and
nothing of it is stored. What the operations published is published after the commit, once per
workshop and kind of change.
"""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from app.publishing import Publisher, RecordingPublisher, publish_safely

T = TypeVar("T")
Operation = Callable[[Session, Publisher], T]

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


class Writer:
    def __init__(self, engine: Engine, publisher: Publisher, max_batch: int = 200) -> None:
        self.engine = engine
        self.publisher = publisher
        self.max_batch = max_batch
        self.batches = 0
        self.operations = 0
        self._queue: asyncio.Queue[tuple[Operation[Any], asyncio.Future[Any]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="writer")

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._drain(self._queue))

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        if self._queue is not None and self._task is not None:
            await self._queue.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._thread.shutdown(wait=True)

    async def run(self, operation: Operation[T]) -> T:
        """The operation's result once its batch has committed; its exception if it failed."""
        if self._queue is None:
            raise RuntimeError("the writer is not started")
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((operation, done))
        return await done

    async def _drain(self, queue: "asyncio.Queue[tuple[Operation[Any], asyncio.Future[Any]]]") -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                outcomes = await loop.run_in_executor(self._thread, self.commit, [op for op, _ in batch])
            except asyncio.CancelledError as error:  # stopped mid-batch: nobody is acknowledged
                self._settle(queue, batch, [Outcome(error=error)] * len(batch))
                raise
            self._settle(queue, batch, outcomes)

    @staticmethod
    def _settle(queue: "asyncio.Queue[Any]", batch: list[tuple[Operation[Any], asyncio.Future[Any]]],
                outcomes: list[Outcome]) -> None:
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if not done.done():
                if outcome.error is None:
                    done.set_result(outcome.value)
                else:
                    done.set_exception(outcome.error)
            queue.task_done()

    def commit(self, operations: list[Operation[Any]]) -> list[Outcome]:
        """Run the operations in one transaction (a savepoint each) and commit it."""
        collected = RecordingPublisher()
        outcomes: list[Outcome] = []
        try:
            with self.engine.connect() as connection, connection.begin():
                for operation in operations:
                    with Session(bind=connection, join_transaction_mode="create_savepoint",
                                 expire_on_commit=False) as session:
                        try:
                            outcomes.append(Outcome(value=operation(session, collected)))
                        except Exception as error:
                            session.rollback()
                            outcomes.append(Outcome(error=error))
        except (OperationalError, InterfaceError) as error:  # the database out of reach: no traceback
            log.error("a batch of %d writes could not be committed: %s", len(operations),
                      str(error.orig).splitlines()[0] if error.orig else error)
            return [Outcome(error=error)] * len(operations)
        except Exception as error:
            log.exception("a batch of %d writes could not be committed", len(operations))
            return [Outcome(error=error)] * len(operations)
        self.batches += 1
        self.operations += len(operations)
        for workshop_id, change in dict.fromkeys(collected.events):
            publish_safely(self.publisher, workshop_id, change)
        return outcomes
