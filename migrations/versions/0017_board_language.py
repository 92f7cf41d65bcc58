"""board language: the language a workshop's board (projected screen) is rendered in

Revision ID: 0017_board_language
Revises: 0016_easy_read
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_board_language'
down_revision: str | None = '0016_easy_read'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('workshop', sa.Column('language', sa.String(length=5), nullable=False, server_default='fr'))


def downgrade() -> None:
    # In place, not by a batch copy (which would drop the workshop table and cascade).
    op.execute('ALTER TABLE workshop DROP COLUMN language')
