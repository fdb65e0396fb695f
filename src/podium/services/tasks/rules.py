"""Rules a task must keep, and the keys it is given."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from podium.errors import (
    Conflict,
    ValidationFailed,
    field_error,
)
from podium.models import (
    ConstraintType,
    Dependency,
    DependencyType,
    Milestone,
    Project,
    Task,
)
from podium.services.tasks.fields import NEW
from podium.services.tasks.tree import Row, _children, _descendants

# Aliases are built once: making one costs more than the query it serves.
_PRED_TASK = aliased(Task)
_PRED_MILESTONE = aliased(Milestone)
_ENDS_TASK = aliased(Task)
_OTHER_TASK = aliased(Task)

# --- rules -------------------------------------------------------------------


def _check_rules(state: Mapping[str, Any]) -> None:
    """Refuse a task whose fields contradict each other (every problem at once)."""
    problems: list[tuple[str, str]] = []
    if state["is_milestone"] and state["duration"] != 0:
        problems.append(("duration", "a milestone has duration 0"))
    constraint = ConstraintType(state["constraint_type"])
    if constraint != ConstraintType.ASAP and state["constraint_date"] is None:
        problems.append(("constraint_date", f"is required for constraint {constraint.value}"))
    if constraint == ConstraintType.ASAP and state["constraint_date"] is not None:
        problems.append(("constraint_date", "must be empty when constraint_type is asap"))
    start, finish, percent = (
        state["actual_start"],
        state["actual_finish"],
        state["percent_complete"],
    )
    if finish is not None and start is None:
        problems.append(("actual_start", "is required when actual_finish is set"))
    if finish is not None and start is not None and finish < start:
        problems.append(("actual_finish", "cannot be before actual_start"))
    if finish is not None and percent != 100:
        problems.append(("percent_complete", "must be 100 when actual_finish is set"))
    if finish is None and percent == 100:
        problems.append(("actual_finish", "is required when percent_complete is 100"))
    if start is None and percent and state["duration"] != 0 and finish is None:
        problems.append(("actual_start", "is required when percent_complete is above 0"))
    estimate = [state[f"estimate_{p}"] for p in ("optimistic", "most_likely", "pessimistic")]
    if any(v is not None for v in estimate):
        if any(v is None for v in estimate):
            problems.append(("estimate", "needs optimistic, most_likely and pessimistic"))
        elif not estimate[0] <= estimate[1] <= estimate[2]:
            problems.append(("estimate", "needs optimistic ≤ most_likely ≤ pessimistic"))
        elif estimate[2] < 1 and state["duration"] != 0:
            # a draw is at least one working day: (0, 0, 0) would forecast a 10-day task as 1
            problems.append(("estimate", "a task that takes time needs a pessimistic of 1 or more"))
    if problems:
        raise ValidationFailed(
            "; ".join(f"{f}: {m}" for f, m in problems),
            details=[{"field": f, "message": m} for f, m in problems],
        )


def _implied(updates: Mapping[str, Any]) -> dict[str, Any]:
    """The updates plus what they imply when the caller did not say otherwise."""
    implied = dict(updates)
    if implied.get("is_milestone") and "duration" not in implied:
        implied["duration"] = 0
    if implied.get("constraint_type") == ConstraintType.ASAP and "constraint_date" not in implied:
        implied["constraint_date"] = None
    if implied.get("actual_finish") is not None and "percent_complete" not in implied:
        implied["percent_complete"] = 100.0
    return implied


def _check_key_free(
    session: Session, program_id: int, key: str, *, except_id: int | None = None
) -> None:
    """Task keys are unique in a program ignoring case (``data-3`` finds ``DATA-3``)."""
    taken = session.scalar(
        select(Task.key).where(
            Task.program_id == program_id,
            func.lower(Task.key) == key.lower(),
            Task.id != except_id,
        )
    )
    if taken is not None:
        raise Conflict(
            f"this program already has a task with key {taken}", details={"field": "key"}
        )
    # tasks and program milestones share one namespace in plans and messages
    milestone = session.scalar(
        select(Milestone.key).where(
            Milestone.program_id == program_id, func.lower(Milestone.key) == key.lower()
        )
    )
    if milestone is not None:
        raise Conflict(
            f"this program already has a milestone with key {milestone}", details={"field": "key"}
        )


def _check_parent(session: Session, project_id: int, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(Task, parent_id)
    if parent is None or parent.project_id != project_id:
        raise field_error("parent_id", f"task {parent_id} is not a task of this project")
    if parent.is_milestone:
        raise field_error(
            "parent_id", f"task {parent.key} is a milestone and cannot have sub-tasks"
        )


# --- what a summary task can keep ------------------------------------------------------

# the constraints a summary keeps (its start no earlier than holds its sub-tasks, its finish
# no later than caps their roll-up); the others pin one task's own dates
SUMMARY_CONSTRAINTS = frozenset({ConstraintType.ASAP, ConstraintType.SNET, ConstraintType.FNLT})
CONSTRAINT_WORDS = {
    ConstraintType.MSO: "must start on",
    ConstraintType.MFO: "must finish on",
    ConstraintType.SNLT: "start no later than",
    ConstraintType.FNET: "finish no earlier than",
}
SUMMARY_LINK_TYPES = frozenset({DependencyType.FS, DependencyType.SS})  # links into a summary
LINK_WORDS = {DependencyType.FF: "finish-to-finish", DependencyType.SF: "start-to-finish"}


def _check_summary_constraint(key: str, constraint: ConstraintType) -> None:
    """Refuse (on ``constraint_type``) a constraint a summary task cannot keep."""
    constraint = ConstraintType(constraint)
    if constraint in SUMMARY_CONSTRAINTS:
        return
    raise field_error(
        "constraint_type",
        f"task {key} has sub-tasks, and a summary task cannot keep a "
        f'"{CONSTRAINT_WORDS[constraint]}" constraint (only start no earlier than or finish no '
        "later than); put it on its sub-tasks instead",
    )


def _check_summary_parent(
    session: Session, parent_id: int | None, *, rows: Collection[Row] = (), moving: int = NEW
) -> None:
    """Refuse (on ``parent_id``) a parent that could not be a summary task over the task
    ``moving`` under it (``NEW``: one being created; ``rows``: its project's tree): the
    parent's own constraint, a link into it that must end on its finish, or a link between
    the task (or one of its sub-tasks) and the parent or a task above it."""
    parent = session.get(Task, parent_id) if parent_id is not None else None
    if parent is None:
        return
    constraint = ConstraintType(parent.constraint_type)
    if constraint not in SUMMARY_CONSTRAINTS:
        raise field_error(
            "parent_id",
            f'task {parent.key} has a "{CONSTRAINT_WORDS[constraint]}" constraint, which a '
            "summary task cannot keep: remove it (or give it to the sub-tasks) before "
            f"putting tasks under {parent.key}",
        )
    pred_task, pred_milestone = _PRED_TASK, _PRED_MILESTONE
    into = session.execute(
        select(Dependency.type, func.coalesce(pred_task.key, pred_milestone.key))
        .outerjoin(pred_task, pred_task.id == Dependency.predecessor_task_id)
        .outerjoin(pred_milestone, pred_milestone.id == Dependency.predecessor_milestone_id)
        .where(
            Dependency.successor_task_id == parent.id,
            Dependency.type.not_in(list(SUMMARY_LINK_TYPES)),
        )
        .order_by(Dependency.id)
        .limit(1)
    ).first()
    if into is not None:
        kind, pred = into
        raise field_error(
            "parent_id",
            f"{pred} → {parent.key} is a {LINK_WORDS[DependencyType(kind)]} link, and a "
            "summary task can only follow its predecessors finish-to-start or "
            f"start-to-start: change that link before putting tasks under {parent.key}",
        )
    if moving == NEW:
        return
    up = {task_id: above_it for task_id, above_it, _position, _wbs in rows}
    above = [parent.id]
    while (step := up.get(above[-1])) is not None and step not in above:
        above.append(step)
    below = _descendants(_children(rows), moving)
    ends_task, other_task = _ENDS_TASK, _OTHER_TASK
    linked = session.execute(
        select(ends_task.key, other_task.key)
        .select_from(Dependency)
        .join(ends_task, ends_task.id == Dependency.predecessor_task_id)
        .join(other_task, other_task.id == Dependency.successor_task_id)
        .where(
            or_(
                and_(ends_task.id.in_(above), other_task.id.in_(below)),
                and_(ends_task.id.in_(below), other_task.id.in_(above)),
            )
        )
        .order_by(Dependency.id)
        .limit(1)
    ).first()
    if linked is not None:
        raise field_error(
            "parent_id",
            f"{linked[0]} → {linked[1]} links these tasks, and a summary task cannot be "
            "linked to its own sub-tasks: remove that dependency first",
        )


def _set_counter(session: Session, project: Project, value: Any) -> int:
    """Set the project's task counter (a derived value: no version bump) and return it."""
    number: int = session.execute(
        update(Project)
        .where(Project.id == project.id)
        .values(next_task_number=value, updated_at=Project.updated_at)
        .returning(Project.next_task_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(project, "next_task_number", number)
    return number


def _next_key(session: Session, project: Project) -> str:
    """``PROJ-n`` from the project's counter, skipping numbers already taken by hand.

    Called with the project's tree locked, so two creations cannot take one number.
    """
    prefix = f"{project.key}-"
    number = _set_counter(session, project, Project.next_task_number + 1) - 1
    if (
        session.scalar(
            select(Task.id).where(
                Task.program_id == project.program_id, Task.key == f"{prefix}{number}"
            )
        )
        is None
    ):
        return f"{prefix}{number}"
    taken = set(
        session.scalars(
            select(Task.key).where(
                Task.program_id == project.program_id, Task.key.startswith(prefix, autoescape=True)
            )
        )
    )
    while f"{prefix}{number}" in taken:
        number += 1
    _set_counter(session, project, number + 1)
    return f"{prefix}{number}"
