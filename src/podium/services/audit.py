"""Recording every change: who, when, which record, field: old → new; and reading it back,
a program's log or (admins) the whole system's, with the changes outside any program
(users, calendars, resources, tokens) and those of programs since deleted."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from podium.errors import Forbidden, NotFound, ValidationFailed, field_error
from podium.models import AuditEntry
from podium.services.actor import Actor

ENTITY_TYPES = {
    "programs": "program",
    "memberships": "membership",
    "projects": "project",
    "tasks": "task",
    "milestones": "milestone",
    "dependencies": "dependency",
    "calendars": "calendar",
    "users": "user",
    "baselines": "baseline",
    "forecasts": "forecast",
    "resources": "resource",
    "assignments": "assignment",
    "risks": "risk",
    "risk_actions": "risk action",
    "benefits": "benefit",
    "benefit_measurements": "benefit measurement",
    "reviews": "review",
    "review_occurrences": "review meeting",
    "agenda_items": "agenda item",
    "decisions": "decision",
    "change_requests": "change request",
    "stakeholders": "stakeholder",
    "program_closeouts": "close-out",
    "lessons": "lesson",
    "scenarios": "scenario",
    "webhook_subscriptions": "webhook",
    "api_tokens": "token",
    "calendar_feeds": "feed",
    "issued_reports": "report",
    "risk_rules": "risk rules",
}
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
# what ``entity_type`` may be asked for: every kind the log records
KNOWN_ENTITY_TYPES = tuple(sorted(set(ENTITY_TYPES.values())))


def entity_type_of(record: Any) -> str:
    """The audit name of a record's kind (``task``, ``dependency``…)."""
    table: str = record.__tablename__
    return ENTITY_TYPES.get(table, table)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def snapshot(record: Any, fields: list[str]) -> dict[str, Any]:
    """The JSON-ready values of ``fields`` on ``record``."""
    return {name: _plain(getattr(record, name)) for name in fields}


def record_change(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any],
    label: str = "",
) -> None:
    """Append one audit entry (inside the caller's transaction)."""
    session.add(
        AuditEntry(
            user_id=actor.user_id,
            user_email=actor.email,
            program_id=program_id,
            entity_type=entity_type,
            entity_id=entity_id,
            entity_label=label[:300],
            action=action,
            changes=changes,
        )
    )


def record_created(
    session: Session,
    actor: Actor,
    record: Any,
    *,
    program_id: int | None,
    fields: list[str],
    label: str | None = None,
) -> None:
    """Audit a new record: every field from ``None`` to its value."""
    session.flush()
    values = snapshot(record, fields)
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type=entity_type_of(record),
        entity_id=record.id,
        action="create",
        changes={k: [None, v] for k, v in values.items()},
        label=label
        if label is not None
        else str(getattr(record, "name", "") or getattr(record, "email", "")),
    )


def record_deleted(
    session: Session,
    actor: Actor,
    record: Any,
    *,
    program_id: int | None,
    fields: list[str],
    label: str | None = None,
) -> None:
    """Audit a removed record: every field from its value to ``None``."""
    values = snapshot(record, fields)
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type=entity_type_of(record),
        entity_id=record.id,
        action="delete",
        changes={k: [v, None] for k, v in values.items()},
        label=label
        if label is not None
        else str(getattr(record, "name", "") or getattr(record, "email", "")),
    )


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to read; ``since`` and ``until`` are days (UTC), both counted."""

    program_id: int | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    user_id: int | None = None
    user_email: str | None = None
    since: date | None = None
    until: date | None = None


def check_filter(wanted: AuditFilter) -> None:
    """Refuse a kind the log never records (it would find nothing, silently) and a
    ``since`` after ``until``."""
    if wanted.entity_type is not None and wanted.entity_type not in KNOWN_ENTITY_TYPES:
        allowed = ", ".join(KNOWN_ENTITY_TYPES)
        message = f"{wanted.entity_type!r} is not a kind of record; one of: {allowed}"
        raise ValidationFailed(
            f"entity_type: {message}",
            details=[
                {
                    "field": "entity_type",
                    "message": message,
                    "allowed": list(KNOWN_ENTITY_TYPES),
                }
            ],
        )
    if wanted.since is not None and wanted.until is not None and wanted.since > wanted.until:
        raise field_error("until", f"must not be before since ({wanted.since.isoformat()})")


def _conditions(wanted: AuditFilter) -> list[ColumnElement[bool]]:
    check_filter(wanted)
    found: list[ColumnElement[bool]] = []
    if wanted.program_id is not None:
        found.append(AuditEntry.program_id == wanted.program_id)
    if wanted.entity_type is not None:
        found.append(AuditEntry.entity_type == wanted.entity_type)
    if wanted.entity_id is not None:
        found.append(AuditEntry.entity_id == wanted.entity_id)
    if wanted.user_id is not None:
        found.append(AuditEntry.user_id == wanted.user_id)
    if wanted.user_email:
        found.append(AuditEntry.user_email == wanted.user_email.strip().lower())
    if wanted.since is not None:
        found.append(AuditEntry.at >= datetime.combine(wanted.since, time.min, UTC))
    if wanted.until is not None and wanted.until < date.max:
        after = datetime.combine(wanted.until + timedelta(days=1), time.min, UTC)
        found.append(AuditEntry.at < after)
    return found


def entries_condition(actor: Actor, wanted: AuditFilter) -> ColumnElement[bool]:
    """The entries of the whole system that ``wanted`` picks (admins only): the
    changes in every program, deleted ones too, and those outside any program."""
    if not actor.is_admin:
        raise Forbidden("only an admin can read the whole audit log")
    return and_(true(), *_conditions(wanted))


def program_condition(program_id: int, wanted: AuditFilter) -> ColumnElement[bool]:
    """A program's entries that ``wanted`` picks (the caller checks the reader may see it)."""
    return and_(AuditEntry.program_id == program_id, *_conditions(wanted))


def list_entries(
    session: Session,
    *,
    program_id: int,
    wanted: AuditFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """A program's audit entries, newest first, with the total count (the caller checks
    that the reader may see the program)."""
    condition = program_condition(program_id, wanted or AuditFilter())
    return _read(session, condition, limit=limit, offset=offset)


def list_all_entries(
    session: Session,
    actor: Actor,
    wanted: AuditFilter,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """The whole system's audit entries (admins), newest first, with the total count."""
    return _read(session, entries_condition(actor, wanted), limit=limit, offset=offset)


def _read(
    session: Session, condition: ColumnElement[bool], *, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    total = session.scalar(select(func.count(AuditEntry.id)).where(condition)) or 0
    rows = session.scalars(
        select(AuditEntry)
        .where(condition)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def deleted_program_keys(session: Session, program_ids: set[int] | None = None) -> dict[int, str]:
    """The keys deleted programs had, from the entries that recorded their deletion
    (``program_ids``: only those; ``None``: every deleted program)."""
    query = select(AuditEntry.entity_id, AuditEntry.changes).where(
        AuditEntry.entity_type == "program", AuditEntry.action == "delete"
    )
    if program_ids is not None:
        if not program_ids:
            return {}
        query = query.where(AuditEntry.entity_id.in_(program_ids))
    found: dict[int, str] = {}
    for program_id, changes in session.execute(query.order_by(AuditEntry.id)):
        key = (changes or {}).get("key")
        if isinstance(key, list) and key and isinstance(key[0], str):
            found[program_id] = key[0]
    return found


def find_logged_program(session: Session, ref: str) -> int:
    """The id of the program a key (``CLOUD``) or id (``3``) names in the log: a live
    program first, else the last deleted one that had the key."""
    from podium.services.programs import program_id_by_key  # programs audits: no cycle

    live = program_id_by_key(session, ref.strip())
    if live is not None:
        return live
    if ref.strip().isdecimal() and 0 < int(ref.strip()) <= MAX_ID:
        return int(ref.strip())
    deleted = [
        program_id
        for program_id, key in deleted_program_keys(session).items()
        if key.lower() == ref.strip().lower()
    ]
    if not deleted:
        raise NotFound(f"no program with key or id {ref!r}, live or deleted")
    return max(deleted)
