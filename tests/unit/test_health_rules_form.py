"""The health rules page's form: its roll-up switches and how it words the rule checks."""

from __future__ import annotations

from dataclasses import fields

from podium.engine.health.rules import RollUp, RuleSet
from podium.web.health_rules import ROLLUP_LABELS, _problem, _values


def test_every_roll_up_switch_has_a_label() -> None:
    assert set(ROLLUP_LABELS) == {f.name for f in fields(RollUp)}


def test_the_rule_checks_are_worded_as_the_form_names_its_fields() -> None:
    assert _problem(
        "rules.past_target.amber_after_days: expected a whole number of working days >= 0, "
        "or null, got 'zero'"
    ) == (
        "Past target, amber after days: expected a whole number of working days >= 0 "
        "(blank: never), not 'zero'"
    )
    assert _problem("rules.high_risks.levels: expected a non-empty list of task") == (
        "High risks, levels: expected a non-empty list of task"
    )
    assert _problem("rollup: must be an object") == "Roll-up: must be an object"


def test_the_defaults_fill_the_form_blank_where_a_colour_is_never_given() -> None:
    values = _values(RuleSet())
    assert values["past_target.amber_after_days"] == ""  # never amber
    assert values["past_target.red_after_days"] == "0"
    assert values["schedule_performance.amber_below"] == "0.9"
    assert values["negative_float.enabled"] == "" and values["past_target.enabled"] == "1"
    assert values["conflict_alerts.level.program"] == "1"
