"""actions in the national platform's shape: start and end dates (a year or a day), destinataires,
co-financements keyed « membre », périmètre « groupementsDeCommunes »

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 03:30:00
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIMETER = ('groupements-de-communes', 'groupementsDeCommunes')


def _rekey(cofinancings: object, old: str, new: str) -> str:
    lines = json.loads(cofinancings) if isinstance(cofinancings, str) else (cofinancings or [])
    return json.dumps([{(new if key == old else key): value for key, value in line.items()} for line in lines])


def _move(old: str, new: str, to_text: bool) -> None:
    """Copy each action's ``old`` column into ``new``: a year as text (« 2025 »), or back."""
    actions = sa.table('roadmap_action', sa.column('id'), sa.column(old), sa.column(new))
    conn = op.get_bind()
    for row_id, value in conn.execute(sa.select(actions.c.id, actions.c[old])).all():
        if value is not None:
            value = str(value) if to_text else int(str(value)[:4])
        conn.execute(actions.update().where(actions.c.id == row_id).values({new: value}))


def _cofinancings(old: str, new: str) -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.text('SELECT id, cofinancings FROM roadmap_action')).all():
        conn.execute(sa.text('UPDATE roadmap_action SET cofinancings = :c WHERE id = :id'),
                     {'c': _rekey(row.cofinancings, old, new), 'id': row.id})


def upgrade() -> None:
    with op.batch_alter_table('roadmap_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_date', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('end_date', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('recipients', sa.JSON(), nullable=False, server_default='[]'))
    _move('start_year', 'start_date', to_text=True)
    _move('end_year', 'end_date', to_text=True)
    _cofinancings('coFinanceur', 'membre')
    with op.batch_alter_table('roadmap_action', schema=None) as batch_op:
        batch_op.alter_column('recipients', server_default=None)
        batch_op.drop_column('start_year')
        batch_op.drop_column('end_year')
    op.execute(sa.text('UPDATE roadmap SET perimeter = :new WHERE perimeter = :old').bindparams(
        old=PERIMETER[0], new=PERIMETER[1]))


def downgrade() -> None:
    op.execute(sa.text('UPDATE roadmap SET perimeter = :old WHERE perimeter = :new').bindparams(
        old=PERIMETER[0], new=PERIMETER[1]))
    with op.batch_alter_table('roadmap_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('end_year', sa.Integer(), nullable=True))
    _move('start_date', 'start_year', to_text=False)
    _move('end_date', 'end_year', to_text=False)
    _cofinancings('membre', 'coFinanceur')
    with op.batch_alter_table('roadmap_action', schema=None) as batch_op:
        batch_op.drop_column('recipients')
        batch_op.drop_column('end_date')
        batch_op.drop_column('start_date')
