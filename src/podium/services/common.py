"""Helpers every area uses: versioned updates with audit, pagination, flushing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from podium.errors import Conflict, StaleVersion
from podium.services.actor import Actor
from podium.services.audit import _plain, entity_type_of, record_change

T = TypeVar("T")


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse to change a record whose version is not the one the caller read."""
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(
            f"this {entity_type_of(record).replace('_', ' ')} was changed by someone else "
            f"(your version {expected_version}, current {record.version}); reload and retry",
            details={"expected": expected_version, "current": record.version},
        )


def apply_update(
    session: Session,
    actor: Actor,
    record: Any,
    updates: Mapping[str, Any],
    *,
    program_id: int | None,
    expected_version: int | None,
    label: str | None = None,
) -> dict[str, list[Any]]:
    """Set the fields that differ, audit them, and return ``{field: [old, new]}``.

    ``label`` names the record in the audit log (default: its name or email).
    """
    check_version(record, expected_version)
    changes: dict[str, list[Any]] = {}
    for field, new in updates.items():
        old = getattr(record, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(record, field, new)
    if changes:
        record_change(
            session,
            actor,
            program_id=program_id,
            entity_type=entity_type_of(record),
            entity_id=record.id,
            action="update",
            changes=changes,
            label=label
            if label is not None
            else str(getattr(record, "name", "") or getattr(record, "email", "")),
        )
        flush(session)
    return changes


def flush(session: Session) -> None:
    """Flush, turning database refusals into domain errors."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleVersion("the record was changed by someone else; reload and retry") from exc
    except IntegrityError as exc:
        raise Conflict(
            "the change conflicts with existing data (a duplicate key or a missing reference)",
            details={"database": str(exc.orig).splitlines()[0][:300]},
        ) from exc


def paginate(session: Session, query: Select[T], *, limit: int, offset: int) -> tuple[list[T], int]:
    """One page of ``query`` and the total number of rows it matches."""
    items = list(session.scalars(query.limit(limit).offset(offset)))
    return items, count_rows(session, query)


def count_rows(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``query`` matches (for a page's total)."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def today() -> date:
    """The local calendar day (the day people in the meeting room call today)."""
    return datetime.now(UTC).astimezone().date()


def human_day(day: date) -> str:
    """A date as alert texts write it: ``21 Dec 2026``."""
    return f"{day.day} {day.strftime('%b %Y')}"
