"""``podium program create``, ``set`` and ``delete``: a program's settings.

The settings are checked as the API checks them (the same key pattern, the same
lengths, texts trimmed), so the command line refuses what the API refuses. The
commands act as the system: a new program has the owner ``--owner`` names.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    ProgramRef,
    checked_key,
    console,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
    service_work,
)
from podium.cli.program_preview import print_settings_impact
from podium.cli.programs import (
    calendar_name,
    counted,
    no_owner_hint,
    program_app,
    span,
)
from podium.currency import CURRENCY_RULE, checked_currency
from podium.errors import PodiumError
from podium.models import ProgramStatus, Role
from podium.services import auth, programs
from podium.services.actor import SYSTEM
from podium.services.programs import PlanSize
from podium.services.scheduling import reschedule_pending
from podium.services.scheduling.pending import PROGRAM_INPUTS
from podium.services.scheduling.views import PREVIEWED_SETTINGS, analyze_settings_impact
from podium.services.uow import unit_of_work

# what the API takes (podium.api.programs)
KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,19}$"
KEY_RULE = "a letter, then at most 19 letters, digits, '-' or '_'"
TEXT_LENGTHS = {
    "name": 200,
    "description": 10_000,
    "goal_outcome": 2000,
    "goal_measure": 200,
    "goal_unit": 50,
}
# closing goes through the retrospective, which keeps the outcome and the lessons
SETTABLE_STATUSES = (ProgramStatus.ACTIVE.value, ProgramStatus.ON_HOLD.value)
# each setting's option, and how a change to it is named
OPTIONS = {
    "name": "--name",
    "description": "--description",
    "start_date": "--start",
    "status_date": "--status-date",
    "currency": "--currency",
    "goal_outcome": "--goal-outcome",
    "goal_measure": "--goal-measure",
    "goal_unit": "--goal-unit",
    "goal_baseline_value": "--goal-baseline",
    "goal_target_value": "--goal-target",
    "goal_target_date": "--goal-target-date",
}
LABELS = {
    "start_date": "start",
    "calendar_id": "calendar",
    "status_date": "status date",
    "goal_baseline_value": "goal baseline",
    "goal_target_value": "goal target",
    "goal_target_date": "goal target date",
}
SHOWN_LENGTH = 60
# what --clear empties: texts become empty, numbers and dates none (the name is required)
CLEARABLE = {
    "description": "description",
    "status-date": "status_date",
    "currency": "currency",
    "goal-outcome": "goal_outcome",
    "goal-measure": "goal_measure",
    "goal-unit": "goal_unit",
    "goal-baseline": "goal_baseline_value",
    "goal-target": "goal_target_value",
    "goal-target-date": "goal_target_date",
}

Description = Annotated[str | None, typer.Option(help="what the program is for")]
CalendarName = Annotated[
    str | None, typer.Option("--calendar", help="its default calendar's name (any case)")
]
StatusDate = Annotated[
    str | None,
    typer.Option(help="YYYY-MM-DD: progress is as of this day; work left is scheduled from it on"),
]
Currency = Annotated[
    str | None,
    typer.Option(help=f"{CURRENCY_RULE} (any case); amounts are printed with it"),
]
GoalOutcome = Annotated[str | None, typer.Option(help="the outcome the program exists for")]
GoalMeasure = Annotated[str | None, typer.Option(help="what is measured, e.g. tickets per month")]
GoalUnit = Annotated[str | None, typer.Option(help="the measure's unit, e.g. tickets")]
GoalBaseline = Annotated[float | None, typer.Option(help="the measure's value today")]
GoalTarget = Annotated[float | None, typer.Option(help="the value to reach")]
GoalTargetDate = Annotated[str | None, typer.Option(help="when to reach it, YYYY-MM-DD")]


def _checked_key(key: str) -> str:
    """A new program's key, trimmed (as the API trims it); one it refuses fails."""
    return checked_key(key, pattern=KEY_PATTERN, rule=KEY_RULE, what="program", example="CLOUD")


def _checked(given: dict[str, Any]) -> dict[str, Any]:
    """The settings given (not None), checked as the API checks them, dates parsed."""
    fields: dict[str, Any] = {}
    for field, value in given.items():
        option = OPTIONS[field]
        if value is None:
            continue
        if field in TEXT_LENGTHS:
            value = value.strip()
            if field == "name" and not value:
                raise fail("--name must not be blank")
            if len(value) > TEXT_LENGTHS[field]:
                limit = TEXT_LENGTHS[field]
                raise fail(f"{option} is at most {limit} characters, not {len(value)}")
        elif field == "currency":
            try:
                value = checked_currency(value)
            except ValueError as exc:
                raise fail(escape(f"{option} {exc}")) from None
        elif field.endswith("_date"):
            value = parse_day(value, option)
        elif field.endswith("_value") and not math.isfinite(value):
            raise fail(f"{option} must be a finite number, not {value}")
        fields[field] = value
    return fields


def _find_calendar_id(session: Session, name: str) -> int:
    """The id of the calendar of this name (any case); unknown: the command fails.

    Imported when called: importing podium.cli.calendars first would register its
    commands before the program commands, out of the `podium --help` order."""
    from podium.cli.calendars import find_calendar

    return find_calendar(session, name).id


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else "—"


def _shown(session: Session, field: str, value: Any) -> str:
    """A setting's value in a change line: a calendar by name, long texts cut short."""
    if field == "calendar_id":
        return calendar_name(session, value)
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value).replace("\n", " ")
    return escape(text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…")


@program_app.command("create")
def program_create(
    key: Annotated[str, typer.Argument(help=f"the program's short key: {KEY_RULE}, e.g. CLOUD")],
    name: Annotated[str, typer.Option(help="the program's name")],
    start: Annotated[str, typer.Option(help="the day work may start, YYYY-MM-DD")],
    description: Description = None,
    calendar: CalendarName = None,
    status_date: StatusDate = None,
    currency: Currency = None,
    goal_outcome: GoalOutcome = None,
    goal_measure: GoalMeasure = None,
    goal_unit: GoalUnit = None,
    goal_baseline: GoalBaseline = None,
    goal_target: GoalTarget = None,
    goal_target_date: GoalTargetDate = None,
    owner: Annotated[
        str | None, typer.Option(help="its owner, an existing user's email (podium user list)")
    ] = None,
) -> None:
    """Start a program. Commands act as the system, so --owner says who owns it."""
    key = _checked_key(key)
    fields = _checked(
        {
            "name": name,
            "start_date": start,
            "description": description,
            "status_date": status_date,
            "currency": currency,
            "goal_outcome": goal_outcome,
            "goal_measure": goal_measure,
            "goal_unit": goal_unit,
            "goal_baseline_value": goal_baseline,
            "goal_target_value": goal_target,
            "goal_target_date": goal_target_date,
        }
    )
    require_current_schema()
    try:
        with unit_of_work() as session:
            if calendar is not None:
                fields["calendar_id"] = _find_calendar_id(session, calendar)
            user = auth.find_user(session, owner) if owner is not None else None
            if owner is not None and user is None:
                raise fail(escape(f"--owner: no user with email {owner}"))
            made = programs.create_program(session, SYSTEM, key=key, **fields)
            if user is not None:
                programs.add_member(session, SYSTEM, made.id, email=user.email, role=Role.OWNER)
            summary = f"[bold]{escape(made.key)}[/] {escape(made.name)} (id {made.id})"
            starts, owner_email = made.start_date, user.email if user else None
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Created program {summary}, starting {starts}.")
    if owner_email is not None:
        console.print(f"Owner: {escape(owner_email)}.")
    else:
        console.print(no_owner_hint(key))


@program_app.command("set")
def program_set(
    program: ProgramRef,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    description: Description = None,
    start: Annotated[str | None, typer.Option(help="a new start, YYYY-MM-DD")] = None,
    calendar: CalendarName = None,
    no_calendar: Annotated[
        bool, typer.Option("--no-calendar", help="no default calendar (Mon–Fri, no holidays)")
    ] = False,
    status_date: StatusDate = None,
    clear_status_date: Annotated[
        bool, typer.Option("--clear-status-date", help="no status date")
    ] = False,
    status: Annotated[str | None, typer.Option(help="active or on_hold")] = None,
    currency: Currency = None,
    goal_outcome: GoalOutcome = None,
    goal_measure: GoalMeasure = None,
    goal_unit: GoalUnit = None,
    goal_baseline: GoalBaseline = None,
    goal_target: GoalTarget = None,
    goal_target_date: GoalTargetDate = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            "--clear",
            help="empty a setting (repeat for several): " + ", ".join(CLEARABLE),
            show_default=False,
        ),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="show what the new --start, --status-date or --calendar would move; save nothing",
        ),
    ] = False,
) -> None:
    """Change only the settings given, and say what changed.

    A new start, status date or calendar reschedules the program; --preview shows
    what they would move first."""
    if calendar is not None and no_calendar:
        raise fail("give --calendar or --no-calendar, not both")
    if status_date is not None and clear_status_date:
        raise fail("give --status-date or --clear-status-date, not both")
    if status == ProgramStatus.CLOSED.value:
        raise fail(
            "a program is closed with its retrospective, which keeps the outcome and the "
            "lessons: `podium program close` (or its retrospective page)"
        )
    if status is not None and status not in SETTABLE_STATUSES:
        raise fail(escape(f"--status must be one of active, on_hold, not {status!r}"))
    updates = _checked(
        {
            "name": name,
            "description": description,
            "start_date": start,
            "status_date": status_date,
            "currency": currency,
            "goal_outcome": goal_outcome,
            "goal_measure": goal_measure,
            "goal_unit": goal_unit,
            "goal_baseline_value": goal_baseline,
            "goal_target_value": goal_target,
            "goal_target_date": goal_target_date,
        }
    )
    for name in clear or []:
        field = CLEARABLE.get(name)
        if field is None:
            raise fail(escape(f"--clear takes one of {', '.join(CLEARABLE)}, not {name!r}"))
        if field in updates:
            raise fail(f"give {OPTIONS[field]} or --clear {name}, not both")
        updates[field] = "" if field in TEXT_LENGTHS else None
    if status is not None:
        updates["status"] = ProgramStatus(status)
    if no_calendar:
        updates["calendar_id"] = None
    if clear_status_date:
        updates["status_date"] = None
    if not updates and calendar is None:
        raise fail("nothing to change: give at least one of the options (see --help)")
    if preview:
        _preview(program, updates, calendar)
        return
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            if found.status == ProgramStatus.CLOSED:
                raise fail(
                    escape(f"{found.key} is closed: its settings cannot change")
                    + " until an owner reopens it (on its retrospective page)"
                )
            if calendar is not None:
                updates["calendar_id"] = _find_calendar_id(session, calendar)
            before = {field: getattr(found, field) for field in updates}
            dates_before = (found.scheduled_start, found.scheduled_finish)
            programs.update_program(
                session, SYSTEM, found.id, updates, expected_version=found.version
            )
            reschedule_pending(session)  # now rather than at commit: to say where dates land
            session.refresh(found)
            changed = [field for field, old in before.items() if getattr(found, field) != old]
            lines = [
                (
                    LABELS.get(field, field.replace("_", " ")),
                    _shown(session, field, before[field]),
                    _shown(session, field, getattr(found, field)),
                )
                for field in changed
            ]
            title = f"[bold]{escape(found.key)}[/] {escape(found.name)}"
            dates_after = (found.scheduled_start, found.scheduled_finish)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not lines:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in lines:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    moves = [
        f"{which} {_day(old)} → {_day(new)}"
        for which, old, new in zip(("start", "finish"), dates_before, dates_after, strict=True)
        if old != new
    ]
    if moves:
        console.print(f"Rescheduled: {', '.join(moves)}.")
    elif dates_after[1] is not None and set(changed) & set(PROGRAM_INPUTS):
        console.print(f"Rescheduled: the dates do not move ({span(*dates_after)}).")


def _preview(program: str, updates: dict[str, Any], calendar: str | None) -> None:
    """``program set --preview``: what the new start, status date or calendar would move."""
    others = {OPTIONS.get(f, f"--{f}") for f in set(updates) - set(PREVIEWED_SETTINGS)}
    if others:
        raise fail(
            "--preview shows what a new --start, --status-date (or --clear-status-date) or "
            f"--calendar (or --no-calendar) moves; leave out {', '.join(sorted(others))}"
        )
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        if calendar is not None:
            updates = {**updates, "calendar_id": _find_calendar_id(session, calendar)}
        changed = {f: v for f, v in updates.items() if getattr(found, f) != v}
        title = f"[bold]{escape(found.key)}[/] {escape(found.name)}"
        if not changed:
            console.print(f"Nothing to preview: {title} already has those settings.")
            return
        view = analyze_settings_impact(session, SYSTEM, found.id, changed)
        lines = [
            f"{LABELS[f]} {_shown(session, f, getattr(found, f))} → {_shown(session, f, v)}"
            for f, v in changed.items()
        ]
        session.rollback()
    print_settings_impact(title, lines, view)


@program_app.command("delete")
def program_delete(
    program: ProgramRef,
    yes: Annotated[
        bool, typer.Option("--yes", help="really delete it, with everything in it")
    ] = False,
) -> None:
    """Delete a program and everything in it (projects, tasks, milestones, risks…)."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            size = programs.plan_sizes(session, found.id).get(found.id, PlanSize())
            what = escape(
                f"{found.key} ({found.name}) with its {counted(size.projects, 'project')} "
                f"and {counted(size.tasks, 'task')}"
            )
            if not yes:
                raise fail(
                    f"this would delete program {what}, and everything else in it: "
                    "run again with --yes to delete it"
                )
            programs.delete_program(session, SYSTEM, found.id, expected_version=found.version)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Deleted program {what}.")
