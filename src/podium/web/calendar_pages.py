"""The organisation's working calendars: the list, one calendar with its holidays, its
extra working days and who uses it, the add and edit forms, and deleting a calendar
nothing uses.

Calendars are read by everyone signed in and changed by admins and program managers
or owners, as in the API. Forms are checked with the API's own input schemas
(``CalendarCreate``, ``CalendarUpdate``), so the page refuses what the API refuses,
with the message beside its field. Holidays and extra working days are rows of a
date and a name: blank rows are ignored, and saving offers fresh blank rows for more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from podium.api.calendars import CalendarCreate, CalendarUpdate
from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.interop.ical_holidays import MAX_FILE_BYTES
from podium.models import WEEKDAYS, Calendar
from podium.services import calendars
from podium.services.calendars import ExtraWorkday, Holiday
from podium.services.common import today
from podium.web.form_errors import GENERAL, Errors, errors_of, humanize, validate
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_CALENDARS = 500  # listed on one page: an organisation has a handful
BLANK_HOLIDAY_ROWS = 3
MAX_HOLIDAY_ROWS = calendars.MAX_HOLIDAYS  # the API's limit on one calendar's holidays
BLANK_WORKDAY_ROWS = 2  # extra working days are rarer than holidays
MAX_WORKDAY_ROWS = calendars.MAX_EXTRA_WORKDAYS
# the row lists of the form: the field, how many blank rows it offers, how many it reads
DAY_LISTS = (
    ("holidays", BLANK_HOLIDAY_ROWS, MAX_HOLIDAY_ROWS),
    ("extra_workdays", BLANK_WORKDAY_ROWS, MAX_WORKDAY_ROWS),
)
FORM_FIELDS = ("name", "description")
NO_FILE = "Choose an iCalendar (.ics) file of holidays first."
DONE_MESSAGES = {"saved": "Saved.", "created": "Calendar added."}


@dataclass(frozen=True, slots=True)
class DayRow:
    """A holiday or an extra working day as the calendar page lists it."""

    date: date
    name: str
    past: bool
    worked_weekday: bool  # the week works this weekday anyway


def _rows(calendar: Calendar, days: list[Holiday] | list[ExtraWorkday], on: date) -> list[DayRow]:
    return [
        DayRow(d.date, d.name, d.date < on, calendar.weekmask[d.date.weekday()] == "1")
        for d in days
    ]


def _values_of(calendar: Calendar | None) -> dict[str, Any]:
    if calendar is None:
        return {
            "name": "",
            "description": "",
            "workdays": list(WEEKDAYS[:5]),
            "holidays": [],
            "extra_workdays": [],
        }
    return {
        "name": calendar.name,
        "description": calendar.description,
        "workdays": calendars.workdays_of(calendar.weekmask),
        "holidays": [
            {"date": h.date.isoformat(), "name": h.name} for h in calendars.holidays_of(calendar)
        ],
        "extra_workdays": [
            {"date": e.date.isoformat(), "name": e.name}
            for e in calendars.extra_workdays_of(calendar)
        ],
    }


def _day_rows(form: FormData, field: str, limit: int) -> list[dict[str, str]]:
    """The filled rows of a list of days, in the order sent (blank rows dropped)."""
    rows = []
    for k in range(limit):
        if f"{field}_{k}_date" not in form:
            break
        row = {part: field_value(form, f"{field}_{k}_{part}") for part in ("date", "name")}
        if any(row.values()):
            rows.append(row)
    return rows


def _form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: field_value(form, name) for name in FORM_FIELDS}
    values["workdays"] = [d for d in WEEKDAYS if d in form.getlist("workdays")]
    for field, blank, most in DAY_LISTS:
        values[field] = _day_rows(form, field, most + blank)
    return values


def _body(values: dict[str, Any]) -> dict[str, Any]:
    body = {name: values[name] for name in (*FORM_FIELDS, "workdays")}
    for field, _blank, _most in DAY_LISTS:
        body[field] = [{"date": r["date"] or None, "name": r["name"]} for r in values[field]]
    return body


def _days(body: CalendarCreate | CalendarUpdate) -> dict[str, Any]:
    """The body's holidays and extra working days as the service takes them."""
    return {
        "holidays": [Holiday(h.date, h.name) for h in body.holidays or []],
        "extra_workdays": [ExtraWorkday(e.date, e.name) for e in body.extra_workdays or []],
    }


def _shown_fields(values: dict[str, Any]) -> set[str]:
    shown = {*FORM_FIELDS, "workdays"}
    for field, blank, _most in DAY_LISTS:
        for k in range(len(values[field]) + blank):
            shown |= {f"{field}_{k}_date", f"{field}_{k}_name"}
    return shown


# "already listed at holidays.0" as the service says it, humanized
_LISTED_AT = re.compile(r"\bat (?:holidays|extra workdays)\.(\d+)\b")


def _checked(values: dict[str, Any], errors: Errors) -> Errors:
    """Errors as the form shows them: a holiday's or an extra working day's date error
    beside its row's date (the row it repeats named by its number, as the form counts),
    an unsupported weekday (only a forged form sends one) beside the week."""
    shown = _shown_fields(values)
    fixed: Errors = {}
    for field, raw in errors.items():
        message = _LISTED_AT.sub(lambda m: f"in row {int(m[1]) + 1}", raw)
        if field.startswith("workdays"):
            fixed.setdefault("workdays", message)
        elif field in shown or field == GENERAL:
            fixed[field] = message
        else:
            fixed.setdefault(GENERAL, message)
    return fixed


def _form_page(
    request: Request,
    db: Db,
    viewer: Viewer,
    *,
    calendar: Calendar | None,
    values: dict[str, Any],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    if calendar is None:
        calendars.require_calendar_editor(db, viewer.actor)
    else:
        calendars.require_calendar_change(db, viewer.actor, calendar)
    flat: dict[str, Any] = {name: values[name] for name in FORM_FIELDS}
    row_counts: dict[str, int] = {}
    for field, blank, _most in DAY_LISTS:
        rows = list(values[field]) + [{"date": "", "name": ""}] * blank
        for k, row in enumerate(rows):
            flat.update({f"{field}_{k}_{part}": value for part, value in row.items()})
        row_counts[field] = len(rows)
    context = {
        "calendar": calendar,
        "values": flat,
        "workdays": values["workdays"],
        "weekdays": WEEKDAYS,
        "holiday_rows": row_counts["holidays"],
        "workday_rows": row_counts["extra_workdays"],
        "errors": errors or {},
    }
    return render(request, "calendars/form.html", context, status_code=status_code)


@router.get("/calendars", name="calendars")
def calendar_list(request: Request, db: Db, viewer: CurrentViewer) -> Response:
    """Every calendar: its week, its holidays, the next one, how many extra working days,
    and how much uses it."""
    found, total = calendars.list_calendars(db, viewer.actor, limit=MAX_CALENDARS)
    on = today()
    items = []
    for calendar in found:
        rows = _rows(calendar, calendars.holidays_of(calendar), on)
        users = calendars.calendar_users(db, viewer.actor, calendar.id)
        items.append(
            {
                "calendar": calendar,
                "week": calendars.week_label(calendar.weekmask),
                "holidays": len(rows),
                "next": next((r for r in rows if not r.past), None),
                "extra_workdays": len(calendar.extra_workdays or []),
                "programs": len(users["programs"]),
                "projects": len(users["projects"]),
                "tasks": users["tasks_total"],
                "resources": len(users["resources"]),
                "hidden": users["hidden"],
            }
        )
    context = {
        "items": items,
        "total": total,
        "can_edit": calendars.can_edit_calendars(db, viewer.actor),
    }
    return render(request, "calendars/list.html", context)


@router.get("/calendars/new", name="calendar-new")
def new_calendar(request: Request, db: Db, viewer: CurrentViewer) -> Response:
    """The form for a new calendar (editors)."""
    return _form_page(request, db, viewer, calendar=None, values=_values_of(None))


@router.post("/calendars", name="calendar-create")
def create_calendar(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Add a calendar; back to the form with the errors beside their fields."""
    calendars.require_calendar_editor(db, viewer.actor)
    values = _form_values(form)
    body, errors = validate(CalendarCreate, _body(values))
    if body is not None and not errors:
        fields = {**body.model_dump(exclude={"holidays", "extra_workdays"}), **_days(body)}
        try:
            calendar = calendars.create_calendar(db, viewer.actor, **fields)
            done(db)
            return RedirectResponse(f"/calendars/{calendar.id}?done=created", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, _shown_fields(values))
    return _form_page(
        request,
        db,
        viewer,
        calendar=None,
        values=values,
        errors=_checked(values, errors),
        status_code=422,
    )


def _detail(
    request: Request,
    db: Db,
    viewer: Viewer,
    calendar: Calendar,
    *,
    flash: str = "",
    error: str = "",
    notes: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    on = today()
    rows = _rows(calendar, calendars.holidays_of(calendar), on)
    extra = _rows(calendar, calendars.extra_workdays_of(calendar), on)
    years: dict[int, list[DayRow]] = {}
    for row in rows:
        years.setdefault(row.date.year, []).append(row)
    context = {
        "calendar": calendar,
        "week": calendars.week_label(calendar.weekmask),
        "workdays": calendars.workdays_of(calendar.weekmask),
        "weekdays": WEEKDAYS,
        "years": years,
        "holidays": len(rows),
        "next": next((r for r in rows if not r.past), None),
        "extra_workdays": extra,
        "users": calendars.calendar_users(db, viewer.actor, calendar.id),
        "can_edit": calendars.may_change_calendar(db, viewer.actor, calendar),
        "flash": flash,
        "error": error,
        "notes": notes or [],
        "max_file_mb": MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "calendars/detail.html", context, status_code=status_code)


@router.get("/calendars/{calendar_id}", name="calendar")
def show_calendar(
    request: Request,
    calendar_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    done_: Annotated[str | None, Query(alias="done", max_length=20)] = None,
) -> Response:
    """A calendar: its working week, its holidays by year, its extra working days, and
    what uses it."""
    calendar = calendars.get_calendar(db, viewer.actor, calendar_id)
    flash = DONE_MESSAGES.get(done_ or "", "")
    return _detail(request, db, viewer, calendar, flash=flash)


@router.get("/calendars/{calendar_id}/edit", name="calendar-edit")
def edit_calendar(request: Request, calendar_id: PathId, db: Db, viewer: CurrentViewer) -> Response:
    """The form for changing a calendar (editors)."""
    calendar = calendars.get_calendar(db, viewer.actor, calendar_id)
    return _form_page(request, db, viewer, calendar=calendar, values=_values_of(calendar))


@router.post("/calendars/{calendar_id}", name="calendar-update")
def update_calendar(
    request: Request, calendar_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save a calendar's form (checked against the version the form was read at); the
    programs that use it are rescheduled."""
    calendars.require_calendar_editor(db, viewer.actor)
    calendar = calendars.get_calendar(db, viewer.actor, calendar_id)
    values = _form_values(form)
    body, errors = validate(CalendarUpdate, _body(values))
    status_code = 422
    if body is not None and not errors:
        fields = {**body.model_dump(exclude={"holidays", "extra_workdays"}), **_days(body)}
        try:
            calendars.update_calendar(
                db, viewer.actor, calendar_id, fields, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(f"/calendars/{calendar_id}?done=saved", status_code=303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, _shown_fields(values))
            if isinstance(exc, StaleVersion):  # read before someone else saved
                status_code = exc.status
    db.refresh(calendar)
    return _form_page(
        request,
        db,
        viewer,
        calendar=calendar,
        values=values,
        errors=_checked(values, errors),
        status_code=status_code,
    )


@router.post("/calendars/{calendar_id}/delete", name="calendar-delete")
def delete_calendar(
    request: Request, calendar_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Delete a calendar nothing uses; in use, the page says by what."""
    calendar = calendars.get_calendar(db, viewer.actor, calendar_id)
    try:
        calendars.delete_calendar(db, viewer.actor, calendar_id, expected_version=version_of(form))
    except (Conflict, StaleVersion) as exc:
        db.rollback()
        db.refresh(calendar)
        message = humanize(exc.message) + "."
        return _detail(request, db, viewer, calendar, error=message, status_code=exc.status)
    done(db)
    return RedirectResponse("/calendars", status_code=303)


@router.post("/calendars/{calendar_id}/holidays/import", name="calendar-import-holidays")
async def import_holidays(
    request: Request, calendar_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Add the all-day events of an uploaded iCalendar file as holidays (editors); the
    page says how many were new, and what in the file was not a holiday."""
    calendar = calendars.get_calendar(db, viewer.actor, calendar_id)
    calendars.require_calendar_editor(db, viewer.actor)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _detail(request, db, viewer, calendar, error=NO_FILE, status_code=422)
    data = await upload.read(MAX_FILE_BYTES + 1)
    try:
        # expanding recurring events is CPU work: off the event loop (see the API's route)
        added, notes = await run_in_threadpool(
            calendars.import_holiday_file,
            db,
            viewer.actor,
            calendar_id,
            data,
            expected_version=version_of(form),
        )
        done(db)
    except (ValidationFailed, StaleVersion) as exc:
        db.rollback()
        db.refresh(calendar)
        message = humanize(exc.message) + "."
        return _detail(request, db, viewer, calendar, error=message, status_code=exc.status)
    flash = (
        f"{added.added} holiday{'' if added.added == 1 else 's'} added from "
        f"{upload.filename} ({added.already} already there)."
    )
    db.refresh(added.calendar)
    return _detail(request, db, viewer, added.calendar, flash=flash, notes=notes)
