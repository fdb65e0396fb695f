"""Recording every change: who, when, which record, field: old → new."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
}


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


def list_entries(
    session: Session,
    *,
    program_id: int,
    entity_type: str | None = None,
    entity_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """A program's audit entries, newest first, with the total count."""
    query = select(AuditEntry).where(AuditEntry.program_id == program_id)
    if entity_type is not None:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total
