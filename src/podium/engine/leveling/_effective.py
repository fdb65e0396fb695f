"""Checking resources and assignments, and each task's effective calendar.

A task that leveling places works only on the days its own calendar and its
resources' calendars share; :func:`effective_network` moves every such task onto
that intersection (made once per distinct combination: a program whose people
all have their own time off has thousands of them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from podium.engine.calendar import WorkCalendar
from podium.engine.leveling.model import (
    MAX_CAPACITY,
    Assignment,
    InvalidResources,
    Resource,
    exceeds,
)
from podium.engine.network import Activity, Network


def check_inputs(
    net: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> list[str]:
    """Every problem with the resources and assignments, as sentences naming them."""
    problems: list[str] = []
    ids = {a.id for a in net.activities}
    parents = {a.parent for a in net.activities if a.parent is not None}
    seen: dict[str, Resource] = {}
    for r in resources:
        if r.id in seen:
            problems.append(f"resource {r.id!r} is listed twice")
        seen[r.id] = r
        if not (math.isfinite(r.capacity) and r.capacity > 0):
            problems.append(f"resource {r.id!r}: capacity {r.capacity} must be positive")
        elif r.capacity > MAX_CAPACITY:
            problems.append(
                f"resource {r.id!r}: capacity {r.capacity:g} is more than {MAX_CAPACITY:g} units"
            )
    pairs: set[tuple[str, str]] = set()
    for x in assignments:
        where = f"assignment of {x.resource!r} to {x.task!r}"
        if x.task not in ids:
            problems.append(f"{where}: no task {x.task!r}")
        elif x.task in parents:
            problems.append(f"{where}: {x.task!r} is a summary task; assign its subtasks")
        resource = seen.get(x.resource)
        if resource is None:
            problems.append(f"{where}: no resource {x.resource!r}")
        if not (math.isfinite(x.units) and x.units > 0):
            problems.append(f"{where}: units {x.units} must be positive")
        elif resource is not None and exceeds(x.units, resource.capacity):
            problems.append(
                f"{where}: {x.units:g} units exceed the resource's capacity of "
                f"{resource.capacity:g}, so no day could hold the task"
            )
        if (x.task, x.resource) in pairs:
            problems.append(f"{where} is listed twice")
        pairs.add((x.task, x.resource))
    return problems


def effective_network(
    net: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> Network:
    """``net`` with every task moved onto its effective calendar (see :mod:`.model`)."""
    by_id = {r.id: r for r in resources}
    calendars_of: dict[str, set[WorkCalendar]] = {}
    own_of = {
        a.id: net.default_calendar if a.calendar is None else net.calendars.get(a.calendar)
        for a in net.activities
        if works(a)
    }
    for x in assignments:
        cal = by_id[x.resource].calendar
        # a resource on the task's own calendar changes nothing (the common case)
        if cal is not None and x.task in own_of and cal != own_of[x.task]:
            calendars_of.setdefault(x.task, set()).add(cal)
    if not calendars_of:
        return net
    keyed = dict(net.calendars)
    made: dict[WorkCalendar, str] = {}
    combined_of: dict[tuple[str | None, frozenset[WorkCalendar]], WorkCalendar | None] = {}
    acts: list[Activity] = []
    problems: list[str] = []
    for a in net.activities:
        extra = calendars_of.get(a.id)
        if not extra:
            acts.append(a)
            continue
        own = net.default_calendar if a.calendar is None else net.calendars[a.calendar]
        key_of = (a.calendar, frozenset(extra))
        if key_of not in combined_of:
            combined_of[key_of] = _combine(own, extra)
        combined = combined_of[key_of]
        if combined is None:
            problems.append(
                f"task {a.id!r}: its calendar and its resources' calendars "
                "have no working day in common"
            )
            continue
        if combined == own:
            acts.append(a)
            continue
        key = made.get(combined)
        if key is None:
            key = f"\x00leveling-{len(made)}"
            made[combined] = key
            keyed[key] = combined
        acts.append(_with_calendar(a, key))
    if problems:
        raise InvalidResources(problems)
    return Network(
        net.start,
        acts,
        net.links,
        calendars=keyed,
        default_calendar=net.default_calendar,
        status_date=net.status_date,
    )


def works(a: Activity) -> bool:
    """Whether leveling places ``a``'s work, so that its resources' calendars apply to it
    (a milestone has no work; started and pinned tasks keep their dates and calendar)."""
    return (
        a.duration > 0
        and a.actual_start is None
        and a.actual_finish is None
        and a.constraint_type not in ("mso", "mfo")
    )


def _combine(own: WorkCalendar, extra: set[WorkCalendar]) -> WorkCalendar | None:
    return own.intersection(*sorted(extra, key=repr))


def _with_calendar(a: Activity, key: str) -> Activity:
    return replace(a, calendar=key)
