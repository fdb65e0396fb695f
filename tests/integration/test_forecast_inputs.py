"""What a forecast samples: risks shown as risks beside assigned resources, estimates
fitted to the current duration, and a scenario forecast with the live risk register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from podium.models import Program, Project, Risk, Task
from podium.services import dependencies, projects, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.dependencies import EndRef
from podium.services.forecasts import ForecastSettings, run_forecast
from podium.services.resources import assignments, catalog
from podium.services.risks.writing import create_risk
from podium.services.uow import complete
from tests.factories import make_program


@dataclass
class Chain:
    program: Program
    project: Project
    design: Task  # 10 days
    build: Task  # 25 days after the design, estimated (20, 25, 35)
    test: Task  # 10 days after the build


def _chain(db: Session) -> Chain:
    """Three tasks in a row, each with a resource of its own."""
    program = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    project = projects.create_project(
        db, SYSTEM, program_id=program.id, key="PLAT", name="Platform"
    )
    design = task_service.create_task(db, SYSTEM, project_id=project.id, name="Design", duration=10)
    build = task_service.create_task(
        db,
        SYSTEM,
        project_id=project.id,
        name="Build",
        duration=25,
        estimate_optimistic=20.0,
        estimate_most_likely=25.0,
        estimate_pessimistic=35.0,
    )
    test = task_service.create_task(db, SYSTEM, project_id=project.id, name="Test", duration=10)
    for pred, succ in ((design, build), (build, test)):
        dependencies.create_dependency(
            db, SYSTEM, predecessor=EndRef("task", pred.id), successor=EndRef("task", succ.id)
        )
    for task, key in ((design, "nadia"), (build, "omar"), (test, "pia")):
        resource = catalog.create_resource(db, SYSTEM, key=key, name=key.title())
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=resource.id)
    complete(db)
    return Chain(program, project, design, build, test)


def _vendor_risk(db: Session, chain: Chain) -> Risk:
    risk = create_risk(
        db,
        SYSTEM,
        program_id=chain.program.id,
        title="Vendor hardware late",
        probability=3,
        impact=4,
        level="task",
        task_ids=[chain.build.id],
        schedule_impact_days=15,
    )
    complete(db)
    return risk


def _days(later: str, earlier: str) -> int:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days


def test_a_risk_in_the_tornado_shows_its_own_key_and_title_beside_assigned_resources(
    db: Session,
) -> None:
    chain = _chain(db)
    risk = _vendor_risk(db, chain)
    forecast = run_forecast(
        db, SYSTEM, chain.program.id, ForecastSettings(iterations=1000, seed=11)
    )
    (bar,) = [d for d in forecast.results["tornado"] if d["kind"] == "risk"]
    assert (bar["id"], bar["key"], bar["name"]) == (risk.id, f"R{risk.number}", risk.title)
    assert bar["correlation"] > 0.5  # a 50 % chance of 15 days dominates the estimates
    (stored,) = forecast.inputs["risks"]
    assert (stored["id"], stored["key"], stored["name"]) == (risk.id, "R1", risk.title)
    assert stored["tasks"] == [chain.build.key]
    resource_keys = {"nadia", "omar", "pia"}
    assert not resource_keys & {d["key"] for d in forecast.results["tornado"]}


def test_an_estimate_set_before_a_slip_is_rescaled_to_the_new_duration(db: Session) -> None:
    chain = _chain(db)
    settings = ForecastSettings(iterations=2000, seed=5, default_uncertainty=0)
    before = run_forecast(db, SYSTEM, chain.program.id, settings)
    assert before.inputs["rescaled_estimates"] == {}
    task_service.update_task(db, SYSTEM, chain.build.id, {"duration": 40})
    complete(db)
    after = run_forecast(db, SYSTEM, chain.program.id, settings)
    assert after.inputs["estimates"] == {chain.build.key: [32.0, 40.0, 56.0]}
    assert after.inputs["rescaled_estimates"] == {chain.build.key: [20.0, 25.0, 35.0]}
    p50 = after.results["program"]["p50"]
    assert after.program_p80 is not None and after.program_finish is not None
    assert after.program_p80 >= after.program_finish
    slip = _days(p50, before.results["program"]["p50"])
    assert 19 <= slip <= 23  # 15 working days: three weeks, give or take a day of sampling


def test_estimates_on_a_summary_and_a_milestone_are_named_as_not_used(db: Session) -> None:
    chain = _chain(db)
    three = {"estimate_optimistic": 1.0, "estimate_most_likely": 2.0, "estimate_pessimistic": 3.0}
    # a task estimated, then given a sub-task: its own estimate no longer counts
    phase = task_service.create_task(
        db, SYSTEM, project_id=chain.project.id, name="Phase", duration=4, **three
    )
    task_service.create_task(
        db, SYSTEM, project_id=chain.project.id, name="Sketch", duration=5, parent_id=phase.id
    )
    zero = dict.fromkeys(three, 0.0)
    gate = task_service.create_task(
        db, SYSTEM, project_id=chain.project.id, name="Gate", is_milestone=True, **zero
    )
    complete(db)
    stored = run_forecast(db, SYSTEM, chain.program.id, ForecastSettings(iterations=200, seed=1))
    assert stored.inputs["unused_estimates"] == sorted([phase.key, gate.key])
    assert stored.inputs["estimates"] == {chain.build.key: [20.0, 25.0, 35.0]}
    assert stored.inputs["tasks_with_estimates"] == 1


def test_an_estimate_apart_from_the_duration_on_purpose_is_sampled_as_entered(
    db: Session,
) -> None:
    chain = _chain(db)
    # the plan commits to 25 days; the team now expects 30 most likely
    task_service.update_task(
        db,
        SYSTEM,
        chain.build.id,
        {"estimate_optimistic": 24.0, "estimate_most_likely": 30.0, "estimate_pessimistic": 45.0},
    )
    complete(db)
    assert chain.build.estimate_basis == 25
    settings = ForecastSettings(iterations=500, seed=5, default_uncertainty=0)
    forecast = run_forecast(db, SYSTEM, chain.program.id, settings)
    assert forecast.inputs["estimates"] == {chain.build.key: [24.0, 30.0, 45.0]}
    assert forecast.inputs["rescaled_estimates"] == {}
    # a slip afterwards rescales it from the 25 days it was entered for
    task_service.update_task(db, SYSTEM, chain.build.id, {"duration": 50})
    complete(db)
    assert chain.build.estimate_basis == 25
    forecast = run_forecast(db, SYSTEM, chain.program.id, settings)
    assert forecast.inputs["estimates"] == {chain.build.key: [48.0, 60.0, 90.0]}
    # entering the estimate again takes the current duration as its basis
    task_service.update_task(db, SYSTEM, chain.build.id, {"estimate_pessimistic": 80.0})
    complete(db)
    assert chain.build.estimate_basis == 50


def test_a_scenario_without_edits_forecasts_like_its_live_program_risks_included(
    db: Session,
) -> None:
    chain = _chain(db)
    _vendor_risk(db, chain)
    create_risk(  # linked to the project only: delays its last task
        db,
        SYSTEM,
        program_id=chain.program.id,
        title="Test lab shared",
        probability=4,
        impact=3,
        level="project",
        project_ids=[chain.project.id],
        schedule_impact_days=8,
    )
    complete(db)
    scenario = scenarios.create_scenario(db, SYSTEM, chain.program.id, name="As is")
    complete(db)
    assert scenario.copy_program_id is not None
    settings = ForecastSettings(iterations=1000, seed=3)
    live = run_forecast(db, SYSTEM, chain.program.id, settings)
    copy = run_forecast(db, SYSTEM, scenario.copy_program_id, settings)
    assert copy.program_p80 == live.program_p80
    same = {"finish", "p10", "p50", "p80", "p90", "mean", "histogram"}
    assert {k: copy.results["program"][k] for k in same} == {
        k: live.results["program"][k] for k in same
    }
    assert [(r["key"], r["tasks"]) for r in copy.inputs["risks"]] == [
        (r["key"], r["tasks"]) for r in live.inputs["risks"]
    ]
    assert [r["tasks"] for r in live.inputs["risks"]] == [[chain.build.key], [chain.test.key]]
