"""`podium review/decision/change/retrospective` on the demo program (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import (
    ChangeRequest,
    ChangeRequestStatus,
    Decision,
    Review,
    ReviewOccurrence,
    Stakeholder,
    Task,
)

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_demo_has_a_governance_cadence_with_history(cli_env: None, engine: Engine) -> None:
    code, out = podium("demo")
    assert code == 0, out
    with Session(engine) as session:
        reviews = {r.name: r for r in session.scalars(select(Review))}
        assert set(reviews) == {"Weekly dependency check", "Steering committee"}
        assert reviews["Steering committee"].frequency.value == "biweekly"
        assert len(reviews["Steering committee"].attendees) == 4
        occurrences = list(session.scalars(select(ReviewOccurrence)))
        assert len(occurrences) == 5
        decisions = list(session.scalars(select(Decision)))
        assert decisions and all(d.occurrence_id is not None for d in decisions)
        assert len(list(session.scalars(select(Stakeholder)))) == 6
        awaiting = session.scalars(
            select(ChangeRequest).where(ChangeRequest.status == ChangeRequestStatus.PROPOSED)
        ).all()
        assert [cr.title for cr in awaiting] == ["Extend the pilot to five clients"]


def test_review_agenda_prints_the_next_occurrence(demo: None) -> None:
    code, out = podium("review", "agenda", "CLOUD")
    assert code == 0, out
    assert out.startswith("# Weekly dependency check — ")
    assert "Milestones that slipped" in out and "M1 Pilot complete and trainers ready" in out
    # three working days of the program's calendar, whatever holidays fall between the two
    # forecasts (the demo is placed around today)
    since = r"\+(\d+) working days? since the last review \(was (\d{4}-\d\d-\d\d)\)"
    slip = re.search(since, out)
    assert slip is not None and int(slip.group(1)) == 3, out
    assert "CR-2 Extend the pilot to five clients" in out and "M1 +5" in out
    code, out = podium("review", "agenda", "CLOUD", "--review", "steering committee")
    assert code == 0 and out.startswith("# Steering committee — ")
    slip = re.search(since, out)
    assert slip is not None and int(slip.group(1)) == 5, out
    assert "A second landing-zone engineer" in out
    code, out = podium("review", "agenda", "CLOUD", "--review", "nope")
    assert code == 1 and "no review named 'nope'" in out
    code, out = podium("review", "list", "CLOUD")
    assert code == 0 and "Steering committee" in out and "biweekly" in out
    # the next weekly check called off: the one a week later is next; then put back
    found = re.search(r"│ weekly +│ (\d{4}-\d\d-\d\d) │", out)
    assert found is not None, out
    next_day = date.fromisoformat(found.group(1))
    weekly = ("review", "skip", "CLOUD", "Weekly dependency check")
    code, out = podium(*weekly, next_day.isoformat())
    assert code == 0 and "called off" in out, out
    assert f"Next meeting: {next_day + timedelta(days=7)}." in out
    code, out = podium(*weekly, (next_day + timedelta(days=1)).isoformat())
    assert code == 1 and "is not a date Weekly dependency check meets" in out
    code, out = podium(*weekly, next_day.isoformat(), "--restore")
    assert code == 0 and "put back" in out and f"Next meeting: {next_day}." in out


def test_decision_and_change_commands(demo: None, engine: Engine) -> None:
    code, out = podium("decision", "list", "CLOUD")
    assert code == 0 and "D-1" in out and "Pilot limited to three" in out
    code, out = podium("change", "list", "CLOUD", "--status", "proposed")
    assert code == 0 and "CR-2" in out and "+5 wd" in out and "+9,000" in out
    code, out = podium("change", "reject", "CLOUD", "CR-2", "--rationale", "")
    assert code == 1 and "needs a --rationale" in out
    with Session(engine) as session:
        pilot = session.scalar(select(Task).where(Task.key == "PLAT-5"))
        assert pilot is not None
        duration = pilot.duration
    # as a person: their role decides (a member may not decide)
    for verb, extra in (("approve", ()), ("reject", ("--rationale", "No"))):
        code, out = podium("change", verb, "CLOUD", "CR-2", *extra, "--as", "sam@podium.local")
        assert code == 1 and "member" in out, (verb, out)
    code, out = podium(
        "change", "approve", "CLOUD", "CR-2", "--by", "Steering committee",
        "--as", "li@podium.local",
    )  # fmt: skip
    assert code == 0, out
    assert "Approved and applied CR-2" in out and "finish +5 working days" in out
    with Session(engine) as session:
        pilot = session.scalar(select(Task).where(Task.key == "PLAT-5"))
        assert pilot is not None and pilot.duration == duration + 5 and pilot.budget == 27000
    code, out = podium("change", "approve", "CLOUD", "CR-2")
    assert code == 1 and "already approved" in out


def test_retrospective_command_writes_markdown_and_pdf(demo: None, tmp_path: Path) -> None:
    code, out = podium("retrospective", "CLOUD")
    assert code == 0, out
    assert "retrospective" in out and "## Conflicts caught early and late" in out
    target = tmp_path / "retro.pdf"
    code, out = podium("retrospective", "CLOUD", "--format", "pdf", "--output", str(target))
    assert code == 0, out
    assert target.read_bytes().startswith(b"%PDF")
    code, out = podium("retrospective", "CLOUD", "--format", "pdf")
    assert code == 1 and "needs --output" in out


def test_a_review_meeting_is_recorded_with_who_came_and_its_minutes(
    demo: None, engine: Engine
) -> None:
    code, out = podium(
        "review",
        "record",
        "CLOUD",
        "steering committee",
        "--present",
        "maria@podium.local",
        "--present",
        "Dana Reyes",
        "--present",
        "A guest from finance",
        "--notes",
        "Lease: colocation priced",
        "--as",
        "li@podium.local",
    )
    assert code == 0, out
    assert "Recorded Steering committee on " in out and "agenda item(s) kept" in out
    assert "Next meeting:" in out
    with Session(engine) as session:
        steering = session.scalars(select(Review).where(Review.name == "Steering committee")).one()
        held = session.scalars(
            select(ReviewOccurrence)
            .where(ReviewOccurrence.review_id == steering.id)
            .order_by(ReviewOccurrence.held_on.desc())
        ).first()
        assert held is not None and held.notes == "Lease: colocation priced"
        assert held.attendees_present == ["Maria Lopez", "Dana Reyes", "A guest from finance"]
        assert held.recorded_by == "li@podium.local" and held.agenda["sections"]
        day = held.held_on.isoformat()
    code, out = podium("review", "record", "CLOUD", "Steering committee", "--all-present")
    assert code == 1 and f"already has an occurrence on {day}" in out
    code, out = podium(
        "review", "record", "CLOUD", "Weekly dependency check", "--held-on", "2199-01-01"
    )
    assert code == 1 and "is in the future" in out
    code, out = podium("review", "record", "CLOUD", "Weekly dependency check", "--held-on", "soon")
    assert code == 1 and "--held-on must be YYYY-MM-DD" in out
    code, out = podium("review", "record", "CLOUD", "Board")
    assert code == 1 and "no review named 'Board'" in out
    code, out = podium(
        "review", "record", "CLOUD", "Weekly dependency check", "--as", "sam@podium.local"
    )
    assert code == 1 and "manager or above" in out
    code, out = podium("review", "record", "CLOUD", "Weekly dependency check", "--all-present")
    assert code == 0, out
    with Session(engine) as session:
        weekly = session.scalars(
            select(Review).where(Review.name == "Weekly dependency check")
        ).one()
        latest = session.scalars(
            select(ReviewOccurrence)
            .where(ReviewOccurrence.review_id == weekly.id)
            .order_by(ReviewOccurrence.held_on.desc())
        ).first()
        assert latest is not None
        assert latest.attendees_present == [a.name for a in weekly.attendees]
