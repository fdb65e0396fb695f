"""`podium program set --preview`: what a new start, status date or calendar moves, saving
nothing.

By hand (program start Monday 4 January 2027, Mon–Fri): DATA-1 (5 d) runs 4–8 January
and must finish by its deadline, Friday 15 January; OPS-1 (3 d) runs 4–6 January. A
status date of Monday 18 January: neither has started, so both start that day, two
weeks on: DATA-1 18–22 January (five working days past its deadline), OPS-1 18–20.
On a four-day week (Mon–Thu) as the program's calendar, DATA-1 runs 4–7 and 11 January
(one working day of Mon–Fri later); OPS-1, on its project's own Mon–Fri, stays.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.models import Calendar, Project
from podium.services.scheduling import reschedule_program
from tests.factories import make_program, make_project, make_task
from tests.integration.test_cli_programs import finish_of, flat, podium, stored


def _cloud(db: Session) -> None:
    cloud = make_program(db, key="CLOUD", name="Cloud", start_date=date(2027, 1, 4))
    make_task(db, make_project(db, cloud, "DATA"), "DATA-1", duration=5, deadline=date(2027, 1, 15))
    make_task(db, make_project(db, cloud, "OPS"), "OPS-1", duration=3)
    reschedule_program(db, cloud.id)
    db.commit()


def test_preview_prints_each_project_and_the_missed_deadline_and_saves_nothing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    before = stored(engine, "CLOUD")
    assert before is not None and before.scheduled_finish == date(2027, 1, 8)
    code, out = podium("program", "set", "CLOUD", "--status-date", "2027-01-18", "--preview")
    assert code == 0, out
    text = flat(out)
    assert "Preview for CLOUD Cloud (nothing is saved):" in text
    assert "status date — → 2027-01-18" in text
    assert "program finish 2027-01-08 → 2027-01-22 (+10 working days)" in text
    assert "DATA 1 task +10 d 2027-01-08 → 2027-01-22" in text
    assert "OPS 1 task +10 d 2027-01-06 → 2027-01-20" in text
    assert (
        "newly missed: DATA-1 Task DATA-1: deadline 2027-01-15, forecast 2027-01-22 "
        "(5 working days late)"
    ) in text
    after = stored(engine, "CLOUD")
    assert after is not None and after.status_date is None and after.version == before.version
    assert finish_of(engine, "DATA-1") == date(2027, 1, 8)


def test_preview_of_an_earlier_start_and_of_the_dates_already_there(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    code, out = podium("program", "set", "CLOUD", "--start", "2026-12-28", "--preview")
    assert code == 0, out
    assert "program finish 2027-01-08 → 2027-01-01 (-5 working days)" in flat(out)
    assert "newly missed" not in out
    code, out = podium("program", "set", "CLOUD", "--start", "2027-01-04", "--preview")
    assert code == 0, out
    assert "Nothing to preview: CLOUD Cloud already has those settings." in flat(out)
    program = stored(engine, "CLOUD")
    assert program is not None and program.start_date == date(2027, 1, 4)


def test_preview_takes_only_the_dates_it_can_preview(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    code, out = podium(
        "program",
        "set",
        "CLOUD",
        "--start",
        "2027-02-01",
        "--name",
        "X",
        "--description",
        "Y",
        "--preview",
    )
    assert code == 1
    assert "leave out --description, --name" in flat(out)
    code, out = podium("program", "set", "NOPE", "--start", "2027-02-01", "--preview")
    assert code == 1 and "no program with key or id 'NOPE'" in out
    program = stored(engine, "CLOUD")
    assert program is not None and program.name == "Cloud"


def test_clear_empties_goal_numbers_dates_and_texts(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(
        db, key="CLOUD", name="Cloud", goal_outcome="Fewer tickets", goal_unit="tickets",
        goal_baseline_value=1200.0, goal_target_value=840.0, goal_target_date=date(2027, 6, 30),
    )  # fmt: skip
    code, out = podium(
        "program", "set", "CLOUD", "--clear", "goal-target", "--clear", "goal-target-date",
        "--clear", "goal-unit",
    )  # fmt: skip
    assert code == 0, out
    assert "goal target 840 → —" in flat(out) and "goal target date 2027-06-30 → —" in flat(out)
    program = stored(engine, "CLOUD")
    assert program is not None
    assert (program.goal_target_value, program.goal_target_date, program.goal_unit) == (
        None,
        None,
        "",
    )
    assert (program.goal_baseline_value, program.goal_outcome) == (1200.0, "Fewer tickets")
    for args, message in (
        (("--clear", "name"), "--clear takes one of description, status-date,"),
        (("--goal-target", "800", "--clear", "goal-target"),
         "give --goal-target or --clear goal-target, not both"),
    ):  # fmt: skip
        code, out = podium("program", "set", "CLOUD", *args)
        assert code == 1 and message in flat(out), out


def test_preview_of_a_new_default_calendar_moves_the_work_that_follows_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    office = Calendar(name="Office", weekmask="1111100", holidays=[])
    db.add_all([office, Calendar(name="Four-day week", weekmask="1111000", holidays=[])])
    db.flush()
    ops = db.query(Project).filter_by(key="OPS").one()
    ops.calendar_id = office.id
    db.commit()
    code, out = podium("program", "set", "CLOUD", "--calendar", "four-day WEEK", "--preview")
    assert code == 0, out
    text = flat(out)
    assert "calendar none (Mon–Fri, no holidays) → Four-day week" in text
    assert "program finish 2027-01-08 → 2027-01-11 (+1 working days)" in text
    assert "DATA 1 task +1 d 2027-01-08 → 2027-01-11" in text
    assert "OPS" not in text.split("program finish")[1]
    program = stored(engine, "CLOUD")
    assert program is not None and program.calendar_id is None
    code, out = podium("program", "set", "CLOUD", "--calendar", "Nope", "--preview")
    assert code == 1 and "Nope" in out
