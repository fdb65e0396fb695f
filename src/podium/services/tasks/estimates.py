"""The duration a task's three-point estimate was entered for (its *basis*).

A ``before_flush`` listener stamps it whenever the estimate is written, however
it is written (API, page, command, import), unless the same write sets the basis
itself (a scenario's copy keeps the live task's). The forecast rescales an
estimate whose basis is no longer the task's duration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

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
        written = obj in session.new or any(state.attrs[f].history.added for f in ESTIMATE)
        if written or obj.estimate_basis is None:
            obj.estimate_basis = obj.duration
