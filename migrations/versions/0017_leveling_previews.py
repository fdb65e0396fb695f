"""Leveling previews are kept, so that applying one stores exactly what it showed.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podium.models.base

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('leveling_previews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('schedule_token', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('holds', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', podium.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_leveling_previews_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leveling_previews'))
    )
    with op.batch_alter_table('leveling_previews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leveling_previews_program_id'), ['program_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('leveling_previews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leveling_previews_program_id'))

    op.drop_table('leveling_previews')
