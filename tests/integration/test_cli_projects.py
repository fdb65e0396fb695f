"""`podium project …` on a real database (SQLite and PostgreSQL).

By hand (program start Monday 4 January 2027, Mon–Fri, no holidays): DATA-1 (5 d)
runs 4–8 January; SEC-1 (5 d) waits on it (FS) and runs 11–15 January; M1 waits
on DATA-1 too. Giving DATA a start of 11 January moves DATA-1 to 11–15 January
and SEC-1 to 18–22 January. On the calendar "Four-day week" (Mon–Thu) DATA-1's
five days are 4, 5, 6, 7 and 11 January: DATA spans 4–11 January.
"""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import MaxLen
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.programs import KEY_PATTERN
from podium.api.projects import ProjectCreate
from podium.cli import projects as project_cli
from podium.models import Calendar, Dependency, Milestone, Program, Project, Role, Task
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


def _plan(db: Session) -> Program:
    """CLOUD: DATA (DATA-1), SEC (SEC-1 after DATA-1), OPS (no task, every setting given);
    M1 waits on DATA-1. ana is a manager of CLOUD, vi a viewer of it, bo a user outside it."""
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    ana = make_user(db, email="ana@example.com")
    make_user(db, email="bo@example.com")
    add_member(db, cloud, ana, Role.MANAGER)
    add_member(db, cloud, make_user(db, email="vi@example.com"), Role.VIEWER)
    four_days = Calendar(name="Four-day week", weekmask="1111000", holidays=[])
    db.add(four_days)
    data_project = make_project(db, cloud, "DATA", name="Data platform", position=0)
    data = make_task(db, data_project, "DATA-1", name="Build the platform")
    sec = make_task(db, make_project(db, cloud, "SEC", name="Security", position=1), "SEC-1")
    make_project(
        db, cloud, "OPS", name="Operations", position=2, start_date=date(2027, 2, 1),
        calendar_id=four_days.id, manager_id=ana.id, description="Run what was migrated.",
    )  # fmt: skip
    m1 = make_milestone(db, cloud, "M1")
    db.add(Dependency(program_id=cloud.id, predecessor_task_id=data.id, successor_task_id=sec.id))
    db.add(
        Dependency(program_id=cloud.id, predecessor_task_id=data.id, successor_milestone_id=m1.id)
    )
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    return cloud


def stored(engine: Engine, key: str) -> Project | None:
    with Session(engine) as session:
        return session.scalar(select(Project).where(Project.key == key))


def dates_of(engine: Engine, task_key: str) -> tuple[date | None, date | None]:
    with Session(engine) as session:
        task = session.scalar(select(Task).where(Task.key == task_key))
        assert task is not None
        return task.early_start, task.early_finish


def counts(engine: Engine) -> tuple[int, ...]:
    """How many projects, tasks and dependencies are stored."""
    with Session(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Project, Task, Dependency)
        )


# --- list and show -------------------------------------------------------------------


def test_list_shows_each_projects_tasks_span_start_calendar_and_manager(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="EMPTY")
    code, out = podium("project", "list", "EMPTY")
    assert code == 0, out
    empty = "No project in EMPTY yet: add one with `podium project add EMPTY KEY --name NAME`."
    assert empty in flat(out)
    _plan(db)
    code, out = podium("project", "list", "CLOUD")
    assert code == 0, out
    assert "3 projects of CLOUD" in out
    rows = table_rows(out)
    assert rows["DATA"] == [
        "Data platform", "1", "2027-01-04 → 2027-01-08", "—", "program's", "—"
    ]  # fmt: skip
    assert rows["SEC"] == ["Security", "1", "2027-01-11 → 2027-01-15", "—", "program's", "—"]
    assert rows["OPS"] == [
        "Operations", "0", "—", "2027-02-01", "Four-day week", "ana@example.com"
    ]  # fmt: skip
    assert list(rows) == ["DATA", "SEC", "OPS"]  # by position


def test_show_prints_the_settings_the_span_and_the_links_to_other_projects(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = _plan(db)
    code, out = podium("project", "show", "CLOUD", "DATA")
    assert code == 0, out
    assert "DATA Data platform (program CLOUD)" in out
    assert facts(out) == {
        "start": "— (from the program's start, 2027-01-04)",
        "calendar": "program's (Mon–Fri, no holidays)",
        "manager": "—",
        "scheduled": "2027-01-04 → 2027-01-08",
        "tasks": "1",
        "dependencies": "2 on its tasks",  # to SEC-1 and to M1
        "cross-project": "1 out (to SEC)",  # a milestone belongs to no project
    }
    code, out = podium("project", "show", "CLOUD", "SEC")
    assert code == 0, out
    assert facts(out)["cross-project"] == "1 in (from DATA)"
    code, out = podium("project", "show", str(cloud.id), " OPS ")  # by id, key trimmed
    assert code == 0, out
    assert "OPS Operations (program CLOUD)" in out and "Run what was migrated." in out
    shown = facts(out)
    assert (shown["start"], shown["calendar"]) == ("2027-02-01", "Four-day week")
    assert shown["manager"] == "ana@example.com"
    assert shown["scheduled"] == "not scheduled yet (no tasks)"
    assert (shown["dependencies"], shown["cross-project"]) == ("0 on its tasks", "none")


def test_show_and_list_refuse_an_unknown_program_or_project(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args, message in (
        (("list", "NOPE"), "no program with key or id 'NOPE'"),
        (("show", "NOPE", "DATA"), "no program with key or id 'NOPE'"),
        (("show", "CLOUD", "DAT"),
         "no project 'DAT' in CLOUD (`podium project list CLOUD` lists them)"),
        (("show", "CLOUD", "data"), "no project 'data' in CLOUD"),
        (("show", "CLOUD", "DATA-1"), "no project 'DATA-1' in CLOUD"),
    ):  # fmt: skip
        code, out = podium("project", *args)
        assert code == 1, args
        assert message in flat(out), args


# --- add -------------------------------------------------------------------------------


def test_add_stores_the_project_with_each_setting(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "project", "add", "CLOUD", " APP ", "--name", " Customer apps ", "--start", "2027-01-11",
        "--calendar", "four-day WEEK", "--manager", " ANA@example.com ",
        "--description", "The apps customers use.",
    )  # fmt: skip
    assert code == 0, out
    assert (
        "Added project APP Customer apps to CLOUD (start 2027-01-11, calendar Four-day week, "
        "manager ana@example.com)."
    ) in flat(out)
    made = stored(engine, "APP")
    assert made is not None
    assert (made.name, made.start_date, made.position) == ("Customer apps", date(2027, 1, 11), 3)
    assert made.description == "The apps customers use."
    assert made.calendar_id is not None and made.manager_id is not None
    assert (made.scheduled_start, made.scheduled_finish) == (None, None)  # no task yet
    code, out = podium("project", "add", "CLOUD", "WEB", "--name", "Web")
    assert code == 0, out
    assert (
        "Added project WEB Web to CLOUD (no start of its own, program's calendar, no manager)."
    ) in out
    made = stored(engine, "WEB")
    assert made is not None and made.position == 4 and made.description == ""
    assert (made.start_date, made.calendar_id, made.manager_id) == (None, None, None)


@pytest.mark.parametrize("key", ["9LIVES", "DATA PLATFORM", "É", "_X", "K" * 21, "A.B", " "])
def test_add_refuses_a_key_the_api_refuses(
    cli_env: None, engine: Engine, db: Session, key: str
) -> None:
    _plan(db)
    with pytest.raises(ValidationError):
        ProjectCreate(program_id=1, key=key, name="x")
    code, out = podium("project", "add", "CLOUD", key, "--name", "x")
    assert code == 1
    assert "cannot be a project key: a key is a letter, then at most 19 letters" in flat(out)
    assert counts(engine) == (3, 2, 2)


def test_the_key_rule_and_the_lengths_are_the_apis() -> None:
    assert project_cli.KEY_PATTERN == KEY_PATTERN

    def max_length(field: str) -> int:
        metadata = ProjectCreate.model_fields[field].metadata
        return next(m.max_length for m in metadata if isinstance(m, MaxLen))

    api_lengths = {"--name": max_length("name"), "--description": max_length("description")}
    assert api_lengths == project_cli.TEXT_LENGTHS


def test_add_refuses_a_taken_key_bad_input_and_an_unknown_calendar_or_manager(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    base = ("project", "add", "CLOUD", "APP", "--name")
    for args, message in (
        (("project", "add", "NOPE", "APP", "--name", "x"), "no program with key or id 'NOPE'"),
        (("project", "add", "CLOUD", "DATA", "--name", "x"),
         "this program already has a project with key DATA"),
        ((*base, "x", "--start", "2027-02-30"), "--start must be YYYY-MM-DD, not '2027-02-30'"),
        ((*base, "  "), "--name must not be blank"),
        ((*base, "n" * 201), "--name is at most 200 characters, not 201"),
        ((*base, "x", "--description", "d" * 10_001),
         "--description is at most 10000 characters, not 10001"),
        ((*base, "x", "--calendar", "Nope"), "no calendar named 'Nope' (there are: Four-day week)"),
        ((*base, "x", "--manager", "cy@example.com"),
         "--manager: no user with email cy@example.com"),
        ((*base, "x", "--manager", "bo@example.com"),
         "--manager: bo@example.com is not a member of CLOUD (`podium program member-add CLOUD "
         "EMAIL --role manager` adds one)"),
        ((*base, "x", "--manager", "vi@example.com"),
         "--manager: vi@example.com is a viewer of CLOUD; a project's manager must be a "
         "manager or owner of the program (`podium program member-role CLOUD vi@example.com "
         "manager` makes them one)"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 1, args
        assert message in flat(out), args
    assert counts(engine) == (3, 2, 2)
    assert stored(engine, "APP") is None


# --- set -------------------------------------------------------------------------------


def test_a_new_start_reschedules_and_set_says_how_the_span_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "project", "set", "CLOUD", "DATA", "--start", "2027-01-11", "--name", "Data platform v2",
        "--manager", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated DATA Data platform v2:" in out
    shown = facts(out)
    assert shown["name"] == "Data platform → Data platform v2"
    assert shown["start"] == "— → 2027-01-11"
    assert shown["manager"] == "— → ana@example.com"
    assert "Rescheduled: start 2027-01-04 → 2027-01-11, finish 2027-01-08 → 2027-01-15." in out
    data = stored(engine, "DATA")
    assert data is not None and data.start_date == date(2027, 1, 11)
    assert (data.scheduled_start, data.scheduled_finish) == (date(2027, 1, 11), date(2027, 1, 15))
    assert dates_of(engine, "DATA-1") == (date(2027, 1, 11), date(2027, 1, 15))
    assert dates_of(engine, "SEC-1") == (date(2027, 1, 18), date(2027, 1, 22))  # waits on it
    code, out = podium(
        "project", "set", "CLOUD", "DATA", "--clear-start", "--calendar", "FOUR-DAY week"
    )
    assert code == 0, out
    assert facts(out)["start"] == "2027-01-11 → —"
    assert facts(out)["calendar"] == "program's → Four-day week"
    assert "Rescheduled: start 2027-01-11 → 2027-01-04, finish 2027-01-15 → 2027-01-11." in out
    assert dates_of(engine, "DATA-1") == (date(2027, 1, 4), date(2027, 1, 11))
    code, out = podium(
        "project", "set", "CLOUD", "DATA", "--key", "PLAT", "--no-calendar", "--no-manager",
        "--description", "Landing zone and shared services.",
    )  # fmt: skip
    assert code == 0, out
    shown = facts(out)
    assert shown["key"] == "DATA → PLAT" and shown["calendar"] == "Four-day week → program's"
    assert shown["manager"] == "ana@example.com → —"
    assert shown["description"] == "— → Landing zone and shared services."
    assert "Its tasks keep their keys: people have already written them down." in out
    assert "Rescheduled: finish 2027-01-11 → 2027-01-08." in out
    plat = stored(engine, "PLAT")
    assert plat is not None and stored(engine, "DATA") is None
    assert (plat.calendar_id, plat.manager_id, plat.start_date) == (None, None, None)
    assert dates_of(engine, "DATA-1") == (date(2027, 1, 4), date(2027, 1, 8))  # key kept


def test_set_says_when_the_span_does_not_move_and_when_nothing_changed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("project", "set", "CLOUD", "SEC", "--start", "2027-01-05")
    assert code == 0, out
    assert facts(out)["start"] == "— → 2027-01-05"
    assert "Rescheduled: its span does not move (2027-01-11 → 2027-01-15)." in out  # DATA-1 first
    before = stored(engine, "SEC")
    assert before is not None
    code, out = podium(
        "project", "set", "CLOUD", "SEC", "--name", " Security ", "--start", "2027-01-05"
    )
    assert code == 0, out
    assert "Nothing changed: SEC Security already has those settings." in out
    after = stored(engine, "SEC")
    assert after is not None and after.version == before.version
    code, out = podium("project", "set", "CLOUD", "OPS", "--start", "2027-03-01")
    assert code == 0, out
    assert facts(out)["start"] == "2027-02-01 → 2027-03-01" and "Rescheduled" not in out


def test_set_refuses_conflicting_options_bad_input_and_unknown_names(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    before = stored(engine, "DATA")
    assert before is not None
    for args, message in (
        ((), "nothing to change: give at least one of the options (see --help)"),
        (("--start", "2027-01-11", "--clear-start"), "give --start or --clear-start, not both"),
        (("--calendar", "Four-day week", "--no-calendar"),
         "give --calendar or --no-calendar, not both"),
        (("--manager", "ana@example.com", "--no-manager"),
         "give --manager or --no-manager, not both"),
        (("--start", "11/01/2027"), "--start must be YYYY-MM-DD, not '11/01/2027'"),
        (("--key", "a b"), "'a b' cannot be a project key"),
        (("--key", "SEC"), "this program already has a project with key SEC"),
        (("--name", ""), "--name must not be blank"),
        (("--description", "d" * 10_001), "--description is at most 10000 characters"),
        (("--calendar", "Nope"), "no calendar named 'Nope'"),
        (("--manager", "cy@example.com"), "--manager: no user with email cy@example.com"),
        (("--manager", "bo@example.com"), "--manager: bo@example.com is not a member of CLOUD"),
        (("--name", "x", "--manager", "bo@example.com"), "is not a member of CLOUD"),
        (("--manager", "vi@example.com"), "--manager: vi@example.com is a viewer of CLOUD"),
    ):  # fmt: skip
        code, out = podium("project", "set", "CLOUD", "DATA", *args)
        assert code == 1, args
        assert message in flat(out), args
    code, out = podium("project", "set", "CLOUD", "NOPE", "--name", "x")
    assert code == 1 and "no project 'NOPE' in CLOUD" in flat(out)
    code, out = podium("project", "set", "NOPE", "DATA", "--name", "x")
    assert code == 1 and "no program with key or id 'NOPE'" in flat(out)
    after = stored(engine, "DATA")
    assert after is not None and after.version == before.version
    assert (after.name, after.start_date, after.calendar_id, after.manager_id) == (
        "Data platform", None, None, None
    )  # fmt: skip
    assert dates_of(engine, "DATA-1") == (date(2027, 1, 4), date(2027, 1, 8))


# --- delete ------------------------------------------------------------------------------


def test_delete_says_what_it_would_delete_and_deletes_only_with_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("project", "delete", "CLOUD", "DATA")
    assert code == 1
    assert (
        "this would delete project DATA (Data platform) with its 1 task and 2 dependencies, "
        "2 of them with work outside it (DATA-1 → SEC-1, DATA-1 → M1): run again with --yes "
        "to delete it"
    ) in flat(out)
    assert counts(engine) == (3, 2, 2)
    data = stored(engine, "DATA")
    assert data is not None and data.version == 1
    for args, message in (
        (("CLOUD", "NOPE", "--yes"), "no project 'NOPE' in CLOUD"),
        (("NOPE", "DATA", "--yes"), "no program with key or id 'NOPE'"),
    ):
        code, out = podium("project", "delete", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert counts(engine) == (3, 2, 2)
    code, out = podium("project", "delete", "CLOUD", "DATA", "--yes")
    assert code == 0, out
    assert (
        "Deleted project DATA (Data platform) from CLOUD, with its 1 task and 2 dependencies, "
        "2 of them with work outside it (DATA-1 → SEC-1, DATA-1 → M1)."
    ) in flat(out)
    assert stored(engine, "DATA") is None
    assert counts(engine) == (2, 1, 0)  # DATA-1 and both its links are gone
    assert dates_of(engine, "SEC-1") == (date(2027, 1, 4), date(2027, 1, 8))  # nothing before it
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Milestone)) == 1  # M1 stays
    code, out = podium("project", "delete", "CLOUD", "OPS", "--yes")
    assert code == 0, out
    assert (
        "Deleted project OPS (Operations) from CLOUD, with its 0 tasks and 0 dependencies." in out
    )
    assert counts(engine) == (1, 1, 0)
