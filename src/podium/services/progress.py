"""Recording progress as it is reported, so earned value has a real history.

Whenever a task's percent complete or actual cost changes, its new values are
recorded as of the program's status date (or today when it has none); a second
report on the same day replaces the first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from podium.models import Program, ProgressRecord, Task
from podium.services.actor import Actor


def report_day(session: Session, program_id: int) -> date:
    """The day progress is reported as of: the status date, else today (local)."""
    status_date = session.scalar(select(Program.status_date).where(Program.id == program_id))
    return status_date or datetime.now(UTC).astimezone().date()


def record_progress(
    session: Session, actor: Actor, task: Task, *, as_of: date | None = None
) -> ProgressRecord:
    """Record the task's current percent complete and actual cost (replacing that day's)."""
    day = as_of or report_day(session, task.program_id)
    session.execute(
        delete(ProgressRecord).where(ProgressRecord.task_id == task.id, ProgressRecord.as_of == day)
    )
    record = ProgressRecord(
        program_id=task.program_id,
        task_id=task.id,
        as_of=day,
        percent_complete=task.percent_complete,
        actual_cost=task.actual_cost or 0.0,
        recorded_by=actor.email,
    )
    session.add(record)
    return record


def progress_history(session: Session, program_id: int) -> list[ProgressRecord]:
    """Every progress record of a program, by task and day."""
    return list(
        session.scalars(
            select(ProgressRecord)
            .where(ProgressRecord.program_id == program_id)
            .order_by(ProgressRecord.task_id, ProgressRecord.as_of)
        )
    )
