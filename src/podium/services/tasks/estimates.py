"""The duration a task's three-point estimate was entered for (its *basis*).

A ``before_flush`` listener stamps it whenever the estimate is written through the
session (API, page, command), unless the same write sets the basis itself (a
scenario's copy keeps the live task's); a plan import, which inserts its tasks in
bulk, sets it in its rows. The forecast rescales an estimate whose basis is no longer
the task's duration.

A task may have an estimate and no basis: one stored before bases were kept, or
imported before imports set them. Nothing has told us it changed since, so its
estimate counts as entered for the duration it has; the first write that changes
that duration records the duration from *before* the change, so the forecast then
rescales the estimate to the new duration (and back, unchanged, if it is undone).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import InstanceState, Session

from podium.models import Task

ESTIMATE = ("estimate_optimistic", "estimate_most_likely", "estimate_pessimistic")


@event.listens_for(Session, "before_flush")
def _stamp_estimate_basis(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, Task):
            continue
        state = inspect(obj)
        if obj.estimate_most_likely is None:
            if obj.estimate_basis is not None and not state.attrs.estimate_basis.history.added:
                obj.estimate_basis = None
            continue
        if state.attrs.estimate_basis.history.added:
            continue  # set on purpose in this write
        if obj in session.new or any(state.attrs[f].history.added for f in ESTIMATE):
            obj.estimate_basis = obj.duration  # entered now, for the duration it has now
        elif obj.estimate_basis is None:
            obj.estimate_basis = _duration_before(session, obj, state)


def _duration_before(session: Session, task: Task, state: InstanceState[Task]) -> int | None:
    """The task's duration before this write (the stored one)."""
    history = state.attrs.duration.history
    if history.deleted:
        return int(history.deleted[0])
    if not history.added:
        return task.duration
    table = Task.__table__  # changed without the old value loaded: read it back
    assert isinstance(table, Table)
    stored = session.connection().scalar(select(table.c.duration).where(table.c.id == task.id))
    return task.duration if stored is None else int(stored)
