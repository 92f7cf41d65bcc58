"""roadmap model: territory, roadmap, governance, enjeux, défis, chantiers, resources, actions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 11:08:44.719680
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('territory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('roadmap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('perimeter', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('carriers', sa.JSON(), nullable=False),
    sa.Column('context', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['facilitator.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_territory_id'), ['territory_id'], unique=False)

    op.create_table('committee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_roadmap_id'), ['roadmap_id'], unique=False)

    op.create_table('defi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('defi', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defi_roadmap_id'), ['roadmap_id'], unique=False)

    op.create_table('roadmap_workshop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('roadmap_id', 'workshop_id', name='uq_roadmap_workshop')
    )
    with op.batch_alter_table('roadmap_workshop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_workshop_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_workshop_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('enjeu',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('score_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=True),
    sa.Column('source_item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_item_id'], ['item.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enjeu', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enjeu_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enjeu_source_item_id'), ['source_item_id'], unique=False)

    op.create_table('chantier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('obstacles', sa.JSON(), nullable=False),
    sa.Column('pilot', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('doers', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('associates', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('coordinator', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('defi_id', sa.Integer(), nullable=True),
    sa.Column('enjeu_id', sa.Integer(), nullable=True),
    sa.Column('source_row_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['defi_id'], ['defi.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enjeu_id'], ['enjeu.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_row_id'], ['table_row.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chantier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chantier_defi_id'), ['defi_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chantier_enjeu_id'), ['enjeu_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chantier_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chantier_source_row_id'), ['source_row_id'], unique=False)

    op.create_table('defi_enjeu',
    sa.Column('defi_id', sa.Integer(), nullable=False),
    sa.Column('enjeu_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['defi_id'], ['defi.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enjeu_id'], ['enjeu.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('defi_id', 'enjeu_id')
    )
    with op.batch_alter_table('defi_enjeu', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defi_enjeu_enjeu_id'), ['enjeu_id'], unique=False)

    op.create_table('roadmap_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chantier_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('context', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
    sa.Column('carriers', sa.JSON(), nullable=False),
    sa.Column('budget', sa.Integer(), nullable=True),
    sa.Column('cofinancings', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=True),
    sa.Column('end_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['chantier_id'], ['chantier.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roadmap_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_action_chantier_id'), ['chantier_id'], unique=False)

    op.create_table('roadmap_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chantier_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source_link_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['chantier_id'], ['chantier.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_link_id'], ['resource_link.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roadmap_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_resource_chantier_id'), ['chantier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_resource_source_link_id'), ['source_link_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('roadmap_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_resource_source_link_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_resource_chantier_id'))

    op.drop_table('roadmap_resource')
    with op.batch_alter_table('roadmap_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_action_chantier_id'))

    op.drop_table('roadmap_action')
    with op.batch_alter_table('defi_enjeu', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defi_enjeu_enjeu_id'))

    op.drop_table('defi_enjeu')
    with op.batch_alter_table('chantier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chantier_source_row_id'))
        batch_op.drop_index(batch_op.f('ix_chantier_roadmap_id'))
        batch_op.drop_index(batch_op.f('ix_chantier_enjeu_id'))
        batch_op.drop_index(batch_op.f('ix_chantier_defi_id'))

    op.drop_table('chantier')
    with op.batch_alter_table('enjeu', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enjeu_source_item_id'))
        batch_op.drop_index(batch_op.f('ix_enjeu_roadmap_id'))

    op.drop_table('enjeu')
    with op.batch_alter_table('roadmap_workshop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_workshop_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_workshop_roadmap_id'))

    op.drop_table('roadmap_workshop')
    with op.batch_alter_table('defi', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defi_roadmap_id'))

    op.drop_table('defi')
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_roadmap_id'))

    op.drop_table('committee')
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_territory_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_owner_id'))

    op.drop_table('roadmap')
    op.drop_table('territory')
