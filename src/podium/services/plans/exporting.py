"""Export of a whole program as a plan (see :mod:`podium.services.plans`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import WEEKDAYS, Calendar, ConstraintType, Dependency, Milestone, Project, Task
from podium.services import programs as program_service
from podium.services.actor import Actor
from podium.services.plans.resources import assignment_json, export_resources, resource_json


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _dated(entries: list[dict[str, Any]] | None) -> list[Any]:
    """Stored holidays or extra working days as the plan writes them, by date: a date,
    or ``{"date", "name"}`` for a named one."""
    return [
        {"date": e["date"], "name": e["name"]} if e.get("name") else e["date"]
        for e in sorted(entries or [], key=lambda e: str(e["date"]))
    ]


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
    resources, assigned = export_resources(session, program_id)
    project_by_id = {p.id: p for p in projects}
    calendar_ids = {
        program.calendar_id,
        *(t.calendar_id for t in tasks),
        *(p.calendar_id for p in projects),
        *(r.calendar_id for r in resources),
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
            "effort_driven": t.effort_driven,
            "leveled_start": _iso(t.leveled_start),
        }
        return out

    order = ordered_tasks()
    position = {t.id: i for i, t in enumerate(order)}
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
            # only when set: a file without one reads as before currencies existed
            **({"currency": program.currency} if program.currency else {}),
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
                "holidays": _dated(c.holidays),
                "extra_workdays": _dated(c.extra_workdays),
            }
            for c in calendars.values()
        ],
        "projects": [
            {"key": p.key, "name": p.name, "description": p.description} for p in projects
        ],
        "tasks": [task_json(t) for t in order],
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
        "resources": [resource_json(r, calendars) for r in resources],
        "assignments": [
            assignment_json(task_by_id[a.task_id], r, a)
            for a, r in sorted(assigned, key=lambda x: (position[x[0].task_id], x[1].key))
        ],
    }
