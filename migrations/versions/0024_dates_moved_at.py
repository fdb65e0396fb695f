"""Tasks and milestones keep when the scheduler last moved their dates (a calendar
event's LAST-MODIFIED, which must change when its SEQUENCE does; none: never moved).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podium.models.base

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('tasks', 'milestones'):
        op.add_column(
            table,
            sa.Column(
                'dates_moved_at', podium.models.base.UTCDateTime(timezone=True), nullable=True
            ),
        )


def downgrade() -> None:
    # not a batch rebuild: that would drop the table's AUTOINCREMENT on SQLite (0019)
    for table in ('milestones', 'tasks'):
        op.execute(f'ALTER TABLE {table} DROP COLUMN dates_moved_at')
