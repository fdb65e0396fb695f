"""What the ``podium task`` commands share: the API's limits on input, finding a task,
a project or a calendar by name, and showing a task, its dates and what moved."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from podium.cli._app import (
    checked_key,
    checked_text,
    fail,
    parse_day,
)
from podium.cli.programs import counted
from podium.currency import with_currency
from podium.engine.network import MAX_DURATION
from podium.errors import ValidationFailed
from podium.models import ConstraintType, DependencyType, Program, Project, Task
from podium.services import dependencies, programs, projects, tasks
from podium.services.actor import Actor
from podium.services.dependencies import DependencyView
from podium.services.pages_tasks import find_activity
from podium.services.tasks.rollup import RolledUp, shown_values

# what the API takes (podium.api.tasks)
KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"
KEY_RULE = "a letter, then at most 39 letters, digits, '.', '-' or '_'"
TEXT_LENGTHS = {"--name": 300, "--description": 10_000}
MAX_MONEY = 1e12
MAX_POSITION = 2_147_483_647
LIMITS = {"duration": MAX_DURATION, "budget": MAX_MONEY, "percent": 100, "actual_cost": MAX_MONEY}
DATES = ("constraint_date", "deadline", "actual_start", "actual_finish")
CONSTRAINTS = {
    ConstraintType.ASAP: "as soon as possible", ConstraintType.SNET: "start no earlier than",
    ConstraintType.MSO: "must start on", ConstraintType.FNLT: "finish no later than",
    ConstraintType.SNLT: "start no later than", ConstraintType.FNET: "finish no earlier than",
    ConstraintType.MFO: "must finish on",
}  # fmt: skip
ESTIMATE_FIELDS = ("estimate_optimistic", "estimate_most_likely", "estimate_pessimistic")
FIELDS = {"constraint": "constraint_type", "percent": "percent_complete"}  # option: field
# the option that gives each field, to name it when a service refuses the field
OPTIONS = {
    "key": "--key", "name": "--name", "description": "--description", "duration": "--duration",
    "is_milestone": "--milestone", "calendar_id": "--calendar", "constraint_type": "--constraint",
    "constraint_date": "--constraint-date", "deadline": "--deadline", "estimate": "--estimate",
    "actual_start": "--actual-start", "actual_finish": "--actual-finish", "budget": "--budget",
    "percent_complete": "--percent", "actual_cost": "--actual-cost", "parent_id": "--parent",
    "effort_driven": "--effort-driven", "position": "--position", "leveled_start": "--no-hold",
}  # fmt: skip
EVERY = 1_000_000  # one page holding every row
SHOWN_LENGTH = 60
MOVES_SHOWN = 5

Dates = tuple[date | None, date | None]  # scheduled (early) start and finish
Schedule = dict[int, tuple[str, Dates]]  # task id: its key and dates, in WBS order

TaskKey = Annotated[str, typer.Argument(metavar="KEY", help="the task's key, e.g. DATA-3")]
Duration = Annotated[int | None, typer.Option(help=f"working days, 0 to {MAX_DURATION}")]
Constraint = Annotated[
    str | None, typer.Option(help="asap, snet, mso, fnlt, snlt, fnet or mfo (MS Project's)")
]
ConstraintDate = Annotated[str | None, typer.Option(help="the constraint's date, YYYY-MM-DD")]
Deadline = Annotated[str | None, typer.Option(help="finish by this day, YYYY-MM-DD")]
CalendarName = Annotated[str | None, typer.Option(help="its own calendar's name (any case)")]
Estimate = Annotated[str | None, typer.Option(help="3-point estimate in working days: 8,10,15")]
Budget = Annotated[float | None, typer.Option(help="planned cost (money)")]
Description = Annotated[str | None, typer.Option(help="what the task delivers")]
Percent = Annotated[float | None, typer.Option("--percent", help="percent complete, 0 to 100")]
ActualStart = Annotated[str | None, typer.Option(help="the day work began, YYYY-MM-DD")]
ActualFinish = Annotated[str | None, typer.Option(help="the day work ended (100 % done)")]
ActualCost = Annotated[float | None, typer.Option(help="cost incurred so far (money)")]


# --- input, checked as the API checks it ------------------------------------------------


def checked_task_text(value: str, option: str) -> str:
    """--name or --description, trimmed; a blank name, a text too long or with NUL fails."""
    return checked_text(value, option, TEXT_LENGTHS[option], required=option == "--name")


def checked_task_key(key: str) -> str:
    """A task key, trimmed; one the API refuses fails the command."""
    return checked_key(key, pattern=KEY_PATTERN, rule=KEY_RULE, what="task", example="DATA-3")


def _amount(value: float, option: str, most: float) -> float:
    """A number from 0 to ``most``; anything else (NaN too) fails the command."""
    if not (math.isfinite(value) and 0 <= value <= most):
        raise fail(f"{option} must be between 0 and {most:,.0f}, not {value:g}")
    return value


def _estimate(text: str) -> dict[str, float]:
    """``8,10,15`` (or ``8/10/15``): optimistic, most likely, pessimistic working days."""
    try:
        values = [float(part) for part in text.replace("/", ",").split(",")]
    except ValueError:
        values = []
    if len(values) != 3:
        raise fail(escape(f"--estimate takes three numbers of working days (8,10,15): {text!r}"))
    pairs = zip(ESTIMATE_FIELDS, values, strict=True)
    return {field: _amount(value, "--estimate", MAX_DURATION) for field, value in pairs}


def index_of(position: int | None) -> int | None:
    """``--position`` counts siblings from 1, as the WBS does; the services from 0."""
    if position is not None and not 1 <= position <= MAX_POSITION:
        raise fail(f"--position must be between 1 and {MAX_POSITION}, not {position}")
    return position - 1 if position is not None else None


def task_fields(**given: Any) -> dict[str, Any]:
    """The options given (``None``: left out) as task fields: numbers within the API's
    limits, dates parsed, the constraint and the estimate understood."""
    fields: dict[str, Any] = {}
    for name, value in given.items():
        option = "--" + name.replace("_", "-")
        if value is None:
            continue
        if name in LIMITS:
            value = _amount(value, option, LIMITS[name])
        elif name in DATES:
            value = parse_day(value, option)
        elif name == "constraint" and value.strip().lower() not in set(ConstraintType):
            kinds = ", ".join(ConstraintType)
            raise fail(escape(f"--constraint must be one of {kinds}, not {value!r}"))
        elif name == "constraint":
            value = ConstraintType(value.strip().lower())
        elif name == "estimate":
            fields |= _estimate(value)
            continue
        fields[FIELDS.get(name, name)] = value
    return fields


@contextmanager
def as_options() -> Iterator[None]:
    """A service's refusal of task fields, told with the options that give them."""
    try:
        yield
    except ValidationFailed as exc:
        problems = [p for p in exc.details or [] if isinstance(p, dict)]
        told = [f"{OPTIONS.get(p['field'], p['field'])}: {p['message']}" for p in problems]
        text = "; ".join(told) or exc.message
        for field, option in OPTIONS.items():
            text = text.replace(field, option) if "_" in field else text
        raise fail(escape(text)) from exc


# --- finding things ---------------------------------------------------------------------


def open_task(session: Session, actor: Actor, program: str, key: str) -> tuple[Program, Task]:
    """The program (key or id) and its task with this key; a milestone's key or an
    unknown one fails the command."""
    found, key = programs.find_program(session, actor, program), key.strip()
    try:
        ref = find_activity(session, found.id, key, field="KEY")
    except ValidationFailed:
        unknown = escape(f"no task {key!r} in {found.key}")
        raise fail(f"{unknown} (`podium task list {found.key}` lists them)") from None
    if ref.type != "task":
        hint = f"`podium milestone show {found.key} {key}`"
        raise fail(escape(f"{key} is a program milestone in {found.key}, not a task ({hint})"))
    return found, tasks.get_task(session, actor, ref.id)


def find_project(session: Session, actor: Actor, program: Program, key: str) -> Project:
    """The program's project with this key; an unknown one fails the command."""
    rows, _total = projects.list_projects(session, actor, program_id=program.id, limit=EVERY)
    match = next((p for p, _n in rows if p.key == key.strip()), None)
    if match is None:
        unknown = escape(f"--project: no project {key.strip()!r} in {program.key}")
        raise fail(f"{unknown} (`podium project list {program.key}` lists them)")
    return match


def calendar_id_of(session: Session, name: str) -> int:
    """Imported when called: importing podium.cli.calendars first would register its
    commands before these, out of the `podium --help` order."""
    from podium.cli.calendars import find_calendar

    return find_calendar(session, name).id


def schedule_of(session: Session, actor: Actor, program_id: int) -> Schedule:
    """Every task's key and scheduled dates, to tell what a change moved."""
    views, _total = tasks.list_tasks(
        session, actor, program_id=program_id, limit=EVERY, roll_up=False
    )
    return {v.task.id: (v.task.key, (v.task.early_start, v.task.early_finish)) for v in views}


# --- showing things ---------------------------------------------------------------------


def day(value: date | None, blank: str = "—") -> str:
    return value.isoformat() if value is not None else blank


def span(dates: Dates, blank: str = "not scheduled yet") -> str:
    start, finish = dates
    return f"{start} → {finish}" if start is not None and finish is not None else blank


def money(value: float, currency: str | None = None) -> str:
    """An amount to the cent, with the program's currency when it has one: ``1,200.00 EUR``."""
    return with_currency(f"{value:,.2f}", currency)


def _text(value: str) -> str:
    text = value.replace("\n", " ") or "—"
    return escape(text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…")


def is_late(task: Task) -> bool:
    """Unfinished and behind: its scheduled finish is past its deadline, or its float is
    negative (it, or work after it, cannot keep a deadline or a constraint)."""
    if task.actual_finish is not None:
        return False
    past = task.deadline is not None and (task.early_finish or date.min) > task.deadline
    return past or (task.total_float or 0) < 0


def shown_fields(
    task: Task,
    calendar_names: dict[int, str],
    rolled: RolledUp | None = None,
    *,
    currency: str | None = None,
) -> dict[str, str]:
    """The fields people change, as `show` and the change lines print them; a summary's
    duration, progress and costs as ``rolled`` up from its sub-tasks; amounts in the
    program's ``currency``."""
    estimate = [getattr(task, field) for field in ESTIMATE_FIELDS]
    shown = shown_values(task, rolled)
    constraint = CONSTRAINTS[ConstraintType(task.constraint_type)]
    return {
        "key": escape(task.key), "name": _text(task.name), "description": _text(task.description),
        "duration": counted(shown["duration"], "working day"),
        "milestone": "yes" if task.is_milestone else "no",
        "calendar": escape(calendar_names.get(task.calendar_id or 0, "the project's")),
        "constraint": f"{constraint} {day(task.constraint_date, '')}".strip(),
        "deadline": day(task.deadline),
        "estimate": " / ".join(f"{e:g}" for e in estimate) if None not in estimate else "—",
        "budget": money(shown["budget"], currency),
        "effort-driven": "yes" if task.effort_driven else "no",
        "leveling hold": day(task.leveled_start), "actual start": day(shown["actual_start"]),
        "actual finish": day(shown["actual_finish"]),
        "% complete": f"{shown['percent_complete']:g}",
        "actual cost": money(shown["actual_cost"], currency),
    }  # fmt: skip


def moves(task_id: int | None, before: Schedule, after: Schedule) -> list[str]:
    """How the task's scheduled finish moved (unless ``task_id`` is None), then the
    other tasks whose finish moved."""
    lines = []
    if task_id is not None:
        (was_start, was_finish), (start, finish) = before[task_id][1], after[task_id][1]
        started = f" (start {day(was_start)} → {day(start)})" if was_start != start else ""
        if was_finish != finish:
            lines.append(f"Scheduled finish {day(was_finish)} → {day(finish)}{started}.")
        else:
            lines.append(f"Scheduled finish unchanged: {day(finish, 'not scheduled')}{started}.")
    others = [
        f"{escape(key)} {day(before[other][1][1])} → {day(dates[1])}"
        for other, (key, dates) in after.items()
        if other != task_id and other in before and before[other][1][1] != dates[1]
    ]
    if others:
        more = f" and {len(others) - MOVES_SHOWN} more" if len(others) > MOVES_SHOWN else ""
        listed = ", ".join(others[:MOVES_SHOWN]) + more
        lines.append(f"It moves the finish of {counted(len(others), 'other task')}: {listed}.")
    return lines


def relink(
    session: Session,
    actor: Actor,
    link: DependencyView,
    dependency_type: DependencyType | None,
    lag: int | None,
) -> list[str]:
    """Give an existing link the type and lag asked (those not given stay), as the API's
    ``PATCH /dependencies/{id}`` does; what changed, old → new (empty: it was so already).

    Nothing to change still asks the service, so that only a manager hears so."""
    dependency = link.dependency
    updates: dict[str, Any] = {}
    said = []
    if dependency_type is not None and dependency_type != dependency.type:
        updates["type"] = dependency_type
        said.append(f"{dependency.type.value} → {dependency_type.value}")
    if lag is not None and lag != dependency.lag:
        updates["lag"] = lag
        said.append(f"lag {dependency.lag} → {lag}")
    dependencies.update_dependency(
        session, actor, dependency.id, updates, expected_version=dependency.version
    )
    return said


def link_said(view: DependencyView, kind: str, changed: list[str] | None, across: str = "") -> str:
    """What ``link`` says of ``view`` (``kind``: its type and lag as shown): that the
    successor now waits on its predecessor (a new link, ``changed`` is None), already did
    (nothing to change) or does with what ``changed`` lists; Rich markup escaped."""
    end = view.predecessor
    where = f" ({end.project_key})" if end.project_key else ""

    def waits(how: str) -> str:
        return escape(f"{view.successor.key} {how} {end.type} {end.key} {end.name}{where}")

    if changed is None:
        return f"{waits('now waits on')}, {escape(kind)}{escape(across)}."
    if not changed:
        return f"{waits('already waits on')}, {escape(kind)}: nothing changed."
    return f"{waits('waits on')}: changed {escape(', '.join(changed))}."
