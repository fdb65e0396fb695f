"""Resource demand: what every program asks of some resources, and the load it makes.

Demand comes from the scheduled dates of every task with an assignment, in
every program (a person shared by two programs is one person): each task puts
its assignment's units on every working day of its effective calendar between
its early start and early finish. A resource without a calendar of its own has
its capacity on the days its tasks work and on the working days of the programs
that book it (see :func:`podium.engine.load.resource_load`): the same on the
program's page, the resource's page (:mod:`.load`), in leveling (:mod:`.leveling`)
and in the alerts (:mod:`.overallocation`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.engine.leveling import Resource as EngineResource
from podium.engine.load import Booking, Load, resource_load
from podium.models import Assignment, Program, Resource, Task
from podium.services.scheduling.cache import current_network
from podium.services.scheduling.network import (
    ProgramNetwork,
    raw_rows,
    resource_calendar,
    resource_ref,
    task_ref,
)
from podium.services.work_calendars import calendars_by_id


@dataclass(frozen=True, slots=True)
class BookedTask:
    """A task with assignments, as the load reports it (its units are per resource:
    :attr:`Demand.units`)."""

    task_id: int
    key: str
    name: str
    program_id: int
    program_key: str
    project_key: str
    start: date
    finish: date


@dataclass
class Demand:
    """Bookings of some resources across programs, and the resources themselves."""

    resources: list[Resource]
    engine_resources: list[EngineResource]
    bookings: list[Booking]
    tasks: dict[str, BookedTask]  # booking task id (t<id>) → what people read
    units: dict[tuple[str, str], float]  # (task id, resource id) → the assignment's units
    # resource id (r<id>) → the calendars of the programs that book it: where a resource
    # without a calendar of its own has capacity besides its tasks' days
    home_calendars: dict[str, list[WorkCalendar]] = field(default_factory=dict)
    networks: dict[int, ProgramNetwork] = field(default_factory=dict)


def _counted(session: Session, viewpoint: int | None) -> ColumnElement[bool]:
    """Which programs' work counts: the live ones. A what-if scenario's copy counts only
    when it is the program looked at, and then in place of the live program it copies."""
    live = (
        session.scalar(select(Program.scenario_of_id).where(Program.id == viewpoint))
        if viewpoint is not None
        else None
    )
    if live is None:
        return Program.scenario_of_id.is_(None)
    return or_(Program.id == viewpoint, and_(Program.scenario_of_id.is_(None), Program.id != live))


def gather_demand(
    session: Session,
    resource_ids: Iterable[int],
    *,
    default_program: int | None = None,
    networks: dict[int, ProgramNetwork] | None = None,
) -> Demand:
    """Every booking of these resources in every program, with each task's effective
    calendar from its program's network (``networks``: ones just computed, to use
    instead of the stored ones)."""
    ids = sorted(set(resource_ids))
    resources = list(
        session.scalars(select(Resource).where(Resource.id.in_(ids)).order_by(Resource.name))
    )
    calendars = calendars_by_id(session, [r.calendar_id for r in resources])
    engine_resources = [
        EngineResource(
            resource_ref(r.id),
            r.capacity,
            resource_calendar(calendars.get(r.calendar_id or 0), r.time_off),
        )
        for r in resources
    ]
    rows = raw_rows(
        session,
        select(
            Assignment.resource_id,
            Assignment.units,
            Task.id,
            Task.program_id,
            Task.early_start,
            Task.early_finish,
        )
        .join(Task, Task.id == Assignment.task_id)
        .join(Program, Program.id == Task.program_id)
        .where(
            Assignment.resource_id.in_(ids),
            Task.early_start.is_not(None),
            Task.is_milestone.is_(False),
            Task.duration > 0,
            _counted(session, default_program),
        )
        .order_by(Task.program_id, Task.id),
        dates=(4, 5),
    )
    demand = Demand(resources, engine_resources, [], {}, {}, networks=dict(networks or {}))
    program_keys: dict[int, str] = {
        row.id: row.key
        for row in session.execute(
            select(Program.id, Program.key).where(Program.id.in_({r[3] for r in rows}))
        )
    }
    summaries: dict[int, set[str]] = {}
    for resource_id, units, task_id, program_id, early_start, early_finish in rows:
        pn = demand.networks.get(program_id)
        if pn is None:
            pn = demand.networks[program_id] = current_network(session, program_id)
        if program_id not in summaries:
            summaries[program_id] = {a.parent for a in pn.network.activities if a.parent}
        ref = task_ref(task_id)
        if ref in summaries[program_id]:
            continue  # a task that became a summary: its subtasks carry the work
        project_id = pn.project_of.get(ref)
        project_key = pn.project_keys.get(project_id, "") if project_id is not None else ""
        who = resource_ref(resource_id)
        demand.bookings.append(
            Booking(ref, who, units, early_start, early_finish, pn.calendar(ref), project_key)
        )
        demand.tasks[ref] = BookedTask(
            task_id,
            pn.label(ref),
            pn.names.get(ref, ""),
            program_id,
            program_keys.get(program_id, ""),
            project_key,
            early_start,
            early_finish,
        )
        demand.units[(ref, who)] = units
        homes = demand.home_calendars.setdefault(who, [])
        if pn.network.default_calendar not in homes:
            homes.append(pn.network.default_calendar)
    return demand


def compute(demand: Demand, *, start: date | None = None, finish: date | None = None) -> Load:
    """The load of ``demand`` from ``start`` to ``finish`` (default: its bookings' span)."""
    return resource_load(
        demand.engine_resources,
        demand.bookings,
        start=start,
        finish=finish,
        home_calendars=demand.home_calendars,
    )
