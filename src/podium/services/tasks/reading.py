"""Reading tasks: one task, or a filtered, WBS-ordered page of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, literal, or_, select
from sqlalchemy.orm import Session, aliased

from podium.errors import (
    NotFound,
)
from podium.models import (
    Project,
    Role,
    Task,
)
from podium.services.actor import Actor, visible_program_ids
from podium.services.projects import get_project, require_visible
from podium.services.tasks.fields import TaskView
from podium.services.tasks.rollup import rolled_up

# Aliases are built once: making one costs more than the query it serves.
_CHILD = aliased(Task)

# --- reading -----------------------------------------------------------------


def _load(session: Session, actor: Actor, task_id: int, needed: Role) -> tuple[Task, Role]:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    role = require_visible(session, actor, task.program_id, needed, what=f"task {task_id}")
    return task, role


def get_task(session: Session, actor: Actor, task_id: int, *, needed: Role = Role.VIEWER) -> Task:
    """A task the actor may act on with at least ``needed``."""
    return _load(session, actor, task_id, needed)[0]


def _has_children(task_id: Any) -> Any:
    child = _CHILD
    return exists().where(child.parent_id == task_id)


def _is_summary(session: Session, task_id: int) -> bool:
    return bool(session.scalar(select(_has_children(literal(task_id)))))


def describe(session: Session, task: Task) -> TaskView:
    """The task with its project key and summary flag (two small queries), and for a
    summary its rolled-up values (three more)."""
    project_key = session.scalar(select(Project.key).where(Project.id == task.project_id))
    is_summary = _is_summary(session, task.id)
    return TaskView(
        task=task,
        project_key=project_key or "",
        is_summary=is_summary,
        rolled=rolled_up(session, [task]).get(task.id) if is_summary else None,
    )


def _wbs_order(wbs: str) -> tuple[int, ...]:
    return tuple(int(part) for part in wbs.split(".") if part.isdecimal())


def list_tasks(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None = None,
    project_id: int | None = None,
    parent_id: int | None = None,
    q: str | None = None,
    milestones_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    roll_up: bool = True,
) -> tuple[list[TaskView], int]:
    """One page of visible tasks in project order, then WBS order, and the total.

    Two queries whatever the number of tasks: the sort keys of every match
    (WBS codes do not sort as text: ``1.10`` comes after ``1.9``), then the page; three
    more when the page holds summaries, for their rolled-up values (``roll_up=False``: left
    out, for callers that read only keys and dates).
    """
    keys = select(Task.id, Task.program_id, Project.position, Project.id, Task.wbs).join(
        Project, Project.id == Task.project_id
    )
    if program_id is not None:
        require_visible(session, actor, program_id, Role.VIEWER, what=f"program {program_id}")
        keys = keys.where(Task.program_id == program_id)
    else:
        visible = visible_program_ids(session, actor)
        if visible is not None:
            keys = keys.where(Task.program_id.in_(visible))
    if project_id is not None:
        get_project(session, actor, project_id)
        keys = keys.where(Task.project_id == project_id)
    if parent_id is not None:
        keys = keys.where(Task.parent_id == parent_id)
    if milestones_only:
        keys = keys.where(Task.is_milestone.is_(True))
    if q:
        keys = keys.where(
            or_(Task.name.icontains(q, autoescape=True), Task.key.icontains(q, autoescape=True))
        )
    ordered = sorted(session.execute(keys), key=lambda r: (r[1], r[2], r[3], _wbs_order(r[4])))
    page_ids = [r[0] for r in ordered[offset : offset + limit]]
    if not page_ids:
        return [], len(ordered)
    rows = session.execute(
        select(Task, Project.key, _has_children(Task.id))
        .join(Project, Project.id == Task.project_id)
        .where(Task.id.in_(page_ids))
    )
    found = [(t, k, bool(s)) for t, k, s in rows]
    rolled = rolled_up(session, [t for t, _k, summary in found if summary and roll_up])
    views = {
        t.id: TaskView(task=t, project_key=k, is_summary=s, rolled=rolled.get(t.id))
        for t, k, s in found
    }
    return [views[i] for i in page_ids if i in views], len(ordered)
