"""Risk scoring, the 5×5 matrix and the escalation rules (defaults from the issue)."""

from __future__ import annotations

import pytest

from podium.engine.risks import (
    EscalationRules,
    InvalidEscalationRules,
    evaluate_escalation,
    risk_matrix,
    risk_score,
    score_band,
)


@pytest.mark.parametrize(("p", "i", "score"), [(1, 1, 1), (3, 4, 12), (5, 3, 15), (5, 5, 25)])
def test_the_score_is_probability_times_impact(p: int, i: int, score: int) -> None:
    assert risk_score(p, i) == score


@pytest.mark.parametrize(("p", "i"), [(0, 3), (6, 1), (3, 0), (2, 9), (True, 2)])
def test_ratings_outside_one_to_five_are_refused(p: int, i: int) -> None:
    with pytest.raises(ValueError, match="from 1 to 5"):
        risk_score(p, i)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (20, "critical"),
        (25, "critical"),
    ],
)
def test_bands_colour_the_matrix(score: int, band: str) -> None:
    assert score_band(score) == band


def verdict(
    level: str = "project",
    score: int = 6,
    projects: tuple[str, ...] = ("PLAT",),
    status: str = "open",
    rules: EscalationRules | None = None,
) -> str:
    return evaluate_escalation(
        rules or EscalationRules(),
        level=level,
        score=score,
        projects=projects,  # type: ignore[arg-type]
        status=status,
    ).escalation


def test_by_default_a_score_of_15_escalates_to_program_level_and_14_does_not() -> None:
    assert verdict(score=14) == "none"
    assert verdict(score=15) == "program"
    assert verdict(level="task", score=16) == "program"


def test_by_default_a_risk_touching_two_projects_escalates_whatever_its_score() -> None:
    assert verdict(score=2, projects=("PLAT", "DATA")) == "program"
    assert verdict(score=2, projects=("PLAT", "PLAT")) == "none"  # one project, named twice


def test_a_program_level_risk_scoring_20_goes_to_the_steering_agenda() -> None:
    assert verdict(level="program", score=16) == "none"  # already at program level
    assert verdict(level="program", score=20) == "steering"
    assert verdict(level="project", score=20) == "steering"  # escalated first, then 20 ≥ 20
    assert verdict(level="task", score=12, projects=("A", "B")) == "program"


def test_a_closed_risk_never_escalates_but_an_issue_still_does() -> None:
    assert verdict(score=25, status="closed") == "none"
    assert verdict(score=25, status="realized") == "steering"
    assert verdict(score=16, status="mitigating") == "program"


def test_the_reasons_name_each_rule_that_fired() -> None:
    result = evaluate_escalation(
        EscalationRules(), level="project", score=20, projects=["PLAT", "DATA"], status="open"
    )
    assert result.reasons == (
        "score 20 is at or above 15",
        "linked to 2 projects (DATA, PLAT)",
        "a program-level risk scoring 20 (at or above 20)",
    )
    assert result.level == "program"


def test_rules_can_be_tuned_and_switched_off() -> None:
    strict = EscalationRules(program_score=10, cross_project=False, steering_score=None)
    assert verdict(score=10, rules=strict) == "program"
    assert verdict(score=25, rules=strict) == "program"  # no steering rule
    assert verdict(score=2, projects=("A", "B"), rules=strict) == "none"


def test_rules_read_from_json_over_the_defaults() -> None:
    assert EscalationRules.from_json(None) == EscalationRules()
    assert EscalationRules.from_json({"program_score": 12}) == EscalationRules(12, True, 20)
    assert EscalationRules.from_json({"steering_score": None}).steering_score is None
    assert EscalationRules().to_json() == {
        "program_score": 15,
        "cross_project": True,
        "steering_score": 20,
    }


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"program_score": 0}, "program_score: expected a whole score from 1 to 25"),
        ({"steering_score": 26}, "steering_score: expected a whole score from 1 to 25"),
        ({"program_score": 12.5}, "program_score"),
        ({"cross_project": "yes"}, "cross_project: expected true or false"),
        ({"colour": "red"}, "unknown rule 'colour'"),
    ],
)
def test_invalid_rules_are_refused_naming_the_problem(config: dict, problem: str) -> None:
    with pytest.raises(InvalidEscalationRules) as refused:
        EscalationRules.from_json(config)
    assert any(problem in p for p in refused.value.problems)


def test_the_matrix_counts_risks_per_cell_with_probability_five_on_top() -> None:
    grid = risk_matrix([(5, 4), (5, 4), (1, 1), (3, 5)])
    assert [row[0].probability for row in grid] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in grid[0]] == [1, 2, 3, 4, 5]
    assert grid[0][3].count == 2 and grid[0][3].score == 20 and grid[0][3].band == "critical"
    assert grid[2][4].count == 1 and grid[2][4].band == "high"
    assert grid[4][0].count == 1 and grid[4][0].band == "low"
    assert sum(c.count for row in grid for c in row) == 4
