"""`podium resource show|add|set|delete` on a real database (SQLite and PostgreSQL).

By hand (Mon–Fri, no holidays): in CLOUD (start Monday 4 January 2027) ana works
full time on DATA-1 (5 d), 4–8 January. In OPS (start Monday 1 February) she works
half time on RUN-1 (5 d), 1–5 February. Time off on Wednesday 6 and Thursday
7 January pauses DATA-1: it works 4, 5, 8, 11 and 12 January, so CLOUD now
finishes on Tuesday 12 January; OPS does not move.
"""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import Ge, Gt, Le, MaxLen
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.resources import KEY_PATTERN, MAX_COST_RATE, ResourceCreate, TimeOffIn
from podium.cli import resources as resource_cli
from podium.models import Assignment, Calendar, Program, Resource, ResourceKind, Role, Task
from podium.services.actor import SYSTEM
from podium.services.scenarios import create_scenario
from podium.services.scheduling import reschedule_program
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import facts, flat, podium, table_rows


def _plan(db: Session) -> None:
    """CLOUD and OPS share ana; lab is unassigned. mo manages both; vi only views CLOUD;
    li manages CLOUD alone."""
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    ops = make_program(db, key="OPS", start_date=date(2027, 2, 1))
    mo, vi = make_user(db, email="mo@example.com"), make_user(db, email="vi@example.com")
    add_member(db, cloud, mo, Role.MANAGER)
    add_member(db, ops, mo, Role.MANAGER)
    add_member(db, cloud, vi, Role.VIEWER)
    add_member(db, cloud, make_user(db, email="li@example.com"), Role.MANAGER)
    make_user(db, email="ana@example.com")
    db.add(Calendar(name="Standard", weekmask="1111100", holidays=[]))
    ana = Resource(key="ana", name="Ana Lima", capacity=1.0, cost_rate=100.0)
    db.add_all([ana, Resource(key="lab", name="Test lab", kind=ResourceKind.EQUIPMENT)])
    data = make_task(db, make_project(db, cloud, "DATA"), "DATA-1", name="Build the platform")
    run = make_task(db, make_project(db, ops, "RUN"), "RUN-1", name="Run the platform")
    db.add_all([
        Assignment(program_id=cloud.id, task_id=data.id, resource_id=ana.id, units=1.0),
        Assignment(program_id=ops.id, task_id=run.id, resource_id=ana.id, units=0.5),
    ])  # fmt: skip
    db.commit()
    for program in (cloud, ops):
        reschedule_program(db, program.id)
    db.commit()


def stored(engine: Engine, key: str) -> Resource | None:
    with Session(engine) as session:
        return session.scalar(select(Resource).where(Resource.key == key))


def finish_of(engine: Engine, key: str) -> tuple[date | None, date | None]:
    """A task's scheduled finish and its program's."""
    with Session(engine) as session:
        task = session.scalar(select(Task).where(Task.key == key))
        assert task is not None
        program = session.get(Program, task.program_id)
        assert program is not None
        return task.early_finish, program.scheduled_finish


def resources_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Resource)) or 0


# --- show ------------------------------------------------------------------------------


def test_show_prints_the_settings_and_the_assignments_in_every_program(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    cloud = db.scalar(select(Program).where(Program.key == "CLOUD"))
    assert cloud is not None
    create_scenario(db, SYSTEM, cloud.id, name="What if")  # its copy books ana too: not shown
    db.commit()
    code, out = podium("resource", "show", "ana")
    assert code == 0, out
    assert "ana Ana Lima" in out
    shown = facts(out)
    assert shown["kind"] == "person"
    assert shown["capacity"] == "1 unit per working day"
    assert shown["cost rate"] == "100 per hour"
    assert shown["calendar"] == "none: works when its tasks do"
    assert shown["account"] == "none" and shown["time off"] == "none"
    assert "2 assignments across 2 programs" in out
    rows = table_rows(out)
    assert rows["CLOUD"] == [
        "DATA-1", "Build the platform", "100%", "40 h", "4,000.00", "2027-01-04", "2027-01-08"
    ]  # fmt: skip
    assert rows["OPS"] == [
        "RUN-1", "Run the platform", "50%", "20 h", "2,000.00", "2027-02-01", "2027-02-05"
    ]  # fmt: skip
    assert "in all: 60 h of work, cost 6,000.00" in out
    # by id and by name, any case
    lab = stored(engine, "lab")
    assert lab is not None
    for ref in (str(lab.id), "TEST LAB", "Lab"):
        code, out = podium("resource", "show", ref)
        assert code == 0, out
        assert "lab Test lab" in out and facts(out)["kind"] == "equipment"
        assert "No assignment: `podium assign PROGRAM TASK lab` books it on a task." in out


def test_show_refuses_an_unknown_or_ambiguous_resource(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    db.add(Resource(key="ana2", name="Ana Lima"))
    db.commit()
    code, out = podium("resource", "show", "nobody")
    assert code == 1
    assert "no resource 'nobody' (`podium resource list` lists them)" in flat(out)
    code, out = podium("resource", "show", "ana lima")
    assert code == 1
    assert "2 resources are named 'ana lima': give the key (ana, ana2)" in flat(out)


# --- add -------------------------------------------------------------------------------


def test_add_stores_every_setting(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    code, out = podium(
        "resource", "add", "bo", "--name", "Bo Chen", "--kind", "team", "--capacity", "2.5",
        "--hours-per-day", "7.5", "--cost-rate", "80", "--calendar", "standard",
        "--account", "ANA@example.com", "--description", "Two and a half testers",
        "--time-off", "2027-08-02..2027-08-13 Summer", "--time-off", "2027-05-31",
        "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert (
        "Added resource bo Bo Chen (team): capacity 2.5, 7.5 h a day, 80 per hour, calendar "
        "Standard, account ana@example.com, 2 periods of time off."
    ) in flat(out)
    bo = stored(engine, "bo")
    assert bo is not None
    assert (bo.name, bo.kind, bo.capacity, bo.hours_per_day, bo.cost_rate) == (
        "Bo Chen", ResourceKind.TEAM, 2.5, 7.5, 80.0
    )  # fmt: skip
    assert bo.description == "Two and a half testers" and bo.active
    with Session(engine) as session:
        assert session.get(Calendar, bo.calendar_id) is not None
    assert bo.user_id is not None
    assert bo.time_off == [
        {"start": "2027-05-31", "finish": "2027-05-31", "note": ""},
        {"start": "2027-08-02", "finish": "2027-08-13", "note": "Summer"},
    ]
    code, out = podium("resource", "add", "kit", "--name", "Kit", "--inactive")
    assert code == 0, out
    assert "capacity 1, 8 h a day, 0 per hour, calendar none, inactive." in out
    kit = stored(engine, "kit")
    assert kit is not None and not kit.active and kit.kind == ResourceKind.PERSON


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bad key", "--name", "x"), "'bad key' cannot be a resource key: a key is a letter or "
         "digit, then at most 39 letters, digits, '.', '@', '-' or '_' (e.g. ana)"),
        (("ANA", "--name", "x"), "a resource with key ana already exists (Ana Lima)"),
        (("x", "--name", "  "), "--name must not be blank"),
        (("x", "--name", "n" * 201), "--name is at most 200 characters, not 201"),
        (("x", "--name", "x", "--kind", "robot"),
         "--kind must be one of person, team, equipment, not 'robot'"),
        (("x", "--name", "x", "--capacity", "0"),
         "--capacity must be more than 0 and at most 10,000, not 0"),
        (("x", "--name", "x", "--capacity", "10001"), "at most 10,000, not 10001"),
        (("x", "--name", "x", "--capacity", "nan"), "--capacity must be more than 0"),
        (("x", "--name", "x", "--hours-per-day", "25"),
         "--hours-per-day must be more than 0 and at most 24, not 25"),
        (("x", "--name", "x", "--cost-rate", "-1"),
         "--cost-rate must be at least 0 and at most 1,000,000,000, not -1"),
        (("x", "--name", "x", "--calendar", "Nope"),
         "no calendar named 'Nope' (there are: Standard)"),
        (("x", "--name", "x", "--account", "cy@example.com"),
         "--account: no user with email cy@example.com"),
        (("x", "--name", "x", "--time-off", "2027-03-05..2027-03-01"),
         "--time-off: 2027-03-01 is before 2027-03-05"),
        (("x", "--name", "x", "--time-off", "next week"),
         "--time-off is FIRST..LAST or one DAY (YYYY-MM-DD), then an optional note, not "
         "'next week'"),
        (("x", "--name", "x", "--time-off", "2027-03-01 " + "n" * 201),
         "a --time-off note is at most 200 characters, not 201"),
        (("x", "--name", "x", "--as", "vi@example.com"),
         "only admins and program managers or owners can change resources"),
        (("x", "--name", "x", "--as", "cy@example.com"), "no user with email cy@example.com"),
    ],
)  # fmt: skip
def test_add_refuses_what_the_api_refuses(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    _plan(db)
    code, out = podium("resource", "add", *args)
    assert code == 1, out
    assert message in flat(out)
    assert resources_count(engine) == 2


def test_the_key_rule_and_the_limits_are_the_apis() -> None:
    assert resource_cli.KEY_PATTERN == KEY_PATTERN
    assert resource_cli.MAX_COST_RATE == MAX_COST_RATE
    with pytest.raises(ValidationError):
        ResourceCreate(key="bad key", name="x")

    def bound(model: type[BaseModel], field: str, kind: type, attribute: str) -> float:
        metadata = model.model_fields[field].metadata
        return next(float(getattr(m, attribute)) for m in metadata if isinstance(m, kind))

    assert {
        option: (bound(ResourceCreate, field, low, low.__name__.lower()),
                 bound(ResourceCreate, field, Le, "le"), low is Ge)
        for option, field, low in (
            ("--capacity", "capacity", Gt), ("--hours-per-day", "hours_per_day", Gt),
            ("--cost-rate", "cost_rate", Ge),
        )
    } == resource_cli.LIMITS  # fmt: skip
    assert {
        "--name": bound(ResourceCreate, "name", MaxLen, "max_length"),
        "--description": bound(ResourceCreate, "description", MaxLen, "max_length"),
        "a --time-off note": bound(TimeOffIn, "note", MaxLen, "max_length"),
    } == resource_cli.TEXT_LENGTHS


# --- set -------------------------------------------------------------------------------


def test_a_manager_of_one_program_cannot_change_a_person_another_program_assigns(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "resource", "set", "ana", "--time-off", "2027-01-06", "--as", "li@example.com"
    )
    said = " ".join(out.split())
    assert code == 1 and "used by programs you do not manage (1 program you cannot see)" in said
    assert "OPS" not in out
    ana = stored(engine, "ana")
    assert ana is not None and ana.time_off == []
    code, out = podium("resource", "set", "lab", "--capacity", "2", "--as", "li@example.com")
    assert code == 0, out  # unassigned: any program's manager may change it


def test_time_off_reschedules_the_programs_that_assign_the_resource(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "resource", "set", "ana", "--time-off", "2027-01-06..2027-01-07 Dentist",
        "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated ana Ana Lima:" in out
    assert facts(out)["time off"] == "none → 2027-01-06..2027-01-07 Dentist"
    assert (
        "Rescheduled the programs that assign it: CLOUD (finish 2027-01-08 → 2027-01-12), "
        "OPS (finish unchanged, 2027-02-05)."
    ) in flat(out)
    ana = stored(engine, "ana")
    assert ana is not None
    assert ana.time_off == [{"start": "2027-01-06", "finish": "2027-01-07", "note": "Dentist"}]
    assert finish_of(engine, "DATA-1") == (date(2027, 1, 12), date(2027, 1, 12))
    assert finish_of(engine, "RUN-1") == (date(2027, 2, 5), date(2027, 2, 5))
    # --time-off adds; --no-time-off with it replaces
    code, out = podium(
        "resource", "set", "ana", "--no-time-off", "--time-off", "2027-02-01",
        "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert facts(out)["time off"] == "2027-01-06..2027-01-07 Dentist → 2027-02-01"
    assert ("CLOUD (finish 2027-01-12 → 2027-01-08), OPS (finish 2027-02-05 → 2027-02-08)") in flat(
        out
    )
    code, out = podium("resource", "set", "ana", "--no-time-off")
    assert code == 0, out
    assert facts(out)["time off"] == "2027-02-01 → none"
    ana = stored(engine, "ana")
    assert ana is not None and ana.time_off == []
    assert finish_of(engine, "RUN-1") == (date(2027, 2, 5), date(2027, 2, 5))


def test_set_changes_only_what_is_given_and_says_when_nothing_changed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "resource", "set", "lab", "--name", "Migration lab", "--cost-rate", "40", "--kind",
        "TEAM", "--calendar", "STANDARD", "--account", "ana@example.com", "--key", "mlab",
        "--inactive",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated mlab Migration lab:" in out
    shown = facts(out)
    assert shown["key"] == "lab → mlab" and shown["name"] == "Test lab → Migration lab"
    assert shown["kind"] == "equipment → team" and shown["cost rate"] == "0 → 40"
    assert shown["calendar"] == "none → Standard" and shown["account"] == "none → ana@example.com"
    assert shown["active"] == "yes → no"
    assert "No program assigns it: no schedule to move." in out  # a new calendar, no program
    lab = stored(engine, "mlab")
    assert lab is not None
    assert (lab.name, lab.kind, lab.cost_rate, lab.active) == (
        "Migration lab", ResourceKind.TEAM, 40.0, False
    )  # fmt: skip
    assert lab.calendar_id is not None and lab.user_id is not None and lab.capacity == 1.0
    version = lab.version
    code, out = podium("resource", "set", "mlab", "--cost-rate", "40", "--inactive")
    assert code == 0, out
    assert "Nothing changed: mlab Migration lab already has those settings." in out
    code, out = podium("resource", "set", "mlab", "--no-calendar", "--no-account", "--active")
    assert code == 0, out
    shown = facts(out)
    assert shown["calendar"] == "Standard → none" and shown["account"] == "ana@example.com → none"
    after = stored(engine, "mlab")
    assert after is not None and after.version == version + 1
    assert (after.calendar_id, after.user_id, after.active) == (None, None, True)
    # a name change does not touch the schedule
    code, out = podium("resource", "set", "ana", "--name", "Ana L.")
    assert code == 0, out
    assert "Rescheduled" not in out and "schedule" not in out


def test_set_refuses_conflicting_options_bad_input_and_a_capacity_below_the_units(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    before = stored(engine, "ana")
    assert before is not None
    for args, message in (
        ((), "nothing to change: give at least one of the options (see --help)"),
        (("--calendar", "Standard", "--no-calendar"), "give --calendar or --no-calendar, not both"),
        (("--account", "ana@example.com", "--no-account"),
         "give --account or --no-account, not both"),
        (("--capacity", "0.5"),
         "Ana Lima works 1 unit on DATA-1; a capacity of 0.5 could never hold that task"),
        (("--key", "lab"), "a resource with key lab already exists (Test lab)"),
        (("--hours-per-day", "0"), "--hours-per-day must be more than 0 and at most 24, not 0"),
        (("--calendar", "Nope"), "no calendar named 'Nope'"),
        (("--name", "x", "--as", "vi@example.com"),
         "only admins and program managers or owners can change resources"),
    ):  # fmt: skip
        code, out = podium("resource", "set", "ana", *args)
        assert code == 1, args
        assert message in flat(out), args
    code, out = podium("resource", "set", "nobody", "--name", "x")
    assert code == 1 and "no resource 'nobody'" in flat(out)
    after = stored(engine, "ana")
    assert after is not None and after.version == before.version
    assert (after.name, after.capacity, after.calendar_id) == ("Ana Lima", 1.0, None)


# --- delete ----------------------------------------------------------------------------


def test_delete_is_refused_while_assigned_and_needs_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("resource", "delete", "ana", "--yes")
    assert code == 1
    assert (
        "resource ana (Ana Lima) is assigned to tasks in CLOUD, OPS: `podium unassign` them "
        "first, or keep it out of new work with `podium resource set ana --inactive`"
    ) in flat(out)
    code, out = podium("resource", "delete", "lab")
    assert code == 1
    assert "this would delete resource lab (Test lab): run again with --yes to delete it" in (
        flat(out)
    )
    code, out = podium("resource", "delete", "lab", "--yes", "--as", "vi@example.com")
    assert code == 1 and "only admins and program managers or owners" in flat(out)
    assert resources_count(engine) == 2
    code, out = podium("resource", "delete", "Test lab", "--yes", "--as", "mo@example.com")
    assert code == 0, out
    assert "Deleted resource lab (Test lab)." in out
    assert stored(engine, "lab") is None and resources_count(engine) == 1
