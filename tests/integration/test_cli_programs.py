"""`podium program …` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.api.programs import KEY_PATTERN, GoalIn, ProgramCreate
from podium.cli import app, program_settings
from podium.models import (
    AuditEntry,
    Calendar,
    Membership,
    Program,
    ProgramStatus,
    Project,
    Role,
    Task,
    User,
)
from tests.factories import add_member, make_program, make_project, make_task, make_user

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def flat(out: str) -> str:
    """The output on one line (error messages wrap at the terminal's width)."""
    return " ".join(out.split())


def stored(engine: Engine, key: str) -> Program | None:
    with Session(engine) as session:
        return session.scalar(select(Program).where(Program.key == key))


def programs_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Program)) or 0


def roles(engine: Engine, key: str) -> dict[str, Role]:
    """Each member of the program by email, with their role."""
    with Session(engine) as session:
        rows = session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .join(Program, Program.id == Membership.program_id)
            .where(Program.key == key)
        )
        return {email: role for email, role in rows}


def finish_of(engine: Engine, task_key: str) -> date | None:
    with Session(engine) as session:
        return session.scalar(select(Task.early_finish).where(Task.key == task_key))


def table_rows(out: str) -> dict[str, list[str]]:
    """The cells of each table row, by the row's first cell."""
    rows = {}
    for line in out.splitlines():
        if "│" in line:
            cells = [c.strip() for c in line.split("│")[1:-1]]
            rows[cells[0]] = cells[1:]
    return rows


def facts(out: str) -> dict[str, str]:
    """The label/value lines of `program show` (two spaces or more between them)."""
    found = {}
    for line in out.splitlines():
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        if len(parts) == 2 and "│" not in line:
            found[parts[0]] = parts[1]
    return found


def make_calendar(db: Session, name: str) -> Calendar:
    calendar = Calendar(name=name, weekmask="1111100", holidays=[])
    db.add(calendar)
    db.commit()
    return calendar


# --- create ----------------------------------------------------------------------


def test_create_stores_every_setting_and_makes_the_owner_its_owner(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_user(db, email="ana@example.com", name="Ana Lima")
    standard = make_calendar(db, "Standard")
    code, out = podium(
        "program", "create", "CLOUD",
        "--name", "Cloud migration",
        "--start", "2027-01-04",
        "--description", "Move every client environment to the cloud.",
        "--calendar", "standard",
        "--status-date", "2027-02-01",
        "--goal-outcome", "Fewer support tickets",
        "--goal-measure", "support tickets per month",
        "--goal-unit", "tickets",
        "--goal-baseline", "1200",
        "--goal-target", "840",
        "--goal-target-date", "2027-12-31",
        "--owner", "ANA@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Created program CLOUD Cloud migration" in out and "starting 2027-01-04" in out
    assert "Owner: ana@example.com." in out
    program = stored(engine, "CLOUD")
    assert program is not None
    assert (program.name, program.description) == (
        "Cloud migration",
        "Move every client environment to the cloud.",
    )
    assert program.start_date == date(2027, 1, 4) and program.status_date == date(2027, 2, 1)
    assert program.calendar_id == standard.id and program.status == ProgramStatus.ACTIVE
    assert (program.goal_outcome, program.goal_measure, program.goal_unit) == (
        "Fewer support tickets",
        "support tickets per month",
        "tickets",
    )
    assert (program.goal_baseline_value, program.goal_target_value) == (1200, 840)
    assert program.goal_target_date == date(2027, 12, 31)
    assert roles(engine, "CLOUD") == {"ana@example.com": Role.OWNER}


def test_create_without_an_owner_says_how_to_add_one(cli_env: None, engine: Engine) -> None:
    code, out = podium("program", "create", "OPS", "--name", "Operations", "--start", "2027-02-01")
    assert code == 0, out
    assert "No owner yet" in out
    assert "podium program member-add OPS EMAIL --role owner" in flat(out)
    program = stored(engine, "OPS")
    assert program is not None and program.start_date == date(2027, 2, 1)
    assert program.calendar_id is None and program.status_date is None
    assert roles(engine, "OPS") == {}


@pytest.mark.parametrize("key", ["9LIVES", "CLOUD MOVE", "É", "-X", "K" * 21, " ", "OPS."])
def test_create_refuses_a_key_the_api_refuses(cli_env: None, engine: Engine, key: str) -> None:
    with pytest.raises(ValidationError):
        ProgramCreate(key=key, name="x", start_date=date(2027, 1, 4))
    code, out = podium("program", "create", "--name", "x", "--start", "2027-01-04", "--", key)
    assert code == 1
    assert "cannot be a program key: a key is a letter, then at most 19 letters" in flat(out)
    assert programs_count(engine) == 0


def test_the_key_rule_and_the_lengths_are_the_apis() -> None:
    assert program_settings.KEY_PATTERN == KEY_PATTERN
    for key in ("A", "cloud", "Data_2-b", "K" * 20):
        ProgramCreate(key=key, name="x", start_date=date(2027, 1, 4))
        assert re.fullmatch(program_settings.KEY_PATTERN, key)

    def max_length(model: type[BaseModel], field: str) -> int:
        return next(
            m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen)
        )

    api_lengths = {
        "name": max_length(ProgramCreate, "name"),
        "description": max_length(ProgramCreate, "description"),
        "goal_outcome": max_length(GoalIn, "outcome"),
        "goal_measure": max_length(GoalIn, "measure"),
        "goal_unit": max_length(GoalIn, "unit"),
    }
    assert api_lengths == program_settings.TEXT_LENGTHS


def test_create_trims_the_key_and_the_texts_as_the_api_does(cli_env: None, engine: Engine) -> None:
    body = ProgramCreate(key=" OPS\n", name=" Operations ", start_date=date(2027, 2, 1))
    assert (body.key, body.name) == ("OPS", "Operations")
    code, out = podium(
        "program", "create", " OPS\n", "--name", " Operations ", "--start", "2027-02-01",
        "--goal-unit", " tickets ",
    )  # fmt: skip
    assert code == 0, out
    program = stored(engine, "OPS")
    assert program is not None
    assert (program.name, program.goal_unit) == ("Operations", "tickets")


def test_create_refuses_a_taken_key_an_unknown_owner_or_calendar_and_bad_input(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    make_calendar(db, "Standard")
    base = ("program", "create", "NEW", "--start", "2027-01-04")
    for args, message in (
        (("program", "create", "CLOUD", "--name", "x", "--start", "2027-01-04"),
         "a program with key CLOUD already exists"),
        ((*base, "--name", "x", "--owner", "nobody@example.com"),
         "--owner: no user with email nobody@example.com"),
        ((*base, "--name", "x", "--calendar", "Plant"),
         "no calendar named 'Plant' (there are: Standard)"),
        (("program", "create", "NEW", "--name", "x", "--start", "4 Jan 2027"),
         "--start must be YYYY-MM-DD, not '4 Jan 2027'"),
        ((*base, "--name", "x", "--status-date", "2027-02-30"),
         "--status-date must be YYYY-MM-DD, not '2027-02-30'"),
        ((*base, "--name", "   "), "--name must not be blank"),
        ((*base, "--name", "n" * 201), "--name is at most 200 characters, not 201"),
        ((*base, "--name", "x", "--goal-unit", "u" * 51),
         "--goal-unit is at most 50 characters, not 51"),
        ((*base, "--name", "x", "--goal-target", "inf"),
         "--goal-target must be a finite number, not inf"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 1, args
        assert message in flat(out), args
    assert programs_count(engine) == 1
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 0


# --- list and show -----------------------------------------------------------------


def test_list_shows_each_programs_dates_and_counts_and_filters_by_status(
    cli_env: None, engine: Engine, db: Session
) -> None:
    code, out = podium("program", "list")
    assert code == 0 and "No program yet: start one with `podium program create" in flat(out)
    cloud = make_program(
        db,
        key="CLOUD",
        name="Cloud migration",
        start_date=date(2027, 1, 4),
        status_date=date(2027, 2, 1),
        goal_target_date=date(2027, 12, 31),
    )
    data, plat = make_project(db, cloud, "DATA"), make_project(db, cloud, "PLAT")
    for key in ("DATA-1", "DATA-2"):
        make_task(db, data, key)
    make_task(db, plat, "PLAT-1")
    add_member(db, cloud, make_user(db), Role.OWNER)
    add_member(db, cloud, make_user(db), Role.VIEWER)
    make_program(db, key="OPS", name="Operations", start_date=date(2027, 3, 1))
    make_program(db, key="HOLD", name="Paused work", status=ProgramStatus.ON_HOLD)
    code, out = podium("program", "list")
    assert code == 0, out
    assert "3 program(s)" in out
    rows = table_rows(out)
    assert rows["CLOUD"] == [
        "Cloud migration", "active", "2027-01-04", "2027-02-01", "2027-12-31", "2", "3", "2"
    ]  # fmt: skip
    assert rows["OPS"] == ["Operations", "active", "2027-03-01", "", "", "0", "0", "0"]
    assert list(rows) == ["CLOUD", "HOLD", "OPS"]
    code, out = podium("program", "list", "--status", "on_hold")
    assert code == 0, out
    assert "1 program(s)" in out and list(table_rows(out)) == ["HOLD"]
    code, out = podium("program", "list", "--status", "closed")
    assert code == 0 and "No closed program." in out
    code, out = podium("program", "list", "--status", "paused")
    assert code == 1
    assert "--status must be one of active, on_hold, closed, not 'paused'" in flat(out)


def test_show_prints_the_settings_the_goal_the_schedule_and_the_members(
    cli_env: None, engine: Engine, db: Session
) -> None:
    standard = make_calendar(db, "Standard")
    cloud = make_program(
        db,
        key="CLOUD",
        name="Cloud migration",
        description="Move every client environment to the cloud.",
        start_date=date(2027, 1, 4),
        calendar_id=standard.id,
        goal_outcome="Fewer support tickets",
        goal_measure="support tickets per month",
        goal_unit="tickets",
        goal_baseline_value=1200.0,
        goal_target_value=840.0,
        goal_target_date=date(2027, 12, 31),
    )
    make_task(db, make_project(db, cloud, "DATA"), "DATA-1", duration=5)
    add_member(db, cloud, make_user(db, email="zoe@example.com", name="Zoé [admin]"), Role.VIEWER)
    add_member(db, cloud, make_user(db, email="bo@example.com", name="Bo"), Role.MEMBER)
    add_member(db, cloud, make_user(db, email="yan@example.com", name="Yan"), Role.OWNER)
    podium("program", "set", "CLOUD", "--status-date", "2027-01-04")  # schedules the task
    code, out = podium("program", "show", "CLOUD")
    assert code == 0, out
    assert "CLOUD Cloud migration" in out and "Move every client environment" in out
    shown = facts(out)
    assert shown["status"] == "active" and shown["start"] == "2027-01-04"
    assert shown["calendar"] == "Standard" and shown["status date"] == "2027-01-04"
    assert shown["scheduled"] == "2027-01-04 → 2027-01-08"
    assert shown["plan"] == "1 project, 1 task"
    assert shown["goal"] == "Fewer support tickets"
    assert shown["measure"] == "support tickets per month (tickets)"
    assert shown["target"] == "1200 → 840 by 2027-12-31"
    assert "3 members" in out
    members = [cells for first, cells in table_rows(out).items() if "@" in first]
    assert [row[-1] for row in members] == ["owner", "member", "viewer"]
    assert table_rows(out)["zoe@example.com"] == ["Zoé [admin]", "viewer"]  # not markup
    assert "No owner yet" not in out


def test_show_of_a_bare_program_says_what_is_missing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    ops = make_program(db, key="OPS", name="Operations", start_date=date(2027, 3, 1))
    code, out = podium("program", "show", str(ops.id))  # by id as well as by key
    assert code == 0, out
    shown = facts(out)
    assert shown["calendar"] == "none (Mon–Fri, no holidays)"
    assert shown["status date"] == "not set" and shown["goal"] == "not set"
    assert shown["scheduled"] == "not scheduled yet (no tasks)"
    assert "No owner yet" in out
    code, out = podium("program", "show", "NOPE")
    assert code == 1 and "no program with key or id 'NOPE'" in out


# --- set ---------------------------------------------------------------------------


def test_set_changes_only_what_is_given_and_prints_each_change(
    cli_env: None, engine: Engine, db: Session
) -> None:
    standard = make_calendar(db, "Standard")
    make_program(
        db,
        key="CLOUD",
        name="Cloud migration",
        description="Old words",
        start_date=date(2027, 1, 4),
        goal_target_value=840.0,
        goal_unit="tickets",
    )
    before = stored(engine, "CLOUD")
    assert before is not None
    code, out = podium(
        "program", "set", "CLOUD",
        "--name", "Cloud move",
        "--calendar", "STANDARD",
        "--status", "on_hold",
        "--goal-target", "800",
        "--goal-target-date", "2027-12-31",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated CLOUD Cloud move:" in out
    changes = facts(out)
    assert changes["name"] == "Cloud migration → Cloud move"
    assert changes["calendar"] == "none (Mon–Fri, no holidays) → Standard"
    assert changes["status"] == "active → on_hold"
    assert changes["goal target"] == "840 → 800"
    assert changes["goal target date"] == "— → 2027-12-31"
    after = stored(engine, "CLOUD")
    assert after is not None
    assert (after.name, after.calendar_id, after.status) == (
        "Cloud move",
        standard.id,
        ProgramStatus.ON_HOLD,
    )
    assert (after.goal_target_value, after.goal_target_date) == (800, date(2027, 12, 31))
    # what was not given is as it was
    assert (after.description, after.goal_unit, after.start_date) == (
        "Old words",
        "tickets",
        date(2027, 1, 4),
    )
    assert after.version == before.version + 1
    with Session(engine) as session:
        audited = session.scalar(
            select(AuditEntry.changes).where(
                AuditEntry.entity_type == "program", AuditEntry.action == "update"
            )
        )
    assert audited is not None and set(audited) == {
        "name",
        "calendar_id",
        "status",
        "goal_target_value",
        "goal_target_date",
    }
    code, out = podium("program", "set", "CLOUD", "--no-calendar", "--status", "active")
    assert code == 0, out
    assert facts(out)["calendar"] == "Standard → none (Mon–Fri, no holidays)"
    after = stored(engine, "CLOUD")
    assert after is not None and after.calendar_id is None
    assert after.status == ProgramStatus.ACTIVE


def test_set_to_the_values_already_there_changes_nothing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD", name="Cloud migration")
    before = stored(engine, "CLOUD")
    assert before is not None
    code, out = podium("program", "set", "CLOUD", "--name", "Cloud migration")
    assert code == 0, out
    assert "Nothing changed: CLOUD Cloud migration already has those settings." in out
    after = stored(engine, "CLOUD")
    assert after is not None and after.version == before.version


def test_moving_the_status_date_or_the_start_reschedules_the_program(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    make_task(db, make_project(db, cloud, "DATA"), "DATA-1", duration=5)
    assert finish_of(engine, "DATA-1") is None  # stored unscheduled
    code, out = podium("program", "set", "CLOUD", "--status-date", "2027-01-04")
    assert code == 0, out
    assert finish_of(engine, "DATA-1") == date(2027, 1, 8)
    # a week later, the task has not started: it cannot start before the status date
    code, out = podium("program", "set", "CLOUD", "--status-date", "2027-01-11")
    assert code == 0, out
    assert facts(out)["status date"] == "2027-01-04 → 2027-01-11"
    assert "Rescheduled: start 2027-01-04 → 2027-01-11, finish 2027-01-08 → 2027-01-15." in out
    assert finish_of(engine, "DATA-1") == date(2027, 1, 15)
    program = stored(engine, "CLOUD")
    assert program is not None and program.status_date == date(2027, 1, 11)
    assert program.scheduled_finish == date(2027, 1, 15)
    code, out = podium("program", "set", "CLOUD", "--clear-status-date", "--start", "2027-01-18")
    assert code == 0, out
    assert facts(out)["status date"] == "2027-01-11 → —"
    assert finish_of(engine, "DATA-1") == date(2027, 1, 22)
    program = stored(engine, "CLOUD")
    assert program is not None and program.status_date is None
    assert program.start_date == date(2027, 1, 18)
    code, out = podium("program", "set", "CLOUD", "--start", "2027-01-19")
    assert code == 0, out
    assert "Rescheduled: start 2027-01-18 → 2027-01-19, finish 2027-01-22 → 2027-01-25." in out
    assert finish_of(engine, "DATA-1") == date(2027, 1, 25)


def test_set_refuses_nothing_to_change_clashing_options_and_a_closed_program(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_calendar(db, "Standard")
    make_program(db, key="CLOUD")
    make_program(db, key="DONE", status=ProgramStatus.CLOSED)
    before = stored(engine, "CLOUD")
    assert before is not None
    for args, message in (
        ((), "nothing to change: give at least one of the options (see --help)"),
        (("--calendar", "Standard", "--no-calendar"), "give --calendar or --no-calendar, not both"),
        (("--status-date", "2027-02-01", "--clear-status-date"),
         "give --status-date or --clear-status-date, not both"),
        (("--status", "closed"), "a program is closed with its retrospective"),
        (("--status", "paused"), "--status must be one of active, on_hold, not 'paused'"),
        (("--status-date", "next monday"), "--status-date must be YYYY-MM-DD, not 'next monday'"),
        (("--calendar", "Plant"), "no calendar named 'Plant' (there are: Standard)"),
        (("--description", "d" * 10_001), "--description is at most 10000 characters, not 10001"),
    ):  # fmt: skip
        code, out = podium("program", "set", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    after = stored(engine, "CLOUD")
    assert after is not None and after.version == before.version
    code, out = podium("program", "set", "DONE", "--status-date", "2027-02-01")
    assert code == 1
    assert "DONE is closed: its settings cannot change until an owner reopens it" in flat(out)
    done = stored(engine, "DONE")
    assert done is not None and done.status_date is None
    assert done.status == ProgramStatus.CLOSED
    code, out = podium("program", "set", "NOPE", "--name", "x")
    assert code == 1 and "no program with key or id 'NOPE'" in out


# --- delete ------------------------------------------------------------------------


def test_delete_needs_yes_and_says_first_what_it_would_delete(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = make_program(db, key="CLOUD", name="Cloud migration")
    data = make_project(db, cloud, "DATA")
    make_task(db, data, "DATA-1")
    make_task(db, data, "DATA-2")
    add_member(db, cloud, make_user(db), Role.OWNER)
    make_program(db, key="OPS")
    code, out = podium("program", "delete", "CLOUD")
    assert code == 1
    assert (
        "this would delete program CLOUD (Cloud migration) with its 1 project and 2 tasks, "
        "and everything else in it: run again with --yes to delete it"
    ) in flat(out)
    assert stored(engine, "CLOUD") is not None
    code, out = podium("program", "delete", "CLOUD", "--yes")
    assert code == 0, out
    assert "Deleted program CLOUD (Cloud migration) with its 1 project and 2 tasks." in out
    assert stored(engine, "CLOUD") is None and stored(engine, "OPS") is not None
    with Session(engine) as session:
        for model in (Project, Task, Membership):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
    code, out = podium("program", "delete", "CLOUD", "--yes")
    assert code == 1 and "no program with key or id 'CLOUD'" in out


# --- members -----------------------------------------------------------------------


def test_members_are_added_given_another_role_and_removed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    make_user(db, email="ana@example.com", name="Ana Lima")
    make_user(db, email="bo@example.com")
    code, out = podium("program", "member-add", "CLOUD", "Ana@Example.com", "--role", "owner")
    assert code == 0, out
    assert "Added ana@example.com (Ana Lima) to CLOUD as owner." in out
    code, out = podium("program", "member-add", "CLOUD", "bo@example.com", "--role", "Viewer")
    assert code == 0, out
    assert roles(engine, "CLOUD") == {"ana@example.com": Role.OWNER, "bo@example.com": Role.VIEWER}
    code, out = podium("program", "member-role", "CLOUD", "bo@example.com", "manager")
    assert code == 0, out
    assert "bo@example.com is now manager in CLOUD (was viewer)." in out
    assert roles(engine, "CLOUD")["bo@example.com"] == Role.MANAGER
    code, out = podium("program", "member-role", "CLOUD", "bo@example.com", "manager")
    assert code == 0 and "bo@example.com is already manager in CLOUD: nothing changed." in out
    code, out = podium("program", "member-remove", "CLOUD", "BO@example.com")
    assert code == 0, out
    assert "Removed bo@example.com (manager) from CLOUD." in out
    assert roles(engine, "CLOUD") == {"ana@example.com": Role.OWNER}


def test_member_commands_refuse_with_the_services_reasons_and_change_nothing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = make_program(db, key="CLOUD")
    add_member(db, cloud, make_user(db, email="ana@example.com"), Role.OWNER)
    make_user(db, email="bo@example.com")
    for args, message in (
        (("member-add", "CLOUD", "nobody@example.com", "--role", "member"),
         "no user with email nobody@example.com"),
        (("member-add", "CLOUD", "ana@example.com", "--role", "viewer"),
         "ana@example.com is already a member (role owner)"),
        (("member-add", "CLOUD", "bo@example.com", "--role", "boss"),
         "--role must be one of owner, manager, member, viewer, not 'boss'"),
        (("member-add", "NOPE", "bo@example.com", "--role", "member"),
         "no program with key or id 'NOPE'"),
        (("member-role", "CLOUD", "ana@example.com", "manager"),
         "a program must keep at least one owner"),
        (("member-role", "CLOUD", "ana@example.com", "king"),
         "ROLE must be one of owner, manager, member, viewer, not 'king'"),
        (("member-role", "CLOUD", "nobody@example.com", "viewer"),
         "no user with email nobody@example.com"),
        (("member-role", "CLOUD", "bo@example.com", "viewer"),
         "bo@example.com is not a member of CLOUD"),
        (("member-remove", "CLOUD", "ana@example.com"), "a program must keep at least one owner"),
        (("member-remove", "CLOUD", "bo@example.com"), "bo@example.com is not a member of CLOUD"),
    ):  # fmt: skip
        code, out = podium("program", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert roles(engine, "CLOUD") == {"ana@example.com": Role.OWNER}


def test_a_second_owner_lets_the_first_go(cli_env: None, engine: Engine, db: Session) -> None:
    cloud = make_program(db, key="CLOUD")
    add_member(db, cloud, make_user(db, email="ana@example.com"), Role.OWNER)
    add_member(db, cloud, make_user(db, email="bo@example.com"), Role.OWNER)
    code, out = podium("program", "member-role", "CLOUD", "ana@example.com", "member")
    assert code == 0, out
    code, out = podium("program", "member-remove", "CLOUD", "bo@example.com")
    assert code == 1 and "a program must keep at least one owner" in out
    assert roles(engine, "CLOUD") == {"ana@example.com": Role.MEMBER, "bo@example.com": Role.OWNER}


def test_a_scenarios_hidden_copy_is_neither_listed_nor_changed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    make_user(db, email="ana@example.com")
    code, out = podium("scenario", "create", "CLOUD", "Later start")
    assert code == 0, out
    code, out = podium("program", "list")
    assert code == 0 and list(table_rows(out)) == ["CLOUD"]
    for args in (
        ("set", "CLOUD~S1", "--name", "x"),
        ("delete", "CLOUD~S1", "--yes"),
        ("member-add", "CLOUD~S1", "ana@example.com", "--role", "viewer"),
    ):
        code, out = podium("program", *args)
        assert code == 1, args
        assert "CLOUD~S1 is a scenario's copy of a program" in flat(out), args
    copy = stored(engine, "CLOUD~S1")
    assert copy is not None and copy.name == "Later start"
    assert roles(engine, "CLOUD~S1") == {}


def test_program_comes_right_after_the_setup_commands_in_help() -> None:
    code, out = podium("--help")
    assert code == 0, out
    groups = [line.split()[1] for line in out.splitlines() if re.match(r"│ [a-z]", line)]
    assert groups.index("program") == groups.index("token") + 1
    assert groups.index("milestone") == groups.index("program") + 1
    assert groups.index("project") == groups.index("milestone") + 1
    assert groups.index("task") == groups.index("project") + 1
    assert groups.index("resource") == groups.index("task") + 1


def test_show_finds_a_program_by_its_key_in_any_case(cli_env: None, db: Session) -> None:
    make_program(db, key="CLOUD", name="Cloud migration")
    code, out = podium("program", "show", "cloud")
    assert code == 0, out
    assert "CLOUD Cloud migration" in out


def test_two_stored_keys_differing_in_case_are_told_apart_only_as_typed(
    cli_env: None, db: Session
) -> None:
    """A database from before keys were unique ignoring case may hold ``CLOUD`` and
    ``Cloud``: the key as typed finds its program; another case finds neither."""
    make_program(db, key="CLOUD", name="Cloud migration")
    older = make_program(db, key="OLDER", name="Data platform")
    older.key = "Cloud"  # written before the rule, as such a database holds it
    db.commit()
    code, out = podium("program", "show", "Cloud")
    assert code == 0 and "Data platform" in out, out
    code, out = podium("program", "show", "cloud")
    assert code != 0
    assert "no program with key or id 'cloud'" in flat(out)
