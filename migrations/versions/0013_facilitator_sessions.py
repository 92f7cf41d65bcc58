"""facilitator sessions stored server-side: logout, a password change and « Déconnecter mes
autres sessions » end them at once

Revision ID: 0013_facilitator_sessions
Revises: 0012_personal_data
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013_facilitator_sessions'
down_revision: str | None = '0012_personal_data'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'facilitator_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('facilitator_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_facilitator_session_token_digest', 'facilitator_session', ['token_digest'],
                    unique=True)
    op.create_index('ix_facilitator_session_facilitator_id', 'facilitator_session', ['facilitator_id'])


def downgrade() -> None:
    op.drop_index('ix_facilitator_session_facilitator_id', table_name='facilitator_session')
    op.drop_index('ix_facilitator_session_token_digest', table_name='facilitator_session')
    op.drop_table('facilitator_session')
