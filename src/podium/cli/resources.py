"""``podium resource …``: the shared resources: list, show, add, change and delete them,
and read their load (``podium level`` and the assignments are in podium.cli.assignments).

A resource is found by its key (any case), its id or its name. Input is checked as the
API checks it (podium.api.resources); ``--as EMAIL`` acts as that user (only admins and
the managers or owners of a program change resources), else the system.
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
    AsUser,
    actor_for,
    app,
    checked_key,
    checked_text,
    console,
    fail,
    service_work,
)
from podium.cli.programs import counted
from podium.engine.leveling.model import MAX_CAPACITY
from podium.models import Calendar, Resource, ResourceKind, User
from podium.services import auth, programs
from podium.services.actor import SYSTEM
from podium.services.resources import assignments, catalog
from podium.services.resources.catalog import TimeOff
from podium.services.scheduling import reschedule_pending

resource_app = typer.Typer(
    help="Shared resources: people, teams and equipment.", no_args_is_help=True
)
app.add_typer(resource_app, name="resource")

# what the API takes (podium.api.resources)
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}$"
KEY_RULE = "a letter or digit, then at most 39 letters, digits, '.', '@', '-' or '_'"
TEXT_LENGTHS = {"--name": 200, "--description": 10_000, "a --time-off note": 200}
MAX_COST_RATE = 1e9
MAX_TIME_OFF = 1000
LIMITS = {  # option: (lowest, highest, lowest allowed)
    "--capacity": (0.0, MAX_CAPACITY, False),
    "--hours-per-day": (0.0, 24.0, False),
    "--cost-rate": (0.0, MAX_COST_RATE, True),
}
LABELS = {"calendar_id": "calendar", "user_id": "account", "hours_per_day": "hours per day",
          "cost_rate": "cost rate", "time_off": "time off"}  # fmt: skip
EVERY = 1_000_000  # one page holding every row


@resource_app.command("list")
def resource_list(
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="only those assigned in this program")
    ] = None,
) -> None:
    """List the resources with their capacity, rate and calendar."""
    table = Table("key", "name", "kind", "capacity", "h/day", "rate/h", "time off")
    with service_work() as session:
        chosen = programs.find_program(session, SYSTEM, program) if program else None
        where = chosen.key if chosen else ""
        program_id = chosen.id if chosen else None
        found, total = catalog.list_resources(session, SYSTEM, program_id=program_id, limit=EVERY)
        for r in found:
            table.add_row(
                escape(r.key), escape(r.name), r.kind.value, f"{r.capacity:g}",
                f"{r.hours_per_day:g}", f"{r.cost_rate:g}", f"{len(r.time_off or []) or ''}",
            )  # fmt: skip
    if not total:
        if where:
            console.print(f"No resource is assigned in {where}.")
        else:
            console.print("No resource yet: add one with `podium resource add KEY --name NAME`.")
        return
    table.title = f"{total} resource(s)"
    table.title_justify = "left"
    console.print(table)


# --- one resource: show, add, set, delete ------------------------------------------------

ResourceRef = Annotated[
    str, typer.Argument(metavar="RESOURCE", help="the resource's key, id or name (any case)")
]
Kind = Annotated[str | None, typer.Option(help="person, team or equipment")]
Capacity = Annotated[
    float | None, typer.Option(help="units per working day: 1 a full-time person, 3 a team of 3")
]
HoursPerDay = Annotated[float | None, typer.Option(help="hours in one unit-day")]
CostRate = Annotated[float | None, typer.Option(help="the cost of one hour")]
CalendarName = Annotated[str | None, typer.Option("--calendar", help="its calendar's name")]
Account = Annotated[str | None, typer.Option(help="the email of the person's account")]
Description = Annotated[str | None, typer.Option(help="who or what it is")]
TimeOffOption = Annotated[
    list[str] | None,
    typer.Option(
        "--time-off", help="days off: FIRST..LAST or one DAY (YYYY-MM-DD), then a note (repeat it)"
    ),
]


def find_resource(session: Session, ref: str) -> Resource:
    """A resource by key (any case), id or name (any case); unknown or ambiguous: the
    command fails."""
    text = ref.strip()
    found = catalog.find_resource(session, text)
    if found is None and text.isdecimal() and 0 < int(text) <= catalog.MAX_ID:
        found = session.get(Resource, int(text))
    if found is not None:
        return found
    named, _total = catalog.list_resources(session, SYSTEM, q=text, limit=EVERY)
    named = [r for r in named if r.name.casefold() == text.casefold()]
    if len(named) > 1:
        keys = ", ".join(r.key for r in named)
        raise fail(escape(f"{len(named)} resources are named {text!r}: give the key ({keys})"))
    if not named:
        raise fail(escape(f"no resource {text!r}") + " (`podium resource list` lists them)")
    return named[0]


def _checked_key(key: str) -> str:
    return checked_key(key, pattern=KEY_PATTERN, rule=KEY_RULE, what="resource", example="ana")


def _checked_number(value: float, option: str) -> float:
    """--capacity, --hours-per-day or --cost-rate, within the API's limits."""
    low, high, low_allowed = LIMITS[option]
    if not math.isfinite(value) or not low <= value <= high or (value == low and not low_allowed):
        above = f"at least {low:g}" if low_allowed else f"more than {low:g}"
        raise fail(f"{option} must be {above} and at most {high:,.0f}, not {value:g}")
    return value


def _checked_kind(kind: str) -> ResourceKind:
    try:
        return ResourceKind(kind.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in ResourceKind)
        raise fail(escape(f"--kind must be one of {kinds}, not {kind!r}")) from None


def _time_off(values: list[str]) -> list[TimeOff]:
    """``2027-08-02..2027-08-13 Summer`` or ``2027-05-31``: days off, both ends included."""
    if len(values) > MAX_TIME_OFF:
        raise fail(f"--time-off: at most {MAX_TIME_OFF} periods, not {len(values)}")
    periods = []
    for value in values:
        span, _, note = value.strip().partition(" ")
        first, _, last = span.partition("..")
        try:
            start = date.fromisoformat(first)
            finish = date.fromisoformat(last) if last else start
        except ValueError:
            rule = "FIRST..LAST or one DAY (YYYY-MM-DD), then an optional note"
            raise fail(escape(f"--time-off is {rule}, not {value!r}")) from None
        if finish < start:
            raise fail(f"--time-off: {finish} is before {start}")
        note = checked_text(note, "a --time-off note", TEXT_LENGTHS["a --time-off note"])
        periods.append(TimeOff(start, finish, note))
    return periods


def _period(p: TimeOff) -> str:
    days = p.start.isoformat() + (f"..{p.finish}" if p.finish != p.start else "")
    return days + (f" {p.note}" if p.note else "")


def _calendar_name(session: Session, calendar_id: int | None) -> str:
    calendar = session.get(Calendar, calendar_id) if calendar_id is not None else None
    return escape(calendar.name) if calendar is not None else "none"


def _shown(session: Session, field: str, value: Any) -> str:
    """A field's value in a change line: a calendar by name, an account by email."""
    if field == "calendar_id":
        return _calendar_name(session, value)
    if field == "user_id":
        user = session.get(User, value) if value is not None else None
        return escape(user.email) if user is not None else "none"
    if field == "time_off":
        stored = [(date.fromisoformat(p["start"]), date.fromisoformat(p["finish"]), p["note"])
                  for p in value or []]  # fmt: skip
        text = "; ".join(_period(TimeOff(*p)) for p in stored)
        return escape(text if len(text) <= 80 else text[:79] + "…") or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value).replace("\n", " ") if value not in (None, "") else "—"
    return escape(text if len(text) <= 60 else text[:59] + "…")


def _fields(
    *, name: str | None, kind: str | None, description: str | None, capacity: float | None,
    hours_per_day: float | None, cost_rate: float | None,
) -> dict[str, Any]:  # fmt: skip
    """The options given, checked as the API checks them, as the service's fields."""
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = checked_text(name, "--name", TEXT_LENGTHS["--name"], required=True)
    if kind is not None:
        fields["kind"] = _checked_kind(kind)
    if description is not None:
        fields["description"] = checked_text(
            description, "--description", TEXT_LENGTHS["--description"]
        )
    for field, value in (
        ("capacity", capacity), ("hours_per_day", hours_per_day), ("cost_rate", cost_rate)
    ):  # fmt: skip
        if value is not None:
            fields[field] = _checked_number(value, "--" + field.replace("_", "-"))
    return fields


def _calendar_id(session: Session, name: str) -> int:
    """Imported when called: podium.cli.calendars registers its commands after these."""
    from podium.cli.calendars import find_calendar

    return find_calendar(session, name).id


def _account(session: Session, email: str) -> int:
    user = auth.find_user(session, email)
    if user is None:
        raise fail(escape(f"--account: no user with email {email.strip()}"))
    return user.id


@resource_app.command("show")
def resource_show(resource: ResourceRef) -> None:
    """A resource: kind, capacity, cost rate, calendar, account, time off, and its
    assignments in every program."""
    from podium.cli.assignments import assignments_table  # registered after these commands

    facts = Table.grid(padding=(0, 2))
    with service_work() as session:
        found = find_resource(session, resource)
        title = f"[bold]{escape(found.key)}[/] {escape(found.name)}"
        description = found.description
        facts.add_row("kind", found.kind.value + ("" if found.active else " (inactive)"))
        units = f"{found.capacity:g} unit" + ("" if found.capacity == 1 else "s")
        facts.add_row("capacity", f"{units} per working day")
        facts.add_row("hours", f"{found.hours_per_day:g} h in a unit-day")
        facts.add_row("cost rate", f"{found.cost_rate:g} per hour")
        calendar = _calendar_name(session, found.calendar_id)
        facts.add_row(
            "calendar", "none: works when its tasks do" if calendar == "none" else calendar
        )
        facts.add_row("account", escape(catalog.account_email(session, found)) or "none")
        periods = catalog.time_off_of(found)
        facts.add_row("time off", escape(_period(periods[0])) if periods else "none")
        for p in periods[1:]:
            facts.add_row("", escape(_period(p)))
        views = assignments.list_assignments(session, SYSTEM, resource_id=found.id)
        table = assignments_table(session, views, by="program") if views else None
        key = found.key
    console.print(title)
    if description:
        console.print(escape(description))
    console.print(facts)
    if table is None:
        console.print(f"No assignment: `podium assign PROGRAM TASK {key}` books it on a task.")
    else:
        console.print(table)


@resource_app.command("add")
def resource_add(
    key: Annotated[str, typer.Argument(help=f"its key: {KEY_RULE}, e.g. ana")],
    name: Annotated[str, typer.Option(help="who or what it is, e.g. 'Ana Lima'")],
    kind: Kind = "person",
    capacity: Capacity = 1.0,
    hours_per_day: HoursPerDay = 8.0,
    cost_rate: CostRate = 0.0,
    calendar: CalendarName = None,
    account: Account = None,
    description: Description = None,
    time_off: TimeOffOption = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="not to be assigned")] = False,
    as_user: AsUser = None,
) -> None:
    """Add a resource that every program can assign (admins, program managers and owners)."""
    key = _checked_key(key)
    fields = _fields(name=name, kind=kind, description=description or "", capacity=capacity,
                     hours_per_day=hours_per_day, cost_rate=cost_rate)  # fmt: skip
    periods = _time_off(time_off or [])
    with service_work() as session:
        actor = actor_for(session, as_user)
        if calendar is not None:
            fields["calendar_id"] = _calendar_id(session, calendar)
        if account is not None:
            fields["user_id"] = _account(session, account)
        made = catalog.create_resource(
            session, actor, key=key, time_off=periods, active=not inactive, **fields
        )
        added = f"[bold]{escape(made.key)}[/] {escape(made.name)} ({made.kind.value})"
        settings = [
            f"capacity {made.capacity:g}", f"{made.hours_per_day:g} h a day",
            f"{made.cost_rate:g} per hour", f"calendar {_calendar_name(session, made.calendar_id)}",
        ]  # fmt: skip
        if made.user_id is not None:
            settings.append(f"account {_shown(session, 'user_id', made.user_id)}")
        if periods:
            settings.append(counted(len(periods), "period") + " of time off")
        if inactive:
            settings.append("inactive")
    console.print(f"Added resource {added}: {', '.join(settings)}.")


@resource_app.command("set")
def resource_set(
    resource: ResourceRef,
    new_key: Annotated[str | None, typer.Option("--key", help=f"a new key: {KEY_RULE}")] = None,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    kind: Kind = None,
    capacity: Capacity = None,
    hours_per_day: HoursPerDay = None,
    cost_rate: CostRate = None,
    calendar: CalendarName = None,
    no_calendar: Annotated[
        bool, typer.Option("--no-calendar", help="no calendar: works when its tasks do")
    ] = False,
    account: Account = None,
    no_account: Annotated[bool, typer.Option("--no-account", help="linked to no account")] = False,
    description: Description = None,
    time_off: TimeOffOption = None,
    no_time_off: Annotated[
        bool, typer.Option("--no-time-off", help="remove its time off (with --time-off: replace)")
    ] = False,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="whether it may be assigned")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Change only what is given (--time-off adds periods) and say what changed; a new
    capacity, calendar or time off reschedules every program that assigns it."""
    for given, cleared, option, clear in (
        (calendar, no_calendar, "--calendar", "--no-calendar"),
        (account, no_account, "--account", "--no-account"),
    ):
        if given is not None and cleared:
            raise fail(f"give {option} or {clear}, not both")
    updates = _fields(name=name, kind=kind, description=description, capacity=capacity,
                      hours_per_day=hours_per_day, cost_rate=cost_rate)  # fmt: skip
    if new_key is not None:
        updates["key"] = _checked_key(new_key)
    if active is not None:
        updates["active"] = active
    if no_calendar:
        updates["calendar_id"] = None
    if no_account:
        updates["user_id"] = None
    added = _time_off(time_off or [])
    if not (updates or added or no_time_off or calendar is not None or account is not None):
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = find_resource(session, resource)
        if calendar is not None:
            updates["calendar_id"] = _calendar_id(session, calendar)
        if account is not None:
            updates["user_id"] = _account(session, account)
        if added or no_time_off:
            updates["time_off"] = ([] if no_time_off else catalog.time_off_of(found)) + added
        before = {field: getattr(found, field) for field in updates}
        assigning = catalog.programs_assigning(session, found.id)
        finishes = {i: programs.get_program(session, SYSTEM, i).scheduled_finish for i in assigning}
        catalog.update_resource(session, actor, found.id, updates, expected_version=found.version)
        rescheduled = reschedule_pending(session)  # now rather than at commit: to say so
        changed = [field for field, old in before.items() if getattr(found, field) != old]
        lines = [
            (LABELS.get(f, f), _shown(session, f, before[f]), _shown(session, f, getattr(found, f)))
            for f in changed
        ]
        moves = []
        for program in (programs.get_program(session, SYSTEM, i) for i in rescheduled):
            session.refresh(program)
            was, now = finishes.get(program.id), program.scheduled_finish
            moves.append(f"{program.key} (finish {was} → {now})" if was != now else
                         f"{program.key} (finish unchanged, {now})")  # fmt: skip
        inputs = set(changed) & set(catalog.SCHEDULE_INPUTS)
        title = f"[bold]{escape(found.key)}[/] {escape(found.name)}"
    if not lines:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in lines:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    if moves:
        console.print(f"Rescheduled the programs that assign it: {', '.join(moves)}.")
    elif inputs:
        console.print("No program assigns it: no schedule to move.")


@resource_app.command("delete")
def resource_delete(
    resource: ResourceRef,
    yes: Annotated[bool, typer.Option("--yes", help="really delete it")] = False,
    as_user: AsUser = None,
) -> None:
    """Delete a resource that no task is assigned (unassign it first, or make it inactive)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = find_resource(session, resource)
        what = escape(f"{found.key} ({found.name})")
        used = [
            programs.get_program(session, SYSTEM, i).key
            for i in catalog.programs_assigning(session, found.id)
        ]
        if used:
            where = ", ".join(sorted(used))
            raise fail(
                f"resource {what} is assigned to tasks in {where}: `podium unassign` them first, "
                f"or keep it out of new work with `podium resource set {escape(found.key)} "
                "--inactive`"
            )
        if not yes:
            raise fail(f"this would delete resource {what}: run again with --yes to delete it")
        catalog.delete_resource(session, actor, found.id, expected_version=found.version)
    console.print(f"Deleted resource {what}.")
