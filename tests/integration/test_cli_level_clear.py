"""`podium level PROGRAM --clear` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import AuditEntry, Dependency, Program, ProgramStatus, Role, Task
from podium.services.actor import SYSTEM
from podium.services.governance import retrospective
from podium.services.resources import assignments, catalog, holds
from podium.services.scheduling import reschedule_program
from podium.services.uow import complete
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import flat, podium


def day(d: int) -> date:
    return date(2027, 1, d)


def leveled(db: Session) -> Program:
    """LEV: PLAT-1 (5 d) and SEC-1 (3 d) both need Ana from Mon 4 Jan; leveled, PLAT-1
    waits for SEC-1 with a hold on Thu 7, and the program finishes Wed 13 instead of Fri 8."""
    program = make_program(db, key="LEV", start_date=day(4), status_date=day(4))
    plat = make_task(db, make_project(db, program, "PLAT"), "PLAT-1")
    sec = make_task(db, make_project(db, program, "SEC"), "SEC-1", duration=3)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    for task in (plat, sec):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    holds.set_holds(db, SYSTEM, program.id, {plat.id: day(7)})
    complete(db)
    return program


def state(engine: Engine) -> tuple[date | None, dict[str, date | None]]:
    """The program's finish, and each task's leveling hold."""
    with Session(engine) as session:
        finish = session.scalar(select(Program.scheduled_finish).where(Program.key == "LEV"))
        rows = session.execute(select(Task.key, Task.leveled_start).order_by(Task.key))
        return finish, {key: hold for key, hold in rows}


def last_task_change(session: Session) -> AuditEntry | None:
    return session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "task", AuditEntry.entity_label == "PLAT-1")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


LEVELED = (day(13), {"PLAT-1": day(7), "SEC-1": None})


def test_clear_removes_every_hold_and_says_how_the_finish_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    leveled(db)
    assert state(engine) == LEVELED
    code, out = podium("level", "LEV", "--clear")
    assert code == 0, out
    assert "Removed 1 leveling hold from LEV: program finish 2027-01-13 → 2027-01-08." in out
    assert state(engine) == (day(8), {"PLAT-1": None, "SEC-1": None})
    with Session(engine) as session:
        task = session.scalar(select(Task).where(Task.key == "PLAT-1"))
        entry = last_task_change(session)
    assert task is not None and (task.early_start, task.early_finish) == (day(4), day(8))
    assert entry is not None and entry.changes == {"leveled_start": ["2027-01-07", None]}
    code, out = podium("level", "LEV", "--clear")
    assert code == 0, out
    assert (
        "There were no leveling delays in LEV: nothing to clear (program finish 2027-01-08)." in out
    )


def test_a_milestone_that_moves_with_a_leveled_task_keeps_no_hold(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program = make_program(db, key="LEV", start_date=day(4), status_date=day(4))
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    for key, duration in (("PLAT", 5), ("SEC", 3)):  # each with a milestone after its work
        project = make_project(db, program, key)
        work = make_task(db, project, f"{key}-1", duration=duration)
        done = make_task(db, project, f"{key}-2", wbs="2", duration=0, is_milestone=True)
        db.flush()
        db.add(
            Dependency(
                program_id=program.id, predecessor_task_id=work.id, successor_task_id=done.id
            )
        )
        assignments.create_assignment(db, SYSTEM, task_id=work.id, resource_id=ana.id)
    complete(db)
    reschedule_program(db, program.id)
    complete(db)
    code, out = podium("level", "LEV", "--apply")
    assert code == 0, out
    assert "1 task(s) move" in out
    held = {key: hold for key, hold in state(engine)[1].items() if hold is not None}
    assert list(held) == ["PLAT-1"]  # PLAT-2, the milestone after it, moves without a hold
    code, out = podium("level", "LEV", "--clear")
    assert code == 0, out
    assert "Removed 1 leveling hold from LEV" in out


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--apply",), "--apply"),
        (("--optimize",), "--optimize"),
        (("--time-limit", "2"), "--time-limit"),
        (("--weight", "PLAT-1=3"), "--weight"),
        (("--apply", "--preview", "3"), "--apply, --preview"),
    ],
)
def test_clear_goes_alone(
    cli_env: None, engine: Engine, db: Session, options: tuple[str, ...], named: str
) -> None:
    leveled(db)
    code, out = podium("level", "LEV", "--clear", *options)
    assert code == 1
    assert f"--clear goes alone: not with {named}" in flat(out)
    assert state(engine) == LEVELED


def test_only_managers_clear_the_holds(cli_env: None, engine: Engine, db: Session) -> None:
    program = leveled(db)
    for email, role in (("erin@example.com", Role.VIEWER), ("sam@example.com", Role.MEMBER)):
        add_member(db, program, make_user(db, email=email), role)
        code, out = podium("level", "LEV", "--clear", "--as", email)
        assert code == 1, email
        assert f"your role in LEV is {role.value}; manager or above is needed" in flat(out)
    make_user(db, email="stranger@example.com")
    code, out = podium("level", "LEV", "--clear", "--as", "stranger@example.com")
    assert code == 1 and "no program with key or id" in out
    code, out = podium("level", "LEV", "--clear", "--as", "nobody@example.com")
    assert code == 1 and "no user with email nobody@example.com" in out
    assert state(engine) == LEVELED
    add_member(db, program, make_user(db, email="li@example.com"), Role.MANAGER)
    code, out = podium("level", "LEV", "--clear", "--as", "li@example.com")
    assert code == 0, out
    assert state(engine) == (day(8), {"PLAT-1": None, "SEC-1": None})
    with Session(engine) as session:
        entry = last_task_change(session)
    assert entry is not None and entry.user_email == "li@example.com"
    assert entry.changes == {"leveled_start": ["2027-01-07", None]}


def test_the_holds_of_a_closed_program_stay_until_it_is_reopened(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program = leveled(db)
    retrospective.close_program(db, SYSTEM, program.id)
    complete(db)
    for options in (("--clear",), ("--apply",)):
        code, out = podium("level", "LEV", *options)
        assert code == 1, options
        assert "LEV is closed: its plan cannot change until an owner reopens it" in flat(out)
        assert state(engine) == LEVELED
    with Session(engine) as session:
        status = session.scalar(select(Program.status).where(Program.key == "LEV"))
    assert status == ProgramStatus.CLOSED


def test_an_unknown_program_is_refused(cli_env: None, engine: Engine) -> None:
    code, out = podium("level", "NOPE", "--clear")
    assert code == 1 and "no program with key or id 'NOPE'" in out


def test_clearing_a_program_without_work_names_no_finish(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="BARE", start_date=day(4))
    complete(db)
    code, out = podium("level", "BARE", "--clear")
    assert code == 0, out
    assert "There were no leveling delays in BARE: nothing to clear." in flat(out)
    assert "none" not in out
