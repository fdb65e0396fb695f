"""Forecasts: stored Monte Carlo runs; a risk's schedule impact in working days.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podium.models.base

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('created_at', podium.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('iterations', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('distribution', sa.String(length=12), nullable=False),
    sa.Column('default_uncertainty', sa.Float(), nullable=False),
    sa.Column('include_risks', sa.Boolean(), nullable=False),
    sa.Column('program_finish', sa.Date(), nullable=True),
    sa.Column('program_p80', sa.Date(), nullable=True),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_forecasts_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecasts'))
    )
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecasts_program_id'), ['program_id'], unique=False)

    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_impact_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_column('schedule_impact_days')

    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecasts_program_id'))

    op.drop_table('forecasts')
