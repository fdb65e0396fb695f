"""Scenarios: what-if copies of a program (a hidden program copy per scenario), and the
scenario a change request may carry.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podium.models.base

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # in place, without a foreign key: adding one on SQLite rebuilds the table, and
    # dropping the old programs table would cascade to everything that refers to it
    op.add_column('programs', sa.Column('scenario_of_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_programs_scenario_of_id'), 'programs', ['scenario_of_id'], unique=False)

    op.create_table('scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('copy_program_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('active', 'applied', 'discarded', name='scenariostatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('closed_at', podium.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=320), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', podium.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', podium.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['copy_program_id'], ['programs.id'], name=op.f('fk_scenarios_copy_program_id_programs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_scenarios_created_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_scenarios_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenarios')),
    sa.UniqueConstraint('program_id', 'number', name=op.f('uq_scenarios_program_id_number'))
    )
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenarios_copy_program_id'), ['copy_program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scenarios_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scenarios_status'), ['status'], unique=False)

    # nothing refers to change_requests: rebuilding it on SQLite is safe
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scenario_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_change_requests_scenario_id_scenarios'), 'scenarios', ['scenario_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    # the hidden copies go first, with everything in them
    op.execute("DELETE FROM programs WHERE scenario_of_id IS NOT NULL")
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_change_requests_scenario_id_scenarios'), type_='foreignkey')
        batch_op.drop_column('scenario_id')

    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenarios_status'))
        batch_op.drop_index(batch_op.f('ix_scenarios_program_id'))
        batch_op.drop_index(batch_op.f('ix_scenarios_copy_program_id'))

    op.drop_table('scenarios')

    # in place (ALTER TABLE … DROP COLUMN), never by rebuilding programs: on SQLite,
    # dropping the old table would cascade to everything that refers to it
    op.drop_index(op.f('ix_programs_scenario_of_id'), table_name='programs')
    op.drop_column('programs', 'scenario_of_id')
