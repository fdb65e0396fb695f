"""Import and export of whole programs in the plan exchange format (``podium-plan``).

An import is checked completely before anything is written: the file itself
(:func:`podium.interop.plan_format.read_plan`, every problem with its location)
and then against the database (the program key is free, a calendar of the same
name is the same calendar). Records are then written in bulk, the WBS is
numbered once per project, and the program is rescheduled before the unit of
work commits. Export writes the same format, so export → import → export
round-trips unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from podium.interop.plan_format import Plan, PlanError
from podium.models import (
    WEEKDAYS,
    Calendar,
    ConstraintType,
    Dependency,
    DependencyType,
    Milestone,
    Program,
    ProgressRecord,
    Project,
    Task,
)
from podium.services import programs as program_service
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.common import flush
from podium.services.progress import report_day
from podium.services.scheduling.pending import mark_program
from podium.services.tasks import renumber_project


def _weekmask(workdays: list[str]) -> str:
    return "".join("1" if day in workdays else "0" for day in WEEKDAYS)


def _check_against_database(session: Session, plan: Plan, key: str) -> dict[str, Calendar]:
    """Existing calendars the plan reuses by name; every conflict with stored data is listed."""
    problems: list[dict[str, str]] = []
    if session.scalar(select(Program.id).where(Program.key == key)) is not None:
        problems.append(
            {"location": "program.key", "message": f"a program with key {key!r} already exists"}
        )
    names = [c.name for c in plan.calendars]
    existing = {
        c.name: c for c in session.scalars(select(Calendar).where(Calendar.name.in_(names)))
    }
    for index, calendar in enumerate(plan.calendars):
        stored = existing.get(calendar.name)
        if stored is None:
            continue
        same_days = stored.weekmask == _weekmask(list(calendar.workdays))
        same_holidays = {h["date"] for h in stored.holidays} == {
            d.isoformat() for d in calendar.holidays
        }
        if not (same_days and same_holidays):
            problems.append(
                {
                    "location": f"calendars[{index}]",
                    "message": (
                        f"a different calendar named {calendar.name!r} already exists; "
                        "rename it in the file or make them the same"
                    ),
                }
            )
    if problems:
        raise PlanError(problems)
    return existing


def _next_number(project_key: str, task_keys: list[str]) -> int:
    pattern = re.compile(rf"^{re.escape(project_key)}-(\d+)$")
    numbers = [int(m.group(1)) for k in task_keys if (m := pattern.match(k))]
    return max(numbers, default=0) + 1


def import_plan(session: Session, actor: Actor, plan: Plan, *, key: str | None = None) -> Program:
    """Create a program from a plan (checked first: a bad plan writes nothing)."""
    key = key or plan.program.key
    existing_calendars = _check_against_database(session, plan, key)
    calendar_ids: dict[str, int] = {name: c.id for name, c in existing_calendars.items()}
    for calendar in plan.calendars:
        if calendar.name not in calendar_ids:
            stored = Calendar(
                name=calendar.name,
                weekmask=_weekmask(list(calendar.workdays)),
                holidays=[{"date": d.isoformat(), "name": ""} for d in sorted(calendar.holidays)],
            )
            session.add(stored)
            flush(session)
            calendar_ids[calendar.name] = stored.id

    goal = plan.program.goal
    program = program_service.create_program(
        session,
        actor,
        key=key,
        name=plan.program.name,
        start_date=plan.program.start,
        calendar_id=calendar_ids[plan.program.calendar] if plan.program.calendar else None,
        status_date=plan.program.status_date,
        description=plan.program.description,
        goal_outcome=goal.outcome if goal else "",
        goal_measure=goal.measure if goal else "",
        goal_unit=goal.unit if goal else "",
        goal_baseline_value=goal.baseline_value if goal else None,
        goal_target_value=goal.target_value if goal else None,
        goal_target_date=goal.target_date if goal else None,
    )

    keys_by_project: dict[str, list[str]] = defaultdict(list)
    for task in plan.tasks:
        keys_by_project[task.project].append(task.id)
    project_ids: dict[str, int] = {}
    for position, p in enumerate(plan.projects):
        project = Project(
            program_id=program.id,
            key=p.key,
            name=p.name,
            description=p.description,
            position=position,
            next_task_number=_next_number(p.key, keys_by_project[p.key]),
        )
        session.add(project)
        flush(session)
        project_ids[p.key] = project.id

    summaries = {t.parent for t in plan.tasks if t.parent}
    positions: dict[tuple[str, str | None], int] = defaultdict(int)
    task_rows: list[dict[str, Any]] = []
    for t in plan.tasks:
        slot = (t.project, t.parent)
        position = positions[slot]
        positions[slot] += 1
        constraint = t.constraint
        task_rows.append(
            {
                "program_id": program.id,
                "project_id": project_ids[t.project],
                "key": t.id,
                "position": position,
                "name": t.name,
                "description": t.description,
                "duration": t.duration,
                "is_milestone": t.duration == 0 and t.id not in summaries,
                "calendar_id": calendar_ids[t.calendar] if t.calendar else None,
                "constraint_type": ConstraintType(constraint.type)
                if constraint
                else ConstraintType.ASAP,
                "constraint_date": constraint.date if constraint else None,
                "deadline": t.deadline,
                "actual_start": t.actual_start,
                "actual_finish": t.actual_finish,
                "percent_complete": float(t.percent_complete),
                "estimate_optimistic": t.estimate.optimistic if t.estimate else None,
                "estimate_most_likely": t.estimate.most_likely if t.estimate else None,
                "estimate_pessimistic": t.estimate.pessimistic if t.estimate else None,
                "budget": t.budget,
                "actual_cost": t.actual_cost,
            }
        )
    task_ids: dict[str, int] = {}
    if task_rows:
        for row in session.execute(insert(Task).returning(Task.id, Task.key), task_rows):
            task_ids[row.key] = row.id
        parents = [
            {"_id": task_ids[t.id], "_parent": task_ids[t.parent]} for t in plan.tasks if t.parent
        ]
        if parents:
            table = Task.__table__
            assert isinstance(table, Table)
            session.execute(
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(parent_id=bindparam("_parent"), updated_at=table.c.updated_at),
                parents,
            )
    milestone_ids: dict[str, int] = {}
    milestone_rows = [
        {
            "program_id": program.id,
            "key": m.id,
            "name": m.name,
            "description": m.description,
            "target_date": m.target,
        }
        for m in plan.milestones
    ]
    if milestone_rows:
        for row in session.execute(
            insert(Milestone).returning(Milestone.id, Milestone.key), milestone_rows
        ):
            milestone_ids[row.key] = row.id
    dependency_rows = [
        {
            "program_id": program.id,
            "predecessor_task_id": task_ids.get(d.pred),
            "predecessor_milestone_id": milestone_ids.get(d.pred)
            if d.pred not in task_ids
            else None,
            "successor_task_id": task_ids.get(d.to),
            "successor_milestone_id": milestone_ids.get(d.to) if d.to not in task_ids else None,
            "type": DependencyType(d.type),
            "lag": d.lag,
        }
        for d in plan.dependencies
    ]
    if dependency_rows:
        session.execute(insert(Dependency), dependency_rows)
    for project_id in project_ids.values():
        renumber_project(session, project_id)
    as_of = plan.program.status_date or report_day(session, program.id)
    progress_rows = [
        {
            "program_id": program.id,
            "task_id": task_ids[t.id],
            "as_of": as_of,
            "percent_complete": float(t.percent_complete),
            "actual_cost": t.actual_cost,
            "recorded_by": actor.email,
        }
        for t in plan.tasks
        if t.percent_complete or t.actual_cost
    ]
    if progress_rows:
        session.execute(insert(ProgressRecord), progress_rows)
    record_change(
        session,
        actor,
        program_id=program.id,
        entity_type="program",
        entity_id=program.id,
        action="import",
        changes={
            "projects": [None, len(plan.projects)],
            "tasks": [None, len(plan.tasks)],
            "milestones": [None, len(plan.milestones)],
            "dependencies": [None, len(plan.dependencies)],
        },
        label=program.name,
    )
    mark_program(session, program.id)
    return program


# --- export -------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def export_plan(session: Session, actor: Actor, program_id: int) -> dict[str, Any]:
    """The program as a plan document (JSON-ready)."""
    program = program_service.get_program(session, actor, program_id)
    projects = list(
        session.scalars(
            select(Project)
            .where(Project.program_id == program_id)
            .order_by(Project.position, Project.id)
        )
    )
    tasks = list(session.scalars(select(Task).where(Task.program_id == program_id)))
    milestones = list(
        session.scalars(
            select(Milestone).where(Milestone.program_id == program_id).order_by(Milestone.id)
        )
    )
    dependencies = list(
        session.scalars(
            select(Dependency).where(Dependency.program_id == program_id).order_by(Dependency.id)
        )
    )
    project_by_id = {p.id: p for p in projects}
    calendar_ids = {
        program.calendar_id,
        *(t.calendar_id for t in tasks),
        *(p.calendar_id for p in projects),
    }
    calendar_ids.discard(None)
    calendars = {
        c.id: c
        for c in session.scalars(
            select(Calendar).where(Calendar.id.in_(calendar_ids)).order_by(Calendar.name)
        )
    }
    task_by_id = {t.id: t for t in tasks}
    milestone_by_id = {m.id: m for m in milestones}

    def ordered_tasks() -> list[Task]:
        children: dict[tuple[int, int | None], list[Task]] = defaultdict(list)
        for t in tasks:
            children[(t.project_id, t.parent_id)].append(t)
        out: list[Task] = []

        def walk(project_id: int, parent: int | None) -> None:
            for t in sorted(children[(project_id, parent)], key=lambda x: (x.position, x.id)):
                out.append(t)
                walk(project_id, t.id)

        for p in projects:
            walk(p.id, None)
        return out

    def task_calendar(t: Task) -> str | None:
        cal_id = t.calendar_id or project_by_id[t.project_id].calendar_id
        if cal_id is None or cal_id == program.calendar_id:
            return None
        return calendars[cal_id].name

    def end(task_id: int | None, milestone_id: int | None) -> str:
        if task_id is not None:
            return task_by_id[task_id].key
        return milestone_by_id[milestone_id].key  # type: ignore[index]

    def task_json(t: Task) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": t.key,
            "project": project_by_id[t.project_id].key,
            "name": t.name,
            "description": t.description,
            "duration": t.duration,
            "parent": task_by_id[t.parent_id].key if t.parent_id else None,
            "calendar": task_calendar(t),
            "constraint": (
                {"type": t.constraint_type.value, "date": _iso(t.constraint_date)}
                if t.constraint_type != ConstraintType.ASAP
                else None
            ),
            "deadline": _iso(t.deadline),
            "actual_start": _iso(t.actual_start),
            "actual_finish": _iso(t.actual_finish),
            "percent_complete": t.percent_complete,
            "estimate": (
                {
                    "optimistic": t.estimate_optimistic,
                    "most_likely": t.estimate_most_likely,
                    "pessimistic": t.estimate_pessimistic,
                }
                if t.estimate_optimistic is not None
                and t.estimate_most_likely is not None
                and t.estimate_pessimistic is not None
                else None
            ),
            "budget": t.budget,
            "actual_cost": t.actual_cost,
        }
        return out

    return {
        "format": "podium-plan",
        "version": 1,
        "program": {
            "key": program.key,
            "name": program.name,
            "description": program.description,
            "start": program.start_date.isoformat(),
            "calendar": calendars[program.calendar_id].name if program.calendar_id else None,
            "status_date": _iso(program.status_date),
            "goal": {
                "outcome": program.goal_outcome,
                "measure": program.goal_measure,
                "unit": program.goal_unit,
                "baseline_value": program.goal_baseline_value,
                "target_value": program.goal_target_value,
                "target_date": _iso(program.goal_target_date),
            },
        },
        "calendars": [
            {
                "name": c.name,
                "workdays": [
                    day for day, flag in zip(WEEKDAYS, c.weekmask, strict=True) if flag == "1"
                ],
                "holidays": sorted(h["date"] for h in c.holidays),
            }
            for c in calendars.values()
        ],
        "projects": [
            {"key": p.key, "name": p.name, "description": p.description} for p in projects
        ],
        "tasks": [task_json(t) for t in ordered_tasks()],
        "milestones": [
            {
                "id": m.key,
                "name": m.name,
                "description": m.description,
                "target": _iso(m.target_date),
            }
            for m in milestones
        ],
        "dependencies": [
            {
                "from": end(d.predecessor_task_id, d.predecessor_milestone_id),
                "to": end(d.successor_task_id, d.successor_milestone_id),
                "type": d.type.value,
                "lag": d.lag,
            }
            for d in dependencies
        ],
        "resources": [],
        "assignments": [],
    }
