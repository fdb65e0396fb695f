"""Calendars API: organisation-wide working weekdays, holidays and extra working days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Response, UploadFile, status
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from podium.api.dependencies import NoNul, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.imports import read_upload
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.interop.ical_holidays import MAX_FILE_BYTES
from podium.models import Calendar
from podium.services import calendars
from podium.services.calendars import ExtraWorkday, Holiday

router = APIRouter(prefix="/calendars", tags=["calendars"], responses=ERROR_RESPONSES)

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
FIVE_DAY_WEEK: list[Weekday] = ["Mon", "Tue", "Wed", "Thu", "Fri"]


class HolidayIn(Strict):
    date: date
    name: Annotated[str, NoNul] = Field(default="", max_length=200)


class ExtraWorkdayIn(Strict):
    date: date
    name: Annotated[str, NoNul] = Field(default="", max_length=200, examples=["Cutover"])


class CalendarCreate(Strict):
    name: Annotated[str, NoNul] = Field(min_length=1, max_length=100, examples=["standard"])
    description: Annotated[str, NoNul] = Field(default="", max_length=10000)
    workdays: list[Weekday] = Field(default_factory=lambda: list(FIVE_DAY_WEEK), max_length=7)
    holidays: list[HolidayIn] = Field(default_factory=list, max_length=calendars.MAX_HOLIDAYS)
    extra_workdays: list[ExtraWorkdayIn] = Field(
        default_factory=list,
        max_length=calendars.MAX_EXTRA_WORKDAYS,
        description="dates worked although the week leaves their weekday off",
    )


class CalendarUpdate(Strict):
    name: Annotated[str | None, NoNul] = Field(default=None, min_length=1, max_length=100)
    description: Annotated[str | None, NoNul] = Field(default=None, max_length=10000)
    workdays: list[Weekday] | None = Field(default=None, max_length=7)
    holidays: list[HolidayIn] | None = Field(
        default=None, max_length=calendars.MAX_HOLIDAYS, description="replaces the list"
    )
    extra_workdays: list[ExtraWorkdayIn] | None = Field(
        default=None, max_length=calendars.MAX_EXTRA_WORKDAYS, description="replaces the list"
    )

    _not_null = field_validator("name", "description", "workdays", "holidays", "extra_workdays")(
        refuse_null
    )


class HolidayOut(BaseModel):
    date: date
    name: str


class ExtraWorkdayOut(BaseModel):
    date: date
    name: str


class CalendarOut(BaseModel):
    id: int
    name: str
    description: str
    workdays: list[str]
    holidays: list[HolidayOut]
    extra_workdays: list[ExtraWorkdayOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: Calendar) -> CalendarOut:
        return cls(
            id=c.id,
            name=c.name,
            description=c.description,
            workdays=calendars.workdays_of(c.weekmask),
            holidays=[HolidayOut(date=h.date, name=h.name) for h in calendars.holidays_of(c)],
            extra_workdays=[
                ExtraWorkdayOut(date=e.date, name=e.name) for e in calendars.extra_workdays_of(c)
            ],
            version=c.version,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


def _service_fields(body: CalendarCreate | CalendarUpdate, *, partial: bool) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=partial, exclude={"holidays", "extra_workdays"})
    # None: left out of a change (an explicit null is refused)
    if body.holidays is not None:
        fields["holidays"] = [Holiday(date=h.date, name=h.name) for h in body.holidays]
    if body.extra_workdays is not None:
        fields["extra_workdays"] = [
            ExtraWorkday(date=e.date, name=e.name) for e in body.extra_workdays
        ]
    return fields


@router.get("", response_model=PageOut[CalendarOut], summary="List calendars (everyone signed in)")
def list_calendars(db: Db, actor: CurrentActor, page: Page) -> PageOut[CalendarOut]:
    items, total = calendars.list_calendars(db, actor, limit=page.limit, offset=page.offset)
    return PageOut(
        items=[CalendarOut.of(c) for c in items], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "",
    response_model=CalendarOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a calendar (admins, program managers and owners)",
)
def create_calendar(
    body: CalendarCreate, db: Db, actor: CurrentActor, response: Response
) -> CalendarOut:
    calendar = calendars.create_calendar(db, actor, **_service_fields(body, partial=False))
    commit(db)
    set_etag(response, calendar.version)
    return CalendarOut.of(calendar)


@router.get("/{calendar_id}", response_model=CalendarOut)
def get_calendar(
    calendar_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> CalendarOut:
    calendar = calendars.get_calendar(db, actor, calendar_id)
    set_etag(response, calendar.version)
    return CalendarOut.of(calendar)


@router.patch(
    "/{calendar_id}",
    response_model=CalendarOut,
    summary="Change a calendar (admins, program managers and owners)",
)
def update_calendar(
    calendar_id: PathId,
    body: CalendarUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> CalendarOut:
    calendar = calendars.update_calendar(
        db, actor, calendar_id, _service_fields(body, partial=True), expected_version=version
    )
    commit(db)
    set_etag(response, calendar.version)
    return CalendarOut.of(calendar)


@router.delete(
    "/{calendar_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a calendar nothing uses (admins, program managers and owners)",
)
def delete_calendar(
    calendar_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    calendars.delete_calendar(db, actor, calendar_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class HolidayImportOut(BaseModel):
    calendar: CalendarOut
    added: int = Field(description="holidays new to the calendar")
    already: int = Field(description="days of the file the calendar already had")
    notes: list[str] = Field(description="what the file had that is not a holiday")


@router.post(
    "/{calendar_id}/holidays/import",
    response_model=HolidayImportOut,
    summary="Add the all-day events of an iCalendar file as holidays (editors)",
)
async def import_holidays(
    calendar_id: PathId,
    file: Annotated[UploadFile, File(description="an iCalendar (.ics) file of holidays")],
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> HolidayImportOut:
    data = await read_upload(file, limit=MAX_FILE_BYTES, what="a holiday import")
    # expanding a file's recurring events is CPU work: off the event loop, so that the
    # other requests are answered meanwhile
    added, notes = await run_in_threadpool(
        calendars.import_holiday_file, db, actor, calendar_id, data, expected_version=version
    )
    commit(db)
    set_etag(response, added.calendar.version)
    return HolidayImportOut(
        calendar=CalendarOut.of(added.calendar),
        added=added.added,
        already=added.already,
        notes=notes,
    )
