"""The window of dates a plan may hold: 1 January 1900 to 31 December 2200.

A date typed with the wrong year (``0001``, ``0999``, ``2999``, ``9999``) is a slip of
the keyboard, not a plan: stored, it draws a roadmap spanning millennia, turns every
health rule red or green for nonsense reasons, and leaves reviews, decisions, risks and
benefits sorted among records no one will ever read. The window is wide enough for any
real plan and its history: it holds Microsoft Project's own range (1984 to 2149) with
room on both sides, a century of actuals back and the longest infrastructure programs
forward; and it is narrow enough that every schedule, calendar, load and cadence built
from it spans at most three centuries.

A ``before_flush`` listener checks every date a person gives (the fields in
:data:`GIVEN_DATES` and the dated lists in :data:`LISTED_DATES`) on every record a flush
writes, however it was made (API, page, command, import), so no write path can forget
the rule; rows written in bulk are checked with :func:`check_rows`. (A restore loads an
archive as it was kept, outside this check.) Only values that change are checked: a
record holding an older date outside the window can still be edited in its other fields.
Dates the scheduler computes (early and late dates, baselines, forecasts) are not checked
here. Dates that are read rather than stored (a status date or an ``as_of`` in a query)
are checked by the service that reads them, with :func:`check_plan_date`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from podium.errors import ValidationFailed
from podium.models import (
    Benefit,
    BenefitMeasurement,
    Calendar,
    Decision,
    Milestone,
    Program,
    ProgramCloseout,
    Project,
    Resource,
    Review,
    ReviewOccurrence,
    Risk,
    RiskAction,
    Task,
)

FIRST_PLAN_DATE = date(1900, 1, 1)
LAST_PLAN_DATE = date(2200, 12, 31)

# the dates people type, per record: the attribute and the field name errors use
GIVEN_DATES: Mapping[type, Mapping[str, str]] = {
    Program: {
        "start_date": "start_date",
        "status_date": "status_date",
        "goal_target_date": "goal.target_date",
    },
    Project: {"start_date": "start_date"},
    Task: {
        "constraint_date": "constraint_date",
        "deadline": "deadline",
        "actual_start": "actual_start",
        "actual_finish": "actual_finish",
        "leveled_start": "leveled_start",
    },
    Milestone: {"target_date": "target_date"},
    Risk: {"due_date": "due_date", "realized_on": "realized_on", "closed_on": "closed_on"},
    RiskAction: {"due_date": "due_date", "done_on": "done_on"},
    Benefit: {"baseline_date": "baseline_date", "target_date": "target_date"},
    BenefitMeasurement: {"measured_on": "measured_on"},
    Review: {"first_date": "first_date", "until_date": "until_date"},
    ReviewOccurrence: {"held_on": "held_on"},
    Decision: {"decided_on": "decided_on"},
    ProgramCloseout: {"closed_on": "closed_on"},
}

# lists of dated entries kept as JSON: the attribute and the ISO-date keys of each entry
LISTED_DATES: Mapping[type, Mapping[str, tuple[str, ...]]] = {
    Calendar: {"holidays": ("date",), "extra_workdays": ("date",)},
    Resource: {"time_off": ("start", "finish")},
}


def in_window(day: date) -> bool:
    """Whether ``day`` lies in the window of plan dates."""
    return FIRST_PLAN_DATE <= day <= LAST_PLAN_DATE


def window_message(day: date | str) -> str:
    """Why a date is refused, naming the window."""
    return (
        f"{day} is outside the dates a plan may hold "
        f"({FIRST_PLAN_DATE.isoformat()} to {LAST_PLAN_DATE.isoformat()}): check the year"
    )


def _detail(field: str, day: date | str) -> dict[str, str]:
    return {
        "field": field,
        "message": window_message(day),
        "first": FIRST_PLAN_DATE.isoformat(),
        "last": LAST_PLAN_DATE.isoformat(),
    }


def _refusal(details: list[dict[str, str]]) -> ValidationFailed:
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return ValidationFailed(message, details=details)


def check_plan_date(field: str, day: date | None) -> None:
    """Refuse a date outside the window (``None`` passes), naming ``field``."""
    if day is not None and not in_window(day):
        raise _refusal([_detail(field, day)])


def check_rows(model: type, rows: Sequence[Mapping[str, Any]], *, plural: str) -> None:
    """Refuse rows of ``model`` written in bulk (an ``INSERT`` the listener below does not
    see) that give a date outside the window; each is named ``plural.<key>.<field>``."""
    fields = GIVEN_DATES.get(model, {})
    found = [
        _detail(f"{plural}.{row.get('key', index)}.{field}", day)
        for index, row in enumerate(rows)
        for attribute, field in fields.items()
        if isinstance(day := row.get(attribute), date) and not in_window(day)
    ]
    if found:
        raise _refusal(found)


def _given(obj: Any, attribute: str, *, new: bool) -> tuple[list[Any], list[Any]]:
    """The values of ``attribute`` this flush writes, and those it replaces."""
    if new:
        return [getattr(obj, attribute, None)], []
    history = inspect(obj).attrs[attribute].history
    return list(history.added), list(history.deleted) + list(history.unchanged)


def _listed_entries(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (entry for entry in value if isinstance(entry, Mapping))


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None  # not a date at all: the record's own validation says so
    return None


def dates_outside_window(obj: Any, *, new: bool) -> list[dict[str, str]]:
    """The given dates of ``obj`` that this flush would write outside the window."""
    found: list[dict[str, str]] = []
    for model, fields in GIVEN_DATES.items():
        if isinstance(obj, model):
            for attribute, field in fields.items():
                added, _old = _given(obj, attribute, new=new)
                found += [
                    _detail(field, d) for d in added if isinstance(d, date) and not in_window(d)
                ]
    for model, lists in LISTED_DATES.items():
        if isinstance(obj, model):
            for attribute, keys in lists.items():
                added, old = _given(obj, attribute, new=new)
                kept = [entry for value in old for entry in _listed_entries(value)]
                for value in added:
                    for entry in _listed_entries(value):
                        if entry in kept:  # an entry already held is not typed again
                            continue
                        for key in keys:
                            day = _day(entry.get(key))
                            if day is not None and not in_window(day):
                                found.append(_detail(attribute, day))
    return found


@event.listens_for(Session, "before_flush")
def _refuse_dates_outside_the_window(session: Session, _context: Any, _instances: Any) -> None:
    found: list[dict[str, str]] = []
    for obj in session.new:
        found += dates_outside_window(obj, new=True)
    for obj in session.dirty:
        if session.is_modified(obj):
            found += dates_outside_window(obj, new=False)
    if found:
        raise _refusal(found)
