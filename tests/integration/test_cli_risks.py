"""`podium risk …` and `podium benefit …` on a real database, over the demo program."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Benefit, BenefitMeasurement, Risk, RiskAction, RiskHistory
from podium.services.common import today

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_the_demo_register_lists_live_risks_highest_score_first(demo: None) -> None:
    code, out = podium("risk", "list", "CLOUD")
    assert code == 0, out
    lines = [line for line in out.splitlines() if " R" in line]
    assert lines[0].split()[1] == "R2" and "steering" in lines[0]
    assert "Landing zone design" not in out  # closed
    assert "realized" in out and "7 risks" in out
    code, out = podium("risk", "list", "CLOUD", "--all")
    assert "Landing zone design" in out and "8 risks" in out


def test_adding_a_risk_escalates_it_under_the_rules(demo: None, engine: Engine) -> None:
    code, out = podium(
        "risk",
        "add",
        "CLOUD",
        "--title",
        "Backup tooling licence expires",
        "-p",
        "4",
        "-i",
        "4",
        "--project",
        "PLAT",
        "--owner",
        "li@podium.local",
        "--as",
        "sam@podium.local",
    )
    assert code == 0, out
    assert "Raised R9 in CLOUD, score 16" in out and "Escalated to program level" in out
    with Session(engine) as session:
        risk = session.scalars(select(Risk).where(Risk.number == 9)).one()
        assert risk.created_by == "sam@podium.local" and risk.owner is not None
    code, out = podium("risk", "add", "CLOUD", "--title", "x", "-p", "9", "-i", "1")
    assert code != 0
    code, out = podium(
        "risk", "add", "CLOUD", "--title", "x", "-p", "1", "-i", "1", "--project", "NOPE"
    )
    assert code == 1 and "no project NOPE" in out
    code, out = podium(
        "risk", "add", "CLOUD", "--title", "x", "-p", "1", "-i", "1", "--as", "erin@podium.local"
    )
    assert code == 1 and "viewer" in out


def test_the_matrix_counts_each_cell(demo: None) -> None:
    code, out = podium("risk", "matrix", "CLOUD")
    assert code == 0, out
    assert "7 risks" in out and "almost certain" in out and "severe" in out
    code, out = podium("risk", "matrix", "CLOUD", "--all")
    assert "8 risks" in out


def test_benefits_are_listed_and_measured(demo: None, engine: Engine) -> None:
    code, out = podium("benefit", "list", "CLOUD")
    assert code == 0, out
    assert "★ support tickets per month" in out and "off track" in out
    code, out = podium(
        "benefit",
        "measure",
        "CLOUD",
        "support tickets per month",
        "--value",
        "1100",
        "--date",
        "2030-01-01",
        "--source",
        "helpdesk",
        "--as",
        "sam@podium.local",
    )
    assert code == 0, out
    assert "Recorded support tickets per month = 1100 on 2030-01-01" in out
    assert "% realized" in out
    with Session(engine) as session:
        benefit = session.scalars(select(Benefit).where(Benefit.is_goal.is_(True))).one()
        latest = session.scalars(
            select(BenefitMeasurement)
            .where(BenefitMeasurement.benefit_id == benefit.id)
            .order_by(BenefitMeasurement.measured_on.desc())
        ).first()
        assert latest is not None and (latest.value, latest.recorded_by) == (
            1100,
            "sam@podium.local",
        )
    code, out = podium("benefit", "measure", "CLOUD", "happiness", "--value", "1")
    assert code == 1 and "no benefit 'happiness'" in out
    code, out = podium(
        "benefit",
        "measure",
        "CLOUD",
        "support tickets per month",
        "--value",
        "1",
        "--date",
        "2030-01-01",
    )
    assert code == 1 and "already has a measurement" in out
    # a reading before the baseline date is the old normal: not judged, and said so
    code, out = podium(
        "benefit", "add", "CLOUD", "churn", "--baseline", "100", "--target", "50",
        "--baseline-date", "2031-01-06", "--by", "2031-12-31",
    )  # fmt: skip
    assert code == 0, out
    code, out = podium(
        "benefit", "measure", "CLOUD", "churn", "--value", "115", "--date", "2026-11-02"
    )  # fmt: skip
    assert code == 0 and "It comes before the baseline date (2031-01-06): the old normal, " in out
    code, out = podium("benefit", "list", "CLOUD")
    assert "no reading since the baseline" in out


def test_updating_a_risk_rates_it_again_keeps_the_history_and_escalates(
    demo: None, engine: Engine
) -> None:
    code, out = podium(
        "risk",
        "update",
        "CLOUD",
        "R3",
        "-p",
        "5",
        "-i",
        "4",
        "--status",
        "mitigating",
        "--owner",
        "sam@podium.local",
        "--response",
        "transfer",
        "--note",
        "vendor confirmed a late API",
        "--as",
        "li@podium.local",
    )
    assert code == 0, out
    assert "Updated R3" in out and "score 9 → 20" in out and "status open → mitigating" in out
    assert "owner Li Wei → Sam Okoro" in out and "to the steering agenda" in out
    with Session(engine) as session:
        risk = session.scalars(select(Risk).where(Risk.number == 3)).one()
        assert (risk.score, risk.status, risk.response, risk.escalation) == (
            20,
            "mitigating",
            "transfer",
            "steering",
        )
        assert risk.owner is not None and risk.owner.email == "sam@podium.local"
        latest = session.scalars(
            select(RiskHistory)
            .where(RiskHistory.risk_id == risk.id)
            .order_by(RiskHistory.id.desc())
        ).first()
        assert latest is not None
        assert (latest.note, latest.changed_by) == (
            "vendor confirmed a late API",
            "li@podium.local",
        )
    code, out = podium("risk", "show", "CLOUD", "3")
    assert code == 0, out
    assert "5 × 4" in out and "vendor confirmed a late API" in out and "Sam Okoro" in out


def test_a_risk_update_is_refused_with_the_reason(demo: None) -> None:
    code, out = podium("risk", "update", "CLOUD", "R3")
    assert code == 1 and "nothing to change" in out
    code, out = podium("risk", "update", "CLOUD", "R3", "--status", "gone")
    assert code == 1 and "--status must be one of" in out
    code, out = podium("risk", "update", "CLOUD", "R3", "--due", "2030-13-01")
    assert code == 1 and "--due must be YYYY-MM-DD" in out
    code, out = podium("risk", "update", "CLOUD", "R99", "-p", "2")
    assert code == 1 and "no risk 'R99' in CLOUD" in out
    code, out = podium("risk", "update", "CLOUD", "R3", "--owner", "nobody@example.com")
    assert code == 1 and "no user with email nobody@example.com" in out
    code, out = podium("risk", "update", "CLOUD", "R3", "-p", "2", "--as", "erin@podium.local")
    assert code == 1 and "viewer" in out
    code, out = podium("risk", "update", "CLOUD", "R3", "--level", "program", "--no-owner")
    assert code == 0 and "level task → program" in out and "owner Li Wei → —" in out
    # a risk has a title, added or changed
    code, out = podium("risk", "update", "CLOUD", "R3", "--title", "   ")
    assert code == 1 and "a risk needs a title" in out
    for blank in ("", "   "):
        args = (
            "risk",
            "add",
            "CLOUD",
            "--title",
            blank,
            "-p",
            "3",
            "-i",
            "3",
            "--level",
            "program",
        )
        code, out = podium(*args)
        assert code == 1 and "a risk needs a title" in out, out


def test_closing_needs_a_manager_and_realizing_keeps_the_day(demo: None, engine: Engine) -> None:
    code, out = podium("risk", "close", "CLOUD", "R4", "--as", "sam@podium.local")
    assert code == 1 and "manager or above is needed to close" in out
    code, out = podium(
        "risk", "close", "CLOUD", "R4", "--note", "trained", "--as", "li@podium.local"
    )
    assert code == 0 and "status open → closed" in out
    code, out = podium("risk", "realize", "CLOUD", "R7", "--as", "sam@podium.local")
    assert code == 0 and "status open → realized" in out
    with Session(engine) as session:
        closed = session.scalars(select(Risk).where(Risk.number == 4)).one()
        realized = session.scalars(select(Risk).where(Risk.number == 7)).one()
        assert closed.closed_on is not None and realized.realized_on is not None
    code, out = podium("risk", "list", "CLOUD")
    assert "6 risks" in out


def test_mitigation_actions_are_planned_and_marked_done(demo: None, engine: Engine) -> None:
    code, out = podium(
        "risk",
        "action",
        "add",
        "CLOUD",
        "R3",
        "--title",
        "Ask the vendor for a beta API",
        "--owner",
        "sam@podium.local",
        "--due",
        "2030-01-15",
        "--as",
        "sam@podium.local",
    )
    assert code == 0, out
    with Session(engine) as session:
        action = session.scalars(
            select(RiskAction).where(RiskAction.title == "Ask the vendor for a beta API")
        ).one()
        action_id = action.id
    assert f"Planned action {action_id} on R3" in out and "due 2030-01-15" in out
    code, out = podium("risk", "show", "CLOUD", "R3")
    assert "Ask the vendor for a beta API" in out and "2030-01-15" in out
    day = today().isoformat()  # a done date is never in the future
    code, out = podium("risk", "action", "done", "CLOUD", "R3", str(action_id), "--on", day)
    assert code == 0 and f"done on {day}" in out
    with Session(engine) as session:
        done = session.get(RiskAction, action_id)
        assert done is not None and done.done and str(done.done_on) == day
    code, out = podium("risk", "action", "done", "CLOUD", "R3", str(action_id), "--undo")
    assert code == 0 and "not done" in out
    code, out = podium("risk", "action", "done", "CLOUD", "R2", str(action_id))
    assert code == 1 and f"action {action_id} of risk R2 not found" in out
    code, out = podium("risk", "action", "add", "CLOUD", "R3", "--title", " ")
    assert code == 1 and "needs a --title" in out
    code, out = podium(
        "risk", "action", "add", "CLOUD", "R3", "--title", "x", "--as", "erin@podium.local"
    )
    assert code == 1 and "viewer" in out


def test_a_benefit_kpi_is_defined_with_its_direction_from_the_target(
    demo: None, engine: Engine
) -> None:
    code, out = podium(
        "benefit",
        "add",
        "CLOUD",
        "Data centre racks in use",
        "--baseline",
        "40",
        "--target",
        "0",
        "--by",
        "2030-06-30",
        "--unit",
        "racks",
        "--project",
        "DATA",
        "--as",
        "li@podium.local",
    )
    assert code == 0, out
    assert "Defined Data centre racks in use" in out and "40 → 0 racks by 2030-06-30" in out
    with Session(engine) as session:
        benefit = session.scalars(
            select(Benefit).where(Benefit.name == "Data centre racks in use")
        ).one()
        assert benefit.direction == "down" and not benefit.is_goal
        assert [p.key for p in benefit.projects] == ["DATA"]
    code, out = podium("benefit", "list", "CLOUD")
    assert "Data centre racks in use" in out
    args = ["--baseline", "40", "--target", "0", "--by", "2030-06-30"]
    code, out = podium("benefit", "add", "CLOUD", "Data centre racks in use", *args)
    assert code == 1 and "already exists" in out
    code, out = podium("benefit", "add", "CLOUD", "Racks", *args, "--direction", "up")
    assert code == 1 and "direction says up is good" in out
    code, out = podium("benefit", "add", "CLOUD", "Racks", *args, "--direction", "sideways")
    assert code == 1 and "--direction must be one of" in out
    code, out = podium("benefit", "add", "CLOUD", "Racks", *args, "--project", "NOPE")
    assert code == 1 and "no project NOPE in CLOUD" in out
    code, out = podium("benefit", "add", "CLOUD", "Racks", *args, "--as", "sam@podium.local")
    assert code == 1 and "manager or above" in out
