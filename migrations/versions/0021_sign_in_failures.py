"""Failed sign-ins are counted in the database, so every server process and machine
shares one count (only the SHA-256 of the lower-cased email is stored).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podium.models.base

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failed_at', podium.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', 'failed_at', name=op.f('pk_sign_in_failures'))
    )
    op.create_index(
        op.f('ix_sign_in_failures_failed_at'), 'sign_in_failures', ['failed_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_in_failures_failed_at'), table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
