"""Effort-driven tasks: the work given for a task, and the duration it sets.

An *effort-driven* task keeps its total work: the work given on its assignments
is the task's, shared among all of them, so adding a person shortens the task
(duration = total work / the hours all its resources put in per day, rounded up
to whole working days). The planned work is then the whole days x those hours,
a little more than the work given when the days round up.

Work given belongs to the task: taking someone off it passes their given work to
the people still on it (in proportion to the hours each puts in a day), so the
task keeps its total. Work given on a duration-driven task is kept for when the
task becomes effort-driven; meanwhile its duration drives the work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.network import MAX_DURATION
from podium.errors import Conflict
from podium.models import Assignment, Program, ProgramStatus, Resource, Task
from podium.services.actor import Actor
from podium.services.common import apply_update


def hours(value: float) -> str:
    """Hours as people read them: ``80 h``, ``6.67 h``, ``1,200 h``."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") + " h"


@dataclass(frozen=True, slots=True)
class Handover:
    """The work given on an assignment taken off its task, and who holds it now: the
    people still on the task, each with their share (none left: it went with it)."""

    hours: float
    shares: list[tuple[Resource, float]]

    def sentence(self, task_key: str) -> str:
        """Where the work went, as people say it."""
        given = f"The {hours(self.hours)} of work given on it"
        if not self.shares:
            return f"{given} went with it: nobody else is on {task_key}."
        shares = ", ".join(f"{r.name} {hours(h)}" for r, h in self.shares)
        return f"{given} stays with {task_key}: {shares}."


def hand_over(session: Session, actor: Actor, task: Task, given: float) -> Handover:
    """Share ``given`` hours among the task's assignments by the hours each puts in a day
    (to the hundredth of an hour; the last takes what rounding leaves, so none is lost)."""
    rows = list(
        session.execute(
            select(Assignment, Resource)
            .join(Resource, Resource.id == Assignment.resource_id)
            .where(Assignment.task_id == task.id)
            .order_by(Assignment.id)
        )
    )
    per_day = sum(a.units * r.hours_per_day for a, r in rows)
    shares: list[tuple[Resource, float]] = []
    left = given
    for k, (assignment, resource) in enumerate(rows):
        last = k == len(rows) - 1
        share = round(
            left if last else given * assignment.units * resource.hours_per_day / per_day, 2
        )
        left -= share
        shares.append((resource, share))
        apply_update(
            session,
            actor,
            assignment,
            {"work_hours": round((assignment.work_hours or 0) + share, 2)},
            program_id=assignment.program_id,
            expected_version=None,
            label=f"{resource.name} on {task.key}",
        )
    return Handover(given, shares)


def effort_duration(rows: list[tuple[float, float | None, float]]) -> int | None:
    """The duration of an effort-driven task from its assignments ``(units, work_hours,
    hours_per_day)``: the total work over the hours all of them put in per day, rounded
    up (``None`` when no assignment gives work)."""
    total = sum(work for _, work, _ in rows if work is not None)
    per_day = sum(units * hours for units, _, hours in rows)
    if total <= 0 or per_day <= 0:
        return None
    return max(1, math.ceil(total / per_day - 1e-9))


def given_work(session: Session, task_id: int) -> float | None:
    """The work given for the task, in hours: the sum over its assignments (``None`` when
    none gives any)."""
    works = [
        w
        for w in session.scalars(select(Assignment.work_hours).where(Assignment.task_id == task_id))
        if w is not None
    ]
    return sum(works) if works and sum(works) > 0 else None


def effort_days(session: Session, task: Task) -> int | None:
    """The working days the work given for the task takes with its assignments (``None``
    when no work is given); more than a task may last is a conflict."""
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
    return duration


def apply_effort(session: Session, actor: Actor, task: Task) -> None:
    """Set an effort-driven task's duration from the work given for it (audited); a task
    that has started keeps its own."""
    if not task.effort_driven or task.actual_start is not None:
        return
    duration = effort_days(session, task)
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


def apply_effort_of_resource(session: Session, actor: Actor, resource_id: int) -> None:
    """Set again the duration of every effort-driven task the resource works on (its
    hours per day changed: the same work takes more or fewer days); a closed program's
    plan stays as it was closed."""
    assigned = select(Assignment.task_id).where(Assignment.resource_id == resource_id)
    for task in session.scalars(
        select(Task)
        .join(Program, Program.id == Task.program_id)
        .where(
            Task.id.in_(assigned),
            Task.effort_driven.is_(True),
            Program.status != ProgramStatus.CLOSED,
        )
        .order_by(Task.id)
    ):
        apply_effort(session, actor, task)


@dataclass(frozen=True, slots=True)
class TaskWork:
    """A task's work as its assignments make it: the work given for it (``None``: none),
    the hours all its people put in a working day, the whole working days it lasts and
    the work planned over them."""

    effort_driven: bool
    started: bool
    given: float | None
    per_day: float
    duration: int
    planned: float

    @property
    def drives(self) -> bool:
        """Whether the work given sets the duration (effort-driven and not started)."""
        return self.effort_driven and not self.started and self.given is not None

    def summary(self) -> str | None:
        """What was given for the task and what is planned, in a sentence (``None`` when
        nothing was given on a duration-driven task: the rows say it all)."""
        planned = f"{hours(self.planned)} planned"
        days = f"{self.duration:,} working day{'' if self.duration == 1 else 's'}"
        if self.given is None:
            if self.effort_driven and self.per_day > 0:
                return (
                    f"No work is given yet, so its duration ({days}) sets the work: {planned}. "
                    "Work given on an assignment would set the duration."
                )
            return None
        given = f"{hours(self.given)} of work given for the task"
        if not self.effort_driven:
            return (
                f"{given} is kept for when it becomes effort-driven; its duration ({days}) "
                f"drives the work now: {planned}."
            )
        if self.started:
            return f"{given}; it has started, so its duration ({days}) is its own now: {planned}."
        exact = self.given / self.per_day
        takes = f"{given}: at {hours(self.per_day)} a day that takes"
        if abs(exact - round(exact)) < 1e-9:
            return f"{takes} {days}, so {planned}."
        return f"{takes} {exact:,.2f} days, rounded up to {days}, so {planned}."
