"""Read-only views for the task page: the task, where it sits, and its dependencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from podium.errors import field_error
from podium.models import Calendar, Dependency, Milestone, Program, Project, Role, Task
from podium.services.actor import Actor, require_role
from podium.services.dependencies import DependencyView, End, EndRef, describe_dependencies
from podium.services.resources.assignments import assigned_to_user
from podium.services.tasks import PROGRESS_FIELDS, get_task
from podium.services.tasks.rollup import RolledUp, rolled_up, shown_values

CHOICES_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency seen from one task: the other end, and that end's scheduled dates."""

    view: DependencyView
    other: End
    other_start: date | None
    other_finish: date | None
    other_critical: bool


@dataclass(frozen=True)
class TaskPage:
    """Everything the task page shows, as one actor sees it."""

    task: Task
    project: Project
    program: Program
    role: Role
    is_summary: bool
    parent: Task | None
    predecessors: list[Link]
    successors: list[Link]
    calendars: list[tuple[int, str]]
    choices: list[tuple[str, str, str]]  # key, name, project key ("" for milestones)
    rolled: RolledUp | None = None  # a summary's duration, progress and costs
    assigned: bool = False  # to the person reading it (through a resource of theirs)

    @property
    def shown(self) -> Mapping[str, Any]:
        """The duration, progress and costs shown: a summary's rolled up from its sub-tasks."""
        return shown_values(self.task, self.rolled)

    @property
    def can_edit(self) -> bool:
        """Managers (and owners) change every field and the dependencies."""
        return self.role.rank >= Role.MANAGER.rank

    @property
    def can_report_progress(self) -> bool:
        """Members change the progress fields of the tasks assigned to them; viewers nothing."""
        return self.can_edit or (self.role.rank >= Role.MEMBER.rank and self.assigned)

    @property
    def editable_fields(self) -> frozenset[str]:
        if self.can_edit:
            return frozenset(EDITABLE_ON_PAGE)
        return PROGRESS_FIELDS if self.can_report_progress else frozenset()


EDITABLE_ON_PAGE = (
    "key",
    "name",
    "description",
    "duration",
    "is_milestone",
    "constraint_type",
    "constraint_date",
    "deadline",
    "calendar_id",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "estimate_optimistic",
    "estimate_most_likely",
    "estimate_pessimistic",
    "budget",
    "actual_cost",
)


def _end_dates(
    session: Session, views: list[DependencyView]
) -> dict[tuple[str, int], tuple[date | None, date | None, bool]]:
    """Early start, early finish and criticality of every end (two queries)."""
    task_ids = {e.id for v in views for e in (v.predecessor, v.successor) if e.type == "task"}
    milestone_ids = {
        e.id for v in views for e in (v.predecessor, v.successor) if e.type == "milestone"
    }
    found: dict[tuple[str, int], tuple[date | None, date | None, bool]] = {}
    if task_ids:
        for row in session.execute(
            select(Task.id, Task.early_start, Task.early_finish, Task.is_critical).where(
                Task.id.in_(task_ids)
            )
        ):
            found[("task", row.id)] = (row.early_start, row.early_finish, bool(row.is_critical))
    if milestone_ids:
        for row in session.execute(
            select(
                Milestone.id, Milestone.early_start, Milestone.early_finish, Milestone.is_critical
            ).where(Milestone.id.in_(milestone_ids))
        ):
            found[("milestone", row.id)] = (
                row.early_start,
                row.early_finish,
                bool(row.is_critical),
            )
    return found


def _links(session: Session, task_id: int) -> tuple[list[Link], list[Link]]:
    dependencies = session.scalars(
        select(Dependency)
        .where(
            or_(Dependency.predecessor_task_id == task_id, Dependency.successor_task_id == task_id)
        )
        .order_by(Dependency.id)
    )
    views = describe_dependencies(session, dependencies)
    dates = _end_dates(session, views)
    before: list[Link] = []
    after: list[Link] = []
    for view in views:
        is_pred = view.dependency.successor_task_id == task_id
        other = view.predecessor if is_pred else view.successor
        start, finish, critical = dates.get((other.type, other.id), (None, None, False))
        link = Link(view, other, start, finish, critical)
        (before if is_pred else after).append(link)
    key = lambda link: (link.other_finish or date.max, link.view.dependency.id)  # noqa: E731
    return sorted(before, key=key), sorted(after, key=key)


def _choices(session: Session, task: Task) -> list[tuple[str, str, str]]:
    """Keys offered when linking: the program's milestones and this project's tasks."""
    milestones = session.execute(
        select(Milestone.key, Milestone.name)
        .where(Milestone.program_id == task.program_id)
        .order_by(Milestone.key)
    )
    tasks = session.execute(
        select(Task.key, Task.name, Project.key)
        .join(Project, Project.id == Task.project_id)
        .where(Task.project_id == task.project_id, Task.id != task.id)
        .order_by(Task.id)
        .limit(CHOICES_LIMIT)
    )
    return [(k, n, p) for k, n, p in tasks] + [(k, n, "") for k, n in milestones]


def task_page(session: Session, actor: Actor, task_id: int) -> TaskPage:
    """The task with its project, program, the actor's role and its dependencies."""
    task = get_task(session, actor, task_id)
    role = require_role(session, actor, task.program_id, Role.VIEWER)
    project = session.get(Project, task.project_id)
    program = session.get(Program, task.program_id)
    assert project is not None and program is not None
    is_summary = (
        session.scalar(select(Task.id).where(Task.parent_id == task.id).limit(1)) is not None
    )
    predecessors, successors = _links(session, task.id)
    calendars = [(i, n) for i, n in session.execute(select(Calendar.id, Calendar.name))]
    return TaskPage(
        task=task,
        project=project,
        program=program,
        role=role,
        is_summary=is_summary,
        parent=session.get(Task, task.parent_id) if task.parent_id else None,
        predecessors=predecessors,
        successors=successors,
        calendars=sorted(calendars, key=lambda c: c[1].lower()),
        choices=_choices(session, task) if role.rank >= Role.MANAGER.rank else [],
        rolled=rolled_up(session, [task]).get(task.id) if is_summary else None,
        assigned=role.rank == Role.MEMBER.rank
        and program.scenario_of_id is None  # a what-if copy: the managers' draft
        and assigned_to_user(session, task.id, actor.user_id),
    )


def find_activity(session: Session, program_id: int, key: str, *, field: str) -> EndRef:
    """The task or program milestone with ``key`` in the program (keys are unique across both)."""
    key = key.strip()
    if not key:
        raise field_error(field, "enter the key of a task or milestone, like PLAT-3 or M1")
    # the key as typed; else, in any case, when just one record has it ("plat-3")
    for task_key, milestone_key in (
        (Task.key == key, Milestone.key == key),
        (func.lower(Task.key) == key.lower(), func.lower(Milestone.key) == key.lower()),
    ):
        found = [
            EndRef("task", i)
            for i in session.scalars(
                select(Task.id).where(Task.program_id == program_id, task_key).limit(2)
            )
        ] + [
            EndRef("milestone", i)
            for i in session.scalars(
                select(Milestone.id)
                .where(Milestone.program_id == program_id, milestone_key)
                .limit(2)
            )
        ]
        if len(found) == 1:
            return found[0]
        if found:
            break
    raise field_error(field, f"no task or milestone {key} in this program")
