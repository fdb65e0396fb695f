"""`podium assign`, `unassign` and `assignment list|set` on a real database (SQLite and
PostgreSQL).

By hand (CLOUD starts Monday 4 January 2027, Mon–Fri, no holidays, 8 h a day):
DATA-1 (5 d) runs 4–8 January. bo works Monday to Thursday only: on DATA-1 he
pauses it on Friday 8, so it works 4, 5, 6, 7 and 11 January. DATA-2 is
effort-driven, 10 days (4–15 January): 80 h given on ana (1 unit, 8 h a day) keep
10 days; cy added at 50 % puts in 8 + 4 = 12 h a day, so 80 h take 6.7, rounded up
to 7 days (4–12 January); 40 h given take 3.3, so 4 days (4–7 January).
"""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.assignments import AssignmentCreate
from podium.cli import assignments as assignment_cli
from podium.models import Assignment, Calendar, Resource, Role, Task
from podium.services.scheduling import reschedule_program
from tests.factories import (
    add_member,
    make_milestone,
    make_program,
    make_project,
    make_task,
    make_user,
)
from tests.integration.test_cli_programs import facts, flat, podium, table_rows


def _plan(db: Session) -> None:
    """CLOUD: DATA-1, DATA-2 (effort-driven), DATA-3 (a summary over DATA-3.1), M1; ana
    already works on DATA-1. mo manages CLOUD, me is a member, vi a viewer."""
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    make_program(db, key="EMPTY")
    for email, role in (("mo", Role.MANAGER), ("me", Role.MEMBER), ("vi", Role.VIEWER)):
        add_member(db, cloud, make_user(db, email=f"{email}@example.com"), role)
    make_user(db, email="out@example.com")
    four_days = Calendar(name="Four-day week", weekmask="1111000", holidays=[])
    db.add(four_days)
    db.flush()
    ana = Resource(key="ana", name="Ana Lima", cost_rate=100.0)
    db.add_all([
        ana, Resource(key="bo", name="Bo Chen", cost_rate=50.0, calendar_id=four_days.id),
        Resource(key="cy", name="Cy Diaz", cost_rate=80.0),
        Resource(key="devops", name="DevOps team", capacity=3.0, cost_rate=90.0),
    ])  # fmt: skip
    data = make_project(db, cloud, "DATA")
    one = make_task(db, data, "DATA-1", name="Build the platform", wbs="1")
    make_task(db, data, "DATA-2", name="Move the data", wbs="2", duration=10, effort_driven=True)
    summary = make_task(db, data, "DATA-3", name="Training", wbs="3")
    make_task(db, data, "DATA-3.1", name="Course", wbs="3.1", parent=summary)
    make_milestone(db, cloud, "M1")
    db.add(Assignment(program_id=cloud.id, task_id=one.id, resource_id=ana.id, units=1.0))
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()


def assigned(engine: Engine) -> dict[tuple[str, str], tuple[float, float | None, str]]:
    """Every assignment by (task key, resource key): units, given work, notes."""
    with Session(engine) as session:
        rows = session.execute(
            select(Task.key, Resource.key, Assignment.units, Assignment.work_hours,
                   Assignment.notes)
            .join(Task, Task.id == Assignment.task_id)
            .join(Resource, Resource.id == Assignment.resource_id)
        )  # fmt: skip
        return {(t, r): (units, work, notes) for t, r, units, work, notes in rows}


def plan_of(engine: Engine, key: str) -> tuple[int, date | None, date | None]:
    """A task's duration and scheduled dates."""
    with Session(engine) as session:
        task = session.scalar(select(Task).where(Task.key == key))
        assert task is not None
        return task.duration, task.early_start, task.early_finish


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Assignment)) or 0


# --- assign ------------------------------------------------------------------------------


def test_assign_stores_the_units_and_notes_and_says_the_work_and_cost(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "assign", "CLOUD", "DATA-1", "cy", "--units", "50%", "--notes", "mornings",
        "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert (
        "Assigned Cy Diaz to DATA-1 Build the platform at 50%, 20 h of work, cost 1,600.00."
    ) in flat(out)
    assert "now" not in out  # cy has no calendar: DATA-1 does not move
    code, out = podium("assign", "CLOUD", "DATA-1", "DevOps team", "--units", "2.5")
    assert code == 0, out
    assert "Assigned DevOps team to DATA-1 Build the platform at 250%, 100 h of work" in out
    code, out = podium("assign", "CLOUD", "DATA-3.1", "ana")  # 100% unless told
    assert code == 0, out
    assert assigned(engine) == {
        ("DATA-1", "ana"): (1.0, None, ""),
        ("DATA-1", "cy"): (0.5, None, "mornings"),
        ("DATA-1", "devops"): (2.5, None, ""),
        ("DATA-3.1", "ana"): (1.0, None, ""),
    }
    assert plan_of(engine, "DATA-1") == (5, date(2027, 1, 4), date(2027, 1, 8))


def test_a_resources_calendar_moves_the_task_and_the_commands_say_how(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("assign", "CLOUD", "DATA-1", "bo", "--units", "0.5")
    assert code == 0, out
    assert "Assigned Bo Chen to DATA-1 Build the platform at 50%" in out
    assert "DATA-1 now runs 2027-01-04 → 2027-01-11 (was 2027-01-04 → 2027-01-08)." in flat(out)
    assert plan_of(engine, "DATA-1") == (5, date(2027, 1, 4), date(2027, 1, 11))
    code, out = podium("unassign", "CLOUD", "DATA-1", "bo", "--as", "mo@example.com")
    assert code == 0, out
    assert (
        "Took Bo Chen off DATA-1 Build the platform (was 50%, 20 h of work, cost 1,000.00)."
    ) in flat(out)
    assert "DATA-1 now runs 2027-01-04 → 2027-01-08 (was 2027-01-04 → 2027-01-11)." in flat(out)
    assert plan_of(engine, "DATA-1") == (5, date(2027, 1, 4), date(2027, 1, 8))
    assert set(assigned(engine)) == {("DATA-1", "ana")}


def test_the_work_given_sets_an_effort_driven_tasks_duration(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("assign", "CLOUD", "DATA-2", "ana", "--work", "80")
    assert code == 0, out
    assert "at 100%, 80 h of work, cost 8,000.00." in flat(out)
    assert (
        "DATA-2: 80 h of work given for the task: at 8 h a day that takes 10 working days, "
        "so 80 h planned."
    ) in flat(out)
    assert "now" not in out  # 80 h at 8 h a day: still 10 days
    code, out = podium("assign", "CLOUD", "DATA-2", "cy", "--units", "50 %")
    assert code == 0, out
    assert (
        "DATA-2 now takes 7 working days (was 10) and runs 2027-01-04 → 2027-01-12 "
        "(was 2027-01-04 → 2027-01-15)."
    ) in flat(out)
    # what was given for the task, and what the whole days plan (56 h + 28 h)
    assert (
        "DATA-2: 80 h of work given for the task: at 12 h a day that takes 6.67 days, "
        "rounded up to 7 working days, so 84 h planned."
    ) in flat(out)
    assert plan_of(engine, "DATA-2") == (7, date(2027, 1, 4), date(2027, 1, 12))
    code, out = podium("assignment", "set", "CLOUD", "DATA-2", "ana", "--work", "40")
    assert code == 0, out
    assert "Updated ana on DATA-2:" in out
    assert facts(out)["work given"] == "80 h → 40 h"
    assert "Now 100%, 32 h of work, cost 3,200.00." in flat(out)
    assert "DATA-2 now takes 4 working days (was 7)" in flat(out)
    assert plan_of(engine, "DATA-2") == (4, date(2027, 1, 4), date(2027, 1, 7))
    assert assigned(engine)[("DATA-2", "ana")] == (1.0, 40.0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("DATA-1", "ana"),
         "ana is already on DATA-1 at 100%, 40 h of work, cost 4,000.00: `podium assignment "
         "set CLOUD DATA-1 ana --units …` changes it"),
        (("M1", "ana"), "M1 is a milestone of CLOUD: it has no work"),
        (("DATA-3", "ana"), "DATA-3 is a summary task; assign its subtasks"),
        (("DATA-9", "ana"), "no task 'DATA-9' in CLOUD"),
        (("DATA-2", "nobody"), "no resource 'nobody' (`podium resource list` lists them)"),
        (("DATA-2", "ana", "--units", "2"),
         "--units 200% is more than Ana Lima's capacity of 100%"),
        (("DATA-2", "ana", "--units", "half"),
         "--units is a share of a day like 50% or 0.5, not 'half'"),
        (("DATA-2", "ana", "--units", "0"),
         "--units must be at least 0.01 (1%) and at most 10000 (1,000,000%), not 0"),
        (("DATA-2", "ana", "--units", "-50%"), "--units must be at least 0.01 (1%)"),
        (("DATA-2", "ana", "--units", "inf"), "--units must be at least 0.01 (1%)"),
        (("DATA-2", "ana", "--units", "0.5%"), "--units must be at least 0.01 (1%)"),
        (("DATA-2", "ana", "--work", "-1"),
         "--work must be more than 0 and at most 10,000,000 hours, not -1"),
        (("DATA-2", "ana", "--work", "0"), "--work must be more than 0"),
        (("DATA-2", "ana", "--notes", "n" * 501), "--notes is at most 500 characters, not 501"),
        (("DATA-2", "ana", "--as", "me@example.com"),
         "your role in CLOUD is member; manager or above is needed"),
        (("DATA-2", "ana", "--as", "vi@example.com"),
         "your role in CLOUD is viewer; manager or above is needed"),
        (("DATA-2", "ana", "--as", "out@example.com"), "no program with key or id"),
    ],
)  # fmt: skip
def test_assign_refuses_what_the_api_refuses(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    _plan(db)
    code, out = podium("assign", "CLOUD", *args)
    assert code == 1, out
    assert message in flat(out)
    assert assigned(engine) == {("DATA-1", "ana"): (1.0, None, "")}
    code, out = podium("assign", "NOPE", "DATA-1", "ana")
    assert code == 1 and "no program with key or id 'NOPE'" in flat(out)


def test_the_limits_are_the_apis() -> None:
    def accepted(**fields: float | str) -> bool:
        try:
            AssignmentCreate.model_validate({"task_id": 1, "resource_id": 1, **fields})
        except ValidationError:
            return False
        return True

    top, work, notes = (
        assignment_cli.MAX_UNITS, assignment_cli.MAX_WORK_HOURS, assignment_cli.NOTES_LENGTH
    )  # fmt: skip
    assert accepted(units=top) and not accepted(units=top + 0.01) and not accepted(units=0)
    assert accepted(work_hours=work) and not accepted(work_hours=work + 1)
    assert accepted(work_hours=0.01) and not accepted(work_hours=0)
    assert accepted(units=assignment_cli.MIN_UNITS) and not accepted(units=0.0099)
    assert accepted(notes="n" * notes) and not accepted(notes="n" * (notes + 1))


# --- assignment set, unassign --------------------------------------------------------------


def test_set_changes_only_what_is_given(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    code, out = podium(
        "assignment", "set", "CLOUD", "DATA-1", "Ana Lima", "--units", "75%", "--notes",
        "afternoons", "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated ana on DATA-1:" in out
    shown = facts(out)
    assert shown["units"] == "100% → 75%" and shown["notes"] == "— → afternoons"
    assert "Now 75%, 30 h of work, cost 3,000.00." in out
    assert assigned(engine) == {("DATA-1", "ana"): (0.75, None, "afternoons")}
    code, out = podium("assignment", "set", "CLOUD", "DATA-1", "ana", "--units", "0.75")
    assert code == 0, out
    assert "Nothing changed: ana on DATA-1 already has those settings." in out
    code, out = podium("assignment", "set", "CLOUD", "DATA-1", "ana", "--work", "12")
    assert code == 0, out
    assert facts(out)["work given"] == "none → 12 h"
    code, out = podium("assignment", "set", "CLOUD", "DATA-1", "ana", "--no-work")
    assert code == 0, out
    assert facts(out)["work given"] == "12 h → none"
    assert assigned(engine) == {("DATA-1", "ana"): (0.75, None, "afternoons")}


def test_set_and_unassign_refuse_what_is_not_there_and_who_may_not(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args, message in (
        (("assignment", "set", "CLOUD", "DATA-1", "ana"),
         "nothing to change: give --units, --work, --no-work or --notes"),
        (("assignment", "set", "CLOUD", "DATA-1", "ana", "--work", "8", "--no-work"),
         "give --work or --no-work, not both"),
        (("assignment", "set", "CLOUD", "DATA-1", "cy", "--units", "50%"),
         "cy is not assigned to DATA-1 (`podium assignment list CLOUD --task DATA-1` lists who "
         "is)"),
        (("assignment", "set", "CLOUD", "DATA-1", "ana", "--units", "3"),
         "--units 300% is more than Ana Lima's capacity of 100%"),
        (("assignment", "set", "CLOUD", "DATA-1", "ana", "--units", "50%", "--as",
          "vi@example.com"), "your role in CLOUD is viewer"),
        (("unassign", "CLOUD", "DATA-2", "ana"), "ana is not assigned to DATA-2"),
        (("unassign", "CLOUD", "DATA-1", "ana", "--as", "me@example.com"),
         "your role in CLOUD is member"),
        (("unassign", "CLOUD", "M1", "ana"), "M1 is a milestone of CLOUD"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 1, args
        assert message in flat(out), args
    assert assigned(engine) == {("DATA-1", "ana"): (1.0, None, "")}


# --- list ---------------------------------------------------------------------------------


def test_list_shows_each_assignment_and_filters_by_task_or_resource(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args in (("DATA-1", "cy", "--units", "50%"), ("DATA-2", "cy", "--work", "80")):
        code, out = podium("assign", "CLOUD", *args)
        assert code == 0, out
    code, out = podium("assignment", "list", "CLOUD")
    assert code == 0, out
    assert "3 assignments" in out
    lines = [line for line in out.splitlines() if "│" in line]
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in lines]
    assert cells == [
        ["ana", "DATA-1", "Build the platform", "100%", "40 h", "4,000.00", "2027-01-04",
         "2027-01-08"],
        ["cy", "DATA-1", "Build the platform", "50%", "20 h", "1,600.00", "2027-01-04",
         "2027-01-08"],
        ["cy", "DATA-2", "Move the data", "100%", "80 h", "6,400.00", "2027-01-04",
         "2027-01-15"],
    ]  # fmt: skip
    assert "in all: 140 h of work, cost 12,000.00" in out
    code, out = podium("assignment", "list", "CLOUD", "--task", "DATA-2")
    assert code == 0 and list(table_rows(out)) == ["cy"], out
    code, out = podium("assignment", "list", "CLOUD", "--resource", "Cy Diaz", "--task", "DATA-1")
    assert code == 0 and table_rows(out)["cy"][0] == "DATA-1", out
    code, out = podium("assignment", "list", "EMPTY")
    assert code == 0
    assert "No assignment in EMPTY: `podium assign EMPTY TASK RESOURCE` adds one." in out
    code, out = podium("assignment", "list", "CLOUD", "--task", "NOPE")
    assert code == 1 and "no task 'NOPE' in CLOUD" in flat(out)
    assert count(engine) == 3
