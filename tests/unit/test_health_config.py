"""Health rule settings: defaults, tuning from stored JSON, refusal of what is not understood."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import podium.engine.health
from podium.engine.health import RULE_IDS, InvalidRules, RollUp, RuleSet, describe_rules


def refusals(config: Any) -> list[str]:
    with pytest.raises(InvalidRules) as refused:
        RuleSet.from_json(config)
    return refused.value.problems


def test_the_defaults_are_those_of_the_issue() -> None:
    rules = RuleSet.from_json(None)
    assert rules["past_target"].params == {"amber_after_days": None, "red_after_days": 0}
    assert rules["finish_slip"].params == {"amber_after_days": 5, "red_after_days": None}
    assert rules["schedule_performance"].params == {"amber_below": 0.9, "red_below": 0.8}
    assert rules["cost_performance"].params == {"amber_below": None, "red_below": 0.8}
    assert rules["high_risks"].params == {"amber_from_score": 15, "red_from_score": 20}
    assert rules["conflict_alerts"].params["red_from_severity"] == "critical"
    assert rules["over_allocation"].params == {"amber_above_load": 1.0, "red_above_load": None}
    assert not rules["negative_float"].enabled
    assert all(rules[r].enabled for r in RULE_IDS if r != "negative_float")
    assert rules.rollup == RollUp()


def test_settings_survive_a_trip_through_json() -> None:
    tuned = RuleSet.from_json(
        {
            "rules": {
                "finish_slip": {"amber_after_days": 10, "levels": ["project", "program"]},
                "negative_float": {"enabled": True},
            },
            "rollup": {"projects_from_tasks": False},
        }
    )
    stored = json.loads(json.dumps(tuned.to_json()))
    again = RuleSet.from_json(stored)
    assert again.to_json() == tuned.to_json()
    assert again["finish_slip"].levels == frozenset({"project", "program"})
    assert stored["rules"]["finish_slip"] == {
        "enabled": True,
        "levels": ["project", "program"],
        "amber_after_days": 10,
        "red_after_days": None,
    }
    assert again["finish_slip"].params["amber_after_days"] == 10
    assert again["negative_float"].enabled and not again.rollup.projects_from_tasks


def test_a_partial_configuration_keeps_the_other_defaults() -> None:
    rules = RuleSet.from_json({"rules": {"schedule_performance": {"red_below": 0.7}}})
    assert rules["schedule_performance"].params == {"amber_below": 0.9, "red_below": 0.7}
    assert rules["finish_slip"] == RuleSet()["finish_slip"]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"rules": {"slip": {}}}, "rules: unknown rule 'slip' (known: past_target, "),
        (
            {"rules": {"finish_slip": {"amber_days": 3}}},
            "rules.finish_slip: unknown setting 'amber_days' (known: enabled, levels, "
            "amber_after_days, red_after_days)",
        ),
        (
            {"rules": {"finish_slip": {"amber_after_days": "ten"}}},
            "rules.finish_slip.amber_after_days: expected a whole number of working days >= 0, "
            "or null, got 'ten'",
        ),
        (
            {"rules": {"finish_slip": {"amber_after_days": True}}},
            "rules.finish_slip.amber_after_days: expected a whole number of working days >= 0, "
            "or null, got True",
        ),
        (
            {"rules": {"finish_slip": {"amber_after_days": -1}}},
            "rules.finish_slip.amber_after_days: expected a whole number of working days >= 0, "
            "or null, got -1",
        ),
        (
            {"rules": {"high_risks": {"red_from_score": 30}}},
            "rules.high_risks.red_from_score: expected a whole score from 1 to 25, or null, got 30",
        ),
        (
            {"rules": {"schedule_performance": {"amber_below": 0}}},
            "rules.schedule_performance.amber_below: expected a number above 0 (at most 10), "
            "or null, got 0",
        ),
        (
            {"rules": {"conflict_alerts": {"red_from_severity": "severe"}}},
            "rules.conflict_alerts.red_from_severity: expected one of low, medium, high, "
            "critical, or null, got 'severe'",
        ),
        (
            {"rules": {"conflict_alerts": {"cross_project_only": None}}},
            "rules.conflict_alerts.cross_project_only: expected true or false, got None",
        ),
        (
            {"rules": {"schedule_performance": {"red_below": 0.95}}},
            "rules.schedule_performance: red_below (0.95) must not be above amber_below (0.9): "
            "red is the worse colour",
        ),
        (
            {"rules": {"finish_slip": {"red_after_days": 3}}},
            "rules.finish_slip: red_after_days (3) must not be below amber_after_days (5): "
            "red is the worse colour",
        ),
        (
            {
                "rules": {
                    "conflict_alerts": {
                        "amber_from_severity": "high",
                        "red_from_severity": "medium",
                    }
                }
            },
            "rules.conflict_alerts: red_from_severity (medium) must not be below "
            "amber_from_severity (high): red is the worse colour",
        ),
        (
            {"rules": {"cost_performance": {"red_below": None}}},
            "rules.cost_performance: set amber_below or red_below, or disable the rule",
        ),
        (
            {"rules": {"finish_slip": {"enabled": "yes"}}},
            "rules.finish_slip.enabled: expected true or false, got 'yes'",
        ),
        (
            {"rules": {"finish_slip": {"levels": []}}},
            "rules.finish_slip.levels: expected a non-empty list of task, milestone, project, "
            "program",
        ),
        (
            {"rules": {"past_target": {"levels": ["task", "portfolio"]}}},
            "rules.past_target.levels: 'task', 'portfolio' not a level this rule judges "
            "(milestone, project, program)",
        ),
        ({"rules": {"finish_slip": 5}}, "rules.finish_slip: must be an object"),
        ({"rules": []}, "rules: must be an object keyed by rule id"),
        (
            {"rollup": {"tasks": True}},
            "rollup: unknown setting 'tasks' (known: "
            "summaries_from_subtasks, projects_from_tasks, "
            "projects_from_milestones, program_from_milestones)",
        ),
        (
            {"rollup": {"projects_from_tasks": 1}},
            "rollup.projects_from_tasks: expected true or false, got 1",
        ),
        ({"thresholds": {}}, "unknown section 'thresholds' (expected 'rules' and 'rollup')"),
    ],
)
def test_an_invalid_configuration_is_refused_with_a_clear_reason(config: Any, problem: str) -> None:
    problems = refusals(config)
    assert any(p.startswith(problem) for p in problems), problems


def test_every_problem_is_named_at_once() -> None:
    problems = refusals(
        {"rules": {"finish_slip": {"amber_after_days": -1, "colour": "red"}, "nope": {}}}
    )
    assert len(problems) == 3


def test_a_disabled_rule_may_have_no_thresholds() -> None:
    rules = RuleSet.from_json(
        {"rules": {"cost_performance": {"enabled": False, "red_below": None}}}
    )
    assert not rules["cost_performance"].enabled


def test_the_catalogue_describes_every_rule_for_an_admin_page() -> None:
    catalogue = describe_rules()
    assert [r["id"] for r in catalogue] == list(RULE_IDS)
    slip = catalogue[1]
    assert slip["levels"] == ["task", "milestone", "project", "program"]
    assert slip["params"][0] == {
        "name": "amber_after_days",
        "kind": "days",
        "default": 5,
        "description": "amber when more than this many working days after the baseline "
        "(null: never amber)",
    }
    json.dumps(catalogue)


def test_the_health_package_imports_only_the_standard_library_numpy_and_the_engine() -> None:
    package = Path(podium.engine.health.__file__).parent
    offenders = {}
    for path in sorted(package.glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        bad = {
            n
            for n in names
            if n.split(".")[0] not in sys.stdlib_module_names
            and n.split(".")[0] != "numpy"
            and not n.startswith("podium.engine")
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
