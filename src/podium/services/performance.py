"""Earned value of a program from its current baseline and its progress history.

Planned value comes from the current baseline (each task's baseline dates and
budget); earned value from the percent complete reported over time; actual cost
from the cumulative actual costs reported (turned into the amounts spent
between reports). Without a baseline there is no planned value, and the
indices are undefined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.evm import EvmInput, EvmResult, EvmTask, SCurves, earned_value, s_curves
from podium.models import Baseline, BaselineItem, Program, ProgressRecord, Project, Task
from podium.services.actor import Actor
from podium.services.baselines import current_baseline
from podium.services.overview import program_calendar
from podium.services.programs import get_program


@dataclass
class ProgramPerformance:
    """The inputs (for curves) and the result at the status date."""

    program: Program
    baseline: Baseline | None
    status_date: date
    data: EvmInput
    result: EvmResult


def default_status_date(program: Program) -> date:
    return program.status_date or datetime.now(UTC).astimezone().date()


def evm_input(session: Session, program: Program) -> tuple[EvmInput, Baseline | None]:
    """Every leaf task of the program as earned value input."""
    baseline = current_baseline(session, program.id)
    planned: dict[int, tuple[date | None, date | None, float]] = {}
    if baseline is not None:
        for record_id, start, finish, cost in session.execute(
            select(
                BaselineItem.record_id, BaselineItem.start, BaselineItem.finish, BaselineItem.cost
            ).where(
                BaselineItem.baseline_id == baseline.id,
                BaselineItem.kind == "task",
                BaselineItem.is_summary.is_(False),
            )
        ):
            planned[record_id] = (start, finish, cost)
    projects = dict(
        session.execute(
            select(Project.id, Project.key).where(Project.program_id == program.id)
        ).all()
    )
    parents = set(
        session.scalars(
            select(Task.parent_id).where(Task.program_id == program.id, Task.parent_id.is_not(None))
        )
    )
    history: dict[int, list[tuple[date, float, float]]] = {}
    for task_id, as_of, percent, cost in session.execute(
        select(
            ProgressRecord.task_id,
            ProgressRecord.as_of,
            ProgressRecord.percent_complete,
            ProgressRecord.actual_cost,
        )
        .where(ProgressRecord.program_id == program.id)
        .order_by(ProgressRecord.task_id, ProgressRecord.as_of)
    ):
        history.setdefault(task_id, []).append((as_of, percent, cost))
    tasks: list[EvmTask] = []
    for task_id, key, project_id in session.execute(
        select(Task.id, Task.key, Task.project_id)
        .where(Task.program_id == program.id)
        .order_by(Task.id)
    ):
        if task_id in parents:
            continue
        start, finish, cost = planned.get(task_id, (None, None, 0.0))
        records = history.get(task_id, [])
        spent, previous = [], 0.0
        for as_of, _percent, cumulative in records:
            if cumulative != previous:
                spent.append((as_of, cumulative - previous))
                previous = cumulative
        tasks.append(
            EvmTask(
                key,
                projects[project_id],
                cost,  # planned value needs a baseline: without one, nothing is planned
                start,
                finish,
                progress=[(as_of, percent) for as_of, percent, _cost in records],
                costs=spent,
            )
        )
    return EvmInput.from_tasks(tasks, default_calendar=program_calendar(session, program)), baseline


def program_performance(
    session: Session, actor: Actor, program_id: int, *, status_date: date | None = None
) -> ProgramPerformance:
    """Earned value of every task, project and the program at the status date."""
    program = get_program(session, actor, program_id)
    day = status_date or default_status_date(program)
    data, baseline = evm_input(session, program)
    return ProgramPerformance(program, baseline, day, data, earned_value(data, day))


def performance_curves(perf: ProgramPerformance, *, step_days: int = 7) -> SCurves:
    """PV, EV and AC from the baseline's start to its finish (or the status date, if later)."""
    end = max(filter(None, [perf.baseline.finish if perf.baseline else None, perf.status_date]))
    start = perf.baseline.start if perf.baseline and perf.baseline.start else None
    return s_curves(
        perf.data, start=start, end=end, step_days=step_days, status_date=perf.status_date
    )
