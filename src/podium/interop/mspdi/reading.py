"""Read a Microsoft Project XML (MSPDI) file into the plan exchange format.

One file becomes one program with one project (the file's title). Files of
Project 2002/2003 (no ``SaveVersion``) and of 2007 and later are read alike;
what cannot be carried over is noted (per task in ``file_dates``, for the whole
file in ``notes``), and what makes the file unreadable is a located problem.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from podium.currency import checked_currency
from podium.interop.imported import MAX_IMPORT_BYTES, ImportedPlan, Problem
from podium.interop.mspdi._xml import NS, Q, XmlRefused, number, parse, parse_date, text
from podium.interop.mspdi.calendars import (
    CalendarPartError,
    ExpansionBudget,
    FileCalendar,
    read_calendar,
    resolve_calendars,
    working_days,
)
from podium.interop.mspdi.resources import read_assignments, read_resources, split_task_uids
from podium.interop.mspdi.tasks import DEFAULT_START, FileDays, read_tasks, span, weekdays

FORMAT = "mspdi"
MINUTES_IN_A_DAY = 24 * 60


def program_key(title: str) -> str:
    """A program key from the file's title: its letters and digits, upper case, ≤ 10,
    starting with a letter."""
    letters = re.sub(r"[^A-Za-z0-9]", "", title).upper()
    if not letters:
        return "MSP"
    return (letters if letters[0].isalpha() else "P" + letters)[:10]


MAX_TITLE = 200  # characters of a program's and a project's name


def _title(root: Any) -> tuple[str, list[str]]:
    """The file's title (its name without ``.xml``), and a note when it is cut to what
    Podium keeps (the title names the program; ``name`` given beside the file replaces it)."""
    title = text(root, "Title") or text(root, "Name") or "Imported plan"
    title = re.sub(r"\.xml$", "", title, flags=re.IGNORECASE)
    if len(title) <= MAX_TITLE:
        return title, []
    note = f"the file's title of {len(title)} characters is cut to {MAX_TITLE}"
    return title[:MAX_TITLE], [note]


def read_mspdi(data: bytes, *, limit: int = MAX_IMPORT_BYTES) -> ImportedPlan:
    """A Microsoft Project XML file as a plan-format document, or the problems that stop it
    (one: larger than ``limit`` bytes)."""
    imported = ImportedPlan(format=FORMAT)
    if len(data) > limit:
        imported.problems.append(
            Problem("", f"the file is larger than {limit // (1024 * 1024)} MB")
        )
        return imported
    try:
        root, lines = parse(data)
    except XmlRefused as exc:
        imported.problems.append(Problem(exc.location, exc.message))
        return imported
    if root.tag != Q + "Project":
        found = root.tag.split("}")[-1]
        imported.problems.append(
            Problem(
                "line 1",
                f"not a Microsoft Project XML file: the root element is <{found}>, "
                f'not <Project xmlns="{NS}">',
            )
        )
        return imported
    try:
        minutes_per_day = number(root, "MinutesPerDay", 480.0) or 480.0  # 0: not stated
        if not 0 < minutes_per_day <= MINUTES_IN_A_DAY:
            raise ValueError(
                f"MinutesPerDay {minutes_per_day:g} is not a number of minutes from 0 to "
                f"{MINUTES_IN_A_DAY} (a day's)"
            )
    except ValueError as exc:
        imported.problems.append(Problem("Project/MinutesPerDay", str(exc)))
        return imported
    title, title_note = _title(root)
    key = program_key(title)

    file_calendars: dict[str, FileCalendar] = {}
    budget = ExpansionBudget()  # shared by the file's calendars
    for element in root.findall(f"{Q}Calendars/{Q}Calendar"):
        where = f"line {lines.get(id(element), '?')}, Calendar UID {text(element, 'UID')}"
        try:
            calendar = read_calendar(element, budget)
        except CalendarPartError as exc:
            imported.problems.append(Problem(f"{where}, {exc.part}", exc.message))
            continue
        except ValueError as exc:
            imported.problems.append(Problem(where, str(exc)))
            if budget.left < 0:
                return imported  # the rest would only repeat it
            continue
        names = {c.name for c in file_calendars.values()}
        if calendar.name in names:
            calendar.name = f"{calendar.name} ({calendar.uid})"
        file_calendars[calendar.uid] = calendar
    calendar_names = {uid: c.name for uid, c in file_calendars.items()}

    tasks = read_tasks(
        root,
        project=key,
        minutes_per_day=minutes_per_day,
        calendar_names=calendar_names,
        lines=lines,
        split_uids=split_task_uids(root),
        file_days=_file_days(file_calendars, root),
    )
    resources = read_resources(root, calendar_names=calendar_names, lines=lines)
    milestones = {t["id"] for t in tasks.tasks if t["duration"] == 0} - tasks.summaries
    read_assignments(
        root,
        resources,
        tasks_by_uid=tasks.by_uid,
        summaries=tasks.summaries,
        milestones=milestones,
        minutes_per_day=minutes_per_day,
        lines=lines,
    )
    imported.problems += tasks.problems + resources.problems

    try:
        start_text = text(root, "StartDate")
        finish_text = text(root, "FinishDate")
        plan_span = span(tasks)
        start = parse_date(start_text) if start_text else (plan_span[0] if plan_span else None)
        finish = parse_date(finish_text) if finish_text else (plan_span[1] if plan_span else None)
    except ValueError as exc:
        imported.problems.append(Problem("Project/StartDate", str(exc)))
        return imported
    if start is None:
        imported.problems.append(Problem("Project/StartDate", "the file states no start date"))
    if imported.problems or start is None:
        return imported
    # the plan's reach: the project's dates and every task's (a task may lie outside them)
    reach = [start, finish or start, *(plan_span or ())]
    resolved, calendar_notes = resolve_calendars(file_calendars, span=(min(reach), max(reach)))
    program: dict[str, Any] = {"key": key, "name": title, "start": start.isoformat()}
    default_calendar = text(root, "CalendarUID")
    if default_calendar in resolved:
        program["calendar"] = resolved[default_calendar]["name"]
    status = text(root, "StatusDate")
    if status:
        try:
            program["status_date"] = parse_date(status).isoformat()
        except ValueError as exc:
            imported.problems.append(Problem("Project/StatusDate", str(exc)))
            return imported
    currency_note = _currency(text(root, "CurrencyCode"), program)
    imported.document = {
        "format": "podium-plan",
        "version": 1,
        "program": program,
        "calendars": list(resolved.values()),
        "projects": [{"key": key, "name": title}],
        "tasks": tasks.tasks,
        "dependencies": tasks.dependencies,
        "resources": resources.resources,
        "assignments": resources.assignments,
    }
    imported.file_dates = tasks.file_dates
    imported.baseline = tasks.baseline
    imported.origins = {
        "program.start": "Project/StartDate",
        "program.status_date": "Project/StatusDate",
        **tasks.origins,
        **resources.origins,
    }
    version = text(root, "SaveVersion")
    imported.notes = [
        f"Microsoft Project XML, {'SaveVersion ' + version if version else 'Project 2002/2003'}"
    ]
    if tasks.null_rows:
        imported.notes.append(f"{tasks.null_rows} blank task row(s) skipped")
    imported.notes += title_note + calendar_notes + tasks.notes + resources.notes + currency_note
    return imported


def _file_days(calendars: dict[str, FileCalendar], root: Any) -> FileDays:
    """The file's calendars as working days, each day's work starting at the calendar's
    first working time, else at the project's ``DefaultStartTime`` (else 08:00)."""
    try:
        default_start = dt.time.fromisoformat((text(root, "DefaultStartTime") or "")[:8])
    except ValueError:
        default_start = DEFAULT_START
    by_calendar = {
        uid: days
        for uid in calendars
        if (days := working_days(calendars, uid, default_start=default_start)) is not None
    }
    return FileDays(
        by_calendar,
        project_calendar=text(root, "CalendarUID"),
        default=weekdays(default_start),
    )


def _currency(code: str | None, program: dict[str, Any]) -> list[str]:
    """The file's currency (``CurrencyCode``) as the program's, when it is an ISO 4217
    code; otherwise a note that the amounts come without one."""
    if not code:
        return []
    try:
        program["currency"] = checked_currency(code)
    except ValueError:
        return [f"currency code {code!r} is not ISO 4217: amounts imported without a currency"]
    return []
