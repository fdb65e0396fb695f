"""Write a plan-format document as Microsoft Project XML (MSPDI, Project 2010+ schema).

Elements are written in the order of Microsoft's schema. A program of one
project becomes one file whose tasks are the project's tasks; a program of
several projects gets one summary task per project. Program milestones become
milestone tasks. Working days map to the file's 480 minutes per day, holidays
to non-working calendar exceptions and extra working days to working ones (with the
usual working times), written in both the 2007+ ``Exceptions`` form and the older
``WeekDay`` form, so every version reads them. People, teams and equipment
are all work resources (their units are time); teams and equipment are marked by
their ``Group``, which the reader maps back. Task and resource ids that
end in a number (``PLAT-12``, ``R3``) keep it as their UID, so a file read and
written again keeps its UIDs. Dates are the schedule's: those given, or the
document scheduled by the engine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from podium.engine import WorkCalendar, schedule
from podium.interop.imported import FileBaseline
from podium.interop.mspdi._xml import NS, format_hours
from podium.interop.mspdi.resources import KIND_GROUPS
from podium.interop.plan_format import plan_to_schedule_input, read_plan

MINUTES_PER_DAY = 480
CONSTRAINT_TYPES = {"asap": 0, "mso": 2, "mfo": 3, "snet": 4, "snlt": 5, "fnet": 6, "fnlt": 7}
LINK_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
DAY_TYPES = {"Sun": 1, "Mon": 2, "Tue": 3, "Wed": 4, "Thu": 5, "Fri": 6, "Sat": 7}
TRAILING_NUMBER = re.compile(r"(\d+)$")

Dates = Mapping[str, tuple[dt.date, dt.date]]


# what XML 1.0 cannot hold (control characters but tab and line ends, surrogates, FFFE/FFFF):
# a name typed with one still exports, with U+FFFD in its place
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _add(parent: Element, tag: str, value: object) -> Element:
    child = SubElement(parent, tag)
    child.text = NOT_XML.sub("\ufffd", str(value))
    return child


def _at(day: dt.date, *, end: bool = False) -> str:
    return f"{day.isoformat()}T{'17' if end else '08'}:00:00"


def _uids(ids: Iterable[str], *, lowest: int = 1) -> dict[str, int]:
    """A UID per id: the number it ends with when that is free, otherwise the next free one."""
    ids = list(ids)
    uids: dict[str, int] = {}
    used: set[int] = set()
    for item in ids:
        match = TRAILING_NUMBER.search(item)
        if match and int(match.group(1)) >= lowest and int(match.group(1)) not in used:
            uids[item] = int(match.group(1))
            used.add(uids[item])
    next_free = max(uids.values(), default=0) + 1
    for item in ids:
        if item not in uids:
            uids[item] = next_free
            next_free += 1
    return uids


def _named(entries: list[Any]) -> dict[dt.date, str]:
    """Plan-format holidays or extra working days (dates, or ``{"date", "name"}``) by
    date, a date listed twice with its first name."""
    named: dict[dt.date, str] = {}
    for entry in entries:
        day, name = (
            (entry["date"], entry.get("name", "")) if isinstance(entry, dict) else (entry, "")
        )
        named.setdefault(dt.date.fromisoformat(str(day)), name)
    return named


def _ranges(entries: list[Any]) -> list[tuple[dt.date, dt.date, str]]:
    """Runs of consecutive holidays (or extra working days) of one name, as
    ``(first, last, name)``."""
    named = _named(entries)
    ranges: list[tuple[dt.date, dt.date, str]] = []
    for day in sorted(named):
        last = ranges[-1] if ranges else None
        if last and day == last[1] + dt.timedelta(days=1) and named[day] == last[2]:
            ranges[-1] = (last[0], day, last[2])
        else:
            ranges.append((day, day, named[day]))
    return ranges


def _calendar(parent: Element, uid: int, calendar: dict[str, Any]) -> None:
    element = SubElement(parent, "Calendar")
    _add(element, "UID", uid)
    _add(element, "Name", calendar["name"])
    _add(element, "IsBaseCalendar", 1)
    _add(element, "BaseCalendarUID", -1)
    week = SubElement(element, "WeekDays")
    workdays = set(calendar.get("workdays", ["Mon", "Tue", "Wed", "Thu", "Fri"]))
    for name, day_type in sorted(DAY_TYPES.items(), key=lambda item: item[1]):
        day = SubElement(week, "WeekDay")
        _add(day, "DayType", day_type)
        _add(day, "DayWorking", int(name in workdays))
        if name in workdays:
            _working_times(day)
    # holidays (not worked) and extra working days (worked), each run of days of one
    # name one exception, by date
    ranges = sorted(
        [(*r, False) for r in _ranges(calendar.get("holidays", []))]
        + [(*r, True) for r in _ranges(calendar.get("extra_workdays", []))]
    )
    for first, last, _, worked in ranges:  # the pre-2007 form (which has no names)
        day = SubElement(week, "WeekDay")
        _add(day, "DayType", 0)
        _add(day, "DayWorking", int(worked))
        period = SubElement(day, "TimePeriod")
        _add(period, "FromDate", f"{first.isoformat()}T00:00:00")
        _add(period, "ToDate", f"{last.isoformat()}T23:59:00")
        if worked:
            _working_times(day)
    if ranges:
        exceptions = SubElement(element, "Exceptions")
        for first, last, name, worked in ranges:
            exception = SubElement(exceptions, "Exception")
            _add(exception, "EnteredByOccurrences", 0)
            period = SubElement(exception, "TimePeriod")
            _add(period, "FromDate", f"{first.isoformat()}T00:00:00")
            _add(period, "ToDate", f"{last.isoformat()}T23:59:00")
            _add(exception, "Occurrences", 1)
            if name:  # an unnamed day has no name in the file either
                _add(exception, "Name", name)
            _add(exception, "Type", 1)
            _add(exception, "DayWorking", int(worked))
            if worked:
                _working_times(exception)


def _working_times(parent: Element) -> None:
    """The usual working times of a day (08:00–12:00 and 13:00–17:00: 480 minutes)."""
    times = SubElement(parent, "WorkingTimes")
    for start, finish in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
        time = SubElement(times, "WorkingTime")
        _add(time, "FromTime", start)
        _add(time, "ToTime", finish)


def _scheduled(document: dict[str, Any]) -> dict[str, tuple[dt.date, dt.date]]:
    plan = read_plan(document)
    result = schedule(plan_to_schedule_input(plan))
    ids = [t.id for t in plan.tasks] + [m.id for m in plan.milestones]
    return {i: (result[i].early_start, result[i].early_finish) for i in ids}


def _work_calendar(calendar: dict[str, Any]) -> WorkCalendar:
    """A plan-format calendar (a dict of a valid document) as the engine counts it."""
    return WorkCalendar.from_weekdays(
        calendar.get("workdays", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        _named(calendar.get("holidays", [])),
        _named(calendar.get("extra_workdays", [])),
    )


def _working_days(start: dt.date, finish: dt.date, calendar: WorkCalendar) -> int:
    """The days ``calendar`` works from ``start`` to ``finish``, both included."""
    return calendar.count_workdays(start, finish + dt.timedelta(days=1))


def write_mspdi(
    document: dict[str, Any],
    *,
    scheduled: Dates | None = None,
    baseline: Mapping[str, FileBaseline] | None = None,
) -> bytes:
    """``document`` (a valid plan-format document) as MSPDI XML. ``scheduled`` gives each
    task's and milestone's start and finish (default: the document scheduled by the
    engine); ``baseline`` each task's baseline, written as Microsoft Project's Baseline 0."""
    dates = dict(scheduled) if scheduled is not None else _scheduled(document)
    baseline = baseline or {}
    program = document["program"]
    project_start = dt.date.fromisoformat(str(program["start"]))
    all_dates = [d for pair in dates.values() for d in pair]
    finish = max(all_dates, default=project_start)
    calendars = list(document.get("calendars", []))
    if not calendars:
        calendars = [{"name": "Standard", "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"]}]
    calendar_uids = {c["name"]: n for n, c in enumerate(calendars, 1)}
    default_calendar = program.get("calendar") or calendars[0]["name"]
    default = next(c for c in calendars if c["name"] == default_calendar)
    default_days = default.get("workdays", ["Mon", "Tue", "Wed", "Thu", "Fri"])
    work_calendar = _work_calendar(default)

    root = Element("Project", xmlns=NS)
    _add(root, "SaveVersion", 14)
    _add(root, "Name", f"{program['key']}.xml")
    _add(root, "Title", program["name"])
    _add(root, "ScheduleFromStart", 1)
    _add(root, "StartDate", _at(project_start))
    _add(root, "FinishDate", _at(finish, end=True))
    if program.get("currency"):
        _add(root, "CurrencyCode", program["currency"])
    _add(root, "CalendarUID", calendar_uids[default_calendar])
    _add(root, "DefaultStartTime", "08:00:00")
    _add(root, "DefaultFinishTime", "17:00:00")
    _add(root, "MinutesPerDay", MINUTES_PER_DAY)
    _add(root, "MinutesPerWeek", MINUTES_PER_DAY * len(default_days))
    _add(root, "DaysPerMonth", 20)
    _add(root, "DurationFormat", 7)
    if program.get("status_date"):
        _add(root, "StatusDate", _at(dt.date.fromisoformat(str(program["status_date"]))))
    element = SubElement(root, "Calendars")
    for calendar in calendars:
        _calendar(element, calendar_uids[calendar["name"]], calendar)

    tasks = list(document.get("tasks", []))
    milestones = list(document.get("milestones", []))
    projects = list(document.get("projects", []))
    grouped = len(projects) > 1
    ids = [t["id"] for t in tasks] + [m["id"] for m in milestones]
    uids = _uids(ids + [f"project:{p['key']}" for p in projects])
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        parent = task.get("parent") or (f"project:{task['project']}" if grouped else None)
        children[parent].append(task)
    summaries = {t.get("parent") for t in tasks if t.get("parent")}
    predecessors: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for dependency in document.get("dependencies", []):
        predecessors[dependency["to"]].append(dependency)

    tasks_element = SubElement(root, "Tasks")
    summary = SubElement(tasks_element, "Task")
    for tag, value in (("UID", 0), ("ID", 0), ("Name", program["name"]), ("OutlineLevel", 0)):
        _add(summary, tag, value)
    _add(summary, "Start", _at(project_start))
    _add(summary, "Finish", _at(finish, end=True))
    _add(summary, "Summary", 1)
    row = [0]

    def span_of(item_id: str) -> tuple[dt.date, dt.date]:
        kids = children.get(item_id, [])
        if item_id in dates or not kids:
            return dates.get(item_id, (project_start, project_start))
        spans = [span_of(k["id"]) for k in kids]
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def write_task(task: dict[str, Any], level: int, outline: str) -> None:
        row[0] += 1
        task_id = task["id"]
        is_summary = task_id in summaries or task_id.startswith("project:")
        start, end = span_of(task_id)
        days = int(task.get("duration", 0))
        if is_summary:
            days = _working_days(start, end, work_calendar) if end >= start else 0
        milestone = days == 0 and not is_summary
        element = SubElement(tasks_element, "Task")
        _add(element, "UID", uids[task_id])
        _add(element, "ID", row[0])
        _add(element, "Name", task["name"])
        _add(element, "Type", 0)
        _add(element, "IsNull", 0)
        _add(element, "OutlineNumber", outline)
        _add(element, "OutlineLevel", level)
        _add(element, "Start", _at(start, end=milestone))
        _add(element, "Finish", _at(end, end=True))
        _add(element, "Duration", format_hours(days * MINUTES_PER_DAY / 60))
        _add(element, "DurationFormat", 7)
        _add(element, "Milestone", int(milestone))
        _add(element, "Summary", int(is_summary))
        _add(element, "PercentComplete", round(float(task.get("percent_complete", 0))))
        if task.get("actual_start"):
            _add(element, "ActualStart", _at(dt.date.fromisoformat(str(task["actual_start"]))))
        if task.get("actual_finish"):
            day = dt.date.fromisoformat(str(task["actual_finish"]))
            _add(element, "ActualFinish", _at(day, end=True))
        if task.get("actual_cost"):  # hundredths of the currency, as Microsoft Project's
            _add(element, "ActualCost", round(float(task["actual_cost"]) * 100))
        constraint = task.get("constraint") or {}
        _add(element, "ConstraintType", CONSTRAINT_TYPES.get(constraint.get("type", "asap"), 0))
        _add(element, "CalendarUID", calendar_uids.get(task.get("calendar") or "", -1))
        if constraint.get("date"):
            day = dt.date.fromisoformat(str(constraint["date"]))
            _add(
                element,
                "ConstraintDate",
                _at(day, end=constraint["type"] in ("mfo", "fnet", "fnlt")),
            )
        deadline = task.get("deadline") or task.get("target")
        if deadline:
            _add(element, "Deadline", _at(dt.date.fromisoformat(str(deadline)), end=True))
        for dependency in predecessors.get(task_id, []):
            link = SubElement(element, "PredecessorLink")
            _add(link, "PredecessorUID", uids[dependency["from"]])
            _add(link, "Type", LINK_TYPES[dependency.get("type", "FS")])
            _add(link, "CrossProject", 0)
            _add(link, "LinkLag", int(dependency.get("lag", 0)) * MINUTES_PER_DAY * 10)
            _add(link, "LagFormat", 7)
        kept = baseline.get(task_id)
        if kept is not None:
            saved = SubElement(element, "Baseline")
            _add(saved, "Number", 0)
            if kept.start:
                _add(saved, "Start", _at(kept.start, end=milestone))
            if kept.finish:
                _add(saved, "Finish", _at(kept.finish, end=True))
            if kept.duration is not None:
                _add(saved, "Duration", format_hours(kept.duration * MINUTES_PER_DAY / 60))
                _add(saved, "DurationFormat", 7)
            _add(saved, "Cost", round(kept.cost * 100))
        for number, child in enumerate(children.get(task_id, []), 1):
            write_task(child, level + 1, f"{outline}.{number}")

    tops: list[dict[str, Any]] = (
        [{"id": f"project:{p['key']}", "name": p["name"], "duration": 0} for p in projects]
        if grouped
        else children.get(None, [])
    )
    for number, task in enumerate(tops, 1):
        write_task(task, 1, str(number))
    for number, milestone in enumerate(milestones, len(tops) + 1):
        write_task({**milestone, "duration": 0}, 1, str(number))

    resources_element = SubElement(root, "Resources")
    resource_uids = _uids((r["id"] for r in document.get("resources", [])), lowest=0)
    for number, resource in enumerate(document.get("resources", []), 1):
        element = SubElement(resources_element, "Resource")
        _add(element, "UID", resource_uids[resource["id"]])
        _add(element, "ID", number)
        _add(element, "Name", resource["name"])
        _add(element, "Type", 1)  # work: any Podium resource's units are time, not material
        _add(element, "IsNull", 0)
        if resource.get("kind") in KIND_GROUPS:
            _add(element, "Group", KIND_GROUPS[resource["kind"]])
        _add(element, "MaxUnits", float(resource.get("capacity", 1.0)))
        _add(element, "StandardRate", float(resource.get("cost_rate", 0.0)))
        _add(element, "StandardRateFormat", 2)
        if resource.get("calendar") in calendar_uids:
            _add(element, "CalendarUID", calendar_uids[resource["calendar"]])
    assignments_element = SubElement(root, "Assignments")
    for number, assignment in enumerate(document.get("assignments", []), 1):
        element = SubElement(assignments_element, "Assignment")
        _add(element, "UID", number)
        _add(element, "TaskUID", uids[assignment["task"]])
        _add(element, "ResourceUID", resource_uids[assignment["resource"]])
        _add(element, "Units", float(assignment.get("units", 1.0)))
        if assignment.get("work_hours") is not None:
            _add(element, "Work", format_hours(float(assignment["work_hours"])))
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body
