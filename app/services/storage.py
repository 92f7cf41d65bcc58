"""Write helpers shared by the services."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

T = TypeVar("T", bound=SQLModel)


def insert_once(session: Session, row: T, existing: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert a row guarded by a unique idempotency key; returns (row, created).

    When the same key raced in from another request, the first one stored wins and is returned.
    """
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        previous = existing()
        if previous is None:
            raise
        return previous, False
    session.refresh(row)
    return row, True
