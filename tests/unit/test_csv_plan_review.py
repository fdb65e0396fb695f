"""CSV files as spreadsheets save them: UTF-16, a workbook picked by mistake, a header
without rows, finished tasks' actual finishes and tasks in progress."""

from __future__ import annotations

import csv
import io

import pytest

from podium.interop.csv_plan import read_csv_plan, write_csv_plan
from podium.interop.plan_format import read_plan

TEXT = "Name\tDuration\tResources\nCafé au lait\t3\tJosé\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_a_spreadsheet_saves_as_unicode_text_is_read(codec: str) -> None:
    result = read_csv_plan(TEXT.encode(codec))
    assert result.problems == []
    assert [t["name"] for t in result.document["tasks"]] == ["Café au lait"]
    assert [r["name"] for r in result.document["resources"]] == ["José"]


@pytest.mark.parametrize(
    ("head", "says"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00", ".mpp"),
    ],
)
def test_a_workbook_or_binary_project_file_is_refused_with_what_to_do(
    head: bytes, says: str
) -> None:
    result = read_csv_plan(head + bytes(range(256)))
    assert len(result.problems) == 1
    assert result.problems[0].location == "file"
    assert says in result.problems[0].message and "save" in result.problems[0].message


def test_a_header_line_without_tasks_is_refused_not_imported_as_an_empty_program() -> None:
    result = read_csv_plan(b"\xef\xbb\xbfID,Name,Duration\r\n\r\n")
    assert [(p.location, p.message) for p in result.problems] == [
        ("line 2", "no tasks: the file has only its header line")
    ]


def test_a_finished_task_keeps_its_actual_finish_through_export_and_import() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "P", "name": "P", "start": "2027-01-04"},
        "projects": [{"key": "P", "name": "Bridge"}],
        "tasks": [
            # ten days of work that took twelve: the finish is not start + duration
            {
                "id": "P-1",
                "project": "P",
                "name": "Survey",
                "duration": 10,
                "actual_start": "2027-01-04",
                "actual_finish": "2027-01-19",
                "percent_complete": 100,
            },
        ],
    }
    written = write_csv_plan(document)
    assert written.decode("utf-8-sig").splitlines()[1].split(",")[6:8] == [
        "2027-01-04",
        "2027-01-19",
    ]
    again = read_csv_plan(written)
    assert again.problems == []
    task = again.document["tasks"][0]
    assert (task["actual_start"], task["actual_finish"]) == ("2027-01-04", "2027-01-19")
    read_plan(again.document)
    assert write_csv_plan(again.document) == written


def test_a_finish_of_an_unfinished_task_is_not_read_and_that_is_said() -> None:
    text = (
        "Name,Duration,Start,Finish,% Complete\n"
        "Dig,5,2027-01-04,2027-01-08,40\n"
        "Pour,5,2027-01-11,TBD,\n"
    )
    result = read_csv_plan(text.encode())
    assert result.problems == []
    assert all("actual_finish" not in t for t in result.document["tasks"])
    assert any(n.startswith("Finish is read for finished tasks") for n in result.notes)
    assert any(n.startswith("1 task is in progress") and "status date" in n for n in result.notes)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Dig,5,2027-01-04,2027-01-01,100", "is before the task's start"),
        ("Dig,5,2027-01-04,someday,100", "'someday' is not a date (YYYY-MM-DD)"),
    ],
)
def test_a_wrong_finish_is_a_problem_at_its_line_and_column(row: str, message: str) -> None:
    result = read_csv_plan(f"Name,Duration,Start,Finish,% Complete\n{row}\n".encode())
    assert [(p.location, p.message) for p in result.problems] == [
        ("line 2, column Finish", message)
    ]


def test_ids_a_spreadsheet_would_run_as_formulas_are_written_inert_and_read_back() -> None:
    # a plan file's task ids are free text: one may start like a formula
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "P", "name": "P", "start": "2027-01-04"},
        "projects": [{"key": "P", "name": "Bridge"}],
        "tasks": [
            {"id": '=HYPERLINK("http://x")', "project": "P", "name": "Dig", "duration": 2},
            {"id": "@2", "project": "P", "name": "Pour", "duration": 1},
        ],
        "dependencies": [{"from": '=HYPERLINK("http://x")', "to": "@2", "type": "FS", "lag": 0}],
    }
    written = write_csv_plan(document)
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"))))
    for row in rows:
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row), row
    again = read_csv_plan(written)
    assert again.problems == []
    assert [t["id"] for t in again.document["tasks"]] == ['=HYPERLINK("http://x")', "@2"]
    assert [(d["from"], d["to"]) for d in again.document["dependencies"]] == [
        ('=HYPERLINK("http://x")', "@2")
    ]


def test_a_milestone_done_on_its_finish_day_needs_no_start() -> None:
    text = "Name,Duration,Start,Finish,% Complete\nGo-live,0,,2027-03-01,100\n"
    result = read_csv_plan(text.encode())
    assert result.problems == []
    task = result.document["tasks"][0]
    assert (task["actual_start"], task["actual_finish"]) == ("2027-03-01", "2027-03-01")
    read_plan(result.document)


def test_a_finished_task_without_its_start_is_one_problem_not_two() -> None:
    text = "Name,Duration,Start,Finish,% Complete\nDig,5,,2027-03-01,100\n"
    result = read_csv_plan(text.encode())
    assert [(p.location, p.message) for p in result.problems] == [
        ("line 2, column % Complete", "a task with progress needs its actual start in Start")
    ]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (f"2,B,{'1' + '0' * 400}w,", "Duration", "is more than 100,000 working days"),
        (f"2,B,1,1FS+{'1' + '0' * 400}", "Predecessors", ": a lag of more than 10,000 working"),
    ],
    ids=["duration", "lag"],
)
def test_a_number_past_the_largest_float_is_a_problem_at_its_line_and_column(
    row: str, column: str, message: str
) -> None:
    # a float of it is infinity, which no whole number of days is
    result = read_csv_plan(f"ID,Name,Duration,Predecessors\n1,A,1,\n{row}\n".encode())
    (problem,) = result.problems
    assert problem.location == f"line 3, column {column}"
    assert message in problem.message and len(problem.message) < 120
