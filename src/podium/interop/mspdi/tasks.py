"""MSPDI tasks and their links as plan-format tasks and dependencies.

Durations, lags and dates follow the file's own conventions: a duration is work
time (``PT16H0M0S`` is two days of the file's ``MinutesPerDay``); ``LinkLag`` is
in tenths of a minute, and ``LagFormat`` 19/20 (percent) makes it a share of the
predecessor's duration; elapsed formats count calendar time. Everything Podium
holds in whole working days is rounded, and each rounding is noted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from podium.interop.imported import FileBaseline, FileDates, Problem
from podium.interop.mspdi._xml import Q, duration_minutes, flag, parse_date, text

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


def _baseline(task: Element, minutes_per_day: float) -> FileBaseline | None:
    for element in task.findall(Q + "Baseline"):
        if (text(element, "Number") or "0") != "0":
            continue
        start, finish = text(element, "Start"), text(element, "Finish")
        if start is None and finish is None:
            return None
        duration = text(element, "Duration")
        return FileBaseline(
            start=parse_date(start) if start else None,
            finish=parse_date(finish) if finish else None,
            duration=round(_days(duration_minutes(duration, minutes_per_day), minutes_per_day))
            if duration
            else None,
            cost=float(text(element, "Cost") or 0) / 100 if text(element, "Cost") else 0.0,
        )
    return None


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
) -> TaskRead:
    """The file's tasks (null rows and the project summary task, UID 0, left out) and links."""
    read = TaskRead()
    stack: list[tuple[int, str]] = []
    durations: dict[str, float] = {}
    pending_links: list[tuple[str, str, Element]] = []
    missing_calendars: dict[str, list[str]] = {}  # a CalendarUID not in the file → its tasks
    for element in root.findall(f"{Q}Tasks/{Q}Task"):
        uid = text(element, "UID")
        where = f"line {lines.get(id(element), '?')}, Task UID {uid}"
        if uid is None:
            read.problems.append(Problem(where, "a task without a UID"))
            continue
        if flag(element, "IsNull"):
            read.null_rows += 1
            continue
        level = int(text(element, "OutlineLevel") or "1")
        if uid == "0" or level == 0:
            continue
        task_id = f"{project}-{uid}"
        name = text(element, "Name") or f"Task {uid}"
        shown = name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 1] + "…"
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
        try:
            duration = text(element, "Duration") or "PT0H0M0S"
            minutes = duration_minutes(duration, minutes_per_day)
            if minutes < 0:
                raise ValueError(f"Duration {duration!r} is negative")
            duration_format = _code(
                element, "DurationFormat", DURATION_FORMATS, "a duration format", default=7
            )
            start_text, finish_text = text(element, "Start"), text(element, "Finish")
            start = parse_date(start_text) if start_text else None
            finish = parse_date(finish_text) if finish_text else None
            actual_start = _day(text(element, "ActualStart"))
            actual_finish = _day(text(element, "ActualFinish"))
            deadline = _day(text(element, "Deadline"))
            constraint_date = _day(text(element, "ConstraintDate"))
            kind = CONSTRAINTS[
                _code(element, "ConstraintType", CONSTRAINTS, "a constraint type (0–7)", default=0)
            ]
            percent = float(text(element, "PercentComplete") or "0")
            if not 0 <= percent <= 100:
                raise ValueError(f"PercentComplete {percent:g} is not between 0 and 100")
            baseline = _baseline(element, minutes_per_day)
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
            notes.append("as late as possible is not supported: scheduled as soon as possible")
        elif kind != "asap":
            if constraint_date is None:
                left_out = f"{kind} constraint without a date in the file: left out"
                notes.append(left_out)
                read.notes.append(f"{where}: {left_out}")
            else:
                constraint = {"type": kind, "date": constraint_date.isoformat()}
        if flag(element, "Manual"):
            notes.append("manual task in the file (Podium schedules it automatically)")
        if _split(element, split_uids):
            notes.append("split task in the file (Podium schedules it without interruption)")
        if int(text(element, "LevelingDelay") or "0"):
            notes.append("leveling delay in the file")
        if text(element, "Active") == "0":
            notes.append("inactive task in the file")
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
        tasks = places[0] if len(places) == 1 else f"{len(places)} tasks, first {places[0]}"
        read.notes.append(
            f"calendar UID {calendar_uid} ({tasks}) is not in the file: "
            "the program's calendar is used"
        )
    _read_links(read, pending_links, durations, minutes_per_day)
    return read


def _day(value: str | None) -> dt.date | None:
    return parse_date(value) if value else None


def _lag_days(link: Element, predecessor_days: float, minutes_per_day: float) -> tuple[float, str]:
    lag_text = text(link, "LinkLag") or "0"
    try:
        raw = float(lag_text)
    except ValueError:
        raise ValueError(f"LinkLag {lag_text!r} is not a number") from None
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
        except ValueError as exc:
            read.problems.append(Problem(where, str(exc)))
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
