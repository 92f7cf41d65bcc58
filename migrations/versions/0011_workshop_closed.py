"""workshop closed: the facilitator's « Clore l'atelier »

Revision ID: 0011_workshop_closed
Revises: 0010
Create Date: 2026-12-04 12:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011_workshop_closed'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # In place, not by a batch copy: SQLite would drop and recreate the workshop table, and its
    # participants, activities… with it (ON DELETE CASCADE). SQLite 3.35+ and PostgreSQL both can.
    op.execute("ALTER TABLE workshop DROP COLUMN closed_at")
