"""Import of a whole program from a plan (see :mod:`podium.services.plans`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from podium.interop.plan_format import Holiday as PlanHoliday
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
    Resource,
    Task,
)
from podium.services import programs as program_service
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.common import flush
from podium.services.date_window import check_rows
from podium.services.plans.resources import (
    import_assignments,
    import_resources,
    resource_problems,
    stored_resources,
)
from podium.services.progress import report_day
from podium.services.scheduling.pending import mark_program
from podium.services.tasks import renumber_project


def _weekmask(workdays: list[str]) -> str:
    return "".join("1" if day in workdays else "0" for day in WEEKDAYS)


def _check_against_database(
    session: Session, plan: Plan, key: str, reused: dict[str, Resource]
) -> dict[str, Calendar]:
    """Existing calendars the plan reuses by name; every conflict with stored data
    (``reused``: the stored resources it names) is listed."""
    problems: list[dict[str, str]] = []
    taken = session.scalar(select(Program.key).where(func.lower(Program.key) == key.lower()))
    if taken is not None:
        problems.append(
            {"location": "program.key", "message": f"a program with key {taken!r} already exists"}
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
        same_holidays = _stored_dates(stored.holidays) == _dates(calendar.holidays)
        same_extra = _stored_dates(stored.extra_workdays) == _dates(calendar.extra_workdays)
        if not (same_days and same_holidays and same_extra):
            problems.append(
                {
                    "location": f"calendars[{index}]",
                    "message": (
                        f"a different calendar named {calendar.name!r} already exists; "
                        "rename it in the file or make them the same"
                    ),
                }
            )
    problems += resource_problems(plan, reused)
    if problems:
        raise PlanError(problems)
    return existing


def _stored_dates(entries: list[dict[str, Any]] | None) -> set[str]:
    """The dates of stored ``{"date", "name"}`` entries (holidays, extra working days)."""
    return {str(e["date"]) for e in entries or []}


def _dates(entries: Sequence[PlanHoliday]) -> set[str]:
    """The dates of a plan calendar's holidays or extra working days."""
    return {e.date.isoformat() for e in entries}


def _stored_days(entries: Sequence[PlanHoliday]) -> list[dict[str, str]]:
    """A plan calendar's holidays (or extra working days) as stored: by date, a date the
    file lists twice once (with the first name the file gives it)."""
    named: dict[str, str] = {}
    for entry in entries:
        day = entry.date.isoformat()
        named[day] = named.get(day) or entry.name
    return [{"date": day, "name": named[day]} for day in sorted(named)]


def _next_number(project_key: str, task_keys: list[str]) -> int:
    pattern = re.compile(rf"^{re.escape(project_key)}-(\d+)$")
    numbers = [int(m.group(1)) for k in task_keys if (m := pattern.match(k))]
    return max(numbers, default=0) + 1


def import_plan(session: Session, actor: Actor, plan: Plan, *, key: str | None = None) -> Program:
    """Create a program from a plan (checked first: a bad plan writes nothing)."""
    key = key or plan.program.key
    reused = stored_resources(session, plan)
    existing_calendars = _check_against_database(session, plan, key, reused)
    calendar_ids: dict[str, int] = {name: c.id for name, c in existing_calendars.items()}
    for calendar in plan.calendars:
        if calendar.name not in calendar_ids:
            stored = Calendar(
                name=calendar.name,
                weekmask=_weekmask(list(calendar.workdays)),
                holidays=_stored_days(calendar.holidays),
                extra_workdays=_stored_days(calendar.extra_workdays),
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
        currency=plan.program.currency,
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
                # inserted in bulk, past the session's hook: the duration the estimate is for
                "estimate_basis": t.duration if t.estimate else None,
                "budget": t.budget,
                "actual_cost": t.actual_cost,
                "effort_driven": t.effort_driven,
                "leveled_start": t.leveled_start,
            }
        )
    task_ids: dict[str, int] = {}
    check_rows(Task, task_rows, plural="tasks")
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
    check_rows(Milestone, milestone_rows, plural="milestones")
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
    resource_ids = import_resources(session, actor, plan, reused, calendar_ids)
    import_assignments(
        session, plan, program_id=program.id, task_ids=task_ids, resource_ids=resource_ids
    )
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
            "assignments": [None, len(plan.assignments)],
        },
        label=program.name,
    )
    mark_program(session, program.id)
    return program
