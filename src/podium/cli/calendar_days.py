"""Commands on a calendar's dated days: holidays (added one by one or from an iCalendar
file) and extra working days (a Saturday worked for a cutover)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from podium.cli._app import (
    checked_text,
    console,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
)
from podium.cli.calendars import (
    DAY_NAME_LENGTH,
    CalendarName,
    calendar_app,
    extra_days_said,
    find_calendar,
    named,
    plural,
)
from podium.errors import PodiumError
from podium.interop.ical_holidays import MAX_FILE_BYTES
from podium.models import WEEKDAYS, Calendar
from podium.services import calendars
from podium.services.actor import SYSTEM
from podium.services.calendars import ExtraWorkday, Holiday
from podium.services.uow import unit_of_work

HolidayDate = Annotated[str, typer.Argument(metavar="DATE", help="the holiday, YYYY-MM-DD")]
WorkdayDate = Annotated[
    str, typer.Argument(metavar="DATE", help="the extra working day, YYYY-MM-DD")
]


@dataclass(frozen=True, slots=True)
class _Kind:
    """Holidays or extra working days: what the add and remove commands need to know."""

    field: str  # the calendar's list
    one: str  # "a holiday"
    many: str  # "holidays"
    listed: Callable[[Calendar], Sequence[Holiday | ExtraWorkday]]
    make: Callable[[date, str], Holiday | ExtraWorkday]
    remove: str  # the command that removes one


HOLIDAYS = _Kind(
    "holidays", "a holiday", "holidays", calendars.holidays_of, Holiday, "holiday-remove"
)
EXTRA_DAYS = _Kind(
    "extra_workdays",
    "an extra working day",
    "extra working days",
    calendars.extra_workdays_of,
    ExtraWorkday,
    "workday-remove",
)


def _counted(kind: _Kind, n: int) -> str:
    return extra_days_said(n) if kind is EXTRA_DAYS else plural(n, "holiday")


def _find(days: Iterable[Holiday | ExtraWorkday], when: date) -> Holiday | ExtraWorkday | None:
    return next((d for d in days if d.date == when), None)


def _add_day(name: str, day: str, day_name: str, kind: _Kind, other: _Kind) -> None:
    """Add a dated day of ``kind`` to a calendar, refusing one it lists already, as this
    kind or as the ``other``; then say how many it has and whether its weekday changes."""
    when = parse_day(day, "DATE")
    day_name = checked_text(day_name, "--name", DAY_NAME_LENGTH)
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            listed = list(kind.listed(calendar))
            if (same := _find(listed, when)) is not None:
                raise fail(
                    escape(f"{when} is already {kind.one} in {calendar.name}{named(same.name)}")
                )
            if (clash := _find(other.listed(calendar), when)) is not None:
                raise fail(
                    escape(f"{when} is {other.one} in {calendar.name}{named(clash.name)}")
                    + f": remove it first (`podium calendar {other.remove}`)"
                )
            calendars.update_calendar(
                session,
                SYSTEM,
                calendar.id,
                {kind.field: [*listed, kind.make(when, day_name)]},
                expected_version=calendar.version,
            )
            title, worked = calendar.name, calendars.workdays_of(calendar.weekmask)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    weekday = WEEKDAYS[when.weekday()]
    added = escape(f"{when} ({weekday}) {day_name}".strip())
    console.print(f"Added {added} to [bold]{escape(title)}[/]: {_counted(kind, len(listed) + 1)}.")
    if kind is HOLIDAYS and weekday not in worked:
        console.print(f"[dim]{weekday} is not worked in this calendar anyway.[/]")
    if kind is EXTRA_DAYS and weekday in worked:
        console.print(f"[dim]{weekday} is worked in this calendar anyway: it changes nothing.[/]")


def _remove_day(name: str, day: str, kind: _Kind) -> None:
    """Remove a dated day of ``kind`` from a calendar; say how many are left."""
    when = parse_day(day, "DATE")
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            listed = list(kind.listed(calendar))
            gone = _find(listed, when)
            if gone is None:
                raise fail(
                    escape(f"{when} is not {kind.one} in {calendar.name}")
                    + f" (`podium calendar show` lists its {kind.many})"
                )
            kept = [d for d in listed if d.date != when]
            calendars.update_calendar(
                session,
                SYSTEM,
                calendar.id,
                {kind.field: kept},
                expected_version=calendar.version,
            )
            title = calendar.name
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    removed = escape(f"{when} {gone.name}".strip())
    console.print(
        f"Removed {removed} from [bold]{escape(title)}[/]: {_counted(kind, len(kept))} left."
    )


@calendar_app.command("holiday-add")
def holiday_add(
    name: CalendarName,
    day: HolidayDate,
    holiday_name: Annotated[
        str, typer.Option("--name", help="what the day is, e.g. 'Christmas Day'")
    ] = "",
) -> None:
    """Add a holiday to a calendar; the programs that use it are rescheduled."""
    _add_day(name, day, holiday_name, HOLIDAYS, EXTRA_DAYS)


@calendar_app.command("holiday-remove")
def holiday_remove(name: CalendarName, day: HolidayDate) -> None:
    """Remove a holiday from a calendar; the programs that use it are rescheduled."""
    _remove_day(name, day, HOLIDAYS)


@calendar_app.command("workday-add")
def workday_add(
    name: CalendarName,
    day: WorkdayDate,
    workday_name: Annotated[
        str, typer.Option("--name", help="what the day is for, e.g. 'Cutover'")
    ] = "",
) -> None:
    """Add an extra working day: a date worked although the week leaves its weekday off
    (a Saturday for a cutover, say). The programs that use the calendar are rescheduled."""
    _add_day(name, day, workday_name, EXTRA_DAYS, HOLIDAYS)


@calendar_app.command("workday-remove")
def workday_remove(name: CalendarName, day: WorkdayDate) -> None:
    """Remove an extra working day from a calendar; the programs that use it are
    rescheduled."""
    _remove_day(name, day, EXTRA_DAYS)


@calendar_app.command("holiday-import")
def holiday_import(
    name: CalendarName,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="an iCalendar (.ics) file of holidays"
        ),
    ],
) -> None:
    """Add the all-day events of an iCalendar file (a bank holiday feed, say) as holidays;
    days the calendar has keep their entry. The programs that use it are rescheduled."""
    data = file.read_bytes()[: MAX_FILE_BYTES + 1]
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            added, notes = calendars.import_holiday_file(
                session, SYSTEM, calendar.id, data, expected_version=calendar.version
            )
            title, total = calendar.name, len(calendar.holidays)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"Added {plural(added.added, 'holiday')} to [bold]{escape(title)}[/] "
        f"({added.already} already there): {plural(total, 'holiday')}."
    )
    for note in notes:
        console.print(f"[dim]{escape(note)}[/]")
