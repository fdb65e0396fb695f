"""A Microsoft Project XML file that is not well-formed, or holds values Podium cannot
read: the problem says why, in words, and where; what a safe reading leaves out is noted."""

from __future__ import annotations

import pytest

from podium.interop.mspdi import read_mspdi
from podium.interop.plan_format import PlanError, read_plan

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="http://schemas.microsoft.com/project">'


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (HEAD + b"<Name>Office mo</Na", "the file ends inside a tag (cut short?)"),
        (HEAD + b"<Name>Office move</Name>", "the file ends too soon (cut short?)"),
        (
            HEAD + "<Name>Tomás</Name></Project>".encode("latin-1"),
            "a character that cannot be read (a file not in the encoding its first line names?)",
        ),
        (
            HEAD + b"<Name>Office</Nam></Project>",
            "a closing tag that does not match its opening tag",
        ),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(data: bytes, why: str) -> None:
    problems = read_mspdi(data).problems
    assert len(problems) == 1
    assert problems[0].location == "line 2"
    assert problems[0].message.startswith("not well-formed XML (column ")
    assert problems[0].message.endswith(f"): {why}")


def _file(*tasks: str, calendar: str = "") -> bytes:
    """A small MSPDI file: a standard calendar (UID 1) and these ``<Task>`` bodies."""
    calendars = f"<Calendars><Calendar><UID>1</UID><Name>Standard</Name>{calendar}</Calendar>"
    body = "".join(f"<Task>{t}</Task>" for t in tasks)
    return (
        HEAD + b"<Title>Small</Title><StartDate>2027-01-04T08:00:00</StartDate>"
        b"<CalendarUID>1</CalendarUID>"
        + (calendars + "</Calendars>").encode()
        + f"<Tasks>{body}</Tasks></Project>".encode()
    )


def _task(uid: int, extra: str = "", *, name: str = "") -> str:
    return (
        f"<UID>{uid}</UID><Name>{name or f'T{uid}'}</Name><OutlineLevel>1</OutlineLevel>"
        f"<Duration>PT16H0M0S</Duration>{extra}"
    )


LINK = "<PredecessorLink><PredecessorUID>1</PredecessorUID>{}</PredecessorLink>"


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (_task(2, LINK.format("<Type>7</Type>")), "PredecessorLink Type 7 is not a link type"),
        (_task(2, LINK.format("<LagFormat>99</LagFormat>")), "LagFormat 99 is not a duration"),
        (_task(2, "<DurationFormat>x</DurationFormat>"), "DurationFormat 'x' is not a duration"),
        (_task(2, "<ConstraintType>9</ConstraintType>"), "ConstraintType 9 is not a constraint"),
        (_task(2, "<PercentComplete>250</PercentComplete>"), "PercentComplete 250 is not between"),
        (
            _task(2).replace("<OutlineLevel>1", "<OutlineLevel>99"),
            "OutlineLevel 99 with no task of level 98 above it",
        ),
        (
            _task(2).replace("PT16H0M0S", "-PT80H0M0S"),
            "Duration '-PT80H0M0S' is negative",
        ),
        (
            _task(2, LINK.format("<LinkLag>nan</LinkLag>")),
            "LinkLag 'nan' is not a number (the link from Task UID 1)",
        ),
        (_task(2, "<ActualCost>inf</ActualCost>"), "ActualCost 'inf' is not a number"),
        (
            _task(2, "<Baseline><Start>2027-01-04T08:00:00</Start><Cost>nan</Cost></Baseline>"),
            "Baseline Cost 'nan' is not a number",
        ),
    ],
    ids=[
        "link-type",
        "lag-format",
        "duration-format",
        "constraint",
        "percent",
        "outline",
        "dur",
        "lag-nan",
        "actual-cost",
        "baseline-cost",
    ],
)
def test_a_value_microsoft_project_does_not_write_refuses_the_file_at_its_task(
    second: str, message: str
) -> None:
    imported = read_mspdi(_file(_task(1), second, _task(3, LINK.format(""))))
    (problem,) = imported.problems  # the link to task 2 from task 3 is not another problem
    assert problem.location == "line 2, Task UID 2 (T2)"
    assert problem.message.startswith(message)
    assert not imported.document


def test_what_a_safe_reading_leaves_out_is_in_the_imports_notes() -> None:
    imported = read_mspdi(
        _file(
            _task(1, "<CalendarUID>777</CalendarUID>"),
            _task(2, "<CalendarUID>777</CalendarUID><ConstraintType>4</ConstraintType>"),
            _task(3, "<ConstraintType>1</ConstraintType><Manual>1</Manual>"),
            _task(4, "<Manual>1</Manual><Active>0</Active>"),
            _task(5, "<LevelingDelay>4800</LevelingDelay>"),
        )
    )
    assert imported.ok, imported.problems
    assert imported.notes[1:] == [
        "line 2, Task UID 2 (T2): snet constraint without a date in the file: left out",
        "calendar UID 777 (2 tasks, first line 2, Task UID 1 (T1)) is not in the file: "
        "the program's calendar is used",
        # said once per kind, whether or not Podium's dates come out as the file's
        "line 2, Task UID 3 (T3): as late as possible is not supported: "
        "scheduled as soon as possible",
        "2 tasks, first line 2, Task UID 3 (T3): manual task in the file "
        "(Podium schedules it automatically)",
        "line 2, Task UID 4 (T4): inactive task in the file (imported as an active task)",
        "line 2, Task UID 5 (T5): leveling delay in the file (not carried over)",
    ]
    assert all("calendar" not in t and "constraint" not in t for t in imported.document["tasks"])
    # and beside the task, the reason its dates may differ
    assert imported.file_dates["SMALL-3"].note == (
        "as late as possible is not supported: scheduled as soon as possible; "
        "manual task in the file (Podium schedules it automatically)"
    )


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("nan", "MinutesPerDay 'nan' is not a number"),
        ("-480", "MinutesPerDay -480 is not a number of minutes from 0 to 1440 (a day's)"),
        ("2000", "MinutesPerDay 2000 is not a number of minutes from 0 to 1440 (a day's)"),
    ],
)
def test_minutes_per_day_that_no_day_has_refuse_the_file(minutes: str, message: str) -> None:
    # (NaN made every task a milestone: a duration over NaN minutes a day is no number)
    data = _file(_task(1)).replace(
        b"<CalendarUID>", f"<MinutesPerDay>{minutes}</MinutesPerDay><CalendarUID>".encode(), 1
    )
    imported = read_mspdi(data)
    assert [(p.location, p.message) for p in imported.problems] == [
        ("Project/MinutesPerDay", message)
    ]


@pytest.mark.parametrize("uid", ["-5", "x", "1.5"])
def test_a_task_uid_that_is_no_whole_number_of_0_or_more_is_refused(uid: str) -> None:
    imported = read_mspdi(_file(_task(1), f"<UID>{uid}</UID><Name>Odd</Name>"))
    assert [(p.location, p.message) for p in imported.problems] == [
        (f"line 2, Task UID {uid} (Odd)", f"UID {uid!r} is not a whole number of 0 or more")
    ]


def test_costs_come_in_hundredths_and_above_what_the_api_takes_are_refused() -> None:
    baseline = "<Baseline><Number>0</Number><Start>2027-01-04T08:00:00</Start>{}</Baseline>"
    imported = read_mspdi(
        _file(
            _task(1, "<ActualCost>2070000</ActualCost>" + baseline.format("<Cost>5000050</Cost>")),
            _task(2, "<ActualCost>1e300</ActualCost>"),
            _task(3, baseline.format("<Cost>1e300</Cost>")),
        )
    )
    assert imported.ok, imported.problems
    tasks = imported.document["tasks"]
    assert (tasks[0]["actual_cost"], tasks[0]["budget"]) == (20700.0, 50000.5)
    with pytest.raises(PlanError) as refused:
        read_plan(imported.document)
    above = "Input should be less than or equal to 1000000000000"
    assert imported.locate(refused.value.problems) == [
        {"location": "line 2, Task UID 2 (T2) (actual_cost)", "message": above,
         "path": "tasks[1].actual_cost"},
        {"location": "line 2, Task UID 3 (T3) (budget)", "message": above,
         "path": "tasks[2].budget"},
    ]  # fmt: skip


def test_a_finish_at_the_start_of_a_working_day_ends_the_working_day_before() -> None:
    # work starts at 09:00 (the calendar's first working time): Tuesday 09:00 is the end of
    # Monday, Monday 00:00 the end of Friday; a milestone at 09:00 is on its day
    week = "".join(
        f"<WeekDay><DayType>{d}</DayType><DayWorking>1</DayWorking><WorkingTimes>"
        "<WorkingTime><FromTime>09:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>"
        "</WorkingTimes></WeekDay>"
        for d in range(2, 7)
    )
    tue, mon = "2027-01-12T09:00:00", "2027-01-11T00:00:00"
    imported = read_mspdi(
        _file(
            _task(1, f"<Start>2027-01-08T09:00:00</Start><Finish>{tue}</Finish>"),
            _task(2, f"<Start>2027-01-07T09:00:00</Start><Finish>{mon}</Finish>"),
            _task(3, "<Start>2027-01-11T09:00:00</Start><Finish>2027-01-12T09:30:00</Finish>"),
            f"<UID>4</UID><Name>M</Name><OutlineLevel>1</OutlineLevel><Duration>PT0H0M0S"
            f"</Duration><Start>{tue}</Start><Finish>{tue}</Finish>",
            _task(
                5,
                f"<Start>2027-01-07T09:00:00</Start><Finish>{tue}</Finish>"
                f"<ActualStart>2027-01-07T09:00:00</ActualStart><ActualFinish>{tue}</ActualFinish>"
                "<ConstraintType>3</ConstraintType>"
                f"<ConstraintDate>{tue}</ConstraintDate><Deadline>{tue}</Deadline>"
                "<Baseline><Number>0</Number><Start>2027-01-07T09:00:00</Start>"
                f"<Finish>{mon}</Finish><Duration>PT16H0M0S</Duration></Baseline>",
            ),
            _task(6, f"<Start>{tue}</Start><Finish>{tue}</Finish>"),  # not before its start
            calendar=f"<WeekDays>{week}</WeekDays>",
        )
    )
    assert imported.ok, imported.problems
    finishes = {k: str(v.finish) for k, v in imported.file_dates.items()}
    assert finishes == {
        "SMALL-1": "2027-01-11",
        "SMALL-2": "2027-01-08",
        "SMALL-3": "2027-01-12",
        "SMALL-4": "2027-01-12",
        "SMALL-5": "2027-01-11",
        "SMALL-6": "2027-01-12",
    }
    fifth = imported.document["tasks"][4]
    assert (fifth["actual_finish"], fifth["deadline"]) == ("2027-01-11", "2027-01-11")
    assert fifth["constraint"] == {"type": "mfo", "date": "2027-01-11"}
    assert str(imported.baseline["SMALL-5"].finish) == "2027-01-08"


def test_a_name_longer_than_podium_keeps_is_refused_not_cut() -> None:
    imported = read_mspdi(_file(_task(1, name="N" * 301)))
    assert imported.document["tasks"][0]["name"] == "N" * 301
    with pytest.raises(PlanError) as refused:
        read_plan(imported.document)
    (problem,) = imported.locate(refused.value.problems)
    assert problem["location"] == f"line 2, Task UID 1 ({'N' * 59}…) (name)"
    assert problem["message"] == "String should have at most 300 characters"


def test_an_exception_name_longer_than_podium_keeps_refuses_its_calendar() -> None:
    exception = (
        "<Exceptions><Exception><TimePeriod><FromDate>2027-01-05T00:00:00</FromDate>"
        "<ToDate>2027-01-05T23:59:00</ToDate></TimePeriod><Name>"
        + "H" * 201
        + "</Name><DayWorking>0</DayWorking></Exception></Exceptions>"
    )
    (problem,) = read_mspdi(_file(_task(1), calendar=exception)).problems
    assert problem.location == "line 2, Calendar UID 1"
    assert (
        problem.message == "the name of exception 1 has 201 characters (Podium keeps at most 200)"
    )
