"""join tokens: the workshop's « Jetons à usage unique » option and its printed tokens

Revision ID: 0014_join_tokens
Revises: 0013_facilitator_sessions
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014_join_tokens'
down_revision: str | None = '0013_facilitator_sessions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('workshop', sa.Column('tokens_required', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.create_table(
        'join_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('participant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_join_token_workshop_id', 'join_token', ['workshop_id'])
    op.create_index('ix_join_token_participant_id', 'join_token', ['participant_id'])
    op.create_index('ix_join_token_digest', 'join_token', ['digest'], unique=True)


def downgrade() -> None:
    op.drop_table('join_token')
    # In place, not by a batch copy (which would drop the workshop table and cascade).
    op.execute('ALTER TABLE workshop DROP COLUMN tokens_required')
