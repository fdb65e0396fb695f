"""`podium milestone …` on a real database (SQLite and PostgreSQL).

By hand (program start Monday 4 January 2027, Mon–Fri, no holidays): DATA-1 (5 d)
runs 4–8 January, SEC-1 (8 d) 4–13 January. M1 waits on DATA-1 (FS): its forecast
is Friday 8 January, on its target. Waiting on SEC-1 too, with a lag of one day,
moves it to Thursday 14 January: 11, 12, 13 and 14 January are 4 working days
past the target. GO waits on M1 and has no target.
"""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import MaxLen
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.milestones import KEY_PATTERN, MilestoneCreate
from podium.cli import milestones as milestone_cli
from podium.models import Dependency, DependencyType, Milestone, Program, Task
from podium.services.dependencies import describe_dependencies
from podium.services.scheduling import reschedule_program
from tests.factories import make_milestone, make_program, make_project, make_task
from tests.integration.test_cli_programs import facts, flat, podium, table_rows


def _plan(db: Session) -> Program:
    """CLOUD: DATA-1 and SEC-1; M1 (target 8 January) waits on DATA-1, GO on M1."""
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    data = make_task(db, make_project(db, cloud, "DATA"), "DATA-1", name="Build the platform")
    make_task(db, make_project(db, cloud, "SEC"), "SEC-1", name="Security review", duration=8)
    m1, go = make_milestone(db, cloud, "M1"), make_milestone(db, cloud, "GO")
    m1.name, m1.target_date, go.name = "All environments migrated", date(2027, 1, 8), "Go live"
    db.add(
        Dependency(program_id=cloud.id, predecessor_task_id=data.id, successor_milestone_id=m1.id)
    )
    db.add(
        Dependency(
            program_id=cloud.id, predecessor_milestone_id=m1.id, successor_milestone_id=go.id
        )
    )
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    return cloud


def stored(engine: Engine, key: str) -> Milestone | None:
    with Session(engine) as session:
        return session.scalar(select(Milestone).where(Milestone.key == key))


def forecast_of(engine: Engine, key: str) -> date | None:
    found = stored(engine, key)
    assert found is not None
    return found.early_finish


def links(engine: Engine) -> set[tuple[str, str, str, int]]:
    """Every dependency as (predecessor key, successor key, type, lag)."""
    with Session(engine) as session:
        views = describe_dependencies(session, session.scalars(select(Dependency)))
        return {
            (v.predecessor.key, v.successor.key, v.dependency.type.value, v.dependency.lag)
            for v in views
        }


def milestones_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Milestone)) or 0


# --- list and show -------------------------------------------------------------------


def test_list_shows_each_forecast_slip_state_and_what_feeds_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="EMPTY")
    code, out = podium("milestone", "list", "EMPTY")
    assert code == 0
    assert "No milestone in EMPTY yet: add one with `podium milestone add EMPTY" in flat(out)
    cloud = _plan(db)
    data = db.scalar(select(Task).where(Task.key == "DATA-1"))
    assert data is not None
    data.actual_start, data.actual_finish = date(2027, 1, 4), date(2027, 1, 8)
    data.percent_complete = 100
    db.commit()  # rescheduled by the first command below
    for args in (
        ("add", "CLOUD", "--name", "Platform ready", "--key", "PLAT", "--target", "2027-01-11"),
        ("link", "CLOUD", "PLAT", "--after", "DATA-1"),  # finished: PLAT is reached
        ("add", "CLOUD", "--name", "Staff trained", "--key", "TRAIN", "--target", "2027-01-29"),
        ("link", "CLOUD", "M1", "--after", "SEC-1", "--lag", "1"),
    ):
        code, out = podium("milestone", *args)
        assert code == 0, out
    make_milestone(db, cloud, "LATER")  # stored after the last reschedule: not placed yet
    code, out = podium("milestone", "list", "CLOUD")
    assert code == 0, out
    assert "5 milestones of CLOUD" in out
    assert "slip: working days past the target (+ late, − ahead)" in out
    rows = table_rows(out)
    assert rows["M1"] == [
        "All environments migrated", "2027-01-08", "2027-01-14", "+4", "late", "2 from DATA, SEC"
    ]  # fmt: skip
    assert rows["GO"] == ["Go live", "—", "2027-01-14", "—", "no target", "1 from milestones"]
    # nothing feeds it: placed at the program's start, which is no forecast (as the pages say)
    assert rows["TRAIN"][1:] == ["2027-01-29", "none yet", "—", "nothing feeds it", "—"]
    assert rows["PLAT"][1:] == ["2027-01-11", "2027-01-08", "−1", "reached", "1 from DATA"]
    assert rows["LATER"][1:] == ["—", "none yet", "—", "nothing feeds it", "—"]
    assert list(rows) == ["PLAT", "GO", "M1", "LATER", "TRAIN"]  # by forecast, then key


def test_show_prints_the_forecast_and_the_links_both_ways(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("milestone", "link", "CLOUD", "M1", "--after", "SEC-1", "--lag", "1")
    assert code == 0, out
    code, out = podium("milestone", "show", "CLOUD", "M1")
    assert code == 0, out
    assert "M1 All environments migrated (program CLOUD)" in out
    shown = facts(out)
    assert shown["target"] == "2027-01-08" and shown["forecast"] == "2027-01-14"
    assert shown["slip"] == "+4 working days" and shown["state"] == "late"
    assert shown["float"] == "0 working days, critical"
    assert "Waits on (2)" in out and "Waited on by (1)" in out
    rows = table_rows(out)
    assert rows["DATA-1"] == ["Build the platform", "DATA", "FS", "0", "2027-01-08"]
    assert rows["SEC-1"] == ["Security review", "SEC", "FS", "+1", "2027-01-13"]
    assert rows["GO"] == ["Go live", "—", "FS", "0", "2027-01-14"]
    assert list(rows) == ["SEC-1", "DATA-1", "GO"]  # what comes in last (sets the forecast) first
    code, out = podium("milestone", "show", "CLOUD", "GO")
    assert code == 0, out
    assert facts(out)["target"] == "not set" and facts(out)["state"] == "no target"
    assert "Waited on by" not in out and list(table_rows(out)) == ["M1"]


def test_show_and_list_refuse_an_unknown_program_or_milestone(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args, message in (
        (("list", "NOPE"), "no program with key or id 'NOPE'"),
        (("show", "NOPE", "M1"), "no program with key or id 'NOPE'"),
        (("show", "CLOUD", "M9"),
         "no milestone 'M9' in CLOUD (`podium milestone list CLOUD` lists them)"),
        (("show", "CLOUD", "DATA-1"), "DATA-1 is a task in CLOUD, not a milestone"),
    ):  # fmt: skip
        code, out = podium("milestone", *args)
        assert code == 1, args
        assert message in flat(out), args


# --- add -------------------------------------------------------------------------------


def test_add_stores_the_milestone_and_prints_the_key_it_got(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "milestone", "add", "CLOUD", "--name", " Staff trained ", "--target", "2027-02-26",
        "--description", "Every support agent has taken the course.",
    )  # fmt: skip
    assert code == 0, out
    assert "Added milestone M2 Staff trained to CLOUD (target 2027-02-26)." in out
    assert "`podium milestone link CLOUD M2 --after TASK`" in flat(out)
    made = stored(engine, "M2")
    assert made is not None
    assert (made.name, made.target_date) == ("Staff trained", date(2027, 2, 26))
    assert made.description == "Every support agent has taken the course."
    assert made.early_finish == date(2027, 1, 4)  # scheduled at commit: nothing feeds it yet
    code, out = podium("milestone", "add", "CLOUD", "--name", "Cutover", "--key", "CUT.1")
    assert code == 0, out
    assert "Added milestone CUT.1 Cutover to CLOUD (no target date)." in out
    made = stored(engine, "CUT.1")
    assert made is not None and made.target_date is None and made.description == ""


@pytest.mark.parametrize("key", ["9LIVES", "GO LIVE", "É", "-X", "K" * 41, " "])
def test_add_refuses_a_key_the_api_refuses(
    cli_env: None, engine: Engine, db: Session, key: str
) -> None:
    _plan(db)
    with pytest.raises(ValidationError):
        MilestoneCreate(program_id=1, key=key, name="x")
    code, out = podium("milestone", "add", "CLOUD", "--name", "x", "--key", key)
    assert code == 1
    assert "cannot be a milestone key: a key is a letter, then at most 39 letters" in flat(out)
    assert milestones_count(engine) == 2


def test_the_key_rule_and_the_lengths_are_the_apis() -> None:
    assert milestone_cli.KEY_PATTERN == KEY_PATTERN

    def max_length(field: str) -> int:
        metadata = MilestoneCreate.model_fields[field].metadata
        return next(m.max_length for m in metadata if isinstance(m, MaxLen))

    api_lengths = {"--name": max_length("name"), "--description": max_length("description")}
    assert api_lengths == milestone_cli.TEXT_LENGTHS


def test_add_refuses_a_taken_key_a_bad_date_and_bad_texts(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    base = ("milestone", "add", "CLOUD")
    for args, message in (
        (("milestone", "add", "NOPE", "--name", "x"), "no program with key or id 'NOPE'"),
        ((*base, "--name", "x", "--key", "M1"), "milestone M1 already exists in this program"),
        ((*base, "--name", "x", "--key", "SEC-1"), "SEC-1 is the key of a task in this program"),
        ((*base, "--name", "x", "--target", "2027-02-30"),
         "--target must be YYYY-MM-DD, not '2027-02-30'"),
        ((*base, "--name", "  "), "--name must not be blank"),
        ((*base, "--name", "n" * 301), "--name is at most 300 characters, not 301"),
        ((*base, "--name", "x", "--description", "d" * 10_001),
         "--description is at most 10000 characters, not 10001"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 1, args
        assert message in flat(out), args
    assert milestones_count(engine) == 2


# --- set -------------------------------------------------------------------------------


def test_set_prints_each_change_and_how_the_forecast_stands(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    podium("milestone", "link", "CLOUD", "M1", "--after", "SEC-1", "--lag", "1")
    code, out = podium(
        "milestone", "set", "CLOUD", "M1", "--name", "All migrated", "--target", "2027-01-15"
    )
    assert code == 0, out
    assert "Updated M1 All migrated:" in out
    shown = facts(out)
    assert shown["name"] == "All environments migrated → All migrated"
    assert shown["target"] == "2027-01-08 → 2027-01-15"
    assert "Forecast 2027-01-14, unchanged: on track, 1 working day ahead." in out
    m1 = stored(engine, "M1")
    assert m1 is not None and (m1.name, m1.target_date) == ("All migrated", date(2027, 1, 15))
    code, out = podium("milestone", "set", "CLOUD", "M1", "--key", "MIG", "--clear-target")
    assert code == 0, out
    assert facts(out)["key"] == "M1 → MIG" and facts(out)["target"] == "2027-01-15 → —"
    assert "Forecast 2027-01-14, unchanged: no target." in out
    assert stored(engine, "M1") is None
    mig = stored(engine, "MIG")
    assert mig is not None and mig.target_date is None
    assert ("MIG", "GO", "FS", 0) in links(engine)  # the links follow the milestone
    version = mig.version
    code, out = podium("milestone", "set", "CLOUD", "MIG", "--name", "All migrated")
    assert code == 0, out
    assert "Nothing changed: MIG All migrated already has those settings." in out
    mig = stored(engine, "MIG")
    assert mig is not None and mig.version == version


def test_set_refuses_bad_options_an_unknown_milestone_and_a_taken_key(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    before = stored(engine, "M1")
    assert before is not None
    for args, message in (
        ((), "nothing to change: give at least one of the options (see --help)"),
        (("--target", "2027-02-01", "--clear-target"), "give --target or --clear-target, not both"),
        (("--target", "1 Feb"), "--target must be YYYY-MM-DD, not '1 Feb'"),
        (("--key", "a b"), "'a b' cannot be a milestone key"),
        (("--key", "GO"), "milestone GO already exists in this program"),
        (("--key", "DATA-1"), "DATA-1 is the key of a task in this program"),
        (("--name", ""), "--name must not be blank"),
    ):  # fmt: skip
        code, out = podium("milestone", "set", "CLOUD", "M1", *args)
        assert code == 1, args
        assert message in flat(out), args
    code, out = podium("milestone", "set", "CLOUD", "M9", "--name", "x")
    assert code == 1 and "no milestone 'M9' in CLOUD" in flat(out)
    after = stored(engine, "M1")
    assert after is not None and after.version == before.version
    assert (after.key, after.name, after.target_date) == ("M1", before.name, before.target_date)


# --- link and unlink -------------------------------------------------------------------


def test_link_makes_the_milestone_wait_and_says_how_the_forecast_moved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    assert forecast_of(engine, "M1") == date(2027, 1, 8)
    code, out = podium("milestone", "link", "CLOUD", "M1", "--after", "SEC-1", "--lag", "1")
    assert code == 0, out
    assert "M1 now waits on task SEC-1 Security review (SEC), FS +1." in out
    assert "Forecast 2027-01-08 → 2027-01-14: late by 4 working days." in out
    assert ("SEC-1", "M1", "FS", 1) in links(engine)
    assert forecast_of(engine, "M1") == date(2027, 1, 14)
    assert forecast_of(engine, "GO") == date(2027, 1, 14)  # GO waits on M1
    code, out = podium("milestone", "add", "CLOUD", "--name", "Pilot", "--key", "PILOT")
    assert code == 0, out
    code, out = podium("milestone", "link", "CLOUD", "PILOT", "--after", "M1", "--type", "ss")
    assert code == 0, out
    assert "PILOT now waits on milestone M1 All environments migrated, SS." in out
    assert "Forecast none yet → 2027-01-14: no target." in out  # fed at last
    assert ("M1", "PILOT", DependencyType.SS.value, 0) in links(engine)


def test_link_refuses_a_cycle_an_unknown_key_a_duplicate_and_bad_options(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    other = make_program(db, key="OPS")
    make_task(db, make_project(db, other, "RUN"), "RUN-1")
    before = links(engine)
    for args, message in (
        (("M1", "--after", "GO"), "this dependency would create a cycle: GO → M1 → GO"),
        (("M1", "--after", "NOPE"), "--after: no task or milestone 'NOPE' in CLOUD"),
        (("M1", "--after", "RUN-1"), "--after: no task or milestone 'RUN-1' in CLOUD"),
        (("M9", "--after", "SEC-1"), "no milestone 'M9' in CLOUD"),
        (("SEC-1", "--after", "DATA-1"), "SEC-1 is a task in CLOUD, not a milestone"),
        (("M1", "--after", "M1"), "M1 cannot depend on itself"),
        (("M1", "--after", "SEC-1", "--type", "XX"), "--type must be one of FS, SS, FF, SF"),
        (("M1", "--after", "SEC-1", "--lag", "10001"),
         "--lag must be between -10000 and 10000 working days, not 10001"),
    ):  # fmt: skip
        code, out = podium("milestone", "link", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    code, out = podium("milestone", "link", "NOPE", "M1", "--after", "SEC-1")
    assert code == 1 and "no program with key or id 'NOPE'" in flat(out)
    assert links(engine) == before
    assert forecast_of(engine, "M1") == date(2027, 1, 8)


def test_linking_again_changes_the_type_or_lag_in_place(
    cli_env: None, engine: Engine, db: Session
) -> None:
    # M1 waited on DATA-1 finishing (8 January); started-to-start with two days' lag it
    # waits on DATA-1's start (4 January) and two working days: Wednesday 6 January
    _plan(db)
    (link_id,) = [d.id for d in db.scalars(select(Dependency)) if d.predecessor_task_id]
    code, out = podium(
        "milestone", "link", "CLOUD", "M1", "--after", "DATA-1", "--type", "SS", "--lag", "2"
    )
    assert code == 0, out
    assert "M1 waits on task DATA-1 Build the platform (DATA): changed FS → SS, lag 0 → 2." in (
        flat(out)
    )
    assert ("DATA-1", "M1", "SS", 2) in links(engine)
    assert forecast_of(engine, "M1") == date(2027, 1, 6)
    with Session(engine) as session:  # the same dependency, changed
        assert session.get(Dependency, link_id) is not None
    code, out = podium("milestone", "link", "CLOUD", "M1", "--after", "DATA-1", "--lag", "2")
    assert code == 0 and "nothing changed" in flat(out)


def test_unlink_removes_the_link_and_the_forecast_moves_back(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    podium("milestone", "link", "CLOUD", "M1", "--after", "SEC-1", "--lag", "1")
    assert forecast_of(engine, "M1") == date(2027, 1, 14)
    code, out = podium("milestone", "unlink", "CLOUD", "M1", "--after", "SEC-1")
    assert code == 0, out
    assert "M1 no longer waits on task SEC-1." in out
    assert "Forecast 2027-01-14 → 2027-01-08: on track, on its target." in out
    assert links(engine) == {("DATA-1", "M1", "FS", 0), ("M1", "GO", "FS", 0)}
    assert forecast_of(engine, "M1") == date(2027, 1, 8)
    for args, message in (
        (("M1", "--after", "SEC-1"),
         "M1 does not wait on SEC-1 (`podium milestone show CLOUD M1` lists what it waits on)"),
        (("M1", "--after", "GO"), "M1 does not wait on GO"),  # GO waits on M1, not the reverse
        (("M1", "--after", "NOPE"), "--after: no task or milestone 'NOPE' in CLOUD"),
        (("M9", "--after", "DATA-1"), "no milestone 'M9' in CLOUD"),
    ):  # fmt: skip
        code, out = podium("milestone", "unlink", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert links(engine) == {("DATA-1", "M1", "FS", 0), ("M1", "GO", "FS", 0)}


# --- delete ------------------------------------------------------------------------------


def test_delete_refuses_a_linked_milestone_without_with_links(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("milestone", "delete", "CLOUD", "M1")
    assert code == 1
    assert (
        "milestone M1 (All environments migrated) has 2 links (dependencies to or from it): "
        "--with-links deletes it and removes them"
    ) in flat(out)
    assert stored(engine, "M1") is not None and len(links(engine)) == 2
    code, out = podium("milestone", "delete", "CLOUD", "M9")
    assert code == 1 and "no milestone 'M9' in CLOUD" in flat(out)
    assert milestones_count(engine) == 2
    code, out = podium("milestone", "delete", "CLOUD", "M1", "--with-links")
    assert code == 0, out
    assert "Deleted milestone M1 (All environments migrated) and its 2 links from CLOUD." in out
    assert stored(engine, "M1") is None and links(engine) == set()
    assert forecast_of(engine, "GO") == date(2027, 1, 4)  # rescheduled: nothing feeds it now
    code, out = podium("milestone", "delete", "CLOUD", "GO")
    assert code == 0, out
    assert "Deleted milestone GO (Go live) from CLOUD." in out
    assert milestones_count(engine) == 0
