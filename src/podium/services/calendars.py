"""Organisation-wide working calendars: worked weekdays, holidays and extra working days.

An extra working day is a date worked although the week leaves its weekday off; a
date cannot be both a holiday and an extra working day of one calendar. Anyone
signed in reads calendars. Admins and anyone who is a manager or owner of
at least one program change them: a PMO admin owns the calendars, and the
managers who plan the work need to add holidays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict, Forbidden, NotFound, field_error
from podium.interop.ical_holidays import read_holidays
from podium.models import WEEKDAYS, Calendar, Membership, Program, Project, Resource, Role, Task
from podium.services.actor import (
    Actor,
    manages_all,
    require_manager_of_all,
    visible_program_ids,
)
from podium.services.audit import record_created, record_deleted
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.scheduling.pending import programs_using_calendars

CALENDAR_FIELDS = ["name", "description", "weekmask", "holidays", "extra_workdays"]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
MAX_HOLIDAYS = 5_000  # holidays of one calendar
MAX_EXTRA_WORKDAYS = 5_000  # extra working days of one calendar (as holidays; imports keep as many)
_LISTED_USERS = 20  # how many users of a calendar an error message names


@dataclass(frozen=True, slots=True)
class Holiday:
    """A non-working day."""

    date: date
    name: str = ""


@dataclass(frozen=True, slots=True)
class ExtraWorkday:
    """A date worked although the week leaves its weekday off (a Saturday worked for a
    cutover, say)."""

    date: date
    name: str = ""


def weekmask_of(workdays: Sequence[str]) -> str:
    """``["Mon", "Tue"]`` → ``"1100000"``; refuses unknown, repeated or no days."""
    if not workdays:
        raise field_error("workdays", "at least one weekday must be worked")
    seen: set[str] = set()
    for index, day in enumerate(workdays):
        if day not in WEEKDAYS:
            raise field_error(f"workdays.{index}", f"{day!r} is not one of {', '.join(WEEKDAYS)}")
        if day in seen:
            raise field_error(f"workdays.{index}", f"{day} is listed twice")
        seen.add(day)
    return "".join("1" if day in seen else "0" for day in WEEKDAYS)


def workdays_of(weekmask: str) -> list[str]:
    """``"1111100"`` → ``["Mon", "Tue", "Wed", "Thu", "Fri"]``."""
    return [day for day, flag in zip(WEEKDAYS, weekmask, strict=False) if flag == "1"]


def week_label(weekmask: str) -> str:
    """The days worked as people write them: ``Mon–Fri`` or ``Mon–Sat`` for a week worked
    from Monday without a gap, else each day (``Mon Wed Fri``)."""
    days = workdays_of(weekmask)
    if len(days) > 2 and weekmask == "1" * len(days) + "0" * (7 - len(days)):
        return f"{days[0]}–{days[-1]}"
    return " ".join(days)


def _stored_days(days: Sequence[Holiday | ExtraWorkday], field: str) -> list[dict[str, str]]:
    """Dated entries as stored (sorted by date); a date listed twice is refused, naming
    its index in ``field``."""
    first_index: dict[date, int] = {}
    for index, day in enumerate(days):
        if day.date in first_index:
            raise field_error(
                f"{field}.{index}.date",
                f"{day.date.isoformat()} is already listed at {field}.{first_index[day.date]}",
            )
        first_index[day.date] = index
    ordered = sorted(days, key=lambda d: d.date)
    return [{"date": d.date.isoformat(), "name": d.name} for d in ordered]


def stored_holidays(holidays: Sequence[Holiday]) -> list[dict[str, str]]:
    """Holidays as stored (sorted by date); a date listed twice is refused, naming its index."""
    return _stored_days(holidays, "holidays")


def stored_extra_workdays(extra_workdays: Sequence[ExtraWorkday]) -> list[dict[str, str]]:
    """Extra working days as stored (sorted by date); a date listed twice, or more than
    :data:`MAX_EXTRA_WORKDAYS` days, is refused."""
    if len(extra_workdays) > MAX_EXTRA_WORKDAYS:
        raise field_error(
            "extra_workdays",
            f"a calendar has at most {MAX_EXTRA_WORKDAYS} extra working days, "
            f"not {len(extra_workdays)}",
        )
    return _stored_days(extra_workdays, "extra_workdays")


def holidays_of(calendar: Calendar) -> list[Holiday]:
    """A calendar's holidays, parsed."""
    return [
        Holiday(date.fromisoformat(h["date"]), str(h.get("name", ""))) for h in calendar.holidays
    ]


def extra_workdays_of(calendar: Calendar) -> list[ExtraWorkday]:
    """A calendar's extra working days, parsed."""
    return [
        ExtraWorkday(date.fromisoformat(e["date"]), str(e.get("name", "")))
        for e in calendar.extra_workdays or []
    ]


def _named(name: str) -> str:
    return f" ({name})" if name else ""


def _check_apart(
    holidays: Sequence[Holiday], extra_workdays: Sequence[ExtraWorkday], *, blame: str
) -> None:
    """Refuses a date that is both a holiday and an extra working day, on the index of the
    list that ``blame`` names (``"holidays"`` or ``"extra_workdays"``): the one changed."""
    holiday_on = {h.date: h for h in holidays}
    extra_on = {e.date: e for e in extra_workdays}
    listed: Sequence[Holiday | ExtraWorkday] = holidays if blame == "holidays" else extra_workdays
    for index, day in enumerate(listed):
        holiday, extra = holiday_on.get(day.date), extra_on.get(day.date)
        if holiday is not None and extra is not None:
            raise field_error(
                f"{blame}.{index}.date",
                f"{day.date.isoformat()} is both a holiday{_named(holiday.name)} "
                f"and an extra working day{_named(extra.name)}",
            )


def can_edit_calendars(session: Session, actor: Actor) -> bool:
    """Admins, and managers or owners of at least one program."""
    if actor.is_admin:
        return True
    role = session.scalar(
        select(Membership.id)
        .where(Membership.user_id == actor.user_id, Membership.role.in_([Role.MANAGER, Role.OWNER]))
        .limit(1)
    )
    return role is not None


def require_calendar_change(session: Session, actor: Actor, calendar: Calendar) -> None:
    """Refuses (403) anyone but an admin or a manager or owner of every program that
    uses the calendar: a change to it moves their schedules."""
    require_calendar_editor(session, actor)
    require_manager_of_all(
        session,
        actor,
        programs_using_calendars(session, {calendar.id}),
        what=f"calendar {calendar.name}",
    )


def may_change_calendar(session: Session, actor: Actor, calendar: Calendar) -> bool:
    """Whether the actor may change this calendar (see :func:`update_calendar`)."""
    return can_edit_calendars(session, actor) and manages_all(
        session, actor, programs_using_calendars(session, {calendar.id})
    )


def require_calendar_editor(session: Session, actor: Actor) -> None:
    """Refuses (403) anyone who may not change calendars (see :func:`can_edit_calendars`)."""
    if not can_edit_calendars(session, actor):
        raise Forbidden("only admins and program managers or owners can change calendars")


def check_calendar(session: Session, calendar_id: int | None) -> None:
    """A calendar chosen for a program, project or task exists (``None``: the built-in
    Monday–Friday); refused on ``calendar_id`` otherwise."""
    if calendar_id is not None and session.get(Calendar, calendar_id) is None:
        raise field_error("calendar_id", f"calendar {calendar_id} does not exist")


def get_calendar(session: Session, actor: Actor, calendar_id: int) -> Calendar:
    """A calendar (every signed-in user may read every calendar)."""
    calendar = session.get(Calendar, calendar_id) if 0 < calendar_id <= MAX_ID else None
    if calendar is None:
        raise NotFound(f"calendar {calendar_id} not found")
    return calendar


def list_calendars(
    session: Session, actor: Actor, *, limit: int = 50, offset: int = 0
) -> tuple[list[Calendar], int]:
    """Every calendar, by name."""
    query = select(Calendar).order_by(Calendar.name)
    return paginate(session, query, limit=limit, offset=offset)


def _check_name_free(session: Session, name: str, *, except_id: int | None = None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII only, and calendars are few.
    for calendar_id, existing in session.execute(select(Calendar.id, Calendar.name)):
        if existing.casefold() == name.casefold() and calendar_id != except_id:
            raise Conflict(f"a calendar named {existing} already exists", details={"field": "name"})


def create_calendar(
    session: Session,
    actor: Actor,
    *,
    name: str,
    description: str = "",
    workdays: Sequence[str] = WEEKDAYS[:5],
    holidays: Iterable[Holiday] = (),
    extra_workdays: Iterable[ExtraWorkday] = (),
) -> Calendar:
    """A new calendar; names are unique, ignoring case, and no date is both a holiday and
    an extra working day."""
    require_calendar_editor(session, actor)
    _check_name_free(session, name)
    weekmask = weekmask_of(workdays)
    holiday_list, extra_list = list(holidays), list(extra_workdays)
    stored, extra_stored = stored_holidays(holiday_list), stored_extra_workdays(extra_list)
    _check_apart(holiday_list, extra_list, blame="extra_workdays")
    calendar = Calendar(
        name=name,
        description=description,
        weekmask=weekmask,
        holidays=stored,
        extra_workdays=extra_stored,
    )
    session.add(calendar)
    flush(session)
    record_created(session, actor, calendar, program_id=None, fields=CALENDAR_FIELDS)
    flush(session)
    return calendar


def update_calendar(
    session: Session,
    actor: Actor,
    calendar_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Calendar:
    """Change a calendar; new ``workdays``, ``holidays`` and ``extra_workdays`` replace the
    old lists. A date both a holiday and an extra working day of the resulting calendar is
    refused on the list that changed."""
    require_calendar_editor(session, actor)  # before the lookup: 403, not 404
    calendar = get_calendar(session, actor, calendar_id)
    require_calendar_change(session, actor, calendar)
    check_version(calendar, expected_version)
    changes = dict(updates)
    if "name" in changes and changes["name"] != calendar.name:
        _check_name_free(session, changes["name"], except_id=calendar.id)
    if "workdays" in changes:
        changes["weekmask"] = weekmask_of(changes.pop("workdays"))
    holidays = list(changes.get("holidays", holidays_of(calendar)))
    extra_workdays = list(changes.get("extra_workdays", extra_workdays_of(calendar)))
    if "holidays" in changes:
        changes["holidays"] = stored_holidays(holidays)
    if "extra_workdays" in changes:
        changes["extra_workdays"] = stored_extra_workdays(extra_workdays)
        _check_apart(holidays, extra_workdays, blame="extra_workdays")
    elif "holidays" in changes:
        _check_apart(holidays, extra_workdays, blame="holidays")
    apply_update(
        session, actor, calendar, changes, program_id=None, expected_version=expected_version
    )
    return calendar


@dataclass(frozen=True, slots=True)
class HolidaysAdded:
    """What adding holidays did: the calendar, how many were new, how many it had."""

    calendar: Calendar
    added: int
    already: int


def add_holidays(
    session: Session,
    actor: Actor,
    calendar_id: int,
    holidays: Sequence[Holiday],
    *,
    expected_version: int | None = None,
) -> HolidaysAdded:
    """Add holidays to a calendar (from a holiday file, say): a day it already has keeps
    its own entry, and gets the new name only if it had none; a day that is one of its
    extra working days is refused (the first, by date)."""
    calendar = get_calendar(session, actor, calendar_id)
    kept = {h.date: h for h in holidays_of(calendar)}
    added = 0
    for holiday in holidays:
        known = kept.get(holiday.date)
        if known is None:
            added += 1
        if known is None or (not known.name and holiday.name):
            kept[holiday.date] = holiday
    extra_on = {e.date: e for e in extra_workdays_of(calendar)}
    clash = min(kept.keys() & extra_on.keys(), default=None)
    if clash is not None:
        raise field_error(
            "holidays",
            f"{clash.isoformat()} is both a holiday{_named(kept[clash].name)} and an extra "
            f"working day{_named(extra_on[clash].name)}: remove the extra working day first",
        )
    if len(kept) > MAX_HOLIDAYS:
        raise field_error(
            "holidays",
            f"a calendar has at most {MAX_HOLIDAYS} holidays; with these it would have {len(kept)}",
        )
    changed = update_calendar(
        session,
        actor,
        calendar_id,
        {"holidays": list(kept.values())},
        expected_version=expected_version,
    )
    return HolidaysAdded(changed, added, len(holidays) - added)


def import_holiday_file(
    session: Session,
    actor: Actor,
    calendar_id: int,
    data: bytes,
    *,
    expected_version: int | None = None,
) -> tuple[HolidaysAdded, list[str]]:
    """Add the holidays of an iCalendar file (see :mod:`podium.interop.ical_holidays`) to
    a calendar, and the notes on what the file had that are not holidays. The file is
    read whole before anything is written: a bad file changes nothing."""
    require_calendar_editor(session, actor)
    get_calendar(session, actor, calendar_id)
    found = read_holidays(data)
    holidays = [Holiday(day, name) for day, name in found.holidays.items()]
    added = add_holidays(session, actor, calendar_id, holidays, expected_version=expected_version)
    return added, found.notes


def calendar_users(session: Session, actor: Actor, calendar_id: int) -> dict[str, Any]:
    """Programs, projects, tasks and resources using a calendar.

    Tasks and projects in programs the actor cannot see are only counted, not named;
    resources belong to the whole organisation and are all named.
    """
    visible = visible_program_ids(session, actor)
    if visible:  # a scenario's copy is seen by whoever sees its live program
        visible += session.scalars(select(Program.id).where(Program.scenario_of_id.in_(visible)))

    def shown(program_id: int) -> bool:
        return visible is None or program_id in visible

    programs = list(
        session.execute(
            select(Program.id, Program.key)
            .where(Program.calendar_id == calendar_id)
            .order_by(Program.key)
        )
    )
    projects = list(
        session.execute(
            select(Project.id, Project.key, Project.program_id, Program.key)
            .join(Program, Program.id == Project.program_id)
            .where(Project.calendar_id == calendar_id)
            .order_by(Program.key, Project.key)
        )
    )
    tasks = list(
        session.execute(
            select(Task.id, Task.key, Task.program_id)
            .where(Task.calendar_id == calendar_id)
            .order_by(Task.program_id, Task.key)
        )
    )
    resources = list(
        session.execute(
            select(Resource.id, Resource.key)
            .where(Resource.calendar_id == calendar_id)
            .order_by(Resource.key)
        )
    )
    return {
        "programs": [{"id": i, "key": k} for i, k in programs if shown(i)],
        "projects": [
            {"id": i, "key": f"{pk}/{k}", "program_id": p} for i, k, p, pk in projects if shown(p)
        ],
        "tasks": [{"id": i, "key": k, "program_id": p} for i, k, p in tasks if shown(p)][:100],
        "tasks_total": sum(1 for *_, p in tasks if shown(p)),
        "resources": [{"id": i, "key": k} for i, k in resources],
        "hidden": sum(1 for i, *_ in programs if not shown(i))
        + sum(1 for _, _, p, _ in projects if not shown(p))
        + sum(1 for *_, p in tasks if not shown(p)),
    }


def _describe_users(users: dict[str, Any]) -> str:
    names = [f"program {p['key']}" for p in users["programs"]]
    names += [f"project {p['key']}" for p in users["projects"]]
    names += [f"task {t['key']}" for t in users["tasks"]]
    names += [f"resource {r['key']}" for r in users["resources"]]
    total = (
        len(users["programs"])
        + len(users["projects"])
        + users["tasks_total"]
        + len(users["resources"])
    )
    parts = [", ".join(names[:_LISTED_USERS])] if names else []
    if total > min(len(names), _LISTED_USERS):
        parts.append(f"{total - min(len(names), _LISTED_USERS)} more")
    if users["hidden"]:
        parts.append(f"{users['hidden']} in programs you cannot see")
    return " and ".join(parts)


def delete_calendar(
    session: Session, actor: Actor, calendar_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a calendar nothing uses any more."""
    require_calendar_editor(session, actor)
    calendar = get_calendar(session, actor, calendar_id)
    check_version(calendar, expected_version)
    users = calendar_users(session, actor, calendar.id)
    if any(users[k] for k in ("programs", "projects", "tasks_total", "resources", "hidden")):
        raise Conflict(
            f"calendar {calendar.name} is in use by {_describe_users(users)}; "
            "move them to another calendar first",
            code="calendar_in_use",
            details=users,
        )
    record_deleted(session, actor, calendar, program_id=None, fields=CALENDAR_FIELDS)
    session.delete(calendar)
    flush(session)
