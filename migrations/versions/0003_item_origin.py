"""item origin

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_item_origin_id'), ['origin_id'], unique=False)
        batch_op.create_foreign_key('fk_item_origin_id', 'item', ['origin_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_constraint('fk_item_origin_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_item_origin_id'))
        batch_op.drop_column('origin_id')

