"""Reschedule one program: run the engine, store changed dates, raise or resolve alerts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from podium.engine import CycleError, InvalidNetwork, ScheduleResult, schedule
from podium.errors import Conflict
from podium.models import Milestone, Program, Project, Task
from podium.services.scheduling.alerts import sync_alerts
from podium.services.scheduling.network import (
    SCHEDULED_COLUMNS,
    ProgramNetwork,
    load_network,
    paused_gc,
)


@dataclass
class Rescheduled:
    """The outcome of one rescheduling: the network, the engine result, what changed."""

    network: ProgramNetwork
    result: ScheduleResult
    changed: int


@contextmanager
def engine_errors_as_conflicts(label: Callable[[str], str] = str) -> Iterator[None]:
    """Turn the engine's refusals (a cycle, an invalid network) into domain conflicts."""
    try:
        yield
    except CycleError as exc:
        keys = [label(a) for a in exc.cycle]
        raise Conflict(
            f"these dependencies form a cycle: {' → '.join(keys)}",
            code="dependency_cycle",
            details={"cycle": keys},
        ) from exc
    except InvalidNetwork as exc:
        raise Conflict(
            "the plan cannot be scheduled: " + "; ".join(exc.problems[:5]),
            code="invalid_schedule",
            details={"problems": exc.problems},
        ) from exc


def run_engine(pn: ProgramNetwork) -> ScheduleResult:
    """Schedule a loaded network (activity ids shown to people as their keys)."""
    with engine_errors_as_conflicts(pn.label):
        return schedule(pn.network)


def _columns(result: ScheduleResult) -> list[list[Any]]:
    return [
        result.early_start.astype(object).tolist(),
        result.early_finish.astype(object).tolist(),
        result.late_start.astype(object).tolist(),
        result.late_finish.astype(object).tolist(),
        result.total_float.tolist(),
        result.free_float.tolist(),
        result.is_critical.tolist(),
    ]


def _store(session: Session, pn: ProgramNetwork, result: ScheduleResult) -> int:
    columns = _columns(result)
    task_rows: list[dict[str, Any]] = []
    milestone_rows: list[dict[str, Any]] = []
    for i, ref in enumerate(result.ids):
        new = tuple(col[i] for col in columns)
        if pn.current.get(ref) == new:
            continue
        row = {"_id": int(ref[1:]), **dict(zip(SCHEDULED_COLUMNS, new, strict=True))}
        (task_rows if ref[0] == "t" else milestone_rows).append(row)
    for model, rows in ((Task, task_rows), (Milestone, milestone_rows)):
        if not rows:
            continue
        table = model.__table__
        session.execute(
            update(table)  # type: ignore[arg-type]
            .where(table.c.id == bindparam("_id"))
            # derived data: leave updated_at (and version) as the last real edit left them
            .values(
                {**{c: bindparam(c) for c in SCHEDULED_COLUMNS}, "updated_at": table.c.updated_at}
            ),
            rows,
        )
        for row in rows:
            obj = session.identity_map.get(identity_key(model, row["_id"]))
            if obj is not None:
                for c in SCHEDULED_COLUMNS:
                    set_committed_value(obj, c, row[c])
    return len(task_rows) + len(milestone_rows)


def _store_spans(session: Session, pn: ProgramNetwork, result: ScheduleResult) -> None:
    """Program and project start/finish, from their leaf tasks' early dates."""
    spans: dict[int, tuple[date, date]] = {}
    leaf = ~result.is_summary
    project_ids = np.asarray([pn.project_of.get(ref) or 0 for ref in result.ids], dtype=np.int64)
    for project_id in pn.project_keys:
        mask = leaf & (project_ids == project_id)
        if mask.any():
            start = result.early_start[mask].min().astype(object)
            finish = result.early_finish[mask].max().astype(object)
            spans[project_id] = (start, finish)
    for project_id in pn.project_keys:
        span = spans.get(project_id)
        _set_span(session, Project, project_id, *(span or (None, None)))
    start, finish = (result.start, result.finish) if len(result) else (None, None)
    _set_span(session, Program, pn.program_id, start, finish)


def _set_span(
    session: Session, model: Any, record_id: int, start: date | None, finish: date | None
) -> None:
    table = model.__table__
    session.execute(
        update(table)
        .where(table.c.id == record_id)
        .values(scheduled_start=start, scheduled_finish=finish, updated_at=table.c.updated_at)
    )
    obj = session.identity_map.get(identity_key(model, record_id))
    if obj is not None:
        set_committed_value(obj, "scheduled_start", start)
        set_committed_value(obj, "scheduled_finish", finish)


def reschedule_program(session: Session, program_id: int, *, triggered_by: str = "") -> Rescheduled:
    """Recompute a program's schedule and alerts inside the caller's transaction."""
    with paused_gc():
        pn = load_network(session, program_id)
        result = run_engine(pn)
        changed = _store(session, pn, result)
        _store_spans(session, pn, result)
        sync_alerts(session, pn, result, triggered_by=triggered_by)
    return Rescheduled(network=pn, result=result, changed=changed)
