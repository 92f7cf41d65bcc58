"""easy read: a workshop's « facile à lire et à comprendre » (FALC) mode for the phones

Revision ID: 0016_easy_read
Revises: 0015_restitution
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_easy_read'
down_revision: str | None = '0015_restitution'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('workshop', sa.Column('easy_read', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # In place, not by a batch copy (which would drop the workshop table and cascade).
    op.execute('ALTER TABLE workshop DROP COLUMN easy_read')
