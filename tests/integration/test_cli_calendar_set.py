"""`podium calendar set` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import MaxLen
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.api.calendars import CalendarCreate, CalendarUpdate
from podium.cli import calendars as calendar_cli
from podium.models import AuditEntry, Calendar, Program, Role, Task
from podium.services.actor import SYSTEM
from podium.services.governance import retrospective
from podium.services.scheduling import mark_program
from podium.services.uow import complete
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import flat, podium


def calendar(engine: Engine, name: str) -> Calendar:
    with Session(engine) as session:
        found = session.scalar(select(Calendar).where(Calendar.name == name))
        assert found is not None, name
        return found


def finish(engine: Engine, program_key: str) -> date | None:
    with Session(engine) as session:
        return session.scalar(select(Program.scheduled_finish).where(Program.key == program_key))


def make_calendar(db: Session, name: str, weekmask: str = "1111100") -> Calendar:
    made = Calendar(name=name, description="", weekmask=weekmask, holidays=[])
    db.add(made)
    db.commit()
    return made


def scheduled_program(db: Session, key: str, calendar_id: int | None) -> Program:
    """A program starting Mon 4 Jan 2027 with one 5-day task, scheduled: it finishes on
    Fri 8 Jan on a Monday–Friday week."""
    program = make_program(db, key=key, start_date=date(2027, 1, 4), calendar_id=calendar_id)
    make_task(db, make_project(db, program, "DATA"), f"{key}-1", duration=5)
    mark_program(db, program.id)
    complete(db)
    return program


# --- success ---------------------------------------------------------------------------


def test_set_changes_the_name_and_description_and_says_old_and_new(
    cli_env: None, engine: Engine, db: Session
) -> None:
    made = make_calendar(db, "Standard")
    code, out = podium(
        "calendar", "set", "standard", "--name", " Head office ",
        "--description", "Paris, France",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated calendar Head office:" in out
    assert "name         Standard → Head office" in out
    assert "description  — → Paris, France" in out
    assert "worked" not in out  # the weekdays were not given
    stored = calendar(engine, "Head office")
    assert stored.id == made.id and stored.description == "Paris, France"
    assert stored.weekmask == "1111100" and stored.version == made.version + 1
    with Session(engine) as session:
        entry = session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_type == "calendar", AuditEntry.action == "update"
            )
        )
    assert entry is not None and entry.user_email == "system"
    assert entry.changes == {
        "name": ["Standard", "Head office"],
        "description": ["", "Paris, France"],
    }


def test_setting_what_it_already_has_changes_nothing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    made = make_calendar(db, "Standard")
    code, out = podium(
        "calendar", "set", "Standard", "--name", "Standard", "--workdays", "mon,TUE,Wed,thu,fri"
    )
    assert code == 0, out
    assert "Nothing changed: calendar Standard already has those settings." in out
    assert calendar(engine, "Standard").version == made.version
    # a new case is a new name (names are unique ignoring case, so it is its own)
    code, out = podium("calendar", "set", "Standard", "--name", "STANDARD")
    assert code == 0, out
    assert "name  Standard → STANDARD" in out
    assert calendar(engine, "STANDARD").id == made.id


def test_new_workdays_reschedule_the_programs_using_it_and_say_how_their_finish_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    standard, other = make_calendar(db, "Standard"), make_calendar(db, "Other")
    scheduled_program(db, "CLOUD", standard.id)
    ops = make_program(db, key="OPS", start_date=date(2027, 1, 4))  # its project uses it
    make_task(db, make_project(db, ops, "RUN", calendar_id=standard.id), "RUN-1", duration=2)
    mark_program(db, ops.id)
    scheduled_program(db, "ELSE", other.id)
    complete(db)
    assert (finish(engine, "CLOUD"), finish(engine, "OPS")) == (date(2027, 1, 8), date(2027, 1, 5))
    code, out = podium("calendar", "set", "Standard", "--workdays", "Mon,Tue,Wed,Thu")
    assert code == 0, out
    assert "worked  Mon–Fri → Mon–Thu" in out
    assert (
        "Rescheduled the programs that use it: CLOUD (finish 2027-01-08 → 2027-01-11), "
        "OPS (finish unchanged, 2027-01-05)." in flat(out)
    )
    assert "ELSE" not in out
    assert calendar(engine, "Standard").weekmask == "1111000"
    # the stored schedule follows: five working days, Friday 8 not worked
    assert finish(engine, "CLOUD") == date(2027, 1, 11) and finish(engine, "ELSE") == date(
        2027, 1, 8
    )
    with Session(engine) as session:
        task = session.scalar(select(Task).where(Task.key == "CLOUD-1"))
    assert task is not None and task.early_finish == date(2027, 1, 11)


def test_a_closed_program_keeps_its_schedule_and_the_command_says_none_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    standard = make_calendar(db, "Standard")
    program = scheduled_program(db, "DONE", standard.id)
    retrospective.close_program(db, SYSTEM, program.id)
    complete(db)
    code, out = podium("calendar", "set", "Standard", "--workdays", "Mon,Tue,Wed")
    assert code == 0, out
    assert "worked  Mon–Fri → Mon–Wed" in out
    assert "No program to reschedule: none uses it, or only closed ones" in flat(out)
    assert finish(engine, "DONE") == date(2027, 1, 8)
    assert calendar(engine, "Standard").weekmask == "1110000"


# --- who may ---------------------------------------------------------------------------


def test_a_viewer_or_member_is_refused_and_a_manager_may(
    cli_env: None, engine: Engine, db: Session
) -> None:
    made = make_calendar(db, "Standard")
    program = make_program(db, key="CLOUD")
    for email, role in (("erin@example.com", Role.VIEWER), ("sam@example.com", Role.MEMBER)):
        add_member(db, program, make_user(db, email=email), role)
        code, out = podium("calendar", "set", "Standard", "--name", "Mine", "--as", email)
        assert code == 1, email
        assert "only admins and program managers or owners can change calendars" in flat(out)
    code, out = podium("calendar", "set", "Standard", "--name", "Mine", "--as", "nobody@x.com")
    assert code == 1 and "no user with email nobody@x.com" in out
    assert calendar(engine, "Standard").version == made.version
    add_member(db, program, make_user(db, email="li@example.com"), Role.MANAGER)
    code, out = podium("calendar", "set", "Standard", "--name", "Mine", "--as", "li@example.com")
    assert code == 0, out
    with Session(engine) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "calendar"))
    assert entry is not None and entry.user_email == "li@example.com"
    assert calendar(engine, "Mine").id == made.id


def test_a_calendar_other_programs_use_is_changed_by_their_managers_only(
    cli_env: None, engine: Engine, db: Session
) -> None:
    standard = make_calendar(db, "Standard")
    mine = scheduled_program(db, "MINE", standard.id)
    secret = scheduled_program(db, "SECRET", standard.id)
    li = make_user(db, email="li@example.com")
    add_member(db, mine, li, Role.MANAGER)
    args = ("calendar", "set", "Standard", "--workdays", "Mon,Tue,Wed,Thu")
    code, out = podium(*args, "--as", "li@example.com")
    assert code == 1
    assert "used by programs you do not manage (1 program you cannot see)" in flat(out)
    assert "SECRET" not in out
    assert finish(engine, "SECRET") == finish(engine, "MINE") == date(2027, 1, 8)

    add_member(db, secret, li, Role.VIEWER)
    code, out = podium(*args, "--as", "li@example.com")
    assert code == 1 and "(SECRET)" in flat(out)  # seen now, so named

    mo = make_user(db, email="mo@example.com")
    for program in (mine, secret):
        add_member(db, program, mo, Role.OWNER)
    code, out = podium(*args, "--as", "mo@example.com")
    assert code == 0, out
    assert (
        "Rescheduled the programs that use it: MINE (finish 2027-01-08 → 2027-01-11), "
        "SECRET (finish 2027-01-08 → 2027-01-11)." in flat(out)
    )


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to change: give --name, --description or --workdays"),
        (("--name", "  "), "--name must not be blank"),
        (("--name", "x" * 101), "--name is at most 100 characters, not 101"),
        (("--name", "a\x00b"), "--name contains a NUL character"),
        (
            ("--name", "a\x1b[2Jb"),  # an escape would clear the terminal that lists it
            "--name contains a control character (\\x1b): only tabs and line breaks are text",
        ),
        (("--description", "d" * 10_001), "--description is at most 10000 characters, not 10001"),
        (("--name", "plant"), "a calendar named Plant already exists"),
        (("--workdays", "Mon,Funday"), "'Funday' is not one of Mon, Tue, Wed, Thu, Fri, Sat, Sun"),
        (("--workdays", "Mon,mon"), "Mon is listed twice"),
        (("--workdays", " , "), "at least one weekday must be worked"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    made = make_calendar(db, "Standard")
    make_calendar(db, "Plant")
    code, out = podium("calendar", "set", "Standard", *args)
    assert code == 1, out
    assert message in flat(out)
    stored = calendar(engine, "Standard")
    assert (stored.version, stored.weekmask, stored.description) == (made.version, "1111100", "")


def test_an_unknown_calendar_is_refused_naming_the_known_ones(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_calendar(db, "Standard")
    code, out = podium("calendar", "set", "Office", "--name", "Head office")
    assert code == 1
    assert "no calendar named 'Office' (there are: Standard)" in flat(out)


def test_the_lengths_are_the_apis() -> None:
    def max_length(model: type[CalendarCreate | CalendarUpdate], field: str) -> int:
        return next(
            m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen)
        )

    for model in (CalendarCreate, CalendarUpdate):
        assert max_length(model, "name") == calendar_cli.NAME_LENGTH
        assert max_length(model, "description") == calendar_cli.DESCRIPTION_LENGTH
