"""`podium level` says what it did in the words of the command line: options as typed,
resource-days, whether the optimizing method proved its result, why tasks moved, what
stays over capacity; and `podium schedule --file … --level` keeps to the same time limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.models import Program, ProgramStatus
from podium.services.resources.leveling import MAX_TIME_LIMIT
from podium.services.uow import complete
from tests.integration.test_cli_level_file import podium as podium_file
from tests.integration.test_cli_level_file import two_projects
from tests.integration.test_cli_programs import flat, podium
from tests.integration.test_leveling_service import _contested


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--time-limit", "0"), "--time-limit is more than 0 and at most 120 seconds"),
        (("--time-limit", "500"), "--time-limit is more than 0 and at most 120 seconds"),
        (("--weight", "PLAT=3"), "--weight goes with --optimize"),
        (
            ("--apply", "--preview", "1", "--optimize"),
            "--preview stores the kept preview as it was computed: not with --optimize",
        ),
        (
            ("--apply", "--preview", "1", "--time-limit", "2", "--weight", "M1=2"),
            "not with --time-limit, --weight",
        ),
    ],
)
def test_refused_options_are_named_as_typed(
    cli_env: None, db: Session, options: tuple[str, ...], said: str
) -> None:
    _contested(db)
    code, out = podium("level", "LEV", *options)
    assert code != 0
    assert said in flat(out), out
    assert "time_limit" not in out and "weights" not in out


def test_an_unknown_weight_key_is_named_as_the_option_given(cli_env: None, db: Session) -> None:
    _contested(db)
    code, out = podium("level", "LEV", "--optimize", "--weight", "NOPE=3")
    assert code == 1
    assert "unknown keys given with --weight" in flat(out)
    assert "--weight NOPE" in out and "weights" not in out


def test_the_headline_says_resource_days_and_whether_the_optimum_is_proven(
    cli_env: None, db: Session
) -> None:
    _contested(db)
    code, out = podium("level", "LEV", "--optimize", "--time-limit", "5")
    assert code == 0, out
    text = flat(out)
    assert "LEV: optimizing leveling (proven optimal) in " in text
    assert "resource-days over capacity 3 → 0" in text
    assert "waits for Ana" in text
    assert "Delays count working days (wd) of the program's calendar." in text
    code, out = podium("level", "LEV")
    assert "LEV: heuristic leveling in " in flat(out) and "proven" not in out


def test_an_unproven_optimum_says_so(
    cli_env: None, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.engine.leveling import cpsat

    def nothing(self: cpsat._Model, seconds: float, **_options: object) -> cpsat._Outcome:
        return cpsat._Outcome(None, "unknown", None)

    monkeypatch.setattr(cpsat._Model, "solve", nothing)
    _contested(db)
    code, out = podium("level", "LEV", "--optimize", "--time-limit", "2", "--weight", "PLAT=5")
    assert code == 0, out
    assert "LEV: optimizing leveling (not proven optimal) in " in flat(out)
    assert (
        "The optimizing solver kept the heuristic's plan: CP-SAT found no schedule within "
        "the time limit." in flat(out)
    )


def test_a_solver_plan_not_proven_optimal_says_why(
    cli_env: None, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.engine.leveling import cpsat

    solve = cpsat._Model.solve

    def on_several_calendars(self: cpsat._Model, seconds: float, **options: Any) -> Any:
        self.unproven = cpsat.SEVERAL_CALENDARS  # as a person on two calendars makes it
        return solve(self, seconds, **options)

    monkeypatch.setattr(cpsat._Model, "solve", on_several_calendars)
    _contested(db)
    code, out = podium("level", "LEV", "--optimize", "--time-limit", "5")
    assert code == 0, out
    assert "LEV: optimizing leveling (not proven optimal) in " in flat(out)
    assert (
        "Not proven optimal: a person works on tasks with different calendars; the solver "
        "books such a person through every pause of those tasks" in flat(out)
    )


def test_a_file_leveled_by_the_heuristic_for_the_solver_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.engine.leveling import cpsat

    def nothing(self: cpsat._Model, seconds: float, **_options: object) -> cpsat._Outcome:
        return cpsat._Outcome(None, "unknown", None)

    monkeypatch.setattr(cpsat._Model, "solve", nothing)
    source = Path("/work/shared/data/psplib/j30/j301_1.sm")  # the heuristic's 43 days > 38
    result = tmp_path / "result.json"
    options = ("--level", "--optimize", "--time-limit", "1", "--output", str(result))
    code, out = podium_file("schedule", "--file", str(source), *options)
    assert code == 0, out
    text = flat(out)
    assert "working days (lower bound 38;" in text  # not proven
    assert (
        "The optimizing solver kept the heuristic's plan: CP-SAT found no schedule within "
        "the time limit." in text
    )


def test_what_stays_over_capacity_is_listed_with_why(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _program_id, plat, sec, _m1 = _contested(db)
    for task in (plat, sec):
        db.refresh(task)
        task.actual_start = task.early_start
        task.percent_complete = 10
    complete(db)
    code, out = podium("level", "LEV")
    assert code == 0, out
    text = flat(out)
    assert "Still over capacity, with work leveling may not move" in text
    assert "Ana: 2027-01-04–2027-01-06 (3 d, peak 2 of 1): PLAT-1 (started), SEC-1 (started)" in (
        text
    )


def test_a_closed_program_is_not_even_previewed(cli_env: None, db: Session) -> None:
    program_id, *_ = _contested(db)
    program = db.get(Program, program_id)
    assert program is not None
    program.status = ProgramStatus.CLOSED
    db.commit()
    code, out = podium("level", "LEV")
    assert code == 1 and "LEV is closed" in flat(out)


def test_leveling_a_file_keeps_to_the_same_time_limit(tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(two_projects()))
    code, out = podium_file("schedule", "--file", str(source), "--level", "--time-limit", "1e9")
    assert code == 2
    assert f"{MAX_TIME_LIMIT:g}" in out
    code, out = podium_file(
        "schedule", "--file", str(source), "--level", "--time-limit", f"{MAX_TIME_LIMIT:g}"
    )
    assert code == 0, out
