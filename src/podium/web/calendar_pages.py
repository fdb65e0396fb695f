"""The organisation's working calendars: the list, one calendar with its holidays and
who uses it, the add and edit forms, and deleting a calendar nothing uses.

Calendars are read by everyone signed in and changed by admins and program managers
or owners, as in the API. Forms are checked with the API's own input schemas
(``CalendarCreate``, ``CalendarUpdate``), so the page refuses what the API refuses,
with the message beside its field. Holidays are rows of a date and a name: blank
rows are ignored, and saving offers fresh blank rows for more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from podium.api.calendars import CalendarCreate, CalendarUpdate
from podium.api.deps import Db
from podium.api.projects import PathId
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.interop.ical_holidays import MAX_FILE_BYTES
from podium.models import WEEKDAYS, Calendar
from podium.services import calendars
from podium.services.calendars import Holiday
from podium.services.common import today
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import (
    GENERAL,
    Errors,
    done,
    errors_of,
    field_value,
    humanize,
    validate,
    version_of,
)
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_CALENDARS = 500  # listed on one page: an organisation has a handful
BLANK_HOLIDAY_ROWS = 3
MAX_HOLIDAY_ROWS = 5_000  # the API's limit on one calendar's holidays
FORM_FIELDS = ("name", "description")
NO_FILE = "Choose an iCalendar (.ics) file of holidays first."
DONE_MESSAGES = {"saved": "Saved.", "created": "Calendar added."}


@dataclass(frozen=True, slots=True)
class HolidayRow:
    """A holiday as the calendar page lists it."""

    date: date
    name: str
    past: bool
    worked_weekday: bool


def _rows(calendar: Calendar, on: date) -> list[HolidayRow]:
    return [
        HolidayRow(h.date, h.name, h.date < on, calendar.weekmask[h.date.weekday()] == "1")
        for h in calendars.holidays_of(calendar)
    ]


def _values_of(calendar: Calendar | None) -> dict[str, Any]:
    if calendar is None:
        return {"name": "", "description": "", "workdays": list(WEEKDAYS[:5]), "holidays": []}
    return {
        "name": calendar.name,
        "description": calendar.description,
        "workdays": calendars.workdays_of(calendar.weekmask),
        "holidays": [
            {"date": h.date.isoformat(), "name": h.name} for h in calendars.holidays_of(calendar)
        ],
    }


def _holiday_rows(form: FormData) -> list[dict[str, str]]:
    """The filled holiday rows, in the order sent (blank rows dropped)."""
    rows = []
    for k in range(MAX_HOLIDAY_ROWS + BLANK_HOLIDAY_ROWS):
        if f"holidays_{k}_date" not in form:
            break
        row = {part: field_value(form, f"holidays_{k}_{part}") for part in ("date", "name")}
        if any(row.values()):
            rows.append(row)
    return rows


def _form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: field_value(form, name) for name in FORM_FIELDS}
    values["workdays"] = [d for d in WEEKDAYS if d in form.getlist("workdays")]
    values["holidays"] = _holiday_rows(form)
    return values


def _body(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": values["name"],
        "description": values["description"],
        "workdays": values["workdays"],
        "holidays": [{"date": r["date"] or None, "name": r["name"]} for r in values["holidays"]],
    }


def _holidays(body: CalendarCreate | CalendarUpdate) -> list[Holiday]:
    return [Holiday(h.date, h.name) for h in body.holidays or []]


def _shown_fields(values: dict[str, Any]) -> set[str]:
    shown = {*FORM_FIELDS, "workdays"}
    for k in range(len(values["holidays"]) + BLANK_HOLIDAY_ROWS):
        shown |= {f"holidays_{k}_date", f"holidays_{k}_name"}
    return shown


def _checked(values: dict[str, Any], errors: Errors) -> Errors:
    """Errors as the form shows them: a holiday's date error beside its row's date, an
    unsupported weekday (only a forged form sends one) beside the week."""
    shown = _shown_fields(values)
    fixed: Errors = {}
    for field, message in errors.items():
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
    calendars.require_calendar_editor(db, viewer.actor)
    rows = list(values["holidays"]) + [{"date": "", "name": ""}] * BLANK_HOLIDAY_ROWS
    flat: dict[str, Any] = {name: values[name] for name in FORM_FIELDS}
    for k, row in enumerate(rows):
        flat.update({f"holidays_{k}_{part}": value for part, value in row.items()})
    context = {
        "calendar": calendar,
        "values": flat,
        "workdays": values["workdays"],
        "weekdays": WEEKDAYS,
        "holiday_rows": len(rows),
        "errors": errors or {},
    }
    return render(request, "calendars/form.html", context, status_code=status_code)


@router.get("/calendars", name="calendars")
def calendar_list(request: Request, db: Db, viewer: CurrentViewer) -> Response:
    """Every calendar: its week, its holidays, the next one, and how much uses it."""
    found, total = calendars.list_calendars(db, viewer.actor, limit=MAX_CALENDARS)
    on = today()
    items = []
    for calendar in found:
        rows = _rows(calendar, on)
        users = calendars.calendar_users(db, viewer.actor, calendar.id)
        items.append(
            {
                "calendar": calendar,
                "week": calendars.week_label(calendar.weekmask),
                "holidays": len(rows),
                "next": next((r for r in rows if not r.past), None),
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
        fields = body.model_dump(exclude={"holidays"})
        try:
            calendar = calendars.create_calendar(
                db, viewer.actor, **fields, holidays=_holidays(body)
            )
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
    rows = _rows(calendar, on)
    years: dict[int, list[HolidayRow]] = {}
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
        "users": calendars.calendar_users(db, viewer.actor, calendar.id),
        "can_edit": calendars.can_edit_calendars(db, viewer.actor),
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
    """A calendar: its working week, its holidays by year, and what uses it."""
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
    if body is not None and not errors:
        fields = body.model_dump(exclude={"holidays"})
        fields["holidays"] = _holidays(body)
        try:
            calendars.update_calendar(
                db, viewer.actor, calendar_id, fields, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(f"/calendars/{calendar_id}?done=saved", status_code=303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, _shown_fields(values))
    db.refresh(calendar)
    return _form_page(
        request,
        db,
        viewer,
        calendar=calendar,
        values=values,
        errors=_checked(values, errors),
        status_code=422,
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
        added, notes = calendars.import_holiday_file(
            db, viewer.actor, calendar_id, data, expected_version=version_of(form)
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
