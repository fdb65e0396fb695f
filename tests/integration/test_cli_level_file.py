"""`podium schedule --file … --level`: leveling plan and PSPLIB files without a database."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from podium.cli import app

runner = CliRunner()
PSPLIB = Path("/work/shared/data/psplib")


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


def two_projects(*, units: float = 1.0) -> dict[str, Any]:
    """Ana works on DATA-1 (5 days, then DATA-2: 4 days without her) and SEC-1 (3 days),
    all free to start on Monday 2027-01-04: one of her tasks has to wait."""
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "LVL", "name": "Leveling", "start": "2027-01-04"},
        "projects": [{"key": "DATA", "name": "Data"}, {"key": "SEC", "name": "Security"}],
        "tasks": [
            {"id": "DATA-1", "project": "DATA", "name": "Extract", "duration": 5},
            {"id": "DATA-2", "project": "DATA", "name": "Load", "duration": 4},
            {"id": "SEC-1", "project": "SEC", "name": "Review", "duration": 3},
        ],
        "dependencies": [{"from": "DATA-1", "to": "DATA-2"}],
        "resources": [{"id": "ana", "name": "Ana"}],
        "assignments": [
            {"task": "DATA-1", "resource": "ana", "units": units},
            {"task": "SEC-1", "resource": "ana", "units": units},
        ],
    }


def level(tmp_path: Path, plan: dict[str, Any], *options: str) -> dict[str, Any]:
    source, result = tmp_path / "plan.json", tmp_path / "result.json"
    source.write_text(json.dumps(plan))
    code, out = podium(
        "schedule", "--file", str(source), "--level", *options, "--output", str(result)
    )
    assert code == 0, out
    data: dict[str, Any] = json.loads(result.read_text())
    return data


def rows(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in result["tasks"]}


def test_the_shorter_task_waits_for_the_person_both_projects_need(tmp_path: Path) -> None:
    # Ana on SEC-1 first would hold DATA-1 and its successor back: a 12-day program;
    # SEC-1 waiting until DATA-1 is done (Mon 11 to Wed 13) keeps it at 9 days.
    result = level(tmp_path, two_projects())
    assert result["format"] == "podium-leveling-result" and result["version"] == 1
    assert (result["method"], result["optimal"]) == ("heuristic", True)
    assert (result["status"], result["heuristic_kept"]) == ("optimal", None)
    assert (result["makespan"], result["unleveled_makespan"], result["lower_bound"]) == (9, 9, 9)
    assert result["program"] == {"start": "2027-01-04", "finish": "2027-01-14"}
    by_id = rows(result)
    assert by_id["SEC-1"] == {
        "id": "SEC-1",
        "start": "2027-01-11",
        "finish": "2027-01-13",
        "start_delay": 5,
        "finish_delay": 5,
    }
    assert (by_id["DATA-1"]["start"], by_id["DATA-1"]["finish_delay"]) == ("2027-01-04", 0)
    assert (by_id["DATA-2"]["finish"], by_id["DATA-2"]["finish_delay"]) == ("2027-01-14", 0)


def test_the_optimizing_solver_finds_the_same_plan_and_proves_it(tmp_path: Path) -> None:
    result = level(tmp_path, two_projects(), "--optimize", "--time-limit", "5")
    assert (result["method"], result["optimal"], result["makespan"]) in {
        ("cp-sat", True, 9),
        ("heuristic", True, 9),
    }
    assert rows(result)["SEC-1"]["start"] == "2027-01-11"


def test_half_time_on_both_tasks_fits_in_one_person(tmp_path: Path) -> None:
    result = level(tmp_path, two_projects(units=0.5))
    assert result["makespan"] == result["unleveled_makespan"] == 9
    assert all(row["start_delay"] == row["finish_delay"] == 0 for row in result["tasks"])
    assert rows(result)["SEC-1"]["start"] == "2027-01-04"


def test_more_than_half_time_on_both_makes_one_wait(tmp_path: Path) -> None:
    result = level(tmp_path, two_projects(units=0.6))
    assert rows(result)["SEC-1"]["start_delay"] == 5


def test_time_off_pauses_the_task_of_the_person_away(tmp_path: Path) -> None:
    plan = two_projects()
    plan["resources"].append(
        {
            "id": "bob",
            "name": "Bob",
            "time_off": [{"start": "2027-01-06", "finish": "2027-01-07", "note": "away"}],
        }
    )
    plan["assignments"][1]["resource"] = "bob"
    # Bob's 3 days on SEC-1: Mon 4, Tue 5, (away Wed 6 and Thu 7), Fri 8
    result = level(tmp_path, plan)
    sec = rows(result)["SEC-1"]
    assert (sec["start"], sec["finish"], sec["finish_delay"]) == ("2027-01-04", "2027-01-08", 0)
    source = tmp_path / "plan.json"
    code, out = podium("schedule", "--file", str(source))
    assert code == 0, out
    schedule = {t["id"]: t for t in json.loads(out)["tasks"]}
    assert schedule["SEC-1"]["early_finish"] == "2027-01-08"


def test_the_summary_table_names_the_delayed_task(tmp_path: Path) -> None:
    source, result = tmp_path / "plan.json", tmp_path / "result.json"
    source.write_text(json.dumps(two_projects()))
    code, out = podium("schedule", "--file", str(source), "--level", "--output", str(result))
    assert code == 0, out
    assert "makespan 9" in out and "Delayed by leveling (1)" in out and "SEC-1" in out


def test_the_result_goes_to_stdout_without_output(tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(two_projects()))
    result = runner.invoke(app, ["schedule", "--file", str(source), "--level"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["makespan"] == 9


def _optimum(instance: str) -> int:
    with (PSPLIB / "bounds.csv").open() as f:
        for row in csv.DictReader(f):
            if row["instance"] == instance and row["optimal"] == "true":
                return int(row["upper_bound"])
    raise AssertionError(f"no optimum for {instance}")


@pytest.mark.skipif(not PSPLIB.parent.is_dir(), reason="shared PSPLIB data not available")
def test_a_psplib_j30_instance_reaches_its_known_optimum(tmp_path: Path) -> None:
    instance = PSPLIB / "j30" / "j301_1.sm"
    out_file = tmp_path / "j301_1.json"
    code, out = podium(
        "schedule",
        "--file",
        str(instance),
        "--level",
        "--optimize",
        "--time-limit",
        "20",
        "--output",
        str(out_file),
    )
    assert code == 0, out
    result = json.loads(out_file.read_text())
    assert result["makespan"] == _optimum("j301_1") and result["optimal"] is True
    assert len(result["tasks"]) == 32 and result["tasks"][0]["id"] == "J1"
    code, out = podium("schedule", "--file", str(instance))
    assert code == 0, out
    assert json.loads(out)["format"] == "podium-schedule"


def test_an_assignment_to_an_unknown_resource_is_listed_and_exits_1(tmp_path: Path) -> None:
    plan = two_projects()
    plan["assignments"][1]["resource"] = "nobody"
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(plan))
    code, out = podium("schedule", "--file", str(source), "--level")
    assert code == 1
    assert "assignments[1].resource" in out and "unknown resource 'nobody'" in out


def test_a_bad_psplib_file_is_refused_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.sm"
    bad.write_text("jobs (incl. supersource/sink ):  x\n")
    code, out = podium("schedule", "--file", str(bad), "--level")
    assert code == 1 and "not a PSPLIB instance" in out
    assert "'jobs': no number after the colon" in out.replace("\n", "")


def test_optimize_and_time_limit_need_level(tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(two_projects()))
    code, out = podium("schedule", "--file", str(source), "--optimize")
    assert code == 1 and "needs --level" in out
    code, out = podium("schedule", "--file", str(source), "--time-limit", "3")
    assert code == 1 and "needs --level" in out
    code, out = podium("schedule", "LVL", "--level")
    assert code == 1 and "--file" in out


@pytest.mark.parametrize("leveled", [True, False])
def test_an_output_that_cannot_be_written_is_refused_before_the_work(
    tmp_path: Path, leveled: bool
) -> None:
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(two_projects()))
    level = ["--level"] if leveled else []
    for output, said in (
        (tmp_path / "no-such-folder" / "result.json", "there is no folder"),
        (tmp_path, "is a folder"),
    ):
        code, out = podium("schedule", "--file", str(source), *level, "--output", str(output))
        assert code == 1 and said in " ".join(out.split()), out
    assert not (tmp_path / "no-such-folder").exists()
