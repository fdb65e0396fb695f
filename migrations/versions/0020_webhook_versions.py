"""Webhook subscriptions carry a version: a manager pauses, resumes or changes one, and an
edit made on a stale copy is refused (ETag / If-Match).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'webhook_subscriptions',
        sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
    )


def downgrade() -> None:
    # not a batch rebuild: that would drop the table's AUTOINCREMENT on SQLite (0019)
    op.execute('ALTER TABLE webhook_subscriptions DROP COLUMN version')
