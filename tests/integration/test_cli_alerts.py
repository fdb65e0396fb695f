"""`podium alert list` and `podium impact` on a real database.

The plan (program start Monday 4 January 2027, Mon–Fri): PLAT-1 Pilot (10 d) runs 4–15
January; TRAIN-1 Train the trainers (5 d) after it, 18–22 January; SEC-1 Threat model
(3 d) 4–6 January; both feed M1 Trainers ready, target Friday 22 January, met.

By hand: PLAT-1 slipping 10 working days moves TRAIN-1 to 1–5 February and M1 to Friday
5 February, ten working days past its target; SEC-1 has 12 working days of float, so a
slip of 5 moves nothing but SEC-1 itself. SEC-1 taking 20 days after TRAIN-1 (instead of
feeding M1 beside it) runs 25 January – 19 February: its finish 32 working days later.
PLAT-1 taking 12 days puts M1 two working days past its target (Tuesday 26 January): an
alert.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import Alert, Dependency, Program, Role, Task
from podium.services import dependencies, tasks
from podium.services.actor import SYSTEM
from podium.services.dependencies import EndRef
from podium.services.milestones import create_milestone
from podium.services.scheduling import reschedule_program
from tests.factories import add_member, make_program, make_project, make_user
from tests.integration.test_cli_programs import flat, podium, table_rows

MANAGER = "manager@example.com"


def _plan(db: Session) -> Program:
    cloud = make_program(db, key="CLOUD", name="Cloud", start_date=date(2027, 1, 4))
    plat, train, sec = (make_project(db, cloud, key) for key in ("PLAT", "TRAIN", "SEC"))
    pilot = tasks.create_task(db, SYSTEM, project_id=plat.id, name="Pilot", duration=10)
    trainers = tasks.create_task(
        db, SYSTEM, project_id=train.id, name="Train the trainers", duration=5
    )
    threats = tasks.create_task(db, SYSTEM, project_id=sec.id, name="Threat model", duration=3)
    m1 = create_milestone(
        db, SYSTEM, program_id=cloud.id, key="M1", name="Trainers ready",
        target_date=date(2027, 1, 22),
    )  # fmt: skip
    for before, after in (
        (EndRef("task", pilot.id), EndRef("task", trainers.id)),
        (EndRef("task", trainers.id), EndRef("milestone", m1.id)),
        (EndRef("task", threats.id), EndRef("milestone", m1.id)),
    ):
        dependencies.create_dependency(db, SYSTEM, predecessor=before, successor=after)
    add_member(db, cloud, make_user(db, email=MANAGER), Role.MANAGER)
    make_user(db, email="outsider@example.com")
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    return cloud


def _duration(engine: Engine, key: str) -> int:
    with Session(engine) as session:
        task = session.scalar(select(Task).where(Task.key == key))
        assert task is not None
        return task.duration


def _alert_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(list(session.scalars(select(Alert))))


# --- podium alert list ---------------------------------------------------------------------


def test_alert_list_shows_the_open_alerts_with_their_chain_and_who_raised_them(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("alert", "list", "CLOUD")
    assert code == 0 and "CLOUD has no open alerts." in out
    assert podium("task", "set", "CLOUD", "PLAT-1", "--duration", "12", "--as", MANAGER)[0] == 0
    code, out = podium("alert", "list", "CLOUD")
    assert code == 0, out
    assert "CLOUD: 1 open alert" in out
    (row,) = [cells for first, cells in table_rows(out).items() if first.isdigit()]
    severity, kind, title, chain, by, seen = row
    assert (severity, kind) == ("high", "milestone target missed")
    assert title == "Milestone M1 Trainers ready is forecast 2 working days past its target"
    assert chain == "PLAT-1 (PLAT) → TRAIN-1 (TRAIN) → M1"
    assert by == MANAGER and seen  # the day it was first seen
    code, out = podium("alert", "list", "CLOUD", "--cross-project")
    assert code == 0 and "CLOUD: 1 open cross-project alert" in out


def test_alert_list_all_shows_the_resolved_ones_with_the_day_they_went(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    assert podium("task", "set", "CLOUD", "PLAT-1", "--duration", "12")[0] == 0
    assert podium("task", "set", "CLOUD", "PLAT-1", "--duration", "10")[0] == 0
    code, out = podium("alert", "list", "CLOUD")
    assert code == 0 and "CLOUD has no open alerts." in out
    code, out = podium("alert", "list", "CLOUD", "--all")
    assert code == 0 and "CLOUD: 1 alert" in out
    (row,) = [cells for first, cells in table_rows(out).items() if first.isdigit()]
    assert row[4] == "system" and row[-1] != "open"  # the day it was resolved


def test_alert_list_of_a_program_one_cannot_see_is_an_unknown_program(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("alert", "list", "NOPE")
    assert code == 1 and "no program with key or id 'NOPE'" in flat(out)
    code, out = podium("alert", "list", "CLOUD", "--as", "outsider@example.com")
    assert code == 1 and "no program with key or id 'CLOUD'" in flat(out)


# --- podium impact -------------------------------------------------------------------------


def test_impact_of_a_slip_shows_what_moves_where_and_saves_nothing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("impact", "CLOUD", "--slip", "PLAT-1=10", "--as", MANAGER)
    assert code == 0, out
    text = flat(out)
    assert "What if, in CLOUD Cloud (nothing is saved): PLAT-1 takes 10 working days more" in text
    assert "program finish 2027-01-22 → 2027-02-05 (+10 working days)" in text
    assert "What moves: 2 tasks in 2 projects" in text
    rows = table_rows(out)
    assert rows["PLAT"] == [
        "PLAT-1 Pilot",
        "2027-01-04 → 2027-01-04",
        "2027-01-15 → 2027-01-29",
        "+10",
    ]
    assert rows["TRAIN"][1:] == ["2027-01-18 → 2027-02-01", "2027-01-22 → 2027-02-05", "+10"]
    assert rows["M1 Trainers ready"] == ["2027-01-22 → 2027-02-05", "+10"]
    assert (
        "newly missed: M1 Trainers ready: target 2027-01-22, forecast 2027-02-05 "
        "(10 working days late)"
    ) in text
    assert _duration(engine, "PLAT-1") == 10 and _alert_count(engine) == 0


def test_impact_of_a_slip_the_float_absorbs_says_nothing_else_moves(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("impact", "CLOUD", "--slip", "SEC-1=5")
    assert code == 0, out
    assert "program finish 2027-01-22 → 2027-01-22 (+0 working days)" in flat(out)
    assert "What moves: 1 task in 1 project" in flat(out) and "newly missed" not in out


def test_impact_takes_the_changes_a_change_request_takes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "impact", "CLOUD", "--duration", "SEC-1=20", "--remove-link", "TRAIN-1:M1",
        "--add-link", "TRAIN-1:SEC-1",
    )  # fmt: skip
    assert code == 0, out
    text = flat(out)
    assert "SEC-1 takes 20 working days" in text
    # each change in words, as the slips are: not the options as typed
    assert "M1 no longer waits on TRAIN-1 (the link TRAIN-1 → M1 removed)" in text
    assert "SEC-1 cannot start until TRAIN-1 finishes (a new link)" in text
    assert "--remove-link" not in text and "--add-link" not in text
    assert table_rows(out)["SEC"][1:] == [
        "2027-01-04 → 2027-01-25",
        "2027-01-06 → 2027-02-19",
        "+32",
    ]


def test_impact_says_a_new_links_type_and_lag_in_words(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for spec, said in (
        ("SEC-1:TRAIN-1:FS:2", "TRAIN-1 cannot start until 2 working days after SEC-1 finishes"),
        ("SEC-1:TRAIN-1:ss:1", "TRAIN-1 cannot start until 1 working day after SEC-1 starts"),
        ("SEC-1:TRAIN-1:FF:-3", "TRAIN-1 cannot finish until 3 working days before SEC-1 finishes"),
        ("SEC-1:TRAIN-1:SF", "TRAIN-1 cannot finish until SEC-1 starts"),
    ):
        code, out = podium("impact", "CLOUD", "--add-link", spec)
        assert code == 0, out
        assert f"{said} (a new link)" in flat(out) and spec not in out


def test_impact_refuses_a_link_the_plan_has_as_a_change_request_does(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    with Session(engine) as session:
        (pilot_to_training,) = session.scalars(
            select(Dependency.id).join(Task, Task.id == Dependency.predecessor_task_id)
            .where(Task.key == "PLAT-1")
        )  # fmt: skip
    said = (
        f"--add-link PLAT-1:TRAIN-1:FS:5: PLAT-1 → TRAIN-1 is already linked (dependency "
        f"{pilot_to_training}): change that link's type or lag instead"
    )
    code, out = podium("impact", "CLOUD", "--add-link", "PLAT-1:TRAIN-1:FS:5")
    assert code == 1 and f"error: {said}" in flat(out), out
    code, out = podium("change", "raise", "CLOUD", "--title", "Wait longer",
                       "--add-link", "PLAT-1:TRAIN-1:FS:5", "--as", MANAGER)  # fmt: skip
    assert code == 1 and f"error: {said}" in flat(out), out
    # removed first, it comes back with its new lag
    code, out = podium("impact", "CLOUD", "--remove-link", "PLAT-1:TRAIN-1",
                       "--add-link", "PLAT-1:TRAIN-1:FS:5")  # fmt: skip
    assert code == 0 and "(+5 working days)" in flat(out), out


def test_impact_refuses_slips_and_delays_of_no_working_days_or_fewer(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for option, spec, said in (
        ("--slip", "PLAT-1=-5", "a slip is 1 to 10000 working days"),
        ("--slip", "PLAT-1=0", "a slip is 1 to 10000 working days"),
        ("--delay-start", "PLAT-1=-3", "a delay is 1 to 10000 working days"),
        ("--duration", "PLAT-1=-1", "a duration is 0 to 10000 working days"),
        ("--slip", "PLAT-1=10001", "a slip is 1 to 10000 working days"),
    ):
        code, out = podium("impact", "CLOUD", option, spec)
        assert code == 1 and f"error: {option} {spec}: {said}" in flat(out), out
    code, out = podium("impact", "CLOUD")
    assert code == 1 and "give at least one change" in flat(out)
    code, out = podium("impact", "CLOUD", "--slip", "PLAT-1")
    assert code == 1 and "--slip takes TASK=DAYS" in flat(out)


def test_impact_of_delaying_a_started_task_says_it_is_already_started(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "task", "progress", "CLOUD", "PLAT-1", "--actual-start", "2027-01-04", "--percent", "20"
    )
    assert code == 0, out
    code, out = podium("impact", "CLOUD", "--delay-start", "PLAT-1=2")
    assert code == 1
    assert "'PLAT-1' is already started: its start cannot be delayed" in flat(out)


def test_a_change_request_carrying_a_slip_of_no_working_days_is_refused_too(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for days in ("-5", "0"):
        code, out = podium("change", "raise", "CLOUD", "--title", "Pull the pilot in",
                           "--slip", f"PLAT-1={days}", "--as", MANAGER)  # fmt: skip
        assert code == 1
        assert f"--slip PLAT-1={days}: a slip is 1 to 10000 working days" in flat(out)
    code, out = podium("change", "raise", "CLOUD", "--title", "A day more",
                       "--slip", "PLAT-1=1", "--as", MANAGER)  # fmt: skip
    assert code == 0, out


def test_impact_names_a_task_by_its_key_as_stored_whatever_case_was_typed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("impact", "CLOUD", "--slip", "plat-1=2", "--as", MANAGER)
    assert code == 0, out
    assert "PLAT-1 takes 2 working days more" in flat(out)
