"""A person's work: the tasks assigned to them, across every program they are in.

A team member's question is "what is mine, and what do I report?". The answer
lists every task a resource linked to their account is assigned to, in the
live programs they belong to (not scenario copies, not closed programs), sorted
into what a stand-up asks about:

* ``late`` — not finished, and its scheduled finish is already past;
* ``in_progress`` — started, not finished, on time;
* ``next`` — not started, scheduled to start within :data:`NEXT_DAYS` days
  (including work that should have started and has not been reported);
* ``later`` — not started, further out;
* ``finished`` — finished within the last :data:`FINISHED_DAYS` days.

Each item says whether the person's role lets them report its progress (a
member or above); the rule itself stays in
:func:`podium.services.tasks.update_task`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import Forbidden, NotFound
from podium.models import (
    Assignment,
    Membership,
    Program,
    ProgramStatus,
    Project,
    Resource,
    Role,
    Task,
    User,
)
from podium.services.actor import Actor
from podium.services.date_window import check_plan_date

State = Literal["late", "in_progress", "next", "later", "finished"]
STATES: tuple[State, ...] = ("late", "in_progress", "next", "later", "finished")
STATE_LABELS: dict[State, str] = {
    "late": "Late",
    "in_progress": "In progress",
    "next": "Starting soon",
    "later": "Later",
    "finished": "Finished lately",
}
NEXT_DAYS = 14
FINISHED_DAYS = 14


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One task assigned to the person, with where it is and how it stands."""

    task_id: int
    key: str
    name: str
    version: int
    program_id: int
    program_key: str
    program_name: str
    program_on_hold: bool
    project_id: int
    project_key: str
    project_name: str
    early_start: date | None
    early_finish: date | None
    total_float: int | None
    is_critical: bool
    deadline: date | None
    actual_start: date | None
    actual_finish: date | None
    percent_complete: float
    units: float  # the person's share, summed over their resources (1.0 = full time)
    role: Role
    state: State
    should_have_started: bool  # not started, scheduled to start before today

    @property
    def can_report(self) -> bool:
        """Whether the person's role lets them report progress on it (a viewer's does not)."""
        return self.role.rank >= Role.MEMBER.rank


@dataclass(frozen=True, slots=True)
class Work:
    """A person's tasks on a day, in :data:`STATES` order, soonest finish first."""

    user: User
    on: date
    items: list[WorkItem]

    def in_state(self, state: State) -> list[WorkItem]:
        return [item for item in self.items if item.state == state]

    def counts(self) -> dict[State, int]:
        return {state: len(self.in_state(state)) for state in STATES}


def state_of(
    on: date,
    early_start: date | None,
    early_finish: date | None,
    actual_start: date | None,
    actual_finish: date | None,
) -> State:
    """Where a task stands on day ``on`` (see the module's list)."""
    if actual_finish is not None:
        return "finished"
    if early_finish is not None and early_finish < on:
        return "late"
    if actual_start is not None:
        return "in_progress"
    if early_start is None or early_start <= on + timedelta(days=NEXT_DAYS):
        return "next"
    return "later"


def _person(session: Session, actor: Actor, user_id: int | None) -> User:
    """The person whose work is asked for: oneself, or anyone for an admin."""
    wanted = actor.user_id if user_id is None else user_id
    if wanted is None:
        raise NotFound("the system account has no work of its own")
    if wanted != actor.user_id and not actor.is_admin:
        raise Forbidden("only administrators see another person's work")
    user = session.get(User, wanted)
    if user is None:
        raise NotFound(f"user {wanted} not found")
    return user


def work_of(session: Session, actor: Actor, *, user_id: int | None = None, on: date) -> Work:
    """The tasks assigned to a person (the actor, unless an admin names ``user_id``) on
    day ``on``: everything not finished, and what finished in the last
    :data:`FINISHED_DAYS` days. Two queries, whatever the number of programs."""
    check_plan_date("on", on)
    user = _person(session, actor, user_id)
    shares = (
        select(Assignment.task_id, func.sum(Assignment.units).label("units"))
        .join(Resource, Resource.id == Assignment.resource_id)
        .where(Resource.user_id == user.id)
        .group_by(Assignment.task_id)
        .subquery()
    )
    query = (
        select(Task, Project.key, Project.name, Program.key, Program.name, Program.status,
               shares.c.units)
        .join(shares, shares.c.task_id == Task.id)
        .join(Project, Project.id == Task.project_id)
        .join(Program, Program.id == Task.program_id)
        .where(
            Program.scenario_of_id.is_(None),
            Program.status != ProgramStatus.CLOSED,
            (Task.actual_finish.is_(None))
            | (Task.actual_finish >= on - timedelta(days=FINISHED_DAYS)),
        )
    )  # fmt: skip
    roles: dict[int, Role] = {
        program_id: role
        for program_id, role in session.execute(
            select(Membership.program_id, Membership.role).where(Membership.user_id == user.id)
        )
    }
    if not user.is_admin:  # an admin is an owner everywhere; others, where they are members
        query = query.where(Task.program_id.in_(list(roles)))
    items = []
    for (
        task,
        project_key,
        project_name,
        program_key,
        program_name,
        status,
        units,
    ) in session.execute(query):
        state = state_of(
            on, task.early_start, task.early_finish, task.actual_start, task.actual_finish
        )
        items.append(
            WorkItem(
                task_id=task.id,
                key=task.key,
                name=task.name,
                version=task.version,
                program_id=task.program_id,
                program_key=program_key,
                program_name=program_name,
                program_on_hold=status == ProgramStatus.ON_HOLD,
                project_id=task.project_id,
                project_key=project_key,
                project_name=project_name,
                early_start=task.early_start,
                early_finish=task.early_finish,
                total_float=task.total_float,
                is_critical=bool(task.is_critical),
                deadline=task.deadline,
                actual_start=task.actual_start,
                actual_finish=task.actual_finish,
                percent_complete=float(task.percent_complete or 0),
                units=float(units or 0),
                role=Role.OWNER if user.is_admin else roles[task.program_id],
                state=state,
                should_have_started=(
                    task.actual_start is None
                    and task.early_start is not None
                    and task.early_start < on
                ),
            )
        )
    order = {state: i for i, state in enumerate(STATES)}
    items.sort(key=lambda i: (order[i.state], i.early_finish or date.max, i.program_key, i.key))
    return Work(user=user, on=on, items=items)
