"""Factories for engine tests: small networks written the way a planner says them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from podium.engine import Activity, Link, Network, ScheduleResult, WorkCalendar, schedule

MONDAY = date(2027, 1, 4)  # program start in the hand-computed tests
WEEKDAYS = WorkCalendar("1111100")


def day(text: str) -> date:
    """``day("2027-01-04")``."""
    return date.fromisoformat(text)


def task(activity_id: str, duration: int, **fields: Any) -> Activity:
    """A task of ``duration`` working days."""
    return Activity(activity_id, duration, **fields)


def milestone(activity_id: str, **fields: Any) -> Activity:
    """A zero-duration activity."""
    return Activity(activity_id, 0, **fields)


def link(pred: str, succ: str, kind: str = "FS", lag: int = 0) -> Link:
    """A dependency ``pred`` → ``succ``."""
    return Link(pred, succ, kind, lag)  # type: ignore[arg-type]


def network(
    *activities: Activity,
    links: Iterable[Link] = (),
    start: date = MONDAY,
    calendar: WorkCalendar = WEEKDAYS,
    calendars: Mapping[str, WorkCalendar] | None = None,
    status_date: date | None = None,
) -> Network:
    """A program network starting on Monday 2027-01-04 on a Mon-Fri calendar."""
    return Network(
        start,
        list(activities),
        list(links),
        calendars=dict(calendars or {}),
        default_calendar=calendar,
        status_date=status_date,
    )


def run(*activities: Activity, **options: Any) -> ScheduleResult:
    """Schedule a :func:`network`."""
    return schedule(network(*activities, **options))


def early(result: ScheduleResult, activity_id: str) -> tuple[str, str]:
    """(early start, early finish) as ISO dates."""
    row = result[activity_id]
    return row.early_start.isoformat(), row.early_finish.isoformat()


def late(result: ScheduleResult, activity_id: str) -> tuple[str, str]:
    """(late start, late finish) as ISO dates."""
    row = result[activity_id]
    return row.late_start.isoformat(), row.late_finish.isoformat()


def floats(result: ScheduleResult, activity_id: str) -> tuple[int, int]:
    """(total float, free float)."""
    row = result[activity_id]
    return row.total_float, row.free_float
