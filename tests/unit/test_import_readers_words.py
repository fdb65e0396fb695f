"""Primavera P6 XER and Microsoft Project XML files with values no tool writes: each
problem listed once, at its place, in words (never Python's: no "invalid literal", "day is
out of range for month", "bad month number" nor a crash)."""

from __future__ import annotations

import re

import pytest

from podium.interop.mspdi import read_mspdi
from podium.interop.xer import read_xer
from podium.services.import_readers import read_file
from tests.unit.test_xer import WEEK, sample, xer

PYTHON_WORDS = re.compile(
    r"invalid literal|out of range for month|bad month number|must be 1-12|Exceeds the limit|"
    r"syntax error|field limit|index out of range|Error\b",
)


@pytest.mark.parametrize(
    ("row", "field", "value", "message"),
    [
        (1, "target_drtn_hr_cnt", "forty", "target_drtn_hr_cnt 'forty' is not a number"),
        (
            2,
            "act_start_date",
            "2025-13-45 08:00",
            "act_start_date '2025-13-45 08:00' is not a date (YYYY-MM-DD)",
        ),
        (2, "target_start_date", "soon", "target_start_date 'soon' is not a date (YYYY-MM-DD)"),
        (
            1,
            "target_drtn_hr_cnt",
            "9" * 400,
            f"target_drtn_hr_cnt '{'9' * 40}'… has too many digits to be read",
        ),
    ],
    ids=["hours", "actual-start", "planned-start", "digits"],
)
def test_an_xer_value_read_twice_is_listed_once(
    row: int, field: str, value: str, message: str
) -> None:
    tables = sample()
    tables["TASK"][row][field] = value
    problems = read_xer(xer(tables)).problems
    assert [p.message for p in problems] == [message]
    assert problems[0].location.startswith(f"TASK row {row + 1} (task_code ")


def test_xer_calendar_data_nested_past_any_calendar_is_a_problem_of_its_calendar() -> None:
    tables = sample()
    tables["CALENDAR"][0]["clndr_data"] = "(0||a()(" * 5000 + WEEK
    problems = read_xer(xer(tables)).problems
    assert [(p.location.split(",")[0], p.message.split(" at ")[0]) for p in problems] == [
        ("CALENDAR row 1 (clndr_name Standard", "clndr_data: nested more than 20 levels deep")
    ]


def _calendar_file(inner: str) -> bytes:
    return f"""<?xml version="1.0"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Title>Cal</Title><StartDate>2027-01-04T08:00:00</StartDate>
  <FinishDate>2027-01-05T17:00:00</FinishDate><CalendarUID>1</CalendarUID>
  <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
    {inner}
  </Calendar></Calendars>
</Project>""".encode()


def _exception(kind: int | str, extra: str = "", *, start: str = "2027-01-04") -> str:
    return (
        f"<Exceptions><Exception><TimePeriod><FromDate>{start}T00:00:00</FromDate>"
        "<ToDate>2027-12-31T23:59:00</ToDate></TimePeriod>"
        f"<Name>Rule</Name><Type>{kind}</Type>{extra}<DayWorking>0</DayWorking>"
        "</Exception></Exceptions>"
    )


def _week_day(day_type: str, extra: str = "") -> str:
    return (
        f"<WeekDays><WeekDay><DayType>{day_type}</DayType><DayWorking>1</DayWorking>{extra}"
        "</WeekDay></WeekDays>"
    )


def _times(start: str, finish: str = "17:00:00") -> str:
    return (
        f"<WorkingTimes><WorkingTime><FromTime>{start}</FromTime><ToTime>{finish}</ToTime>"
        "</WorkingTime></WorkingTimes>"
    )


EXCEPTION = "line 5, Calendar UID 1, exception 1 ('Rule')"
MONDAY = "line 5, Calendar UID 1, WeekDay 1 (Monday)"


@pytest.mark.parametrize(
    ("inner", "location", "message"),
    [
        (
            _exception(2, "<Month>12</Month><MonthDay>1</MonthDay>"),
            EXCEPTION,
            "Month 12 is not a month (0 = January … 11 = December)",
        ),
        (
            _exception(2, "<Month>1</Month><MonthDay>0</MonthDay>"),
            EXCEPTION,
            "MonthDay 0 is not a day of a month (1 to 31)",
        ),
        (
            _exception(4, "<MonthDay>-3</MonthDay>"),
            EXCEPTION,
            "MonthDay -3 is not a day of a month (1 to 31)",
        ),
        (
            _exception(5, "<MonthPosition>-9</MonthPosition><MonthItem>3</MonthItem>"),
            EXCEPTION,
            "MonthPosition -9 is not a week of a month (0 = first … 4 = last)",
        ),
        (
            _exception(
                3, "<Month>1</Month><MonthPosition>1</MonthPosition><MonthItem>12</MonthItem>"
            ),
            EXCEPTION,
            "MonthItem 12 is not a kind of day (0 = day … 3 = Sunday … 9 = Saturday)",
        ),
        (_exception(99), EXCEPTION, "Type 99 is not an exception type (1 to 7)"),
        (
            _exception(1, start="2027-02-30"),
            EXCEPTION,
            "TimePeriod FromDate '2027-02-30T00:00:00' is not a date (2027-01-04T00:00:00)",
        ),
        (
            _exception(1, _times("xx")),
            EXCEPTION,
            "WorkingTime 1: FromTime 'xx' is not a time of day (08:00:00)",
        ),
        (
            _week_day("9"),
            "line 5, Calendar UID 1, WeekDay 1",
            "DayType 9 is not a day (1 = Sunday … 7 = Saturday, or 0 for an exception)",
        ),
        (
            _week_day("2", _times("25:00:00")),
            MONDAY,
            "WorkingTime 1: FromTime '25:00:00' is not a time of day (08:00:00)",
        ),
        (
            _week_day("2", _times("08:00:00", "noon")),
            MONDAY,
            "WorkingTime 1: ToTime 'noon' is not a time of day (08:00:00)",
        ),
        (
            _week_day(
                "0",
                "<TimePeriod><FromDate>2027-01-01T00:00:00</FromDate>"
                "<ToDate>2027-01-32T00:00:00</ToDate></TimePeriod>",
            ),
            "line 5, Calendar UID 1, WeekDay 1 (an exception)",
            "TimePeriod ToDate '2027-01-32T00:00:00' is not a date (2027-01-04T00:00:00)",
        ),
    ],
    ids=[
        "month",
        "yearly-day-0",
        "monthly-day-negative",
        "position",
        "item",
        "type",
        "from-date",
        "exception-time",
        "day-type",
        "from-time",
        "to-time",
        "legacy-to-date",
    ],
)
def test_a_calendar_value_no_tool_writes_is_located_and_said_in_words(
    inner: str, location: str, message: str
) -> None:
    (problem,) = read_file(_calendar_file(inner), filename="plan.xml").problems
    assert (problem.location, problem.message) == (location, message)
    assert not PYTHON_WORDS.search(problem.message)


def test_a_working_time_ending_at_midnight_written_as_24_is_read() -> None:
    imported = read_mspdi(_calendar_file(_week_day("2", _times("08:00:00", "24:00:00"))))
    assert imported.ok, imported.problems


def test_a_task_uid_of_thousands_of_digits_is_a_problem_of_its_task() -> None:
    task = (
        "<Tasks><Task><UID>" + "9" * 5000 + "</UID><Name>Big</Name><OutlineLevel>1</OutlineLevel>"
        "<Duration>PT8H0M0S</Duration></Task></Tasks>"
    )
    data = _calendar_file("").replace(b"</Project>", task.encode() + b"</Project>")
    (problem,) = read_file(data, filename="plan.xml").problems
    assert problem.location.startswith(f"line 8, Task UID {'9' * 39}… (Big)")
    assert (
        problem.message == f"UID {'9' * 40}… has 5,000 digits; Microsoft Project writes at most 10"
    )


@pytest.mark.parametrize(
    "data",
    [b"ID,Name\n1,Dig\n", b'{"format": "podium-plan"}', b"ERMHDR\t19.12\n%E\n"],
    ids=["csv", "json", "xer"],
)
def test_a_file_of_another_format_read_as_project_xml_says_it_is_no_xml(data: bytes) -> None:
    (problem,) = read_file(data, filename="plan.xml", format="mspdi").problems
    assert (problem.location, problem.message) == (
        "line 1",
        "not XML: the file does not start with a tag such as <?xml …?> or <Project>",
    )


def test_an_xer_saved_as_utf16_reads_as_the_same_plan() -> None:
    data = xer(sample())
    again = b"\xff\xfe" + data.decode("cp1252").encode("utf-16-le")
    imported = read_file(again, filename="plan.xer")
    assert imported.format == "xer" and imported.ok, imported.problems
    assert imported.document == read_xer(data).document


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\xff\xfe", b" \r\n"])
@pytest.mark.parametrize("chosen", ["mspdi", "xer", "podium-plan", "csv"])
def test_an_empty_file_says_it_is_empty_whatever_format_is_chosen(data: bytes, chosen: str) -> None:
    (problem,) = read_file(data, filename="upload.dat", format=chosen).problems
    assert problem.message.startswith("the file is empty")
