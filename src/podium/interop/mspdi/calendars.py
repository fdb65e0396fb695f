"""MSPDI calendars: work weeks, exceptions (recurring ones expanded to days), derived calendars.

A plan-format calendar has worked weekdays, holidays and extra working days, so a
calendar of the file becomes: the weekdays its ``WeekDays`` mark as working (a
derived calendar — ``IsBaseCalendar`` 0 — takes the days it does not list from its
base calendar), as holidays every working weekday a non-working exception covers,
and as extra working days every non-working weekday a working exception covers (an
extra working Saturday), wherever they fall. Recurring exceptions
(``Exception/Type`` 1–7: daily, every n days, weekly, monthly by day or position,
yearly by day or position) are expanded to their days; files written before
Project 2007 list exceptions as ``WeekDay`` entries of ``DayType`` 0 instead.

Two bounds keep a hostile or careless file from making a calendar of millions of
days, and each is noted when it bites: one exception expands to at most
:data:`MAX_EXPANDED_DAYS` days (every day Microsoft Project can date), and a
calendar that would get more than :data:`MAX_HOLIDAYS` holidays (or as many extra
working days) keeps only those from a year before the plan to two years after it.
A third bounds the work: all the exceptions of one file may take at most
:data:`MAX_FILE_STEPS` steps (a day, week, month or year each) to expand, else the
file is refused, so a small file of many long exceptions cannot keep a server busy.
Working hours within a day cannot be carried (a plan calendar counts whole days):
an extra working day is a whole working day, and a working exception on a weekday
the week works already, which changes only its hours, is noted as not carried. A
holiday or an extra working day keeps the name of the exception that covers it
(the first such exception that has a name); where a working and a non-working
exception of one calendar cover the same day, the day is not worked.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from podium.interop.mspdi._xml import Q, flag, parse_date, text, whole
from podium.interop.plan_format import MAX_HOLIDAY_NAME

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# MSPDI DayType: 1 = Sunday … 7 = Saturday
DAY_TYPE = {1: "Sun", 2: "Mon", 3: "Tue", 4: "Wed", 5: "Thu", 6: "Fri", 7: "Sat"}
# days one exception may cover: Microsoft Project's dates run from 1984 to 2149
MAX_EXPANDED_DAYS = (dt.date(2150, 1, 1) - dt.date(1984, 1, 1)).days
# steps all the exceptions of one file may take to expand: about 33 exceptions as
# long as MAX_EXPANDED_DAYS (a real plan's calendars take a few thousand)
MAX_FILE_STEPS = 2_000_000
MAX_HOLIDAYS = 5_000  # holidays of one calendar kept wherever they fall
NEAR_BEFORE = dt.timedelta(days=366)  # beyond MAX_HOLIDAYS, keep those from a year before
NEAR_AFTER = dt.timedelta(days=731)  # the plan's start to two years after its finish


class CalendarPartError(ValueError):
    """A part of a calendar that cannot be read: ``part`` says which (``exception 2
    ('Easter')``, ``WeekDay 3 (Tuesday)``), the message what is wrong with it."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(f"{part}: {message}")
        self.part = part
        self.message = message


class ExpansionBudget:
    """The steps a file's exceptions may still take to expand (:data:`MAX_FILE_STEPS`)."""

    def __init__(self, steps: int = MAX_FILE_STEPS) -> None:
        self.steps = steps
        self.left = steps

    def take(self, steps: int = 1) -> None:
        """``steps`` more; raises ValueError (the file is refused) past the budget."""
        self.left -= steps
        if self.left < 0:
            raise ValueError(
                f"the calendars' exceptions take more than {self.steps:,} days, weeks or "
                "months in all to expand: too many for one plan, so the file is not read"
            )


@dataclass
class FileCalendar:
    """A calendar of the file, resolved: name, worked weekdays, days off and days worked
    by an exception (each with the name of its exception, or ``""``), and the exceptions
    cut at :data:`MAX_EXPANDED_DAYS`."""

    uid: str
    name: str
    base_uid: str | None
    own_days: dict[str, bool] = field(default_factory=dict)
    off: dict[dt.date, str] = field(default_factory=dict)
    working: dict[dt.date, str] = field(default_factory=dict)
    cut: list[str] = field(default_factory=list)
    # a worked weekday's first working time ("Mon" → 08:00), as the file lists it
    day_starts: dict[str, dt.time] = field(default_factory=dict)


def _month_position(year: int, month: int, position: int, item: int) -> dt.date | None:
    """The day of ``month`` a relative rule names: ``position`` 0–3 first…fourth, 4 last;
    ``item`` 0 any day, 1 weekday, 2 weekend day, 3–9 Sunday…Saturday."""
    last = cal.monthrange(year, month)[1]
    days = [dt.date(year, month, d) for d in range(1, last + 1)]
    if item == 0:
        chosen = days
    elif item == 1:
        chosen = [d for d in days if d.weekday() < 5]
    elif item == 2:
        chosen = [d for d in days if d.weekday() >= 5]
    else:
        weekday = (item - 4) % 7  # 3 = Sunday (6), 4 = Monday (0) …
        chosen = [d for d in days if d.weekday() == weekday]
    if not chosen:
        return None
    if position >= 4:
        return chosen[-1]
    return chosen[position] if position < len(chosen) else None


def _months(start: dt.date, step: int) -> Iterator[tuple[int, int]]:
    index = start.year * 12 + start.month - 1
    while True:
        year, month = divmod(index, 12)
        yield year, month + 1
        index += step


def _period_day(value: str, name: str) -> dt.date:
    """The day of a ``TimePeriod``'s ``FromDate`` or ``ToDate``; a ValueError naming it."""
    try:
        return parse_date(value)
    except ValueError:
        shown = repr(value[:40]) + ("…" if len(value) > 40 else "")
        raise ValueError(f"TimePeriod {name} {shown} is not a date (2027-01-04T00:00:00)") from None


def _within(element: Element, name: str, default: int, low: int, high: int, what: str) -> int:
    """A numbered code of a recurrence (absent: ``default``); one outside ``low`` …
    ``high`` is a ValueError that says what it should be."""
    value = whole(element, name, default)
    if not low <= value <= high:
        raise ValueError(f"{name} {value} is not {what}")
    return value


def exception_days(element: Element, budget: ExpansionBudget | None = None) -> list[dt.date]:
    """Every day an ``Exception`` covers (recurring ones expanded, within its period);
    each day, week, month or year looked at is a step of ``budget``."""
    budget = budget or ExpansionBudget()
    period = element.find(Q + "TimePeriod")
    if period is None:
        return []
    start_text, finish_text = text(period, "FromDate"), text(period, "ToDate")
    if start_text is None:
        return []
    start = _period_day(start_text, "FromDate")
    finish = _period_day(finish_text, "ToDate") if finish_text else start
    kind = _within(element, "Type", 1, 1, 7, "an exception type (1 to 7)")
    step = max(1, whole(element, "Period", 1))
    occurrences = whole(element, "Occurrences", 0) or None
    if kind in (2, 3):
        in_year = _within(element, "Month", 0, 0, 11, "a month (0 = January … 11 = December)")
    if kind in (2, 4):
        day_of_month = _within(element, "MonthDay", 1, 1, 31, "a day of a month (1 to 31)")
    if kind in (3, 5):
        position = _within(
            element, "MonthPosition", 0, 0, 4, "a week of a month (0 = first … 4 = last)"
        )
        item = _within(
            element, "MonthItem", 0, 0, 9, "a kind of day (0 = day … 3 = Sunday … 9 = Saturday)"
        )

    # the days the rule names in order, with None for a step that names none
    def candidates() -> Iterator[dt.date | None]:
        if kind == 1:  # every day of the period
            yield from (start + dt.timedelta(days=n) for n in range((finish - start).days + 1))
        elif kind == 7:  # every n days
            day = start
            while True:
                yield day
                day += dt.timedelta(days=step)
        elif kind == 6:  # weekly: DaysOfWeek bits, 1 = Sunday … 64 = Saturday
            mask = whole(element, "DaysOfWeek", 0) & 0b1111111
            week = start - dt.timedelta(days=(start.weekday() + 1) % 7)  # its Sunday
            while mask:
                for offset in range(7):
                    if mask & (1 << offset):
                        yield week + dt.timedelta(days=offset)
                week += dt.timedelta(weeks=step)
                if week > finish:
                    return
                yield None  # a step, for the budget
        elif kind in (4, 5):  # monthly: by day of month, or by position
            for year, month in _months(start, step):
                if (year, month) > (finish.year, finish.month):
                    return
                if kind == 4:
                    if day_of_month <= cal.monthrange(year, month)[1]:
                        yield dt.date(year, month, day_of_month)
                    else:
                        yield None
                else:
                    yield _month_position(year, month, position, item)
        elif kind in (2, 3):  # yearly: a day of a month, or a position in it
            for year in range(start.year, finish.year + 1):
                if kind == 2:
                    if day_of_month <= cal.monthrange(year, in_year + 1)[1]:
                        yield dt.date(year, in_year + 1, day_of_month)
                    else:
                        yield None
                else:
                    yield _month_position(year, in_year + 1, position, item)

    days: list[dt.date] = []
    for day in candidates():
        budget.take()
        if day is None:
            continue
        if day > finish or len(days) >= MAX_EXPANDED_DAYS:
            break
        if day < start:
            continue
        days.append(day)
        if kind != 1 and occurrences is not None and len(days) >= occurrences:
            break
    return days


def _legacy_exception_days(
    week_day: Element, budget: ExpansionBudget | None = None
) -> list[dt.date]:
    period = week_day.find(Q + "TimePeriod")
    if period is None:
        return []
    start_text, finish_text = text(period, "FromDate"), text(period, "ToDate")
    if start_text is None:
        return []
    start = _period_day(start_text, "FromDate")
    finish = _period_day(finish_text, "ToDate") if finish_text else start
    count = min((finish - start).days + 1, MAX_EXPANDED_DAYS)
    (budget or ExpansionBudget()).take(max(count, 0))
    return [start + dt.timedelta(days=n) for n in range(count)]


def _mark(calendar: FileCalendar, days: list[dt.date], *, working: bool, name: str) -> None:
    marked = calendar.working if working else calendar.off
    for day in days:
        if not marked.get(day):
            marked[day] = name


def read_calendar(element: Element, budget: ExpansionBudget | None = None) -> FileCalendar:
    """One ``Calendar`` element as the file states it (before taking its base's days);
    ``budget``: what the file's exceptions may still take to expand (shared by its
    calendars)."""
    budget = budget or ExpansionBudget()
    base = text(element, "BaseCalendarUID")
    calendar = FileCalendar(
        uid=text(element, "UID") or "",
        name=text(element, "Name") or f"Calendar {text(element, 'UID')}",
        base_uid=None if flag(element, "IsBaseCalendar") or base in (None, "-1") else base,
    )
    exceptions = element.findall(f"{Q}Exceptions/{Q}Exception")
    for number, week_day in enumerate(element.findall(f"{Q}WeekDays/{Q}WeekDay"), 1):
        try:
            day_type = whole(week_day, "DayType", -1)
            if day_type not in DAY_TYPE and day_type != 0:
                raise ValueError(
                    f"DayType {day_type} is not a day (1 = Sunday … 7 = Saturday, "
                    "or 0 for an exception)"
                )
            first = _first_working_time(week_day)
            if day_type in DAY_TYPE:
                calendar.own_days[DAY_TYPE[day_type]] = flag(week_day, "DayWorking")
                if first is not None and flag(week_day, "DayWorking"):
                    calendar.day_starts[DAY_TYPE[day_type]] = first
            elif not exceptions:  # DayType 0: the pre-2007 form of an exception
                days = _legacy_exception_days(week_day, budget)
                if len(days) >= MAX_EXPANDED_DAYS:
                    calendar.cut.append(f"from {days[0].isoformat()}")
                _mark(calendar, days, working=flag(week_day, "DayWorking"), name="")
        except ValueError as exc:
            if budget.left < 0:  # the file's budget, not this day's fault alone
                raise
            raise CalendarPartError(f"WeekDay {number}{_day_name(week_day)}", str(exc)) from None
    for number, exception in enumerate(exceptions, 1):
        name = (text(exception, "Name") or "").strip()
        shown = f" ({name[:40]!r})" if name else ""
        try:
            days = exception_days(exception, budget)
            _first_working_time(exception)  # the times are not carried, but must be times
        except OverflowError:  # a recurrence stepping past the last date there is
            part = f"exception {number}{shown}"
            raise CalendarPartError(part, "an exception runs past the year 9999") from None
        except ValueError as exc:
            if budget.left < 0:  # the file's budget, not this exception's fault alone
                raise
            raise CalendarPartError(f"exception {number}{shown}", str(exc)) from None
        if len(days) >= MAX_EXPANDED_DAYS:
            calendar.cut.append(text(exception, "Name") or f"exception {number}")
        if len(name) > MAX_HOLIDAY_NAME:
            raise ValueError(
                f"the name of exception {number} has {len(name)} characters "
                f"(Podium keeps at most {MAX_HOLIDAY_NAME})"
            )
        _mark(calendar, days, working=flag(exception, "DayWorking"), name=name)
    return calendar


def _day_name(week_day: Element) -> str:
    """`` (Monday)`` for a weekday's ``WeekDay``; ``""`` for any other."""
    names = {1: "Sunday", 2: "Monday", 3: "Tuesday", 4: "Wednesday", 5: "Thursday"}
    names |= {6: "Friday", 7: "Saturday", 0: "an exception"}
    raw = text(week_day, "DayType") or ""
    day = names.get(int(raw)) if raw.isascii() and raw.isdecimal() and len(raw) < 3 else None
    return f" ({day})" if day else ""


def _time_of_day(period: Element, name: str) -> dt.time | None:
    """A working time's ``FromTime`` or ``ToTime`` (``08:00:00``; a ``ToTime`` of
    ``24:00:00`` is midnight); ``None`` when absent, a ValueError naming it when it is no
    time of day."""
    value = text(period, name)
    if value is None:
        return None
    if name == "ToTime" and value[:8] in ("24:00:00", "24:00"):
        return dt.time(0)
    try:
        return dt.time.fromisoformat(value[:8])
    except ValueError:
        shown = repr(value[:40]) + ("…" if len(value) > 40 else "")
        raise ValueError(f"{name} {shown} is not a time of day (08:00:00)") from None


def _first_working_time(day: Element) -> dt.time | None:
    """The earliest ``FromTime`` of a day's (or an exception's) working times (``None``:
    none listed); a ValueError naming the working time whose times are not times."""
    times = []
    for number, period in enumerate(day.findall(f"{Q}WorkingTimes/{Q}WorkingTime"), 1):
        try:
            start = _time_of_day(period, "FromTime")
            _time_of_day(period, "ToTime")
        except ValueError as exc:
            raise ValueError(f"WorkingTime {number}: {exc}") from None
        if start is not None:
            times.append(start)
    return min(times, default=None)


@dataclass(frozen=True)
class WorkingDays:
    """A calendar of the file as the days it works and when each working day starts: what
    tells the day a finish belongs to (Microsoft Project ends work on 7 January at 8
    January 08:00 as well as at 7 January 17:00)."""

    week: dict[str, bool]  # "Mon" → worked
    exceptions: dict[dt.date, bool] = field(default_factory=dict)  # a day → worked
    starts: dict[str, dt.time] = field(default_factory=dict)  # a worked weekday's start
    default_start: dt.time = dt.time(8)

    def worked(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        return self.exceptions.get(day, self.week[WEEKDAYS[day.weekday()]])

    def start(self, day: dt.date) -> dt.time:
        """When work starts on ``day`` (a day the file gives no working times: the earliest
        start of its week, else the project's default start)."""
        return self.starts.get(
            WEEKDAYS[day.weekday()], min(self.starts.values(), default=self.default_start)
        )

    def finish(self, value: str, *, not_before: dt.date | None = None) -> dt.date:
        """The day an MSPDI finish (``2003-01-08T08:00:00``) belongs to: one at or before
        the start of work on its day (midnight included) ends the working day before,
        unless that is before ``not_before`` (the start). A date without a time is its
        day; a ValueError that says so for anything else."""
        day = parse_date(value)
        if len(value) <= len("2003-01-08") or value[10] != "T":
            return day
        try:
            at = dt.time.fromisoformat(value[11:19])
        except ValueError:
            raise ValueError(f"{value!r} is not a date-time (2003-01-07T08:00:00)") from None
        if at > self.start(day):
            return day
        before = day - dt.timedelta(days=1)
        for _ in range(MAX_DAYS_BACK):  # a calendar that works no day: the day before
            if self.worked(before):
                break
            before -= dt.timedelta(days=1)
        else:
            before = day - dt.timedelta(days=1)
        return before if not_before is None or before >= not_before else day


MAX_DAYS_BACK = 366  # looked back for the working day a finish ends


def working_days(
    calendars: dict[str, FileCalendar], uid: str | None, *, default_start: dt.time
) -> WorkingDays | None:
    """The calendar ``uid`` of the file as :class:`WorkingDays` (a derived calendar over
    its base's days, exceptions and working times); ``None`` when the file has no such
    calendar."""
    chain: list[FileCalendar] = []  # the calendar, its base, its base's base …
    calendar = calendars.get(uid or "")
    while calendar is not None and calendar.uid not in {c.uid for c in chain}:
        chain.append(calendar)
        calendar = calendars.get(calendar.base_uid or "")
    if not chain:
        return None
    week = {d: d not in ("Sat", "Sun") for d in WEEKDAYS}
    exceptions: dict[dt.date, bool] = {}
    starts: dict[str, dt.time] = {}
    for calendar in reversed(chain):  # the base first: each calendar's own days win
        week.update(calendar.own_days)
        for day, worked in calendar.own_days.items():
            if not worked:
                starts.pop(day, None)
            elif day in calendar.day_starts:
                starts[day] = calendar.day_starts[day]
        exceptions.update(dict.fromkeys(calendar.working, True))
        exceptions.update(dict.fromkeys(calendar.off, False))  # off wins, as in the plan
    return WorkingDays(week, exceptions, starts, default_start)


def _near_the_plan(
    name: str, days: list[dt.date], span: tuple[dt.date, dt.date], *, kind: str = "holidays"
) -> tuple[list[dt.date], str | None]:
    """The days (holidays, or extra working days: ``kind``) from a year before ``span``
    to two years after it, and a note on the others, left out as too many to keep (more
    than :data:`MAX_HOLIDAYS`)."""
    low, high = span[0] - NEAR_BEFORE, span[1] + NEAR_AFTER
    kept = [d for d in days if low <= d <= high]
    dropped = [d for d in days if not low <= d <= high]
    if not dropped:
        return days, None
    return kept, (
        f"calendar {name!r}: {len(days)} {kind} are more than {MAX_HOLIDAYS}, so only "
        f"those from {low.isoformat()} to {high.isoformat()} are kept; {len(dropped)} "
        f"(from {dropped[0].isoformat()} to {dropped[-1].isoformat()}) are not carried over"
    )


def resolve_calendars(
    calendars: dict[str, FileCalendar], *, span: tuple[dt.date, dt.date] | None
) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Plan-format calendars by file UID (a derived calendar merged with its base) and
    notes on what could not be carried. ``span`` (plan start and finish) is the range
    whose holidays are always kept when a calendar has more than :data:`MAX_HOLIDAYS`."""
    notes: list[str] = []
    resolved: dict[str, dict[str, object]] = {}

    def days_of(calendar: FileCalendar, seen: frozenset[str]) -> dict[str, bool]:
        base = calendars.get(calendar.base_uid or "")
        inherited = days_of(base, seen | {calendar.uid}) if base and base.uid not in seen else {}
        return {**{d: d not in ("Sat", "Sun") for d in WEEKDAYS}, **inherited, **calendar.own_days}

    def exceptions_of(
        calendar: FileCalendar, seen: frozenset[str]
    ) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
        """The days off and the days worked by exceptions, the calendar's own over its
        base's (each with its exception's name)."""
        base = calendars.get(calendar.base_uid or "")
        off, working = dict(calendar.off), dict(calendar.working)
        if base and base.uid not in seen:
            base_off, base_working = exceptions_of(base, seen | {calendar.uid})
            for day, name in base_off.items():
                if day not in calendar.working and not off.get(day):
                    off[day] = name
            for day, name in base_working.items():
                if day not in calendar.off and not working.get(day):
                    working[day] = name
        return off, working

    def inherited_off(calendar: FileCalendar) -> set[dt.date]:
        """The days off the calendar's base gives it (which its own working exceptions
        make worked again)."""
        base = calendars.get(calendar.base_uid or "")
        if base is None or base.uid == calendar.uid:
            return set()
        return set(exceptions_of(base, frozenset({calendar.uid}))[0])

    def dated(days: list[dt.date], names: dict[dt.date, str]) -> list[object]:
        return [
            {"date": d.isoformat(), "name": names[d]} if names[d] else d.isoformat() for d in days
        ]

    for uid, calendar in calendars.items():
        days = days_of(calendar, frozenset())
        workdays = [d for d in WEEKDAYS if days[d]]
        if not workdays:
            workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
            notes.append(f"calendar {calendar.name!r} has no working weekday: Mon-Fri is used")
        off, working = exceptions_of(calendar, frozenset())
        for name in calendar.cut:
            notes.append(
                f"calendar {calendar.name!r}: exception {name!r} covers more than "
                f"{MAX_EXPANDED_DAYS} days; only its first {MAX_EXPANDED_DAYS} are read"
            )
        holidays = sorted(d for d in off if WEEKDAYS[d.weekday()] in workdays)
        if span is not None and len(holidays) > MAX_HOLIDAYS:
            holidays, note = _near_the_plan(calendar.name, holidays, span)
            notes += [note] if note else []
        # a day both off and worked by exceptions of one calendar is off (a holiday wins)
        worked = {d for d in working if d not in off}
        extra = sorted(d for d in worked if WEEKDAYS[d.weekday()] not in workdays)
        if span is not None and len(extra) > MAX_HOLIDAYS:
            extra, note = _near_the_plan(calendar.name, extra, span, kind="extra working days")
            notes += [note] if note else []
        # on a weekday worked anyway, a working exception only changes the hours (unless
        # it works a day its base calendar has off)
        hours = sorted(
            {d for d in worked if WEEKDAYS[d.weekday()] in workdays} - inherited_off(calendar)
        )
        if hours:
            notes.append(
                f"calendar {calendar.name!r}: {len(hours)} working exception day(s) on "
                f"weekdays worked anyway (first {hours[0].isoformat()}) change only the "
                "working hours, which are not carried over"
            )
        resolved[uid] = {
            "name": calendar.name,
            "workdays": workdays,
            "holidays": dated(holidays, off),
            "extra_workdays": dated(extra, working),
        }
    return resolved, notes
