"""A file that cannot be imported lists every problem at once, each once, at its place:
the reader's and the plan's own checks (cross-references, cycles, dates outside the
window, control characters) together, without a check naming again what the reader
named, nor calling a reference unknown when what it names was refused for its type."""

from __future__ import annotations

import json
from typing import Any

import pytest

from podium.interop.plan_format import PlanError, read_plan
from podium.services.import_checks import refused_file_problems
from podium.services.import_readers import read_file

WINDOW = "is outside the dates a plan may hold (1900-01-01 to 2200-12-31): check the year"


def _problems(data: bytes, filename: str) -> list[dict[str, str]]:
    imported = read_file(data, filename=filename)
    assert imported.problems, "the file was expected to be refused"
    return [
        {"location": p["location"], "message": p["message"]}
        for p in refused_file_problems(imported)
    ]


def _plan(**parts: Any) -> bytes:
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "PX", "name": "P", "start": "2027-01-04"},
        "projects": [{"key": "A", "name": "A"}],
        "tasks": [],
        "dependencies": [],
    }
    return json.dumps(plan | parts).encode()


def _task(tid: Any, **fields: Any) -> dict[str, Any]:
    return {"id": tid, "project": "A", "name": f"Task {tid}", "duration": 2} | fields


def test_a_plan_lists_wrong_types_unknown_references_cycles_and_far_dates_together() -> None:
    data = _plan(
        tasks=[
            _task("A-1", duration="x"),
            _task("A-2", deadline="3027-01-01"),
            _task("A-3", project="B"),
        ],
        dependencies=[
            {"from": "A-1", "to": "A-2"},
            {"from": "A-2", "to": "A-1"},
            {"from": "A-2", "to": "Z"},
        ],
    )
    assert _problems(data, "plan.json") == [
        {"location": "tasks[0].duration", "message": "Input should be a valid integer"},
        {"location": "tasks[2].project", "message": "unknown project 'B'"},
        {"location": "dependencies[2].to", "message": "unknown task or milestone 'Z'"},
        {"location": "dependencies[1]", "message": "dependency cycle: A-2 → A-1 → A-2"},
        {"location": "tasks[1].deadline", "message": f"3027-01-01 {WINDOW}"},
    ]


def test_a_reference_to_a_task_refused_for_its_type_is_not_also_unknown() -> None:
    data = _plan(
        tasks=[_task("A-1"), _task(7), "A-9"],
        dependencies=[{"from": "7", "to": "A-1"}, {"from": "A-9", "to": "A-1"}],
        projects=[{"key": "A", "name": "A"}, {"key": 5, "name": "Five"}],
    )
    problems = _problems(data, "plan.json")
    assert [p["location"] for p in problems] == ["projects[1].key", "tasks[1].id", "tasks[2]"]
    assert not any("unknown" in p["message"] for p in problems)


def test_a_half_character_is_located_and_the_rest_of_the_plan_still_checked() -> None:
    text = _plan(tasks=[_task("A-1", duration="x")]).decode().replace('"P"', '"P\\ud800"')
    problems = _problems(text.encode(), "plan.json")
    assert problems == [
        {
            "location": "program.name",
            "message": "holds an escape (\\uD800–\\uDFFF) that is half of a character "
            "without its other half",
        },
        {"location": "tasks[0].duration", "message": "Input should be a valid integer"},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("\n  \n", "the file is empty"),
        ('{"a" 1}', "not JSON: a colon (:) was expected after the field name (line 1 column 6)"),
        (
            '{"a": 1 "b": 2}',
            "not JSON: a comma (,) was expected between two values (line 1 column 9)",
        ),
        ('{"a": "x', 'not JSON: a text is not closed by a double quote (") (line 1 column 7)'),
        ("{} x", "not JSON: more text follows the end of the plan's object (line 1 column 4)"),
    ],
)
def test_text_that_is_no_json_is_said_in_words(text: str, message: str) -> None:
    with pytest.raises(PlanError) as caught:
        read_plan(text.encode())
    assert caught.value.problems == [{"location": "", "message": message}]


def test_a_csv_lists_the_readers_problems_and_the_plans_in_the_order_of_its_lines() -> None:
    data = (
        b"ID,Name,Duration,Predecessors,Start\n"
        b"1,one,x,2,2027-01-04\n"
        b"2,two,3,1,2027-01-04\n"
        b"3,three,2,,3027-01-04\n"
        b"4,,2,9,\n"
        b"5,fi\x01ve,2,,\n"
    )
    assert _problems(data, "tasks.csv") == [
        {
            "location": "line 2, column Duration",
            "message": "'x' is not a duration (5, 5d, 3w, 16h)",
        },
        {"location": "line 2, column Predecessors", "message": "dependency cycle: 2 → 1 → 2"},
        {"location": "line 4, column Start", "message": f"3027-01-04 {WINDOW}"},
        {"location": "line 5, column Name", "message": "a task needs a name"},
        {"location": "line 5, column Predecessors", "message": "'9': no task with that id"},
        {
            "location": "line 6, column Name",
            "message": "contains a control character (\\x01): only tabs and line breaks are text",
        },
    ]


def test_a_csv_id_used_twice_is_named_once() -> None:
    data = b"ID,Name,Duration\n1,one,2\n1,two,x\n"
    assert _problems(data, "tasks.csv") == [
        {"location": "line 3, column ID", "message": "'1' is used twice"},
        {
            "location": "line 3, column Duration",
            "message": "'x' is not a duration (5, 5d, 3w, 16h)",
        },
    ]


@pytest.mark.parametrize(
    ("data", "location", "message"),
    [
        (
            b'Name,Duration\n"Dig,' + b"x" * 200_000 + b"\n",
            "line 2",
            "a field is longer than 131,072 characters "
            '(a quote (") left open makes the rest of the file one field)',
        ),
        (
            b'Name,Duration\nDig,2\n"Fill,3\nLevel,4\n',
            "line 3",
            'a quote (") opened on this line is never closed: check the quotes',
        ),
    ],
    ids=["long-field", "unclosed-quote"],
)
def test_a_csv_the_reader_cannot_read_says_where_and_why(
    data: bytes, location: str, message: str
) -> None:
    assert _problems(data, "tasks.csv") == [{"location": location, "message": message}]


def test_a_csv_quote_closed_on_a_later_line_is_no_problem() -> None:
    imported = read_file(b'Name,Duration\nDig,2\n"Fill\nagain",3\n', filename="tasks.csv")
    assert imported.ok, imported.problems
    assert imported.document["tasks"][1]["name"] == "Fill\nagain"


@pytest.mark.parametrize("depth", [210, 500, 980])
def test_a_plan_nested_deeper_than_any_plan_is_refused_as_such(depth: int) -> None:
    text = '{"format": "podium-plan", "version": 1, "x": ' + "[" * depth + "]" * depth + "}"
    assert _problems(text.encode(), "plan.json") == [
        {"location": "", "message": "not a plan: its JSON is nested too deeply"}
    ]
