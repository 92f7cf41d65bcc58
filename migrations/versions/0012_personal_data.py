"""personal data: names apart from participants, random participant ids, retention, purge record

A participant's name and organisation move to participant_identity. Participants get random ids
(existing ones too: every reference follows), a workshop its retention in months, and each purge
a purge_record row.

Revision ID: 0012_personal_data
Revises: 0010
Create Date: 2026-12-04
"""
import secrets
from collections.abc import Callable, Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012_personal_data'
down_revision: str | None = '0011_workshop_closed'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As app.domain.codes.PARTICIPANT_IDS (a migration keeps its own copy): above any sequence's id.
LOW, HIGH = 2**32, 2**53
REFERENCES = (('vote', 'participant_id'), ('item', 'participant_id'), ('table_row', 'created_by'),
              ('table_row', 'updated_by'), ('resource_link', 'created_by'),
              ('resource_link', 'updated_by'), ('participant_identity', 'participant_id'))
KEPT = ('workshop_id', 'token', 'group_id', 'proxy', 'created_at', 'connections', 'last_seen')


def _rekey(new_id: Callable[[int], int]) -> None:
    """Give the n-th participant to arrive the id new_id(n), and every reference to her with it: a
    copy under the new id (her token parked on the old row meanwhile), then the old row deleted."""
    conn = op.get_bind()
    participant = sa.table('participant', sa.column('id'), *(sa.column(c) for c in KEPT))
    rows = conn.execute(sa.select(participant).order_by(participant.c.created_at,
                                                        participant.c.id)).mappings().all()
    for n, row in enumerate(rows, start=1):
        old, new = row['id'], new_id(n)
        conn.execute(participant.update().where(participant.c.id == old).values(token=f'~{old}'))
        conn.execute(participant.insert().values(id=new, **{c: row[c] for c in KEPT}))
        for name, column in REFERENCES:
            table = sa.table(name, sa.column(column))
            conn.execute(table.update().where(table.c[column] == old).values({column: new}))
        conn.execute(participant.delete().where(participant.c.id == old))


def _id_type(type_: sa.types.TypeEngine) -> None:
    """PostgreSQL: participant ids and references as `type_` (SQLite's INTEGER is 64-bit)."""
    op.alter_column('participant', 'id', type_=type_)
    for name, column in REFERENCES[:-1]:
        op.alter_column(name, column, type_=type_)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    id_type = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    op.create_table(
        'participant_identity',
        sa.Column('participant_id', id_type, nullable=False),
        sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id'),
    )
    op.execute("INSERT INTO participant_identity (participant_id, display_name, organisation) "
               "SELECT id, display_name, organisation FROM participant "
               "WHERE NOT proxy AND (display_name <> '' OR organisation <> '')")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would drop the table and cascade to the votes.
    op.execute('ALTER TABLE participant DROP COLUMN display_name')
    op.execute('ALTER TABLE participant DROP COLUMN organisation')
    if postgres:
        op.execute('ALTER TABLE participant ALTER COLUMN id DROP DEFAULT')
        op.execute('DROP SEQUENCE IF EXISTS participant_id_seq')
        _id_type(sa.BigInteger())
    _rekey(lambda _n: LOW + secrets.randbelow(HIGH - LOW))
    op.add_column('workshop', sa.Column('retention_months', sa.Integer(), nullable=False,
                                        server_default='12'))
    op.create_table(
        'purge_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('workshop_title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('purged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_activity', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('names', sa.Integer(), nullable=False),
        sa.Column('ballots', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_purge_record_workshop_id', 'purge_record', ['workshop_id'])


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.drop_index('ix_purge_record_workshop_id', table_name='purge_record')
    op.drop_table('purge_record')
    op.execute('ALTER TABLE workshop DROP COLUMN retention_months')
    _rekey(lambda n: n)
    if postgres:
        _id_type(sa.Integer())
        op.execute('CREATE SEQUENCE participant_id_seq OWNED BY participant.id')
        op.execute("SELECT setval('participant_id_seq', COALESCE(MAX(id), 0) + 1, false) FROM participant")
        op.execute("ALTER TABLE participant ALTER COLUMN id SET DEFAULT nextval('participant_id_seq')")
    op.add_column('participant', sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=80),
                                           nullable=False, server_default=''))
    op.add_column('participant', sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=120),
                                           nullable=False, server_default=''))
    op.execute("UPDATE participant SET display_name = (SELECT display_name FROM participant_identity "
               "WHERE participant_id = participant.id), organisation = (SELECT organisation FROM "
               "participant_identity WHERE participant_id = participant.id) "
               "WHERE id IN (SELECT participant_id FROM participant_identity)")
    op.drop_table('participant_identity')
