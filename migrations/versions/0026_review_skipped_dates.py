"""A review keeps the dates of its cadence that were called off (a meeting skipped for
a holiday or a clash): they are no longer its occurrences.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch rebuild would drop the table's AUTOINCREMENT on SQLite (0019)
    op.add_column(
        'reviews', sa.Column('skipped_dates', sa.JSON(), nullable=False, server_default='[]')
    )


def downgrade() -> None:
    op.execute('ALTER TABLE reviews DROP COLUMN skipped_dates')
