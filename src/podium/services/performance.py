"""Earned value of a program from its current baseline and its progress history.

Planned value comes from the current baseline (each task's baseline dates and
budget); earned value from the percent complete reported over time; actual cost
from the cumulative actual costs reported (turned into the amounts spent
between reports). Without a baseline there is no planned value, and the
indices are undefined.

The status date is read as the scheduler reads it, as a data date: the remaining
work starts on it, so planned value counts the baseline's work on the working days
before it, while the progress and costs reported on it count (see
:mod:`podium.engine.evm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.evm import (
    EacFormula,
    EarnedValue,
    EvmInput,
    EvmResult,
    SCurves,
    day_array,
    earned_value,
    s_curves,
)
from podium.models import Baseline, BaselineItem, Program, ProgressRecord, Project, Task
from podium.services.actor import Actor
from podium.services.baselines import current_baseline
from podium.services.date_window import check_plan_date
from podium.services.programs import get_program
from podium.services.scheduling.cache import current_network
from podium.services.scheduling.network import paused_gc, task_ref


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
    """Every leaf task of the program as earned value input, built as columns."""
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
    # planned value spreads a budget over the working days of the calendar the task is
    # scheduled on (its project's or its own, less its people's time off), as the
    # baseline's dates were; the program's calendar stands first, for the rest
    pn = current_network(session, program.id)
    calendars: dict[str | None, int] = {None: 0}
    calendar_index: list[int] = []
    ids: list[str] = []
    project_keys: list[str] = []
    budget: list[float] = []
    starts: list[date | None] = []
    finishes: list[date | None] = []
    position: dict[int, int] = {}
    for task_id, key, project_id in session.execute(
        select(Task.id, Task.key, Task.project_id)
        .where(Task.program_id == program.id)
        .order_by(Task.id)
    ):
        if task_id in parents:
            continue
        if baseline is not None and task_id not in planned:
            # work added since the baseline has no budget in it: its cost without its
            # value would make the indices lie (a CPI of 0); it counts once re-baselined
            continue
        # planned value needs a baseline: without one, nothing is planned
        start, finish, cost = planned.get(task_id, (None, None, 0.0))
        position[task_id] = len(ids)
        ids.append(key)
        project_keys.append(projects[project_id])
        budget.append(cost)
        starts.append(start)
        finishes.append(finish)
        calendar_index.append(
            calendars.setdefault(pn.calendar_of.get(task_ref(task_id)), len(calendars))
        )
    progress_task: list[int] = []
    progress_day: list[date] = []
    progress_percent: list[float] = []
    cost_task: list[int] = []
    cost_day: list[date] = []
    cost_amount: list[float] = []
    last_task, spent = -1, 0.0
    for task_id, as_of, percent, cumulative in session.execute(
        select(
            ProgressRecord.task_id,
            ProgressRecord.as_of,
            ProgressRecord.percent_complete,
            ProgressRecord.actual_cost,
        )
        .where(ProgressRecord.program_id == program.id)
        .order_by(ProgressRecord.task_id, ProgressRecord.as_of)
    ):
        at = position.get(task_id)
        if at is None:
            continue
        if task_id != last_task:
            last_task, spent = task_id, 0.0
        progress_task.append(at)
        progress_day.append(as_of)
        progress_percent.append(percent)
        if cumulative != spent:  # reports carry the cost so far; earned value wants amounts
            cost_task.append(at)
            cost_day.append(as_of)
            cost_amount.append(cumulative - spent)
            spent = cumulative
    data = EvmInput(
        tuple(ids),
        tuple(project_keys),
        np.asarray(budget, dtype=np.float64),
        day_array(starts),
        day_array(finishes),
        calendar=np.asarray(calendar_index, dtype=np.int64),
        calendars=tuple(
            pn.network.default_calendar if k is None else pn.calendars[k] for k in calendars
        ),
        progress_task=np.asarray(progress_task, dtype=np.int64),
        progress_day=day_array(progress_day),
        progress_percent=np.asarray(progress_percent, dtype=np.float64),
        cost_task=np.asarray(cost_task, dtype=np.int64),
        cost_day=day_array(cost_day),
        cost_amount=np.asarray(cost_amount, dtype=np.float64),
    )
    return data, baseline


def program_performance(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    status_date: date | None = None,
    eac_formula: EacFormula = "cpi",
) -> ProgramPerformance:
    """Earned value of every task, project and the program at the status date.

    ``eac_formula`` chooses how the estimate at completion is forecast (its
    formula is reported with the result): ``cpi`` BAC / CPI, ``budget_rate``
    AC + (BAC − EV), ``cpi_spi`` AC + (BAC − EV) / (CPI × SPI), ``bottom_up`` AC + ETC.
    """
    check_plan_date("status_date", status_date)
    program = get_program(session, actor, program_id)
    day = status_date or default_status_date(program)
    with paused_gc():
        data, baseline = evm_input(session, program)
        result = earned_value(data, day, eac_formula=eac_formula)
    return ProgramPerformance(program, baseline, day, data, result)


def why_spi_undefined(value: EarnedValue, *, baseline: bool) -> str:
    """Why the SPI of a row (program, project or task) is undefined: nothing is planned
    (PV = 0), for want of a baseline, of a budget in it, or of work before the status date."""
    if not baseline:
        return "no baseline, so nothing is planned (PV = 0)"
    if value.bac == 0:
        return "no budget in the baseline, so no value is planned (BAC = 0, PV = 0)"
    return "no work planned before the status date (PV = 0)"


def why_cpi_undefined(value: EarnedValue, *, baseline: bool) -> str:
    """Why the CPI of a row is undefined: no budget to earn (BAC = 0: no baseline, or none
    in it), or nothing spent yet (AC = 0), or both (as :func:`~podium.engine.evm.evm_table`
    leaves it undefined)."""
    reasons = []
    if not baseline:
        reasons.append("no baseline, so no budget to earn value against (BAC = 0)")
    elif value.bac == 0:
        reasons.append("no budget in the baseline, so no value is earned (BAC = 0)")
    if value.ac == 0:
        reasons.append("no actual cost reported yet (AC = 0)")
    return " and ".join(reasons) or "no budget or no actual cost"


MAX_CURVE_POINTS = 1_000  # a chart or a report page holds no more


def performance_curves(perf: ProgramPerformance, *, step_days: int = 7) -> SCurves:
    """PV, EV and AC from the baseline's start to the day after its finish (or the status
    date, if later); a span too long for ``step_days`` is drawn with a longer step (at most
    :data:`MAX_CURVE_POINTS` points).

    Each point is read as a status date is (PV counts the work planned before it), so
    the point on the status date is the earned value table's, and PV reaches the budget
    only the day after the last planned working day: the curves run to that day.
    """
    done = (
        perf.baseline.finish + timedelta(days=1) if perf.baseline and perf.baseline.finish else None
    )
    end = max(filter(None, [done, perf.status_date]))
    start = perf.baseline.start if perf.baseline and perf.baseline.start else None
    first = start or min(filter(None, [perf.baseline.start if perf.baseline else None, end]))
    step_days = max(step_days, -(-((end - first).days + 1) // MAX_CURVE_POINTS))
    return s_curves(
        perf.data, start=start, end=end, step_days=step_days, status_date=perf.status_date
    )
