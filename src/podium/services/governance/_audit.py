"""Audit entries for governance records (labelled by their number or title)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from podium.services.actor import Actor
from podium.services.audit import entity_type_of, record_change, snapshot


def audit_created(
    session: Session, actor: Actor, record: Any, *, program_id: int, fields: list[str], label: str
) -> None:
    """Audit a new record: every field from ``None`` to its value."""
    session.flush()
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type=entity_type_of(record),
        entity_id=record.id,
        action="create",
        changes={k: [None, v] for k, v in snapshot(record, fields).items()},
        label=label,
    )


def audit_deleted(
    session: Session, actor: Actor, record: Any, *, program_id: int, fields: list[str], label: str
) -> None:
    """Audit a removed record: every field from its value to ``None``."""
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type=entity_type_of(record),
        entity_id=record.id,
        action="delete",
        changes={k: [v, None] for k, v in snapshot(record, fields).items()},
        label=label,
    )


def audit_action(
    session: Session,
    actor: Actor,
    record: Any,
    *,
    program_id: int,
    action: str,
    changes: dict[str, Any],
    label: str,
) -> None:
    """Audit a named action on a record (``approve``, ``close``…)."""
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type=entity_type_of(record),
        entity_id=record.id,
        action=action,
        changes=changes,
        label=label,
    )
