"""CSV of tasks: mapping, predecessors, durations, resources, located problems, round trip."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from podium.interop.csv_plan import (
    auto_mapping,
    csv_columns,
    csv_preview,
    read_csv_plan,
    write_csv_plan,
)
from podium.interop.plan_format import read_plan

SAMPLE = """\
ID,Task Name,Project,Duration,Predecessors,Start,Resource Names,% Complete,Notes
1,Design,Bridge,5d,,2025-01-06,Ana,40%,first
2,Build,Bridge,3w,1FS+2,,Ana[50%];Bob,,
3,Inspect,Bridge,16h,"2SS-1, 1",,Bob,,
4,Open,Bridge,0,3,,,,
"""


def _read(
    text: str, mapping: dict[str, str] | None = None, *, encoding: str = "utf-8"
) -> dict[str, Any]:
    result = read_csv_plan(text.encode(encoding), mapping)
    assert result.problems == []
    read_plan(result.document)
    return result.document


def _problems(text: str, mapping: dict[str, str] | None = None) -> list[str]:
    result = read_csv_plan(text.encode(), mapping)
    assert result.document == {}
    return [f"{p.location}: {p.message}" for p in result.problems]


def test_common_header_names_are_mapped_automatically() -> None:
    columns = csv_columns(SAMPLE.encode())
    assert columns[:3] == ["ID", "Task Name", "Project"]
    assert auto_mapping(columns) == {
        "id": "ID",
        "name": "Task Name",
        "project": "Project",
        "duration": "Duration",
        "predecessors": "Predecessors",
        "start": "Start",
        "resources": "Resource Names",
        "percent_complete": "% Complete",
    }


def test_a_task_list_reads_into_a_valid_plan() -> None:
    result = read_csv_plan(SAMPLE.encode())
    document = result.document
    read_plan(document)
    tasks = {t["id"]: t for t in document["tasks"]}
    assert [t["duration"] for t in tasks.values()] == [5, 15, 2, 0]
    assert tasks["1"]["actual_start"] == "2025-01-06" and tasks["1"]["percent_complete"] == 40
    assert document["projects"] == [{"key": "Bridge", "name": "Bridge"}]
    assert document["program"]["start"] == "2025-01-06"
    assert "columns not imported: Notes" in result.notes


def test_predecessor_syntax_types_lags_and_lists() -> None:
    links = {(d["from"], d["to"]): d for d in _read(SAMPLE)["dependencies"]}
    assert links[("1", "2")] == {"from": "1", "to": "2", "type": "FS", "lag": 2}
    assert links[("2", "3")] == {"from": "2", "to": "3", "type": "SS", "lag": -1}
    assert links[("1", "3")] == {"from": "1", "to": "3", "type": "FS"}
    assert links[("3", "4")] == {"from": "3", "to": "4", "type": "FS"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("A-1FF+1w", ("FF", 5)), ("A-1SF-8h", ("SF", -1)), ("A-1", ("FS", 0)), ("A-1SS", ("SS", 0))],
)
def test_predecessors_on_ids_with_dashes_and_lag_units(
    cell: str, expected: tuple[str, int]
) -> None:
    text = f"ID;Name;Duration;Predecessors\nA-1;One;2;\nA-2;Two;2;{cell}\n"
    (link,) = _read(text)["dependencies"]
    assert (link["type"], link.get("lag", 0)) == expected


def test_without_an_id_column_predecessors_are_row_numbers() -> None:
    document = _read("Name\tDuration\tPredecessors\nOne\t1\t\nTwo\t2\t1\n")
    assert [t["id"] for t in document["tasks"]] == ["Tasks-1", "Tasks-2"]
    assert document["dependencies"] == [{"from": "Tasks-1", "to": "Tasks-2", "type": "FS"}]


def test_explicit_mapping_uses_the_chosen_columns() -> None:
    text = "Ref,What,Days,After,Who\nX1,Dig,4,,Ana\nX2,Pour,2,X1,Ana[25%]\n"
    mapping = {
        "id": "Ref",
        "name": "What",
        "duration": "Days",
        "predecessors": "After",
        "resources": "Who",
    }
    document = _read(text, mapping)
    assert [t["name"] for t in document["tasks"]] == ["Dig", "Pour"]
    assert document["assignments"] == [
        {"task": "X1", "resource": "Ana", "units": 1.0},
        {"task": "X2", "resource": "Ana", "units": 0.25},
    ]


def test_durations_with_units_and_resources_with_units() -> None:
    text = "Name,Duration,Resources\nA,2 days,\nB,1w,Zoë Smith[150%]\nC,12h,Al[0.5]\nD,4?,\n"
    result = read_csv_plan(text.encode())
    document = result.document
    read_plan(document)
    assert [t["duration"] for t in document["tasks"]] == [2, 5, 2, 4]
    assert {r["id"]: r["capacity"] for r in document["resources"]} == {"Zo-Smith": 1.5, "Al": 1.0}
    assert [a["units"] for a in document["assignments"]] == [1.5, 0.5]
    assert any("rounded" in n and "1.5 d → 2 d" in n for n in result.notes)


def test_wbs_codes_make_summary_tasks() -> None:
    text = "WBS,Name,Duration\n1,Phase,\n1.1,Dig,3\n1.2,Pour,2\n2,Handover,1\n"
    tasks = {t["name"]: t for t in _read(text)["tasks"]}
    assert tasks["Dig"]["parent"] == tasks["Phase"]["id"] == "Tasks-1"
    assert tasks["Phase"]["duration"] == 0 and "parent" not in tasks["Handover"]


def test_utf8_with_bom_semicolons_and_windows_1252() -> None:
    bom = "\ufeffName;Duration\nÉtude;3\n".encode()
    assert read_csv_plan(bom).document["tasks"][0]["name"] == "Étude"
    latin = read_csv_plan("Name;Duration\nÉtude;3\n".encode("cp1252"))
    assert latin.document["tasks"][0]["name"] == "Étude"
    assert any("Windows-1252" in n for n in latin.notes)


def test_semicolon_files_read_decimal_commas_as_a_european_spreadsheet_writes_them() -> None:
    text = "Name;Duration;Start;% Complete\nDig;2,5;2027-01-04;50,5\nFill;3d;;\n"
    plan = read_csv_plan(text.encode())
    assert plan.problems == []
    dig, fill = plan.document["tasks"]
    assert (dig["duration"], dig["percent_complete"], fill["duration"]) == (2, 50.5, 3)
    assert any("2.5 d → 2 d" in note for note in plan.notes)  # rounded, and said so
    # with commas between the cells, a comma is no decimal mark: a quoted "2,5" is refused
    assert read_csv_plan(b'Name,Duration\nDig,"2,5"\n').problems != []


def test_an_id_longer_than_a_task_key_is_refused_not_cut() -> None:
    long = "A" * 41
    plan = read_csv_plan(f"ID,Name,Duration\n{long},Dig,2\n{long}B,Fill,2\n".encode())
    assert [p.location for p in plan.problems] == ["line 2, column ID", "line 3, column ID"]
    assert "longer than a task key keeps (40)" in plan.problems[0].message


def test_every_problem_is_located_by_line_and_column() -> None:
    text = (
        "ID,Name,Duration,Predecessors,Start,Resources,% Complete\n"
        "1,Dig,five,,,,\n"
        "2,,2,9,,,\n"
        "\n"
        '3,"Pour\nconcrete",2,1XX+1,2025-02-30,,\n'
        "1,Again,2,,,,150\n"
        "5,Done,2,,,,50\n"
        "6,Gate,0,,,Ana,\n"
    )
    assert _problems(text) == [
        "line 2, column Duration: 'five' is not a duration (5, 5d, 3w, 16h)",
        "line 3, column Name: a task needs a name",
        "line 3, column Predecessors: '9': no task with that id",
        "line 5, column Predecessors: '1XX+1': no task with that id",
        "line 5, column Start: '2025-02-30' is not a date (YYYY-MM-DD)",
        "line 7, column ID: '1' is used twice",
        "line 7, column % Complete: must be between 0 and 100",
        "line 8, column % Complete: a task with progress needs its actual start in Start",
        "line 9, column Resources: a milestone has no work of its own to assign",
    ]


def test_file_level_problems() -> None:
    assert _problems("") == ["line 1: the file is empty: a header line is needed"]
    assert _problems("Colour,Size\nred,2\n") == [
        "line 1: no column for the task name (columns: Colour, Size)"
    ]
    assert _problems("Name,Days,Name\nA,1,B\n") == [
        "line 1: the column 'Name' (name) is in the header 2 times (columns 1, 3): "
        "rename all but one"
    ]
    # a file of very many columns is told by its first ones, not all of them
    wide = ",".join(f"C{i}" for i in range(5000)) + "\n" + ",".join("1" * 5000) + "\n"
    (problem,) = _problems(wide)
    assert problem.endswith("C18, C19 and 4980 more)") and len(problem) < 300
    assert _problems("Name,Days\nA,1\n", {"name": "Name", "duration": "Length"}) == [
        "mapping: duration: no column 'Length' in the file"
    ]

    unclosed = 'Name,Duration\n"Dig,' + "x" * 200_000 + "\n"
    assert _problems(unclosed) == [
        "line 2: a field is longer than 131,072 characters "
        '(a quote (") left open makes the rest of the file one field)'
    ]


def test_the_preview_is_the_first_rows_after_the_header_as_written() -> None:
    assert csv_preview(SAMPLE.encode(), rows=2) == [
        ["1", "Design", "Bridge", "5d", "", "2025-01-06", "Ana", "40%", "first"],
        ["2", "Build", "Bridge", "3w", "1FS+2", "", "Ana[50%];Bob", "", ""],
    ]
    assert csv_preview(b"Name;Days\n\nDig;3\n") == [["Dig", "3"]]
    assert csv_preview(b"") == []


def test_written_csv_reads_back_and_writes_the_same_bytes() -> None:
    text = (
        "ID,Name,Project,WBS,Duration,Predecessors,Start,Finish,Resources,% Complete\r\n"
        "1,Design,Bridge,1,,,,,,\r\n"
        "2,Survey,Bridge,1.1,5,,2025-01-06,2025-01-15,Ana,100\r\n"
        "3,Drawings,Bridge,1.2,15,2FS+2,,,Ana[50%]; Bob,\r\n"
        "4,Build,Road,2,2,2SS-1; 3,,,Bob,\r\n"
        "5,Open,Road,3,0,4FF,2025-03-03,,,\r\n"
    )
    document = _read(text)
    written = write_csv_plan(document)
    assert written.startswith(b"\xef\xbb\xbf")
    assert written.decode("utf-8-sig") == text
    again = read_csv_plan(written)
    assert again.document == document
    assert write_csv_plan(again.document) == written


def test_texts_a_spreadsheet_would_run_as_formulas_are_written_inert_and_read_back() -> None:
    text = (
        "ID,Name,Project,WBS,Duration,Predecessors,Start,Finish,Resources,% Complete\r\n"
        '1,"\'=HYPERLINK(""http://x"")",\'+Ops,1,5,,,,\'@Ana; Bob,\r\n'
        "2,'-cleanup,'+Ops,2,2,1,,,'=Bob[50%],\r\n"
        "3,Plain 'quote',Road,3,1,,,,Bob,\r\n"
    )
    document = _read(text)
    assert [t["name"] for t in document["tasks"]] == [
        '=HYPERLINK("http://x")',
        "-cleanup",
        "Plain 'quote'",
    ]
    assert [p["name"] for p in document["projects"]] == ["+Ops", "Road"]
    assert {r["name"] for r in document["resources"]} == {"@Ana", "Bob", "=Bob"}
    written = write_csv_plan(document).decode("utf-8-sig")
    assert written == text
    # no written cell starts with a character that makes a spreadsheet formula
    for row in csv.reader(io.StringIO(written)):
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row), row


def test_writer_handles_a_plan_exported_from_podium() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "P", "name": "P", "start": "2025-01-06"},
        "projects": [{"key": "PLAT", "name": "Platform"}],
        "tasks": [
            {
                "id": "PLAT-1",
                "project": "PLAT",
                "name": "Build, test",
                "duration": 3,
                "constraint": {"type": "mso", "date": "2025-01-08"},
            },
            {"id": "PLAT-2", "project": "PLAT", "name": "Ship", "duration": 0},
        ],
        "milestones": [{"id": "M1", "name": "Gate"}],
        "dependencies": [
            {"from": "PLAT-1", "to": "PLAT-2", "type": "FS", "lag": 0},
            {"from": "PLAT-2", "to": "M1", "type": "FS"},
        ],
    }
    rows = write_csv_plan(document).decode("utf-8-sig").splitlines()
    assert rows[1] == 'PLAT-1,"Build, test",Platform,1,3,,,,,'
    assert rows[2] == "PLAT-2,Ship,Platform,2,0,PLAT-1,,,,"
    assert len(rows) == 3


def test_a_percentage_lag_is_refused_with_how_to_write_it() -> None:
    text = "ID,Name,Duration,Predecessors\n1,Dig,4,\n2,Pour,2,1SS+50%\n"
    assert _problems(text) == [
        "line 3, column Predecessors: '1SS+50%': a lag in % of the predecessor is not read "
        "from a CSV; give it in days, weeks or hours (12FS+3, 12SS+1w)"
    ]
