"""Stored calendars as the engine's :class:`~podium.engine.WorkCalendar`: the one place
that reads a calendar row's worked weekdays, holidays and extra working days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.models import Calendar

# the columns a working calendar is read from (``select(Calendar.id, *WORK_COLUMNS)``)
WORK_COLUMNS = (Calendar.weekmask, Calendar.holidays, Calendar.extra_workdays)


def stored_dates(entries: Iterable[dict[str, Any]] | None) -> list[date]:
    """The dates of stored ``{"date": …, "name": …}`` entries, sorted."""
    return sorted(date.fromisoformat(e["date"]) for e in (entries or []))


def work_calendar(row: Any) -> WorkCalendar:
    """A calendar row (or a row of :data:`WORK_COLUMNS`) as the engine reads it."""
    return WorkCalendar(row.weekmask, stored_dates(row.holidays), stored_dates(row.extra_workdays))


def calendars_by_id(
    session: Session, calendar_ids: Iterable[int | None]
) -> dict[int, WorkCalendar]:
    """The working calendars of these ids (``None`` and unknown ids left out)."""
    ids = {c for c in calendar_ids if c is not None}
    if not ids:
        return {}
    rows = session.execute(select(Calendar.id, *WORK_COLUMNS).where(Calendar.id.in_(ids)))
    return {row.id: work_calendar(row) for row in rows}
