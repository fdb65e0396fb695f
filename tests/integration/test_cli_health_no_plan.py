"""``podium health`` on a program with nothing scheduled says there is no plan yet, in
grey words and with what to do, and records that — not green — for the trend."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import HealthSnapshot
from tests.integration.test_cli import podium


def test_health_of_an_empty_program_is_no_plan_yet_and_is_recorded_so(
    cli_env: None, engine: Engine
) -> None:
    code, out = podium("program", "create", "OPS", "--name", "Operations", "--start", "2027-02-01")
    assert code == 0, out
    code, out = podium("project", "add", "OPS", "DATA", "--name", "Data transfer")
    assert code == 0, out
    code, out = podium("health", "OPS", "--record")
    assert code == 0, out
    assert "OPS is NO PLAN YET" in out and "GREEN" not in out
    assert "Nothing is scheduled yet" in out and "podium task add" in out
    assert "no tasks or dated milestones to judge yet" in out  # the project's row
    with Session(engine) as session:
        (snapshot,) = session.scalars(select(HealthSnapshot)).all()
        assert snapshot.status == "no_plan" and snapshot.projects == {"DATA": "no_plan"}
