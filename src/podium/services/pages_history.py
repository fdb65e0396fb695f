"""Read-only views for the history pages: a program's audit log, or one project's or task's.

A project's history is the project itself, its tasks and the dependencies that
touch them now; a task's is the task and every dependency named after it (also
the ones since removed). Work that was deleted keeps its history in the
program's log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from podium.models import (
    AuditEntry,
    Calendar,
    Dependency,
    Milestone,
    Program,
    Project,
    Role,
    Task,
    User,
)
from podium.services.actor import Actor, require_role
from podium.services.projects import get_project
from podium.services.tasks import get_task

Scope = Literal["program", "project", "task"]
QUIET_FIELDS = frozenset({"position", "project_id", "wbs"})  # derived, or shown another way
ID_FIELDS = {"parent_id": "parent", "calendar_id": "calendar", "manager_id": "manager"}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an entry: old → new, with dates as dates and ids as names."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audited change, ready to read."""

    id: int
    at: datetime
    who: str
    email: str
    action: str
    entity_type: str
    entity_id: int
    key: str
    label: str
    link: str | None
    changes: list[FieldChange]


@dataclass(frozen=True)
class HistoryPage:
    """One page of a log, newest first."""

    scope: Scope
    program: Program
    project: Project | None
    task: Task | None
    entries: list[HistoryEntry]
    total: int


def _plain_value(value: Any) -> Any:
    """A value as the page shows it: an ISO date as a date, a list or a record as words
    (``type: slip, days: 5, task_id: 5``), not as the program's own notation."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return "; ".join(str(_words(item)) for item in value) if value else None
    if isinstance(value, dict):
        return _words(value)
    return value


def _words(value: Any) -> Any:
    """A record in a list as ``type: slip, days: 5``: its kind first, then by name (the same
    on every database: PostgreSQL keeps a record's fields in an order of its own)."""
    if isinstance(value, list):
        return "[" + ", ".join(str(_words(item)) for item in value) + "]"
    if not isinstance(value, dict):
        return value
    names = sorted(value, key=lambda name: (name not in ("type", "kind", "name", "key"), name))
    inner = ", ".join(f"{name}: {_nested(value[name])}" for name in names)
    return inner


def _nested(value: Any) -> Any:
    """A record inside a record, in brackets: ``predecessor: (type: task, id: 4)``."""
    return f"({_words(value)})" if isinstance(value, dict) else _words(value)


def _names(session: Session, entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    """Keys and names for the ids that entries mention (a few queries per page)."""
    wanted: dict[str, set[int]] = {"task": set(), "calendar": set(), "user": set()}
    for entry in entries:
        if entry.entity_type == "task":
            wanted["task"].add(entry.entity_id)
        for field, kind in (("parent_id", "task"), ("calendar_id", "calendar")):
            for value in (entry.changes or {}).get(field, []) or []:
                if isinstance(value, int):
                    wanted[kind].add(value)
        for value in (entry.changes or {}).get("manager_id", []) or []:
            if isinstance(value, int):
                wanted["user"].add(value)
    names: dict[tuple[str, int], str] = {}
    if wanted["task"]:
        for task_id, key in session.execute(
            select(Task.id, Task.key).where(Task.id.in_(wanted["task"]))
        ):
            names[("task", task_id)] = key
    if wanted["calendar"]:
        for calendar_id, name in session.execute(
            select(Calendar.id, Calendar.name).where(Calendar.id.in_(wanted["calendar"]))
        ):
            names[("calendar", calendar_id)] = name
    if wanted["user"]:
        for user_id, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(wanted["user"]))
        ):
            names[("user", user_id)] = name or email
    milestone_ids = {e.entity_id for e in entries if e.entity_type == "milestone"}
    if milestone_ids:
        for milestone_id, key in session.execute(
            select(Milestone.id, Milestone.key).where(Milestone.id.in_(milestone_ids))
        ):
            names[("milestone", milestone_id)] = key
    project_ids = {e.entity_id for e in entries if e.entity_type == "project"}
    if project_ids:
        for project_id, key in session.execute(
            select(Project.id, Project.key).where(Project.id.in_(project_ids))
        ):
            names[("project", project_id)] = key
    return names


def _changes(entry: AuditEntry, names: dict[tuple[str, int], str]) -> list[FieldChange]:
    kind = {"parent_id": "task", "calendar_id": "calendar", "manager_id": "user"}
    found = []
    # by field name: PostgreSQL keeps a record's fields in an order of its own, so the
    # order they were written in is not kept on every database
    for field, pair in sorted((entry.changes or {}).items()):
        if not isinstance(pair, list) or len(pair) != 2 or field in QUIET_FIELDS:
            continue
        old, new = pair
        if entry.action == "create" and new in (None, "", [], 0, 0.0, False, "asap"):
            continue  # a new record: only what was set
        if entry.action == "delete":
            continue  # a removed record: the label says which
        if field in kind:
            old = names.get((kind[field], old), old) if isinstance(old, int) else old
            new = names.get((kind[field], new), new) if isinstance(new, int) else new
            field = ID_FIELDS[field]
        found.append(FieldChange(field, _plain_value(old), _plain_value(new)))
    return found


def _key(entry: AuditEntry, names: dict[tuple[str, int], str]) -> str:
    known = names.get((entry.entity_type, entry.entity_id))
    if known:
        return known
    key = (entry.changes or {}).get("key")
    if isinstance(key, list) and len(key) == 2:
        return str(key[1] or key[0] or "")
    return ""


def _link(entry: AuditEntry, names: dict[tuple[str, int], str]) -> str | None:
    if (entry.entity_type, entry.entity_id) not in names:
        return None  # removed since
    if entry.entity_type == "task":
        return f"/tasks/{entry.entity_id}"
    if entry.entity_type == "project":
        return f"/projects/{entry.entity_id}"
    return None


def _page(
    session: Session, condition: ColumnElement[bool], *, limit: int, offset: int
) -> tuple[list[HistoryEntry], int]:
    total = session.scalar(select(func.count(AuditEntry.id)).where(condition)) or 0
    rows = session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(condition)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    entries = [entry for entry, _name in rows]
    names = _names(session, entries)
    return [
        HistoryEntry(
            id=entry.id,
            at=entry.at,
            who=user_name or entry.user_email or "system",
            email=entry.user_email,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            key=_key(entry, names),
            label=entry.entity_label,
            link=_link(entry, names),
            changes=_changes(entry, names),
        )
        for entry, user_name in rows
    ], total


def program_history(
    session: Session, actor: Actor, program_id: int, *, limit: int, offset: int
) -> HistoryPage:
    """Every change in a program, newest first."""
    require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None
    entries, total = _page(session, AuditEntry.program_id == program_id, limit=limit, offset=offset)
    return HistoryPage("program", program, None, None, entries, total)


def project_history(
    session: Session, actor: Actor, project_id: int, *, limit: int, offset: int
) -> HistoryPage:
    """Changes to a project, its tasks and the dependencies touching them."""
    project = get_project(session, actor, project_id)
    program = session.get(Program, project.program_id)
    assert program is not None
    task_ids = select(Task.id).where(Task.project_id == project_id)
    dependency_ids = select(Dependency.id).where(
        or_(
            Dependency.predecessor_task_id.in_(task_ids),
            Dependency.successor_task_id.in_(task_ids),
        )
    )
    condition = and_(
        AuditEntry.program_id == project.program_id,
        or_(
            and_(AuditEntry.entity_type == "project", AuditEntry.entity_id == project_id),
            and_(AuditEntry.entity_type == "task", AuditEntry.entity_id.in_(task_ids)),
            and_(AuditEntry.entity_type == "dependency", AuditEntry.entity_id.in_(dependency_ids)),
        ),
    )
    entries, total = _page(session, condition, limit=limit, offset=offset)
    return HistoryPage("project", program, project, None, entries, total)


def task_history(
    session: Session, actor: Actor, task_id: int, *, limit: int, offset: int
) -> HistoryPage:
    """Changes to a task and to the dependencies named after it."""
    task = get_task(session, actor, task_id)
    program = session.get(Program, task.program_id)
    project = session.get(Project, task.project_id)
    assert program is not None and project is not None
    key = task.key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    condition = and_(
        AuditEntry.program_id == task.program_id,
        or_(
            and_(AuditEntry.entity_type == "task", AuditEntry.entity_id == task_id),
            and_(
                AuditEntry.entity_type == "dependency",
                or_(
                    AuditEntry.entity_label.like(f"{key} → %", escape="\\"),
                    AuditEntry.entity_label.like(f"% → {key}", escape="\\"),
                ),
            ),
        ),
    )
    entries, total = _page(session, condition, limit=limit, offset=offset)
    return HistoryPage("task", program, project, task, entries, total)
