"""table rows and resource links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _people_and_places(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=f'fk_{table}_activity_id',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['workshop_group.id'], name=f'fk_{table}_group_id',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by'], ['participant.id'], name=f'fk_{table}_created_by',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['updated_by'], ['participant.id'], name=f'fk_{table}_updated_by',
                                ondelete='SET NULL'),
    ]


INDEXED = ('activity_id', 'group_id', 'created_by', 'updated_by')


def upgrade() -> None:
    op.create_table('table_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
    sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    *_people_and_places('table_row'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('created_by', 'client_key', name='uq_table_row_client_key')
    )
    with op.batch_alter_table('table_row', schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f'ix_table_row_{column}'), [column], unique=False)

    op.create_table('resource_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
              server_default='aucune'),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=280), nullable=False, server_default=''),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    *_people_and_places('resource_link'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'category', 'name_key', name='uq_resource_link_name'),
    sa.UniqueConstraint('created_by', 'client_key', name='uq_resource_link_client_key')
    )
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f'ix_resource_link_{column}'), [column], unique=False)


def downgrade() -> None:
    for table in ('resource_link', 'table_row'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(INDEXED):
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
