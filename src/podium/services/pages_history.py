"""Read-only views for the history pages: a program's audit log, or one project's or task's,
and (admins) the whole system's.

A project's history is the project itself, its tasks and the dependencies that
touch them now; a task's is the task and every dependency named after it (also
the ones since removed). Work that was deleted keeps its history in the
program's log. The whole system's log also holds what belongs to no program
(users, calendars, resources, tokens) and every entry of a deleted program.
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
    Resource,
    Review,
    ReviewOccurrence,
    Role,
    Task,
    User,
)
from podium.services import audit
from podium.services.actor import Actor, require_role
from podium.services.audit import AuditFilter
from podium.services.projects import get_project
from podium.services.tasks import get_task

Scope = Literal["program", "project", "task"]
# derived, or shown another way (a dependency's ends: by its label)
QUIET_FIELDS = frozenset(
    {
        "position",
        "project_id",
        "wbs",
        "predecessor_task_id",
        "predecessor_milestone_id",
        "successor_task_id",
        "successor_milestone_id",
    }
)
# what a new record was not given, or a removed one did not hold: left out
UNSET: tuple[Any, ...] = (None, "", [], 0, 0.0, False, "asap")
KEYED = frozenset({"task", "milestone", "project"})  # shown by their key
PAGES = {
    "task": "/tasks/{}",
    "project": "/projects/{}",
    "program": "/programs/{}",
    "user": "/users/{}",
    "calendar": "/calendars/{}",
    "resource": "/resources/{}",
}
# the kinds with a page of their own whose entries name them only by id and label
LIVE_KINDS: dict[str, type[Program | User | Resource | Calendar]] = {
    "program": Program,
    "user": User,
    "resource": Resource,
    "calendar": Calendar,
}
# the fields that hold ids of other records: the name they are shown under, and the kind
# of record they name (what the log calls it); ``…_ids`` hold a list
ID_FIELDS: dict[str, tuple[str, str]] = {
    "parent_id": ("parent", "task"),
    "calendar_id": ("calendar", "calendar"),
    "manager_id": ("manager", "user"),
    "owner_id": ("owner", "user"),
    "user_id": ("account", "user"),
    "task_id": ("task", "task"),
    "resource_id": ("resource", "resource"),
    "occurrence_id": ("meeting", "review meeting"),
    "project_ids": ("projects", "project"),
    "task_ids": ("tasks", "task"),
}
Names = dict[tuple[str, int], str]
PROGRAM_KINDS = frozenset({"task", "project", "review meeting"})  # the others: outside any


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
    program_id: int | None = None
    program_key: str = ""  # as it is, or (a deleted program) as it was
    program_live: bool = False


@dataclass(frozen=True)
class AuditLogPage:
    """One page of the whole system's log (admins), with what it was narrowed to."""

    wanted: AuditFilter
    entries: list[HistoryEntry]
    total: int
    programs: list[tuple[int, str, bool]]  # what it can be narrowed to: id, key, live
    entity_types: tuple[str, ...] = audit.KNOWN_ENTITY_TYPES


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
    """A value as the page shows it: an ISO date or moment as a date, a list or a record
    as words (``type: slip, days: 5, task_id: 5``), not as the program's own notation."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
            if value[10] == "T":
                return datetime.fromisoformat(value)
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


def _ids_named(entries: list[AuditEntry]) -> dict[str, set[int]]:
    """The ids of other records that the entries' changes hold, by kind."""
    wanted: dict[str, set[int]] = {kind: set() for _name, kind in ID_FIELDS.values()}
    for entry in entries:
        for field, pair in (entry.changes or {}).items():
            if field not in ID_FIELDS or not isinstance(pair, list):
                continue
            kind = ID_FIELDS[field][1]
            for value in pair:
                values = value if isinstance(value, list) else [value]
                wanted[kind] |= {v for v in values if _is_id(v)}
    return wanted


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= audit.MAX_ID


def _names(session: Session, entries: list[AuditEntry]) -> Names:
    """Keys and names of the records that entries are about or mention and that are still
    there: one query per kind of record, whatever the number of entries."""
    wanted = _ids_named(entries)
    for kind in ("task", "milestone", "project"):
        wanted.setdefault(kind, set()).update(e.entity_id for e in entries if e.entity_type == kind)
    queries: dict[str, Any] = {
        "task": select(Task.id, Task.key).where(Task.id.in_(wanted["task"])),
        "milestone": select(Milestone.id, Milestone.key).where(
            Milestone.id.in_(wanted["milestone"])
        ),
        "project": select(Project.id, Project.key).where(Project.id.in_(wanted["project"])),
        "calendar": select(Calendar.id, Calendar.name).where(Calendar.id.in_(wanted["calendar"])),
        "user": select(User.id, func.coalesce(func.nullif(User.name, ""), User.email)).where(
            User.id.in_(wanted["user"])
        ),
        "resource": select(Resource.id, Resource.name).where(Resource.id.in_(wanted["resource"])),
        "review meeting": select(ReviewOccurrence.id, Review.name, ReviewOccurrence.held_on)
        .join(Review, Review.id == ReviewOccurrence.review_id)
        .where(ReviewOccurrence.id.in_(wanted["review meeting"])),
    }
    names: Names = {}
    for kind, query in queries.items():
        if not wanted[kind]:
            continue
        for row in session.execute(query):
            name = f"{row[1]} on {row[2].isoformat()}" if kind == "review meeting" else row[1]
            names[(kind, row[0])] = str(name)
    return names


def _gone_names(session: Session, entries: list[AuditEntry], names: Names) -> Names:
    """How the records that entries mention and that have been deleted since were named
    when they went (from the log's own entry of their removal), in one query."""
    missing = {
        kind: ids - {i for k, i in names if k == kind} for kind, ids in _ids_named(entries).items()
    }
    programs = {e.program_id for e in entries if e.program_id is not None}
    conditions = [
        and_(
            # where the removal was logged: in the entries' programs, or outside any
            AuditEntry.program_id.in_(programs)
            if kind in PROGRAM_KINDS
            else AuditEntry.program_id.is_(None),
            AuditEntry.entity_type == kind,
            AuditEntry.entity_id.in_(ids),
        )
        for kind, ids in missing.items()
        if ids
    ]
    if not conditions:
        return {}
    found: Names = {}
    for kind, record_id, label, changes in session.execute(
        select(
            AuditEntry.entity_type,
            AuditEntry.entity_id,
            AuditEntry.entity_label,
            AuditEntry.changes,
        )
        .where(AuditEntry.action == "delete", or_(*conditions))
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        key = (changes or {}).get("key") if kind in KEYED else None
        was = key[0] if isinstance(key, list) and len(key) == 2 and key[0] else label
        found[(kind, record_id)] = str(was or "")
    return found


def _named(value: Any, kind: str, names: Names, gone: Names) -> Any:
    """An id as the name of what it is (a deleted record's as it was, marked deleted)."""
    if not _is_id(value):
        return value
    if (kind, value) in names:
        return names[(kind, value)]
    was = gone.get((kind, value))
    return f"{was} (deleted)" if was else f"#{value} (deleted)"


def _named_ids(value: Any, kind: str, names: Names, gone: Names) -> Any:
    """One id, or a list of them (``PLAT, SEC``: by name, those known by number last), as
    names."""
    if isinstance(value, list):
        shown = sorted(
            (str(_named(v, kind, names, gone)) for v in value),
            key=lambda name: (name.startswith("#"), name.lower()),
        )
        return ", ".join(shown) if shown else None
    return _named(value, kind, names, gone)


def _live(session: Session, entries: list[AuditEntry]) -> set[tuple[str, int]]:
    """The programs, users, calendars and resources that entries are about and that are
    still there (they have a page to link to)."""
    found: set[tuple[str, int]] = set()
    for kind, model in LIVE_KINDS.items():
        ids = {e.entity_id for e in entries if e.entity_type == kind}
        if ids:
            found |= {(kind, i) for i in session.scalars(select(model.id).where(model.id.in_(ids)))}
    return found


def _programs(session: Session, entries: list[AuditEntry]) -> dict[int, tuple[str, bool]]:
    """The key of each program the entries are in, and whether it is still there."""
    ids = {e.program_id for e in entries if e.program_id is not None}
    if not ids:
        return {}
    found = {
        program_id: (key, True)
        for program_id, key in session.execute(
            select(Program.id, Program.key).where(Program.id.in_(ids))
        )
    }
    gone = audit.deleted_program_keys(session, ids - set(found))
    return found | {program_id: (key, False) for program_id, key in gone.items()}


def _changes(entry: AuditEntry, names: Names, gone: Names) -> list[FieldChange]:
    found = []
    # by field name: PostgreSQL keeps a record's fields in an order of its own, so the
    # order they were written in is not kept on every database
    for field, pair in sorted((entry.changes or {}).items()):
        if not isinstance(pair, list) or len(pair) != 2 or field in QUIET_FIELDS:
            continue
        old, new = pair
        if entry.action == "create" and new in UNSET:
            continue  # a new record: only what was set
        if entry.action == "delete" and old in UNSET:
            continue  # a removed record: what it held
        if field in ID_FIELDS:
            field, kind = ID_FIELDS[field]
            old, new = _named_ids(old, kind, names, gone), _named_ids(new, kind, names, gone)
        found.append(FieldChange(field, _plain_value(old), _plain_value(new)))
    return found


def _key(entry: AuditEntry, names: Names) -> str:
    known = names.get((entry.entity_type, entry.entity_id)) if entry.entity_type in KEYED else None
    if known:
        return known
    key = (entry.changes or {}).get("key")
    if isinstance(key, list) and len(key) == 2:
        return str(key[1] or key[0] or "")
    return ""


def _link(entry: AuditEntry, there: set[tuple[str, int]]) -> str | None:
    page = PAGES.get(entry.entity_type)
    if page is None or (entry.entity_type, entry.entity_id) not in there:
        return None  # no page of its own, or removed since
    return page.format(entry.entity_id)


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
    gone = _gone_names(session, entries, names)
    there = set(names) | _live(session, entries)
    programs = _programs(session, entries)
    found = []
    for entry, user_name in rows:
        program_key, program_live = programs.get(entry.program_id or 0, ("", False))
        found.append(
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
                link=_link(entry, there),
                changes=_changes(entry, names, gone),
                program_id=entry.program_id,
                program_key=program_key,
                program_live=program_live,
            )
        )
    return found, total


def audit_log(
    session: Session, actor: Actor, wanted: AuditFilter, *, limit: int, offset: int
) -> AuditLogPage:
    """Every change in the system that ``wanted`` picks, newest first (admins): in every
    program, deleted ones too, and outside any (users, calendars, resources, tokens)."""
    entries, total = _page(
        session, audit.entries_condition(actor, wanted), limit=limit, offset=offset
    )
    live = [(i, key, True) for i, key in session.execute(select(Program.id, Program.key))]
    gone = [(i, key, False) for i, key in audit.deleted_program_keys(session).items()]
    programs = sorted(live + gone, key=lambda p: (p[1].lower(), not p[2], p[0]))
    return AuditLogPage(wanted, entries, total, programs)


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
