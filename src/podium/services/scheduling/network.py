"""A program as the engine sees it: one network of all its projects' tasks and milestones.

Read with a handful of column queries (no ORM objects), so that a program of
10 000 tasks loads in milliseconds. Activity ids are ``t<task id>`` and
``m<milestone id>``; :attr:`ProgramNetwork.labels` turns them back into the keys
people know (``PLAT-3``, ``M1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import Activity, Link, Network, WorkCalendar
from podium.errors import NotFound
from podium.models import Calendar, Dependency, Milestone, Program, Project, Task


def task_ref(task_id: int) -> str:
    return f"t{task_id}"


def milestone_ref(milestone_id: int) -> str:
    return f"m{milestone_id}"


@dataclass
class ProgramNetwork:
    """The engine network of one program plus what is needed to map results back."""

    program_id: int
    network: Network
    labels: dict[str, str]  # activity id → key shown to people
    names: dict[str, str]  # activity id → name
    project_of: dict[str, int | None]  # activity id → project id (None: program milestone)
    project_keys: dict[int, str]
    targets: dict[str, date]  # program milestone targets
    deadlines: dict[str, date]
    started: dict[str, date]  # activity id → actual start, for work under way or done
    finished: set[str]
    calendars: dict[str, WorkCalendar]
    calendar_of: dict[str, str | None]
    current: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # stored scheduled fields
    links: list[tuple[str, str, str, int]] = field(default_factory=list)

    def label(self, activity: str) -> str:
        return self.labels.get(activity, activity)

    def calendar(self, activity: str) -> WorkCalendar:
        key = self.calendar_of.get(activity)
        return self.calendars[key] if key is not None else self.network.default_calendar


SCHEDULED_COLUMNS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
)


def _work_calendar(row: Any) -> WorkCalendar:
    holidays = [date.fromisoformat(h["date"]) for h in (row.holidays or [])]
    return WorkCalendar(row.weekmask, holidays)


def load_network(session: Session, program_id: int) -> ProgramNetwork:
    """Read everything the scheduler needs for one program."""
    program = session.execute(
        select(Program.id, Program.start_date, Program.calendar_id, Program.status_date).where(
            Program.id == program_id
        )
    ).one_or_none()
    if program is None:
        raise NotFound(f"program {program_id} not found")
    projects = session.execute(
        select(Project.id, Project.key, Project.calendar_id, Project.start_date).where(
            Project.program_id == program_id
        )
    ).all()
    sched = [getattr(Task, c) for c in SCHEDULED_COLUMNS]
    tasks = session.execute(
        select(
            Task.id,
            Task.key,
            Task.name,
            Task.project_id,
            Task.parent_id,
            Task.duration,
            Task.is_milestone,
            Task.calendar_id,
            Task.constraint_type,
            Task.constraint_date,
            Task.deadline,
            Task.actual_start,
            Task.actual_finish,
            Task.percent_complete,
            *sched,
        )
        .where(Task.program_id == program_id)
        .order_by(Task.id)
    ).all()
    msched = [getattr(Milestone, c) for c in SCHEDULED_COLUMNS]
    milestones = session.execute(
        select(Milestone.id, Milestone.key, Milestone.name, Milestone.target_date, *msched)
        .where(Milestone.program_id == program_id)
        .order_by(Milestone.id)
    ).all()
    dependencies = session.execute(
        select(
            Dependency.predecessor_task_id,
            Dependency.predecessor_milestone_id,
            Dependency.successor_task_id,
            Dependency.successor_milestone_id,
            Dependency.type,
            Dependency.lag,
        ).where(Dependency.program_id == program_id)
    ).all()

    calendar_ids = {
        program.calendar_id,
        *(p.calendar_id for p in projects),
        *(t.calendar_id for t in tasks),
    }
    calendar_ids.discard(None)
    calendars = {
        str(row.id): _work_calendar(row)
        for row in session.execute(
            select(Calendar.id, Calendar.weekmask, Calendar.holidays).where(
                Calendar.id.in_(calendar_ids)
            )
        )
    }
    default_key = str(program.calendar_id) if program.calendar_id is not None else None
    default = calendars[default_key] if default_key else WorkCalendar()
    project_info = {p.id: p for p in projects}

    activities: list[Activity] = []
    pn = ProgramNetwork(
        program_id=program_id,
        network=Network(start=program.start_date, activities=()),
        labels={},
        names={},
        project_of={},
        project_keys={p.id: p.key for p in projects},
        targets={},
        deadlines={},
        started={},
        finished=set(),
        calendars=calendars,
        calendar_of={},
    )
    for t in tasks:
        ref = task_ref(t.id)
        project = project_info[t.project_id]
        cal_id = t.calendar_id or project.calendar_id
        cal_key = str(cal_id) if cal_id is not None else default_key
        constraint_type, constraint_date = t.constraint_type.value, t.constraint_date
        if project.start_date is not None and constraint_type == "asap" and t.actual_start is None:
            constraint_type, constraint_date = "snet", project.start_date
        activities.append(
            Activity(
                ref,
                0 if t.is_milestone else t.duration,
                calendar=cal_key if cal_key != default_key else None,
                parent=task_ref(t.parent_id) if t.parent_id is not None else None,
                group=project.key,
                constraint_type=constraint_type,  # type: ignore[arg-type]
                constraint_date=constraint_date,
                deadline=t.deadline,
                actual_start=t.actual_start,
                actual_finish=t.actual_finish,
                percent_complete=float(t.percent_complete or 0),
            )
        )
        pn.labels[ref] = t.key
        pn.names[ref] = t.name
        pn.project_of[ref] = t.project_id
        pn.calendar_of[ref] = cal_key if cal_key != default_key else None
        if t.deadline is not None:
            pn.deadlines[ref] = t.deadline
        if t.actual_start is not None:
            pn.started[ref] = t.actual_start
        if t.actual_finish is not None:
            pn.finished.add(ref)
        pn.current[ref] = tuple(getattr(t, c) for c in SCHEDULED_COLUMNS)
    for m in milestones:
        ref = milestone_ref(m.id)
        activities.append(Activity(ref, 0))
        pn.labels[ref] = m.key
        pn.names[ref] = m.name
        pn.project_of[ref] = None
        pn.calendar_of[ref] = None
        if m.target_date is not None:
            pn.targets[ref] = m.target_date
        pn.current[ref] = tuple(getattr(m, c) for c in SCHEDULED_COLUMNS)
    links: list[Link] = []
    for d in dependencies:
        pred = (
            task_ref(d.predecessor_task_id)
            if d.predecessor_task_id
            else milestone_ref(d.predecessor_milestone_id)
        )
        succ = (
            task_ref(d.successor_task_id)
            if d.successor_task_id
            else milestone_ref(d.successor_milestone_id)
        )
        links.append(Link(pred, succ, d.type.value, d.lag))
        pn.links.append((pred, succ, d.type.value, d.lag))
    pn.network = Network(
        start=program.start_date,
        activities=activities,
        links=links,
        calendars={k: v for k, v in calendars.items() if k != default_key},
        default_calendar=default,
        status_date=program.status_date,
    )
    return pn
