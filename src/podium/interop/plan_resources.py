"""Resources and assignments in the plan exchange format, and the leveling result.

The plan's ``resources`` (people, teams, equipment: capacity per day, hours per
day, cost rate, a calendar and time off) and ``assignments`` (a resource on a
task at some units, with its work in hours). :func:`resource_problems` lists
what is wrong between them and the rest of the plan, each problem located;
:func:`leveling_resources` turns them into the leveling engine's
:class:`~podium.engine.leveling.Resource` and
:class:`~podium.engine.leveling.Assignment`; :func:`leveling_result_to_json`
writes a leveled schedule as ``{"format": "podium-leveling-result", ...}``, with the
over-allocations leveling leaves (:func:`over_allocations_left`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from podium.engine import Activity, Network, WorkCalendar
from podium.engine.calendar import days_covered, less_time_off
from podium.engine.leveling import Assignment as EngineAssignment
from podium.engine.leveling import LevelingResult, effective_network
from podium.engine.leveling import Resource as EngineResource
from podium.engine.leveling.model import MAX_CAPACITY, exceeds
from podium.engine.load import Booking, resource_load

Add = Callable[[str, str], None]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class TimeOff(_Model):
    """A period a resource does not work: ``start`` to ``finish``, both days off."""

    start: dt.date
    finish: dt.date
    note: str = Field(default="", max_length=200)


# days of time off one resource may have in all: ten years (each day becomes a holiday
# of its calendar; a period from year 2000 to 9999 took seconds per reschedule)
MAX_TIME_OFF_DAYS = 10 * 366


def time_off_total(periods: Sequence[tuple[dt.date, dt.date]]) -> int:
    """Days of time off in ``periods`` (start, finish; both ends included; a day in two
    periods counts once; a period that ends before it starts counts none)."""
    return days_covered(periods)


def too_much_time_off(total: int) -> str:
    return f"{total} days of time off: at most {MAX_TIME_OFF_DAYS} per resource"


class Resource(_Model):
    """A person, team or piece of equipment, shared across programs (matched by ``id``)."""

    id: str = Field(min_length=1, max_length=40)
    name: str = Field(max_length=200)
    kind: Literal["person", "team", "equipment"] = "person"
    description: str = ""
    capacity: float = Field(
        default=1.0,
        gt=0,
        le=MAX_CAPACITY,
        description="Units per working day (1.0 = one full-time person).",
    )
    hours_per_day: float = Field(default=8.0, gt=0, le=24, description="Hours in one unit-day.")
    cost_rate: float = Field(default=0.0, ge=0, description="Cost of one hour of work (money).")
    calendar: str | None = Field(
        default=None,
        description="Its working calendar (a calendars name); none: it works "
        "whenever its tasks do.",
    )
    time_off: list[TimeOff] = []


class Assignment(_Model):
    """A resource working on a task at some units (1.0 = full time) for every day of it."""

    task: str
    resource: str
    units: float = Field(default=1.0, gt=0)
    work_hours: float | None = Field(
        default=None, ge=0, description="Effort in hours (given on effort-driven tasks)."
    )


def _items(raw: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(f"{key}[{i}]", x) for i, x in enumerate(value) if isinstance(x, dict)]


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def resource_problems(
    raw: dict[str, Any],
    *,
    resources: Mapping[str, str],
    tasks: Mapping[str, str],
    summaries: set[str],
    add: Add,
) -> None:
    """Report (through ``add``) what is wrong with the raw plan's resources and
    assignments beyond their own fields: time off that ends before it starts, an
    assignment to an unknown task or resource, to a summary task or a milestone,
    above the resource's capacity, or listed twice. ``resources`` and ``tasks`` map
    ids to their locations; ``summaries`` holds the ids of summary tasks."""
    capacity: dict[str, float] = {}
    for where, item in _items(raw, "resources"):
        rid = item.get("id")
        cap = _number(item.get("capacity", 1.0))
        if isinstance(rid, str) and cap is not None and cap > 0 and rid not in capacity:
            capacity[rid] = cap
        periods = []
        for spot, period in _items(item, "time_off"):
            start, finish = period.get("start"), period.get("finish")
            if isinstance(start, str) and isinstance(finish, str) and finish < start:
                add(f"{where}.{spot}.finish", "is before start")
            periods.append((_day(start), _day(finish)))
        total = time_off_total([(a, b) for a, b in periods if a is not None and b is not None])
        if total > MAX_TIME_OFF_DAYS:
            add(f"{where}.time_off", too_much_time_off(total))
    durations = {
        item["id"]: item.get("duration")
        for _, item in _items(raw, "tasks")
        if isinstance(item.get("id"), str)
    }
    pairs: dict[tuple[str, str], str] = {}
    for where, assignment in _items(raw, "assignments"):
        task, resource = assignment.get("task"), assignment.get("resource")
        task = task if isinstance(task, str) else None
        resource = resource if isinstance(resource, str) else None
        if task is not None and task not in tasks:
            add(f"{where}.task", f"unknown task {task!r}")
        elif task in summaries:
            add(f"{where}.task", f"{task!r} is a summary task: assign its subtasks")
        elif task is not None and durations.get(task) == 0:
            add(f"{where}.task", f"{task!r} is a milestone (duration 0): it has no work")
        if resource is not None and resource not in resources:
            add(f"{where}.resource", f"unknown resource {resource!r}")
        units = _number(assignment.get("units", 1.0))
        cap = capacity.get(resource) if resource is not None else None
        if units is not None and cap is not None and exceeds(units, cap):
            add(f"{where}.units", f"{units:g} units exceed the capacity of {resource!r} ({cap:g})")
        if task is not None and resource is not None:
            if (task, resource) in pairs:
                add(
                    where,
                    f"{resource!r} is assigned to {task!r} twice (also {pairs[(task, resource)]})",
                )
            pairs.setdefault((task, resource), where)


def resource_calendar(
    base: WorkCalendar | None, time_off: Sequence[TimeOff]
) -> WorkCalendar | None:
    """A resource's working days: its named calendar less its time off (see
    :func:`~podium.engine.calendar.less_time_off`)."""
    return less_time_off(base, [(period.start, period.finish) for period in time_off])


def leveling_resources(
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    calendars: Mapping[str, WorkCalendar],
) -> tuple[list[EngineResource], list[EngineAssignment]]:
    """The plan's resources and assignments as the leveling engine's (``calendars``:
    the plan's calendars by name)."""
    engine_resources = [
        EngineResource(
            r.id,
            r.capacity,
            resource_calendar(calendars[r.calendar] if r.calendar else None, r.time_off),
        )
        for r in resources
    ]
    engine_assignments = [EngineAssignment(a.task, a.resource, a.units) for a in assignments]
    return engine_resources, engine_assignments


def over_allocations_left(
    network: Network,
    resources: Sequence[EngineResource],
    assignments: Sequence[EngineAssignment],
    result: LevelingResult,
) -> list[dict[str, Any]]:
    """The over-allocations a leveled plan keeps, from its status date on (earlier ones are
    history): each involves work leveling may not move. Per period: the resource, its
    first and last day, the over-allocated days, the peak demand against the capacity,
    and each task in it with why it stays (``started``, ``finished`` or ``pinned``)."""
    placed = effective_network(network, resources, assignments)  # each task's working days
    acts = {a.id: a for a in placed.activities}
    since = network.status_date or network.start
    bookings = []
    for x in assignments:
        a = acts[x.task]
        if a.duration == 0:
            continue
        cal = placed.default_calendar if a.calendar is None else placed.calendars[a.calendar]
        dates = result[x.task]
        bookings.append(Booking(x.task, x.resource, x.units, dates.start, dates.finish, cal))
    load = resource_load(resources, bookings, default_calendar=network.default_calendar)
    left = []
    for o, first, days in load.overloads_from(since):
        left.append(
            {
                "resource": o.resource,
                "start": first.isoformat(),
                "finish": o.finish.isoformat(),
                "days": days,
                "peak_demand": round(o.peak_demand, 6),
                "capacity": round(o.capacity, 6),
                "tasks": [{"id": t, "why": _why_fixed(acts[t])} for t in o.tasks],
            }
        )
    return left


def _why_fixed(a: Activity) -> str:
    if a.actual_finish is not None:
        return "finished"
    if a.actual_start is not None:
        return "started"
    return "pinned" if a.constraint_type in ("mso", "mfo") else ""


def leveling_result_to_json(
    result: LevelingResult,
    *,
    program_start: dt.date,
    over_allocations: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A leveled schedule as JSON: method, status (and why the optimizing solver kept the
    heuristic's plan, when it did), makespan (working days of the program's calendar from
    ``program_start``), bounds, each activity's leveled dates and delays (working days
    of its own calendar), and the over-allocations it keeps (see
    :func:`over_allocations_left`)."""
    rows = list(result)
    first = min((r.start for r in rows), default=program_start)
    status, kept_because = leveling_status(result.status)
    return {
        "format": "podium-leveling-result",
        "version": 1,
        "method": result.method,
        "optimal": result.optimal,
        "status": status,
        "heuristic_kept": kept_because,
        "makespan": result.makespan,
        "lower_bound": result.lower_bound,
        "unleveled_makespan": result.unleveled_makespan,
        "program": {"start": first.isoformat(), "finish": result.program_finish.isoformat()},
        "seconds": round(result.seconds, 3),
        "tasks": [
            {
                "id": r.id,
                "start": r.start.isoformat(),
                "finish": r.finish.isoformat(),
                "start_delay": r.start_delay,
                "finish_delay": r.finish_delay,
            }
            for r in rows
        ],
        "over_allocations": list(over_allocations),
    }


def leveling_status(status: str) -> tuple[str, str | None]:
    """A leveling result's status as ``optimal`` or ``feasible``, and why the optimizing
    solver kept the heuristic's plan (``None`` when it did not, or was not asked):
    ``"feasible (heuristic; CP-SAT found nothing better)"`` reads
    ``("feasible", "CP-SAT found nothing better")``."""
    word, _, rest = status.partition(" (")
    _, kept, why = rest.partition("heuristic; ")
    return word, (why.removesuffix(")") if kept else None)
