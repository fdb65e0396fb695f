"""The demo's newest forecast beside its plan: `podium program show` gives the odds of the
goal date with the P80, and the milestones the plan has on track but the forecast likely
late are the ones the pages qualify (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Program
from podium.services import overview
from podium.services.actor import SYSTEM
from podium.services.forecasts import forecast_glance
from tests.factories import make_program

runner = CliRunner()


def _show(key: str) -> str:
    result = runner.invoke(app, ["program", "show", key])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _cloud(session: Session) -> Program:
    return session.scalars(select(Program).where(Program.key == "CLOUD")).one()


def test_program_show_gives_the_newest_forecasts_p80_and_odds_of_the_goal_date(
    demo: None, engine: Engine
) -> None:
    with Session(engine) as session:
        cloud = _cloud(session)
        glance = forecast_glance(session, cloud.id)
        goal = cloud.goal_target_date
    assert glance is not None and glance.program_probability is not None
    odds = f"{glance.program_probability * 100:.0f} %"
    assert f"forecast P80 {glance.program_p80}, {odds} likely by the goal date ({goal})" in _show(
        "CLOUD"
    )


def test_program_show_says_when_no_forecast_was_run(
    demo: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="FRESH")
    assert "forecast no Monte Carlo forecast yet (`podium forecast FRESH` runs one)" in _show(
        "FRESH"
    )


def test_the_demos_milestones_on_track_with_a_p80_past_target_are_picked_out(
    demo: None, engine: Engine
) -> None:
    with Session(engine) as session:
        view = overview.program_overview(session, SYSTEM, _cloud(session).id)
        glance = view.glance
        assert glance is not None and not glance.plan_changed
        doubtful = view.doubtful_milestones
        assert doubtful, "the demo tells of milestones on track but likely late"
        for m in doubtful:
            p80 = glance.milestone_p80[m.id]
            assert m.state == "on_track" and m.target is not None and p80 > m.target
        others = [m for m in view.milestones if m not in doubtful]
        assert all(glance.p80_past_target(m) is None for m in others)
        # the programs list reads the same forecast
        items, _total = overview.program_list(session, SYSTEM, limit=50, offset=0)
        (item,) = [i for i in items if i.program.key == "CLOUD"]
        assert item.glance == glance


def test_milestone_list_and_show_give_the_p80_of_an_on_track_milestone_past_its_target(
    demo: None, engine: Engine
) -> None:
    with Session(engine) as session:
        view = overview.program_overview(session, SYSTEM, _cloud(session).id)
        assert view.glance is not None
        doubtful = {m.key: view.glance.milestone_p80[m.id] for m in view.doubtful_milestones}
        others = [m.key for m in view.milestones if m.key not in doubtful]
    assert doubtful and others
    listed = runner.invoke(app, ["milestone", "list", "CLOUD"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[1]: line for line in listed.output.splitlines() if "│ M" in line}
    for key, p80 in doubtful.items():
        assert f"on track, P80 {p80} past target" in lines[key]
        shown = runner.invoke(app, ["milestone", "show", "CLOUD", key], env={"COLUMNS": "250"})
        assert f"state     on track, P80 {p80} past target" in shown.output
    for key in others:
        assert "P80" not in lines[key]
