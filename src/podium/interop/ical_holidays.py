"""Holidays from an iCalendar (RFC 5545) file, such as a government's bank holiday feed.

Every all-day event is a holiday on each day it covers (``DTEND`` is the day after
the last, as RFC 5545 has it; without one, the event is one day), named by its
``SUMMARY``. A recurring event (``RRULE``, less its ``EXDATE`` days) is expanded
to its occurrences up to :data:`RECURRENCE_YEARS` years after its start. Timed
events (a meeting at 10:00) and cancelled ones are not holidays: they are skipped
and counted in the notes. The file is parsed before anything is returned, so a bad
file is refused whole.

Bounds keep a careless or hostile file small: at most :data:`MAX_FILE_BYTES`, one
event covers at most :data:`MAX_EVENT_DAYS` days (longer ones are cut, noted), the
file gives at most :data:`MAX_HOLIDAYS` holidays in all (a calendar's limit), and
it has at most :data:`MAX_RECURRING_EVENTS` recurring events, each recurring at
most daily and searched for occurrences no further than :data:`RECURRENCE_YEARS`
years: a rule that never occurs (``BYMONTH=2;BYMONTHDAY=30``) costs twenty years of
days, not the eight thousand years to 9999 that dateutil would search.
"""

from __future__ import annotations

import datetime as _datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from types import FunctionType, SimpleNamespace
from typing import Any

import dateutil.rrule
from dateutil.rrule import rrule, rrulestr
from icalendar import Calendar

from podium.errors import ValidationFailed
from podium.interop.plan_format import MAX_HOLIDAY_NAME

MAX_FILE_BYTES = 2 * 1024 * 1024  # a national feed of ten years is about 30 KiB
MAX_EVENT_DAYS = 366  # days one event may cover (a long closure, not a decade)
MAX_HOLIDAYS = 5_000  # holidays of one calendar (the API's limit)
RECURRENCE_YEARS = 20  # a recurring event without an end is expanded this far
MAX_OCCURRENCES = 1_000  # occurrences of one recurring event
MAX_RECURRING_EVENTS = 100  # recurring events of one file (each searched up to 20 years)
SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")  # frequencies of timed events, not of holidays


@dataclass
class HolidayFile:
    """What a file gives: holidays by day (the first name given to a day wins) and notes
    on what was skipped or cut."""

    holidays: dict[date, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": "file", "message": message}])


def _day(value: Any) -> date | None:
    """The date of an all-day ``DTSTART``/``DTEND``; None for a timed one."""
    moment = getattr(value, "dt", value)
    if isinstance(moment, datetime):
        return None
    return moment if isinstance(moment, date) else None


def occurrences_until(rule: rrule, last_year: int) -> Iterator[datetime]:
    """The rule's occurrences, searched for no later than the end of ``last_year``.

    dateutil checks ``UNTIL`` and ``COUNT`` only against an occurrence it has found,
    so a rule that never occurs (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) looks for one
    day after day up to year 9999: seconds of CPU for one line of a file. The only
    other end of its search is ``datetime.MAXYEAR``; the rule's own generator is run
    here with that end moved to ``last_year``, so it stops there as it would at 9999.
    """
    calendar_end = SimpleNamespace(**vars(_datetime))
    calendar_end.MAXYEAR = last_year
    search: Any = FunctionType(
        rrule._iter.__code__,  # type: ignore[attr-defined]
        {**vars(dateutil.rrule), "datetime": calendar_end},
    )
    found: Iterator[datetime] = search(rule)
    return found


def _rules(event: Any) -> list[str]:
    """The text of each of the event's ``RRULE`` properties (RFC 5545 has one at most;
    several are all expanded). A rule icalendar could not read is kept as it was
    written (a text, not a parsed rule), so that dateutil names the part that is wrong."""
    value = event.get("RRULE")
    found = value if isinstance(value, list) else [value] if value is not None else []
    return [str(rule) if isinstance(rule, str) else rule.to_ical().decode() for rule in found]


def _read_rule(text: str, start: datetime) -> rrule:
    """The rule of ``text`` from ``start``; a ``ValueError`` names what is wrong in it."""
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    if parts.get("FREQ") in SUB_DAILY:
        raise ValueError(
            f"its RRULE {text!r} recurs {parts['FREQ']}: a holiday recurs at most DAILY"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError(f"its RRULE {text!r} has both COUNT and UNTIL: RFC 5545 allows one")
    try:
        parsed = rrulestr(text, dtstart=start, ignoretz=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"its RRULE {text!r} cannot be read: {exc}") from exc
    assert isinstance(parsed, rrule)  # the text of one RRULE is one rule
    return parsed


def _years_after(start: datetime, years: int) -> datetime:
    """The same day ``years`` later; a 29 February the 28th when that year has none."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _starts(event: Any, first: date, notes: list[str]) -> list[date]:
    """The first day of each occurrence of ``event`` (one, unless it recurs); a rule
    with more than :data:`MAX_OCCURRENCES` is cut, noted."""
    texts = _rules(event)
    if not texts:
        return [first]
    start = datetime(first.year, first.month, first.day)  # noqa: DTZ001 (a floating day, as all-day dates are)
    horizon = _years_after(start, RECURRENCE_YEARS)
    days: set[date] = set()
    cut = False
    for text in texts:
        found = occurrences_until(_read_rule(text, start), horizon.year)
        taken = [o.date() for o in islice(found, MAX_OCCURRENCES + 1) if o <= horizon]
        cut = cut or len(taken) > MAX_OCCURRENCES
        days.update(taken[:MAX_OCCURRENCES])
    if not days:
        notes.append(
            f"{event.get('SUMMARY', 'an event')!s} from {first.isoformat()} recurs on no day "
            f"up to {horizon.date().isoformat()}"
        )
    if cut:
        notes.append(
            f"{event.get('SUMMARY', 'an event')!s} from {first.isoformat()} recurs more than "
            f"{MAX_OCCURRENCES} times: only its first {MAX_OCCURRENCES} occurrences are taken"
        )
    excluded = _excluded(event)
    return sorted(d for d in days if d not in excluded)


def _excluded(event: Any) -> set[date]:
    """The days an ``EXDATE`` (one property or several) takes out of a recurrence."""
    value = event.get("EXDATE")
    entries = value if isinstance(value, list) else [value] if value is not None else []
    days: set[date] = set()
    for entry in entries:
        for item in entry.dts:
            moment = item.dt
            days.add(moment.date() if isinstance(moment, datetime) else moment)
    return days


def _add_event(found: HolidayFile, event: Any) -> None:
    """The days of one all-day event (each occurrence, if it recurs) into ``found``."""
    first = _day(event.get("DTSTART"))
    assert first is not None
    name = str(event.get("SUMMARY", "")).strip()[:MAX_HOLIDAY_NAME]
    end = _day(event.get("DTEND"))
    duration = getattr(event.get("DURATION"), "dt", None)
    if end is not None and end > first:
        length = (end - first).days
    elif isinstance(duration, timedelta) and duration.days > 0:
        length = duration.days
    else:
        length = 1
    if length > MAX_EVENT_DAYS:
        found.notes.append(
            f"{name or 'an event'} from {first.isoformat()} covers {length} days: "
            f"only its first {MAX_EVENT_DAYS} are taken"
        )
        length = MAX_EVENT_DAYS
    for start in _starts(event, first, found.notes):
        for offset in range(length):
            day = start + timedelta(days=offset)
            if not found.holidays.get(day):
                found.holidays[day] = name
        if len(found.holidays) > MAX_HOLIDAYS:
            raise _refuse(f"the file gives more than {MAX_HOLIDAYS} holidays")


def read_holidays(data: bytes) -> HolidayFile:
    """The holidays of an iCalendar file; raises :class:`ValidationFailed` (field ``file``)
    for a file that is too large, not iCalendar, or gives too many."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        # a picture or a spreadsheet: say so, not what the parser made of its bytes
        raise _refuse("not an iCalendar file: it does not begin with BEGIN:VCALENDAR")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _refuse(f"not an iCalendar file: {str(exc)[:200]}") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise _refuse("not an iCalendar file: it has no VCALENDAR")
    found = HolidayFile()
    timed = cancelled = recurring = 0
    for number, event in enumerate(calendar.walk("VEVENT"), 1):
        label = f"event {number} ({str(event.get('SUMMARY', '')).strip()[:80] or 'no summary'})"
        try:
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                cancelled += 1
            elif _day(event.get("DTSTART")) is None:
                timed += 1
            else:
                recurring += event.get("RRULE") is not None
                if recurring > MAX_RECURRING_EVENTS:
                    raise _refuse(
                        f"the file has more than {MAX_RECURRING_EVENTS} recurring all-day events"
                    )
                _add_event(found, event)
        except ValueError as exc:  # a date or rule icalendar or dateutil cannot read
            raise _refuse(f"{label}: {exc}") from exc
    if timed:
        found.notes.append(f"{timed} timed event(s) skipped: only all-day events are holidays")
    if cancelled:
        found.notes.append(f"{cancelled} cancelled event(s) skipped")
    found.holidays = dict(sorted(found.holidays.items()))
    return found
