"""Every problem of an imported file in one list: the reader's, the plan's own checks and
the window of plan dates, each listed once at its place in the file.

A reader that finds problems hands over, beside them, the plan as far as it could read
it (:attr:`~podium.interop.imported.ImportedPlan.partial`); its checks (control
characters, the schema, the references between its parts, dates outside the window)
are listed with the reader's, so that a person fixing a file does not meet a second
list once the first is fixed. A check that finds a problem where the reader found one
already (a duplicate id the reader named) is not listed again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from podium.interop.imported import ImportedPlan
from podium.interop.plan_format import Plan, PlanError, control_problems, read_plan
from podium.services.date_window import in_window, window_message

Found = list[tuple[str, date | None]]


def _given_dates(plan: Plan) -> Found:
    """Every date the plan gives (not the ones a scheduler computes), with its path."""
    program = plan.program
    found: Found = [
        ("program.start", program.start),
        ("program.status_date", program.status_date),
        ("program.goal.target_date", program.goal.target_date if program.goal else None),
    ]
    for i, calendar in enumerate(plan.calendars):
        found += [
            (f"calendars[{i}].holidays[{j}]", h.date) for j, h in enumerate(calendar.holidays)
        ]
        found += [
            (f"calendars[{i}].extra_workdays[{j}]", e.date)
            for j, e in enumerate(calendar.extra_workdays)
        ]
    for i, task in enumerate(plan.tasks):
        found += [
            (f"tasks[{i}].constraint.date", task.constraint.date if task.constraint else None),
            (f"tasks[{i}].deadline", task.deadline),
            (f"tasks[{i}].actual_start", task.actual_start),
            (f"tasks[{i}].actual_finish", task.actual_finish),
            (f"tasks[{i}].leveled_start", task.leveled_start),
        ]
    found += [(f"milestones[{i}].target", m.target) for i, m in enumerate(plan.milestones)]
    for i, resource in enumerate(plan.resources):
        for j, period in enumerate(resource.time_off):
            found += [
                (f"resources[{i}].time_off[{j}].start", period.start),
                (f"resources[{i}].time_off[{j}].finish", period.finish),
            ]
    return found


def _day(value: Any) -> date | None:
    """A date of a plan as read (``"2027-05-31"``, or a holiday's ``{"date": …}``);
    ``None`` for anything else (the schema names it)."""
    if isinstance(value, dict):
        value = value.get("date")
    if not isinstance(value, str) or len(value) != len("2027-05-31"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _objects(node: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = node.get(key) if isinstance(node, dict) else None
    items = value if isinstance(value, list) else []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _entries(node: Any, key: str) -> list[tuple[int, Any]]:
    value = node.get(key) if isinstance(node, dict) else None
    return list(enumerate(value)) if isinstance(value, list) else []


def _document_dates(document: Mapping[str, Any]) -> Found:
    """The dates :func:`_given_dates` finds, read tolerantly from a plan as read (one that
    the schema may refuse): what is not a date is left to the schema."""
    program = document.get("program")
    program = program if isinstance(program, dict) else {}
    goal = program.get("goal")
    found: Found = [
        ("program.start", _day(program.get("start"))),
        ("program.status_date", _day(program.get("status_date"))),
        (
            "program.goal.target_date",
            _day(goal.get("target_date")) if isinstance(goal, dict) else None,
        ),
    ]
    for i, calendar in _objects(document, "calendars"):
        for kind in ("holidays", "extra_workdays"):
            found += [(f"calendars[{i}].{kind}[{j}]", _day(e)) for j, e in _entries(calendar, kind)]
    for i, task in _objects(document, "tasks"):
        constraint = task.get("constraint")
        if isinstance(constraint, dict):
            found.append((f"tasks[{i}].constraint.date", _day(constraint.get("date"))))
        fields = ("deadline", "actual_start", "actual_finish", "leveled_start")
        found += [(f"tasks[{i}].{field}", _day(task.get(field))) for field in fields]
    found += [
        (f"milestones[{i}].target", _day(m.get("target")))
        for i, m in _objects(document, "milestones")
    ]
    for i, resource in _objects(document, "resources"):
        for j, period in _objects(resource, "time_off"):
            found += [
                (f"resources[{i}].time_off[{j}].{end}", _day(period.get(end)))
                for end in ("start", "finish")
            ]
    return found


def _outside(found: Found) -> list[dict[str, str]]:
    """The dates outside the window of plan dates (a year typed wrong), each at its
    place. A program start a reader took from a task's date is not listed again beside
    that task."""
    outside = [(path, day) for path, day in found if day and not in_window(day)]
    elsewhere = {day for path, day in outside if path != "program.start"}
    return [
        {"location": path, "message": window_message(day)}
        for path, day in outside
        if path != "program.start" or day not in elsewhere
    ]


def window_problems(plan: Plan) -> list[dict[str, str]]:
    """The plan's dates outside the window of plan dates, each at its place, all at once."""
    return _outside(_given_dates(plan))


def document_window_problems(document: Mapping[str, Any]) -> list[dict[str, str]]:
    """:func:`window_problems` of a plan as read, before (or whatever) its schema says."""
    return _outside(_document_dates(document))


def plan_problems(document: dict[str, Any], *, schema: bool = True) -> list[dict[str, str]]:
    """Every problem of a plan document at its path: control characters, the schema's
    and the cross-checks (unless ``schema`` is false: a plan file's reader ran them),
    and dates outside the window."""
    problems = control_problems(document)
    plan = None
    if schema:
        try:
            plan = read_plan(document)
        except PlanError as exc:
            problems += exc.problems
    problems += window_problems(plan) if plan is not None else document_window_problems(document)
    return problems


_LINE = re.compile(r"^line (\d+)")


def _line(problem: Mapping[str, str]) -> int:
    """The line a problem is on (0: none, such as the mapping of the columns)."""
    found = _LINE.match(problem.get("location", ""))
    return int(found[1]) if found else 0


def merged(
    found: Iterable[Mapping[str, str]],
    checked: Iterable[Mapping[str, str]],
    *,
    places: bool = False,
) -> list[dict[str, str]]:
    """The problems ``found`` and those ``checked`` after them, each listed once; with
    ``places``, a check is left out where a problem was found already (a reader's
    problem at a cell of a CSV: the same value would be named twice)."""
    problems = [dict(p) for p in found]
    taken = {p["location"] for p in problems} if places else set()
    seen = {(p["location"], p["message"]) for p in problems}
    for problem in checked:
        spot = (problem["location"], problem["message"])
        if spot in seen or problem["location"] in taken:
            continue
        seen.add(spot)
        problems.append(dict(problem))
    return problems


def located(imported: ImportedPlan, problems: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Problems of the plan a file gave, at their places in the file (see
    :meth:`~podium.interop.imported.ImportedPlan.locate`); a CSV's in the order of its
    lines."""
    found = imported.locate(problems)
    return sorted(found, key=_line) if imported.format == "csv" else found


def refused_file_problems(imported: ImportedPlan) -> list[dict[str, str]]:
    """Every problem of a file its reader refused: the reader's, and those of the plan it
    could read (located in the file), each listed once."""
    found = [p.as_dict() for p in imported.problems]
    if not imported.partial:
        return found
    # a plan file's schema and cross-checks ran in its reader
    checks = plan_problems(imported.partial, schema=imported.format != "podium-plan")
    problems = merged(found, imported.locate(checks), places=imported.format == "csv")
    return sorted(problems, key=_line) if imported.format == "csv" else problems
