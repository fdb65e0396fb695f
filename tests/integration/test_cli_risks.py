"""`podium risk …` and `podium benefit …` on a real database, over the demo program."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Benefit, BenefitMeasurement, Risk

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def demo(cli_env: None) -> None:
    code, out = podium("demo")
    assert code == 0, out


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
