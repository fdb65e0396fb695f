"""``podium assign``, ``unassign``, ``assignment list|set``: resources on tasks (leveling
is in :mod:`podium.cli.leveling`).

An assignment puts ``units`` of a resource on a task for each of the task's working
days (0.5: half a person's day). A task is found by its key in the program, a
resource by its key, id or name. As through the API, only the managers and owners
of the task's program assign (``--as EMAIL``; default: the system), and input is
checked as the API checks it (podium.api.assignments). A resource's calendar, or
the work given on an effort-driven task, moves the task: the commands say how, and
what was given for the task against what is planned over its whole working days.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    checked_text,
    console,
    fail,
    service_work,
)
from podium.cli.programs import counted
from podium.cli.resources import find_resource
from podium.cli.task_common import money
from podium.currency import in_currency
from podium.errors import ValidationFailed
from podium.models import Program, Resource, Task
from podium.services import programs
from podium.services.actor import SYSTEM, Actor
from podium.services.pages_tasks import find_activity
from podium.services.resources import assignments
from podium.services.resources.assignments import MAX_UNITS, MIN_UNITS, AssignmentView
from podium.services.resources.effort import Handover
from podium.services.scheduling import reschedule_pending
from podium.services.tasks import get_task

assignment_app = typer.Typer(
    help="Assignments: which resources work on which tasks, and how much.",
    no_args_is_help=True,
)

# what the API takes (podium.api.assignments)
MAX_WORK_HOURS = 10_000_000.0
NOTES_LENGTH = 500

TaskKey = Annotated[str, typer.Argument(metavar="TASK", help="the task's key, e.g. DATA-1")]
ResourceArg = Annotated[
    str, typer.Argument(metavar="RESOURCE", help="the resource's key, id or name (any case)")
]
Units = Annotated[
    str | None,
    typer.Option(help="share of each working day: 50% or 0.5 (above 100% for a team)"),
]
Work = Annotated[
    float | None,
    typer.Option(
        "--work",
        help="work given for the task, in hours: an effort-driven task's duration follows it "
        "(a duration-driven task keeps it for when it becomes effort-driven)",
    ),
]
Notes = Annotated[str | None, typer.Option(help="anything worth knowing about it")]
LABELS = {"units": "units", "work_hours": "work given", "notes": "notes"}


def parse_units(text: str) -> float:
    """``50%``, ``50 %`` or ``0.5``: a share of each working day, within the API's limits."""
    raw = text.strip()
    try:
        units = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise fail(escape(f"--units is a share of a day like 50% or 0.5, not {text!r}")) from None
    if not math.isfinite(units) or not MIN_UNITS <= units <= MAX_UNITS:
        least, most = (
            f"{MIN_UNITS:g} ({percent(MIN_UNITS)})",
            f"{MAX_UNITS:g} ({percent(MAX_UNITS)})",
        )
        raise fail(escape(f"--units must be at least {least} and at most {most}, not {raw}"))
    return units


def _checked_work(hours: float) -> float:
    if not math.isfinite(hours) or not 0 < hours <= MAX_WORK_HOURS:
        raise fail(
            f"--work must be more than 0 and at most {MAX_WORK_HOURS:,.0f} hours, not {hours:g}"
        )
    return hours


@contextmanager
def _units_refused(units: float | None, resource: Resource) -> Iterator[None]:
    """Units the service refuses (above the resource's capacity) said once, in percent."""
    try:
        yield
    except ValidationFailed as exc:
        details = exc.details if isinstance(exc.details, list) else []
        if units is None or [d.get("field") for d in details] != ["units"]:
            raise
        if units > resource.capacity:
            capacity = percent(resource.capacity)
            said = f"{percent(units)} is more than {resource.name}'s capacity of {capacity}"
        else:
            said = str(details[0].get("message", ""))
        raise fail(escape(f"--units {said}")) from None


def percent(units: float) -> str:
    """Units as people read them: ``50%``, ``150%``."""
    return f"{units * 100:,.2f}".rstrip("0").rstrip(".") + "%"


def _hours(hours: float | None) -> str:
    return "none" if hours is None else f"{hours:,.6g} h"


def _task(session: Session, actor: Actor, program: Program, key: str) -> Task:
    """The program's task with this key; a milestone or an unknown key fails the command."""
    try:
        ref = find_activity(session, program.id, key, field="TASK")
    except ValidationFailed:
        raise fail(escape(f"no task {key.strip()!r} in {program.key}")) from None
    if ref.type == "milestone":
        raise fail(escape(f"{key.strip()} is a milestone of {program.key}: it has no work"))
    return get_task(session, actor, ref.id)


def _open(
    session: Session, actor: Actor, program: str, key: str, resource: str
) -> tuple[Program, Task, Resource]:
    """The program (key or id), its task with this key and the resource."""
    found = programs.find_program(session, actor, program)
    return found, _task(session, actor, found, key), find_resource(session, resource)


def _assigned(
    session: Session, actor: Actor, task: Task, resource: Resource
) -> AssignmentView | None:
    views = assignments.list_assignments(session, actor, task_id=task.id)
    return next((v for v in views if v.resource.id == resource.id), None)


def _not_assigned(program: Program, task: Task, resource: Resource) -> typer.Exit:
    listed = f"`podium assignment list {program.key} --task {task.key}` lists who is"
    return fail(escape(f"{resource.key} is not assigned to {task.key}") + f" ({escape(listed)})")


def _shown(field: str, value: Any) -> str:
    """An assignment's field in a change line."""
    if field == "units":
        return percent(value)
    return _hours(value) if field == "work_hours" else escape(value) or "—"


def _plan(task: Task) -> tuple[Any, ...]:
    return task.duration, task.early_start, task.early_finish


def _moved(session: Session, task: Task, before: tuple[Any, ...]) -> str | None:
    """How the task moved once rescheduled (a resource's calendar, an effort-driven task's
    work), or ``None``."""
    reschedule_pending(session)  # now rather than at commit: to say where it lands
    session.refresh(task)
    duration, start, finish = before
    if _plan(task) == before:
        return None
    parts = []
    if task.duration != duration:
        parts.append(f"takes {counted(task.duration, 'working day')} (was {duration})")
    if (task.early_start, task.early_finish) != (start, finish):
        parts.append(f"runs {task.early_start} → {task.early_finish} (was {start} → {finish})")
    return f"{escape(task.key)} now {' and '.join(parts)}."


def _booked(view: AssignmentView, currency: str | None) -> str:
    """Units, work and cost (in the program's ``currency``) in a line: ``50%, 40 h of work,
    cost 3,800.00 EUR``."""
    work, cost = _hours(view.work_hours), money(view.cost, currency)
    return f"{percent(view.assignment.units)}, {work} of work, cost {cost}"


def _task_work(session: Session, actor: Actor, task: Task) -> str | None:
    """What was given for the task and what is planned over its whole working days."""
    views = assignments.list_assignments(session, actor, task_id=task.id)
    summary = assignments.task_work(views, task).summary()
    return f"{escape(task.key)}: {escape(summary)}" if summary else None


def _handed(task: Task, handover: Handover | None) -> str | None:
    """Where the work given on a removed assignment went."""
    return escape(handover.sentence(task.key)) if handover is not None else None


def _costs_in_all(views: Sequence[AssignmentView], currencies: dict[int, str | None]) -> str:
    """The total cost, one sum per currency when the programs' differ (never added
    together): ``3,800.00 EUR + 1,200.00 USD``."""
    totals: dict[str | None, float] = {}
    for v in views:
        code = currencies[v.assignment.program_id]
        totals[code] = totals.get(code, 0.0) + v.cost
    ordered = sorted(totals.items(), key=lambda item: item[0] or "")
    return " + ".join(money(total, code) for code, total in ordered)


def assignments_table(
    session: Session, views: Sequence[AssignmentView], *, by: Literal["program", "resource"]
) -> Table:
    """Assignments with their task's dates, work and cost; the first column names the
    program (a resource's bookings) or the resource (a program's). Costs are in their
    program's currency: named once in the heading when every program has the same (or
    none), else beside each cost."""
    involved = [
        programs.get_program(session, SYSTEM, i) for i in {v.assignment.program_id for v in views}
    ]
    keys = {p.id: p.key for p in involved}
    currencies = {p.id: p.currency for p in involved}
    shared = set(currencies.values())
    heading = in_currency("cost", next(iter(shared))) if len(shared) == 1 else "cost"
    work = sum(v.work_hours for v in views)
    across = f" across {counted(len(keys), 'program')}" if by == "program" else ""
    table = Table(
        by, "task", "name", Column("units", justify="right"), Column("work", justify="right"),
        Column(heading, justify="right"), Column("start", no_wrap=True),
        Column("finish", no_wrap=True), title=f"{counted(len(views), 'assignment')}{across}",
        title_justify="left",
        caption=f"in all: {_hours(work)} of work, cost {_costs_in_all(views, currencies)}",
        caption_justify="left",
    )  # fmt: skip
    for v in views:
        first = keys[v.assignment.program_id] if by == "program" else v.resource.key
        cost = money(v.cost, None if len(shared) == 1 else currencies[v.assignment.program_id])
        table.add_row(
            escape(first), escape(v.task.key), escape(v.task.name), percent(v.assignment.units),
            _hours(v.work_hours), cost, str(v.task.early_start or "—"),
            str(v.task.early_finish or "—"),
        )  # fmt: skip
    return table


@app.command("assign")
def assign(
    program: ProgramRef,
    task: TaskKey,
    resource: ResourceArg,
    units: Units = "100%",
    work: Work = None,
    notes: Notes = None,
    as_user: AsUser = None,
) -> None:
    """Put a resource on a task (managers); `podium assignment set` changes it later."""
    share = parse_units(units or "100%")
    hours = _checked_work(work) if work is not None else None
    text = checked_text(notes or "", "--notes", NOTES_LENGTH)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, chosen, booked = _open(session, actor, program, task, resource)
        existing = _assigned(session, actor, chosen, booked)
        if existing is not None:
            change = f"podium assignment set {found.key} {chosen.key} {booked.key} --units …"
            now = _booked(existing, found.currency)
            raise fail(
                escape(f"{booked.key} is already on {chosen.key} at {now}")
                + f": `{escape(change)}` changes it"
            )
        before = _plan(chosen)
        with _units_refused(share, booked):
            made = assignments.create_assignment(
                session, actor, task_id=chosen.id, resource_id=booked.id, units=share,
                work_hours=hours, notes=text,
            )  # fmt: skip
        moved = _moved(session, chosen, before)
        view = assignments.describe(session, made)
        who = escape(booked.name)
        at = _booked(view, found.currency)
        line = f"Assigned {who} to {escape(chosen.key)} {escape(chosen.name)} at {at}."
        task_work = _task_work(session, actor, chosen)
    for said in (line, moved, task_work):
        if said:
            console.print(said)


@app.command("unassign")
def unassign(
    program: ProgramRef, task: TaskKey, resource: ResourceArg, as_user: AsUser = None
) -> None:
    """Take a resource off a task (managers)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, chosen, booked = _open(session, actor, program, task, resource)
        view = _assigned(session, actor, chosen, booked)
        if view is None:
            raise _not_assigned(found, chosen, booked)
        before, was = _plan(chosen), _booked(view, found.currency)
        handover = assignments.delete_assignment(
            session, actor, view.assignment.id, expected_version=view.assignment.version
        )
        moved = _moved(session, chosen, before)
        who = escape(booked.name)
        line = f"Took {who} off {escape(chosen.key)} {escape(chosen.name)} (was {was})."
        task_work = _task_work(session, actor, chosen)
    for said in (line, _handed(chosen, handover), moved, task_work):
        if said:
            console.print(said)


@assignment_app.command("list")
def assignment_list(
    program: ProgramRef,
    task: Annotated[str | None, typer.Option("--task", help="only this task's")] = None,
    resource: Annotated[str | None, typer.Option("--resource", help="only this resource's")] = None,
) -> None:
    """The program's assignments: units, work, cost and the task's dates."""
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        views = assignments.list_assignments(session, SYSTEM, program_id=found.id)
        if task is not None:
            chosen = _task(session, SYSTEM, found, task)
            views = [v for v in views if v.task.id == chosen.id]
        if resource is not None:
            booked = find_resource(session, resource)
            views = [v for v in views if v.resource.id == booked.id]
        table = assignments_table(session, views, by="resource") if views else None
        key = found.key
    if table is None:
        console.print(f"No assignment in {key}: `podium assign {key} TASK RESOURCE` adds one.")
        return
    console.print(table)


@assignment_app.command("set")
def assignment_set(
    program: ProgramRef,
    task: TaskKey,
    resource: ResourceArg,
    units: Units = None,
    work: Work = None,
    no_work: Annotated[
        bool, typer.Option("--no-work", help="no work given: it follows the duration")
    ] = False,
    notes: Notes = None,
    as_user: AsUser = None,
) -> None:
    """Change an assignment's units, work or notes (managers); only what is given."""
    if work is not None and no_work:
        raise fail("give --work or --no-work, not both")
    updates: dict[str, Any] = {}
    if units is not None:
        updates["units"] = parse_units(units)
    if work is not None or no_work:
        updates["work_hours"] = _checked_work(work) if work is not None else None
    if notes is not None:
        updates["notes"] = checked_text(notes, "--notes", NOTES_LENGTH)
    if not updates:
        raise fail("nothing to change: give --units, --work, --no-work or --notes")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, chosen, booked = _open(session, actor, program, task, resource)
        view = _assigned(session, actor, chosen, booked)
        if view is None:
            raise _not_assigned(found, chosen, booked)
        made, before = view.assignment, _plan(chosen)
        old = {field: getattr(made, field) for field in updates}
        with _units_refused(updates.get("units"), booked):
            assignments.update_assignment(
                session, actor, made.id, updates, expected_version=made.version
            )
        moved = _moved(session, chosen, before)
        lines = [
            (LABELS.get(field, field), _shown(field, was), _shown(field, getattr(made, field)))
            for field, was in old.items()
            if getattr(made, field) != was
        ]
        title = escape(f"{booked.key} on {chosen.key}")
        now = _booked(assignments.describe(session, made), found.currency)
        task_work = _task_work(session, actor, chosen)
    if not lines:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated [bold]{title}[/]:")
    grid = Table.grid(padding=(0, 2))
    for label, was, new in lines:
        grid.add_row(f"  {label}", f"{was} → {new}")
    console.print(grid)
    for said in (f"Now {now}.", moved, task_work):
        if said:
            console.print(said)


app.add_typer(assignment_app, name="assignment")
