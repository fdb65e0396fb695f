"""Calendars have extra working days: dates worked although the week leaves their
weekday off (a Saturday worked for a cutover).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calendars', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('extra_workdays', sa.JSON(), nullable=False, server_default='[]')
        )


def downgrade() -> None:
    with op.batch_alter_table('calendars', schema=None) as batch_op:
        batch_op.drop_column('extra_workdays')
