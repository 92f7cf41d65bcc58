"""proxy counts (show of hands, paper ballots)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('proxy_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('axis', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name='fk_proxy_count_activity_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'target', 'axis', 'value', name='uq_proxy_count')
    )
    with op.batch_alter_table('proxy_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_count_activity_id'), ['activity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proxy_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_count_activity_id'))
    op.drop_table('proxy_count')
