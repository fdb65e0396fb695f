"""`podium program close` and `podium program reopen` on a real database (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.retrospective import CloseIn, LessonIn
from podium.cli import program_close  # registers `program close` and `program reopen`
from podium.models import (
    AuditEntry,
    Benefit,
    BenefitMeasurement,
    Calendar,
    Program,
    ProgramStatus,
    Role,
    User,
)
from podium.models.governance import Lesson, ProgramCloseout
from podium.services.actor import SYSTEM
from podium.services.governance import retrospective
from podium.services.scheduling import mark_program
from podium.services.uow import complete
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import flat, podium

OWNER = "ana@example.com"


@pytest.fixture(autouse=True)
def _closing_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """A program closes on a day that has come: the close's today is after the 2027 plans."""
    monkeypatch.setattr(retrospective, "today", lambda: date(2030, 1, 7))


def cloud(db: Session, *, calendar: Calendar | None = None) -> tuple[Program, User]:
    """CLOUD, owned by Ana: a goal from 1200 down to 840 tickets, one 5-day task from
    Mon 4 Jan 2027 (so it finishes Fri 8 Jan on a Monday–Friday week)."""
    ana = make_user(db, email=OWNER)
    program = make_program(
        db, owner=ana, key="CLOUD", start_date=date(2027, 1, 4),
        calendar_id=calendar.id if calendar else None, goal_measure="support tickets",
        goal_unit="tickets", goal_baseline_value=1200, goal_target_value=840,
    )  # fmt: skip
    make_task(db, make_project(db, program, "DATA"), "DATA-1", duration=5)
    mark_program(db, program.id)
    complete(db)
    return program, ana


def status(engine: Engine) -> ProgramStatus:
    with Session(engine) as session:
        found = session.scalar(select(Program.status).where(Program.key == "CLOUD"))
        assert found is not None
        return found


def closeout(engine: Engine) -> ProgramCloseout | None:
    with Session(engine) as session:
        return session.scalar(select(ProgramCloseout))


def lessons(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Lesson.category, Lesson.text, Lesson.recorded_by).order_by(Lesson.id)
        )
        return [(category, text, by) for category, text, by in rows]


def unchanged(engine: Engine, version: int) -> None:
    """Nothing was closed or recorded."""
    assert status(engine) == ProgramStatus.ACTIVE and closeout(engine) is None
    assert lessons(engine) == []
    with Session(engine) as session:
        found = session.scalar(select(Program.version).where(Program.key == "CLOUD"))
    assert found == version


def close(db: Session, program: Program) -> None:
    retrospective.close_program(db, SYSTEM, program.id, closed_on=date(2027, 2, 1))
    complete(db)


# --- close -----------------------------------------------------------------------------


def test_without_yes_close_says_what_it_does_and_changes_nothing(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    code, out = podium(
        "program", "close", "CLOUD", "--outcome-value", "870", "--outcome-summary", "Moved",
        "--lesson", "went-well: Security signed off early", "--closed-on", "2027-03-01",
    )  # fmt: skip
    assert code == 1
    said = flat(out)
    assert "this would close CLOUD (Cloud migration) on 2027-03-01" in said
    assert (
        "its plan (projects, tasks, milestones, dependencies, assignments and change requests) "
        "is frozen until an owner reopens it" in said
    )
    assert (
        "its retrospective is kept as it stands, with the outcome 870, the outcome summary "
        "and 1 lesson" in said
    )
    assert "Run again with --yes to close it." in said
    unchanged(engine, program.version)


def test_close_keeps_the_outcome_the_lessons_and_the_retrospective_and_freezes_the_plan(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud(db)
    code, out = podium(
        "program", "close", "CLOUD", "--outcome-value", "870",
        "--outcome-summary", " Every client moved. ", "--closed-on", "2027-03-01",
        "--lesson", "went-well: Security signed off early",
        "--lesson", "Vendor lead times: book them first",
        "--lesson", "IMPROVE:  Staff the cut-over weekend ",
        "--yes", "--as", OWNER,
    )  # fmt: skip
    assert code == 0, out
    said = flat(out)
    assert "Closed CLOUD Cloud migration on 2027-03-01: its plan is frozen" in said
    assert (
        "Outcome: 870 tickets (typed at close) against a target of 840 tickets: not met, "
        "91.7 % of the way from the baseline." in said
    )
    assert "Finish: 2027-01-08 (forecast; no baseline to compare)." in said
    assert "Lessons: 3 recorded now, 3 in all." in said
    assert "`podium retrospective CLOUD` prints it" in said
    assert status(engine) == ProgramStatus.CLOSED
    kept = closeout(engine)
    assert kept is not None
    assert (kept.closed_on, kept.closed_by) == (date(2027, 3, 1), OWNER)
    assert (kept.outcome_value, kept.outcome_summary) == (870, "Every client moved.")
    assert kept.retrospective["closed"] is True
    assert kept.retrospective["goal"]["achieved_value"] == 870
    assert kept.retrospective["schedule"]["finish_actual"] == "2027-01-08"
    assert lessons(engine) == [
        ("went_well", "Security signed off early", OWNER),
        ("improve", "Vendor lead times: book them first", OWNER),
        ("improve", "Staff the cut-over weekend", OWNER),
    ]
    with Session(engine) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "close"))
    assert entry is not None and (entry.user_email, entry.entity_label) == (OWNER, "CLOUD closed")
    # the plan is frozen: a task cannot change any more
    code, out = podium("task", "set", "CLOUD", "DATA-1", "--duration", "7")
    assert code == 1 and "CLOUD is closed" in flat(out)


def test_close_without_options_closes_today_with_the_retrospective_as_it_stands(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud(db)
    code, out = podium("program", "close", "CLOUD", "--yes")
    assert code == 0, out
    assert "Lessons: 0 in all." in out and "Outcome" not in out
    kept = closeout(engine)
    assert kept is not None and kept.closed_by == "system"
    assert kept.outcome_value is None and kept.outcome_summary == ""
    assert status(engine) == ProgramStatus.CLOSED


def test_without_an_outcome_value_the_goal_kpis_last_reading_is_the_outcome(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    kpi = Benefit(
        program_id=program.id, name="Tickets", unit="tickets", baseline_value=1200,
        baseline_date=date(2027, 1, 4), target_value=840, target_date=date(2027, 6, 30),
        direction="down", is_goal=True,
    )  # fmt: skip
    db.add(kpi)
    db.flush()
    for day, value in ((date(2027, 2, 1), 990), (date(2027, 3, 1), 830), (date(2027, 4, 1), 700)):
        db.add(BenefitMeasurement(benefit_id=kpi.id, measured_on=day, value=value))
    db.commit()
    code, out = podium("program", "close", "CLOUD", "--closed-on", "2027-03-15", "--yes")
    assert code == 0, out
    assert (
        "Outcome: 830 tickets (the goal KPI's reading of 2027-03-01) against a target of "
        "840 tickets: met" in flat(out)
    )
    kept = closeout(engine)
    assert kept is not None and kept.outcome_value is None
    assert kept.retrospective["goal"]["achieved_value"] == 830


def test_only_an_owner_closes(cli_env: None, engine: Engine, db: Session) -> None:
    program, _ana = cloud(db)
    for email, role in (("li@example.com", Role.MANAGER), ("erin@example.com", Role.VIEWER)):
        add_member(db, program, make_user(db, email=email), role)
        code, out = podium("program", "close", "CLOUD", "--yes", "--as", email)
        assert code == 1, email
        assert f"your role in CLOUD is {role.value}; owner or above is needed" in flat(out)
        # without --yes too: the explanation is for those who may close
        code, out = podium("program", "close", "CLOUD", "--as", email)
        assert code == 1 and "owner or above is needed" in flat(out)
    make_user(db, email="stranger@example.com")
    code, out = podium("program", "close", "CLOUD", "--yes", "--as", "stranger@example.com")
    assert code == 1 and "no program with key or id" in out
    code, out = podium("program", "close", "CLOUD", "--yes", "--as", "nobody@example.com")
    assert code == 1 and "no user with email nobody@example.com" in out
    unchanged(engine, program.version)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--outcome-value", "nan"), "--outcome-value must be between -1e15 and 1e15, not nan"),
        (("--outcome-value", "inf"), "--outcome-value must be between -1e15 and 1e15, not inf"),
        (("--outcome-value", "-2e15"), "--outcome-value must be between -1e15 and 1e15"),
        (("--outcome-summary", "s" * 20_001), "--outcome-summary is at most 20000 characters"),
        (("--outcome-summary", "a\x00b"), "--outcome-summary contains a NUL character"),
        (("--lesson", "  "), "--lesson must not be blank"),
        (("--lesson", "went-well:  "), "--lesson must not be blank"),
        (("--lesson", "l" * 20_001), "--lesson is at most 20000 characters, not 20001"),
        (("--lesson", "wentwell: x"), "--lesson starts with went-well:, improve: or no category"),
        (("--closed-on", "01/03/2027"), "--closed-on must be YYYY-MM-DD, not '01/03/2027'"),
        (("--closed-on", "2026-12-31"), "--closed-on 2026-12-31 is before the program's start"),
    ],
)
def test_bad_input_is_refused_and_closes_nothing(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    program, _ana = cloud(db)
    code, out = podium("program", "close", "CLOUD", *args, "--yes")
    assert code == 1, out
    assert message in flat(out)
    unchanged(engine, program.version)


def test_more_lessons_than_the_api_takes_are_refused(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    many = [arg for n in range(101) for arg in ("--lesson", f"lesson {n}")]
    code, out = podium("program", "close", "CLOUD", *many, "--yes")
    assert code == 1 and "--lesson: at most 100 lessons, not 101" in out
    unchanged(engine, program.version)


def test_a_closed_program_is_not_closed_again_and_an_unknown_one_is_refused(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    close(db, program)
    code, out = podium("program", "close", "CLOUD", "--yes", "--lesson", "again")
    assert code == 1
    assert "CLOUD is already closed: `podium program reopen CLOUD` takes it up again" in flat(out)
    kept = closeout(engine)
    assert kept is not None and kept.closed_on == date(2027, 2, 1) and lessons(engine) == []
    code, out = podium("program", "close", "NOPE", "--yes")
    assert code == 1 and "no program with key or id 'NOPE'" in out


# --- reopen ----------------------------------------------------------------------------


def test_reopen_lets_the_plan_change_again_and_keeps_the_retrospective(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    close(db, program)
    code, out = podium("program", "reopen", "CLOUD", "--as", OWNER)
    assert code == 0, out
    said = flat(out)
    assert "Reopened CLOUD Cloud migration: its plan can change again." in said
    assert "The retrospective kept at its close on 2027-02-01 stays until it is closed again" in (
        said
    )
    assert "Rescheduled" not in said  # nothing changed while it was closed
    assert status(engine) == ProgramStatus.ACTIVE
    assert closeout(engine) is not None
    with Session(engine) as session:
        entry = session.scalar(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "program", AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    assert entry is not None and entry.user_email == OWNER
    assert entry.changes == {"status": ["closed", "active"]}
    code, out = podium("task", "set", "CLOUD", "DATA-1", "--duration", "7")
    assert code == 0, out
    # the kept retrospective is still the one printed, saying so; --draft: the live plan
    code, out = podium("retrospective", "CLOUD")
    assert code == 0, out
    assert "Kept at the close on 2027-02-01 by system. The program has been reopened" in out
    assert "Finish planned —, forecast 2027-01-08." in out
    code, out = podium("retrospective", "CLOUD", "--draft")
    assert code == 0, out
    assert "Draft from the live plan" in out and "forecast 2027-01-12." in out


def test_reopen_reschedules_what_changed_while_the_program_was_closed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    standard = Calendar(name="Standard", description="", weekmask="1111100", holidays=[])
    db.add(standard)
    db.commit()
    program, _ana = cloud(db, calendar=standard)
    close(db, program)
    code, out = podium("calendar", "set", "Standard", "--workdays", "Mon,Tue,Wed,Thu")
    assert code == 0, out
    with Session(engine) as session:
        finish = session.scalar(select(Program.scheduled_finish).where(Program.key == "CLOUD"))
    assert finish == date(2027, 1, 8)  # a closed program's schedule stays as it was closed
    code, out = podium("program", "reopen", "CLOUD")
    assert code == 0, out
    assert (
        "Rescheduled with what changed while it was closed: finish 2027-01-08 → 2027-01-11."
        in flat(out)
    )
    with Session(engine) as session:
        finish = session.scalar(select(Program.scheduled_finish).where(Program.key == "CLOUD"))
    assert finish == date(2027, 1, 11)


def test_reopen_is_for_owners_and_for_closed_programs(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    code, out = podium("program", "reopen", "CLOUD")
    assert code == 1 and "CLOUD is not closed (it is active): nothing to reopen" in flat(out)
    close(db, program)
    add_member(db, program, make_user(db, email="li@example.com"), Role.MANAGER)
    code, out = podium("program", "reopen", "CLOUD", "--as", "li@example.com")
    assert code == 1 and "your role in CLOUD is manager; owner or above" in flat(out)
    code, out = podium("program", "reopen", "NOPE")
    assert code == 1 and "no program with key or id 'NOPE'" in out
    assert status(engine) == ProgramStatus.CLOSED


def test_closing_again_after_a_reopen_replaces_the_retrospective(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program, _ana = cloud(db)
    close(db, program)
    assert podium("program", "reopen", "CLOUD")[0] == 0
    code, out = podium(
        "program", "close", "CLOUD", "--closed-on", "2027-04-01", "--outcome-value", "800", "--yes"
    )
    assert code == 0, out
    assert "Outcome: 800 tickets (typed at close) against a target of 840 tickets: met" in flat(out)
    with Session(engine) as session:
        kept = list(session.scalars(select(ProgramCloseout)))
        count = session.scalar(select(func.count()).select_from(ProgramCloseout))
    assert count == 1 and kept[0].closed_on == date(2027, 4, 1) and kept[0].outcome_value == 800


def test_the_limits_are_the_apis() -> None:
    def max_length(model: type[BaseModel], field: str) -> int:
        return next(
            m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen)
        )

    assert max_length(CloseIn, "outcome_summary") == program_close.SUMMARY_LENGTH
    assert max_length(CloseIn, "lessons") == program_close.MAX_LESSONS
    assert max_length(LessonIn, "text") == program_close.LESSON_LENGTH
    CloseIn(outcome_value=program_close.MAX_OUTCOME)
    CloseIn(outcome_value=-program_close.MAX_OUTCOME)
    with pytest.raises(ValidationError):
        CloseIn(outcome_value=program_close.MAX_OUTCOME * 1.01)
    categories = set(get_args(LessonIn.model_fields["category"].annotation))
    assert set(program_close.CATEGORIES.values()) == categories


def test_a_lesson_without_as_is_recorded_by_the_system(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud(db)
    code, out = podium(
        "program", "close", "CLOUD", "--lesson", "went_well: Kept the cadence", "--yes"
    )
    assert code == 0, out
    assert lessons(engine) == [("went_well", "Kept the cadence", "system")]
