"""Commands on a calendar's dated days: holidays (added one by one or from an iCalendar
file) and extra working days (a Saturday worked for a cutover)."""

from __future__ import annotations

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
    HOLIDAY_NAME_LENGTH,
    WORKDAY_NAME_LENGTH,
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


@calendar_app.command("holiday-add")
def holiday_add(
    name: CalendarName,
    day: HolidayDate,
    holiday_name: Annotated[
        str, typer.Option("--name", help="what the day is, e.g. 'Christmas Day'")
    ] = "",
) -> None:
    """Add a holiday to a calendar; the programs that use it are rescheduled."""
    when = parse_day(day, "DATE")
    holiday_name = checked_text(holiday_name, "--name", HOLIDAY_NAME_LENGTH)
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            holidays = calendars.holidays_of(calendar)
            same = next((h for h in holidays if h.date == when), None)
            if same is not None:
                named = f" ({same.name})" if same.name else ""
                raise fail(escape(f"{when} is already a holiday in {calendar.name}{named}"))
            _refuse_extra_workday(calendar, when)
            calendars.update_calendar(
                session,
                SYSTEM,
                calendar.id,
                {"holidays": [*holidays, Holiday(when, holiday_name)]},
                expected_version=calendar.version,
            )
            title, worked = calendar.name, calendars.workdays_of(calendar.weekmask)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    weekday = WEEKDAYS[when.weekday()]
    added = escape(f"{when} ({weekday}) {holiday_name}".strip())
    console.print(
        f"Added {added} to [bold]{escape(title)}[/]: {plural(len(holidays) + 1, 'holiday')}."
    )
    if weekday not in worked:
        console.print(f"[dim]{weekday} is not worked in this calendar anyway.[/]")


def _refuse_extra_workday(calendar: Calendar, when: date) -> None:
    """A holiday cannot fall on an extra working day: the command fails saying so."""
    extra = next((e for e in calendars.extra_workdays_of(calendar) if e.date == when), None)
    if extra is not None:
        raise fail(
            escape(f"{when} is an extra working day in {calendar.name}{named(extra.name)}")
            + ": remove it first (`podium calendar workday-remove`)"
        )


@calendar_app.command("holiday-remove")
def holiday_remove(name: CalendarName, day: HolidayDate) -> None:
    """Remove a holiday from a calendar; the programs that use it are rescheduled."""
    when = parse_day(day, "DATE")
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            holidays = calendars.holidays_of(calendar)
            kept = [h for h in holidays if h.date != when]
            if len(kept) == len(holidays):
                raise fail(
                    escape(f"{when} is not a holiday in {calendar.name}")
                    + " (`podium calendar show` lists its holidays)"
                )
            calendars.update_calendar(
                session, SYSTEM, calendar.id, {"holidays": kept}, expected_version=calendar.version
            )
            title = calendar.name
            gone = next(h for h in holidays if h.date == when)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    removed = escape(f"{when} {gone.name}".strip())
    console.print(
        f"Removed {removed} from [bold]{escape(title)}[/]: {plural(len(kept), 'holiday')} left."
    )


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
    when = parse_day(day, "DATE")
    workday_name = checked_text(workday_name, "--name", WORKDAY_NAME_LENGTH)
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            extra = calendars.extra_workdays_of(calendar)
            same = next((e for e in extra if e.date == when), None)
            if same is not None:
                raise fail(
                    escape(
                        f"{when} is already an extra working day in {calendar.name}"
                        f"{named(same.name)}"
                    )
                )
            holiday = next((h for h in calendars.holidays_of(calendar) if h.date == when), None)
            if holiday is not None:
                raise fail(
                    escape(f"{when} is a holiday in {calendar.name}{named(holiday.name)}")
                    + ": remove it first (`podium calendar holiday-remove`)"
                )
            calendars.update_calendar(
                session,
                SYSTEM,
                calendar.id,
                {"extra_workdays": [*extra, ExtraWorkday(when, workday_name)]},
                expected_version=calendar.version,
            )
            title, worked = calendar.name, calendars.workdays_of(calendar.weekmask)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    weekday = WEEKDAYS[when.weekday()]
    added = escape(f"{when} ({weekday}) {workday_name}".strip())
    console.print(f"Added {added} to [bold]{escape(title)}[/]: {extra_days_said(len(extra) + 1)}.")
    if weekday in worked:
        console.print(f"[dim]{weekday} is worked in this calendar anyway: it changes nothing.[/]")


@calendar_app.command("workday-remove")
def workday_remove(name: CalendarName, day: WorkdayDate) -> None:
    """Remove an extra working day from a calendar; the programs that use it are
    rescheduled."""
    when = parse_day(day, "DATE")
    require_current_schema()
    try:
        with unit_of_work() as session:
            calendar = find_calendar(session, name)
            extra = calendars.extra_workdays_of(calendar)
            gone = next((e for e in extra if e.date == when), None)
            if gone is None:
                raise fail(
                    escape(f"{when} is not an extra working day in {calendar.name}")
                    + " (`podium calendar show` lists them)"
                )
            kept = [e for e in extra if e.date != when]
            calendars.update_calendar(
                session,
                SYSTEM,
                calendar.id,
                {"extra_workdays": kept},
                expected_version=calendar.version,
            )
            title = calendar.name
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    removed = escape(f"{when} {gone.name}".strip())
    console.print(
        f"Removed {removed} from [bold]{escape(title)}[/]: {extra_days_said(len(kept))} left."
    )


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
