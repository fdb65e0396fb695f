"""Commands on the organisation-wide working calendars: worked weekdays, holidays and extra
working days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    actor_for,
    app,
    checked_text,
    console,
    fail,
    print_problems,
    require_current_schema,
    service_work,
)
from podium.errors import PodiumError
from podium.models import WEEKDAYS, Calendar, Program
from podium.services import calendars, programs
from podium.services.actor import SYSTEM, Actor, visible_program_ids
from podium.services.calendars import Holiday
from podium.services.common import today
from podium.services.scheduling import reschedule_pending
from podium.services.uow import unit_of_work

calendar_app = typer.Typer(
    help="Working calendars: the weekdays worked, the holidays and the extra working days.",
    no_args_is_help=True,
)
app.add_typer(calendar_app, name="calendar")

CalendarName = Annotated[
    str, typer.Argument(metavar="CALENDAR", help="the calendar's name (any case)")
]
# the limits the API puts on what it takes (podium.api.calendars: CalendarCreate, HolidayIn,
# ExtraWorkdayIn)
NAME_LENGTH = 100
DESCRIPTION_LENGTH = 10_000
DAY_NAME_LENGTH = 200  # a holiday's or an extra working day's name
EVERY = 1_000_000  # one page holding every program


def find_calendar(session: Session, name: str) -> Calendar:
    """The calendar of this name, ignoring case; unknown: the command fails naming those known."""
    known, _total = calendars.list_calendars(session, SYSTEM, limit=10_000)
    wanted = name.strip().casefold()
    chosen = next((c for c in known if c.name.casefold() == wanted), None)
    if chosen is None:
        names = ", ".join(c.name for c in known) or "none yet"
        raise fail(escape(f"no calendar named {name!r} (there are: {names})"))
    return chosen


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def extra_days_said(n: int) -> str:
    return f"{n} extra working day" + ("" if n == 1 else "s")


def named(name: str) -> str:
    return f" ({name})" if name else ""


def _holiday(holiday: Holiday | None) -> str:
    if holiday is None:
        return ""
    return escape(f"{holiday.date} {holiday.name}".strip())


def _usage(users: dict[str, Any]) -> str:
    """How many programs, projects, tasks and resources use a calendar (blank: none)."""
    counts = [
        (len(users["programs"]), "program"),
        (len(users["projects"]), "project"),
        (users["tasks_total"], "task"),
        (len(users["resources"]), "resource"),
    ]
    return ", ".join(plural(n, noun) for n, noun in counts if n)


def _users(users: dict[str, Any]) -> str:
    """Who uses a calendar: program, project and resource keys, and how many tasks."""
    parts = []
    for kind in ("program", "project"):
        found = users[f"{kind}s"]
        if found:
            keys = ", ".join(u["key"] for u in found)
            parts.append(f"{kind if len(found) == 1 else kind + 's'} {keys}")
    if users["tasks_total"]:
        parts.append(plural(users["tasks_total"], "task"))
    if resources := users["resources"]:
        noun = "resource" if len(resources) == 1 else "resources"
        parts.append(f"{noun} {', '.join(r['key'] for r in resources)}")
    return escape("; ".join(parts))


def _workdays(text: str) -> list[str]:
    """``mon, Tue,wed`` → ``["Mon", "Tue", "Wed"]``; the service refuses unknown or repeated
    days, or none."""
    return [day.strip().capitalize() for day in text.split(",") if day.strip()]


@calendar_app.command("list")
def calendar_list() -> None:
    """List the calendars: weekdays worked, holidays, the next one, extra working days, and
    what uses each."""
    require_current_schema()
    on = today()
    table = Table("name", "worked", "holidays", "next holiday", "extra days", "used by")
    try:
        with unit_of_work() as session:
            found, total = calendars.list_calendars(session, SYSTEM, limit=10_000)
            for c in found:
                holidays = calendars.holidays_of(c)
                upcoming = min(
                    (h for h in holidays if h.date >= on), key=lambda h: h.date, default=None
                )
                users = calendars.calendar_users(session, SYSTEM, c.id)
                table.add_row(
                    escape(c.name),
                    calendars.week_label(c.weekmask),
                    str(len(holidays)),
                    _holiday(upcoming),
                    str(len(c.extra_workdays or [])),
                    _usage(users),
                )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not total:
        console.print("No calendar yet: create one with `podium calendar create NAME`.")
        return
    table.title = f"{total} calendar(s)"
    table.title_justify = "left"
    console.print(table)


@calendar_app.command("show")
def calendar_show(name: CalendarName) -> None:
    """A calendar: its description, the weekdays worked, every holiday, every extra working
    day (flagging one on a weekday worked anyway) and what uses it."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            title, description = calendar.name, calendar.description
            week = calendars.week_label(calendar.weekmask)
            holidays = sorted(calendars.holidays_of(calendar), key=lambda h: h.date)
            extra = sorted(calendars.extra_workdays_of(calendar), key=lambda e: e.date)
            weekmask = calendar.weekmask
            users = calendars.calendar_users(session, SYSTEM, calendar.id)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"[bold]{escape(title)}[/]")
    if description:
        console.print(escape(description))
    console.print(f"Worked: {week}")
    if holidays:
        table = Table(
            "date", "weekday", "name", title=plural(len(holidays), "holiday"), title_justify="left"
        )
        for h in holidays:
            table.add_row(str(h.date), WEEKDAYS[h.date.weekday()], escape(h.name))
        console.print(table)
    else:
        console.print("No holidays.")
    if extra:
        table = Table(
            "date",
            "weekday",
            "name",
            "note",
            title=extra_days_said(len(extra)),
            title_justify="left",
        )
        for e in extra:
            anyway = weekmask[e.date.weekday()] == "1"
            note = "worked anyway: changes nothing" if anyway else ""
            table.add_row(str(e.date), WEEKDAYS[e.date.weekday()], escape(e.name), note)
        console.print(table)
    else:
        console.print("No extra working days.")
    used = _users(users)
    console.print(f"Used by {used}." if used else "Used by nothing: it can be deleted.")


@calendar_app.command("create")
def calendar_create(
    name: Annotated[str, typer.Argument(help="the new calendar's name (unique, ignoring case)")],
    workdays: Annotated[
        str, typer.Option(help="the weekdays worked, comma-separated")
    ] = "Mon,Tue,Wed,Thu,Fri",
    description: Annotated[str, typer.Option(help="what the calendar is for")] = "",
) -> None:
    """Create a calendar (without holidays: add them with holiday-add)."""
    name = checked_text(name, "the name", NAME_LENGTH, required=True)
    description = checked_text(description, "--description", DESCRIPTION_LENGTH)
    days = _workdays(workdays)
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = calendars.create_calendar(
                session, SYSTEM, name=name, description=description, workdays=days
            )
            made, made_id = calendar.name, calendar.id
            week = calendars.week_label(calendar.weekmask)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"Created calendar [bold]{escape(made)}[/] (id {made_id}): worked {week}, no holidays yet."
    )
    if description:
        console.print(escape(description))


def _text_shown(text: str) -> str:
    text = text.replace("\n", " ")
    return escape(text if len(text) <= 60 else text[:59] + "…") if text else "—"


def _finish_moves(
    session: Session, actor: Actor, rescheduled: list[int], finishes: dict[int, date | None]
) -> list[str]:
    """How each rescheduled program's finish moved: the programs the actor sees by key,
    then how many others and how many what-if copies were rescheduled with them."""
    visible = visible_program_ids(session, actor)
    moves, hidden, copies = [], 0, 0
    for program_id in rescheduled:
        program = session.get(Program, program_id)
        if program is None:
            continue
        if program.scenario_of_id is not None:
            copies += 1
            continue
        if visible is not None and program.id not in visible:
            hidden += 1
            continue
        session.refresh(program)  # rescheduling wrote its dates through SQL
        was, now = finishes.get(program.id), program.scheduled_finish
        moves.append(f"{program.key} (finish {was or 'none'} → {now or 'none'})" if was != now
                     else f"{program.key} (finish unchanged, {now})")  # fmt: skip
    if hidden:
        moves.append(plural(hidden, "program") + " you cannot see")
    if copies:
        moves.append(f"{copies} what-if scenario cop{'y' if copies == 1 else 'ies'}")
    return moves


@calendar_app.command("set")
def calendar_set(
    name: CalendarName,
    new_name: Annotated[
        str | None, typer.Option("--name", help="a new name (unique, ignoring case)")
    ] = None,
    description: Annotated[str | None, typer.Option(help="what the calendar is for")] = None,
    workdays: Annotated[
        str | None, typer.Option(help="the weekdays worked, comma-separated, e.g. Mon,Tue,Wed,Thu")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Change only what is given and say what changed (admins, program managers and owners);
    new working days reschedule every program that uses the calendar."""
    updates: dict[str, Any] = {}
    if new_name is not None:
        updates["name"] = checked_text(new_name, "--name", NAME_LENGTH, required=True)
    if description is not None:
        updates["description"] = checked_text(description, "--description", DESCRIPTION_LENGTH)
    if workdays is not None:
        updates["workdays"] = _workdays(workdays)
    if not updates:
        raise fail("nothing to change: give --name, --description or --workdays")
    with service_work() as session:
        actor = actor_for(session, as_user)
        calendar = find_calendar(session, name)
        before = (calendar.name, calendar.description, calendar.weekmask)
        finishes: dict[int, date | None] = {}
        if workdays is not None:  # which programs use it is known once it is rescheduled
            found, _total = programs.list_programs(session, SYSTEM, limit=EVERY)
            finishes = {p.id: p.scheduled_finish for p in found}
        calendars.update_calendar(
            session, actor, calendar.id, updates, expected_version=calendar.version
        )
        rescheduled = reschedule_pending(session)  # now rather than at commit: to say so
        moves = _finish_moves(session, actor, rescheduled, finishes)
        after = (calendar.name, calendar.description, calendar.weekmask)
    shown: tuple[Callable[[str], str], ...] = (escape, _text_shown, calendars.week_label)
    lines = [
        (label, show(old), show(new))
        for label, show, old, new in zip(
            ("name", "description", "worked"), shown, before, after, strict=True
        )
        if old != new
    ]
    title = f"[bold]{escape(after[0])}[/]"
    if not lines:
        console.print(f"Nothing changed: calendar {title} already has those settings.")
        return
    console.print(f"Updated calendar {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in lines:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    if moves:
        console.print(f"Rescheduled the programs that use it: {', '.join(moves)}.")
    elif before[2] != after[2]:
        console.print(
            "No program to reschedule: none uses it, or only closed ones, whose schedule "
            "stays as it was closed."
        )


@calendar_app.command("delete")
def calendar_delete(name: CalendarName) -> None:
    """Delete a calendar that no program, project, task or resource uses."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            title = calendar.name
            calendars.delete_calendar(
                session, SYSTEM, calendar.id, expected_version=calendar.version
            )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Deleted calendar [bold]{escape(title)}[/].")
