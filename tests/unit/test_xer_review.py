"""An XER whose TASK table lists one activity twice, or progress out of range: refused,
not imported; what is not carried over is in the import's notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.interop.xer import read_xer

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "projects"


def test_an_activity_row_written_twice_is_a_problem_at_the_second_row() -> None:
    lines = (DATA / "mpxj_percent-complete-8.4.xer").read_bytes().split(b"\n")
    header = next(n for n, line in enumerate(lines) if line.startswith(b"%T\tTASK"))
    first = header + 2  # the %F line, then the first %R row
    doubled = b"\n".join([*lines[: first + 1], lines[first], *lines[first + 1 :]])
    result = read_xer(doubled)
    assert [(p.location, p.message) for p in result.problems] == [
        (
            "TASK row 2 (task_code A1000, line 38)",
            "task_id 101717 is used twice (also TASK row 1 (task_code A1000, line 37))",
        )
    ]


def test_the_file_as_written_reads_every_activity_once() -> None:
    result = read_xer((DATA / "mpxj_percent-complete-8.4.xer").read_bytes())
    assert result.problems == []
    assert len(result.document["tasks"]) == 12


def _changed(changes: dict[str, dict[str, str]]) -> bytes:
    """The percent-complete file with fields of its TASK rows (by task_code) changed."""
    lines = (DATA / "mpxj_percent-complete-8.4.xer").read_bytes().split(b"\n")
    fields: list[bytes] = []
    for n, line in enumerate(lines):
        if line.startswith(b"%F\t") and lines[n - 1].startswith(b"%T\tTASK"):
            fields = line.split(b"\t")[1:]
        elif line.startswith(b"%R\t") and fields and len(line.split(b"\t")) == len(fields) + 1:
            values = line.split(b"\t")[1:]
            code = values[fields.index(b"task_code")].decode()
            for name, value in changes.get(code, {}).items():
                values[fields.index(name.encode())] = value.encode()
            lines[n] = b"\t".join([b"%R", *values])
        elif line.startswith(b"%T"):
            fields = []
    return b"\n".join(lines)


def test_constraints_not_carried_over_are_in_the_imports_notes_whatever_the_dates() -> None:
    result = read_xer(
        _changed(
            {
                "A1000": {"cstr_type": "CS_ALAP"},
                "A1010": {"cstr_type": "CS_WHAT", "cstr_date": "2015-03-01 08:00"},
                "A1020": {"cstr_type": "CS_MSO"},  # without its date
                "A1030": {"cstr_type": "CS_MSO"},
                "A1040": {"task_type": "TT_LOE"},
            }
        )
    )
    assert result.problems == []
    assert result.notes == [
        "A1000: as-late-as-possible (CS_ALAP) is not carried over: scheduled as soon as possible",
        "A1010: constraint CS_WHAT was not carried over",
        "2 activities: A1020, A1030: constraint CS_MSO without a date was left out",
        "A1040: a level-of-effort activity, scheduled as an ordinary task",
    ]
    assert "as-late-as-possible" in result.file_dates["A1000"].note  # its reason, kept too


@pytest.mark.parametrize(
    ("code", "changes", "message"),
    [
        ("A1050", {"phys_complete_pct": "500"}, "phys_complete_pct 500 is not between 0 and 100"),
        ("A1050", {"phys_complete_pct": "-20"}, "phys_complete_pct -20 is not between 0 and 100"),
        ("A1010", {"remain_drtn_hr_cnt": "-800"}, "remain_drtn_hr_cnt -800 is negative"),
        ("A1090", {"act_work_qty": "-25"}, "act_work_qty -25 is negative"),
    ],
)
def test_progress_out_of_range_is_a_problem_as_in_microsoft_project_xml(
    code: str, changes: dict[str, str], message: str
) -> None:
    result = read_xer(_changed({code: changes}))
    assert [(p.location.split(",")[0], p.message) for p in result.problems] == [
        (f"TASK row {int(code[1:]) // 10 - 99} (task_code {code}", message)
    ]
    assert result.document == {}


def test_more_remaining_than_planned_is_an_activity_running_late_not_a_problem() -> None:
    result = read_xer(_changed({"A1010": {"remain_drtn_hr_cnt": "1000"}}))
    assert result.problems == []
    task = next(t for t in result.document["tasks"] if t["id"] == "A1010")
    assert "percent_complete" not in task  # no progress yet


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"(d|41519)", b"(d|" + b"9" * 5000 + b")", "an exception on day '9999"),
        (b"(d|41519)", b"(d|99999999999)", "an exception on day '99999999999', past any date"),
        (b"(0||2()(", b"(0||" + b"2" * 5000 + b"()(", "unknown day of the week '2222"),
    ],
    ids=["digits", "past-9999", "weekday"],
)
def test_calendar_day_numbers_past_any_date_are_a_problem_of_the_calendar(
    old: bytes, new: bytes, message: str
) -> None:
    data = (DATA / "mpxj_percent-complete-8.4.xer").read_bytes()
    (problem,) = read_xer(data.replace(old, new, 1)).problems
    assert problem.location.startswith("CALENDAR row 1 (")
    assert problem.message.startswith(f"clndr_data: {message}") and len(problem.message) < 120
