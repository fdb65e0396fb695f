"""Dependencies between tasks and program milestones, within and across projects.

Each end of a dependency is a task or a program milestone. A dependency is
*cross-project* when both ends are tasks of different projects; a milestone
belongs to the program, not to a project, so a milestone end never makes a
dependency cross-project by itself (a milestone's predecessors show which
projects feed it).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlalchemy.orm import Session, aliased

from podium.engine.network import MAX_LAG
from podium.errors import Conflict, NotFound, field_error
from podium.models import Dependency, DependencyType, Milestone, Program, Project, Role, Task
from podium.services.actor import Actor, require_role, role_in, visible_program_ids
from podium.services.audit import record_change
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.tasks.rules import LINK_WORDS, SUMMARY_LINK_TYPES

# Aliases are built once: making one costs more than the query it serves.
_BEFORE = aliased(Task)
_AFTER = aliased(Task)

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
UPDATABLE_FIELDS = frozenset({"type", "lag"})

EndType = Literal["task", "milestone"]


@dataclass(frozen=True, slots=True)
class EndRef:
    """One end of a dependency as a caller names it: a task or a milestone id."""

    type: EndType
    id: int


@dataclass(frozen=True, slots=True)
class End:
    """One end of a dependency, described for reading (project is ``None`` for milestones)."""

    type: EndType
    id: int
    key: str
    name: str
    project_id: int | None
    project_key: str | None

    @property
    def label(self) -> str:
        return f"{self.type} {self.key}"


@dataclass(frozen=True, slots=True)
class DependencyView:
    """A dependency with both ends described."""

    dependency: Dependency
    predecessor: End
    successor: End

    @property
    def cross_project(self) -> bool:
        return is_cross_project(self.predecessor, self.successor)


def is_cross_project(predecessor: End, successor: End) -> bool:
    """True when both ends are tasks and they live in different projects."""
    return (
        predecessor.project_id is not None
        and successor.project_id is not None
        and predecessor.project_id != successor.project_id
    )


def predecessor_of(dependency: Dependency) -> EndRef:
    if dependency.predecessor_task_id is not None:
        return EndRef("task", dependency.predecessor_task_id)
    assert dependency.predecessor_milestone_id is not None
    return EndRef("milestone", dependency.predecessor_milestone_id)


def successor_of(dependency: Dependency) -> EndRef:
    if dependency.successor_task_id is not None:
        return EndRef("task", dependency.successor_task_id)
    assert dependency.successor_milestone_id is not None
    return EndRef("milestone", dependency.successor_milestone_id)


def _ref(task_id: int | None, milestone_id: int | None) -> EndRef:
    if task_id is not None:
        return EndRef("task", task_id)
    assert milestone_id is not None
    return EndRef("milestone", milestone_id)


# --- reading -----------------------------------------------------------------


def _load_ends(session: Session, refs: Collection[EndRef]) -> dict[EndRef, End]:
    """Describe many ends in two queries (tasks with their project, milestones)."""
    ends: dict[EndRef, End] = {}
    task_ids = sorted({r.id for r in refs if r.type == "task"})
    milestone_ids = sorted({r.id for r in refs if r.type == "milestone"})
    if task_ids:
        rows = session.execute(
            select(Task.id, Task.key, Task.name, Task.project_id, Project.key)
            .join(Project, Project.id == Task.project_id)
            .where(Task.id.in_(task_ids))
        )
        for task_id, key, name, project_id, project_key in rows:
            ends[EndRef("task", task_id)] = End("task", task_id, key, name, project_id, project_key)
    if milestone_ids:
        milestone_rows = session.execute(
            select(Milestone.id, Milestone.key, Milestone.name).where(
                Milestone.id.in_(milestone_ids)
            )
        )
        for milestone_id, key, name in milestone_rows:
            ends[EndRef("milestone", milestone_id)] = End(
                "milestone", milestone_id, key, name, None, None
            )
    return ends


def describe_dependencies(
    session: Session, dependencies: Iterable[Dependency]
) -> list[DependencyView]:
    """Dependencies with both ends described (a fixed number of queries for any count)."""
    dependencies = list(dependencies)
    refs = {r for d in dependencies for r in (predecessor_of(d), successor_of(d))}
    ends = _load_ends(session, refs)
    return [DependencyView(d, ends[predecessor_of(d)], ends[successor_of(d)]) for d in dependencies]


def predecessors_of_milestones(
    session: Session, milestone_ids: Collection[int]
) -> dict[int, list[DependencyView]]:
    """For each milestone, the dependencies into it (in creation order)."""
    result: dict[int, list[DependencyView]] = {m: [] for m in milestone_ids}
    if not milestone_ids:
        return result
    into = session.scalars(
        select(Dependency)
        .where(Dependency.successor_milestone_id.in_(list(milestone_ids)))
        .order_by(Dependency.id)
    )
    for view in describe_dependencies(session, into):
        assert view.dependency.successor_milestone_id is not None
        result[view.dependency.successor_milestone_id].append(view)
    return result


def dependencies_touching_milestone(session: Session, milestone_id: int) -> list[Dependency]:
    """Every dependency with the milestone at either end."""
    return list(
        session.scalars(
            select(Dependency)
            .where(
                or_(
                    Dependency.predecessor_milestone_id == milestone_id,
                    Dependency.successor_milestone_id == milestone_id,
                )
            )
            .order_by(Dependency.id)
        )
    )


def get_dependency(
    session: Session, actor: Actor, dependency_id: int, *, needed: Role = Role.VIEWER
) -> Dependency:
    """A dependency in a program the actor may act on with at least ``needed``."""
    dependency = session.get(Dependency, dependency_id) if 0 < dependency_id <= MAX_ID else None
    if dependency is None or role_in(session, actor, dependency.program_id) is None:
        raise NotFound(f"dependency {dependency_id} not found")
    require_role(session, actor, dependency.program_id, needed)
    return dependency


def _dependencies_query(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None,
    task_id: int | None,
    milestone_id: int | None,
    cross_project: bool | None,
) -> Select[Dependency]:
    query = select(Dependency).order_by(Dependency.id)
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)
        query = query.where(Dependency.program_id == program_id)
    else:
        visible = visible_program_ids(session, actor)
        if visible is not None:
            query = query.where(Dependency.program_id.in_(visible))
    if task_id is not None:
        query = query.where(
            or_(Dependency.predecessor_task_id == task_id, Dependency.successor_task_id == task_id)
        )
    if milestone_id is not None:
        query = query.where(
            or_(
                Dependency.predecessor_milestone_id == milestone_id,
                Dependency.successor_milestone_id == milestone_id,
            )
        )
    if cross_project is not None:
        before, after = _BEFORE, _AFTER
        crosses = and_(  # never NULL: a milestone end makes it false, not unknown
            Dependency.predecessor_task_id.is_not(None),
            Dependency.successor_task_id.is_not(None),
            before.project_id != after.project_id,
        )
        query = (
            query.outerjoin(before, before.id == Dependency.predecessor_task_id)
            .outerjoin(after, after.id == Dependency.successor_task_id)
            .where(crosses if cross_project else not_(crosses))
        )
    return query


def list_dependencies(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None = None,
    task_id: int | None = None,
    milestone_id: int | None = None,
    cross_project: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[DependencyView], int]:
    """Dependencies in the programs the actor sees; task and milestone filters match either end."""
    query = _dependencies_query(
        session,
        actor,
        program_id=program_id,
        task_id=task_id,
        milestone_id=milestone_id,
        cross_project=cross_project,
    )
    items: list[Dependency]
    items, total = paginate(session, query, limit=limit, offset=offset)
    return describe_dependencies(session, items), total


# --- checks ------------------------------------------------------------------


def _check_lag(lag: int) -> None:
    if abs(lag) > MAX_LAG:
        raise field_error("lag", f"must be between -{MAX_LAG} and {MAX_LAG} working days")


def _resolve_end(session: Session, actor: Actor, ref: EndRef, field: str) -> Task | Milestone:
    """The task or milestone an end names; one the actor cannot see counts as missing."""
    record: Task | Milestone | None = None
    if 0 < ref.id <= MAX_ID and ref.type == "task":
        record = session.get(Task, ref.id)
    elif 0 < ref.id <= MAX_ID:
        record = session.get(Milestone, ref.id)
    if record is None or role_in(session, actor, record.program_id) is None:
        raise field_error(f"{field}.id", f"{ref.type} {ref.id} does not exist")
    return record


def _ancestor_ids(session: Session, task: Task) -> list[int]:
    ancestors: list[int] = []
    parent_id = task.parent_id
    while parent_id is not None and parent_id not in ancestors:
        ancestors.append(parent_id)
        parent = session.get(Task, parent_id)
        parent_id = parent.parent_id if parent is not None else None
    return ancestors


def _check_not_summary_of(session: Session, predecessor: Task, successor: Task) -> None:
    """A summary task already spans its subtasks; a dependency between them is meaningless."""
    for summary, sub in ((predecessor, successor), (successor, predecessor)):
        if summary.id in _ancestor_ids(session, sub):
            raise Conflict(
                f"{summary.key} is a summary task containing {sub.key}; a dependency "
                "between a summary task and its own subtask is not allowed",
                code="summary_descendant",
                details={"summary": summary.key, "descendant": sub.key},
            )


def _check_type_into(session: Session, successor: Task | Milestone, kind: DependencyType) -> None:
    """Refuse (on ``type``) a link that would end on a summary task's finish: a summary's
    finish rolls up from its sub-tasks, so only FS and SS links may lead into one."""
    if kind in SUMMARY_LINK_TYPES or not isinstance(successor, Task):
        return
    if session.scalar(select(Task.id).where(Task.parent_id == successor.id).limit(1)) is None:
        return
    raise field_error(
        "type",
        f"{successor.key} is a summary task (it has sub-tasks), and a {LINK_WORDS[kind]} "
        f"({kind.value}) link cannot end on one: its finish comes from its sub-tasks; link to "
        "one of its sub-tasks, or use finish-to-start or start-to-start",
    )


def check_shape(
    session: Session,
    predecessor: Task | Milestone,
    successor: Task | Milestone,
    kind: DependencyType,
) -> None:
    """Refuse a link no schedule could hold, whatever the dates: between a summary task and
    its own sub-task (``Conflict``), or ending on a summary's finish (on ``type``). Change
    requests check the links they add with it too."""
    if isinstance(predecessor, Task) and isinstance(successor, Task):
        _check_not_summary_of(session, predecessor, successor)
    _check_type_into(session, successor, kind)


def _end_is(side: Literal["predecessor", "successor"], ref: EndRef) -> ColumnElement[bool]:
    if side == "predecessor":
        column = (
            Dependency.predecessor_task_id
            if ref.type == "task"
            else Dependency.predecessor_milestone_id
        )
    else:
        column = (
            Dependency.successor_task_id
            if ref.type == "task"
            else Dependency.successor_milestone_id
        )
    return column == ref.id


def _check_not_duplicate(
    session: Session, predecessor: EndRef, successor: EndRef, keys: tuple[str, str]
) -> None:
    existing = session.scalar(
        select(Dependency.id).where(
            _end_is("predecessor", predecessor), _end_is("successor", successor)
        )
    )
    if existing is not None:
        raise Conflict(
            f"{keys[0]} → {keys[1]} is already a dependency; change its type or lag instead",
            code="duplicate_dependency",
            details={"dependency_id": existing},
        )


def _lock_program_dependencies(session: Session, program_id: int) -> None:
    """Serialise new dependencies of one program (a row lock on PostgreSQL).

    Without it, two requests could each pass the duplicate and cycle checks and
    together break them.
    """
    session.execute(select(Program.id).where(Program.id == program_id).with_for_update())


def _check_acyclic(session: Session, program_id: int, new_edge: tuple[EndRef, EndRef]) -> None:
    """Refuse ``new_edge`` (predecessor, successor) if it would close a cycle.

    A plain breadth-first search over the program's dependencies for a path
    from the new successor back to the new predecessor; the shortest such path
    is the cycle named in the error. To be replaced by the scheduling engine's
    check.
    """
    predecessor, successor = new_edge
    edges: dict[EndRef, list[EndRef]] = defaultdict(list)
    rows = session.execute(
        select(
            Dependency.predecessor_task_id,
            Dependency.predecessor_milestone_id,
            Dependency.successor_task_id,
            Dependency.successor_milestone_id,
        )
        .where(Dependency.program_id == program_id)
        .order_by(Dependency.id)
    )
    for p_task, p_milestone, s_task, s_milestone in rows:
        edges[_ref(p_task, p_milestone)].append(_ref(s_task, s_milestone))

    came_from: dict[EndRef, EndRef | None] = {successor: None}
    queue = deque([successor])
    while queue and predecessor not in came_from:
        node = queue.popleft()
        for next_node in edges.get(node, ()):
            if next_node not in came_from:
                came_from[next_node] = node
                queue.append(next_node)
    if predecessor not in came_from:
        return

    path: list[EndRef] = []
    step: EndRef | None = predecessor
    while step is not None:
        path.append(step)
        step = came_from[step]
    cycle = [predecessor, *reversed(path)]  # predecessor → successor → … → predecessor
    ends = _load_ends(session, set(cycle))
    keys = [ends[node].key for node in cycle]
    raise Conflict(
        f"this dependency would create a cycle: {' → '.join(keys)}",
        code="dependency_cycle",
        details={"cycle": keys},
    )


# --- writing -----------------------------------------------------------------


def _audit_values(view: DependencyView) -> dict[str, Any]:
    return {
        "predecessor": view.predecessor.label,
        "successor": view.successor.label,
        "type": view.dependency.type.value,
        "lag": view.dependency.lag,
    }


def _audit_label(view: DependencyView) -> str:
    return f"{view.predecessor.key} → {view.successor.key}"


def audit_labels(session: Session, dependencies: list[Dependency]) -> list[str]:
    """How the audit log names each dependency: "PLAT-1 → TRAIN-2"."""
    return [_audit_label(view) for view in describe_dependencies(session, dependencies)]


def create_dependency(
    session: Session,
    actor: Actor,
    *,
    predecessor: EndRef,
    successor: EndRef,
    dependency_type: DependencyType = DependencyType.FS,
    lag: int = 0,
    program_id: int | None = None,
) -> Dependency:
    """Link two tasks or milestones of one program (managers and above).

    The program is the one both ends belong to; ``program_id``, if given, must
    agree with it.
    """
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)
    _check_lag(lag)
    first = _resolve_end(session, actor, predecessor, "predecessor")
    second = _resolve_end(session, actor, successor, "successor")
    if first.program_id != second.program_id:
        raise Conflict(
            f"{first.key} and {second.key} are in different programs; "
            "a dependency links work of one program",
            code="cross_program_dependency",
            details={
                "predecessor_program_id": first.program_id,
                "successor_program_id": second.program_id,
            },
        )
    if program_id is not None and program_id != first.program_id:
        raise Conflict(
            f"program_id {program_id} is not the program of {first.key} ({first.program_id})",
            code="program_mismatch",
            details={"field": "program_id", "program_id": first.program_id},
        )
    require_role(session, actor, first.program_id, Role.MANAGER)
    if predecessor == successor:
        raise Conflict(f"{first.key} cannot depend on itself", code="self_dependency")
    check_shape(session, first, second, DependencyType(dependency_type))
    _lock_program_dependencies(session, first.program_id)
    _check_not_duplicate(session, predecessor, successor, (first.key, second.key))
    _check_acyclic(session, first.program_id, (predecessor, successor))

    dependency = Dependency(program_id=first.program_id, type=dependency_type, lag=lag)
    if predecessor.type == "task":
        dependency.predecessor_task_id = predecessor.id
    else:
        dependency.predecessor_milestone_id = predecessor.id
    if successor.type == "task":
        dependency.successor_task_id = successor.id
    else:
        dependency.successor_milestone_id = successor.id
    session.add(dependency)
    flush(session)
    view = describe_dependencies(session, [dependency])[0]
    record_change(
        session,
        actor,
        program_id=dependency.program_id,
        entity_type="dependency",
        entity_id=dependency.id,
        action="create",
        changes={k: [None, v] for k, v in _audit_values(view).items()},
        label=_audit_label(view),
    )
    flush(session)
    return dependency


def update_dependency(
    session: Session,
    actor: Actor,
    dependency_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Dependency:
    """Change a dependency's type or lag (its ends are fixed: delete and re-create to move it)."""
    dependency = get_dependency(session, actor, dependency_id, needed=Role.MANAGER)
    for field in updates:
        if field not in UPDATABLE_FIELDS:
            raise field_error(
                field, "only type and lag can change; delete and re-create to move a dependency"
            )
    if "lag" in updates:
        _check_lag(updates["lag"])
    if "type" in updates and dependency.successor_task_id is not None:
        successor = session.get(Task, dependency.successor_task_id)
        assert successor is not None  # the dependency's end, removed with it
        _check_type_into(session, successor, DependencyType(updates["type"]))
    apply_update(
        session,
        actor,
        dependency,
        updates,
        program_id=dependency.program_id,
        expected_version=expected_version,
        label=_audit_label(describe_dependencies(session, [dependency])[0]),
    )
    return dependency


def remove_dependency(session: Session, actor: Actor, dependency: Dependency) -> None:
    """Delete one dependency and audit it (no permission check: callers have done it)."""
    view = describe_dependencies(session, [dependency])[0]
    record_change(
        session,
        actor,
        program_id=dependency.program_id,
        entity_type="dependency",
        entity_id=dependency.id,
        action="delete",
        changes={k: [v, None] for k, v in _audit_values(view).items()},
        label=_audit_label(view),
    )
    session.delete(dependency)
    flush(session)


def delete_dependency(
    session: Session, actor: Actor, dependency_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a dependency (managers and above)."""
    dependency = get_dependency(session, actor, dependency_id, needed=Role.MANAGER)
    check_version(dependency, expected_version)
    remove_dependency(session, actor, dependency)
