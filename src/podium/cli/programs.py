"""The ``podium program`` commands that read programs: list them, show one.

Starting, changing and deleting a program are in :mod:`.program_settings`, its
members in :mod:`.program_members` (as on the web).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.cli._app import ProgramRef, app, console, fail, print_problems, require_current_schema
from podium.errors import PodiumError
from podium.models import Calendar, Membership, Program, ProgramStatus, Role, User
from podium.services import programs
from podium.services.actor import SYSTEM
from podium.services.forecasts import ForecastGlance, forecast_glance
from podium.services.programs import PlanSize
from podium.services.uow import unit_of_work

program_app = typer.Typer(
    help="Programs: start one, change its settings and status date, its members.",
    no_args_is_help=True,
)
app.add_typer(program_app, name="program")

STATUSES = tuple(s.value for s in ProgramStatus)
NO_CALENDAR = "none (Mon–Fri, no holidays)"


def counted(n: int, noun: str, plural: str = "") -> str:
    """``1 task``, ``3 tasks`` (``plural`` when it is not the noun and an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def span(start: date | None, finish: date | None) -> str:
    """The program's scheduled span, ``start → finish``."""
    if start is None or finish is None:
        return "not scheduled yet (no tasks)"
    return f"{start} → {finish}"


def calendar_name(session: Session, calendar_id: int | None) -> str:
    """A default calendar as shown: its name, or what having none means."""
    calendar = session.get(Calendar, calendar_id) if calendar_id is not None else None
    return escape(calendar.name) if calendar is not None else NO_CALENDAR


def no_owner_hint(key: str) -> str:
    """What a program without an owner means, and how to give it one."""
    return (
        f"No owner yet: only admins can see or change it until one is added with "
        f"`podium program member-add {key} EMAIL --role owner`."
    )


def _day(day: date | None, blank: str) -> str:
    return day.isoformat() if day is not None else blank


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _goal_rows(p: Program) -> list[tuple[str, str]]:
    """The goal statement as rows: outcome, measure (unit), baseline → target by date."""
    rows = []
    if p.goal_outcome:
        rows.append(("goal", escape(p.goal_outcome)))
    if p.goal_measure or p.goal_unit:
        unit = f" ({p.goal_unit})" if p.goal_unit else ""
        rows.append(("measure", escape(f"{p.goal_measure or 'value'}{unit}")))
    values = (p.goal_baseline_value, p.goal_target_value)
    if values != (None, None) or p.goal_target_date is not None:
        target = ""
        if values != (None, None):
            target = f"{_number(values[0])} → {_number(values[1])}"
        if p.goal_target_date is not None:
            target = f"{target} by {p.goal_target_date}".strip()
        rows.append(("target", target))
    return rows or [("goal", "not set")]


def forecast_words(program: Program, glance: ForecastGlance | None) -> str:
    """The newest Monte Carlo forecast beside the scheduled finish, as the overview says it:
    its P80 and the odds of the goal date (the one it was counted against when that has
    changed since), and whether it read an older plan."""
    if glance is None or glance.program_p80 is None:
        return f"no Monte Carlo forecast yet (`podium forecast {escape(program.key)}` runs one)"
    goal_date = program.goal_target_date
    words = f"P80 {glance.program_p80}"
    if glance.program_probability is not None:
        odds = f"{glance.program_probability * 100:.0f} % likely by "
        if glance.goal_date is not None and glance.goal_date != goal_date:
            odds += f"{glance.goal_date}, the goal date when it ran"
        else:
            odds += f"the goal date{f' ({goal_date})' if goal_date else ''}"
        words += f", {odds}"
    if glance.plan_changed:
        words += f"; forecast of {glance.created_at.date()}, before the plan's latest changes"
    return words


def _member_rows(members: list[tuple[Membership, User]]) -> list[tuple[str, str, Role]]:
    """Email, name and role of each member: owners first, then by email."""
    rows = [(u.email, u.name, m.role) for m, u in members]
    return sorted(rows, key=lambda row: (-row[2].rank, row[0]))


@program_app.command("list")
def program_list(
    status: Annotated[str | None, typer.Option(help="only active, on_hold or closed ones")] = None,
) -> None:
    """List the programs: status, start, status date, goal date, projects, tasks, members."""
    if status is not None and status not in STATUSES:
        raise fail(escape(f"--status must be one of {', '.join(STATUSES)}, not {status!r}"))
    require_current_schema()
    # dates and numbers keep their width on a narrow terminal: the name wraps instead
    dates = [Column(h, no_wrap=True, min_width=10) for h in ("start", "status date", "goal by")]
    counts = [Column(h, justify="right") for h in ("projects", "tasks", "members")]
    table = Table(Column("key", no_wrap=True), "name", "status", *dates, *counts)
    try:
        with unit_of_work() as session:
            found, total = programs.list_programs(session, SYSTEM, status=status, limit=100_000)
            sizes = programs.plan_sizes(session)
            for p in found:
                size = sizes.get(p.id, PlanSize())
                table.add_row(
                    p.key,
                    escape(p.name),
                    p.status.value,
                    str(p.start_date),
                    _day(p.status_date, ""),
                    _day(p.goal_target_date, ""),
                    str(size.projects),
                    str(size.tasks),
                    str(size.members),
                )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not total:
        if status is not None:
            console.print(f"No {status} program.")
        else:
            console.print(
                "No program yet: start one with "
                "`podium program create KEY --name NAME --start YYYY-MM-DD`."
            )
        return
    table.title = f"{total} program(s)"
    table.title_justify = "left"
    console.print(table)


@program_app.command("show")
def program_show(program: ProgramRef) -> None:
    """A program: description, status, dates, calendar, goal, schedule and members."""
    require_current_schema()
    facts = Table.grid(padding=(0, 2))
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            key, name, description = found.key, found.name, found.description
            size = programs.plan_sizes(session, found.id).get(found.id, PlanSize())
            facts.add_row("status", found.status.value)
            facts.add_row("start", str(found.start_date))
            facts.add_row("calendar", calendar_name(session, found.calendar_id))
            facts.add_row("status date", _day(found.status_date, "not set"))
            facts.add_row("currency", found.currency or "none (amounts without a sign)")
            facts.add_row("scheduled", span(found.scheduled_start, found.scheduled_finish))
            glance = forecast_glance(session, found.id)
            facts.add_row("forecast", forecast_words(found, glance))
            facts.add_row(
                "plan", f"{counted(size.projects, 'project')}, {counted(size.tasks, 'task')}"
            )
            for label, value in _goal_rows(found):
                facts.add_row(label, value)
            members = _member_rows(programs.list_members(session, SYSTEM, found.id))
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"[bold]{escape(key)}[/] {escape(name)}")
    if description:
        console.print(escape(description))
    console.print(facts)
    if members:
        table = Table(
            "email", "name", "role", title=counted(len(members), "member"), title_justify="left"
        )
        for email, member_name, role in members:
            table.add_row(escape(email), escape(member_name), role.value)
        console.print(table)
    if all(role != Role.OWNER for _email, _name, role in members):
        console.print(no_owner_hint(key))
