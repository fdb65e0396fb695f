"""`podium health-rules`: a program's health rules listed and tuned (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.engine.health.rules import RuleSet
from tests.factories import make_program
from tests.integration.test_cli_programs import flat, podium, stored, table_rows


def test_the_rules_are_listed_with_their_defaults(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    code, out = podium("health-rules", "CLOUD")
    assert code == 0, out
    rows = table_rows(out)
    assert rows["past_target"] == [
        "yes", "milestone, project, program", "amber_after_days never; red_after_days 0"
    ]  # fmt: skip
    assert rows["negative_float"][0] == "no"
    assert len(rows) == 9


def test_set_enable_and_levels_are_saved_and_printed_old_to_new(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    code, out = podium(
        "health-rules", "CLOUD", "--set", "past_target.red_after_days=5",
        "--set", "past_target.amber_after_days=0", "--enable", "negative_float",
        "--levels", "high_risks=project,program", "--set", "conflict_alerts.cross_project_only=no",
    )  # fmt: skip
    assert code == 0, out
    text = flat(out)
    for line in (
        "past_target.amber_after_days never → 0",
        "past_target.red_after_days 0 → 5",
        "high_risks.levels task, milestone, project, program → project, program",
        "negative_float.enabled no → yes",
        "conflict_alerts.cross_project_only yes → no",
    ):
        assert line in text
    program = stored(engine, "CLOUD")
    assert program is not None
    rules = RuleSet.from_json(program.health_rules)
    assert rules["past_target"].params == {"amber_after_days": 0, "red_after_days": 5}
    assert rules["negative_float"].enabled and rules["high_risks"].levels == {"project", "program"}
    code, out = podium("health-rules", "CLOUD", "--defaults")
    assert code == 0 and "past_target.red_after_days 5 → 0" in flat(out)
    program = stored(engine, "CLOUD")
    assert program is not None and RuleSet.from_json(program.health_rules) == RuleSet()


def test_bad_changes_are_refused_with_every_problem_and_nothing_saved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    before = stored(engine, "CLOUD")
    assert before is not None
    for args, message in (
        (("--set", "high_risks.amber_from_score=abc"),
         "rules.high_risks.amber_from_score: expected a whole score from 1 to 25"),
        (("--set", "nope.x=1"), "--set: no rule 'nope'"),
        (("--set", "past_target.x=1"), "--set: rule past_target has no 'x'"),
        (("--set", "past_target"), "--set takes RULE.PARAM=VALUE"),
        (("--levels", "past_target=task"), "'task' not a level this rule judges"),
        (("--defaults", "--enable", "negative_float"), "give --defaults alone"),
    ):  # fmt: skip
        code, out = podium("health-rules", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), (args, out)
    after = stored(engine, "CLOUD")
    assert after is not None and after.version == before.version
    code, out = podium("health-rules", "NOPE")
    assert code == 1 and "no program with key or id 'NOPE'" in out
