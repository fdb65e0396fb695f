"""Assignments: a resource's units on a task, its work in hours and its cost.

A task is *duration-driven* by default: its duration is what the plan says and
each assignment's work follows from it (duration x units x the resource's hours
per day). An *effort-driven* task keeps its total work instead: the work given
on its assignments is shared among all of them, so adding a person shortens
the task (duration = total work / the hours all its resources put in per day,
rounded up to whole working days), as in Microsoft Project.

Managers and owners of the task's program assign; everyone who sees the
program reads its assignments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from podium.engine.network import MAX_DURATION
from podium.errors import Conflict, NotFound, field_error
from podium.models import Assignment, Program, Resource, Role, Task
from podium.services.actor import Actor, require_role, visible_program_ids
from podium.services.audit import record_created, record_deleted
from podium.services.common import apply_update, check_version, count_rows, flush
from podium.services.resources.catalog import MAX_ID, get_resource
from podium.services.tasks.reading import _is_summary, get_task

ASSIGNMENT_FIELDS = ["task_id", "resource_id", "units", "work_hours", "notes"]


@dataclass(frozen=True, slots=True)
class AssignmentView:
    """An assignment with the names people read and its work and cost."""

    assignment: Assignment
    task: Task
    resource: Resource
    work_hours: float
    cost: float


def view(assignment: Assignment, task: Task, resource: Resource) -> AssignmentView:
    work = planned_work(task, assignment, resource)
    return AssignmentView(assignment, task, resource, work, round(work * resource.cost_rate, 2))


def planned_work(task: Task, assignment: Assignment, resource: Resource) -> float:
    """Hours of work: the task's working days x units x the resource's hours per day."""
    return round(task.duration * assignment.units * resource.hours_per_day, 2)


def get_assignment(
    session: Session, actor: Actor, assignment_id: int, *, needed: Role = Role.VIEWER
) -> Assignment:
    assignment = session.get(Assignment, assignment_id) if 0 < assignment_id <= MAX_ID else None
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} not found")
    try:
        require_role(session, actor, assignment.program_id, needed)
    except NotFound:
        raise NotFound(f"assignment {assignment_id} not found") from None
    return assignment


def describe(session: Session, assignment: Assignment) -> AssignmentView:
    task = session.get(Task, assignment.task_id)
    resource = session.get(Resource, assignment.resource_id)
    assert task is not None and resource is not None
    return view(assignment, task, resource)


def _assignments_query(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None,
    task_id: int | None,
    resource_id: int | None,
) -> Select[Assignment, Task, Resource]:
    query = (
        select(Assignment, Task, Resource)
        .join(Task, Task.id == Assignment.task_id)
        .join(Resource, Resource.id == Assignment.resource_id)
        .order_by(Task.program_id, Task.project_id, Task.wbs, Resource.name, Assignment.id)
    )
    if task_id is not None:
        task = get_task(session, actor, task_id)
        query = query.where(Assignment.task_id == task.id)
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)
        query = query.where(Assignment.program_id == program_id)
    if resource_id is not None:
        get_resource(session, actor, resource_id)
        query = query.where(Assignment.resource_id == resource_id)
        if program_id is None:  # the person's live work: not the what-if copies of scenarios
            query = query.join(Program, Program.id == Assignment.program_id).where(
                Program.scenario_of_id.is_(None)
            )
            visible = visible_program_ids(session, actor)
            if visible is not None:
                query = query.where(Assignment.program_id.in_(visible))
    return query


def list_assignments(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None = None,
    task_id: int | None = None,
    resource_id: int | None = None,
) -> list[AssignmentView]:
    """Assignments of a program, a task, or a resource (in the programs the actor sees)."""
    query = _assignments_query(
        session, actor, program_id=program_id, task_id=task_id, resource_id=resource_id
    )
    return [view(a, t, r) for a, t, r in session.execute(query)]


def page_assignments(
    session: Session,
    actor: Actor,
    *,
    limit: int,
    offset: int,
    program_id: int | None = None,
    task_id: int | None = None,
    resource_id: int | None = None,
) -> tuple[list[AssignmentView], int]:
    """One page of :func:`list_assignments` (read from the database page by page) and
    the total."""
    query = _assignments_query(
        session, actor, program_id=program_id, task_id=task_id, resource_id=resource_id
    )
    rows = session.execute(query.limit(limit).offset(offset))
    return [view(a, t, r) for a, t, r in rows], count_rows(session, query)


def _check_assignable(session: Session, task: Task, resource: Resource, units: float) -> None:
    if task.is_milestone:
        raise Conflict(f"{task.key} is a milestone: it has no work to assign")
    if _is_summary(session, task.id):
        raise Conflict(f"{task.key} is a summary task; assign its subtasks")
    if units > resource.capacity + 1e-9:
        raise field_error(
            "units",
            f"{units:g} is more than {resource.name}'s capacity of {resource.capacity:g}",
        )


def create_assignment(
    session: Session,
    actor: Actor,
    *,
    task_id: int,
    resource_id: int,
    units: float = 1.0,
    work_hours: float | None = None,
    notes: str = "",
) -> Assignment:
    """Put a resource on a task (once per task and resource)."""
    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    resource = get_resource(session, actor, resource_id)
    if not resource.active:
        raise field_error(
            "resource_id",
            f"{resource.name} is inactive, not to be assigned: make the resource active first",
        )
    _check_assignable(session, task, resource, units)
    existing = session.scalar(
        select(Assignment.id).where(
            Assignment.task_id == task.id, Assignment.resource_id == resource.id
        )
    )
    if existing is not None:
        raise Conflict(
            f"{resource.name} is already assigned to {task.key}; change that assignment",
            code="duplicate_assignment",
            details={"assignment_id": existing},
        )
    assignment = Assignment(
        program_id=task.program_id,
        task_id=task.id,
        resource_id=resource.id,
        units=units,
        work_hours=work_hours,
        notes=notes,
    )
    session.add(assignment)
    flush(session)
    record_created(
        session,
        actor,
        assignment,
        program_id=task.program_id,
        fields=ASSIGNMENT_FIELDS,
        label=f"{resource.name} on {task.key}",
    )
    apply_effort(session, actor, task)
    flush(session)
    return assignment


def update_assignment(
    session: Session,
    actor: Actor,
    assignment_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Assignment:
    """Change an assignment's units, work or notes."""
    assignment = get_assignment(session, actor, assignment_id, needed=Role.MANAGER)
    check_version(assignment, expected_version)
    task = session.get(Task, assignment.task_id)
    resource = session.get(Resource, assignment.resource_id)
    assert task is not None and resource is not None
    if "units" in updates:
        _check_assignable(session, task, resource, float(updates["units"]))
    apply_update(
        session,
        actor,
        assignment,
        updates,
        program_id=assignment.program_id,
        expected_version=expected_version,
        label=f"{resource.name} on {task.key}",
    )
    apply_effort(session, actor, task)
    flush(session)
    return assignment


def delete_assignment(
    session: Session, actor: Actor, assignment_id: int, *, expected_version: int | None = None
) -> None:
    assignment = get_assignment(session, actor, assignment_id, needed=Role.MANAGER)
    check_version(assignment, expected_version)
    task = session.get(Task, assignment.task_id)
    resource = session.get(Resource, assignment.resource_id)
    assert task is not None and resource is not None
    record_deleted(
        session,
        actor,
        assignment,
        program_id=assignment.program_id,
        fields=ASSIGNMENT_FIELDS,
        label=f"{resource.name} on {task.key}",
    )
    session.delete(assignment)
    flush(session)
    apply_effort(session, actor, task)
    flush(session)


def effort_duration(rows: list[tuple[float, float | None, float]]) -> int | None:
    """The duration of an effort-driven task from its assignments ``(units, work_hours,
    hours_per_day)``: the total work over the hours all of them put in per day, rounded
    up (``None`` when no assignment gives work)."""
    total = sum(work for _, work, _ in rows if work is not None)
    given = [work for _, work, _ in rows if work is not None]
    per_day = sum(units * hours for units, _, hours in rows)
    if not given or per_day <= 0:
        return None
    return max(1, math.ceil(total / per_day - 1e-9)) if total > 0 else 0


def given_work(session: Session, task_id: int) -> float | None:
    """The work given on the task's assignments, in hours (``None`` when none gives any)."""
    works = [
        w
        for w in session.scalars(select(Assignment.work_hours).where(Assignment.task_id == task_id))
        if w is not None
    ]
    return sum(works) if works else None


def apply_effort(session: Session, actor: Actor, task: Task) -> None:
    """Set an effort-driven task's duration from its assignments' work (audited)."""
    if not task.effort_driven or task.actual_start is not None:
        return
    rows = [
        (units, work, hours)
        for units, work, hours in session.execute(
            select(Assignment.units, Assignment.work_hours, Resource.hours_per_day)
            .join(Resource, Resource.id == Assignment.resource_id)
            .where(Assignment.task_id == task.id)
        )
    ]
    duration = effort_duration(rows)
    if duration is not None and duration > MAX_DURATION:
        raise Conflict(
            f"{task.key}'s work over its assignments' hours per day makes it {duration:,} "
            f"working days, more than the {MAX_DURATION:,} a task may last",
            code="invalid_schedule",
            details={"task": task.key, "duration": duration, "maximum": MAX_DURATION},
        )
    if duration is not None and duration != task.duration:
        apply_update(
            session,
            actor,
            task,
            {"duration": duration},
            program_id=task.program_id,
            expected_version=None,
            label=task.key,
        )


def assigned_to_user(session: Session, task_id: int, user_id: int | None) -> bool:
    """Whether a resource linked to this user account is assigned to the task."""
    if user_id is None:
        return False
    found = session.scalar(
        select(Assignment.id)
        .join(Resource, Resource.id == Assignment.resource_id)
        .where(Assignment.task_id == task_id, Resource.user_id == user_id)
        .limit(1)
    )
    return found is not None
