"""Creating, changing, moving and deleting tasks (audited; rescheduled by the unit of work)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from podium.errors import (
    Conflict,
    Forbidden,
    field_error,
)
from podium.models import (
    ConstraintType,
    Dependency,
    Milestone,
    Role,
    Task,
)
from podium.services import risks
from podium.services.actor import Actor, role_too_low
from podium.services.audit import record_created, record_deleted
from podium.services.calendars import check_calendar
from podium.services.common import apply_update, check_version, flush
from podium.services.progress import record_progress
from podium.services.projects import get_project
from podium.services.resources import assignments as resource_assignments
from podium.services.resources import effort
from podium.services.tasks.fields import (
    EDITABLE_FIELDS,
    NEW,
    PROGRESS_FIELDS,
    ROLLED_UP_FIELDS,
    TASK_FIELDS,
    TREE_FIELDS,
)
from podium.services.tasks.reading import _is_summary, _load, get_task
from podium.services.tasks.rollup import rolled_up, shown_values
from podium.services.tasks.rules import (
    _check_key_free,
    _check_parent,
    _check_rules,
    _check_summary_constraint,
    _check_summary_parent,
    _implied,
    _next_key,
)
from podium.services.tasks.tree import (
    Row,
    _children,
    _descendants,
    _lock_tree,
    _lock_tree_of,
    _write_layout,
    layout,
)

# Aliases are built once: making one costs more than the query it serves.
_CHILD = aliased(Task)
_PRED_TASK = aliased(Task)
_SUCC_TASK = aliased(Task)
_PRED_MILESTONE = aliased(Milestone)
_SUCC_MILESTONE = aliased(Milestone)

# --- writing -----------------------------------------------------------------


def create_task(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    name: str,
    parent_id: int | None = None,
    position: int | None = None,
    key: str | None = None,
    **fields: Any,
) -> Task:
    """A new task in a project (managers), under ``parent_id`` at ``position`` (default last).

    Without a ``key`` the task is numbered from its project: ``PLAT-1``, ``PLAT-2`` …
    """
    project = get_project(session, actor, project_id, needed=Role.MANAGER)
    defaults: dict[str, Any] = {
        "description": "",
        "duration": None,
        "is_milestone": False,
        "calendar_id": None,
        "constraint_type": ConstraintType.ASAP,
        "constraint_date": None,
        "deadline": None,
        "actual_start": None,
        "actual_finish": None,
        "percent_complete": 0.0,
        "estimate_optimistic": None,
        "estimate_most_likely": None,
        "estimate_pessimistic": None,
        "budget": 0.0,
        "actual_cost": 0.0,
        "effort_driven": False,
        "leveled_start": None,
    }
    unknown = set(fields) - set(defaults)
    if unknown:
        raise field_error(sorted(unknown)[0], "is not a task field")
    state = {**defaults, **_implied({k: v for k, v in fields.items() if v is not None})}
    if state["duration"] is None:
        state["duration"] = 0 if state["is_milestone"] else 1
    _check_rules(state)
    check_calendar(session, state["calendar_id"])
    _check_parent(session, project_id, parent_id)
    _check_unassigned_parent(session, parent_id)
    _check_summary_parent(session, parent_id)
    rows = _lock_tree(session, project_id)
    if key is None:
        key = _next_key(session, project)
    else:
        _check_key_free(session, project.program_id, key)
    index, wbs = layout(rows, (NEW, parent_id, position))[NEW]
    task = Task(
        program_id=project.program_id,
        project_id=project_id,
        parent_id=parent_id,
        key=key,
        name=name,
        position=index,
        wbs=wbs,
        **state,
    )
    session.add(task)
    flush(session)
    _write_layout(session, rows, layout(rows, (task.id, parent_id, index)), skip=task.id)
    record_created(session, actor, task, program_id=task.program_id, fields=TASK_FIELDS)
    if task.percent_complete or task.actual_cost:
        record_progress(session, actor, task)
    return task


def _check_unassigned_parent(session: Session, parent_id: int | None) -> None:
    """A task with assignments, progress or costs cannot take sub-tasks: it would become a
    summary, which has no work of its own (refused, naming them)."""
    parent = session.get(Task, parent_id) if parent_id is not None else None
    if parent is not None:
        resource_assignments.refuse_if_assigned(
            session, parent, becoming="a summary task (one with sub-tasks)"
        )
        _refuse_if_recorded(session, parent)


def _refuse_if_recorded(session: Session, parent: Task) -> None:
    """A task with progress or costs recorded cannot take its first sub-task: as a summary
    its progress would roll up from them and its budget and actual cost be the sums of
    theirs (what earned value counts), its own kept but never used nor editable."""
    recorded = [
        f"actual start {parent.actual_start.isoformat()}" if parent.actual_start else "",
        f"actual finish {parent.actual_finish.isoformat()}" if parent.actual_finish else "",
        f"{parent.percent_complete:g} % complete" if parent.percent_complete else "",
    ]
    recorded = [r for r in recorded if r]
    costs = [
        f"a budget of {_amount(parent.budget)}" if parent.budget else "",
        f"an actual cost of {_amount(parent.actual_cost)}" if parent.actual_cost else "",
    ]
    costs = [c for c in costs if c]
    if not (recorded or costs) or _is_summary(session, parent.id):
        return
    details = {"task": parent.key, "parent_id": parent.id}
    if recorded and costs:
        raise Conflict(
            f"task {parent.key} has progress recorded ({', '.join(recorded)}) and "
            f"{' and '.join(costs)}, and cannot take sub-tasks: a summary's progress and "
            "costs come from its sub-tasks; clear them first, and record them on the sub-tasks",
            code="parent_has_progress",
            details=details,
        )
    if recorded:
        raise Conflict(
            f"task {parent.key} has progress recorded ({', '.join(recorded)}) and cannot take "
            "sub-tasks: a summary's progress comes from its sub-tasks; clear its progress "
            "first, and record it on the sub-tasks",
            code="parent_has_progress",
            details=details,
        )
    them = "them" if len(costs) > 1 else "it"
    raise Conflict(
        f"task {parent.key} has {' and '.join(costs)} and cannot take sub-tasks: a "
        "summary's budget and actual cost are the sums of its sub-tasks' (what earned value "
        f"counts), so its own would no longer count; clear {them} first, and give {them} to "
        "the sub-tasks",
        code="parent_has_costs",
        details={**details, "budget": parent.budget, "actual_cost": parent.actual_cost},
    )


def _amount(value: float) -> str:
    """``12,000`` or ``12,000.50``: an amount as a person writes it."""
    return f"{value:,.2f}".removesuffix(".00")


def _move(
    session: Session,
    actor: Actor,
    task: Task,
    updates: Mapping[str, Any],
    *,
    parent_id: int | None,
    position: int | None,
    expected_version: int | None,
    rows: list[Row] | None = None,
) -> Task:
    """Change fields and put the task under ``parent_id`` at ``position``; renumber the project."""
    if rows is None:
        rows = _lock_tree_of(session, task)
    if parent_id is not None:
        _check_parent(session, task.project_id, parent_id)
        if parent_id in _descendants(_children(rows), task.id):
            raise Conflict(
                f"task {task.key} cannot move under itself or one of its own sub-tasks",
                details={"parent_id": parent_id},
            )
        if parent_id != task.parent_id:
            _check_unassigned_parent(session, parent_id)
            _check_summary_parent(session, parent_id, rows=rows, moving=task.id)
    codes = layout(rows, (task.id, parent_id, position))
    index, wbs = codes[task.id]
    apply_update(
        session,
        actor,
        task,
        {**updates, "parent_id": parent_id, "position": index, "wbs": wbs},
        program_id=task.program_id,
        expected_version=expected_version,
    )
    _write_layout(session, rows, codes, skip=task.id)
    return task


def update_task(
    session: Session,
    actor: Actor,
    task_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Task:
    """Change a task's fields; ``parent_id``/``position`` move it in the WBS.

    Members may change progress only (actual_start, actual_finish,
    percent_complete); any other field whose value would change is refused,
    naming the fields. Sending a field back unchanged is allowed.
    """
    task, role = _load(session, actor, task_id, Role.MEMBER)
    check_version(task, expected_version)
    unknown = set(updates) - EDITABLE_FIELDS
    if unknown:
        raise field_error(sorted(unknown)[0], "cannot be changed")
    current = {f: getattr(task, f) for f in TASK_FIELDS}
    wanted = _without_shown_roll_up(session, task, _implied(updates))
    changed = sorted(f for f, v in wanted.items() if current[f] != v)
    if role.rank < Role.MANAGER.rank:
        refused = [f for f in changed if f not in PROGRESS_FIELDS]
        if refused:
            raise role_too_low(
                session,
                task.program_id,
                role,
                f"it may change only progress ({', '.join(sorted(PROGRESS_FIELDS))}), "
                f"not {', '.join(refused)}",
                fields=refused,
            )
        if changed and not resource_assignments.assigned_to_user(session, task.id, actor.user_id):
            raise Forbidden(
                f"members update progress only on the tasks assigned to them; {task.key} "
                "is not assigned to you (a manager can assign you, or update it)",
                details={"role": role.value, "task": task.key, "assigned": False},
            )
    _check_rules({**current, **wanted})
    if "key" in changed:
        _check_key_free(session, task.program_id, wanted["key"], except_id=task.id)
    if "calendar_id" in changed:
        check_calendar(session, wanted["calendar_id"])
    if "is_milestone" in changed and wanted["is_milestone"]:
        if _is_summary(session, task.id):
            raise Conflict(f"task {task.key} has sub-tasks and cannot become a milestone")
        resource_assignments.refuse_if_assigned(session, task, becoming="a milestone")
    if "constraint_type" in changed and _is_summary(session, task.id):
        _check_summary_constraint(task.key, wanted["constraint_type"])
    _follow_effort(session, task, wanted, changed)
    rolled = [f for f in changed if f in ROLLED_UP_FIELDS]
    if rolled and _is_summary(session, task.id):
        raise Conflict(
            f"task {task.key} has sub-tasks: its duration, dates, progress and costs come "
            f"from them; change {', '.join(rolled)} on the sub-tasks",
            code="summary_rolls_up",
            details={"task": task.key, "fields": rolled},
        )
    fields = {f: v for f, v in wanted.items() if f not in TREE_FIELDS}
    if TREE_FIELDS & set(changed):
        parent_id = wanted.get("parent_id", task.parent_id)
        same_parent = parent_id == task.parent_id
        return _move(
            session,
            actor,
            task,
            fields,
            parent_id=parent_id,
            position=wanted.get("position", task.position if same_parent else None),
            expected_version=expected_version,
        )
    changes = apply_update(
        session, actor, task, fields, program_id=task.program_id, expected_version=expected_version
    )
    if {"percent_complete", "actual_cost"} & set(changes):
        record_progress(session, actor, task)
    return task


def _without_shown_roll_up(session: Session, task: Task, wanted: dict[str, Any]) -> dict[str, Any]:
    """``wanted`` less the rolled-up values a summary shows, sent back as they are (a task
    read, changed and sent whole): they are not its own, so not changes to refuse."""
    sent = ROLLED_UP_FIELDS & set(wanted)
    if not sent or not _is_summary(session, task.id):
        return wanted
    shown = shown_values(task, rolled_up(session, [task]).get(task.id))
    return {f: v for f, v in wanted.items() if f not in sent or v != shown[f]}


def _follow_effort(
    session: Session, task: Task, wanted: dict[str, Any], changed: list[str]
) -> None:
    """An effort-driven task that has not started lasts as long as the work given for it
    takes: a duration typed in is refused, and ticking effort-driven (or clearing the
    actual start) sets the duration from that work, whoever saves it."""
    effort_driven = wanted.get("effort_driven", task.effort_driven)
    started = wanted.get("actual_start", task.actual_start)
    if not effort_driven or started is not None:
        return
    if not {"duration", "effort_driven", "actual_start"} & set(changed):
        return  # a rename or a new deadline leaves the duration as it is
    work = effort.given_work(session, task.id)
    days = effort.effort_days(session, task) if work is not None else None
    if days is None:
        return
    if "duration" in changed and wanted["duration"] != days:
        raise Conflict(
            f"task {task.key} is effort-driven: its duration follows from the "
            f"{work:g} hours of work given for it; change that work, or make the "
            "task duration-driven first",
            code="effort_driven",
            details={"task": task.key, "field": "duration", "work_hours": work},
        )
    if days != task.duration:
        wanted["duration"] = days


def move_task(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    parent_id: int | None,
    position: int | None = None,
    expected_version: int | None = None,
) -> Task:
    """Put a task (with its sub-tasks) under ``parent_id`` at ``position`` (default last)."""
    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    check_version(task, expected_version)
    return _move(
        session,
        actor,
        task,
        {},
        parent_id=parent_id,
        position=position,
        expected_version=expected_version,
    )


def indent_task(
    session: Session, actor: Actor, task_id: int, *, expected_version: int | None = None
) -> Task:
    """Make a task the last child of the sibling just above it."""
    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    check_version(task, expected_version)
    rows = _lock_tree_of(session, task)
    siblings = _children(rows)[task.parent_id]
    index = siblings.index(task.id)
    if index == 0:
        raise Conflict(
            f"task {task.key} is the first of its level: there is nothing to indent it under"
        )
    above = session.get(Task, siblings[index - 1])
    assert above is not None  # it was just loaded with the project's rows
    if above.is_milestone:
        raise Conflict(f"task {task.key} cannot go under {above.key}: a milestone has no sub-tasks")
    return _move(
        session,
        actor,
        task,
        {},
        parent_id=above.id,
        position=None,
        expected_version=expected_version,
        rows=rows,
    )


def outdent_task(
    session: Session, actor: Actor, task_id: int, *, expected_version: int | None = None
) -> Task:
    """Make a task the sibling just after its parent."""
    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    check_version(task, expected_version)
    if task.parent_id is None:
        raise Conflict(f"task {task.key} is already at the top level")
    rows = _lock_tree_of(session, task)
    grandparent_id = next(parent for row_id, parent, _p, _w in rows if row_id == task.parent_id)
    uncles = _children(rows)[grandparent_id]
    return _move(
        session,
        actor,
        task,
        {},
        parent_id=grandparent_id,
        position=uncles.index(task.parent_id) + 1,
        expected_version=expected_version,
        rows=rows,
    )


def _subtree(task_id: int) -> Select[int]:
    """The ids of a task and everything below it, walked by the database."""
    tree = select(Task.id).where(Task.id == task_id).cte("subtree", recursive=True)
    child = _CHILD
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def _dependency_names(session: Session, task_id: int) -> list[tuple[Dependency, str, str]]:
    """Dependencies with an end in ``subtree``, with both ends named by key."""
    subtree = _subtree(task_id)
    pred_task, succ_task = _PRED_TASK, _SUCC_TASK
    pred_ms, succ_ms = _PRED_MILESTONE, _SUCC_MILESTONE
    rows = session.execute(
        select(
            Dependency,
            func.coalesce(pred_task.key, pred_ms.key),
            func.coalesce(succ_task.key, succ_ms.key),
        )
        .outerjoin(pred_task, pred_task.id == Dependency.predecessor_task_id)
        .outerjoin(succ_task, succ_task.id == Dependency.successor_task_id)
        .outerjoin(pred_ms, pred_ms.id == Dependency.predecessor_milestone_id)
        .outerjoin(succ_ms, succ_ms.id == Dependency.successor_milestone_id)
        .where(
            or_(
                Dependency.predecessor_task_id.in_(subtree),
                Dependency.successor_task_id.in_(subtree),
            )
        )
        .order_by(Dependency.id)
    )
    return [(d, p or "", s or "") for d, p, s in rows]


def delete_task(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    cascade: bool = False,
    expected_version: int | None = None,
) -> None:
    """Remove a task and its sub-tasks (managers), then renumber the project.

    Dependencies touching any of them make this a conflict naming them, unless
    ``cascade``: then they are removed too. Every removed record is audited. The
    risks that were linked to them are judged again (level, escalation, alert).
    """
    from podium.services.dependencies import remove_dependency  # it imports tasks.rules

    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    check_version(task, expected_version)
    rows = _lock_tree_of(session, task)
    dependencies = _dependency_names(session, task.id)
    if dependencies and not cascade:
        names = ", ".join(f"{p} → {s}" for _, p, s in dependencies)
        these = "dependency {} relies" if len(dependencies) == 1 else "dependencies {} rely"
        raise Conflict(
            f"task {task.key} cannot be deleted: {these.format(names)} on it or its "
            "sub-tasks; delete them first or use ?cascade=true",
            details={
                "dependencies": [
                    {"id": d.id, "predecessor": p, "successor": s, "type": d.type.value}
                    for d, p, s in dependencies
                ]
            },
        )
    for dependency, _p, _s in dependencies:
        # audited as a dependency deleted on its own is ("PLAT-6 → PLAT-7", its ends by
        # name): the other task's history finds it by that label
        remove_dependency(session, actor, dependency)
    linked = risks.risks_linked_to(session, task_ids=_subtree(task.id))
    removed = list(session.scalars(select(Task).where(Task.id.in_(_subtree(task.id)))))
    for record in removed:
        record_deleted(session, actor, record, program_id=task.program_id, fields=TASK_FIELDS)
    what, project_id = f"task {task.key}", task.project_id
    session.delete(task)  # the database removes the sub-tasks (ON DELETE CASCADE)
    flush(session)
    risks.settle_after_removal(session, actor, linked, removed=what, project_id=project_id)
    for record in removed:
        if record is not task:
            session.expunge(record)
    gone = {record.id for record in removed}
    remaining = [r for r in rows if r[0] not in gone]
    _write_layout(session, remaining, layout(remaining), skip=NEW)
