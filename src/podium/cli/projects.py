"""``podium project …``: a program's projects, their settings and their span.

A project is found by its key within the program, a calendar by its name (any
case), a manager by email. The span is what the scheduler stored: the earliest
start and the latest finish of the project's tasks. Input is checked as the API
checks it; the commands act as the system.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    ProgramRef,
    app,
    checked_key,
    checked_text,
    console,
    fail,
    parse_day,
    service_work,
)
from podium.cli.programs import counted
from podium.models import Calendar, Program, Project, Role, User
from podium.services import auth, calendars, dependencies, programs, projects
from podium.services.actor import SYSTEM
from podium.services.dependencies import DependencyView
from podium.services.scheduling import reschedule_pending
from podium.services.scheduling.pending import PROJECT_INPUTS

project_app = typer.Typer(
    help="A program's projects: their start, calendar, manager and scheduled span.",
    no_args_is_help=True,
)
app.add_typer(project_app, name="project")

# what the API takes (podium.api.projects, whose key is a program's key)
KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,19}$"
KEY_RULE = "a letter, then at most 19 letters, digits, '-' or '_'"
TEXT_LENGTHS = {"--name": 200, "--description": 10_000}
LABELS = {"start_date": "start", "calendar_id": "calendar", "manager_id": "manager"}
PROGRAMS_CALENDAR = "program's"
SHOWN_LENGTH = 60
EVERY = 1_000_000  # one page holding every row

ProjectKey = Annotated[str, typer.Argument(metavar="KEY", help="the project's key, e.g. DATA")]
Name = Annotated[str | None, typer.Option(help="a new name")]
Start = Annotated[
    str | None, typer.Option("--start", help="no task starts before this day, YYYY-MM-DD")
]
CalendarName = Annotated[
    str | None, typer.Option("--calendar", help="its calendar's name (any case)")
]
Manager = Annotated[
    str | None,
    typer.Option("--manager", help="its manager: the email of a program manager or owner"),
]
Description = Annotated[str | None, typer.Option(help="what the project delivers")]


def _checked_key(key: str) -> str:
    """A project key, trimmed; one the API refuses fails the command."""
    return checked_key(key, pattern=KEY_PATTERN, rule=KEY_RULE, what="project", example="DATA")


def _checked_text(value: str, option: str) -> str:
    """--name or --description, trimmed; a blank name, a text too long or with NUL fails."""
    return checked_text(value, option, TEXT_LENGTHS[option], required=option == "--name")


def _open(session: Session, program: str, key: str) -> tuple[Program, Project, int]:
    """The program (key or id), its project with this key and its task count; an
    unknown one fails the command."""
    found = programs.find_program(session, SYSTEM, program)
    rows, _total = projects.list_projects(session, SYSTEM, program_id=found.id, limit=EVERY)
    match = next(((p, n) for p, n in rows if p.key == key.strip()), None)
    if match is None:
        unknown = escape(f"no project {key.strip()!r} in {found.key}")
        raise fail(f"{unknown} (`podium project list {found.key}` lists them)")
    project, tasks = match
    return found, project, tasks


def _calendar_id(session: Session, name: str) -> int:
    """The id of the calendar of this name (any case); unknown: the command fails.

    Imported when called: importing podium.cli.calendars first would register its
    commands before these, out of the `podium --help` order."""
    from podium.cli.calendars import find_calendar

    return find_calendar(session, name).id


def _manager_id(session: Session, program: Program, email: str) -> int:
    """The id of the manager or owner with this email; an unknown user, an outsider or a
    member who may not plan (a viewer, a member) fails."""
    user = auth.find_user(session, email)
    if user is None:
        raise fail(escape(f"--manager: no user with email {email.strip()}"))
    role = next(
        (m.role for m, u in programs.list_members(session, SYSTEM, program.id) if u.id == user.id),
        None,
    )
    if role is None:
        raise fail(
            escape(f"--manager: {user.email} is not a member of {program.key}")
            + f" (`podium program member-add {program.key} EMAIL --role manager` adds one)"
        )
    if role.rank < Role.MANAGER.rank:
        raise fail(
            escape(
                f"--manager: {user.email} is a {role.value} of {program.key}; a project's "
                "manager must be a manager or owner of the program"
            )
            + f" (`podium program member-role {program.key} {user.email} manager` makes them one)"
        )
    return user.id


def _touching(session: Session, project: Project) -> list[DependencyView]:
    """Every dependency with one of the project's tasks at either end."""
    views, _total = dependencies.list_dependencies(
        session, SYSTEM, program_id=project.program_id, limit=EVERY
    )
    return [v for v in views if project.id in (v.predecessor.project_id, v.successor.project_id)]


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else "—"


def _span(project: Project, blank: str = "—") -> str:
    """The scheduled span, ``start → finish``."""
    start, finish = project.scheduled_start, project.scheduled_finish
    return f"{start} → {finish}" if start is not None and finish is not None else blank


def _calendar(session: Session, calendar_id: int | None) -> str:
    calendar = session.get(Calendar, calendar_id) if calendar_id is not None else None
    return escape(calendar.name) if calendar is not None else PROGRAMS_CALENDAR


def _inherited(session: Session, project: Project, program: Program) -> str:
    """The project's calendar, or the program's it works to (Mon–Fri without one)."""
    if project.calendar_id is not None:
        return _calendar(session, project.calendar_id)
    calendar = session.get(Calendar, program.calendar_id) if program.calendar_id else None
    return f"program's ({escape(calendar.name) if calendar else 'Mon–Fri, no holidays'})"


def _manager(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return escape(user.email) if user is not None else "—"


def _shown(session: Session, field: str, value: Any) -> str:
    """A field's value in a change line: a calendar by name, a manager by email."""
    if field == "calendar_id":
        return _calendar(session, value)
    if field == "manager_id":
        return _manager(session, value)
    if value is None or value == "":
        return "—"
    text = str(value).replace("\n", " ")
    return escape(text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…")


def _dependencies(n: int) -> str:
    return f"{n} dependenc{'y' if n == 1 else 'ies'}"


def _crossing(views: list[DependencyView], project: Project) -> str:
    """The dependencies from and to other projects' tasks, with those projects' keys."""
    crossing, mine = [v for v in views if v.cross_project], project.id
    into = [v.predecessor.project_key or "" for v in crossing if v.successor.project_id == mine]
    out = [v.successor.project_key or "" for v in crossing if v.predecessor.project_id == mine]
    parts = [f"{len(into)} in (from {', '.join(sorted(set(into)))})"] if into else []
    parts += [f"{len(out)} out (to {', '.join(sorted(set(out)))})"] if out else []
    return ", ".join(parts) or "none"


@project_app.command("list")
def project_list(program: ProgramRef) -> None:
    """List the program's projects: tasks, scheduled span, start, calendar and manager."""
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        rows, total = projects.list_projects(session, SYSTEM, program_id=found.id, limit=EVERY)
        key = found.key
        # every calendar and member in two queries, not one per row
        known, _count = calendars.list_calendars(session, SYSTEM, limit=EVERY)
        names = {c.id: escape(c.name) for c in known}
        emails = {
            u.id: escape(u.email) for _m, u in programs.list_members(session, SYSTEM, found.id)
        }
        table = Table(
            Column("key", no_wrap=True), "name", Column("tasks", justify="right"),
            Column("scheduled", no_wrap=True), Column("start", no_wrap=True, min_width=10),
            "calendar", "manager", title=f"{counted(total, 'project')} of {key}",
            title_justify="left",
        )  # fmt: skip
        for p, tasks in rows:
            table.add_row(
                p.key, escape(p.name), str(tasks), _span(p), _day(p.start_date),
                names.get(p.calendar_id or 0, PROGRAMS_CALENDAR),
                emails.get(p.manager_id or 0) or _manager(session, p.manager_id),
            )  # fmt: skip
    if not total:
        add = f"podium project add {key} KEY --name NAME"
        console.print(f"No project in {key} yet: add one with `{add}`.")
        return
    console.print(table)


@project_app.command("show")
def project_show(program: ProgramRef, key: ProjectKey) -> None:
    """A project: start, calendar, manager, scheduled span, tasks, and the dependencies
    that tie it to other projects."""
    facts = Table.grid(padding=(0, 2))
    with service_work() as session:
        found, project, tasks = _open(session, program, key)
        title = f"[bold]{escape(project.key)}[/] {escape(project.name)} (program {found.key})"
        description = project.description
        views = _touching(session, project)
        inherited = f"— (from the program's start, {found.start_date})"
        facts.add_row("start", _day(project.start_date) if project.start_date else inherited)
        facts.add_row("calendar", _inherited(session, project, found))
        facts.add_row("manager", _manager(session, project.manager_id))
        facts.add_row("scheduled", _span(project, "not scheduled yet (no tasks)"))
        facts.add_row("tasks", str(tasks))
        facts.add_row("dependencies", f"{len(views)} on its tasks")
        facts.add_row("cross-project", _crossing(views, project))
    console.print(title)
    if description:
        console.print(escape(description))
    console.print(facts)


@project_app.command("add")
def project_add(
    program: ProgramRef,
    key: Annotated[str, typer.Argument(help=f"the project's key: {KEY_RULE}, e.g. DATA")],
    name: Annotated[str, typer.Option(help="the project's name")],
    start: Start = None,
    calendar: CalendarName = None,
    manager: Manager = None,
    description: Description = None,
) -> None:
    """Add a project to the program."""
    key, name = _checked_key(key), _checked_text(name, "--name")
    text = _checked_text(description or "", "--description")
    day = parse_day(start, "--start") if start is not None else None
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        calendar_id = _calendar_id(session, calendar) if calendar is not None else None
        manager_id = _manager_id(session, found, manager) if manager is not None else None
        made = projects.create_project(
            session, SYSTEM, program_id=found.id, key=key, name=name, start_date=day,
            calendar_id=calendar_id, manager_id=manager_id, description=text,
        )  # fmt: skip
        added = f"[bold]{escape(made.key)}[/] {escape(made.name)} to {found.key}"
        settings = [
            f"start {day}" if day is not None else "no start of its own",
            f"calendar {_calendar(session, calendar_id)}" if calendar_id else "program's calendar",
            f"manager {_manager(session, manager_id)}" if manager_id else "no manager",
        ]
    console.print(f"Added project {added} ({', '.join(settings)}).")


@project_app.command("set")
def project_set(
    program: ProgramRef,
    key: ProjectKey,
    new_key: Annotated[str | None, typer.Option("--key", help=f"a new key: {KEY_RULE}")] = None,
    name: Name = None,
    start: Start = None,
    clear_start: Annotated[
        bool, typer.Option("--clear-start", help="no start of its own: the program's")
    ] = False,
    calendar: CalendarName = None,
    no_calendar: Annotated[
        bool, typer.Option("--no-calendar", help="no calendar of its own: the program's")
    ] = False,
    manager: Manager = None,
    no_manager: Annotated[bool, typer.Option("--no-manager", help="no manager")] = False,
    description: Description = None,
) -> None:
    """Change only what is given; say what changed and how the project's span moved.

    A new start or calendar reschedules the program."""
    for given, cleared, option, clear in (
        (start, clear_start, "--start", "--clear-start"),
        (calendar, no_calendar, "--calendar", "--no-calendar"),
        (manager, no_manager, "--manager", "--no-manager"),
    ):
        if given is not None and cleared:
            raise fail(f"give {option} or {clear}, not both")
    updates: dict[str, Any] = {}
    if new_key is not None:
        updates["key"] = _checked_key(new_key)
    if name is not None:
        updates["name"] = _checked_text(name, "--name")
    if description is not None:
        updates["description"] = _checked_text(description, "--description")
    if start is not None or clear_start:
        updates["start_date"] = parse_day(start, "--start") if start is not None else None
    if no_calendar:
        updates["calendar_id"] = None
    if no_manager:
        updates["manager_id"] = None
    if not updates and calendar is None and manager is None:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        found, project, tasks = _open(session, program, key)
        if calendar is not None:
            updates["calendar_id"] = _calendar_id(session, calendar)
        if manager is not None:
            updates["manager_id"] = _manager_id(session, found, manager)
        before = {field: getattr(project, field) for field in updates}
        span_before = (project.scheduled_start, project.scheduled_finish)
        projects.update_project(
            session, SYSTEM, project.id, updates, expected_version=project.version
        )
        reschedule_pending(session)  # now rather than at commit: to say where the span lands
        session.refresh(project)
        changed = [field for field, old in before.items() if getattr(project, field) != old]
        lines = [
            (LABELS.get(field, field), _shown(session, field, before[field]),
             _shown(session, field, getattr(project, field)))
            for field in changed
        ]  # fmt: skip
        title = f"[bold]{escape(project.key)}[/] {escape(project.name)}"
        span_after = (project.scheduled_start, project.scheduled_finish)
        span_now = _span(project)
    if not lines:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in lines:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    if "key" in changed and tasks:
        console.print("Its tasks keep their keys: people have already written them down.")
    moves = [
        f"{which} {_day(old)} → {_day(new)}"
        for which, old, new in zip(("start", "finish"), span_before, span_after, strict=True)
        if old != new
    ]
    if moves:
        console.print(f"Rescheduled: {', '.join(moves)}.")
    elif tasks and set(changed) & set(PROJECT_INPUTS):
        console.print(f"Rescheduled: its span does not move ({span_now}).")


@project_app.command("delete")
def project_delete(
    program: ProgramRef,
    key: ProjectKey,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="really delete it, with its tasks and their links (to other projects and "
            "program milestones too)",
        ),
    ] = False,
) -> None:
    """Delete a project with its tasks and every dependency touching them; without --yes,
    say what would go, naming the links to other projects and program milestones."""
    with service_work() as session:
        found, project, _tasks = _open(session, program, key)
        gone = projects.footprint(session, SYSTEM, project.id)
        outside = gone.outside_links
        across = (
            f", {len(outside)} of them with work outside it ({projects.links_named(outside)})"
            if outside
            else ""
        )
        what = escape(f"{project.key} ({project.name})")
        held = escape(
            f"its {counted(gone.tasks, 'task')} and {_dependencies(gone.dependencies)}{across}"
        )
        if not yes:
            raise fail(
                f"this would delete project {what} with {held}: run again with --yes to delete it"
            )
        # confirmed: the links to work outside it go too (the service refuses them otherwise)
        projects.delete_project(
            session, SYSTEM, project.id, cascade=True, expected_version=project.version
        )
        where = found.key
    console.print(f"Deleted project {what} from {where}, with {held}.")
