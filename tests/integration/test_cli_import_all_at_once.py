"""`podium import` of a file with problems lists them all at once, each at its place in the
file, as the API does; a hostile file is an error in words, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.models import Program
from tests.integration.test_cli import podium

CSV = (
    b"ID,Name,Duration,Predecessors,Start\n"
    b"1,Survey,x,2,2027-01-04\n"
    b"2,Design,3,1,2027-01-04\n"
    b"3,Build,2,,3027-01-04\n"
    b"4,,2,9,\n"
)


def _programs(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Program)) or 0


def test_every_problem_of_a_csv_is_listed_at_once(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "tasks.csv"
    path.write_bytes(CSV)
    code, out = podium("import", str(path))
    assert code == 1
    text = " ".join(out.split())
    assert "5 problem(s)" in text
    for where, what in [
        ("line 2, column Duration", "'x' is not a duration"),
        ("line 2, column Predecessors", "dependency cycle: 2 → 1 → 2"),
        ("line 4, column Start", "3027-01-04 is outside"),
        ("line 5, column Name", "a task needs a name"),
        ("line 5, column Predecessors", "'9': no task with that id"),
    ]:
        assert where in out and what in text
    assert out.index("line 2, column Duration") < out.index("line 4, column Start")
    assert _programs(engine) == 0


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        (
            "deep.xer",
            b"ERMHDR\t19.12\n%T\tCALENDAR\n%F\tclndr_id\tclndr_name\tclndr_data\n%R\t1\tStd\t"
            + b"(0||a()(" * 5000
            + b"\n%E\n",
            "clndr_data: nested more than 20 levels deep",
        ),
        ("tasks.xml", CSV, "not XML: the file does not start with a tag"),
        ("empty.json", b"", "the file is empty"),
    ],
    ids=["nested-calendar", "csv-as-xml", "empty-plan"],
)
def test_a_hostile_file_is_an_error_in_words(
    cli_env: None, engine: Engine, tmp_path: Path, name: str, data: bytes, said: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out = podium("import", str(path))
    assert code == 1 and said in " ".join(out.split())
    assert "Traceback" not in out and "Error" not in out
    assert _programs(engine) == 0
