"""Resources and assignments in the plan format: reading, every problem located, and the
leveling engine's input built from a plan."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from podium.engine.leveling import level
from podium.interop.plan_format import (
    PlanError,
    plan_to_json,
    plan_to_leveling_input,
    plan_to_schedule_input,
    read_plan,
)
from podium.interop.plan_resources import leveling_result_to_json
from podium.interop.psplib import parse_psplib, psplib_to_leveling, psplib_to_plan
from tests.unit.test_psplib import SMALL


def make_plan() -> dict[str, Any]:
    """Two projects, a summary task, a milestone inside a project, and three resources:
    one on a calendar with time off, one with time off only, one with neither."""
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {
            "key": "RES",
            "name": "Resources",
            "start": "2027-01-04",
            "calendar": "standard",
        },
        "calendars": [
            {"name": "standard", "holidays": ["2027-01-15"]},
            {"name": "four-days", "workdays": ["Mon", "Tue", "Wed", "Thu"]},
        ],
        "projects": [{"key": "A", "name": "A"}, {"key": "B", "name": "B"}],
        "tasks": [
            {"id": "A-1", "project": "A", "name": "Phase", "duration": 0},
            {
                "id": "A-2",
                "project": "A",
                "name": "Build",
                "duration": 5,
                "parent": "A-1",
                "effort_driven": True,
                "leveled_start": "2027-01-06",
            },
            {"id": "A-3", "project": "A", "name": "Done", "duration": 0},
            {"id": "B-1", "project": "B", "name": "Review", "duration": 3},
        ],
        "resources": [
            {
                "id": "ana",
                "name": "Ana",
                "kind": "person",
                "capacity": 1.0,
                "hours_per_day": 7.5,
                "cost_rate": 90.0,
                "calendar": "four-days",
                "time_off": [{"start": "2027-01-11", "finish": "2027-01-12", "note": "leave"}],
            },
            {
                "id": "ops",
                "name": "Ops team",
                "kind": "team",
                "capacity": 3,
                "time_off": [{"start": "2027-01-09", "finish": "2027-01-09"}],
            },
            {"id": "rig", "name": "Test rig", "kind": "equipment", "description": "lab"},
        ],
        "assignments": [
            {"task": "A-2", "resource": "ana", "units": 0.5, "work_hours": 18.75},
            {"task": "A-2", "resource": "ops", "units": 2},
            {"task": "B-1", "resource": "rig"},
        ],
    }


def problems_of(data: Any) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        read_plan(data)
    return {p["location"]: p["message"] for p in caught.value.problems}


def test_every_resource_field_is_read_and_written_back() -> None:
    plan = read_plan(make_plan())
    ana = plan.resources[0]
    assert (ana.kind, ana.hours_per_day, ana.cost_rate, ana.calendar) == (
        "person",
        7.5,
        90.0,
        "four-days",
    )
    assert ana.time_off[0].start == date(2027, 1, 11) and ana.time_off[0].note == "leave"
    assert plan.assignments[0].work_hours == 18.75 and plan.assignments[2].units == 1.0
    assert plan.tasks[1].effort_driven and plan.tasks[1].leveled_start == date(2027, 1, 6)
    assert not plan.tasks[3].effort_driven and plan.tasks[3].leveled_start is None
    assert read_plan(plan_to_json(plan)) == plan


def test_a_plan_without_the_new_fields_still_reads_with_their_defaults() -> None:
    data = make_plan()
    data["resources"] = [{"id": "ana", "name": "Ana"}]
    data["assignments"] = [{"task": "B-1", "resource": "ana"}]
    for task in data["tasks"]:
        task.pop("effort_driven", None)
        task.pop("leveled_start", None)
    plan = read_plan(data)
    ana = plan.resources[0]
    assert (ana.kind, ana.capacity, ana.hours_per_day, ana.cost_rate, ana.time_off) == (
        "person",
        1.0,
        8.0,
        0.0,
        [],
    )
    assert plan.assignments[0].work_hours is None


def test_bad_resources_and_assignments_are_listed_at_once_where_they_are() -> None:
    data = make_plan()
    data["resources"][0]["calendar"] = "night"
    data["resources"][0]["time_off"].append({"start": "2027-02-10", "finish": "2027-02-01"})
    data["resources"][1]["time_off"][0]["finish"] = "2027-02-30"
    data["resources"][2] |= {"kind": "robot", "capacity": 0}
    data["assignments"] += [
        {"task": "A-1", "resource": "ana"},
        {"task": "A-3", "resource": "ana"},
        {"task": "B-1", "resource": "nobody", "units": 0},
        {"task": "B-1", "resource": "ops", "units": 3.5},
        {"task": "A-2", "resource": "ana", "units": 0.25},
        {"task": "Z-9", "resource": "ops", "work_hours": -1},
    ]
    data["tasks"][3]["leveled_start"] = "someday"
    problems = problems_of(data)
    assert problems == {
        "resources[0].calendar": "unknown calendar 'night'",
        "resources[0].time_off[1].finish": "is before start",
        "resources[1].time_off[0].finish": problems["resources[1].time_off[0].finish"],
        "resources[2].kind": "Input should be 'person', 'team' or 'equipment'",
        "resources[2].capacity": "Input should be greater than 0",
        "tasks[3].leveled_start": problems["tasks[3].leveled_start"],
        "assignments[3].task": "'A-1' is a summary task: assign its subtasks",
        "assignments[4].task": "'A-3' is a milestone (duration 0): it has no work",
        "assignments[5].resource": "unknown resource 'nobody'",
        "assignments[5].units": "Input should be greater than 0",
        "assignments[6].units": "3.5 units exceed the capacity of 'ops' (3)",
        "assignments[7]": "'ana' is assigned to 'A-2' twice (also assignments[0])",
        "assignments[8].task": "unknown task 'Z-9'",
        "assignments[8].work_hours": "Input should be greater than or equal to 0",
    }
    assert "valid date" in problems["resources[1].time_off[0].finish"]
    assert "valid date" in problems["tasks[3].leveled_start"]


def test_a_capacity_beyond_the_engines_is_refused_where_it_is() -> None:
    data = make_plan()
    data["resources"][2]["capacity"] = 1e20
    assert problems_of(data) == {
        "resources[2].capacity": "Input should be less than or equal to 10000"
    }
    data["resources"][2]["capacity"] = 10_000
    assert read_plan(data).resources[2].capacity == 10_000


def test_durations_and_lags_beyond_the_engines_limits_are_refused_where_they_are() -> None:
    data = make_plan()
    data["tasks"][1]["duration"] = 10**20
    data["dependencies"] = [{"from": "A-2", "to": "B-1", "lag": -10_001}]
    problems = problems_of(data)
    assert problems["tasks[1].duration"] == "Input should be less than or equal to 100000"
    assert problems["dependencies[0].lag"] == "Input should be greater than or equal to -10000"


def test_an_infinite_number_is_refused_where_it_is() -> None:
    data = make_plan()
    data["tasks"][1]["budget"] = float("inf")
    data["assignments"][0]["units"] = float("inf")
    problems = problems_of(data)
    assert problems["tasks[1].budget"] == "Input should be a finite number"
    assert problems["assignments[0].units"] == "Input should be a finite number"
    # finite, but too large to count in thousandths
    data = make_plan()
    data["resources"][0]["capacity"] = 1e308
    data["assignments"][0]["units"] = 1e308
    problems = problems_of(data)
    assert problems["resources[0].capacity"] == "Input should be less than or equal to 10000"


def test_more_than_ten_years_of_time_off_is_refused() -> None:
    data = make_plan()
    data["resources"][0]["time_off"] = [{"start": "2000-01-01", "finish": "9999-12-31"}]
    data["resources"][1]["time_off"] = [
        {"start": f"{y}-01-01", "finish": f"{y}-12-31"} for y in range(2027, 2037)
    ]  # 3,653 days: within the limit of 3,660
    assert problems_of(data) == {
        "resources[0].time_off": "2921940 days of time off: at most 3660 per resource"
    }
    data["resources"][1]["time_off"].append({"start": "2040-01-01", "finish": "2040-01-08"})
    assert problems_of(data)["resources[1].time_off"] == (
        "3661 days of time off: at most 3660 per resource"
    )
    # a day in two periods is one day off
    data["resources"][1]["time_off"] = [{"start": "2027-01-01", "finish": "2036-12-31"}] * 2
    assert "resources[1].time_off" not in problems_of(data)


def test_an_unknown_field_in_time_off_is_refused() -> None:
    data = make_plan()
    data["resources"][0]["time_off"][0]["reason"] = "holiday"
    assert problems_of(data) == {"resources[0].time_off[0].reason": "unknown field"}


def test_resources_get_their_calendar_less_their_time_off() -> None:
    data = plan_to_leveling_input(read_plan(make_plan()))
    ana, ops, rig = data.resources
    assert ana.calendar is not None and ana.calendar.weekmask == "1111000"
    assert ana.calendar.holidays == (date(2027, 1, 11), date(2027, 1, 12))
    assert ops.capacity == 3 and ops.calendar is not None
    assert (ops.calendar.weekmask, ops.calendar.holidays) == ("1111111", (date(2027, 1, 9),))
    assert rig.calendar is None
    assert [(a.task, a.resource, a.units) for a in data.assignments] == [
        ("A-2", "ana", 0.5),
        ("A-2", "ops", 2.0),
        ("B-1", "rig", 1.0),
    ]


def test_a_task_works_only_when_its_resources_do_and_keeps_its_hold() -> None:
    net = plan_to_schedule_input(read_plan(make_plan()))
    build = next(a for a in net.activities if a.id == "A-2")
    assert build.not_before == date(2027, 1, 6)
    assert build.calendar is not None
    shared = net.calendars[build.calendar]
    # Mon-Thu of ana, less her leave and the program's holiday; ops' Saturday is not worked anyway
    assert shared.weekmask == "1111000"
    assert {date(2027, 1, 11), date(2027, 1, 12), date(2027, 1, 15)} <= set(shared.holidays)
    review = next(a for a in net.activities if a.id == "B-1")
    assert review.calendar is None


def test_leveling_afresh_drops_the_holds() -> None:
    data = plan_to_leveling_input(read_plan(make_plan()), holds=False)
    assert all(a.not_before is None for a in data.network.activities)


def test_calendars_with_no_common_working_day_are_refused_by_the_engine() -> None:
    from podium.engine.leveling import InvalidResources

    data = make_plan()
    data["calendars"].append({"name": "weekend", "workdays": ["Sat", "Sun"]})
    data["resources"][2]["calendar"] = "weekend"
    with pytest.raises(InvalidResources) as caught:
        plan_to_leveling_input(read_plan(data))
    assert "'B-1'" in caught.value.problems[0]


def test_the_leveling_result_lists_each_activity_with_its_delays() -> None:
    data = make_plan()
    data["assignments"].append({"task": "B-1", "resource": "ana", "units": 1.0})
    plan = read_plan(data)
    inputs = plan_to_leveling_input(plan, holds=False)
    result = level(inputs.network, inputs.resources, inputs.assignments, time_limit=0.2)
    out = leveling_result_to_json(result, program_start=plan.program.start)
    assert set(out) == {
        "format",
        "version",
        "method",
        "optimal",
        "status",
        "heuristic_kept",
        "makespan",
        "lower_bound",
        "unleveled_makespan",
        "program",
        "seconds",
        "tasks",
        "over_allocations",
    }
    assert out["over_allocations"] == []  # none given: the leveling left none
    assert [row["id"] for row in out["tasks"]] == ["A-1", "A-2", "A-3", "B-1"]
    assert set(out["tasks"][0]) == {"id", "start", "finish", "start_delay", "finish_delay"}
    assert out["makespan"] >= out["unleveled_makespan"]
    assert any(row["finish_delay"] > 0 for row in out["tasks"])


def test_the_leveling_result_says_why_the_solver_kept_the_heuristics_plan() -> None:
    plan = read_plan(make_plan())
    inputs = plan_to_leveling_input(plan, holds=False)
    result = level(inputs.network, inputs.resources, inputs.assignments, time_limit=0.2)
    out = leveling_result_to_json(result, program_start=plan.program.start)
    assert (out["status"], out["heuristic_kept"]) == ("optimal", None)
    kept = replace(result, status="feasible (heuristic; CP-SAT found nothing better)")
    out = leveling_result_to_json(kept, program_start=plan.program.start)
    assert (out["status"], out["heuristic_kept"]) == ("feasible", "CP-SAT found nothing better")
    failed = replace(result, status="feasible (heuristic; CP-SAT failed on this program: x)")
    assert leveling_result_to_json(failed, program_start=plan.program.start)["heuristic_kept"] == (
        "CP-SAT failed on this program: x"
    )


def test_a_psplib_instance_as_a_plan_levels_like_the_engine_input() -> None:
    instance = parse_psplib(SMALL, name="small")
    plan = psplib_to_plan(instance)
    assert plan.calendars[0].workdays == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    direct = psplib_to_leveling(instance)
    via_plan = plan_to_leveling_input(plan)
    a = level(direct.network, direct.resources, direct.assignments, time_limit=0.2)
    b = level(via_plan.network, via_plan.resources, via_plan.assignments, time_limit=0.2)
    assert a.makespan == b.makespan and a.ids == b.ids
    assert len(via_plan.assignments) == len(direct.assignments)


def test_a_copy_of_the_plan_is_not_changed_by_reading() -> None:
    data = make_plan()
    before = copy.deepcopy(data)
    read_plan(data)
    assert data == before
