"""Tasks and milestones count the scheduler's moves of their dates (calendar SEQUENCE).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('tasks', 'milestones'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('dates_revision', sa.Integer(), server_default='0', nullable=False)
            )


def downgrade() -> None:
    for table in ('milestones', 'tasks'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('dates_revision')
