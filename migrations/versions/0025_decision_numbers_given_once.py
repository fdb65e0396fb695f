"""A decision number (D-n) is given once per program: a counter of the last one given,
and the database refusing a number twice.

Before, a new decision took the highest number in the log plus one: two decisions
logged at the same moment could both take it, and deleting the newest decision gave
its number to the next one. A database may therefore hold duplicates already. They
are renumbered rather than refused (refusing would leave the database unable to
upgrade, and there is no telling which of two "D-19" people meant): in each program,
the decision logged first (lowest id) keeps the number, each later duplicate takes the
next number after the highest the program ever gave, in the order they were logged.
The counter starts at the highest number the program gave, in the log or in the audit
trail ("created decision D-14", for a decision since deleted).

On SQLite the unique key needs the table rebuilt (kept AUTOINCREMENT, see 0019), which
needs foreign keys off, as ``podium db upgrade`` runs migrations; run through anything
else, this migration refuses to start rather than null every change request's decision.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

_KEY = re.compile(r'D-(\d+)\b')


def _refuse_foreign_keys_on() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError(
            'This migration rebuilds the decisions table, which on SQLite needs foreign keys '
            'off (dropping it with them on would unlink every change request from its '
            'decision). Run it with `podium db upgrade`.'
        )


def _highest_given() -> dict[int, int]:
    """Per program, the highest decision number in the log or named by the audit trail."""
    bind = op.get_bind()
    highest: dict[int, int] = {}
    for program_id, number in bind.execute(
        sa.text('SELECT program_id, MAX(number) FROM decisions GROUP BY program_id')
    ):
        highest[program_id] = number
    for program_id, label in bind.execute(
        sa.text(
            "SELECT program_id, entity_label FROM audit_entries "
            "WHERE entity_type = 'decision' AND program_id IS NOT NULL"
        )
    ):
        found = _KEY.match(label or '')
        if found:
            highest[program_id] = max(highest.get(program_id, 0), int(found.group(1)))
    # an audit entry outlives its program: no counter for a program deleted
    programs = {row[0] for row in bind.execute(sa.text('SELECT id FROM programs'))}
    return {p: n for p, n in highest.items() if p in programs}


def _renumber_duplicates(highest: dict[int, int]) -> None:
    bind = op.get_bind()
    seen: set[tuple[int, int]] = set()
    rows = bind.execute(
        sa.text('SELECT id, program_id, number FROM decisions ORDER BY program_id, id')
    ).all()
    for decision_id, program_id, number in rows:
        if (program_id, number) in seen:
            highest[program_id] += 1
            bind.execute(
                sa.text('UPDATE decisions SET number = :number WHERE id = :id'),
                {'number': highest[program_id], 'id': decision_id},
            )
            number = highest[program_id]
        seen.add((program_id, number))


def upgrade() -> None:
    _refuse_foreign_keys_on()
    highest = _highest_given()
    _renumber_duplicates(highest)
    op.create_table('decision_numbering',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_decision_numbering_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', name=op.f('pk_decision_numbering'))
    )
    if highest:
        op.bulk_insert(
            sa.table('decision_numbering', sa.column('program_id'), sa.column('last_number')),
            [{'program_id': p, 'last_number': n} for p, n in sorted(highest.items())],
        )
    with op.batch_alter_table('decisions', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_decisions_program_id_number'), ['program_id', 'number'])


def downgrade() -> None:
    _refuse_foreign_keys_on()
    with op.batch_alter_table('decisions', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_decisions_program_id_number'), type_='unique')
    op.drop_table('decision_numbering')
