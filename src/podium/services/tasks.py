"""Tasks: the work breakdown structure (WBS) inside each project.

Tasks form a tree per project; ``position`` orders siblings (0, 1, 2 …) and
``wbs`` (``1``, ``1.1``, ``1.2``, ``2`` …) is computed from it. Whenever the
tree changes (create, move, indent, outdent, delete) the whole project is
renumbered in one pass: its tasks are loaded once as plain rows, the tree is
walked in memory, and only the rows whose position or code changed are written.

Renumbering is derived data: it changes neither the ``version`` nor the
``updated_at`` of the siblings it shifts, so nobody's ``If-Match`` goes stale
because a task was inserted above theirs. The task that was moved is updated,
versioned and audited like any other change.

Progress rules (the scheduler relies on them):

* ``actual_finish`` needs an ``actual_start`` and may not be before it;
* setting ``actual_finish`` implies ``percent_complete`` 100 (when no percentage
  is sent); 100 % needs an ``actual_finish``, and an ``actual_finish`` with less
  than 100 % is refused: "finished" means one thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, bindparam, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from podium.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
    ValidationFailed,
    field_error,
)
from podium.models import (
    Calendar,
    ConstraintType,
    Dependency,
    Milestone,
    Project,
    Role,
    Task,
)
from podium.services.actor import Actor, visible_program_ids
from podium.services.audit import record_created, record_deleted
from podium.services.common import apply_update, check_version, flush
from podium.services.projects import DEPENDENCY_FIELDS, get_project, require_visible

TASK_FIELDS = [
    "key",
    "name",
    "description",
    "project_id",
    "parent_id",
    "position",
    "wbs",
    "duration",
    "is_milestone",
    "calendar_id",
    "constraint_type",
    "constraint_date",
    "deadline",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "estimate_optimistic",
    "estimate_most_likely",
    "estimate_pessimistic",
]
PROGRESS_FIELDS = frozenset({"actual_start", "actual_finish", "percent_complete"})
TREE_FIELDS = frozenset({"parent_id", "position"})
EDITABLE_FIELDS = frozenset(TASK_FIELDS) - {"project_id", "wbs"}
WBS_MAX_LENGTH = 100
NEW = -1  # stands for a task not inserted yet when laying out the tree


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with what is read beside it: its project's key and whether it has children."""

    task: Task
    project_key: str
    is_summary: bool


# --- the tree ----------------------------------------------------------------

Row = tuple[int, int | None, int, str]  # id, parent_id, position, wbs
Placement = tuple[int, int | None, int | None]  # task id, new parent id, index (None = last)


def _children(rows: Iterable[Row], *, skip: int | None = None) -> dict[int | None, list[int]]:
    """Each parent's children in sibling order (position, then id for ties)."""
    by_parent: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for task_id, parent_id, position, _wbs in rows:
        if task_id != skip:
            by_parent[parent_id].append((position, task_id))
    return {parent: [t for _, t in sorted(kids)] for parent, kids in by_parent.items()}


def _descendants(children: Mapping[int | None, list[int]], root: int) -> list[int]:
    """``root`` and everything below it."""
    found, stack = [], [root]
    while stack:
        task_id = stack.pop()
        found.append(task_id)
        stack.extend(children.get(task_id, ()))
    return found


def layout(rows: Iterable[Row], place: Placement | None = None) -> dict[int, tuple[int, str]]:
    """Sibling position and WBS code of every task, after optionally placing one task.

    ``place`` puts that task (``NEW`` for one being created) at ``index`` among
    the children of the new parent. Positions come out as 0, 1, 2 … per parent.
    """
    rows = list(rows)
    children = _children(rows, skip=place[0] if place else None)
    if place is not None:
        task_id, parent_id, index = place
        siblings = children.setdefault(parent_id, [])
        siblings.insert(len(siblings) if index is None else min(index, len(siblings)), task_id)
    result: dict[int, tuple[int, str]] = {}
    stack: list[tuple[int | None, str]] = [(None, "")]
    while stack:
        parent_id, prefix = stack.pop()
        for index, task_id in enumerate(children.get(parent_id, ())):
            code = f"{prefix}{index + 1}"
            if len(code) > WBS_MAX_LENGTH:
                raise Conflict(f"the WBS would be nested too deeply (code {code[:40]}…)")
            result[task_id] = (index, code)
            stack.append((task_id, code + "."))
    return result


def _lock_tree(session: Session, project_id: int) -> list[Row]:
    """Serialize tree changes in one project (row lock on PostgreSQL) and load its rows."""
    session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
    flush(session)
    rows = session.execute(
        select(Task.id, Task.parent_id, Task.position, Task.wbs).where(
            Task.project_id == project_id
        )
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _lock_tree_of(session: Session, task: Task) -> list[Row]:
    """The task's project rows, locked; refuses if the task moved since it was read."""
    rows = _lock_tree(session, task.project_id)
    if not any(row[0] == task.id and row[1] == task.parent_id for row in rows):
        raise StaleVersion(
            f"task {task.key} was moved or deleted by someone else; reload and retry"
        )
    return rows


def _write_layout(
    session: Session, rows: Iterable[Row], codes: Mapping[int, tuple[int, str]], *, skip: int
) -> None:
    """Store the positions and codes that changed, except ``skip``'s (updated by the caller)."""
    changed = [
        {"b_id": task_id, "b_position": codes[task_id][0], "b_wbs": codes[task_id][1]}
        for task_id, _parent, position, wbs in rows
        if task_id != skip and task_id in codes and codes[task_id] != (position, wbs)
    ]
    if not changed:
        return
    table = Task.__table__
    assert isinstance(table, Table)
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            position=bindparam("b_position"), wbs=bindparam("b_wbs"), updated_at=table.c.updated_at
        ),
        changed,
    )
    for row in changed:
        loaded = session.identity_map.get(identity_key(Task, row["b_id"]))
        if loaded is not None:
            set_committed_value(loaded, "position", row["b_position"])
            set_committed_value(loaded, "wbs", row["b_wbs"])


def renumber_project(session: Session, project_id: int) -> None:
    """Recompute every position and WBS code of a project (after imports, repairs)."""
    rows = _lock_tree(session, project_id)
    _write_layout(session, rows, layout(rows), skip=NEW)


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
    child = aliased(Task)
    return exists().where(child.parent_id == task_id)


def _is_summary(session: Session, task_id: int) -> bool:
    return bool(session.scalar(select(_has_children(literal(task_id)))))


def describe(session: Session, task: Task) -> TaskView:
    """The task with its project key and summary flag (two small queries)."""
    project_key = session.scalar(select(Project.key).where(Project.id == task.project_id))
    return TaskView(
        task=task, project_key=project_key or "", is_summary=_is_summary(session, task.id)
    )


def _wbs_order(wbs: str) -> tuple[int, ...]:
    return tuple(int(part) for part in wbs.split(".") if part.isdigit())


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
) -> tuple[list[TaskView], int]:
    """One page of visible tasks in project order, then WBS order, and the total.

    Two queries whatever the number of tasks: the sort keys of every match
    (WBS codes do not sort as text: ``1.10`` comes after ``1.9``), then the page.
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
        like = f"%{q.lower()}%"
        keys = keys.where(or_(Task.name.ilike(like), Task.key.ilike(like)))
    ordered = sorted(session.execute(keys), key=lambda r: (r[1], r[2], r[3], _wbs_order(r[4])))
    page_ids = [r[0] for r in ordered[offset : offset + limit]]
    if not page_ids:
        return [], len(ordered)
    rows = session.execute(
        select(Task, Project.key, _has_children(Task.id))
        .join(Project, Project.id == Task.project_id)
        .where(Task.id.in_(page_ids))
    )
    views = {t.id: TaskView(task=t, project_key=k, is_summary=bool(s)) for t, k, s in rows}
    return [views[i] for i in page_ids if i in views], len(ordered)


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


def _check_key_free(session: Session, program_id: int, key: str) -> None:
    taken = session.scalar(select(Task.id).where(Task.program_id == program_id, Task.key == key))
    if taken is not None:
        raise Conflict(f"this program already has a task with key {key}", details={"field": "key"})
    # tasks and program milestones share one namespace in plans and messages
    milestone = session.scalar(
        select(Milestone.id).where(Milestone.program_id == program_id, Milestone.key == key)
    )
    if milestone is not None:
        raise Conflict(
            f"this program already has a milestone with key {key}", details={"field": "key"}
        )


def _check_calendar(session: Session, calendar_id: int | None) -> None:
    if calendar_id is not None and session.get(Calendar, calendar_id) is None:
        raise field_error("calendar_id", f"calendar {calendar_id} does not exist")


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
    }
    unknown = set(fields) - set(defaults)
    if unknown:
        raise field_error(sorted(unknown)[0], "is not a task field")
    state = {**defaults, **_implied({k: v for k, v in fields.items() if v is not None})}
    if state["duration"] is None:
        state["duration"] = 0 if state["is_milestone"] else 1
    _check_rules(state)
    _check_calendar(session, state["calendar_id"])
    _check_parent(session, project_id, parent_id)
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
    return task


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
    wanted = _implied(updates)
    changed = sorted(f for f, v in wanted.items() if current[f] != v)
    if role.rank < Role.MANAGER.rank:
        refused = [f for f in changed if f not in PROGRESS_FIELDS]
        if refused:
            raise Forbidden(
                f"your role in this program is {role.value}; it may change only progress "
                f"(actual_start, actual_finish, percent_complete), not {', '.join(refused)}",
                details={"role": role.value, "fields": refused},
            )
    _check_rules({**current, **wanted})
    if "key" in changed:
        _check_key_free(session, task.program_id, wanted["key"])
    if "calendar_id" in changed:
        _check_calendar(session, wanted["calendar_id"])
    if "is_milestone" in changed and wanted["is_milestone"] and _is_summary(session, task.id):
        raise Conflict(f"task {task.key} has sub-tasks and cannot become a milestone")
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
    apply_update(
        session, actor, task, fields, program_id=task.program_id, expected_version=expected_version
    )
    return task


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
    child = aliased(Task)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def _dependency_names(session: Session, task_id: int) -> list[tuple[Dependency, str, str]]:
    """Dependencies with an end in ``subtree``, with both ends named by key."""
    subtree = _subtree(task_id)
    pred_task, succ_task = aliased(Task), aliased(Task)
    pred_ms, succ_ms = aliased(Milestone), aliased(Milestone)
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
    ``cascade``: then they are removed too. Every removed record is audited.
    """
    task = get_task(session, actor, task_id, needed=Role.MANAGER)
    check_version(task, expected_version)
    rows = _lock_tree_of(session, task)
    dependencies = _dependency_names(session, task.id)
    if dependencies and not cascade:
        names = ", ".join(f"{p} → {s}" for _, p, s in dependencies)
        raise Conflict(
            f"task {task.key} cannot be deleted: dependencies {names} rely on it or its "
            "sub-tasks; delete them first or use ?cascade=true",
            details={
                "dependencies": [
                    {"id": d.id, "predecessor": p, "successor": s, "type": d.type.value}
                    for d, p, s in dependencies
                ]
            },
        )
    for dependency, _p, _s in dependencies:
        record_deleted(
            session, actor, dependency, program_id=task.program_id, fields=DEPENDENCY_FIELDS
        )
        session.delete(dependency)
    removed = list(session.scalars(select(Task).where(Task.id.in_(_subtree(task.id)))))
    for record in removed:
        record_deleted(session, actor, record, program_id=task.program_id, fields=TASK_FIELDS)
    session.delete(task)  # the database removes the sub-tasks (ON DELETE CASCADE)
    flush(session)
    for record in removed:
        if record is not task:
            session.expunge(record)
    gone = {record.id for record in removed}
    remaining = [r for r in rows if r[0] not in gone]
    _write_layout(session, remaining, layout(remaining), skip=NEW)
