"""`podium schedule` and a milestone no work leads to (*unfed*): it has no forecast.

By hand (program start Monday 4 January 2027, Mon–Fri): DATA-1 (5 d) runs 4–8
January; M1 (target 8 January) waits on it, GO (no target) on M1. BOARD (target
1 March), OLD (target 1 December 2026, before the program starts) and LATER (no
target) wait on nothing: the scheduler places them on the program's start, which is
no forecast, so they have neither a forecast nor a slip, and their targets are not
checked.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from podium.models import Dependency, Program
from podium.services.scheduling import reschedule_program
from tests.factories import make_milestone, make_program, make_project, make_task
from tests.integration.test_cli_programs import flat, podium, table_rows

pytestmark = pytest.mark.db


def _plan(db: Session) -> Program:
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    data = make_task(db, make_project(db, cloud, "DATA"), "DATA-1", name="Build the platform")
    m1, go = make_milestone(db, cloud, "M1"), make_milestone(db, cloud, "GO")
    m1.name, m1.target_date, go.name = "Platform ready", date(2027, 1, 8), "Go live"
    for key, name, target in (
        ("BOARD", "Board sign-off", date(2027, 3, 1)),
        ("OLD", "Old promise", date(2026, 12, 1)),
        ("LATER", "Someday", None),
    ):
        unfed = make_milestone(db, cloud, key)
        unfed.name, unfed.target_date = name, target
    db.add(
        Dependency(program_id=cloud.id, predecessor_task_id=data.id, successor_milestone_id=m1.id)
    )
    db.add(
        Dependency(
            program_id=cloud.id, predecessor_milestone_id=m1.id, successor_milestone_id=go.id
        )
    )
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    return cloud


def test_schedule_says_an_unfed_milestone_has_no_forecast_yet(cli_env: None, db: Session) -> None:
    _plan(db)
    code, out = podium("schedule", "CLOUD")
    assert code == 0, out
    milestones = out[out.index("Milestones") :]
    rows = table_rows(milestones)
    assert rows["M1 Platform ready"] == ["2027-01-08", "2027-01-08", "0"]
    assert rows["GO Go live"] == ["—", "2027-01-08", "—"]  # no target: no slip (it was 0)
    # not the program's start (4 January) as a forecast, nor a slip from it
    assert rows["BOARD Board sign-off"] == ["2027-03-01", "none yet", "—"]
    assert rows["OLD Old promise"] == ["2026-12-01", "none yet", "—"]
    assert rows["LATER Someday"] == ["—", "none yet", "—"]
    assert "2027-01-04" not in milestones.split("none yet:")[0]
    # the ones with a forecast first, by forecast; then those without one
    assert list(rows)[2:] == ["BOARD Board sign-off", "LATER Someday", "OLD Old promise"]
    assert "none yet: no work leads to the milestone, so it has no forecast yet" in flat(out)


def test_schedule_says_nothing_of_forecasts_missing_when_every_milestone_has_one(
    cli_env: None, db: Session
) -> None:
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    data = make_task(db, make_project(db, cloud, "DATA"), "DATA-1")
    m1 = make_milestone(db, cloud, "M1")
    db.add(
        Dependency(program_id=cloud.id, predecessor_task_id=data.id, successor_milestone_id=m1.id)
    )
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    code, out = podium("schedule", "CLOUD")
    assert code == 0, out
    assert "none yet" not in out


def test_the_schedule_result_marks_an_unfed_milestone_and_checks_no_target_of_it(
    cli_env: None, db: Session, tmp_path: Path
) -> None:
    _plan(db)
    result = tmp_path / "result.json"
    code, out = podium("schedule", "CLOUD", "--output", str(result))
    assert code == 0, out
    data = json.loads(result.read_text())
    milestones = {m["id"]: m for m in data["milestones"]}
    assert milestones["M1"]["fed"] is True and milestones["GO"]["fed"] is True
    for key in ("BOARD", "OLD", "LATER"):
        assert milestones[key]["fed"] is False, key
        assert milestones[key]["target_missed"] is False, key
    # OLD's target is a month before the start it stands on: no miss, no critical chain
    assert not milestones["OLD"]["is_critical"] and milestones["OLD"]["total_float"] >= 0
    assert all("OLD" not in path for path in data["program"]["critical_paths"])


def test_a_plan_file_scheduled_without_a_database_marks_its_unfed_milestones(
    cli_env: None, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "format": "podium-plan",
                "version": 1,
                "program": {"key": "T", "name": "Test", "start": "2027-01-04"},
                "projects": [{"key": "P", "name": "P"}],
                "tasks": [{"id": "P-1", "project": "P", "name": "Work", "duration": 10}],
                "milestones": [
                    {"id": "M1", "name": "Done", "target": "2027-01-13"},
                    {"id": "OLD", "name": "Old promise", "target": "2026-12-01"},
                ],
                "dependencies": [{"from": "P-1", "to": "M1"}],
            }
        )
    )
    code, out = podium("schedule", "--file", str(plan))
    assert code == 0, out
    data = json.loads(out)
    m1, old = data["milestones"]
    assert (m1["id"], m1["fed"], m1["target_missed"]) == ("M1", True, True)  # 15 Jan > 13 Jan
    assert (old["id"], old["fed"], old["target_missed"]) == ("OLD", False, False)
    assert not old["is_critical"] and old["total_float"] >= 0
    assert data["program"]["critical_paths"] == [["P-1", "M1"]]


def test_baseline_compare_gives_an_unfed_milestone_no_forecast(cli_env: None, db: Session) -> None:
    _plan(db)
    code, out = podium("baseline", "take", "CLOUD", "--name", "Plan of record")
    assert code == 0, out
    code, out = podium("baseline", "compare", "CLOUD")
    assert code == 0, out
    rows = table_rows(out[out.index("Milestones") :])
    assert rows["M1 Platform ready"] == ["2027-01-08", "2027-01-08", "0"]
    assert rows["BOARD Board sign-off"][1:] == ["none yet", "—"]


def test_scenario_compare_gives_an_unfed_milestone_no_forecast(cli_env: None, db: Session) -> None:
    _plan(db)
    code, out = podium("scenario", "create", "CLOUD", "Sign off early")
    assert code == 0, out
    code, out = podium("scenario", "compare", "CLOUD~S1")
    assert code == 0, out
    rows = table_rows(out)
    board = next(cells for label, cells in rows.items() if label.startswith("BOARD "))
    assert board[:2] == ["none yet", "none yet"]  # not the program's start, not late
    m1 = next(cells for label, cells in rows.items() if label.startswith("M1 "))
    assert m1[:2] == ["2027-01-08", "2027-01-08"]
