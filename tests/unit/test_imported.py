"""Problems the plan checks find in what a reader produced, located in the file."""

from __future__ import annotations

from podium.interop.csv_plan import read_csv_plan
from podium.interop.imported import ImportedPlan
from podium.interop.plan_format import PlanError, read_plan


def test_a_path_is_located_by_its_item_its_field_or_left_as_it_is() -> None:
    imported = ImportedPlan(
        format="csv",
        origins={
            "tasks[0]": "line 2",
            "tasks[0].name": "line 2, column Title",
            "dependencies[0]": "line 3, column After",
        },
    )
    problems = [
        {"location": "tasks[0].name", "message": "too long"},
        {"location": "tasks[0].constraint.date", "message": "not a date"},
        {"location": "dependencies[0]", "message": "a cycle"},
        {"location": "dependencies[1]", "message": "unknown"},
        {"location": "program.start", "message": "missing"},
    ]
    assert [(p["location"], p.get("path")) for p in imported.locate(problems)] == [
        ("line 2, column Title", "tasks[0].name"),
        ("line 2 (constraint.date)", "tasks[0].constraint.date"),
        ("line 3, column After", "dependencies[0]"),
        ("dependencies[1]", None),
        ("program.start", None),
    ]
    assert [p["message"] for p in imported.locate(problems)] == [p["message"] for p in problems]


def _located(data: bytes) -> tuple[ImportedPlan, list[dict[str, str]]]:
    imported = read_csv_plan(data)
    assert imported.ok
    try:
        read_plan(imported.document)
    except PlanError as error:
        return imported, imported.locate(error.problems)
    raise AssertionError("the plan checks found nothing")


def test_a_csv_reader_knows_the_line_and_column_of_each_item() -> None:
    header = b"ID,Title,Days,Predecessors,Resources\n"
    imported, [cycle] = _located(header + b"1,Dig,5,3,Ana\n2,Pour,2,1,Bo[50%]\n3,Cure,4,2,Ana\n")
    assert cycle["message"] == "dependency cycle: 2 → 3 → 1 → 2"
    # the link 2 → 3 is read on line 4, where its Predecessors column names 2
    assert (cycle["location"], cycle["path"]) == ("line 4, column Predecessors", "dependencies[2]")
    assert imported.origins["assignments[2]"] == "line 4, column Resources"
    assert imported.origins["resources[0]"] == "line 2, column Resources"  # Ana, first seen there
    assert imported.origins["projects[0]"] == "line 2"  # no project column: the first line
    _, [name] = _located(header + b"1,Dig,5,,\n2," + b"x" * 301 + b",2,1,\n")
    assert (name["location"], name["path"]) == ("line 3, column Title", "tasks[1].name")
