"""Resource load: what every program asks of each resource, day by day, against capacity.

The load as the API and pages read it, per day, week or month: a program's
resources with the demand from its own work and from other programs' (the demand
itself, and the load it makes, come from :mod:`.demand`), or one resource across
every program. Over-allocations are raised as alerts in each program that has
work in them, by :mod:`.overallocation`, when the program is rescheduled.

One answer reads at most :data:`MAX_DAYS` days: a longer span taken from the plan
or the bookings is cut there, and the answer says where the rest starts. Weeks and
months are read whole: a window that starts or ends inside one is widened to all of
it, since a period is labelled by its first day.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.calendar import shifted, to_date
from podium.engine.load import Booking, Load, Overload, Period
from podium.errors import field_error
from podium.models import Assignment, Program, Resource, Role
from podium.services.actor import Actor, require_role, visible_program_ids
from podium.services.resources.catalog import get_resource
from podium.services.resources.demand import Demand, compute, gather_demand
from podium.services.scheduling.network import resource_ref

MAX_DAYS = 10 * 366  # the longest horizon one request reads (a longer plan is cut here)


def alert_window(bookings: Iterable[Booking], first: date) -> tuple[date, date] | None:
    """The days over-allocation alerts look at, for alerts from ``first`` (a status date)
    on: the bookings' span, from at most :data:`MAX_DAYS` before ``first`` and for at most
    twice that (a plan running longer is cut there, as a request's horizon is; without
    the cut an actual date in year 9999 would fill memory with days). ``None``: nothing
    booked."""
    spans = [(b.start, b.finish) for b in bookings if b.finish >= b.start]
    if not spans:
        return None
    start = max(min(s for s, _ in spans), shifted(first, -MAX_DAYS))
    finish = min(max(f for _, f in spans), shifted(start, 2 * MAX_DAYS))
    return start, max(start, finish)


# --- what the API and pages read -----------------------------------------------


def _check_order(start: date | None, finish: date | None) -> None:
    if start is not None and finish is not None and finish < start:
        raise field_error("finish", f"{finish} is before the start {start}")


def _window(
    demand: Demand,
    asked: tuple[date | None, date | None],
    plan: tuple[date | None, date | None] = (None, None),
) -> tuple[date | None, date | None, bool]:
    """The days one answer reads: those ``asked`` for, the rest from the ``plan``'s span
    or else the bookings'. An asked span longer than :data:`MAX_DAYS` is refused; a span
    taken from the plan or the bookings is cut there (``True``: it was)."""
    start, finish = asked
    _check_order(start, finish)
    start = start or plan[0] or min((b.start for b in demand.bookings), default=None)
    finish = finish or plan[1] or max((b.finish for b in demand.bookings), default=None)
    if start is None or finish is None or (finish - start).days <= MAX_DAYS:
        return start, finish, False
    if asked[1] is not None:
        raise field_error("finish", f"at most {MAX_DAYS} days from the start {start}")
    return start, shifted(start, MAX_DAYS), True


def _next_start(load: Load, cut: bool, demand: Demand) -> date | None:
    """Where the work after a cut answer starts: the next day, or the first booking after
    it when the years between are empty (``None``: nothing was cut, or nothing follows).
    Asked for as a ``start``, it reads from the start of its week or month."""
    if not cut or not len(load.days):
        return None
    after = shifted(to_date(load.days[-1]), 1)
    later = [b.start for b in demand.bookings if b.finish >= after]
    return max(after, min(later)) if later else None


def period_start(day: date, period: Period) -> date:
    """The Monday of ``day``'s week, or the first of its month (``day`` itself by day)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if period == "month" else day


def _whole_periods(
    period: Period, span: tuple[date | None, date | None]
) -> tuple[date | None, date | None]:
    """The horizon widened to whole weeks or months, at both ends: each period is summed
    and labelled by its first day, so a part of one would read as the whole (a week cut
    to its booked days reads fuller than it is, and differently on the resource's page
    and on the program's)."""
    if period == "day":
        return span
    start, finish = span
    if start is not None:
        start = period_start(start, period)
    if finish is not None:
        left = (date.max - finish).days  # the calendar ends on 31 Dec 9999
        if period == "week":
            finish += timedelta(days=min(6 - finish.weekday(), left))
        else:
            month_end = monthrange(finish.year, finish.month)[1]
            finish = finish.replace(day=month_end)
    return start, finish


@dataclass(frozen=True, slots=True)
class _Buckets:
    """A load summed per period once, for every resource row: rounded to what is shown."""

    starts: list[date]
    demand: list[list[float]]
    capacity: list[list[float]]
    utilization: list[list[float | None]]
    over_days: list[list[int]]
    here: list[list[float]] | None

    @classmethod
    def of(cls, load: Load, period: Period, here: Load | None) -> _Buckets:
        from podium.engine.load import period_starts

        starts, demand, capacity = load.buckets(period)
        over = load.over.astype(np.int64)
        if period == "day":
            over_in = over
        else:
            index = np.searchsorted(starts, period_starts(load.days, period))
            over_in = np.zeros((len(load.resources), len(starts)), np.int64)
            for row in range(len(load.resources)):
                over_in[row] = np.bincount(index, weights=over[row], minlength=len(starts))
        with np.errstate(divide="ignore", invalid="ignore"):
            used = np.where(capacity > 0, demand / np.where(capacity > 0, capacity, 1), np.nan)
        utilization = [
            [None if np.isnan(v) else v for v in row] for row in np.round(used, 3).tolist()
        ]
        mine = np.round(here.buckets(period)[1], 3).tolist() if here is not None else None
        return cls(
            [to_date(d) for d in starts],
            np.round(demand, 3).tolist(),
            np.round(capacity, 3).tolist(),
            utilization,
            over_in.tolist(),
            mine,
        )

    def rows(self, row: int) -> list[dict[str, Any]]:
        out = []
        for k, start in enumerate(self.starts):
            dem = self.demand[row][k]
            item: dict[str, Any] = {
                "start": start,
                "demand": dem,
                "capacity": self.capacity[row][k],
                "utilization": self.utilization[row][k],
                "over_allocated_days": self.over_days[row][k],
            }
            if self.here is not None:
                item["demand_here"] = self.here[row][k]
                item["demand_elsewhere"] = round(dem - self.here[row][k], 3)
            out.append(item)
        return out


def _overload_rows(
    demand: Demand, overloads: Iterable[Overload], visible: set[int] | None
) -> list[dict[str, Any]]:
    out = []
    for o in overloads:
        shown = [t for t in o.tasks if visible is None or demand.tasks[t].program_id in visible]
        out.append(
            {
                "start": o.start,
                "finish": o.finish,
                "days": o.days,
                "peak_demand": round(o.peak_demand, 3),
                "capacity": round(o.capacity, 3),
                "excess": round(o.excess, 3),
                "tasks": [_task_row(demand, t, o.resource) for t in shown],
                "hidden_tasks": len(o.tasks) - len(shown),
            }
        )
    return out


def _task_row(demand: Demand, task: str, resource: str) -> dict[str, Any]:
    """A task as the load shows it, with the units ``resource`` gives it."""
    t = demand.tasks[task]
    return {
        "task_id": t.task_id,
        "key": t.key,
        "name": t.name,
        "program_id": t.program_id,
        "program_key": t.program_key,
        "project_key": t.project_key,
        "units": demand.units[(task, resource)],
        "start": t.start,
        "finish": t.finish,
    }


def _resource_row(r: Resource) -> dict[str, Any]:
    return {
        "id": r.id,
        "key": r.key,
        "name": r.name,
        "kind": r.kind.value,
        "capacity": r.capacity,
        "hours_per_day": r.hours_per_day,
        "cost_rate": r.cost_rate,
    }


def program_resource_load(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    period: Period = "week",
    start: date | None = None,
    finish: date | None = None,
) -> dict[str, Any]:
    """Load of every resource assigned in the program, per ``period``: demand from this
    program and from others, capacity, utilization, and the over-allocations."""
    require_role(session, actor, program_id, Role.VIEWER)
    given = (start, finish)
    _check_order(start, finish)
    ids = session.scalars(
        select(Assignment.resource_id).where(Assignment.program_id == program_id).distinct()
    )
    demand = gather_demand(session, ids, default_program=program_id)
    plan = session.execute(
        select(Program.scheduled_start, Program.scheduled_finish).where(Program.id == program_id)
    ).one()
    start, finish, cut = _window(demand, given, (plan.scheduled_start, plan.scheduled_finish))
    start, finish = _whole_periods(period, (start, finish))
    visible_ids = visible_program_ids(session, actor)
    visible = None if visible_ids is None else set(visible_ids)
    load = compute(demand, start=start, finish=finish)
    here_demand = Demand(
        demand.resources,
        demand.engine_resources,
        [b for b in demand.bookings if demand.tasks[b.task].program_id == program_id],
        demand.tasks,
        demand.units,
        demand.home_calendars,
    )
    here = compute(
        here_demand,
        start=to_date(load.days[0]) if len(load.days) else start,
        finish=to_date(load.days[-1]) if len(load.days) else finish,
    )
    buckets = _Buckets.of(load, period, here if len(here.days) else None)
    by_resource: dict[str, list[Overload]] = {}
    for o in load.overloads:
        by_resource.setdefault(o.resource, []).append(o)
    over_days = load.over.sum(axis=1).tolist()
    rows = []
    for k, r in enumerate(demand.resources):
        mine = by_resource.get(resource_ref(r.id), [])
        rows.append(
            {
                "resource": _resource_row(r),
                "buckets": buckets.rows(k),
                "overloads": _overload_rows(demand, mine, visible),
                "over_allocated_days": int(over_days[k]),
                "peak_utilization": _peak(load, k),
            }
        )
    return {
        "program_id": program_id,
        "period": period,
        "start": to_date(load.days[0]) if len(load.days) else start,
        "finish": to_date(load.days[-1]) if len(load.days) else finish,
        "next_start": _next_start(load, cut, demand),
        "resources": rows,
    }


def _peak(load: Load, row: int) -> float | None:
    cap = load.capacity[row]
    dem = load.demand[row]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cap > 0, dem / np.where(cap > 0, cap, 1), np.where(dem > 0, np.inf, 0))
    if not len(ratio):
        return None
    peak = float(ratio.max())
    return None if not np.isfinite(peak) else round(peak, 3)


def one_resource_load(
    session: Session,
    actor: Actor,
    resource_id: int,
    *,
    period: Period = "week",
    start: date | None = None,
    finish: date | None = None,
) -> dict[str, Any]:
    """A resource's load across every program, per ``period``; tasks in programs the
    actor cannot see count in the demand but are not named. Without ``start`` and
    ``finish`` it reads the span of its bookings, at most :data:`MAX_DAYS` days of it
    (``next_start``: where the rest starts, to ask for it with ``start``)."""
    resource = get_resource(session, actor, resource_id)
    _check_order(start, finish)
    demand = gather_demand(session, [resource.id])
    given = (start, finish)
    start, finish, cut = _window(demand, given)
    start, finish = _whole_periods(period, (start, finish))
    load = compute(demand, start=start, finish=finish)
    visible_ids = visible_program_ids(session, actor)
    visible = None if visible_ids is None else set(visible_ids)
    tasks = [ref for ref, t in demand.tasks.items() if visible is None or t.program_id in visible]
    who = resource_ref(resource.id)
    return {
        "resource": _resource_row(resource),
        "period": period,
        "start": to_date(load.days[0]) if len(load.days) else start,
        "finish": to_date(load.days[-1]) if len(load.days) else finish,
        "next_start": _next_start(load, cut, demand),
        "buckets": _Buckets.of(load, period, None).rows(0) if demand.resources else [],
        "overloads": _overload_rows(demand, load.overloads, visible),
        "over_allocated_days": int(load.over[0].sum()) if demand.resources else 0,
        "tasks": [_task_row(demand, ref, who) for ref in tasks],
        "hidden_tasks": len(demand.tasks) - len(tasks),
    }
