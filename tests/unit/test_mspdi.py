"""Reading Microsoft Project XML (MSPDI): the real files, malicious XML, broken files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest

from podium.interop.mspdi import read_mspdi
from podium.interop.mspdi._xml import Q, parse, text
from podium.interop.mspdi.calendars import (
    MAX_FILE_STEPS,
    ExpansionBudget,
    _legacy_exception_days,
    exception_days,
)
from podium.interop.plan_format import plan_to_json, read_plan
from podium.services.import_readers import read_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
pytestmark = pytest.mark.skipif(not DATA.exists(), reason="the shared project files are not here")

# file: tasks (without the project summary and null rows), links, calendars, resources
# (without the UID 0 placeholder, named or not), assignments with a real resource
EXPECTED = {
    "mpxj_legacy_sample.xml": (19, 6, 4, 2, 2),
    "mpxj_mspdirelations.xml": (5, 4, 1, 0, 0),
    "mpxj_task-links-project2003-mspdi.xml": (16, 8, 1, 0, 0),
    "mpxj_calendar-calendars-project2002-mspdi.xml": (0, 0, 5, 2, 0),
    "mpxj_calendar-recurring-exceptions-project2016-mspdi.xml": (0, 0, 1, 0, 0),
    "mpxj_mspdiresource.xml": (3, 1, 6, 4, 5),
    "mpxj_task-durations-project2007-mspdi.xml": (110, 0, 1, 0, 0),
    "mpxj_mspdinulltasks.xml": (5, 0, 1, 0, 0),
    "mpxj_mspdisplittask.xml": (2, 0, 1, 0, 0),
    "ganttproject_holidays.xml": (1, 0, 3, 0, 0),  # its one resource is the UID 0 "Unassigned"
    "ganttproject_issue1520.xml": (0, 0, 1, 0, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_real_file_reads_into_a_valid_plan(name: str) -> None:
    imported = read_mspdi((DATA / name).read_bytes())
    assert imported.ok, imported.problems
    plan = read_plan(imported.document)
    counts = (
        len(plan.tasks),
        len(plan.dependencies),
        len(plan.calendars),
        len(plan.resources),
        len(plan.assignments),
    )
    assert counts == EXPECTED[name]
    assert set(imported.file_dates) == {t.id for t in plan.tasks}


def test_links_of_all_four_types_with_lags_in_days_and_weeks() -> None:
    plan = read_plan(
        read_mspdi((DATA / "mpxj_task-links-project2003-mspdi.xml").read_bytes()).document
    )
    assert {d.type for d in plan.dependencies} == {"FS", "SS", "FF", "SF"}
    assert sorted(d.lag for d in plan.dependencies) == [0, 1, 2, 2, 2, 2, 5, 10]


def test_the_legacy_sample_keeps_outline_milestone_constraints_and_negative_lag() -> None:
    imported = read_mspdi((DATA / "mpxj_legacy_sample.xml").read_bytes())
    plan = read_plan(imported.document)
    assert plan.program.key == "SAMPLE" and plan.program.calendar == "Standard"
    assert sum(1 for t in plan.tasks if t.parent) > 0
    assert sum(1 for t in plan.tasks if t.constraint and t.constraint.type == "snet") == 4
    assert any(d.lag == -1 for d in plan.dependencies)
    assert (
        sum(1 for t in plan.tasks if t.duration == 0 and t.id not in {x.parent for x in plan.tasks})
        >= 1
    )
    resources = {r.name: r for r in plan.resources}
    assert resources["First Resource"].cost_rate in (5.0, 10.0)


def test_a_finish_at_eight_in_the_morning_is_the_end_of_the_working_day_before() -> None:
    legacy = read_mspdi((DATA / "mpxj_legacy_sample.xml").read_bytes())
    names = {t["id"]: t["name"] for t in legacy.document["tasks"]}
    dates = {names[k]: (str(v.start), str(v.finish)) for k, v in legacy.file_dates.items()}
    assert dates["Related Task 6b"] == ("2003-01-07", "2003-01-07")  # Finish 2003-01-08T08:00
    assert dates["Third task"] == ("2003-01-07", "2003-01-07")  # a milestone at 08:00
    # Monday 25 September 08:00 is the end of Friday 22nd
    relations = read_mspdi((DATA / "mpxj_mspdirelations.xml").read_bytes())
    assert str(relations.file_dates["MSPDIRELAT-5"].finish) == "2006-09-22"


def test_derived_resource_calendars_take_their_base_calendar_days() -> None:
    plan = read_plan(
        read_mspdi((DATA / "mpxj_calendar-calendars-project2002-mspdi.xml").read_bytes()).document
    )
    calendars = {c.name: c for c in plan.calendars}
    assert calendars["Resource One"].workdays == calendars["Standard"].workdays
    assert {r.calendar for r in plan.resources} <= set(calendars)


def test_recurring_exceptions_expand_to_the_days_microsoft_project_lists() -> None:
    root, _ = parse(
        (DATA / "mpxj_calendar-recurring-exceptions-project2016-mspdi.xml").read_bytes()
    )
    calendar = root.find(f"{Q}Calendars/{Q}Calendar")
    assert calendar is not None
    exceptions = calendar.findall(f"{Q}Exceptions/{Q}Exception")
    assert len(exceptions) == 27
    expanded = {d for e in exceptions for d in exception_days(e)}
    legacy = {
        d
        for w in calendar.findall(f"{Q}WeekDays/{Q}WeekDay")
        if text(w, "DayType") == "0"
        for d in _legacy_exception_days(w)
    }
    assert expanded == legacy


RECURRING = "mpxj_calendar-recurring-exceptions-project2016-mspdi.xml"


def test_the_27_exceptions_far_from_a_plan_still_become_holidays_of_its_calendar() -> None:
    """The file's plan is one milestone in 2017, its exceptions run from 2000 to 2010.

    MPXJ expands the exceptions to 137 non-working days and 3 working Saturdays;
    89 of the non-working days fall on a weekday the calendar works."""
    imported = read_mspdi((DATA / RECURRING).read_bytes())
    (standard,) = read_plan(imported.document).calendars
    named = {str(h.date): h.name for h in standard.holidays}
    holidays = set(named)
    assert len(holidays) == 89
    expected = {  # each day with the name of the exception it comes from
        "2000-01-03": "Daily 1",  # 1-3 January 2000, a Saturday to a Monday
        "2000-02-07": "Daily 2",  # every 3 days from 1 February, third occurrence
        "2001-01-15": "Weekly 1 Monday",  # third Monday from 1 January 2001
        "2001-02-13": "Weekly 2 Tuesday",  # every 2 weeks, fourth occurrence
        "2002-05-06": "Monthly Relative 1",  # first Monday every 2 months, third occurrence
        "2005-01-28": "Monthly Relative 5",  # last Friday every 6 months, seventh occurrence
        "2003-05-01": "Monthly Absolute 1",  # the 1st every 2 months, third occurrence
        "2007-03-06": "Yearly Relative 1",  # first Tuesday of March, fourth year
        "2005-02-01": "Yearly Absolute 1",  # 1 February, first year
        "2009-04-03": "Yearly Absolute 3",  # 3 April, fifth year
    }
    assert {day: named.get(day) for day in expected} == expected
    # the weekend days of Daily 1 are off anyway; the working Saturdays are not holidays
    assert not holidays & {"2000-01-01", "2000-01-02", "2010-01-02", "2010-02-06"}
    assert not any("more than" in n for n in imported.notes)
    # the 3 working Saturdays are extra working days, named after their exception
    assert [(str(e.date), e.name) for e in standard.extra_workdays] == [
        ("2010-01-02", "Recurring Working"),
        ("2010-02-06", "Recurring Working"),
        ("2010-03-06", "Recurring Working"),
    ]
    assert not any("not carried" in n for n in imported.notes if "Standard" in n)


def _one_calendar_file(exception: str, *, start: str = "2027-01-04") -> bytes:
    return f"""<?xml version="1.0"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Title>Long</Title><StartDate>{start}T08:00:00</StartDate>
  <FinishDate>{start}T17:00:00</FinishDate><CalendarUID>1</CalendarUID>
  <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
    <Exceptions><Exception>{exception}</Exception></Exceptions>
  </Calendar></Calendars>
</Project>""".encode()


def test_a_calendar_of_too_many_holidays_keeps_those_near_the_plan_and_notes_the_rest() -> None:
    every_day = (
        "<TimePeriod><FromDate>1990-01-01T00:00:00</FromDate>"
        "<ToDate>2040-12-31T23:59:00</ToDate></TimePeriod>"
        "<Name>Every other day</Name><Type>7</Type><Period>2</Period><DayWorking>0</DayWorking>"
    )
    imported = read_mspdi(_one_calendar_file(every_day))
    assert imported.ok, imported.problems
    (standard,) = read_plan(imported.document).calendars
    # a year before the plan to two years after it, every other day: none of them dropped
    low, high = dt.date(2026, 1, 3), dt.date(2029, 1, 4)
    every_other_day = (dt.date(1990, 1, 1) + dt.timedelta(days=n) for n in range(0, 19000, 2))
    near = {d for d in every_other_day if low <= d <= high and d.weekday() < 5}
    assert {h.date for h in standard.holidays} == near
    assert {h.name for h in standard.holidays} == {"Every other day"}
    (note,) = [n for n in imported.notes if "more than 5000" in n]
    assert "only those from 2026-01-03 to 2029-01-04 are kept" in note
    assert f"{6653 - len(near)} (from 1990-01-01 to 2040-12-28) are not carried" in note


def test_an_exception_longer_than_microsoft_projects_dates_is_cut_with_a_note() -> None:
    forever = (
        "<TimePeriod><FromDate>1900-01-01T00:00:00</FromDate>"
        "<ToDate>2199-12-31T23:59:00</ToDate></TimePeriod>"
        "<Name>Closed</Name><Type>1</Type><DayWorking>0</DayWorking>"
    )
    imported = read_mspdi(_one_calendar_file(forever, start="1905-01-02"))
    assert imported.ok, imported.problems
    assert any("exception 'Closed' covers more than 60631 days" in n for n in imported.notes)


def test_holidays_of_the_2002_form_become_plan_holidays() -> None:
    plan = read_plan(read_mspdi((DATA / "ganttproject_holidays.xml").read_bytes()).document)
    standard = next(c for c in plan.calendars if c.name == "Standard")
    assert len(standard.holidays) == 3


def test_null_rows_and_split_tasks_are_noted() -> None:
    nulls = read_mspdi((DATA / "mpxj_mspdinulltasks.xml").read_bytes())
    assert any("3 blank task row" in n for n in nulls.notes)
    split = read_mspdi((DATA / "mpxj_mspdisplittask.xml").read_bytes())
    assert all("split task" in d.note for d in split.file_dates.values())


def test_an_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<Project>&lol2;</Project>"
    )
    imported = read_mspdi(bomb)
    assert not imported.ok and "refused" in imported.problems[0].message


def test_an_external_entity_is_refused() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Project>&x;</Project>"
    )
    imported = read_mspdi(evil)
    assert not imported.ok and "refused" in imported.problems[0].message
    assert imported.document == {}


def test_a_truncated_file_gives_a_located_problem() -> None:
    data = (DATA / "mpxj_task-links-project2003-mspdi.xml").read_bytes()[:20000]
    imported = read_mspdi(data)
    assert not imported.ok
    assert imported.problems[0].location.startswith("line ")


def test_another_xml_document_is_not_a_project() -> None:
    imported = read_mspdi(b"<?xml version='1.0'?><project name='x'/>")
    assert not imported.ok and "not a Microsoft Project XML file" in imported.problems[0].message


def test_an_unknown_predecessor_is_located_on_its_task() -> None:
    data = (DATA / "mpxj_mspdirelations.xml").read_bytes()
    broken = data.replace(
        b"<PredecessorUID>1</PredecessorUID>", b"<PredecessorUID>99</PredecessorUID>", 1
    )
    imported = read_mspdi(broken)
    assert not imported.ok
    assert "Task UID" in imported.problems[0].location
    assert "99" in imported.problems[0].message


def test_a_bad_date_is_located_and_said_in_words() -> None:
    data = (DATA / "mpxj_mspdirelations.xml").read_bytes()
    broken = data.replace(b"<Start>2006-09-21T08:00:00</Start>", b"<Start>21/09/2006</Start>")
    imported = read_mspdi(broken)
    assert not imported.ok
    messages = [p.message for p in imported.problems]
    assert any("'21/09/2006' is not a date-time (2003-01-07T08:00:00)" in m for m in messages)
    assert not any("isoformat" in m for m in messages)


def test_plan_json_of_a_file_is_stable() -> None:
    data = (DATA / "mpxj_legacy_sample.xml").read_bytes()
    first = plan_to_json(read_plan(read_mspdi(data).document))
    assert first == plan_to_json(read_plan(read_mspdi(data).document))


def _exception(
    kind: int, extra: str, *, start: str = "2027-01-04", finish: str = "2027-12-31"
) -> str:
    return (
        f"<TimePeriod><FromDate>{start}T00:00:00</FromDate>"
        f"<ToDate>{finish}T23:59:00</ToDate></TimePeriod>"
        f"<Name>Rule</Name><Type>{kind}</Type>{extra}<DayWorking>0</DayWorking>"
    )


def _exception_element(xml: str) -> Element:
    root, _ = parse(_one_calendar_file(xml))
    element = root.find(f"{Q}Calendars/{Q}Calendar/{Q}Exceptions/{Q}Exception")
    assert element is not None
    return element


def test_a_weekly_exception_on_no_day_of_the_week_covers_no_day() -> None:
    # 128 is no day (1 = Sunday … 64 = Saturday): the weeks run out at the period's end
    element = _exception_element(_exception(6, "<DaysOfWeek>128</DaysOfWeek>"))
    assert exception_days(element) == []
    element = _exception_element(_exception(6, "<DaysOfWeek>130</DaysOfWeek>"))  # 128 + Monday
    days = exception_days(element)
    assert len(days) == 52 and {d.weekday() for d in days} == {0}


def test_a_monthly_exception_of_a_huge_period_takes_one_step() -> None:
    element = _exception_element(_exception(4, "<Period>1000000000</Period><MonthDay>9</MonthDay>"))
    budget = ExpansionBudget()
    assert exception_days(element, budget) == [dt.date(2027, 1, 9)]
    assert budget.steps - budget.left == 1


def test_months_with_no_such_day_count_as_steps_but_give_no_day() -> None:
    element = _exception_element(_exception(4, "<MonthDay>31</MonthDay>"))
    budget = ExpansionBudget()
    days = exception_days(element, budget)
    assert [d.month for d in days] == [1, 3, 5, 7, 8, 10, 12]
    assert budget.steps - budget.left == 12  # every month of the year looked at


def test_a_file_whose_exceptions_take_too_long_to_expand_is_refused() -> None:
    forever = _exception(1, "", start="1984-01-01", finish="2149-12-31")
    many = "".join(f"<Exception>{forever}</Exception>" for _ in range(34))  # 34 x 60,631 days
    data = _one_calendar_file(forever).replace(
        f"<Exception>{forever}</Exception>".encode(), many.encode()
    )
    imported = read_mspdi(data)
    assert not imported.ok
    (problem,) = imported.problems
    assert "Calendar UID 1" in problem.location
    assert f"more than {MAX_FILE_STEPS:,} days, weeks or months" in problem.message
    assert not imported.document


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("<Period>99999999</Period>", "an exception runs past the year 9999"),
        ("<Period>99999999999999999</Period>", "an exception runs past the year 9999"),
        ("<Period>1" + "0" * 5000 + "</Period>", "Period '1000"),
    ],
    ids=["past-9999", "past-any-int", "digits"],
)
def test_a_recurrence_no_calendar_can_hold_is_a_problem_of_its_calendar(
    extra: str, message: str
) -> None:
    (problem,) = read_mspdi(_one_calendar_file(_exception(7, extra))).problems
    assert "Calendar UID 1" in problem.location
    assert problem.message.startswith(message) and len(problem.message) < 120


def test_the_budget_is_shared_and_a_step_past_it_is_refused() -> None:
    twelve = _exception_element(_exception(1, "", start="2027-01-01", finish="2027-01-12"))
    budget = ExpansionBudget(24)
    assert len(exception_days(twelve, budget)) == 12
    assert len(exception_days(twelve, budget)) == 12 and budget.left == 0
    with pytest.raises(ValueError, match="more than 24 days, weeks or months"):
        exception_days(twelve, budget)


def test_an_unknown_encoding_in_the_xml_declaration_is_a_located_problem() -> None:
    data = b'<?xml version="1.0" encoding="UTF0.0001"?><Project xmlns="http://schemas.microsoft.com/project"/>'
    (problem,) = read_mspdi(data).problems
    assert (problem.location, problem.message) == (
        "line 1",
        "not readable XML: unknown encoding: UTF0.0001",
    )


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            b"<OutlineLevel>1</OutlineLevel>",
            b"<OutlineLevel>x</OutlineLevel>",
            "Task UID 1 (Task 1)",
            "OutlineLevel 'x' is not a whole number",
        ),
        (
            b"<OutlineLevel>1</OutlineLevel>",
            b"<OutlineLevel>1" + b"0" * 5000 + b"</OutlineLevel>",
            "Task UID 1 (Task 1)",
            "OutlineLevel '1000",
        ),
        (
            b"<StartDate>",
            b"<StatusDate>someday</StatusDate><StartDate>",
            "Project/StatusDate",
            "'someday' is not a date-time",
        ),
    ],
    ids=["outline-level", "outline-level-digits", "status-date"],
)
def test_a_value_microsoft_project_does_not_write_is_a_located_problem(
    old: bytes, new: bytes, where: str, message: str
) -> None:
    data = (DATA / "mpxj_task-links-project2003-mspdi.xml").read_bytes()
    broken = data.replace(old, new, 1)
    assert broken != data
    imported = read_file(broken, filename="plan.xml")
    (problem,) = imported.problems
    assert problem.location.endswith(where) and problem.message.startswith(message)
    assert not imported.document


def test_a_value_no_reader_expected_is_a_problem_of_the_import_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unexpected(data: bytes, *, limit: int) -> None:
        raise ValueError("cannot convert float NaN to integer")

    monkeypatch.setattr("podium.interop.mspdi.read_mspdi", unexpected)
    data = (DATA / "mpxj_task-links-project2003-mspdi.xml").read_bytes()
    imported = read_file(data, filename="plan.xml")
    (problem,) = imported.problems
    assert problem.message.startswith("the file holds a value that cannot be read:")
    assert not imported.document
