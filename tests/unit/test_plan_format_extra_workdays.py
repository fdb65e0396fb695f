"""Extra working days in the plan format: read, checked, written back and scheduled."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from podium.engine import schedule
from podium.interop.plan_format import (
    PlanError,
    plan_json_schema,
    plan_to_json,
    plan_to_leveling_input,
    plan_to_schedule_input,
    read_plan,
)


def make_plan(extra: list[Any] | None = None, **calendar: Any) -> dict[str, Any]:
    """Two tasks one after the other on a Mon-Fri calendar from Tuesday 1 June 2027:
    A (5 days) then B (2 days)."""
    standard: dict[str, Any] = {"name": "standard", "holidays": ["2027-05-31"], **calendar}
    if extra is not None:
        standard["extra_workdays"] = extra
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "CUT", "name": "Cutover", "start": "2027-06-01", "calendar": "standard"},
        "calendars": [standard],
        "projects": [{"key": "P", "name": "P"}],
        "tasks": [
            {"id": "A", "project": "P", "name": "Migrate", "duration": 5},
            {"id": "B", "project": "P", "name": "Check", "duration": 2},
        ],
        "dependencies": [{"from": "A", "to": "B"}],
    }


def problems_of(data: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(PlanError) as caught:
        read_plan(data)
    return caught.value.problems


def dates(data: dict[str, Any]) -> dict[str, tuple[date, date]]:
    result = schedule(plan_to_schedule_input(read_plan(data)))
    return {i: (result[i].early_start, result[i].early_finish) for i in ("A", "B")}


def test_extra_working_days_are_dates_or_named_dates_and_default_to_none() -> None:
    plan = read_plan(make_plan(["2027-06-05", {"date": "2027-06-12", "name": "Cutover"}]))
    (calendar,) = plan.calendars
    assert [(e.date, e.name) for e in calendar.extra_workdays] == [
        (date(2027, 6, 5), ""),
        (date(2027, 6, 12), "Cutover"),
    ]
    assert read_plan(make_plan()).calendars[0].extra_workdays == []


def test_a_plan_with_extra_working_days_is_written_as_it_was_read() -> None:
    extra = ["2027-06-05", {"date": "2027-06-12", "name": "Cutover"}]
    plan = read_plan(make_plan(extra))
    written = plan_to_json(plan)
    assert written["calendars"][0]["extra_workdays"] == extra
    assert read_plan(written) == plan
    assert plan_to_json(read_plan(make_plan()))["calendars"][0]["extra_workdays"] == []


def test_a_saturday_worked_finishes_the_plan_a_day_earlier() -> None:
    # without it: A Tue 1 - Mon 7 June, B Tue 8 - Wed 9
    assert dates(make_plan()) == {
        "A": (date(2027, 6, 1), date(2027, 6, 7)),
        "B": (date(2027, 6, 8), date(2027, 6, 9)),
    }
    # Saturday 5 June worked: A Tue 1 - Sat 5, B Mon 7 - Tue 8
    assert dates(make_plan(["2027-06-05"])) == {
        "A": (date(2027, 6, 1), date(2027, 6, 5)),
        "B": (date(2027, 6, 7), date(2027, 6, 8)),
    }


def test_an_extra_day_on_a_weekday_already_worked_changes_nothing() -> None:
    assert dates(make_plan(["2027-06-02"])) == dates(make_plan())
    network = plan_to_schedule_input(read_plan(make_plan(["2027-06-02", "2027-06-05"])))
    assert network.default_calendar.extra_workdays == (date(2027, 6, 5),)
    assert network.default_calendar.holidays == (date(2027, 5, 31),)


def test_a_task_whose_resource_does_not_work_the_extra_day_does_not_work_it() -> None:
    data = make_plan(["2027-06-05"])
    data["calendars"].append({"name": "weekdays"})
    data["resources"] = [{"id": "ana", "name": "Ana", "calendar": "weekdays"}]
    data["assignments"] = [{"task": "A", "resource": "ana"}]
    assert dates(data)["A"] == (date(2027, 6, 1), date(2027, 6, 7))
    # a resource on the same calendar works it
    data["resources"][0]["calendar"] = "standard"
    assert dates(data)["A"] == (date(2027, 6, 1), date(2027, 6, 5))
    calendar = plan_to_leveling_input(read_plan(data)).resources[0].calendar
    assert calendar is not None and calendar.extra_workdays == (date(2027, 6, 5),)


def test_a_day_both_holiday_and_extra_working_day_is_refused_where_it_is() -> None:
    data = make_plan(["2027-06-05"], holidays=["2027-05-31", "2027-06-05"])
    assert problems_of(data) == [
        {
            "location": "calendars[0].extra_workdays[0]",
            "message": "2027-06-05 is also a holiday (calendars[0].holidays[1]); "
            "a day cannot be both",
        }
    ]


def test_an_extra_working_day_listed_twice_is_refused_where_it_is_repeated() -> None:
    data = make_plan(["2027-06-05", "2027-06-12", {"date": "2027-06-05", "name": "Again"}])
    assert problems_of(data) == [
        {
            "location": "calendars[0].extra_workdays[2]",
            "message": "2027-06-05 is already listed at calendars[0].extra_workdays[0]",
        }
    ]


def test_bad_extra_working_days_are_listed_with_every_other_problem() -> None:
    data = make_plan(["2027-06-31", 6, {"date": "2027-06-05", "colour": "red"}, "2027-06-12"])
    data["calendars"].append(
        {"name": "night", "holidays": [{"date": "2027-06-12"}], "extra_workdays": ["2027-06-12"]}
    )
    data["tasks"][0]["duration"] = -1
    assert sorted((p["location"], p["message"]) for p in problems_of(data)) == [
        ("calendars[0].extra_workdays[0]", "Input should be a date (YYYY-MM-DD)"),
        ("calendars[0].extra_workdays[1]", 'Input should be a date or {"date": ..., "name": ...}'),
        ("calendars[0].extra_workdays[2].colour", "unknown field"),
        (
            "calendars[1].extra_workdays[0]",
            "2027-06-12 is also a holiday (calendars[1].holidays[0]); a day cannot be both",
        ),
        ("tasks[0].duration", "Input should be greater than or equal to 0"),
    ]


def test_a_long_name_of_an_extra_working_day_is_refused() -> None:
    data = make_plan([{"date": "2027-06-05", "name": "x" * 201}])
    assert [p["location"] for p in problems_of(data)] == ["calendars[0].extra_workdays[0].name"]


def test_the_json_schema_gives_extra_working_days_the_shape_of_holidays() -> None:
    schema = plan_json_schema()
    fields = schema["$defs"]["Calendar"]["properties"]
    extra, holidays = fields["extra_workdays"], fields["holidays"]
    assert extra["default"] == [] and extra["type"] == "array"
    assert extra["items"]["anyOf"][0] == holidays["items"]["anyOf"][0]
    assert extra["items"]["anyOf"][1] == {"$ref": "#/$defs/ExtraWorkday"}
    one = schema["$defs"]["ExtraWorkday"]
    assert one["required"] == ["date"] and one["additionalProperties"] is False
    assert set(one["properties"]) == {"date", "name"}
    json.dumps(schema)
