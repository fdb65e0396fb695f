"""`podium baseline rename|current|delete`, `podium scenario rename|delete` and
`podium benefit set|delete|measurement-delete` on a real database (SQLite and
PostgreSQL).

CLOUD holds two tasks and a milestone, so a baseline of it holds three items.
"""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.baselines import BaselineUpdate
from podium.api.benefits import BenefitUpdate, MeasurementCreate
from podium.api.scenarios import ScenarioUpdate
from podium.cli import benefits as benefit_cli
from podium.cli import performance as performance_cli
from podium.cli import scenarios as scenario_cli
from podium.models import (
    Baseline,
    BaselineItem,
    Benefit,
    BenefitMeasurement,
    Program,
    Role,
    Scenario,
)
from podium.services import baselines, benefits, scenarios
from podium.services.actor import SYSTEM
from podium.services.scheduling import reschedule_program
from tests.factories import (
    add_member,
    make_milestone,
    make_program,
    make_project,
    make_task,
    make_user,
)
from tests.integration.test_cli_programs import facts, flat, podium


def _plan(db: Session) -> Program:
    """CLOUD with two baselines ("Plan of record" current, "Re-plan"), scenarios S1 and S2
    both named "Pilot late" and S3 discarded, and two benefits ("Support tickets" the
    goal's, with two readings; "Hosting cost"). mo manages CLOUD, me is a member, vi a
    viewer."""
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    for email, role in (("mo", Role.MANAGER), ("me", Role.MEMBER), ("vi", Role.VIEWER)):
        add_member(db, cloud, make_user(db, email=f"{email}@example.com"), role)
    data, ops = make_project(db, cloud, "DATA"), make_project(db, cloud, "OPS")
    make_task(db, data, "DATA-1", wbs="1")
    make_task(db, ops, "OPS-1", wbs="1")
    make_milestone(db, cloud, "M1")
    reschedule_program(db, cloud.id)
    baselines.take_baseline(db, SYSTEM, cloud.id, name="Plan of record")
    baselines.take_baseline(db, SYSTEM, cloud.id, name="Re-plan", make_current=False)
    for name in ("Pilot late", "Pilot late", "Cut scope"):
        made = scenarios.create_scenario(db, SYSTEM, cloud.id, name=name)
    scenarios.discard_scenario(db, SYSTEM, made.id)
    tickets = benefits.create_benefit(
        db, SYSTEM, program_id=cloud.id, name="Support tickets", baseline_value=1200,
        target_value=840, target_date=date(2027, 12, 31), direction="down", unit="tickets",
        is_goal=True, project_ids=[data.id],
    )  # fmt: skip
    for day, value in ((date(2027, 2, 1), 1150.0), (date(2027, 3, 1), 1100.0)):
        benefits.add_measurement(
            db, SYSTEM, tickets.id, measured_on=day, value=value, source="Service desk"
        )
    benefits.create_benefit(
        db, SYSTEM, program_id=cloud.id, name="Hosting cost", baseline_value=310,
        target_value=220, target_date=date(2027, 12, 31), direction="down", unit="k€",
    )  # fmt: skip
    db.commit()
    return cloud


def baselines_of(engine: Engine) -> dict[str, bool]:
    """Each baseline's name and whether it is the current one."""
    with Session(engine) as session:
        return {
            name: current
            for name, current in session.execute(select(Baseline.name, Baseline.is_current))
        }


def scenarios_of(engine: Engine) -> dict[int, tuple[str, str, str | None]]:
    """Each scenario by number: name, status, and its copy's name (if it has one)."""
    with Session(engine) as session:
        rows = session.execute(
            select(Scenario.number, Scenario.name, Scenario.status, Program.name)
            .outerjoin(Program, Program.id == Scenario.copy_program_id)
            .order_by(Scenario.number)
        )
        return {n: (name, status.value, copy) for n, name, status, copy in rows}


def benefit(engine: Engine, name: str) -> Benefit | None:
    with Session(engine) as session:
        found = session.scalar(select(Benefit).where(Benefit.name == name))
        if found is not None:
            _ = [p.key for p in found.projects], list(found.measurements)  # loaded
        return found


def measurements(engine: Engine) -> list[tuple[date, float]]:
    with Session(engine) as session:
        rows = session.execute(
            select(BenefitMeasurement.measured_on, BenefitMeasurement.value).order_by(
                BenefitMeasurement.measured_on
            )
        )
        return [(day, value) for day, value in rows]


def takes_at_most(model: type[BaseModel], field: str, limit: int, **base: object) -> bool:
    """Whether the API's body takes ``limit`` characters in ``field``, and no more."""

    def takes(n: int) -> bool:
        try:
            model.model_validate({**base, field: "x" * n})
        except ValidationError:
            return False
        return True

    return takes(limit) and not takes(limit + 1)


def test_the_limits_are_the_apis() -> None:
    assert takes_at_most(BaselineUpdate, "name", performance_cli.NAME_LENGTH)
    for option, field in (("NEW", "name"), ("--description", "description")):
        assert takes_at_most(ScenarioUpdate, field, scenario_cli.TEXT_LENGTHS[option])
    lengths = benefit_cli.TEXT_LENGTHS
    for option in ("--name", "--unit", "--description"):
        assert takes_at_most(BenefitUpdate, option.removeprefix("--"), lengths[option])
    reading = {"measured_on": "2027-01-04", "value": 1}
    for option in ("--source", "--note"):
        field = option.removeprefix("--")
        assert takes_at_most(MeasurementCreate, field, lengths[option], **reading)
    top = benefit_cli.MAX_VALUE
    BenefitUpdate(target_value=top)
    with pytest.raises(ValidationError, match="less than or equal"):
        BenefitUpdate(target_value=top * 1.01)


# --- baselines ---------------------------------------------------------------------------


def test_a_baseline_is_renamed_and_a_taken_name_or_a_blank_one_is_refused(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "baseline", "rename", "CLOUD", "Plan of record", "Plan of record v1",
        "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Renamed baseline 'Plan of record' of CLOUD to 'Plan of record v1'." in out
    assert baselines_of(engine) == {"Plan of record v1": True, "Re-plan": False}
    re_plan = db.scalar(select(Baseline.id).where(Baseline.name == "Re-plan"))
    code, out = podium("baseline", "rename", "CLOUD", str(re_plan), "  Re-plan  ")
    assert code == 0 and "Nothing changed: the baseline is already named 'Re-plan'." in out
    for args, message in (
        (("Re-plan", "Plan of record v1"),
         "this program already has a baseline named 'Plan of record v1'"),
        (("Re-plan", " "), "NEW must not be blank"),
        (("Re-plan", "n" * 201), "NEW is at most 200 characters, not 201"),
        (("Nope", "x"), "no baseline 'Nope' in CLOUD (there are: "),
        (("Re-plan", "x", "--as", "vi@example.com"),
         "your role in CLOUD is viewer; manager or above is needed"),
    ):  # fmt: skip
        code, out = podium("baseline", "rename", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert baselines_of(engine) == {"Plan of record v1": True, "Re-plan": False}


def test_another_baseline_is_made_current(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    code, out = podium("baseline", "current", "CLOUD", "Re-plan", "--as", "me@example.com")
    assert code == 1 and "your role in CLOUD is member" in flat(out)
    assert baselines_of(engine) == {"Plan of record": True, "Re-plan": False}
    code, out = podium("baseline", "current", "CLOUD", "Re-plan", "--as", "mo@example.com")
    assert code == 0, out
    assert (
        "Baseline 'Re-plan' is now the current one of CLOUD (was 'Plan of record'): variance, "
        "earned value and health measure against it."
    ) in flat(out)
    assert baselines_of(engine) == {"Plan of record": False, "Re-plan": True}
    code, out = podium("baseline", "current", "CLOUD", "Re-plan")
    assert code == 0 and "Baseline 'Re-plan' is already the current one of CLOUD." in out
    code, out = podium("baseline", "current", "CLOUD", "Nope")
    assert code == 1
    assert "no baseline 'Nope' in CLOUD (there are: 'Re-plan', 'Plan of record')" in flat(out)


def test_a_baseline_is_deleted_only_with_yes(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    code, out = podium("baseline", "delete", "CLOUD", "Plan of record")
    assert code == 1
    text = flat(out)
    assert "this would delete the current baseline 'Plan of record' of CLOUD (taken " in text
    assert ", 3 items): run again with --yes to delete it" in text
    code, out = podium("baseline", "delete", "CLOUD", "Re-plan", "--yes", "--as", "vi@example.com")
    assert code == 1 and "your role in CLOUD is viewer" in flat(out)
    assert len(baselines_of(engine)) == 2
    code, out = podium("baseline", "delete", "CLOUD", "Re-plan", "--yes", "--as", "mo@example.com")
    assert code == 0, out
    assert "Deleted baseline 'Re-plan' of CLOUD (taken " in out and "It was" not in out
    code, out = podium("baseline", "delete", "CLOUD", "Plan of record", "--yes")
    assert code == 0, out
    assert (
        "It was the current baseline: variance and earned value have none to measure against "
        "until you make another one current (`podium baseline current CLOUD NAME`)."
    ) in flat(out)
    assert baselines_of(engine) == {}
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(BaselineItem)) == 0


# --- scenarios ---------------------------------------------------------------------------


def test_a_scenario_is_renamed_by_key_or_name_and_its_copy_with_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "scenario", "rename", "CLOUD", "s1", "Pilot two weeks late", "--as", "mo@example.com"
    )
    assert code == 0, out
    assert "Renamed scenario S1 of CLOUD: 'Pilot late' → 'Pilot two weeks late'." in out
    code, out = podium("scenario", "rename", "CLOUD", "PILOT LATE", "Pilot late, no vendor")
    assert code == 0, out  # now only S2 is named so
    assert "Renamed scenario S2 of CLOUD: 'Pilot late' → 'Pilot late, no vendor'." in out
    code, out = podium(
        "scenario", "rename", "CLOUD", "CLOUD~S2", "Pilot late, no vendor", "-d", "Why not"
    )
    assert code == 0, out
    assert "Updated the description of scenario S2 of CLOUD." in out
    assert scenarios_of(engine) == {
        1: ("Pilot two weeks late", "active", "Pilot two weeks late"),
        2: ("Pilot late, no vendor", "active", "Pilot late, no vendor"),
        3: ("Cut scope", "discarded", None),
    }
    with Session(engine) as session:
        assert session.scalar(select(Scenario.description).where(Scenario.number == 2)) == (
            "Why not"
        )


def test_renaming_a_scenario_refuses_ambiguity_a_closed_one_and_who_may_not(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    for args, message in (
        (("Pilot late", "x"), "2 scenarios of CLOUD are named 'Pilot late': give one of S2, S1"),
        (("S3", "x"), "scenario S3 is already discarded"),
        (("S9", "x"),
         "no scenario 'S9' in CLOUD (there are: S3 'Cut scope', S2 'Pilot late', S1 'Pilot "
         "late')"),
        (("S1", "  "), "NEW must not be blank"),
        (("S1", "n" * 201), "NEW is at most 200 characters, not 201"),
        (("S1", "x", "--as", "me@example.com"), "your role in CLOUD is member"),
    ):  # fmt: skip
        code, out = podium("scenario", "rename", "CLOUD", *args)
        assert code == 1, args
        assert message in flat(out), args
    assert [name for name, _s, _c in scenarios_of(engine).values()] == [
        "Pilot late", "Pilot late", "Cut scope"
    ]  # fmt: skip


def test_a_scenario_is_deleted_with_its_copy_only_with_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("scenario", "delete", "CLOUD", "S1")
    assert code == 1
    assert (
        "this would delete scenario S1 'Pilot late' of CLOUD (active, with its copy CLOUD~S1): "
        "run again with --yes to delete it (`podium scenario discard CLOUD~S1` keeps its record)"
    ) in flat(out)
    code, out = podium("scenario", "delete", "CLOUD", "S1", "--yes", "--as", "vi@example.com")
    assert code == 1 and "your role in CLOUD is viewer" in flat(out)
    assert len(scenarios_of(engine)) == 3
    code, out = podium("scenario", "delete", "CLOUD", "S1", "--yes", "--as", "mo@example.com")
    assert code == 0, out
    assert "Deleted scenario S1 'Pilot late' of CLOUD (active, with its copy CLOUD~S1)." in out
    code, out = podium("scenario", "delete", "CLOUD", "cut scope", "--yes")
    assert code == 0, out
    assert "Deleted scenario S3 'Cut scope' of CLOUD (discarded)." in out
    assert scenarios_of(engine) == {2: ("Pilot late", "active", "Pilot late")}
    with Session(engine) as session:
        keys = set(session.scalars(select(Program.key)))
    assert keys == {"CLOUD", "CLOUD~S2"}


# --- benefits ----------------------------------------------------------------------------


def test_set_changes_only_what_is_given_and_says_so(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium(
        "benefit", "set", "CLOUD", "hosting COST", "--target", "200", "--unit", "kEUR",
        "--by", "2027-11-30", "--project", "OPS", "--project", "DATA", "--goal",
        "--description", "Monthly cloud and data centre bill", "--as", "mo@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Updated Hosting cost:" in out
    shown = facts(out)
    assert shown["target"] == "220 → 200" and shown["unit"] == "k€ → kEUR"
    assert shown["by"] == "2027-12-31 → 2027-11-30" and shown["goal KPI"] == "no → yes"
    assert shown["projects"] == "none → DATA, OPS"
    assert shown["description"] == "— → Monthly cloud and data centre bill"
    assert "'Support tickets' is no longer the goal's KPI." in out
    hosting = benefit(engine, "Hosting cost")
    assert hosting is not None
    assert (hosting.target_value, hosting.unit, hosting.target_date, hosting.is_goal) == (
        200, "kEUR", date(2027, 11, 30), True
    )  # fmt: skip
    assert sorted(p.key for p in hosting.projects) == ["DATA", "OPS"]
    tickets = benefit(engine, "Support tickets")
    assert tickets is not None and not tickets.is_goal
    code, out = podium("benefit", "set", "CLOUD", str(hosting.id), "--target", "200")
    assert code == 0 and "Nothing changed: Hosting cost already has those settings." in out
    code, out = podium(
        "benefit", "set", "CLOUD", "Hosting cost", "--no-projects", "--not-goal",
        "--name", "Hosting cost per month", "--baseline", "300", "--baseline-date", "2027-02-01",
    )  # fmt: skip
    assert code == 0, out
    shown = facts(out)
    assert shown["projects"] == "DATA, OPS → none" and shown["goal KPI"] == "yes → no"
    assert shown["name"] == "Hosting cost → Hosting cost per month"
    assert shown["baseline"] == "310 → 300"
    assert shown["baseline date"] == "2027-01-04 → 2027-02-01"
    after = benefit(engine, "Hosting cost per month")
    assert after is not None and after.projects == [] and after.baseline_value == 300


def test_set_refuses_bad_input_and_who_may_not(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    for args, message in (
        ((), "nothing to change: give at least one of the options (see --help)"),
        (("--name", " "), "--name must not be blank"),
        (("--name", "support TICKETS"), "a benefit named 'Support tickets' already exists"),
        (("--unit", "u" * 51), "--unit is at most 50 characters, not 51"),
        (("--target", "1e16"), "--target must be a number between -1e+15 and 1e+15"),
        (("--baseline", "nan"), "--baseline must be a number between"),
        (("--direction", "sideways"), "--direction must be up or down, not 'sideways'"),
        (("--by", "2027-13-01"), "--by must be YYYY-MM-DD, not '2027-13-01'"),
        (("--baseline-date", "2027-06-01", "--by", "2027-05-01"),
         "--by must be after the baseline date (2027-06-01)"),
        (("--by", "2026-12-01"), "the target date must be after the baseline date"),
        (("--project", "NOPE"), "no project NOPE in CLOUD"),
        (("--project", "DATA", "--no-projects"), "give --project or --no-projects, not both"),
        (("--target", "1", "--as", "me@example.com"), "your role in CLOUD is member"),
    ):  # fmt: skip
        code, out = podium("benefit", "set", "CLOUD", "Hosting cost", *args)
        assert code == 1, args
        assert message in flat(out), args
    code, out = podium("benefit", "set", "CLOUD", "Nope", "--target", "1")
    assert code == 1 and "no benefit 'Nope' in CLOUD (there are: " in flat(out)
    hosting = benefit(engine, "Hosting cost")
    assert hosting is not None and hosting.version == 1
    assert (hosting.target_value, hosting.unit, hosting.projects) == (220, "k€", [])


def test_add_checks_its_input_as_the_api_does(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    base = ("benefit", "add", "CLOUD", "Racks", "--baseline", "40", "--target", "0")
    for args, message in (
        ((*base, "--by", "2027-12-17", "--unit", "u" * 51), "--unit is at most 50 characters"),
        ((*base[:3], "n" * 201, *base[4:], "--by", "2027-12-17"), "--name is at most 200"),
        ((*base[:5], "-2e15", *base[6:], "--by", "2027-12-17"), "--baseline must be a number"),
        ((*base, "--by", "2027-03-01", "--baseline-date", "2027-03-01"),
         "--by must be after the baseline date (2027-03-01)"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 1, args
        assert message in flat(out), args
    assert benefit(engine, "Racks") is None


def test_a_benefit_is_deleted_with_its_readings_only_with_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    code, out = podium("benefit", "delete", "CLOUD", "Support tickets")
    assert code == 1
    assert (
        "this would delete benefit 'Support tickets', the goal's KPI, of CLOUD with its 2 "
        "measurements: run again with --yes to delete it"
    ) in flat(out)
    code, out = podium(
        "benefit", "delete", "CLOUD", "Support tickets", "--yes", "--as", "me@example.com"
    )
    assert code == 1 and "your role in CLOUD is member" in flat(out)
    # told before being asked for --yes, which would only be refused
    code, out = podium("benefit", "delete", "CLOUD", "Support tickets", "--as", "me@example.com")
    assert code == 1 and "your role in CLOUD is member" in flat(out)
    assert "--yes" not in flat(out)
    assert len(measurements(engine)) == 2
    code, out = podium(
        "benefit", "delete", "CLOUD", "support tickets", "--yes", "--as", "mo@example.com"
    )
    assert code == 0, out
    assert (
        "Deleted benefit 'Support tickets', the goal's KPI, of CLOUD with its 2 measurements."
    ) in flat(out)
    assert benefit(engine, "Support tickets") is None and measurements(engine) == []
    assert benefit(engine, "Hosting cost") is not None


def test_a_measurement_is_deleted_by_its_day(cli_env: None, engine: Engine, db: Session) -> None:
    _plan(db)
    args = ("benefit", "measurement-delete", "CLOUD", "Support tickets")
    for extra, message in (
        (("2027-02-02",),
         "Support tickets has no measurement on 2027-02-02 (latest: 2027-02-01, 2027-03-01)"),
        (("1 Feb",), "DATE must be YYYY-MM-DD, not '1 Feb'"),
        (("2027-02-01", "--as", "me@example.com"), "your role in CLOUD is member"),
    ):  # fmt: skip
        code, out = podium(*args, *extra)
        assert code == 1, extra
        assert message in flat(out), extra
    assert len(measurements(engine)) == 2
    code, out = podium(*args, "2027-02-01", "--as", "mo@example.com")
    assert code == 0, out
    assert (
        "Deleted the measurement Support tickets = 1150 on 2027-02-01, from Service desk."
    ) in flat(out)
    assert measurements(engine) == [(date(2027, 3, 1), 1100.0)]
