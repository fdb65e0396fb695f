"""Reschedule one program: run the engine, store changed dates, raise or resolve alerts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from podium.engine import CycleError, InvalidNetwork, ScheduleResult, schedule
from podium.errors import Conflict
from podium.models import Milestone, Program, Project, Task, utcnow
from podium.models.base import UTCDateTime
from podium.services import events
from podium.services.scheduling import cache
from podium.services.scheduling.alerts import sync_alerts
from podium.services.scheduling.network import (
    SCHEDULED_COLUMNS,
    ProgramNetwork,
    load_network,
    paused_gc,
)
from podium.services.scheduling.pending import lock_plan


@dataclass
class Rescheduled:
    """The outcome of one rescheduling: the network, the engine result, what changed."""

    network: ProgramNetwork
    result: ScheduleResult
    changed: int


ACTIVITY_ID = re.compile(r"\b[tm][0-9]+\b")


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
        # the engine names activities by their ids; people know them by their keys
        problems = [ACTIVITY_ID.sub(lambda m: label(m.group(0)), p) for p in exc.problems]
        raise Conflict(
            "the plan cannot be scheduled: " + "; ".join(problems[:5]),
            code="invalid_schedule",
            details={"problems": problems},
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
    """Write the results that differ from what is stored; ``pn.current`` becomes the new results."""
    columns = _columns(result)
    task_rows: list[dict[str, Any]] = []
    milestone_rows: list[dict[str, Any]] = []
    stored, now = pn.current, {}
    moved_at = utcnow()
    pn.moved = set()
    for ref, new in zip(result.ids, zip(*columns, strict=True), strict=True):
        now[ref] = new
        old = stored.get(ref)
        if old == new:
            continue
        moved = old is None or old[:2] != new[:2]  # early start or finish
        if moved:
            pn.moved.add(ref)
        moves = moved and old is not None  # a first schedule is no move
        row = {"_id": int(ref[1:]), "_moved": int(moves), "_moved_at": moved_at if moves else None}
        row.update(zip(SCHEDULED_COLUMNS, new, strict=True))
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
                {
                    **{c: bindparam(c) for c in SCHEDULED_COLUMNS},
                    "dates_revision": table.c.dates_revision + bindparam("_moved"),
                    "dates_moved_at": func.coalesce(
                        bindparam("_moved_at", type_=UTCDateTime()), table.c.dates_moved_at
                    ),
                    "updated_at": table.c.updated_at,
                }
            ),
            rows,
        )
        for row in rows:
            obj = session.identity_map.get(identity_key(model, row["_id"]))
            if obj is not None:
                for c in SCHEDULED_COLUMNS:
                    set_committed_value(obj, c, row[c])
                if row["_moved"]:
                    session.expire(obj, ["dates_revision", "dates_moved_at"])
    events.emit_forecast_changes(session, pn.program_id, milestone_rows, stored)
    pn.current = now
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


def _still_stored(
    session: Session, program_id: int, remembered: dict[str, tuple[Any, ...]]
) -> dict[str, tuple[Any, ...]]:
    """What was stored last time, less the records that have no stored dates now
    (created since, possibly reusing an id): those are always written."""
    blank = [
        *(
            f"t{i}"
            for i in session.scalars(
                select(Task.id).where(Task.program_id == program_id, Task.early_start.is_(None))
            )
        ),
        *(
            f"m{i}"
            for i in session.scalars(
                select(Milestone.id).where(
                    Milestone.program_id == program_id, Milestone.early_start.is_(None)
                )
            )
        ),
    ]
    if not blank:
        return remembered
    current = dict(remembered)
    for ref in blank:
        current.pop(ref, None)
    return current


def reschedule_program(
    session: Session, program_id: int, *, triggered_by: str = "", resources_changed: bool = True
) -> Rescheduled:
    """Recompute a program's schedule and alerts inside the caller's transaction.

    The inputs are always read afresh; the stored results they are compared
    with (to write only what moved) come from this process's last schedule of
    the program when its token shows nothing was stored since.
    """
    # the plan is read once no apply or clear of leveling holds is under way: the dates
    # stored below are computed from the holds that will stand
    lock_plan(session, program_id)
    with paused_gc():
        previous = cache.lookup(session, program_id, cache.stored_token(session, program_id))
        pn = load_network(session, program_id, with_current=previous is None)
        if previous is not None:
            pn.current = _still_stored(session, program_id, previous.current)
        result = run_engine(pn)
        changed = _store(session, pn, result)
        _store_spans(session, pn, result)
        from podium.services.resources.overallocation import sync_over_allocation

        overloads = sync_over_allocation(
            session,
            pn,
            triggered_by=triggered_by,
            moved=None if resources_changed or previous is None else pn.moved,
        )
        sync_alerts(session, pn, result, triggered_by=triggered_by, extra=overloads)
        cache.remember(session, program_id, cache.new_token(session, program_id), pn)
    return Rescheduled(network=pn, result=result, changed=changed)
