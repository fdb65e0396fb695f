"""`podium assign`, `unassign`, `assignment set` and `resource set` after review: the work
given stays with the task, new hours per day move effort-driven tasks, the commands say
what was given against what is planned, and refusals are said once (SQLite and
PostgreSQL). The plan is test_cli_assignments' (CLOUD from Monday 4 January 2027, 8 h a
day; DATA-2 effort-driven, 10 days; DATA-3 a summary; ana on DATA-1).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.integration.test_cli_assignments import _plan, assigned, plan_of
from tests.integration.test_cli_programs import flat, podium


def test_unassigning_the_person_who_holds_the_work_leaves_it_with_the_task(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args in (("ana", "--work", "80"), ("cy", "--units", "100%")):
        code, out = podium("assign", "CLOUD", "DATA-2", *args)
        assert code == 0, out
    assert plan_of(engine, "DATA-2")[0] == 5  # 80 h at 16 h a day
    code, out = podium("unassign", "CLOUD", "DATA-2", "ana")
    assert code == 0, out
    said = flat(out)
    assert "The 80 h of work given on it stays with DATA-2: Cy Diaz 80 h." in said
    assert "DATA-2 now takes 10 working days (was 5)" in said
    assert (
        "DATA-2: 80 h of work given for the task: at 8 h a day that takes 10 working days, "
        "so 80 h planned."
    ) in said
    assert assigned(engine) == {
        ("DATA-1", "ana"): (1.0, None, ""),
        ("DATA-2", "cy"): (1.0, 80.0, ""),
    }
    assert plan_of(engine, "DATA-2") == (10, date(2027, 1, 4), date(2027, 1, 15))


def test_work_given_on_a_duration_driven_task_is_said_to_wait(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("assign", "CLOUD", "DATA-3.1", "cy", "--work", "80")
    assert code == 0, out
    assert "at 100%, 40 h of work, cost 3,200.00." in flat(out)  # 5 days x 8 h
    assert (
        "DATA-3.1: 80 h of work given for the task is kept for when it becomes effort-driven; "
        "its duration (5 working days) drives the work now: 40 h planned."
    ) in flat(out)


def test_units_above_the_capacity_are_said_once_in_percent(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args in (
        ("assign", "CLOUD", "DATA-2", "ana", "--units", "10000%"),
        ("assignment", "set", "CLOUD", "DATA-1", "ana", "--units", "10000%"),
    ):
        code, out = podium(*args)
        assert code == 1, out
        assert flat(out) == "error: --units 10,000% is more than Ana Lima's capacity of 100%"
    assert assigned(engine) == {("DATA-1", "ana"): (1.0, None, "")}


def test_new_hours_per_day_move_the_effort_driven_tasks_and_reschedule(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("assign", "CLOUD", "DATA-2", "ana", "--work", "80")
    assert code == 0, out
    code, out = podium("resource", "set", "ana", "--hours-per-day", "4")
    assert code == 0, out
    # 80 h at 4 h a day: 20 days, 4 to 29 January
    assert plan_of(engine, "DATA-2") == (20, date(2027, 1, 4), date(2027, 1, 29))
    assert "Rescheduled the programs that assign it: CLOUD (finish 2027-01-15 → 2027-01-29)" in (
        flat(out)
    )


def test_an_assigned_task_takes_no_sub_task_and_does_not_become_a_milestone(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    refusal = "DATA-1 has assignments (Ana Lima 100 %) and"
    code, out = podium("task", "add", "CLOUD", "--project", "DATA", "--name", "Sub", "--parent",
                       "DATA-1")  # fmt: skip
    assert code == 1, out
    assert f"{refusal} a summary task (one with sub-tasks) takes none" in flat(out)
    code, out = podium("task", "set", "CLOUD", "DATA-1", "--milestone")
    assert code == 1, out
    assert f"{refusal} a milestone takes none: take it off DATA-1 first" in flat(out)
    assert plan_of(engine, "DATA-1")[0] == 5
