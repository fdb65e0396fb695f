"""`podium task list|add|set|progress` on a real database (SQLite and PostgreSQL).

By hand (program start Monday 4 January 2027, Mon–Fri, no holidays):

* DATA: DATA-1 "Migrate data" is a summary of DATA-2 "Copy the data" (5 d) and
  DATA-3 "Verify the copy" (3 d, after DATA-2); DATA-4 "Cut over" (2 d) waits on
  DATA-3. DATA-2 runs 4–8 January, DATA-3 11–13, DATA-4 14–15; DATA-1 spans 4–13.
  The program finishes on Friday 15 January and M1 (a program milestone) waits on
  DATA-4. DATA-2, DATA-3 and DATA-4 are critical.
* SEC: SEC-1 "Security review" (8 d) runs 4–13 January; it may finish as late as
  the 15th: 2 working days of float.

Seven days for DATA-2 (4–12 January) push DATA-3 to 13–15 January and DATA-4 to
18–19 January; SEC-1's float grows to 4. A deadline of 14 January on DATA-4 leaves it
(and the chain before it) one day short: float −1, late. DATA-2 reported finished on
Thursday 7 January pulls DATA-3 to 8–12 and DATA-4 to 13–14 January.
"""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import Le, MaxLen
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.tasks import TASK_KEY_PATTERN, EstimateIn, TaskCreate, TaskUpdate
from podium.cli import task_common as task_cli
from podium.engine.network import MAX_DURATION
from podium.models import Calendar, ConstraintType, Program, Role, Task
from podium.services import dependencies, tasks
from podium.services.actor import SYSTEM
from podium.services.dependencies import EndRef
from podium.services.resources.assignments import create_assignment
from podium.services.resources.catalog import create_resource
from podium.services.scheduling import reschedule_program
from tests.factories import add_member, make_milestone, make_program, make_project, make_user
from tests.integration.test_cli_programs import facts, flat, podium, table_rows


def _plan(db: Session) -> Program:
    """CLOUD as in the module's docstring. mia (a member) is assigned to DATA-2, vic is
    a viewer, bo a user outside the program; "Four-day week" is a calendar (Mon–Thu)."""
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    data = make_project(db, cloud, "DATA", name="Data migration", position=0)
    sec = make_project(db, cloud, "SEC", name="Security", position=1)
    db.add(Calendar(name="Four-day week", weekmask="1111000", holidays=[]))

    def task(project_id: int, name: str, duration: int, parent: Task | None = None) -> Task:
        parent_id = parent.id if parent else None
        return tasks.create_task(
            db, SYSTEM, project_id=project_id, name=name, duration=duration, parent_id=parent_id
        )

    summary = task(data.id, "Migrate data", 1)
    copy = task(data.id, "Copy the data", 5, summary)
    verify = task(data.id, "Verify the copy", 3, summary)
    cut_over = task(data.id, "Cut over", 2)
    task(sec.id, "Security review", 8)
    m1 = make_milestone(db, cloud, "M1")
    for before, after in ((copy, verify), (verify, cut_over)):
        dependencies.create_dependency(
            db, SYSTEM, predecessor=EndRef("task", before.id), successor=EndRef("task", after.id)
        )
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", cut_over.id), successor=EndRef("milestone", m1.id)
    )
    mia, vic = make_user(db, email="mia@example.com"), make_user(db, email="vic@example.com")
    make_user(db, email="bo@example.com")
    add_member(db, cloud, mia, Role.MEMBER)
    add_member(db, cloud, vic, Role.VIEWER)
    person = create_resource(db, SYSTEM, key="MIA", name="Mia Costa", cost_rate=50, user_id=mia.id)
    create_assignment(db, SYSTEM, task_id=copy.id, resource_id=person.id)
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    return cloud


def stored(engine: Engine, key: str) -> Task | None:
    with Session(engine) as session:
        return session.scalar(select(Task).where(Task.key == key))


def dates_of(engine: Engine, key: str) -> tuple[date | None, date | None]:
    found = stored(engine, key)
    assert found is not None
    return found.early_start, found.early_finish


def tasks_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Task)) or 0


def changes(out: str) -> dict[str, str]:
    """The change lines of `set` and `progress`: label → "old → new"."""
    found = {}
    for line in out.splitlines():
        if line.startswith("  ") and " → " in line:
            label, _sep, change = line.strip().partition("  ")
            found[label] = change.strip()
    return found


# --- list ------------------------------------------------------------------------------


def test_list_shows_the_wbs_indented_with_dates_float_progress_and_the_critical_path(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="EMPTY")
    code, out = podium("task", "list", "EMPTY")
    assert code == 0, out
    hint = "No task in EMPTY yet: add one with `podium task add EMPTY --project KEY --name NAME`."
    assert hint in flat(out)
    _plan(db)
    code, out = podium("task", "list", "CLOUD")
    assert code == 0, out
    assert "5 tasks of CLOUD" in out
    assert "● on the critical path" in flat(out)
    rows = table_rows(out)
    assert list(rows) == ["DATA-1", "DATA-2", "DATA-3", "DATA-4", "SEC-1"]  # projects, then WBS
    assert rows["DATA-1"] == [  # a summary: the span of its sub-tasks, their progress
        "Migrate data", "DATA", "8", "2027-01-04", "2027-01-13", "0", "0 %", "●"
    ]  # fmt: skip
    assert rows["DATA-2"] == [
        "Copy the data", "DATA", "5", "2027-01-04", "2027-01-08", "0", "0 %", "●"
    ]  # fmt: skip
    assert rows["DATA-3"][2:] == ["3", "2027-01-11", "2027-01-13", "0", "0 %", "●"]
    assert rows["DATA-4"][2:] == ["2", "2027-01-14", "2027-01-15", "0", "0 %", "●"]
    assert rows["SEC-1"] == [
        "Security review", "SEC", "8", "2027-01-04", "2027-01-13", "2", "0 %", ""
    ]  # fmt: skip
    assert "│   Copy the data" in out and "│ Migrate data" in out  # sub-tasks indented


def test_a_summary_shows_its_sub_tasks_span_and_progress_weighted_by_duration(
    cli_env: None, engine: Engine, db: Session
) -> None:
    """DATA-2 (5 d) done 4–7 January, DATA-3 (3 d) started Friday 8, half done: it runs
    8–12 January, so DATA-1 spans 4–12 (7 working days) and is (5 × 100 + 3 × 50) / 8
    = 81.25 % complete, started on the 4th and not finished."""
    _plan(db)
    for key, options in (
        ("DATA-2", ("--actual-start", "2027-01-04", "--actual-finish", "2027-01-07")),
        ("DATA-3", ("--actual-start", "2027-01-08", "--percent", "50")),
    ):
        code, out = podium("task", "progress", "CLOUD", key, *options)
        assert code == 0, out
    code, out = podium("task", "list", "CLOUD", "--project", "DATA")
    assert code == 0, out
    assert table_rows(out)["DATA-1"][1:] == [
        "7", "2027-01-04", "2027-01-12", "0", "81.25 %", "●"
    ]  # fmt: skip
    code, out = podium("task", "show", "CLOUD", "DATA-1")
    assert code == 0, out
    shown = facts(out)
    assert shown["duration"] == "7 working days, the span of its 2 sub-tasks"
    assert shown["% complete"] == "81.25 (rolled up: weighted by the sub-tasks' durations)"
    assert (shown["actual start"], shown["actual finish"]) == ("2027-01-04", "—")
    stored_summary = stored(engine, "DATA-1")
    assert stored_summary is not None and stored_summary.duration == 1  # its own, unused


def test_list_filters_a_project_the_critical_and_the_late_tasks(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "list", "CLOUD", "--project", "SEC")
    assert code == 0, out
    assert "1 task of SEC of CLOUD" in out
    assert table_rows(out)["SEC-1"] == [  # no project column: it is in the title
        "Security review", "8", "2027-01-04", "2027-01-13", "2", "0 %", ""
    ]  # fmt: skip
    code, out = podium("task", "list", "CLOUD", "--critical")
    assert code == 0, out
    assert "4 critical tasks of CLOUD" in out and "SEC-1" not in table_rows(out)
    code, out = podium("task", "list", "CLOUD", "--late")
    assert code == 0, out
    assert "No late task in CLOUD." in out
    code, out = podium("task", "set", "CLOUD", "DATA-4", "--deadline", "2027-01-14")
    assert code == 0, out
    code, out = podium("task", "list", "CLOUD", "--late", "--project", "DATA")
    assert code == 0, out
    assert "4 late tasks of DATA of CLOUD" in out
    rows = table_rows(out)
    assert list(rows) == ["DATA-1", "DATA-2", "DATA-3", "DATA-4"]  # the chain that misses it
    assert rows["DATA-4"][4] == "-1"
    assert stored(engine, "DATA-4").total_float == -1  # type: ignore[union-attr]
    code, out = podium("task", "list", "CLOUD", "--critical", "--project", "SEC")
    assert code == 0, out
    assert "No critical task in SEC of CLOUD." in out


def test_list_refuses_an_unknown_program_or_project_and_an_outsider(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args, message in (
        (("NOPE",), "no program with key or id 'NOPE'"),
        (("CLOUD", "--project", "OPS"),
         "--project: no project 'OPS' in CLOUD (`podium project list CLOUD` lists them)"),
        (("CLOUD", "--as", "bo@example.com"), "no program with key or id"),
        (("CLOUD", "--as", "nobody@example.com"), "no user with email nobody@example.com"),
    ):  # fmt: skip
        code, out = podium("task", "list", *args)
        assert code == 1, args
        assert message in flat(out), args
    code, out = podium("task", "list", "CLOUD", "--as", "vic@example.com")  # a viewer reads
    assert code == 0 and "5 tasks of CLOUD" in out


# --- add -------------------------------------------------------------------------------


def test_add_puts_the_task_in_the_wbs_and_says_where_the_schedule_puts_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "task", "add", "CLOUD", "--project", "DATA", "--name", " Archive old data ",
        "--duration", "4", "--parent", "DATA-1",
    )  # fmt: skip
    assert code == 0, out
    assert (
        "Added task DATA-5 Archive old data to DATA of CLOUD (WBS 1.3, under DATA-1): "
        "4 working days, scheduled 2027-01-04 → 2027-01-07."
    ) in flat(out)
    assert "`podium task link CLOUD DATA-5 --after KEY`" in flat(out)
    made = stored(engine, "DATA-5")
    assert made is not None and made.name == "Archive old data" and made.wbs == "1.3"
    assert (made.duration, made.early_start, made.early_finish) == (
        4, date(2027, 1, 4), date(2027, 1, 7)
    )  # fmt: skip
    code, out = podium(
        "task", "add", "CLOUD", "--project", "SEC", "--name", "Pen test", "--key", "PEN",
        "--position", "1", "--constraint", "SNET", "--constraint-date", "2027-01-18",
        "--deadline", "2027-01-29", "--calendar", "four-day week", "--estimate", "3,5,9",
        "--budget", "12000", "--effort-driven", "--description", "External testers.",
    )  # fmt: skip
    assert code == 0, out
    assert (
        "Added task PEN Pen test to SEC of CLOUD (WBS 1): 1 working day, "
        "scheduled 2027-01-18 → 2027-01-18."
    ) in flat(out)
    pen = stored(engine, "PEN")
    assert pen is not None and pen.wbs == "1" and stored(engine, "SEC-1").wbs == "2"  # type: ignore[union-attr]
    assert (pen.constraint_type, pen.constraint_date) == (ConstraintType.SNET, date(2027, 1, 18))
    assert (pen.deadline, pen.budget, pen.effort_driven) == (date(2027, 1, 29), 12000, True)
    assert (pen.estimate_optimistic, pen.estimate_most_likely, pen.estimate_pessimistic) == (
        3, 5, 9
    )  # fmt: skip
    assert pen.calendar_id is not None and pen.description == "External testers."
    code, out = podium("task", "add", "CLOUD", "--project", "DATA", "--name", "Go", "--milestone")
    assert code == 0, out
    assert "Added task DATA-6 Go to DATA of CLOUD (WBS 3): a milestone, scheduled" in flat(out)
    go = stored(engine, "DATA-6")
    assert go is not None and go.is_milestone and go.duration == 0


def test_add_reports_progress_given_at_once(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    code, out = podium(
        "task", "add", "CLOUD", "--project", "SEC", "--name", "Audit", "--duration", "3",
        "--actual-start", "2027-01-04", "--actual-finish", "2027-01-05", "--actual-cost", "800",
    )  # fmt: skip
    assert code == 0, out
    audit = stored(engine, "SEC-2")
    assert audit is not None
    assert (audit.actual_start, audit.actual_finish) == (date(2027, 1, 4), date(2027, 1, 5))
    assert (audit.percent_complete, audit.actual_cost) == (100, 800)  # finished: 100 %


@pytest.mark.parametrize("key", ["9LIVES", "DATA 5", "É", "-X", "K" * 41, " "])
def test_add_refuses_a_key_the_api_refuses(
    cli_env: None, engine: Engine, db: Session, key: str
) -> None:
    _plan(db)
    with pytest.raises(ValidationError):
        TaskCreate(project_id=1, key=key, name="x")
    code, out = podium("task", "add", "CLOUD", "--project", "DATA", "--name", "x", "--key", key)
    assert code == 1
    assert "cannot be a task key: a key is a letter, then at most 39 letters" in flat(out)
    assert tasks_count(engine) == 5


def test_the_key_rule_and_the_limits_are_the_apis() -> None:
    assert task_cli.KEY_PATTERN == TASK_KEY_PATTERN

    def limit(model: type[TaskCreate | EstimateIn], field: str) -> float:
        """The field's maximum length (texts) or its upper bound (numbers)."""
        for m in model.model_fields[field].metadata:
            if isinstance(m, MaxLen):
                return float(m.max_length)
            if isinstance(m, Le):
                return float(m.le)  # type: ignore[arg-type]
        raise AssertionError(field)

    api_lengths = {
        "--name": limit(TaskCreate, "name"),
        "--description": limit(TaskCreate, "description"),
    }
    assert api_lengths == task_cli.TEXT_LENGTHS
    api_limits = {
        "duration": limit(TaskCreate, "duration"),
        "budget": limit(TaskCreate, "budget"),
        "actual_cost": limit(TaskCreate, "actual_cost"),
        "percent": limit(TaskCreate, "percent_complete"),
    }
    assert api_limits == task_cli.LIMITS
    assert limit(EstimateIn, "pessimistic") == MAX_DURATION
    assert limit(TaskCreate, "position") == task_cli.MAX_POSITION
    assert set(task_cli.OPTIONS) - {"estimate"} <= set(TaskUpdate.model_fields)


def test_add_refuses_bad_input_and_names_the_option(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    base = ("task", "add", "CLOUD", "--project", "DATA", "--name")
    for args, message in (
        (("task", "add", "NOPE", "--project", "DATA", "--name", "x"),
         "no program with key or id 'NOPE'"),
        (("task", "add", "CLOUD", "--project", "OPS", "--name", "x"),
         "--project: no project 'OPS' in CLOUD"),
        ((*base, "x", "--key", "SEC-1"), "this program already has a task with key SEC-1"),
        ((*base, "x", "--key", "M1"), "this program already has a milestone with key M1"),
        ((*base, "  "), "--name must not be blank"),
        ((*base, "n" * 301), "--name is at most 300 characters, not 301"),
        ((*base, "x", "--description", "d" * 10_001),
         "--description is at most 10000 characters, not 10001"),
        ((*base, "x", "--duration", "100001"),
         "--duration must be between 0 and 100,000, not 100001"),
        ((*base, "x", "--duration", "-1"), "--duration must be between 0 and 100,000, not -1"),
        ((*base, "x", "--budget", "nan"), "--budget must be between 0 and"),
        ((*base, "x", "--percent", "101"), "--percent must be between 0 and 100, not 101"),
        ((*base, "x", "--deadline", "2027-02-30"),
         "--deadline must be YYYY-MM-DD, not '2027-02-30'"),
        ((*base, "x", "--constraint", "soon"),
         "--constraint must be one of asap, snet, mso, fnlt, snlt, fnet, mfo, not 'soon'"),
        ((*base, "x", "--constraint", "mfo"),
         "--constraint-date: is required for constraint mfo"),
        ((*base, "x", "--constraint-date", "2027-01-20"),
         "--constraint-date: must be empty when --constraint is asap"),
        ((*base, "x", "--estimate", "3,5"),
         "--estimate takes three numbers of working days (8,10,15): '3,5'"),
        ((*base, "x", "--estimate", "9,5,3"),
         "--estimate: needs optimistic ≤ most_likely ≤ pessimistic"),
        ((*base, "x", "--percent", "40"), "--actual-start: is required when --percent is above 0"),
        ((*base, "x", "--parent", "SEC-1"), "--parent: SEC-1 is not a task of DATA"),
        ((*base, "x", "--parent", "DATA-9"), "no task 'DATA-9' in CLOUD"),
        ((*base, "x", "--position", "0"), "--position must be between 1 and 2147483647, not 0"),
        ((*base, "x", "--calendar", "Moon"), "no calendar named 'Moon'"),
        ((*base, "x", "--as", "mia@example.com"),
         "your role in CLOUD is member; manager or above is needed"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 1, args
        assert message in flat(out), args
    assert tasks_count(engine) == 5


# --- set -------------------------------------------------------------------------------


def test_set_prints_each_change_and_how_the_schedule_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "task", "set", "CLOUD", "DATA-2", "--duration", "7", "--name", "Copy every client"
    )
    assert code == 0, out
    assert "Updated DATA-2 Copy every client:" in out
    assert changes(out) == {
        "name": "Copy the data → Copy every client",
        "duration": "5 working days → 7 working days",
    }
    assert "Scheduled finish 2027-01-08 → 2027-01-12." in out
    assert (
        "It moves the finish of 3 other tasks: DATA-1 2027-01-13 → 2027-01-15, "
        "DATA-3 2027-01-13 → 2027-01-15, DATA-4 2027-01-15 → 2027-01-19."
    ) in flat(out)
    assert dates_of(engine, "DATA-2") == (date(2027, 1, 4), date(2027, 1, 12))
    assert dates_of(engine, "DATA-3") == (date(2027, 1, 13), date(2027, 1, 15))
    assert dates_of(engine, "DATA-4") == (date(2027, 1, 18), date(2027, 1, 19))
    assert stored(engine, "SEC-1").total_float == 4  # type: ignore[union-attr]
    version = stored(engine, "DATA-2").version  # type: ignore[union-attr]
    code, out = podium("task", "set", "CLOUD", "DATA-2", "--duration", "7")
    assert code == 0, out
    assert "Nothing changed: DATA-2 Copy every client already has those settings." in out
    assert stored(engine, "DATA-2").version == version  # type: ignore[union-attr]


def test_set_changes_constraints_calendar_estimate_and_clears_them(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "task", "set", "CLOUD", "SEC-1", "--constraint", "snet", "--constraint-date",
        "2027-01-18", "--estimate", "6/8/12", "--budget", "5000", "--key", "SEC-REVIEW",
        "--description", "Done by the CISO's team.",
    )  # fmt: skip
    assert code == 0, out
    assert changes(out) == {
        "key": "SEC-1 → SEC-REVIEW",
        "description": "— → Done by the CISO's team.",
        "constraint": "as soon as possible → start no earlier than 2027-01-18",
        "estimate": "— → 6 / 8 / 12",
        "budget": "0.00 → 5,000.00",
    }
    assert "Scheduled finish 2027-01-13 → 2027-01-27 (start 2027-01-04 → 2027-01-18)." in out
    assert stored(engine, "SEC-1") is None
    assert dates_of(engine, "SEC-REVIEW") == (date(2027, 1, 18), date(2027, 1, 27))
    code, out = podium(
        "task", "set", "CLOUD", "SEC-REVIEW", "--constraint", "asap", "--no-estimate",
        "--calendar", "Four-day week", "--deadline", "2027-02-01",
    )  # fmt: skip
    assert code == 0, out
    assert changes(out) == {
        "calendar": "the project's → Four-day week",
        "constraint": "start no earlier than 2027-01-18 → as soon as possible",  # date cleared
        "deadline": "— → 2027-02-01",
        "estimate": "6 / 8 / 12 → —",
    }
    # Mon–Thu: 4, 5, 6, 7, 11, 12, 13 and 14 January
    assert "Scheduled finish 2027-01-27 → 2027-01-14 (start 2027-01-18 → 2027-01-04)." in out
    review = stored(engine, "SEC-REVIEW")
    assert review is not None and review.constraint_date is None
    assert review.estimate_pessimistic is None and review.calendar_id is not None
    code, out = podium("task", "set", "CLOUD", "SEC-REVIEW", "--no-calendar", "--no-deadline")
    assert code == 0, out
    assert changes(out) == {
        "calendar": "Four-day week → the project's", "deadline": "2027-02-01 → —"
    }  # fmt: skip
    assert "Scheduled finish 2027-01-14 → 2027-01-13." in out


def test_set_refuses_conflicting_options_bad_input_and_a_member(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    version = stored(engine, "DATA-2").version  # type: ignore[union-attr]
    for args, message in (
        ((), "nothing to change: give at least one of the options (see --help)"),
        (("--deadline", "2027-02-01", "--no-deadline"), "give --deadline or --no-deadline"),
        (("--calendar", "Four-day week", "--no-calendar"), "give --calendar or --no-calendar"),
        (("--estimate", "1,2,3", "--no-estimate"), "give --estimate or --no-estimate"),
        (("--key", "a b"), "'a b' cannot be a task key"),
        (("--key", "DATA-3"), "this program already has a task with key DATA-3"),
        (("--name", ""), "--name must not be blank"),
        (("--constraint", "mso"), "--constraint-date: is required for constraint mso"),
        (("--duration", "3", "--as", "mia@example.com"),
         "your role in CLOUD is member; it may change only progress (actual_cost, "
         "actual_finish, actual_start, percent_complete), not duration"),
        (("--duration", "3", "--as", "vic@example.com"), "your role in CLOUD is viewer"),
    ):  # fmt: skip
        code, out = podium("task", "set", "CLOUD", "DATA-2", *args)
        assert code == 1, args
        assert message in flat(out), args
    for key, message in (
        ("DATA-9", "no task 'DATA-9' in CLOUD (`podium task list CLOUD` lists them)"),
        ("M1", "M1 is a program milestone in CLOUD, not a task"),
    ):
        code, out = podium("task", "set", "CLOUD", key, "--duration", "3")
        assert code == 1 and message in flat(out), key
    code, out = podium("task", "set", "CLOUD", "DATA-1", "--milestone")
    assert code == 1 and "task DATA-1 has sub-tasks and cannot become a milestone" in flat(out)
    after = stored(engine, "DATA-2")
    assert after is not None and (after.version, after.duration) == (version, 5)


# --- progress --------------------------------------------------------------------------


def test_a_member_reports_progress_on_a_task_assigned_to_them(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "task", "progress", "CLOUD", "DATA-2", "--actual-start", "2027-01-04", "--percent", "40",
        "--as", "mia@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert changes(out) == {"actual start": "— → 2027-01-04", "% complete": "0 → 40"}
    assert "Scheduled finish unchanged: 2027-01-08." in out
    copy = stored(engine, "DATA-2")
    assert copy is not None and (copy.actual_start, copy.percent_complete) == (
        date(2027, 1, 4), 40
    )  # fmt: skip
    code, out = podium(
        "task", "progress", "CLOUD", "DATA-2", "--actual-finish", "2027-01-07", "--as",
        "mia@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert changes(out) == {"actual finish": "— → 2027-01-07", "% complete": "40 → 100"}
    assert "Scheduled finish 2027-01-08 → 2027-01-07." in out
    assert "DATA-4 2027-01-15 → 2027-01-14" in flat(out)
    assert dates_of(engine, "DATA-3") == (date(2027, 1, 8), date(2027, 1, 12))
    assert dates_of(engine, "DATA-4") == (date(2027, 1, 13), date(2027, 1, 14))


def test_progress_is_refused_to_viewers_outsiders_and_on_work_not_assigned(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    base = ("task", "progress", "CLOUD")
    for args, message in (
        (("DATA-2",), "nothing to report: give --percent, --actual-start, --actual-finish"),
        (("DATA-3", "--actual-start", "2027-01-11", "--as", "mia@example.com"),
         "members update progress only on the tasks assigned to them; DATA-3 is not assigned "
         "to you"),
        (("DATA-2", "--actual-start", "2027-01-04", "--as", "vic@example.com"),
         "your role in CLOUD is viewer; member or above is needed for this"),
        (("DATA-2", "--actual-start", "2027-01-04", "--as", "bo@example.com"),
         "no program with key or id"),
        (("DATA-2", "--actual-finish", "2027-01-07"),
         "--actual-start: is required when --actual-finish is set"),
        (("DATA-2", "--actual-start", "2027-01-06", "--actual-finish", "2027-01-05"),
         "--actual-finish: cannot be before --actual-start"),
        (("DATA-2", "--percent", "-5"), "--percent must be between 0 and 100, not -5"),
        (("DATA-2", "--actual-cost", "1e13"), "--actual-cost must be between 0 and"),
    ):  # fmt: skip
        code, out = podium(*base, *args)
        assert code == 1, args
        assert message in flat(out), args
    copy = stored(engine, "DATA-2")
    assert copy is not None and (copy.actual_start, copy.percent_complete) == (None, 0)
