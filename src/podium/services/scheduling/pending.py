"""Which programs need rescheduling before the unit of work commits.

A ``before_flush`` listener notices every change to a schedule input (a
task's duration or progress, a dependency, a milestone, a program's start or
calendar, a calendar's working days…) and marks the program; the unit of work
calls :func:`reschedule_pending` before it commits, so the stored schedule
never disagrees with its inputs. Services that change inputs with bulk SQL
(bypassing the ORM) call :func:`mark_program` themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import (
    Assignment,
    Calendar,
    Dependency,
    Milestone,
    Program,
    ProgramStatus,
    Project,
    Resource,
    Task,
)

PENDING = "podium.reschedule"
PENDING_CALENDARS = "podium.reschedule_calendars"
# set when what the over-allocation alerts read changed beyond the tasks' dates
# (assignments, resources, calendars, a status date): their next pass is a full one
RESOURCE_INPUTS_CHANGED = "podium.resource_inputs_changed"
ACTOR_EMAIL = "podium.actor_email"

TASK_INPUTS = (
    "duration",
    "is_milestone",
    "calendar_id",
    "constraint_type",
    "constraint_date",
    "deadline",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "parent_id",
    "project_id",
    "leveled_start",
)
_TAKEN = "podium.plans_taken"  # (the transaction, the programs whose plan it has taken)
# what a remembered network carries besides the schedule (cache.py): a change of these
# reschedules nothing, but gives the stored schedule a new token so no process reads a
# task, milestone or project by its old key or name
LABELS = ("key", "name")
PROGRAM_INPUTS = ("start_date", "calendar_id", "status_date")
PROJECT_INPUTS = ("start_date", "calendar_id")
MILESTONE_INPUTS = ("target_date",)
# what the schedule and the load read of an assignment: its notes and the work given
# change neither (an effort-driven task's new duration is a change of the task)
ASSIGNMENT_INPUTS = ("program_id", "task_id", "resource_id", "units")
CALENDAR_INPUTS = ("weekmask", "holidays", "extra_workdays")


def mark_program(session: Session, program_id: int) -> None:
    """Reschedule this program before the unit of work commits."""
    session.info.setdefault(PENDING, set()).add(program_id)


def mark_resource_inputs(session: Session) -> None:
    """Recompute every over-allocation at the next reschedule (not only the moved tasks')."""
    session.info[RESOURCE_INPUTS_CHANGED] = True


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _mark_schedule_inputs(session: Session, _context: Any, _instances: Any) -> None:
    marked: set[int] = set()
    # a program whose task or milestone rows this flush writes, rescheduled or not: an
    # apply or a reschedule of it writes those rows after taking its plan, so this
    # transaction must take the plan before it holds any of them
    written: set[int] = set()
    relabeled: set[int] = set()

    def mark(program_id: int) -> None:
        mark_program(session, program_id)
        marked.add(program_id)

    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Assignment | Resource) or (
            isinstance(obj, Task | Project) and obj in session.deleted
        ):
            mark_resource_inputs(session)  # (deleting a task deletes its assignments)
        if (
            isinstance(obj, Task | Milestone | Dependency | Assignment)
            and obj.program_id is not None
        ) or (isinstance(obj, Project) and obj.program_id is not None and obj in session.deleted):
            mark(obj.program_id)
    for obj in session.dirty:
        if isinstance(obj, Task | Milestone) and obj.program_id is not None:
            written.add(obj.program_id)
        if isinstance(obj, Task | Milestone | Project) and _changed(obj, LABELS):
            relabeled.add(obj.program_id)
        if isinstance(obj, Task):
            if _changed(obj, TASK_INPUTS):
                mark(obj.program_id)
        elif isinstance(obj, Dependency):
            mark(obj.program_id)
        elif isinstance(obj, Assignment):
            if _changed(obj, ASSIGNMENT_INPUTS):
                mark(obj.program_id)
                mark_resource_inputs(session)
        elif isinstance(obj, Resource):
            mark_resource_inputs(session)
        elif isinstance(obj, Milestone):
            if _changed(obj, MILESTONE_INPUTS):
                mark(obj.program_id)
        elif isinstance(obj, Program):
            if _changed(obj, PROGRAM_INPUTS):
                mark(obj.id)
                mark_resource_inputs(session)
        elif isinstance(obj, Project):
            if _changed(obj, PROJECT_INPUTS):
                mark(obj.program_id)
        elif isinstance(obj, Calendar) and _changed(obj, CALENDAR_INPUTS):
            session.info.setdefault(PENDING_CALENDARS, set()).add(obj.id)
            mark_resource_inputs(session)
    _take_plans(session, marked | written | relabeled)
    if relabeled - marked:
        from podium.services.scheduling.cache import new_token  # (cache reads the network)

        for program_id in sorted(relabeled - marked):
            new_token(session, program_id)


def _take_plans(session: Session, program_ids: set[int]) -> None:
    """Take the plan of each program this transaction will reschedule before its rows
    are written: every writer then takes a program's plan first and its tasks after (an
    apply of leveling does too), so two of them wait for each other instead of each
    holding a row the other needs (a deadlock on PostgreSQL)."""
    transaction = session.get_transaction()
    held: tuple[Any, set[int]] | None = session.info.get(_TAKEN)
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info[_TAKEN] = held
    taken = held[1]
    for program_id in sorted(program_ids - taken):
        lock_plan(session, program_id)
        taken.add(program_id)


def programs_using_calendars(session: Session, calendar_ids: set[int]) -> set[int]:
    """The programs a change to these calendars reschedules: on them, or with a project,
    a task or an assigned resource on them."""
    ids = set(session.scalars(select(Program.id).where(Program.calendar_id.in_(calendar_ids))))
    ids |= set(
        session.scalars(select(Project.program_id).where(Project.calendar_id.in_(calendar_ids)))
    )
    ids |= set(
        session.scalars(
            select(Task.program_id).where(or_(Task.calendar_id.in_(calendar_ids))).distinct()
        )
    )
    ids |= set(
        session.scalars(
            select(Assignment.program_id)
            .join(Resource, Resource.id == Assignment.resource_id)
            .where(Resource.calendar_id.in_(calendar_ids))
            .distinct()
        )
    )
    return ids


def lock_plan(session: Session, program_id: int) -> None:
    """Take the program's plan for the rest of the transaction: a write to its row that
    changes nothing, which waits for any other transaction holding it (a row lock on
    PostgreSQL, the database's write lock on SQLite). What is read after it includes
    everything committed before, and no other apply, clear or reschedule of the program
    commits until this transaction ends: a check made after it and the writes that
    follow are one step."""
    table = Program.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == program_id)
        .values(schedule_token=table.c.schedule_token, updated_at=table.c.updated_at)
    )


def reschedule_pending(session: Session) -> list[int]:
    """Reschedule every marked program that still exists and is not closed; returns
    their ids.

    A closed program's schedule stays as it was closed, even when a shared calendar or
    person changes; but such a change must still leave its plan schedulable, or the
    program could not be reopened: it is refused (409 ``invalid_schedule``) otherwise.
    """
    from podium.services.scheduling.reschedule import reschedule_program

    session.flush()
    programs: set[int] = session.info.pop(PENDING, set())
    calendars: set[int] = session.info.pop(PENDING_CALENDARS, set())
    if calendars:
        programs |= programs_using_calendars(session, calendars)
    found = (
        session.execute(
            select(Program.id, Program.key, Program.status)
            .where(Program.id.in_(programs))
            .order_by(Program.key)
        ).all()
        if programs
        else []
    )
    _check_closed_still_schedulable(
        session, [(i, key) for i, key, status in found if status == ProgramStatus.CLOSED]
    )
    existing = {i for i, _key, status in found if status != ProgramStatus.CLOSED}
    full = bool(session.info.pop(RESOURCE_INPUTS_CHANGED, False))
    for program_id in sorted(existing):
        reschedule_program(
            session,
            program_id,
            triggered_by=session.info.get(ACTOR_EMAIL, ""),
            resources_changed=full,
        )
    session.flush()
    # rescheduling writes only derived columns, through SQL: nothing new is pending
    session.info.pop(PENDING, None)
    return sorted(existing)


def _check_closed_still_schedulable(session: Session, closed: list[tuple[int, str]]) -> None:
    """Schedule each of these closed programs (id, key) without storing anything, and
    refuse the change (409 ``invalid_schedule``) if one no longer can be."""
    from podium.services.scheduling.network import load_network
    from podium.services.scheduling.reschedule import run_engine

    for program_id, key in closed:
        try:
            run_engine(load_network(session, program_id, with_current=False))
        except Conflict as exc:
            why = exc.message.removeprefix("the plan cannot be scheduled: ")
            raise Conflict(
                f"{key} is closed, and after this change its plan could not be scheduled, "
                f"so it could not be reopened: {why}",
                code=exc.code,
                details={"program": key, "problems": (exc.details or {}).get("problems", [])},
            ) from exc
