"""The WBS tree of a project: positions and outline codes, renumbered in one pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from podium.errors import (
    Conflict,
    StaleVersion,
)
from podium.models import (
    Project,
    Task,
)
from podium.services.common import flush
from podium.services.tasks.fields import NEW, WBS_MAX_LENGTH

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
