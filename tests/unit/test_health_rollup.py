"""Health roll-up: summaries, projects and the program take the worst below them and carry
the reasons up, deduplicated; inconsistent facts are refused."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from podium.engine import WorkCalendar
from podium.engine.health import (
    HealthInput,
    HealthReport,
    InvalidHealthInput,
    ProgramFacts,
    Ref,
    RuleSet,
    assess_health,
)
from podium.engine.health.assess import slip_array

from .engine_factories import day
from .test_health_rules import milestone, project, risk, task

PROGRAM = ProgramFacts(Ref("program", 1, "CLOUD"))
# ten working days late
LATE: dict[str, Any] = {"finish": day("2027-03-15"), "baseline_finish": day("2027-03-01")}


def assess(rollup: dict[str, bool] | None = None, **records: Any) -> HealthReport:
    records.setdefault("projects", [project("PLAT"), project("TRAIN")])
    return assess_health(
        HealthInput(PROGRAM, **records), RuleSet.from_json({"rollup": rollup or {}})
    )


def test_a_project_is_the_worst_of_its_own_rules_and_its_tasks() -> None:
    report = assess(
        tasks=[task("PLAT-1", **LATE), task("PLAT-2", cpi=0.5), task("TRAIN-1", "TRAIN")],
        projects=[project("PLAT", spi=0.85), project("TRAIN")],
    )
    plat = report.projects["PLAT"]
    assert plat.status == "red"
    assert [r.message for r in plat.reasons] == [
        "red because task PLAT-2 has a CPI of 0.50 (below 0.80)",  # worst first
        "amber because task PLAT-1 is forecast 10 working days past its baseline finish "
        "(forecast 2027-03-15, baseline finish 2027-03-01)",
        "amber because project PLAT has an SPI of 0.85 (below 0.90)",
    ]
    assert report.projects["TRAIN"].status == "green"


def test_the_program_is_the_worst_of_its_projects_and_carries_their_reasons() -> None:
    report = assess(
        tasks=[task("PLAT-1", **LATE), task("TRAIN-1", "TRAIN")],
        projects=[project("PLAT"), project("TRAIN", cpi=0.7)],
    )
    assert report.program.status == "red"
    assert [r.rule for r in report.program.reasons] == ["cost_performance", "finish_slip"]
    assert report.program.why == "red because project TRAIN has a CPI of 0.70 (below 0.80)"


def test_one_risk_on_tasks_of_two_projects_is_one_reason_of_the_program() -> None:
    shared = risk(4, 4, tasks=("PLAT-1", "TRAIN-1"))
    report = assess(tasks=[task("PLAT-1"), task("TRAIN-1", "TRAIN")], risks=[shared])
    assert report.projects["PLAT"].status == report.projects["TRAIN"].status == "amber"
    assert len(report.program.reasons) == 1
    assert report.program.reasons[0].ref == Ref("risk", 4, "R4")


def test_a_summary_task_is_the_worst_of_its_subtasks_at_every_depth() -> None:
    tasks = [
        task("WP"),
        task("WP.1", parent="WP"),
        task("WP.1.1", parent="WP.1", cpi=0.6),
        task("WP.2", parent="WP", **LATE),
        task("OTHER"),
    ]
    report = assess(tasks=tasks)
    assert report.tasks["WP.1"].status == "red"
    assert report.tasks["WP"].status == "red"
    assert [r.ref.key for r in report.tasks["WP"].reasons] == ["WP.1.1", "WP.2"]
    assert report.tasks["OTHER"].status == "green"
    assert [r.ref.key for r in report.projects["PLAT"].reasons] == ["WP.1.1", "WP.2"]


def test_summaries_can_be_left_to_their_own_rules() -> None:
    tasks = [task("WP"), task("WP.1", parent="WP", cpi=0.6)]
    report = assess(tasks=tasks, rollup={"summaries_from_subtasks": False})
    assert report.tasks["WP"].status == "green"
    assert report.projects["PLAT"].status == "red"  # tasks still roll into the project


def test_projects_can_be_judged_without_their_tasks_and_milestones() -> None:
    records: dict[str, Any] = {
        "tasks": [task("PLAT-1", cpi=0.5)],
        "milestones": [
            milestone("M1", "TRAIN", forecast=day("2027-03-02"), target=day("2027-03-01"))
        ],
    }
    report = assess(**records)
    assert report.projects["PLAT"].status == report.projects["TRAIN"].status == "red"
    report = assess(
        **records, rollup={"projects_from_tasks": False, "projects_from_milestones": False}
    )
    assert report.projects["PLAT"].status == report.projects["TRAIN"].status == "green"
    assert report.program.status == "green"
    assert report.tasks["PLAT-1"].status == report.milestones["M1"].status == "red"


def test_a_program_milestone_rolls_into_the_program_not_into_a_project() -> None:
    late = milestone("M3", None, forecast=day("2027-03-02"), target=day("2027-03-01"))
    report = assess(milestones=[late])
    assert report.program.status == "red"
    # the projects carry nothing of it (and, with no work of their own, have no plan)
    assert all(p.status == "no_plan" and not p.reasons for p in report.projects.values())
    assert (
        assess(milestones=[late], rollup={"program_from_milestones": False}).program.status
        == "green"
    )


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        ({"tasks": [task("A", "NOPE")]}, "task A: unknown project 'NOPE'"),
        ({"tasks": [task("A", parent="Z")]}, "task A: unknown summary task 'Z'"),
        ({"tasks": [task("A"), task("A")]}, "key 'A' is used twice"),
        ({"tasks": [task("A")], "milestones": [milestone("A")]}, "key 'A' is used twice"),
        ({"milestones": [milestone("M", "NOPE")]}, "milestone M: unknown project 'NOPE'"),
        ({"risks": [risk(3, 3, tasks=("Z",))]}, "risk R4: unknown task or milestone 'Z'"),
        ({"risks": [risk(3, 3, projects=("Z",))]}, "risk R4: unknown project 'Z'"),
        ({"risks": [risk(6, 3)]}, "risk R4: probability and impact must be 1-5"),
        (
            {"tasks": [task("A", parent="B"), task("B", parent="A")]},
            "the summary tasks form a cycle (tasks in or under it: A, B)",
        ),
    ],
)
def test_facts_that_do_not_hang_together_are_refused(records: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidHealthInput) as refused:
        assess(**records)
    assert problem in refused.value.problems


def test_slips_counted_in_bulk_agree_with_the_calendar_one_by_one() -> None:
    calendar = WorkCalendar("1111100", [day("2027-03-05"), day("2027-04-02")])
    rng = random.Random(3)
    limits = [day("2027-03-01") + timedelta(rng.randrange(60)) for _ in range(300)]
    days = [day("2027-03-01") + timedelta(rng.randrange(60)) for _ in range(300)]
    bulk = slip_array(
        calendar, np.array(limits, dtype="datetime64[D]"), np.array(days, dtype="datetime64[D]")
    )
    assert bulk.tolist() == [calendar.slip(a, b) for a, b in zip(limits, days, strict=True)]


def test_a_value_just_below_its_limit_is_shown_apart_from_it() -> None:
    from podium.engine.health.assess import _apart

    assert _apart(0.5, 0.8) == "0.50 (below 0.80)"
    assert _apart(0.8461538, 0.8462) == "0.84615 (below 0.84620)"  # not "0.85 (below 0.85)"
    assert _apart(0.849, 0.85) == "0.849 (below 0.850)"
