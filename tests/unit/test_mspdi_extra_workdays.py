"""Extra working days in Microsoft Project XML: working exceptions read and written."""

from __future__ import annotations

import re
from typing import Any

from podium.interop.mspdi import read_mspdi, write_mspdi
from podium.interop.mspdi._xml import Q, parse, text
from podium.interop.plan_format import read_plan

EXTRA = [
    {"date": "2027-06-05", "name": "Cutover"},
    {"date": "2027-06-06", "name": "Cutover"},
    "2027-06-12",
    {"date": "2027-06-19", "name": "Stocktake"},
]
HOLIDAYS = [{"date": "2027-05-31", "name": "Spring bank holiday"}, "2027-06-10"]


def document(
    extra: list[Any] | None = None, holidays: list[Any] | None = None, *, summary: bool = False
) -> dict[str, Any]:
    """A task A of 5 days from Tuesday 1 June 2027 (under a summary S when ``summary``),
    then B of 2 days, on a Mon-Fri calendar."""
    tasks: list[dict[str, Any]] = [
        {"id": "P-1", "project": "P", "name": "A", "duration": 5},
        {"id": "P-2", "project": "P", "name": "B", "duration": 2},
    ]
    if summary:
        tasks = [{"id": "P-9", "project": "P", "name": "S", "duration": 0}] + [
            {**t, "parent": "P-9"} for t in tasks
        ]
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "CUT", "name": "Cutover", "start": "2027-06-01", "calendar": "office"},
        "calendars": [
            {
                "name": "office",
                "holidays": holidays if holidays is not None else [],
                "extra_workdays": extra if extra is not None else [],
            }
        ],
        "projects": [{"key": "P", "name": "P"}],
        "tasks": tasks,
        "dependencies": [{"from": "P-1", "to": "P-2"}],
    }


def exceptions(written: bytes) -> list[tuple[str | None, str | None, str | None, str | None]]:
    root, _ = parse(written)
    return [
        (
            text(e, f"TimePeriod/{Q}FromDate"),
            text(e, f"TimePeriod/{Q}ToDate"),
            text(e, "Name"),
            text(e, "DayWorking"),
        )
        for e in root.findall(f"{Q}Calendars/{Q}Calendar/{Q}Exceptions/{Q}Exception")
    ]


def test_extra_working_days_written_and_read_back_are_the_same_calendar() -> None:
    written = write_mspdi(document(EXTRA, HOLIDAYS))
    again = read_mspdi(written)
    assert again.ok, again.problems
    (calendar,) = again.document["calendars"]
    assert calendar["extra_workdays"] == EXTRA
    assert calendar["holidays"] == HOLIDAYS
    original = read_plan(document(EXTRA, HOLIDAYS)).calendars[0]
    assert read_plan(again.document).calendars[0] == original
    assert not any("not carried" in n for n in again.notes)


def test_extra_working_days_are_working_exceptions_with_the_usual_hours() -> None:
    written = write_mspdi(document(EXTRA, HOLIDAYS))
    # by date, one exception per run of days of one name; holidays not worked
    assert exceptions(written) == [
        ("2027-05-31T00:00:00", "2027-05-31T23:59:00", "Spring bank holiday", "0"),
        ("2027-06-05T00:00:00", "2027-06-06T23:59:00", "Cutover", "1"),
        ("2027-06-10T00:00:00", "2027-06-10T23:59:00", None, "0"),
        ("2027-06-12T00:00:00", "2027-06-12T23:59:00", None, "1"),
        ("2027-06-19T00:00:00", "2027-06-19T23:59:00", "Stocktake", "1"),
    ]
    root, _ = parse(written)
    for exception in root.iter(Q + "Exception"):
        times = [
            (text(t, "FromTime"), text(t, "ToTime"))
            for t in exception.findall(f"{Q}WorkingTimes/{Q}WorkingTime")
        ]
        working = text(exception, "DayWorking") == "1"
        assert times == ([("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")] if working else [])
        # Microsoft's schema: WorkingTimes comes after DayWorking
        tags = [child.tag.removeprefix(Q) for child in exception]
        assert tags[-1] == ("WorkingTimes" if working else "DayWorking")


def test_the_pre_2007_form_alone_gives_the_same_extra_working_days() -> None:
    written = write_mspdi(document(EXTRA, HOLIDAYS)).decode()
    legacy = re.sub(r"<Exceptions>.*</Exceptions>", "", written, flags=re.DOTALL)
    assert "<Exceptions>" not in legacy and "<DayType>0</DayType>" in legacy
    again = read_mspdi(legacy.encode())
    assert again.ok, again.problems
    (calendar,) = again.document["calendars"]
    # the older form has no names
    assert calendar["extra_workdays"] == ["2027-06-05", "2027-06-06", "2027-06-12", "2027-06-19"]
    assert calendar["holidays"] == ["2027-05-31", "2027-06-10"]


def test_the_written_dates_work_the_extra_saturday() -> None:
    # A: Tue 1 - Sat 5 June (the Saturday worked); B: Mon 7 - Tue 8
    assert _file_dates(document(["2027-06-05"])) == {
        "A": ("2027-06-01", "2027-06-05"),
        "B": ("2027-06-07", "2027-06-08"),
    }
    # without it: A Tue 1 - Mon 7, B Tue 8 - Wed 9
    assert _file_dates(document()) == {
        "A": ("2027-06-01", "2027-06-07"),
        "B": ("2027-06-08", "2027-06-09"),
    }


def _file_dates(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    again = read_mspdi(write_mspdi(data))
    assert again.ok, again.problems
    names = {t["id"]: t["name"] for t in again.document["tasks"]}
    return {names[k]: (str(v.start), str(v.finish)) for k, v in again.file_dates.items()}


def _summary_duration(data: dict[str, Any]) -> str | None:
    root, _ = parse(write_mspdi(data))
    (summary,) = [t for t in root.iter(Q + "Task") if text(t, "Name") == "S"]
    return text(summary, "Duration")


def test_a_summary_duration_counts_the_calendars_holidays_and_extra_days() -> None:
    # A Tue 1 - Sat 5 June, B Mon 7 - Tue 8: 7 working days, the Saturday one of them
    assert _summary_duration(document(["2027-06-05"], summary=True)) == "PT56H0M0S"
    # a holiday on Thursday 3 June: A Tue 1 - Mon 7, B Tue 8 - Wed 9: 7 working days
    assert _summary_duration(document(holidays=["2027-06-03"], summary=True)) == "PT56H0M0S"
    assert _summary_duration(document(summary=True)) == "PT56H0M0S"


def _calendars_file(calendars: str) -> bytes:
    return f"""<?xml version="1.0"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Title>Shifts</Title><StartDate>2027-06-01T08:00:00</StartDate>
  <FinishDate>2027-06-30T17:00:00</FinishDate><CalendarUID>1</CalendarUID>
  <Calendars>{calendars}</Calendars>
</Project>""".encode()


def _exception(day: str, *, working: bool, name: str = "", last: str | None = None) -> str:
    hours = (
        "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime>"
        "</WorkingTime></WorkingTimes>"
        if working
        else ""
    )
    return (
        f"<Exception><TimePeriod><FromDate>{day}T00:00:00</FromDate>"
        f"<ToDate>{last or day}T23:59:00</ToDate></TimePeriod>"
        f"{f'<Name>{name}</Name>' if name else ''}<Type>1</Type>"
        f"<DayWorking>{int(working)}</DayWorking>{hours}</Exception>"
    )


def _calendar(uid: int, name: str, exceptions: list[str], base: int | None = None) -> str:
    derived = f"<IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>{base}</BaseCalendarUID>"
    return (
        f"<Calendar><UID>{uid}</UID><Name>{name}</Name>"
        + (derived if base else "<IsBaseCalendar>1</IsBaseCalendar>")
        + f"<Exceptions>{''.join(exceptions)}</Exceptions></Calendar>"
    )


def test_working_exceptions_on_days_off_are_extra_days_and_on_working_days_a_note() -> None:
    base = _calendar(
        1,
        "Standard",
        [
            _exception("2027-06-05", working=True, name="Cutover"),  # a Saturday
            _exception("2027-06-09", working=True, name="Short day"),  # a Wednesday
            _exception("2027-06-12", working=True),  # a Saturday, also not worked below
            _exception("2027-06-12", working=False, name="Closed"),
            _exception("2027-06-14", working=False, name="Closed"),  # a Monday
        ],
    )
    imported = read_mspdi(_calendars_file(base))
    assert imported.ok, imported.problems
    (calendar,) = imported.document["calendars"]
    # a day both worked and not by exceptions of one calendar is not worked
    assert calendar["extra_workdays"] == [{"date": "2027-06-05", "name": "Cutover"}]
    assert calendar["holidays"] == [{"date": "2027-06-14", "name": "Closed"}]
    (note,) = [n for n in imported.notes if "not carried" in n]
    assert note == (
        "calendar 'Standard': 1 working exception day(s) on weekdays worked anyway "
        "(first 2027-06-09) change only the working hours, which are not carried over"
    )


def test_a_derived_calendar_takes_its_bases_extra_days_unless_it_is_off_then() -> None:
    base = _calendar(
        1,
        "Standard",
        [
            _exception("2027-06-05", working=True, name="Cutover", last="2027-06-06"),
            _exception("2027-06-14", working=False, name="Closed"),
        ],
    )
    night = _calendar(
        2,
        "Night",
        [
            _exception("2027-06-06", working=False, name="Rest"),  # the base works it
            _exception("2027-06-14", working=True),  # the base is closed
            _exception("2027-06-19", working=True, name="Own"),
        ],
        base=1,
    )
    imported = read_mspdi(_calendars_file(base + night))
    assert imported.ok, imported.problems
    calendars = {c["name"]: c for c in imported.document["calendars"]}
    assert calendars["Standard"]["extra_workdays"] == [
        {"date": "2027-06-05", "name": "Cutover"},
        {"date": "2027-06-06", "name": "Cutover"},
    ]
    assert calendars["Night"]["extra_workdays"] == [
        {"date": "2027-06-05", "name": "Cutover"},
        {"date": "2027-06-19", "name": "Own"},
    ]
    # working again on the base's closed Monday is carried: it is not a holiday, no note
    assert calendars["Night"]["holidays"] == []
    assert not any("not carried" in n for n in imported.notes)
    read_plan(imported.document)


def test_too_many_extra_working_days_keep_those_near_the_plan_with_a_note() -> None:
    every_day = (
        "<Exception><TimePeriod><FromDate>1990-01-01T00:00:00</FromDate>"
        "<ToDate>2040-12-31T23:59:00</ToDate></TimePeriod><Name>Always</Name>"
        "<Type>1</Type><DayWorking>1</DayWorking></Exception>"
    )
    calendar = (
        "<Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>"
        f"<Exceptions>{every_day}</Exceptions></Calendar>"
    )
    imported = read_mspdi(_calendars_file(calendar))
    assert imported.ok, imported.problems
    (standard,) = read_plan(imported.document).calendars
    days = [e.date for e in standard.extra_workdays]
    assert all(d.weekday() >= 5 for d in days)
    # a year (366 days) before the plan's start to two years (731 days) after its finish
    assert (str(days[0]), str(days[-1])) == ("2026-05-31", "2029-06-30")
    (note,) = [n for n in imported.notes if "extra working days are more than 5000" in n]
    assert "only those from 2026-05-31 to 2029-06-30 are kept" in note
