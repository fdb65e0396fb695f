"""A project or program with no scheduled work has no plan to be on: "no_plan", never green."""

from __future__ import annotations

from typing import Any

from podium.engine.health import (
    NO_PLAN,
    HealthInput,
    HealthReport,
    ProgramFacts,
    Ref,
    RuleSet,
    assess_health,
)

from .engine_factories import day
from .test_health_rules import milestone, project, risk, task


def assess(program: ProgramFacts | None = None, **records: Any) -> HealthReport:
    facts = HealthInput(program or ProgramFacts(Ref("program", 1, "CLOUD")), **records)
    return assess_health(facts, RuleSet())


def test_a_program_with_nothing_in_it_has_no_plan_rather_than_green() -> None:
    program = assess().program
    assert program.status == NO_PLAN == "no_plan"
    assert not program.planned and program.reasons == ()
    assert program.why == "no tasks or dated milestones to judge yet"


def test_projects_without_tasks_have_no_plan_and_neither_has_their_program() -> None:
    report = assess(projects=[project("PLAT"), project("TRAIN")])
    assert {k: h.status for k, h in report.projects.items()} == {
        "PLAT": "no_plan",
        "TRAIN": "no_plan",
    }
    assert report.program.status == "no_plan"


def test_an_empty_project_beside_planned_work_does_not_colour_the_program() -> None:
    report = assess(projects=[project("PLAT"), project("TRAIN")], tasks=[task("PLAT-1")])
    assert report.projects["PLAT"].status == "green" and report.projects["PLAT"].planned
    assert report.projects["TRAIN"].status == "no_plan"
    assert report.program.status == "green" and report.program.planned


def test_a_milestone_with_a_date_is_a_plan_and_one_nothing_feeds_is_not() -> None:
    unfed = milestone("M1", target=day("2027-06-01"))  # a target, but no forecast
    assert assess(milestones=[unfed]).program.status == "no_plan"
    dated = milestone("M1", forecast=day("2027-05-03"), target=day("2027-06-01"))
    assert assess(milestones=[dated]).program.status == "green"
    in_project = milestone("PLAT-M", "PLAT", forecast=day("2027-05-03"))
    report = assess(projects=[project("PLAT")], milestones=[in_project])
    assert report.projects["PLAT"].status == "green"


def test_the_rules_on_the_plan_leave_an_unplanned_program_and_project_be() -> None:
    # an empty program's "forecast finish" is its start date, past an early goal date;
    # an empty project's indices are not measurements of anything
    program = ProgramFacts(
        Ref("program", 1, "CLOUD"),
        finish=day("2027-03-01"),
        baseline_finish=day("2027-01-04"),
        target=day("2027-01-04"),
        spi=0.5,
        cpi=0.5,
    )
    report = assess(program, projects=[project("PLAT", spi=0.5, finish=day("2027-03-01"))])
    assert report.program.status == "no_plan" and report.program.reasons == ()
    assert report.projects["PLAT"].status == "no_plan"


def test_a_high_risk_still_colours_a_program_that_has_no_plan_yet() -> None:
    report = assess(projects=[project("PLAT")], risks=[risk(5, 5, projects=("PLAT",))])
    plat = report.projects["PLAT"]
    assert plat.status == "red" and not plat.planned
    assert report.program.status == "red" and not report.program.planned
    assert report.program.reasons[0].rule == "high_risks"
