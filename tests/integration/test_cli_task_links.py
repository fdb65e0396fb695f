"""`podium task show|link|unlink|move|indent|outdent|delete` on a real database.

The plan is test_cli_tasks' (program start Monday 4 January 2027, Mon–Fri): DATA-2
(5 d) 4–8 January, DATA-3 (3 d) 11–13, DATA-4 (2 d) 14–15, all in a chain; DATA-1
sums up DATA-2 and DATA-3 (4–13 January); SEC-1 (8 d) 4–13 January; M1 waits on DATA-4.

By hand: DATA-4 waiting on SEC-1 with a lag of 2 starts on the third working day
after SEC-1's finish (Wednesday 13): Monday 18 January, and finishes Tuesday 19.
Unlinked from DATA-3, DATA-4 waits on nothing: 4–5 January. Indented under DATA-1,
DATA-4 stretches DATA-1 to Friday 15 January.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import Assignment, AuditEntry, Dependency, Role, Task
from podium.services.dependencies import describe_dependencies
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import facts, flat, podium, table_rows
from tests.integration.test_cli_tasks import _plan, dates_of, stored, tasks_count


def links(engine: Engine) -> set[tuple[str, str, str, int]]:
    """Every dependency as (predecessor key, successor key, type, lag)."""
    with Session(engine) as session:
        views = describe_dependencies(session, session.scalars(select(Dependency)))
        return {
            (v.predecessor.key, v.successor.key, v.dependency.type.value, v.dependency.lag)
            for v in views
        }


def wbs(engine: Engine) -> dict[str, str]:
    """Every task's WBS code, by key."""
    with Session(engine) as session:
        return {t.key: t.wbs for t in session.scalars(select(Task))}


PLAN_LINKS = {
    ("DATA-2", "DATA-3", "FS", 0),
    ("DATA-3", "DATA-4", "FS", 0),
    ("DATA-4", "M1", "FS", 0),
}


# --- show ------------------------------------------------------------------------------


def test_show_prints_every_field_the_schedule_the_links_and_who_is_assigned(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "show", "CLOUD", " DATA-2 ")
    assert code == 0, out
    assert "DATA-2 Copy the data (project DATA, program CLOUD)" in out
    shown = facts(out)
    assert {k: shown[k] for k in list(shown)[:16]} == {
        "wbs": "1.1, under DATA-1 Migrate data",
        "duration": "5 working days",
        "calendar": "the project's",
        "constraint": "as soon as possible",
        "deadline": "—",
        "estimate": "—",
        "budget": "0.00",
        "effort-driven": "no",
        "actual start": "—",
        "actual finish": "—",
        "% complete": "0",
        "actual cost": "0.00",
        "scheduled": "2027-01-04 → 2027-01-08",
        "latest": "2027-01-04 → 2027-01-08",
        "float": "0 working days total, 0 free, critical",
        "version": "1",
    }
    assert "Waits on nothing: `podium task link CLOUD DATA-2 --after KEY` links it." in flat(out)
    rows = table_rows(out)
    assert rows["DATA-3"] == ["Verify the copy", "DATA", "FS", "0", "2027-01-11", "2027-01-13"]
    assert rows["Mia Costa"] == ["100 %", "40 h", "2,000.00"]  # 5 days x 8 h at 50 an hour
    assert "Waited on by (1)" in out and "Assigned (1)" in out


def test_show_lists_what_a_task_waits_on_latest_first_and_a_summary_and_a_miss(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "link", "CLOUD", "DATA-4", "--after", "SEC-1", "--lag", "2")
    assert code == 0, out
    code, out = podium("task", "set", "CLOUD", "DATA-4", "--deadline", "2027-01-15")
    assert code == 0, out
    code, out = podium("task", "show", "CLOUD", "DATA-4")
    assert code == 0, out
    shown = facts(out)
    assert shown["wbs"] == "2, at the top level"
    assert shown["deadline"] == "2027-01-15 (the scheduled finish is past it)"
    assert shown["float"] == "-2 working days total, 0 free, critical"
    assert "Waits on (2)" in out and "No one is assigned to it." in out
    rows = table_rows(out)
    assert rows["SEC-1"] == ["Security review", "SEC", "FS", "+2", "2027-01-04", "2027-01-13"]
    assert rows["M1"] == ["Milestone M1", "program", "FS", "0", "2027-01-19", "2027-01-19"]
    assert list(rows) == ["SEC-1", "DATA-3", "M1"]  # its links in: the one that drives it first
    code, out = podium("task", "show", "CLOUD", "DATA-1")
    assert code == 0, out
    assert facts(out)["duration"] == "8 working days, the span of its 2 sub-tasks"
    for key, message in (
        ("DATA-9", "no task 'DATA-9' in CLOUD (`podium task list CLOUD` lists them)"),
        ("M1", "M1 is a program milestone in CLOUD, not a task (`podium milestone show CLOUD M1`)"),
    ):
        code, out = podium("task", "show", "CLOUD", key)
        assert code == 1 and message in flat(out), key


# --- link and unlink -------------------------------------------------------------------


def test_link_across_projects_says_how_the_task_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "link", "CLOUD", "DATA-4", "--after", "SEC-1", "--lag", "2")
    assert code == 0, out
    assert (
        "DATA-4 now waits on task SEC-1 Security review (SEC), FS +2: across projects, SEC → DATA."
    ) in flat(out)
    assert "Scheduled finish 2027-01-15 → 2027-01-19 (start 2027-01-14 → 2027-01-18)." in out
    assert links(engine) == PLAN_LINKS | {("SEC-1", "DATA-4", "FS", 2)}
    assert dates_of(engine, "DATA-4") == (date(2027, 1, 18), date(2027, 1, 19))
    assert stored(engine, "DATA-3").total_float == 2  # type: ignore[union-attr]
    code, out = podium("task", "link", "CLOUD", "SEC-1", "--after", "DATA-2", "--type", "ss")
    assert code == 0, out
    assert "SEC-1 now waits on task DATA-2 Copy the data (DATA), SS: across projects" in flat(out)
    assert "Scheduled finish unchanged: 2027-01-13." in out  # both start on the 4th
    assert ("DATA-2", "SEC-1", "SS", 0) in links(engine)


def test_link_refuses_a_cycle_unknown_keys_bad_options_and_a_viewer(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    other = make_program(db, key="OPS")
    make_task(db, make_project(db, other, "RUN"), "RUN-1")
    for args, message in (
        (("DATA-2", "--after", "DATA-4"),
         "this dependency would create a cycle: DATA-4 → DATA-2 → DATA-3 → DATA-4"),
        (("DATA-2", "--after", "M1"), "this dependency would create a cycle: M1 → DATA-2"),
        (("DATA-2", "--after", "DATA-1"), "DATA-1 is a summary task containing DATA-2"),
        (("DATA-2", "--after", "DATA-2"), "DATA-2 cannot depend on itself"),
        (("DATA-2", "--after", "NOPE"), "--after: no task or milestone 'NOPE' in CLOUD"),
        (("DATA-2", "--after", "RUN-1"), "--after: no task or milestone 'RUN-1' in CLOUD"),
        (("DATA-9", "--after", "SEC-1"), "no task 'DATA-9' in CLOUD"),
        (("M1", "--after", "SEC-1"), "M1 is a program milestone in CLOUD, not a task"),
        (("DATA-2", "--after", "SEC-1", "--type", "XX"), "--type must be one of FS, SS, FF, SF"),
        (("DATA-2", "--after", "SEC-1", "--lag", "-10001"),
         "--lag must be between -10000 and 10000 working days, not -10001"),
        (("DATA-2", "--after", "SEC-1", "--as", "vic@example.com"),
         "your role in CLOUD is viewer; manager or above is needed"),
        (("DATA-2", "--after", "SEC-1", "--as", "mia@example.com"),
         "your role in CLOUD is member; manager or above is needed"),
    ):  # fmt: skip
        code, out = podium("task", "link", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert links(engine) == PLAN_LINKS
    assert dates_of(engine, "DATA-2") == (date(2027, 1, 4), date(2027, 1, 8))


def dependency_of(engine: Engine, predecessor: str, successor: str) -> Dependency:
    """The stored link from one task to another, by their keys."""
    with Session(engine) as session:
        ids = {key: id_ for key, id_ in session.execute(select(Task.key, Task.id))}
        found = session.scalar(
            select(Dependency).where(
                Dependency.predecessor_task_id == ids[predecessor],
                Dependency.successor_task_id == ids[successor],
            )
        )
        assert found is not None
        return found


def test_linking_again_changes_the_type_and_lag_in_place_and_the_chain_moves(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = _plan(db)
    add_member(db, cloud, make_user(db, email="lea@example.com"), Role.MANAGER)
    link = dependency_of(engine, "DATA-2", "DATA-3")
    code, out = podium(
        "task", "link", "CLOUD", "DATA-3", "--after", "DATA-2", "--type", "ss", "--lag", "2",
        "--as", "lea@example.com",
    )  # fmt: skip
    assert code == 0, out
    # SS +2: DATA-3 starts two working days after DATA-2 starts (Monday 4): Wednesday 6
    assert "DATA-3 waits on task DATA-2 Copy the data (DATA): changed FS → SS, lag 0 → 2." in out
    assert "Scheduled finish 2027-01-13 → 2027-01-08 (start 2027-01-11 → 2027-01-06)." in out
    assert "DATA-1 2027-01-13 → 2027-01-08, DATA-4 2027-01-15 → 2027-01-12" in flat(out)
    assert links(engine) == PLAN_LINKS - {("DATA-2", "DATA-3", "FS", 0)} | {
        ("DATA-2", "DATA-3", "SS", 2)
    }
    changed = dependency_of(engine, "DATA-2", "DATA-3")
    assert (changed.id, changed.version) == (link.id, link.version + 1)  # the same link
    assert dates_of(engine, "DATA-3") == (date(2027, 1, 6), date(2027, 1, 8))
    assert dates_of(engine, "DATA-4") == (date(2027, 1, 11), date(2027, 1, 12))
    with Session(engine) as session:
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "dependency", AuditEntry.action == "update"
            )
        ).one()
        assert audit.user_email == "lea@example.com"
        assert audit.changes == {"type": ["FS", "SS"], "lag": [0, 2]}

    code, out = podium("task", "link", "CLOUD", "DATA-3", "--after", "DATA-2", "--lag", "0")
    assert code == 0, out  # the type not given stays SS
    assert "DATA-3 waits on task DATA-2 Copy the data (DATA): changed lag 2 → 0." in out
    assert "Scheduled finish 2027-01-08 → 2027-01-06 (start 2027-01-06 → 2027-01-04)." in out
    assert ("DATA-2", "DATA-3", "SS", 0) in links(engine)


def test_linking_again_as_it_already_is_changes_nothing_and_a_member_may_not_change_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    link = dependency_of(engine, "DATA-2", "DATA-3")
    for args in ((), ("--type", "FS"), ("--type", " fs ", "--lag", "0")):
        code, out = podium("task", "link", "CLOUD", "DATA-3", "--after", "DATA-2", *args)
        assert code == 0, (args, out)
        assert flat(out) == (
            "DATA-3 already waits on task DATA-2 Copy the data (DATA), FS: nothing changed."
        ), args
    assert dependency_of(engine, "DATA-2", "DATA-3").version == link.version
    with Session(engine) as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "update")) is None
    for args, message in (
        (("--type", "SS", "--as", "mia@example.com"),
         "your role in CLOUD is member; manager or above is needed"),
        (("--lag", "1", "--as", "vic@example.com"),
         "your role in CLOUD is viewer; manager or above is needed"),
        (("--as", "mia@example.com"), "your role in CLOUD is member"),  # even unchanged
        (("--type", "XX"), "--type must be one of FS, SS, FF, SF, not 'XX'"),
        (("--lag", "10001"), "--lag must be between -10000 and 10000 working days, not 10001"),
    ):  # fmt: skip
        code, out = podium("task", "link", "CLOUD", "DATA-3", "--after", "DATA-2", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert links(engine) == PLAN_LINKS
    assert dependency_of(engine, "DATA-2", "DATA-3").version == link.version
    assert dates_of(engine, "DATA-3") == (date(2027, 1, 11), date(2027, 1, 13))


def test_unlink_removes_the_link_and_the_task_moves_back(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "unlink", "CLOUD", "DATA-4", "--after", "DATA-3")
    assert code == 0, out
    assert "DATA-4 no longer waits on task DATA-3." in out
    assert "Scheduled finish 2027-01-15 → 2027-01-05 (start 2027-01-14 → 2027-01-04)." in out
    assert links(engine) == PLAN_LINKS - {("DATA-3", "DATA-4", "FS", 0)}
    assert dates_of(engine, "DATA-4") == (date(2027, 1, 4), date(2027, 1, 5))
    for args, message in (
        (("DATA-4", "--after", "DATA-3"),
         "DATA-4 does not wait on DATA-3 (`podium task show CLOUD DATA-4` lists what it waits "
         "on)"),
        (("DATA-2", "--after", "DATA-3"), "DATA-2 does not wait on DATA-3"),  # the reverse
        (("DATA-3", "--after", "NOPE"), "--after: no task or milestone 'NOPE' in CLOUD"),
        (("DATA-3", "--after", "DATA-2", "--as", "vic@example.com"),
         "your role in CLOUD is viewer"),
    ):  # fmt: skip
        code, out = podium("task", "unlink", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert links(engine) == PLAN_LINKS - {("DATA-3", "DATA-4", "FS", 0)}


# --- move, indent, outdent --------------------------------------------------------------


def test_indent_and_outdent_change_the_wbs_and_the_summary_span(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "indent", "CLOUD", "DATA-4")
    assert code == 0, out
    assert "Indented DATA-4 Cut over: WBS 2 → 1.3, under DATA-1 Migrate data." in out
    assert "Scheduled finish unchanged: 2027-01-15." in out
    assert "It moves the finish of 1 other task: DATA-1 2027-01-13 → 2027-01-15." in flat(out)
    assert wbs(engine) == {"DATA-1": "1", "DATA-2": "1.1", "DATA-3": "1.2", "DATA-4": "1.3",
                           "SEC-1": "1"}  # fmt: skip
    assert dates_of(engine, "DATA-1") == (date(2027, 1, 4), date(2027, 1, 15))
    code, out = podium("task", "outdent", "CLOUD", "DATA-4")
    assert code == 0, out
    assert "Outdented DATA-4 Cut over: WBS 1.3 → 2, at the top level." in out
    assert wbs(engine)["DATA-4"] == "2"
    assert dates_of(engine, "DATA-1") == (date(2027, 1, 4), date(2027, 1, 13))
    for command, key, message in (
        ("indent", "DATA-1", "task DATA-1 is the first of its level: there is nothing to indent"),
        ("indent", "SEC-1", "task SEC-1 is the first of its level"),
        ("outdent", "DATA-1", "task DATA-1 is already at the top level"),
        ("indent", "M1", "M1 is a program milestone in CLOUD, not a task"),
    ):
        code, out = podium("task", command, "CLOUD", key)
        assert code == 1, (command, key)
        assert message in flat(out), (command, key)
    code, out = podium("task", "indent", "CLOUD", "DATA-4", "--as", "mia@example.com")
    assert code == 1 and "your role in CLOUD is member" in flat(out)
    assert wbs(engine)["DATA-4"] == "2"


def test_move_puts_a_task_with_its_sub_tasks_where_it_is_told(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "move", "CLOUD", "DATA-3", "--top", "--position", "1")
    assert code == 0, out
    assert "Moved DATA-3 Verify the copy: WBS 1.2 → 1, at the top level." in out
    assert "It moves the finish of 1 other task: DATA-1 2027-01-13 → 2027-01-08." in flat(out)
    assert wbs(engine) == {"DATA-3": "1", "DATA-1": "2", "DATA-2": "2.1", "DATA-4": "3",
                           "SEC-1": "1"}  # fmt: skip
    code, out = podium("task", "move", "CLOUD", "DATA-3", "--parent", "DATA-1", "--position", "1")
    assert code == 0, out
    assert "Moved DATA-3 Verify the copy: WBS 1 → 1.1, under DATA-1 Migrate data." in out
    code, out = podium("task", "move", "CLOUD", "DATA-2", "--position", "1")
    assert code == 0, out
    assert "Moved DATA-2 Copy the data: WBS 1.2 → 1.1, under DATA-1 Migrate data." in out
    code, out = podium("task", "move", "CLOUD", "DATA-1", "--position", "2")
    assert code == 0, out
    assert "Moved DATA-1 Migrate data: WBS 1 → 2, at the top level." in out
    assert wbs(engine) == {"DATA-4": "1", "DATA-1": "2", "DATA-2": "2.1", "DATA-3": "2.2",
                           "SEC-1": "1"}  # fmt: skip
    for args, message in (
        ((), "say where: --parent KEY, --top or --position N (see --help)"),
        (("--parent", "DATA-4", "--top"), "give --parent or --top, not both"),
        (("--parent", "DATA-2"),
         "task DATA-1 cannot move under itself or one of its own sub-tasks"),
        (("--parent", "SEC-1"), "--parent: SEC-1 is not in DATA-1's project"),
        (("--parent", "DATA-9"), "no task 'DATA-9' in CLOUD"),
        (("--position", "0"), "--position must be between 1 and 2147483647, not 0"),
        (("--top", "--as", "vic@example.com"), "your role in CLOUD is viewer"),
    ):  # fmt: skip
        code, out = podium("task", "move", "CLOUD", "DATA-1", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert wbs(engine)["DATA-1"] == "2"


# --- delete ----------------------------------------------------------------------------


def test_delete_says_what_it_would_delete_and_refuses_while_links_rely_on_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "delete", "CLOUD", "DATA-1")
    assert code == 1
    assert (
        "this would delete task DATA-1 (Migrate data) with its 2 sub-tasks (DATA-2, DATA-3) and "
        "1 assignment; 2 dependencies rely on it or its sub-tasks (DATA-2 → DATA-3, "
        "DATA-3 → DATA-4): run again with --yes --with-links to delete it and them"
    ) in flat(out)
    code, out = podium("task", "delete", "CLOUD", "DATA-2", "--yes")  # one link: "relies"
    assert code == 1 and "cannot be deleted: 1 dependency relies on it (DATA-2 → DATA-3)" in (
        flat(out)
    )
    code, out = podium("task", "delete", "CLOUD", "DATA-1", "--yes")
    assert code == 1
    assert (
        "task DATA-1 (Migrate data) cannot be deleted: 2 dependencies rely on it or its "
        "sub-tasks (DATA-2 → DATA-3, DATA-3 → DATA-4): unlink them first (`podium task "
        "unlink`), or run again with --with-links to remove them too"
    ) in flat(out)
    code, out = podium("task", "delete", "CLOUD", "DATA-1", "--yes", "--with-links", "--as",
                       "mia@example.com")  # fmt: skip
    assert code == 1 and "your role in CLOUD is member" in flat(out)
    assert tasks_count(engine) == 5 and links(engine) == PLAN_LINKS
    code, out = podium("task", "delete", "CLOUD", "DATA-1", "--yes", "--with-links")
    assert code == 0, out
    assert (
        "Deleted task DATA-1 (Migrate data) with its 2 sub-tasks (DATA-2, DATA-3) and "
        "1 assignment from DATA of CLOUD, and 2 dependencies."
    ) in flat(out)
    assert "It moves the finish of 1 other task: DATA-4 2027-01-15 → 2027-01-05." in flat(out)
    assert tasks_count(engine) == 2 and links(engine) == {("DATA-4", "M1", "FS", 0)}
    assert wbs(engine) == {"DATA-4": "1", "SEC-1": "1"}  # renumbered
    with Session(engine) as session:
        assert session.scalar(select(Assignment)) is None


def test_delete_of_a_task_nothing_relies_on_needs_only_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("task", "delete", "CLOUD", "SEC-1")
    assert code == 1
    assert (
        "this would delete task SEC-1 (Security review): run again with --yes to delete it"
    ) in flat(out)
    assert stored(engine, "SEC-1") is not None
    # work under way: what was recorded against it goes too, and says so
    code, out = podium(
        "task", "progress", "CLOUD", "SEC-1", "--actual-start", "2027-01-04", "--percent", "20",
        "--actual-cost", "1500",
    )  # fmt: skip
    assert code == 0, out
    code, out = podium("task", "delete", "CLOUD", "SEC-1")
    assert code == 1
    assert (
        "this would delete task SEC-1 (Security review) with its recorded progress and costs "
        "(1,500.00 spent): run again with --yes"
    ) in flat(out)
    code, out = podium("task", "delete", "CLOUD", "SEC-1", "--yes")
    assert code == 0, out
    assert (
        "Deleted task SEC-1 (Security review) with its recorded progress and costs (1,500.00 "
        "spent) from SEC of CLOUD."
    ) in flat(out)
    assert stored(engine, "SEC-1") is None and tasks_count(engine) == 4
    code, out = podium("task", "delete", "CLOUD", "SEC-1", "--yes")
    assert code == 1 and "no task 'SEC-1' in CLOUD" in flat(out)
