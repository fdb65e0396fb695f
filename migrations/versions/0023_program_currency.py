"""A program's currency: the ISO 4217 code its amounts are printed with (none: bare
amounts, as every program had before).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('programs', sa.Column('currency', sa.String(length=3), nullable=True))


def downgrade() -> None:
    # not a batch rebuild: that would drop the table's AUTOINCREMENT on SQLite (0019)
    op.execute('ALTER TABLE programs DROP COLUMN currency')
