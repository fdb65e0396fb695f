"""`podium import` of a file it cannot import says why as the API does: another tool's
format named, an option named as the option (`--key`), a key taken with how to give
another; and the summary of an import counts in words (`1 project`, `0 tasks`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.models import Program
from tests.integration.test_cli import podium

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
XER = DATA / "mpxj_TwentyFourHourCalendar.xer"
READS = (
    "not a format Podium reads (it reads Microsoft Project XML, Primavera P6 XER, CSV and "
    "Podium plan JSON)"
)

pytestmark = pytest.mark.skipif(not XER.exists(), reason="the shared project files are not here")


def _programs(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Program)) or 0


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("taskjuggler_todolist.tjp", "it is a TaskJuggler project"),
        (
            "ganttproject_HouseBuildingSample.gan",
            "it is a GanttProject file (XML whose root element is <project>)",
        ),
    ],
)
def test_a_file_of_another_tool_is_named_not_read_as_a_csv_or_project_xml(
    cli_env: None, engine: Engine, name: str, said: str
) -> None:
    for args in ((), ("--columns",)):
        code, out = podium("import", str(DATA / name), *args)
        text = " ".join(out.split())
        assert code == 1 and text.startswith(f"error: cannot import this file: {said}, {READS}")
        assert "CSV:" not in text and "Microsoft Project XML:" not in text
    assert _programs(engine) == 0


def test_binary_data_is_named_without_echoing_it(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(bytes(range(256)) * 8)
    code, out = podium("import", str(path))
    assert code == 1 and f"error: cannot import this file: it is binary data, {READS}" in " ".join(
        out.split()
    )
    assert all(c.isprintable() or c in "\n" for c in out)
    assert _programs(engine) == 0


def test_a_malformed_key_names_the_option(cli_env: None, engine: Engine) -> None:
    code, out = podium("import", str(XER), "--key", "1bad")
    assert code == 1
    assert "error: --key: a letter, then up to 19 letters, digits, - or _" in out
    assert "cannot import this file" not in out
    assert _programs(engine) == 0


def test_a_key_taken_says_so_and_how_to_give_another(demo: None, engine: Engine) -> None:
    before = _programs(engine)
    code, out = podium("import", str(XER), "--key", "cloud")
    assert code == 1
    assert "error: a program with key 'CLOUD' already exists" in out
    assert "Give the imported program another key with --key." in out
    assert podium("import", str(XER))[0] == 0
    code, out = podium("import", str(XER))  # the file's own key, now taken
    assert code == 1 and "program.key" in out and "another key with --key" in out
    assert _programs(engine) == before + 1


def test_the_summary_counts_one_in_the_singular(cli_env: None) -> None:
    code, out = podium("import", str(DATA / "ganttproject_issue1520.xml"), "--key", "ONE")
    assert code == 0, out
    assert (
        "1 project, 0 tasks, 0 milestones, 0 dependencies, 1 calendar, 0 resources, "
        "0 assignments." in " ".join(out.split())
    )


def test_a_number_of_more_digits_than_python_reads_is_an_error_not_a_traceback(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "big.json"
    path.write_text(
        '{"format": "podium-plan", "version": 1, "program": {"key": "BIG", "name": "Big", '
        '"start": "2027-01-04", "description": "x"}, "budget": 1' + "0" * 5000 + "}"
    )
    said = "a number at line 1 column 136 has 5,001 digits (at most 4,300 are read)"
    for args in (("import", str(path)), ("schedule", "--file", str(path))):
        code, out = podium(*args)
        assert code == 1, out
        assert said in " ".join(out.split()) and "Traceback" not in out
    assert _programs(engine) == 0
