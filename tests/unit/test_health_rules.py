"""Each health rule: triggered, cleared, tuned and disabled (Mon-Fri calendar, 2027)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from podium.engine import WorkCalendar
from podium.engine.health import (
    AlertFacts,
    HealthInput,
    HealthReport,
    MilestoneFacts,
    OverAllocation,
    ProgramFacts,
    ProjectFacts,
    Ref,
    RiskFacts,
    RuleSet,
    TaskFacts,
    assess_health,
)

from .engine_factories import day

TARGET = day("2027-03-01")  # a Monday


def task(key: str, project: str = "PLAT", **facts: Any) -> TaskFacts:
    return TaskFacts(Ref("task", key, key), project, **facts)


def milestone(key: str, project: str | None = None, **facts: Any) -> MilestoneFacts:
    return MilestoneFacts(Ref("milestone", key, key), project, **facts)


def project(key: str, **facts: Any) -> ProjectFacts:
    return ProjectFacts(Ref("project", key, key), **facts)


def assess(
    *,
    rules: dict[str, Any] | None = None,
    program: ProgramFacts | None = None,
    projects: tuple[ProjectFacts, ...] = (),
    **records: Any,
) -> HealthReport:
    facts = HealthInput(
        program or ProgramFacts(Ref("program", 1, "CLOUD")),
        calendar=WorkCalendar("1111100", [day("2027-03-05")]),
        projects=(project("PLAT"), project("TRAIN"), *projects),
        **records,
    )
    return assess_health(facts, RuleSet.from_json(rules))


def messages(report: HealthReport, key: str) -> list[str]:
    found = report.milestones.get(key) or report.projects.get(key)
    health = found if found is not None else report.tasks[key]
    return [r.message for r in health.reasons]


# --- past_target -------------------------------------------------------------


def test_a_milestone_forecast_past_its_target_is_red_with_the_working_days_late() -> None:
    # Tue 2 - Fri 19 March: 14 weekdays, less the holiday on Friday 5 March = 13
    late = milestone("M3", "PLAT", forecast=day("2027-03-19"), target=TARGET)
    report = assess(milestones=[late])
    assert report.milestones["M3"].status == "red"
    assert messages(report, "M3") == [
        "red because milestone M3 is forecast 13 working days past its target "
        "(forecast 2027-03-19, target 2027-03-01)"
    ]
    reason = report.milestones["M3"].reasons[0]
    assert (reason.rule, reason.ref, reason.value, reason.limit) == (
        "past_target",
        Ref("milestone", "M3", "M3"),
        13,
        0,
    )


def test_a_milestone_forecast_on_its_target_is_green() -> None:
    report = assess(milestones=[milestone("M3", forecast=TARGET, target=TARGET)])
    assert report.milestones["M3"].status == "green"
    assert report.milestones["M3"].why == "green: no rule fires"


def test_a_weekend_after_the_target_is_no_working_day_late() -> None:
    friday, sunday = day("2027-02-26"), day("2027-02-28")
    report = assess(milestones=[milestone("M3", forecast=sunday, target=friday)])
    assert report.milestones["M3"].status == "green"


def test_a_reached_milestone_is_not_judged_on_its_schedule_any_more() -> None:
    late = milestone("M3", forecast=day("2027-03-19"), target=TARGET, reached=True)
    assert assess(milestones=[late]).milestones["M3"].status == "green"


def test_a_grace_period_and_an_amber_band_can_be_tuned() -> None:
    late = milestone("M3", forecast=day("2027-03-04"), target=TARGET)  # 3 working days
    rules = {"rules": {"past_target": {"amber_after_days": 0, "red_after_days": 5}}}
    assert assess(milestones=[late], rules=rules).milestones["M3"].status == "amber"
    rules = {"rules": {"past_target": {"red_after_days": 2}}}
    assert assess(milestones=[late], rules=rules).milestones["M3"].status == "red"


def test_a_project_and_the_program_are_red_past_their_own_target() -> None:
    program = ProgramFacts(
        Ref("program", 1, "CLOUD"), finish=day("2027-12-20"), target=day("2027-12-17")
    )
    late = project("DATA", finish=day("2027-06-02"), target=day("2027-06-01"))
    report = assess(program=program, projects=(late,), tasks=[task("DATA-1", "DATA")])
    assert report.projects["DATA"].status == "red"
    assert report.program.reasons[0].message.startswith(
        "red because program CLOUD is forecast 1 working day past its target"
    )


# --- finish_slip ---------------------------------------------------------------


def test_a_task_more_than_five_working_days_behind_its_baseline_is_amber() -> None:
    # (Mon 1, Wed 10 March]: Tue 2 - Thu 4, Mon 8 - Wed 10; Friday 5 is a holiday
    behind = task("PLAT-7", finish=day("2027-03-10"), baseline_finish=day("2027-03-01"))
    on_edge = task("PLAT-8", finish=day("2027-03-09"), baseline_finish=day("2027-03-01"))
    report = assess(tasks=[behind, on_edge])
    assert report.tasks["PLAT-7"].status == "amber"  # 6 working days
    assert report.tasks["PLAT-8"].status == "green"  # 5 working days: not more than 5
    assert messages(report, "PLAT-7") == [
        "amber because task PLAT-7 is forecast 6 working days past its baseline finish "
        "(forecast 2027-03-10, baseline finish 2027-03-01)"
    ]


def test_finish_slip_thresholds_tuned_change_the_colour() -> None:
    behind = task("PLAT-7", finish=day("2027-03-10"), baseline_finish=day("2027-03-01"))
    rules = {"rules": {"finish_slip": {"amber_after_days": 10}}}
    assert assess(tasks=[behind], rules=rules).tasks["PLAT-7"].status == "green"
    rules = {"rules": {"finish_slip": {"amber_after_days": 2, "red_after_days": 4}}}
    assert assess(tasks=[behind], rules=rules).tasks["PLAT-7"].status == "red"


def test_ahead_of_baseline_or_finished_or_unscheduled_is_no_slip() -> None:
    report = assess(
        tasks=[
            task("A", finish=day("2027-02-01"), baseline_finish=TARGET),
            task("B", finish=day("2027-04-01"), baseline_finish=TARGET, finished=True),
            task("C", finish=day("2027-04-01")),  # not in the baseline
        ]
    )
    assert report.tasks.counts() == {"green": 3, "amber": 0, "red": 0}


# --- schedule_performance and cost_performance --------------------------------


@pytest.mark.parametrize(
    ("spi", "status"), [(0.95, "green"), (0.9, "green"), (0.89, "amber"), (0.79, "red")]
)
def test_spi_below_point_nine_is_amber_and_below_point_eight_red(spi: float, status: str) -> None:
    report = assess(projects=(project("DATA", spi=spi),), tasks=[task("DATA-1", "DATA")])
    assert report.projects["DATA"].status == status


def test_an_undefined_spi_fires_nothing() -> None:
    assert assess(tasks=[task("A", spi=None)]).tasks["A"].status == "green"


def test_cpi_below_point_eight_is_red_and_has_no_amber_band_by_default() -> None:
    report = assess(tasks=[task("A", cpi=0.85), task("B", cpi=0.75, finished=True)])
    assert report.tasks["A"].status == "green"
    assert report.tasks["B"].status == "red"  # cost overruns stay, even when finished
    assert messages(report, "B") == ["red because task B has a CPI of 0.75 (below 0.80)"]
    rules = {"rules": {"cost_performance": {"amber_below": 0.9}}}
    assert assess(tasks=[task("A", cpi=0.85)], rules=rules).tasks["A"].status == "amber"


def test_index_rules_can_be_limited_to_projects_and_the_program() -> None:
    rules = {"rules": {"schedule_performance": {"levels": ["project", "program"]}}}
    report = assess(tasks=[task("A", spi=0.5)], rules=rules)
    assert report.tasks["A"].status == "green"


# --- conflict_alerts --------------------------------------------------------


def alert(severity: str, **facts: Any) -> AlertFacts:
    return AlertFacts(Ref("alert", 17, "17"), severity, **facts)  # type: ignore[arg-type]


def test_an_open_cross_project_alert_makes_its_subject_and_projects_amber() -> None:
    pushed = alert(
        "high",
        subject="TRAIN-1",
        projects=("PLAT", "TRAIN"),
        cross_project=True,
        title="Training start pushed 4 working days by Pilot",
    )
    report = assess(tasks=[task("TRAIN-1", "TRAIN")], alerts=[pushed])
    assert report.tasks["TRAIN-1"].status == "amber"
    assert report.projects["PLAT"].status == "amber"
    assert messages(report, "TRAIN-1") == [
        "amber because cross-project alert 17 is open (high): "
        "Training start pushed 4 working days by Pilot"
    ]
    assert report.projects["PLAT"].reasons[0].ref == Ref("alert", 17, "17")


def test_a_critical_alert_is_red_and_a_closed_or_single_project_alert_is_ignored() -> None:
    subject = [task("TRAIN-1", "TRAIN")]
    critical = alert("critical", subject="TRAIN-1", cross_project=True)
    assert assess(tasks=subject, alerts=[critical]).tasks["TRAIN-1"].status == "red"
    closed = replace(critical, open=False)
    assert assess(tasks=subject, alerts=[closed]).tasks["TRAIN-1"].status == "green"
    local = replace(critical, cross_project=False)
    assert assess(tasks=subject, alerts=[local]).tasks["TRAIN-1"].status == "green"
    rules = {"rules": {"conflict_alerts": {"cross_project_only": False}}}
    assert assess(tasks=subject, alerts=[local], rules=rules).tasks["TRAIN-1"].status == "red"


def test_alert_severity_thresholds_can_be_tuned() -> None:
    low = alert("low", subject="A", cross_project=True)
    rules = {"rules": {"conflict_alerts": {"amber_from_severity": "medium"}}}
    assert assess(tasks=[task("A")], alerts=[low], rules=rules).tasks["A"].status == "green"
    rules = {"rules": {"conflict_alerts": {"red_from_severity": "low"}}}
    assert assess(tasks=[task("A")], alerts=[low], rules=rules).tasks["A"].status == "red"


# --- high_risks ---------------------------------------------------------------


def risk(probability: int, impact: int, **facts: Any) -> RiskFacts:
    return RiskFacts(Ref("risk", 4, "R4"), probability, impact, title="Vendor API late", **facts)


@pytest.mark.parametrize(("p", "i", "status"), [(3, 4, "green"), (3, 5, "amber"), (4, 5, "red")])
def test_open_risks_scoring_fifteen_are_amber_and_twenty_red(p: int, i: int, status: str) -> None:
    report = assess(tasks=[task("A")], risks=[risk(p, i, tasks=("A",))])
    assert report.tasks["A"].status == status


def test_a_risk_names_its_score_and_links_to_the_risk() -> None:
    report = assess(risks=[risk(4, 4, projects=("TRAIN",))])
    assert messages(report, "TRAIN") == [
        'amber because risk R4 "Vendor API late" scores 16 (4 × 4), at or above 15'
    ]
    assert report.projects["TRAIN"].reasons[0].ref.kind == "risk"


def test_a_closed_risk_clears_and_a_program_risk_flags_the_program() -> None:
    plan = [task("PLAT-1"), task("TRAIN-1", "TRAIN")]
    closed = risk(5, 5, projects=("PLAT",), open=False)
    assert assess(tasks=plan, risks=[closed]).program.status == "green"
    report = assess(tasks=plan, risks=[risk(5, 5)])  # linked to nothing: a program risk
    assert report.program.status == "red"
    assert all(p.status == "green" for p in report.projects.values())


def test_a_risk_on_a_task_goes_to_its_project_when_tasks_are_not_judged() -> None:
    rules = {"rules": {"high_risks": {"levels": ["project", "program"]}}}
    report = assess(tasks=[task("A", "TRAIN")], risks=[risk(5, 5, tasks=("A",))], rules=rules)
    assert report.tasks["A"].status == "green"
    assert report.projects["TRAIN"].status == "red"


# --- over_allocation -----------------------------------------------------------


def over(load: float, **facts: Any) -> OverAllocation:
    return OverAllocation(
        Ref("resource", 3, "ana"), load, day("2027-03-01"), day("2027-03-05"), **facts
    )


def test_a_resource_booked_above_capacity_makes_its_tasks_amber() -> None:
    report = assess(tasks=[task("A"), task("B")], overallocations=[over(1.5, tasks=("A",))])
    assert report.tasks["A"].status == "amber" and report.tasks["B"].status == "green"
    assert messages(report, "A") == [
        "amber because resource ana is booked at 150 % of capacity from 2027-03-01 to "
        "2027-03-05 (above 100 %)"
    ]


def test_full_capacity_is_not_over_allocation_and_a_tolerance_can_be_tuned() -> None:
    assert (
        assess(tasks=[task("A")], overallocations=[over(1.0, tasks=("A",))]).tasks["A"].status
        == "green"
    )
    rules = {"rules": {"over_allocation": {"amber_above_load": 1.2, "red_above_load": 1.4}}}
    report = assess(tasks=[task("A")], overallocations=[over(1.5, tasks=("A",))], rules=rules)
    assert report.tasks["A"].status == "red"


# --- negative_float (off by default) and disabled rules -------------------------


def test_negative_float_fires_only_once_enabled() -> None:
    squeezed = task("A", total_float=-3)
    assert assess(tasks=[squeezed]).tasks["A"].status == "green"
    report = assess(tasks=[squeezed], rules={"rules": {"negative_float": {"enabled": True}}})
    assert messages(report, "A") == [
        "amber because task A has -3 working days of total float (below 0)"
    ]


@pytest.mark.parametrize(
    ("rule", "records"),
    [
        ("past_target", {"milestones": [milestone("M", forecast=date(2027, 4, 1), target=TARGET)]}),
        ("finish_slip", {"tasks": [task("A", finish=date(2027, 4, 1), baseline_finish=TARGET)]}),
        ("schedule_performance", {"tasks": [task("A", spi=0.5)]}),
        ("cost_performance", {"tasks": [task("A", cpi=0.5)]}),
        (
            "conflict_alerts",
            {"alerts": [alert("critical", projects=("PLAT",), cross_project=True)]},
        ),
        ("high_risks", {"risks": [risk(5, 5)]}),
        ("over_allocation", {"overallocations": [over(2.0)]}),
    ],
)
def test_a_disabled_rule_does_not_fire(rule: str, records: dict[str, Any]) -> None:
    records = {"tasks": [task("PLAT-1")], **records}  # a plan to be on
    assert assess(**records).program.status != "green"
    assert assess(**records, rules={"rules": {rule: {"enabled": False}}}).program.status == "green"
