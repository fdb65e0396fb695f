"""An XER whose TASK table lists one activity twice: refused, not imported as two tasks."""

from __future__ import annotations

from pathlib import Path

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
