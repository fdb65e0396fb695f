"""Assignments: a resource's units on a task, its work in hours and its cost.

A task is *duration-driven* by default: its duration is what the plan says and
each assignment's work follows from it (duration x units x the resource's hours
per day). An *effort-driven* task keeps its total work instead, and the work
given on its assignments sets its duration (:mod:`.effort`).

Managers and owners of the task's program assign; everyone who sees the
program reads its assignments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound, field_error
from podium.models import Assignment, Calendar, Program, Resource, Role, Task
from podium.services.actor import Actor, require_role, visible_program_ids
from podium.services.audit import record_created, record_deleted
from podium.services.common import apply_update, check_version, count_rows, flush
from podium.services.resources.catalog import MAX_ID, get_resource
from podium.services.resources.effort import Handover, TaskWork, apply_effort, hand_over
from podium.services.tasks.reading import _is_summary, get_task
from podium.services.tasks.rollup import summary_calendars
from podium.services.work_calendars import calendars_by_id

ASSIGNMENT_FIELDS = ["task_id", "resource_id", "units", "work_hours", "notes"]
MIN_UNITS = 0.01  # 1 % of a working day: less is no booking anyone could plan by
MAX_UNITS = 10_000.0


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


def percent(units: float) -> str:
    """Units as people read them: ``50 %``, ``10,000 %``."""
    return f"{units * 100:,.2f}".rstrip("0").rstrip(".") + " %"


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
    if units < MIN_UNITS - 1e-12:
        raise field_error("units", f"{percent(units)} is less than {percent(MIN_UNITS)} of a day")
    if units > resource.capacity + 1e-9:
        raise field_error(
            "units",
            f"{percent(units)} is more than {resource.name}'s capacity of "
            f"{percent(resource.capacity)}",
        )


def _check_common_days(session: Session, task: Task, resource: Resource) -> None:
    """Refuse (on ``resource_id``) a resource whose calendar leaves the task no working
    weekday: a task is worked on the days its calendar and every one of its resources'
    calendars share."""
    if resource.calendar_id is None:
        return  # the resource works to the task's calendar
    others = set(
        session.scalars(
            select(Resource.calendar_id)
            .join(Assignment, Assignment.resource_id == Resource.id)
            .where(Assignment.task_id == task.id, Resource.calendar_id.is_not(None))
        )
    )
    calendars = calendars_by_id(session, {resource.calendar_id, *others})
    own = summary_calendars(session, [task.id])[task.id]
    if own.intersection(*calendars.values()) is not None:
        return
    name = session.scalar(select(Calendar.name).where(Calendar.id == resource.calendar_id))
    also = " and its other resources' calendars" if others - {resource.calendar_id} else ""
    raise field_error(
        "resource_id",
        f"{resource.name} works to the calendar {name!r}, which has no working weekday in "
        f"common with {task.key}'s calendar{also}: the task could never be worked; give "
        f"{resource.name} or the task another calendar, or assign someone else",
    )


def _check_work(work_hours: float | None) -> None:
    if work_hours is not None and work_hours <= 0:
        raise field_error(
            "work_hours", "must be more than 0 hours (leave it empty when no work is given)"
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
    follow_effort: bool = True,
) -> Assignment:
    """Put a resource on a task (once per task and resource). ``follow_effort=False``
    leaves an effort-driven task's duration for the caller to set once it has written
    all it writes (applying a scenario)."""
    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    resource = get_resource(session, actor, resource_id)
    if not resource.active:
        raise field_error(
            "resource_id",
            f"{resource.name} is inactive, not to be assigned: make the resource active first",
        )
    _check_assignable(session, task, resource, units)
    _check_work(work_hours)
    _check_common_days(session, task, resource)
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
    if follow_effort:
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
    follow_effort: bool = True,
) -> Assignment:
    """Change an assignment's units, work given or notes (an effort-driven task's duration
    follows, unless ``follow_effort=False``: see :func:`create_assignment`)."""
    assignment = get_assignment(session, actor, assignment_id, needed=Role.MANAGER)
    check_version(assignment, expected_version)
    task = session.get(Task, assignment.task_id)
    resource = session.get(Resource, assignment.resource_id)
    assert task is not None and resource is not None
    if "units" in updates:
        _check_assignable(session, task, resource, float(updates["units"]))
    if "work_hours" in updates:
        _check_work(updates["work_hours"])
    apply_update(
        session,
        actor,
        assignment,
        updates,
        program_id=assignment.program_id,
        expected_version=expected_version,
        label=f"{resource.name} on {task.key}",
    )
    if follow_effort:
        apply_effort(session, actor, task)
    flush(session)
    return assignment


def delete_assignment(
    session: Session,
    actor: Actor,
    assignment_id: int,
    *,
    expected_version: int | None = None,
    follow_effort: bool = True,
) -> Handover | None:
    """Take a resource off a task. Work given on it stays with the task: the people still
    on it take it, in proportion to the hours each puts in a day (returned, ``None`` when
    none was given). ``follow_effort=False``: see :func:`create_assignment`."""
    assignment = get_assignment(session, actor, assignment_id, needed=Role.MANAGER)
    check_version(assignment, expected_version)
    task = session.get(Task, assignment.task_id)
    resource = session.get(Resource, assignment.resource_id)
    assert task is not None and resource is not None
    given = assignment.work_hours
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
    handover = hand_over(session, actor, task, given) if given else None
    if follow_effort:
        apply_effort(session, actor, task)
    flush(session)
    return handover


def refuse_if_assigned(session: Session, task: Task, *, becoming: str) -> None:
    """Refuse (409 ``task_assigned``) to make an assigned task a summary or a milestone,
    which take no assignments; the message names them."""
    rows = session.execute(
        select(Assignment.id, Resource.name, Assignment.units)
        .join(Resource, Resource.id == Assignment.resource_id)
        .where(Assignment.task_id == task.id)
        .order_by(Resource.name, Assignment.id)
    ).all()
    if not rows:
        return
    names = ", ".join(f"{name} {percent(units)}" for _, name, units in rows)
    raise Conflict(
        f"{task.key} has assignments ({names}) and {becoming} takes none: take "
        f"{'them' if len(rows) > 1 else 'it'} off {task.key} first",
        code="task_assigned",
        details={
            "task": task.key,
            "assignments": [{"id": i, "resource": name, "units": units} for i, name, units in rows],
        },
    )


def task_work(views: list[AssignmentView], task: Task) -> TaskWork:
    """The work of ``task`` from its assignments (as :func:`list_assignments` reads them)."""
    given = [v.assignment.work_hours for v in views if v.assignment.work_hours is not None]
    total = sum(given)
    return TaskWork(
        effort_driven=task.effort_driven,
        started=task.actual_start is not None,
        given=total if given and total > 0 else None,
        per_day=sum(v.assignment.units * v.resource.hours_per_day for v in views),
        duration=task.duration,
        planned=round(sum(v.work_hours for v in views), 2),
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
