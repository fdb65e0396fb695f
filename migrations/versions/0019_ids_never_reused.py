"""On SQLite, an id is never given twice: every table's integer id becomes
AUTOINCREMENT.

Without it SQLite gives the next row the largest id in use plus one, so deleting
the newest task and adding another gives the new one the old one's id. A form or
an ETag still held for the deleted record would then name the new one at the same
version 1, and a stale edit would overwrite it instead of failing with 412; links
and audit entries would point at a different record. PostgreSQL never reuses ids
(its sequences only go up), so there this migration does nothing.

SQLite cannot alter a primary key in place: each table is rebuilt (created anew,
rows copied, the old one dropped, the new one renamed), which needs foreign keys
off — dropping the old table would otherwise delete or null every row that refers
to it. ``podium db upgrade`` runs migrations that way and checks every reference
before it commits; run through anything else, this migration refuses to start.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _tables(autoincrement: bool) -> list[str]:
    """The tables with a single integer id whose AUTOINCREMENT is (not) ``autoincrement``."""
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
    ).all()
    inspector = sa.inspect(bind)
    chosen = []
    for name, sql in rows:
        key = inspector.get_pk_constraint(name)["constrained_columns"]
        types = {c["name"]: c["type"] for c in inspector.get_columns(name)}
        if len(key) == 1 and isinstance(types[key[0]], sa.Integer):
            if ("AUTOINCREMENT" in sql.upper()) == autoincrement:
                chosen.append(name)
    return chosen


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "This migration rebuilds every table, which on SQLite needs foreign keys off "
            "(dropping a table with them on deletes the rows that refer to it). "
            "Run it with `podium db upgrade`."
        )
    for name in _tables(not autoincrement):
        with op.batch_alter_table(
            name, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
