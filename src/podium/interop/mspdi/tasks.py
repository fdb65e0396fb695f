"""MSPDI tasks and their links as plan-format tasks and dependencies.

Durations, lags and dates follow the file's own conventions: a duration is work
time (``PT16H0M0S`` is two days of the file's ``MinutesPerDay``); ``LinkLag`` is
in tenths of a minute, and ``LagFormat`` 19/20 (percent) makes it a share of the
predecessor's duration; elapsed formats count calendar time. Everything Podium
holds in whole working days is rounded, and each rounding is noted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from podium.interop.imported import FileBaseline, FileDates, Problem
from podium.interop.mspdi._xml import Q, duration_minutes, flag, number, parse_date, text
from podium.interop.mspdi._xml import whole as whole_number
from podium.interop.mspdi.calendars import WEEKDAYS, WorkingDays

CONSTRAINTS = {
    0: "asap",
    1: "alap",
    2: "mso",
    3: "mfo",
    4: "snet",
    5: "snlt",
    6: "fnet",
    7: "fnlt",
}
LINK_TYPES = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
# Microsoft Project's duration formats: minutes … months (3–12), percent (19, 20), none
# (21), and the same with a question mark, estimated (35–44, 51–53)
DURATION_FORMATS = {*range(3, 13), 19, 20, 21, *range(35, 45), 51, 52, 53}
ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52}
PERCENT_FORMATS = {19, 20, 51, 52}
LINK_TYPE_CODES = "a link type (0 FF, 1 FS, 2 SF, 3 SS)"
SHOWN_NAME = 60  # characters of a task's name shown in a location
FINISH_CONSTRAINTS = ("mfo", "fnet", "fnlt")  # their date is a finish
DEFAULT_START = dt.time(8)  # a working day's start when the file states none
# what a task of the file has that Podium does not keep: besides its reason in the date
# comparison, each is said in the import's notes (one note per kind, naming the tasks)
NOT_CARRIED = {
    "alap": "as late as possible is not supported: scheduled as soon as possible",
    "manual": "manual task in the file (Podium schedules it automatically)",
    "split": "split task in the file (Podium schedules it without interruption)",
    "leveling": "leveling delay in the file (not carried over)",
    "inactive": "inactive task in the file (imported as an active task)",
}


@dataclass(frozen=True)
class FileDays:
    """The file's calendars as :class:`WorkingDays`, by UID: what tells the day a finish
    belongs to. A task without a calendar of the file takes the project calendar; a file
    without one, Monday to Friday from its ``DefaultStartTime``."""

    by_calendar: dict[str, WorkingDays] = field(default_factory=dict)
    project_calendar: str | None = None
    default: WorkingDays = field(default_factory=lambda: weekdays(DEFAULT_START))

    def of(self, calendar_uid: str | None) -> WorkingDays:
        """The working days of the calendar ``calendar_uid`` (-1 or none: the project's)."""
        return (
            self.by_calendar.get(calendar_uid or "")
            or self.by_calendar.get(self.project_calendar or "")
            or self.default
        )


def weekdays(start: dt.time) -> WorkingDays:
    """Monday to Friday, each from ``start``."""
    return WorkingDays({d: d not in ("Sat", "Sun") for d in WEEKDAYS}, default_start=start)


@dataclass
class TaskRead:
    """What the task reader produced: plan tasks and links, with notes and problems."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    file_dates: dict[str, FileDates] = field(default_factory=dict)
    baseline: dict[str, FileBaseline] = field(default_factory=dict)
    by_uid: dict[str, str] = field(default_factory=dict)
    summaries: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    null_rows: int = 0
    refused: set[str] = field(default_factory=set)  # UIDs of tasks with a problem
    origins: dict[str, str] = field(default_factory=dict)  # "tasks[3]" → "line 40, Task UID 7"


def _days(minutes: float, minutes_per_day: float) -> float:
    return minutes / minutes_per_day if minutes_per_day > 0 else 0.0


def _money(element: Element, name: str, label: str = "") -> float:
    """A cost of the file (hundredths of the currency, as Microsoft Project writes them)
    in the currency; absent: 0. A ValueError for anything but a finite number."""
    try:
        return number(element, name, 0.0) / 100
    except ValueError as exc:
        raise ValueError(f"{label}{exc}") from None


def _baseline(task: Element, minutes_per_day: float, days: WorkingDays) -> FileBaseline | None:
    for element in task.findall(Q + "Baseline"):
        if (text(element, "Number") or "0") != "0":
            continue
        start_text, finish_text = text(element, "Start"), text(element, "Finish")
        if start_text is None and finish_text is None:
            return None
        duration = text(element, "Duration")
        length = (
            round(_days(duration_minutes(duration, minutes_per_day), minutes_per_day))
            if duration
            else None
        )
        start = parse_date(start_text) if start_text else None
        # a milestone's finish is its start, whatever the time
        finish = _ended(finish_text, None if length == 0 else days, not_before=start)
        return FileBaseline(
            start=start,
            finish=finish,
            duration=length,
            cost=_money(element, "Cost", "Baseline "),
        )
    return None


MAX_UID_DIGITS = 10  # a UID is a 32-bit number in Microsoft Project


def _code(
    element: Element,
    name: str,
    known: Collection[int],
    what: str,
    *,
    default: int,
    label: str | None = None,
) -> int:
    """A numbered code of the file (``ConstraintType``, ``LagFormat``…): absent gives
    ``default``; a value Microsoft Project does not define is a ValueError that says so."""
    raw = text(element, name)
    if raw is None:
        return default
    value = int(raw) if re.fullmatch(r"-?[0-9]{1,9}", raw) else None
    if value is None or value not in known:
        shown = raw if value is not None else repr(raw)
        raise ValueError(f"{label or name} {shown} is not {what}")
    return value


def _split(task: Element, assignment_gaps: set[str]) -> bool:
    return (text(task, "UID") or "") in assignment_gaps or task.find(Q + "SplitParts") is not None


def read_tasks(
    root: Element,
    *,
    project: str,
    minutes_per_day: float,
    calendar_names: dict[str, str],
    lines: dict[int, int],
    split_uids: set[str],
    file_days: FileDays | None = None,
) -> TaskRead:
    """The file's tasks (null rows and the project summary task, UID 0, left out) and
    links; ``file_days`` tells the day each finish belongs to (one at the start of a
    working day ends the working day before)."""
    read = TaskRead()
    file_days = file_days or FileDays()
    stack: list[tuple[int, str]] = []
    durations: dict[str, float] = {}
    pending_links: list[tuple[str, str, Element]] = []
    missing_calendars: dict[str, list[str]] = {}  # a CalendarUID not in the file → its tasks
    not_carried: dict[str, list[str]] = {}  # a NOT_CARRIED kind → where its tasks are
    for element in root.findall(f"{Q}Tasks/{Q}Task"):
        uid = text(element, "UID")
        shown_uid = uid if uid is None or len(uid) <= 40 else uid[:39] + "…"
        where = f"line {lines.get(id(element), '?')}, Task UID {shown_uid}"
        if uid is None:
            read.problems.append(Problem(where, "a task without a UID"))
            continue
        if flag(element, "IsNull"):
            read.null_rows += 1
            continue
        name = text(element, "Name") or f"Task {uid}"
        shown = name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 1] + "…"
        try:
            level = whole_number(element, "OutlineLevel", 1)
            if not uid.isascii() or not uid.isdecimal():  # Microsoft Project numbers from 0
                raise ValueError(f"UID {uid[:40]!r} is not a whole number of 0 or more")
            if len(uid) > MAX_UID_DIGITS:  # (thousands of digits are no number Python reads)
                raise ValueError(
                    f"UID {uid[:40]}… has {len(uid):,} digits; Microsoft Project writes at "
                    f"most {MAX_UID_DIGITS}"
                )
        except ValueError as exc:
            read.problems.append(Problem(f"{where} ({shown})", str(exc)))
            read.refused.add(uid)
            continue
        if int(uid) == 0 or level == 0:
            continue
        task_id = f"{project}-{uid}"
        where = f"{where} ({shown})"
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        # Microsoft Project indents a task at most one level below the task above it
        jump = level < 0 or level > (stack[-1][0] if stack else 0) + 1
        stack.append((level, task_id))  # its subtasks are not jumps too
        if jump:
            message = (
                f"OutlineLevel {level} with no task of level {level - 1} above it"
                if level > 0
                else f"OutlineLevel {level} is not an outline level"
            )
            read.problems.append(Problem(where, message))
            read.refused.add(uid)
            continue
        notes: list[str] = []
        kinds: list[str] = []  # what of NOT_CARRIED the task has
        try:
            duration = text(element, "Duration") or "PT0H0M0S"
            minutes = duration_minutes(duration, minutes_per_day)
            if minutes < 0:
                raise ValueError(f"Duration {duration!r} is negative")
            duration_format = _code(
                element, "DurationFormat", DURATION_FORMATS, "a duration format", default=7
            )
            # a finish at the start of a working day ends the working day before (a
            # milestone's finish is its start: it stays)
            days_of = file_days.of(text(element, "CalendarUID"))
            finish_days = days_of if minutes else None
            start_text, finish_text = text(element, "Start"), text(element, "Finish")
            start = parse_date(start_text) if start_text else None
            finish = _ended(finish_text, finish_days, not_before=start)
            actual_start = _day(text(element, "ActualStart"))
            actual_finish = _ended(
                text(element, "ActualFinish"), finish_days, not_before=actual_start or start
            )
            deadline = _ended(text(element, "Deadline"), finish_days)
            kind = CONSTRAINTS[
                _code(element, "ConstraintType", CONSTRAINTS, "a constraint type (0–7)", default=0)
            ]
            constraint_text = text(element, "ConstraintDate")
            constraint_date = (
                _ended(constraint_text, finish_days)
                if kind in FINISH_CONSTRAINTS
                else _day(constraint_text)
            )
            percent = number(element, "PercentComplete", 0.0)
            if not 0 <= percent <= 100:
                raise ValueError(f"PercentComplete {percent:g} is not between 0 and 100")
            actual_cost = _money(element, "ActualCost")
            leveling_delay = number(element, "LevelingDelay", 0.0)
            baseline = _baseline(element, minutes_per_day, days_of)
        except ValueError as exc:
            read.problems.append(Problem(where, str(exc)))
            read.refused.add(uid)
            continue
        if uid in read.by_uid:
            read.problems.append(Problem(where, f"UID {uid} is used by two tasks"))
            continue
        if parent is not None:
            read.summaries.add(parent)
        days = _days(minutes, minutes_per_day)
        if duration_format in ELAPSED_FORMATS:
            days = minutes / (24 * 60) * 5 / 7
            notes.append("elapsed duration in the file, converted to working days")
        whole = round(days)
        if abs(days - whole) > 1e-6:
            notes.append(f"duration of {days:.2f} working days rounded to {whole}")
        if flag(element, "Milestone") and whole:
            notes.append("marked as a milestone in the file but has a duration")
        constraint: dict[str, Any] | None = None
        if kind == "alap":
            kinds.append("alap")
        elif kind != "asap":
            if constraint_date is None:
                left_out = f"{kind} constraint without a date in the file: left out"
                notes.append(left_out)
                read.notes.append(f"{where}: {left_out}")
            else:
                constraint = {"type": kind, "date": constraint_date.isoformat()}
        if flag(element, "Manual"):
            kinds.append("manual")
        if _split(element, split_uids):
            kinds.append("split")
        if leveling_delay:
            kinds.append("leveling")
        if text(element, "Active") == "0":
            kinds.append("inactive")
        for carried in kinds:
            notes.append(NOT_CARRIED[carried])
            not_carried.setdefault(carried, []).append(where)
        calendar_uid = text(element, "CalendarUID")
        task: dict[str, Any] = {
            "id": task_id,
            "project": project,
            "name": name,  # a name longer than Podium keeps is a problem of the plan checks
            "duration": whole,
            "parent": parent,
        }
        if calendar_uid in calendar_names:
            task["calendar"] = calendar_names[calendar_uid]
        elif calendar_uid not in (None, "-1"):  # -1: the project's calendar
            missing_calendars.setdefault(calendar_uid, []).append(where)
        if constraint:
            task["constraint"] = constraint
        if deadline:
            task["deadline"] = deadline.isoformat()
        if actual_start or percent > 0 or actual_finish:
            first = actual_start or start
            if actual_start is None:
                notes.append("progress without an actual start: the file's start is used")
            if first is not None:
                task["actual_start"] = first.isoformat()
                task["percent_complete"] = percent
                if actual_finish and actual_finish >= first:
                    task["actual_finish"] = actual_finish.isoformat()
                    task["percent_complete"] = 100.0
        if actual_cost > 0:  # (a credit, below 0, is not a cost Podium keeps)
            task["actual_cost"] = actual_cost
        if baseline is not None:
            read.baseline[task_id] = baseline
            task["budget"] = max(0.0, baseline.cost)
        read.origins[f"tasks[{len(read.tasks)}]"] = where
        read.tasks.append(task)
        read.by_uid[uid] = task_id
        durations[task_id] = days
        read.file_dates[task_id] = FileDates(start, finish, "; ".join(notes))
        for link in element.findall(Q + "PredecessorLink"):
            pending_links.append((task_id, where, link))
    for task in read.tasks:
        if task["id"] in read.summaries:
            # a summary spans its subtasks: its own duration and progress roll up
            task["duration"] = 0
            for rolled in ("actual_start", "actual_finish", "percent_complete"):
                task.pop(rolled, None)
    for calendar_uid, places in missing_calendars.items():
        read.notes.append(
            f"calendar UID {calendar_uid} ({_tasks(places)}) is not in the file: "
            "the program's calendar is used"
        )
    for carried, places in not_carried.items():
        read.notes.append(f"{_tasks(places)}: {NOT_CARRIED[carried]}")
    _read_links(read, pending_links, durations, minutes_per_day)
    return read


def _tasks(places: list[str]) -> str:
    """Where the tasks a note is about are: the one, or how many and the first."""
    return places[0] if len(places) == 1 else f"{len(places)} tasks, first {places[0]}"


def _day(value: str | None) -> dt.date | None:
    return parse_date(value) if value else None


def _ended(
    value: str | None, days: WorkingDays | None, *, not_before: dt.date | None = None
) -> dt.date | None:
    """The day a finish of the file belongs to (see :meth:`WorkingDays.finish`); without
    ``days`` (a milestone's), the day it names."""
    if value is None:
        return None
    if days is None:
        return parse_date(value)
    return days.finish(value, not_before=not_before)


def _lag_days(link: Element, predecessor_days: float, minutes_per_day: float) -> tuple[float, str]:
    raw = number(link, "LinkLag", 0.0)
    lag_format = _code(link, "LagFormat", DURATION_FORMATS, "a duration format", default=7)
    if lag_format in PERCENT_FORMATS:
        percent = raw / 10
        return predecessor_days * percent / 100, (
            f"a lag of {percent:g}% of the predecessor's duration converted to working days"
        )
    minutes = raw / 10
    if lag_format in ELAPSED_FORMATS:
        return minutes / (24 * 60) * 5 / 7, "an elapsed lag converted to working days"
    return _days(minutes, minutes_per_day), ""


def _read_links(
    read: TaskRead,
    pending: list[tuple[str, str, Element]],
    durations: dict[str, float],
    minutes_per_day: float,
) -> None:
    seen: set[tuple[str, str]] = set()
    for successor, where, link in pending:
        pred_uid = text(link, "PredecessorUID")
        if pred_uid is None:
            read.problems.append(Problem(where, "a PredecessorLink without a PredecessorUID"))
            continue
        if flag(link, "CrossProject"):
            read.notes.append(f"{where}: a link to another project file is left out")
            continue
        predecessor = read.by_uid.get(pred_uid)
        if predecessor is None:
            if pred_uid == "0":
                read.notes.append(f"{where}: a link to the project summary task is left out")
                continue
            if pred_uid in read.refused:
                continue  # that task's own problem is listed
            read.problems.append(Problem(where, f"predecessor UID {pred_uid} is not a task"))
            continue
        if predecessor == successor or (predecessor, successor) in seen:
            read.notes.append(f"{where}: a repeated or self link to UID {pred_uid} is left out")
            continue
        try:
            kind = LINK_TYPES[
                _code(
                    link,
                    "Type",
                    LINK_TYPES,
                    LINK_TYPE_CODES,
                    default=1,
                    label="PredecessorLink Type",
                )
            ]
            days, note = _lag_days(link, durations.get(predecessor, 0.0), minutes_per_day)
            if not math.isfinite(days):  # a lag past the largest float, once converted
                raise ValueError(f"LinkLag {text(link, 'LinkLag')!r} is too long")
        except ValueError as exc:
            read.problems.append(Problem(where, f"{exc} (the link from Task UID {pred_uid})"))
            continue
        seen.add((predecessor, successor))
        lag = round(days)
        if abs(days - lag) > 1e-6:
            note = (note + "; " if note else "") + f"lag of {days:.2f} days rounded to {lag}"
        if note:
            dates = read.file_dates[successor]
            joined = "; ".join(x for x in (dates.note, note) if x)
            read.file_dates[successor] = FileDates(dates.start, dates.finish, joined)
        read.origins[f"dependencies[{len(read.dependencies)}]"] = where
        read.dependencies.append(
            {
                "from": predecessor,
                "to": successor,
                "type": kind,
                "lag": lag,
            }
        )


def span(read: TaskRead) -> tuple[dt.date, dt.date] | None:
    """The first start and last finish the file states for its tasks."""
    starts = [d.start for d in read.file_dates.values() if d.start]
    finishes = [d.finish for d in read.file_dates.values() if d.finish]
    if not starts or not finishes:
        return None
    return min(starts), max(finishes)
