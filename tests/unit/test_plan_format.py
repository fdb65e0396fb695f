"""The Plan exchange format: reading, every problem at once, scheduling, and its JSON Schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from podium.engine import schedule
from podium.errors import ValidationFailed
from podium.interop.plan_format import (
    MAX_TASKS,
    PlanError,
    control_problems,
    plan_json_schema,
    plan_to_json,
    plan_to_schedule_input,
    read_plan,
    schedule_result_to_json,
)

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "plan-format.schema.json"


def make_plan() -> dict[str, Any]:
    """The example of DESIGN.md, with a second project and a cross-project dependency."""
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {
            "key": "CLOUD",
            "name": "Cloud migration",
            "start": "2027-01-04",
            "calendar": "standard",
            "goal": {
                "outcome": "All clients on cloud",
                "measure": "tickets per month",
                "unit": "tickets",
                "baseline_value": 1200,
                "target_value": 840,
                "target_date": "2027-12-17",
            },
        },
        "calendars": [
            {
                "name": "standard",
                "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                "holidays": ["2027-05-31"],
            }
        ],
        "projects": [
            {"key": "PLAT", "name": "Platform upgrade"},
            {"key": "TRAIN", "name": "Staff training"},
        ],
        "tasks": [
            {
                "id": "PLAT-1",
                "project": "PLAT",
                "name": "Pilot",
                "duration": 10,
                "parent": None,
                "constraint": {"type": "snet", "date": "2027-02-01"},
                "deadline": None,
                "actual_start": None,
                "actual_finish": None,
                "percent_complete": 0,
                "estimate": {"optimistic": 8, "most_likely": 10, "pessimistic": 15},
            },
            {"id": "TRAIN-1", "project": "TRAIN", "name": "Train the trainers", "duration": 5},
        ],
        "milestones": [{"id": "M1", "name": "Pilot done", "target": "2027-03-01"}],
        "dependencies": [
            {"from": "PLAT-1", "to": "M1", "type": "FS", "lag": 0},
            {"from": "PLAT-1", "to": "TRAIN-1"},
        ],
        "resources": [{"id": "ana", "name": "Ana", "capacity": 1.0, "calendar": "standard"}],
        "assignments": [{"task": "PLAT-1", "resource": "ana", "units": 1.0}],
    }


def problems_of(data: Any) -> list[dict[str, str]]:
    with pytest.raises(PlanError) as caught:
        read_plan(data)
    return caught.value.problems


def test_the_design_example_reads_from_text_bytes_and_dicts() -> None:
    text = json.dumps(make_plan())
    assert read_plan(text) == read_plan(text.encode("utf-8-sig")) == read_plan(make_plan())
    plan = read_plan(text)
    assert plan.tasks[0].constraint is not None and plan.tasks[0].constraint.type == "snet"
    assert plan.dependencies[0].pred == "PLAT-1"


def test_a_plan_written_out_reads_back_the_same() -> None:
    plan = read_plan(make_plan())
    assert read_plan(plan_to_json(plan)) == plan


def test_an_unknown_field_is_refused_with_its_location() -> None:
    data = make_plan()
    data["tasks"][1]["colour"] = "red"
    assert problems_of(data) == [{"location": "tasks[1].colour", "message": "unknown field"}]


def test_a_nul_character_in_any_text_is_refused_where_it_is() -> None:
    # PostgreSQL cannot store it: refused before anything is written, on every database
    data = make_plan()
    data["tasks"][1]["name"] = "Build\x00"
    data["program"]["description"] = "\x00"
    assert sorted(p["location"] for p in problems_of(data)) == [
        "program.description",
        "tasks[1].name",
    ]
    assert {p["message"] for p in problems_of(data)} == {"contains a NUL character"}


def test_a_control_character_in_any_text_is_found_where_it_is() -> None:
    # imports refuse them, as the API does: an escape would reach terminals as a command
    data = make_plan()
    data["tasks"][0]["name"] = "Build\x1b[31m"
    data["program"]["name"] = "Bell\x07"
    data["program"]["description"] = "two\tcolumns\r\nand lines"  # tabs and breaks are text
    read_plan(data)  # read (to schedule it, or to write it as another format): only NUL counts
    assert sorted((p["location"], p["message"]) for p in control_problems(data)) == [
        (
            "program.name",
            "contains a control character (\\x07): only tabs and line breaks are text",
        ),
        (
            "tasks[0].name",
            "contains a control character (\\x1b): only tabs and line breaks are text",
        ),
    ]


def test_texts_longer_than_the_database_stores_are_refused_where_they_are() -> None:
    # SQLite would keep them; PostgreSQL refused them inside the import's writes
    data = make_plan()
    data["program"]["key"] = "K" * 21
    data["tasks"][1]["name"] = "n" * 301
    data["milestones"][0]["id"] = "m" * 41
    problems = {p["location"]: p["message"] for p in problems_of(data)}
    assert problems["program.key"] == "a key is a letter, then up to 19 letters, digits, _ or -"
    assert problems["tasks[1].name"] == "String should have at most 300 characters"
    assert problems["milestones[0].id"] == "String should have at most 40 characters"
    data = make_plan()
    data["tasks"][1]["name"] = "n" * 300  # at the limit
    read_plan(data)


def test_a_task_number_the_database_cannot_keep_is_refused_at_its_id() -> None:
    # the project's next task number (one more) is a 32-bit integer on every database
    data = make_plan()
    data["tasks"][0]["id"] = "PLAT-2147483647"
    data["tasks"][1]["id"] = "TRAIN-99999999999999999999999"
    data["dependencies"] = data["assignments"] = []
    problems = {p["location"]: p["message"] for p in problems_of(data)}
    assert problems == {
        "tasks[0].id": "task number 2147483647 is above 2147483646, the largest Podium keeps",
        "tasks[1].id": (
            "task number 99999999999999999999999 is above 2147483646, the largest Podium keeps"
        ),
    }
    data["tasks"][0]["id"] = "PLAT-2147483646"  # at the limit
    data["tasks"][1]["id"] = "PLAT-99999999999999999999999"  # not a number of its project
    read_plan(data)


def test_every_problem_is_listed_at_once_with_its_location() -> None:
    data = make_plan()
    data["tasks"][1]["duration"] = "five"
    data["tasks"][1]["project"] = "NOPE"
    data["tasks"].append(copy.deepcopy(data["tasks"][1]) | {"parent": "M1"})
    data["tasks"].append(
        {
            "id": "X",
            "project": "PLAT",
            "name": "x",
            "duration": 1,
            "calendar": "night",
            "constraint": {"type": "mso"},
        }
    )
    data["dependencies"].append({"from": "PLAT-1", "to": "Ghost"})
    data["assignments"].append({"task": "M1", "resource": "bob"})
    locations = {p["location"]: p["message"] for p in problems_of(data)}
    assert locations == {
        "tasks[1].duration": "Input should be a valid integer",
        "tasks[2].duration": "Input should be a valid integer",
        "tasks[2].id": "duplicate id 'TRAIN-1' (also tasks[1])",
        "tasks[1].project": "unknown project 'NOPE'",
        "tasks[2].project": "unknown project 'NOPE'",
        "tasks[2].parent": "parent 'M1' not found (it is a milestone)",
        "tasks[3].calendar": "unknown calendar 'night'",
        "tasks[3].constraint.date": "required for a 'mso' constraint",
        "dependencies[2].to": "unknown task or milestone 'Ghost'",
        "assignments[1].task": "unknown task 'M1'",
        "assignments[1].resource": "unknown resource 'bob'",
    }


def test_parent_cycles_and_self_dependencies_are_refused() -> None:
    data = make_plan()
    data["tasks"][0]["parent"] = "TRAIN-1"
    data["tasks"][1]["parent"] = "PLAT-1"
    data["dependencies"].append({"from": "M1", "to": "M1"})
    messages = [p["message"] for p in problems_of(data)]
    assert "parent cycle: PLAT-1 → TRAIN-1 → PLAT-1" in messages
    assert "'M1' cannot depend on itself" in messages


def test_dependencies_in_a_circle_are_refused_at_a_link_of_the_circle() -> None:
    data = make_plan()
    links = [(d["from"], d["to"]) for d in data["dependencies"]]
    first, second = links[0]
    data["dependencies"].append({"from": second, "to": first})
    (problem,) = [p for p in problems_of(data) if "cycle" in p["message"]]
    assert problem["location"].startswith("dependencies[")
    loop = problem["message"].removeprefix("dependency cycle: ").split(" → ")
    assert loop[0] == loop[-1] and set(loop) == {first, second}


def test_inconsistent_progress_is_refused_where_it_is_written() -> None:
    data = make_plan()
    data["tasks"][1] |= {"percent_complete": 40}
    assert problems_of(data) == [
        {
            "location": "tasks[1].actual_start",
            "message": "required when percent_complete is above 0",
        }
    ]


def test_another_format_or_version_is_refused_before_anything_else() -> None:
    assert problems_of(make_plan() | {"format": "mspdi"})[0]["location"] == "format"
    (problem,) = problems_of(make_plan() | {"version": 2, "tasks": "nonsense"})
    assert problem == {
        "location": "version",
        "message": "unsupported version 2 (this Podium reads version 1)",
    }


def test_a_version_that_only_equals_one_is_refused() -> None:
    for version in (True, 1.0, "1"):
        (problem,) = problems_of(json.dumps(make_plan() | {"version": version}))
        assert problem["location"] == "version"


def test_bytes_that_are_not_utf8_and_json_nested_too_deeply_are_refused_in_words() -> None:
    (problem,) = problems_of(json.dumps(make_plan()).encode("utf-16"))
    assert problem["message"].startswith("not UTF-8 text")
    (problem,) = problems_of("[" * 100_000 + "]" * 100_000)
    assert problem["message"] == "not a plan: its JSON is nested too deeply"


def test_a_number_of_more_digits_than_python_reads_is_refused_in_words_where_it_is() -> None:
    text = json.dumps(make_plan(), indent=1).replace('"duration": 5', '"budget": 1' + "0" * 5000)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"budget"' in row)
    (problem,) = problems_of(text)
    assert problem == {
        "location": "",
        "message": f"not a plan: a number at line {line} column 14 has 5,001 digits "
        "(at most 4,300 are read)",
    }


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("tasks[0].budget", "budget"),
        ("tasks[0].estimate.pessimistic", "pessimistic"),
        ("resources[0].capacity", "capacity"),
        ("assignments[0].units", "units"),
    ],
)
def test_a_whole_number_past_the_largest_float_is_no_finite_number(path: str, field: str) -> None:
    # a float of it raises: the checks of the raw plan pass it over, the schema refuses it
    data = make_plan()
    item = data[path.split("[")[0]][0]
    (item["estimate"] if "estimate" in path else item)[field] = 12345
    text = json.dumps(data).replace(f'"{field}": 12345', f'"{field}": 1' + "0" * 400)
    assert problems_of(text) == [{"location": path, "message": "Input should be a finite number"}]


def test_amounts_above_what_the_api_takes_are_refused_in_its_words() -> None:
    data = make_plan()
    data["tasks"][0] |= {"budget": 1e308, "actual_cost": 1e12}  # at the limit
    data["tasks"][1]["actual_cost"] = 1.5e12
    data["resources"][0]["cost_rate"] = 2e9
    above = "Input should be less than or equal to "  # the API's words
    assert problems_of(data) == [
        {"location": "tasks[0].budget", "message": above + "1000000000000"},
        {"location": "tasks[1].actual_cost", "message": above + "1000000000000"},
        {"location": "resources[0].cost_rate", "message": above + "1000000000"},
    ]


@pytest.mark.parametrize("key", ["a b", "../x", "<script>", "1PLAN", "", "A" * 21])
def test_program_and_project_keys_follow_the_rule_of_the_api(key: str) -> None:
    plan = make_plan()
    plan["program"]["key"] = key
    assert [p["location"] for p in problems_of(plan)] == ["program.key"]
    plan = make_plan()
    plan["projects"][0]["key"] = key
    assert "projects[0].key" in [p["location"] for p in problems_of(plan)]


def test_a_plan_of_more_tasks_than_an_import_takes_is_refused_at_its_task_list() -> None:
    plan = make_plan()
    task = {"project": "TRAIN", "name": "Step", "duration": 1}
    plan["tasks"] = [task | {"id": f"T{i}"} for i in range(MAX_TASKS + 1)]
    plan["dependencies"] = plan["assignments"] = []
    assert [p["location"] for p in problems_of(json.dumps(plan))] == ["tasks"]


def test_text_that_is_not_json_is_refused_with_line_and_column() -> None:
    (problem,) = problems_of('{"format": "podium-plan",\n  "version": }')
    assert problem["message"] == (
        "not JSON: a value (a text, number, object, list, true, false or null) was expected "
        "(line 2 column 14)"
    )


def test_a_plan_error_is_a_validation_failure_with_details() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_plan(make_plan() | {"extra": 1})
    assert caught.value.code == "invalid_plan"
    assert caught.value.details == [{"location": "extra", "message": "unknown field"}]


def test_a_plan_becomes_a_network_with_milestone_targets_as_deadlines() -> None:
    net = plan_to_schedule_input(read_plan(make_plan()))
    by_id = {a.id: a for a in net.activities}
    assert by_id["PLAT-1"].group == "PLAT" and by_id["PLAT-1"].constraint_type == "snet"
    assert by_id["M1"].duration == 0 and str(by_id["M1"].deadline) == "2027-03-01"
    assert net.default_calendar.weekmask == "1111100"
    assert [str(d) for d in net.default_calendar.holidays] == ["2027-05-31"]


def test_the_schedule_result_lists_dates_floats_and_the_critical_path() -> None:
    plan = read_plan(make_plan())
    out = schedule_result_to_json(plan, schedule(plan_to_schedule_input(plan)))
    assert out["program"] | {"critical_paths": None} == {
        "key": "CLOUD",
        "start": "2027-02-01",
        "finish": "2027-02-19",
        "status_date": None,
        "critical_path": ["PLAT-1", "TRAIN-1"],
        "critical_paths": None,
        "near_critical": ["M1"],
    }
    task = out["tasks"][0]
    assert task == {
        "id": "PLAT-1",
        "project": "PLAT",
        "early_start": "2027-02-01",
        "early_finish": "2027-02-12",
        "late_start": "2027-02-01",
        "late_finish": "2027-02-12",
        "total_float": 0,
        "free_float": 0,
        "is_critical": True,
        "deadline_missed": False,
    }
    milestone = out["milestones"][0]
    assert (milestone["early_finish"], milestone["total_float"]) == ("2027-02-12", 5)
    assert (milestone["target"], milestone["target_missed"]) == ("2027-03-01", False)
    json.dumps(out)


def test_the_published_json_schema_matches_the_model() -> None:
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == plan_json_schema(), (
        "docs/plan-format.schema.json is stale: regenerate it with "
        "`python -m podium.interop.plan_format > docs/plan-format.schema.json`"
    )


def test_the_json_schema_refuses_unknown_fields_everywhere() -> None:
    schema = plan_json_schema()
    assert schema["additionalProperties"] is False
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values())


def test_a_dependency_listed_twice_is_a_problem_with_both_locations() -> None:
    import pytest

    from podium.interop.plan_format import PlanError, read_plan

    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "D", "name": "D", "start": "2027-01-04"},
        "projects": [{"key": "P", "name": "P"}],
        "tasks": [{"id": t, "project": "P", "name": t, "duration": 1} for t in ("A", "B")],
        "dependencies": [{"from": "A", "to": "B"}, {"from": "A", "to": "B", "lag": 2}],
    }
    with pytest.raises(PlanError) as caught:
        read_plan(plan)
    assert caught.value.problems == [
        {
            "location": "dependencies[1]",
            "message": "duplicate dependency 'A' → 'B' (also dependencies[0])",
        }
    ]


def test_a_plan_milestone_whose_work_is_done_sits_on_its_finish_not_the_status_date() -> None:
    """PLAT-1 finished Fri 12 Feb; the status date is a week later: M1 was reached on
    the 12th (as in the database's programs), TRAIN-1 still waits for the status date."""
    data = make_plan()
    data["program"]["status_date"] = "2027-02-19"
    data["tasks"][0] |= {
        "actual_start": "2027-02-01",
        "actual_finish": "2027-02-12",
        "percent_complete": 100,
    }
    plan = read_plan(data)
    out = schedule_result_to_json(plan, schedule(plan_to_schedule_input(plan)))
    (milestone,) = out["milestones"]
    assert milestone["early_finish"] == "2027-02-12"
    train = next(t for t in out["tasks"] if t["id"] == "TRAIN-1")
    assert train["early_start"] == "2027-02-19"
