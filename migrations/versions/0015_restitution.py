"""restitution: the secret key of a workshop's published restitution page (/r/<key>)

Revision ID: 0015_restitution
Revises: 0014_join_tokens
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0015_restitution'
down_revision: str | None = '0014_join_tokens'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('workshop', sa.Column('restitution_key', sqlmodel.sql.sqltypes.AutoString(length=43),
                                        nullable=True))
    op.create_index('ix_workshop_restitution_key', 'workshop', ['restitution_key'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_workshop_restitution_key', table_name='workshop')
    # In place, not by a batch copy (which would drop the workshop table and cascade).
    op.execute('ALTER TABLE workshop DROP COLUMN restitution_key')
