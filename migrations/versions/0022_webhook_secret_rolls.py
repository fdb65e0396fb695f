"""A webhook's signing secret can be rolled: the secret it replaced keeps signing too
until a moment the manager chose, so receivers switch without losing a delivery.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podium.models.base

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

COLUMNS = ('previous_secret', 'previous_secret_expires_at', 'secret_rolled_at')


def upgrade() -> None:
    op.add_column(
        'webhook_subscriptions', sa.Column('previous_secret', sa.String(length=100), nullable=True)
    )
    op.add_column(
        'webhook_subscriptions',
        sa.Column(
            'previous_secret_expires_at',
            podium.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
    )
    op.add_column(
        'webhook_subscriptions',
        sa.Column('secret_rolled_at', podium.models.base.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # not a batch rebuild: that would drop the table's AUTOINCREMENT on SQLite (0019)
    for column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE webhook_subscriptions DROP COLUMN {column}')
