"""MSPDI tasks and their links as plan-format tasks and dependencies.

Durations, lags and dates follow the file's own conventions: a duration is work
time (``PT16H0M0S`` is two days of the file's ``MinutesPerDay``); ``LinkLag`` is
in tenths of a minute, and ``LagFormat`` 19/20 (percent) makes it a share of the
predecessor's duration; elapsed formats count calendar time. Everything Podium
holds in whole working days is rounded, and each rounding is noted.
"""

from __future__ import annotations

import datetime as dt
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
ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52}
PERCENT_FORMATS = {19, 20, 51, 52}


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
        where = f"{where} ({name})"
        notes: list[str] = []
        try:
            minutes = duration_minutes(text(element, "Duration") or "PT0H0M0S", minutes_per_day)
            start_text, finish_text = text(element, "Start"), text(element, "Finish")
            start = parse_date(start_text) if start_text else None
            finish = parse_date(finish_text) if finish_text else None
            actual_start = text(element, "ActualStart")
            actual_finish = text(element, "ActualFinish")
            deadline = text(element, "Deadline")
            constraint_date = text(element, "ConstraintDate")
            percent = float(text(element, "PercentComplete") or "0")
            baseline = _baseline(element, minutes_per_day)
        except ValueError as exc:
            read.problems.append(Problem(where, str(exc)))
            continue
        if uid in read.by_uid:
            read.problems.append(Problem(where, f"UID {uid} is used by two tasks"))
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((level, task_id))
        if parent is not None:
            read.summaries.add(parent)
        days = _days(minutes, minutes_per_day)
        duration_format = int(text(element, "DurationFormat") or "7")
        if duration_format in ELAPSED_FORMATS:
            days = minutes / (24 * 60) * 5 / 7
            notes.append("elapsed duration in the file, converted to working days")
        whole = max(0, round(days))
        if abs(days - whole) > 1e-6:
            notes.append(f"duration of {days:.2f} working days rounded to {whole}")
        if flag(element, "Milestone") and whole:
            notes.append("marked as a milestone in the file but has a duration")
        kind = CONSTRAINTS.get(int(text(element, "ConstraintType") or "0"), "asap")
        constraint: dict[str, Any] | None = None
        if kind == "alap":
            notes.append("as late as possible is not supported: scheduled as soon as possible")
        elif kind != "asap":
            if constraint_date is None:
                notes.append(f"{kind} constraint without a date in the file: left out")
            else:
                constraint = {"type": kind, "date": parse_date(constraint_date).isoformat()}
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
            "name": name[:300],
            "duration": whole,
            "parent": parent,
        }
        if calendar_uid in calendar_names:
            task["calendar"] = calendar_names[calendar_uid]
        if constraint:
            task["constraint"] = constraint
        if deadline:
            task["deadline"] = parse_date(deadline).isoformat()
        percent = min(100.0, max(0.0, percent))
        if actual_start or percent > 0 or actual_finish:
            first = parse_date(actual_start) if actual_start else start
            if actual_start is None:
                notes.append("progress without an actual start: the file's start is used")
            if first is not None:
                task["actual_start"] = first.isoformat()
                task["percent_complete"] = percent
                if actual_finish and parse_date(actual_finish) >= first:
                    task["actual_finish"] = parse_date(actual_finish).isoformat()
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
    _read_links(read, pending_links, durations, minutes_per_day)
    return read


def _lag_days(link: Element, predecessor_days: float, minutes_per_day: float) -> tuple[float, str]:
    raw = float(text(link, "LinkLag") or "0")
    lag_format = int(text(link, "LagFormat") or "7")
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
            read.problems.append(Problem(where, f"predecessor UID {pred_uid} is not a task"))
            continue
        if predecessor == successor or (predecessor, successor) in seen:
            read.notes.append(f"{where}: a repeated or self link to UID {pred_uid} is left out")
            continue
        seen.add((predecessor, successor))
        try:
            days, note = _lag_days(link, durations.get(predecessor, 0.0), minutes_per_day)
        except ValueError as exc:
            read.problems.append(Problem(where, f"LinkLag: {exc}"))
            continue
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
                "type": LINK_TYPES.get(int(text(link, "Type") or "1"), "FS"),
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
