"""Benefits on a real database: KPIs, measurements, the goal's KPI, and what the review
agenda, the retrospective and health read from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from podium.errors import Conflict, Forbidden, ValidationFailed
from podium.models import Benefit, BenefitMeasurement, Program, Role, User
from podium.services import benefits, health
from podium.services.actor import Actor
from tests.factories import add_member, make_program, make_project, make_user


@pytest.fixture
def owner(db: Session) -> User:
    return make_user(db, email="maria@example.com")


@pytest.fixture
def program(db: Session, owner: User) -> Program:
    program = make_program(db, owner=owner, key="CLOUD", start_date=date(2027, 1, 1))
    program.status_date = date(2027, 7, 2)
    db.commit()
    return program


def tickets(db: Session, owner: User, program: Program, **fields: object) -> Benefit:
    values: dict[str, object] = {
        "name": "support tickets per month",
        "unit": "tickets",
        "baseline_value": 1200,
        "target_value": 840,
        "target_date": date(2028, 1, 1),
        "direction": "down",
        "is_goal": True,
    }
    values.update(fields)
    benefit = benefits.create_benefit(db, Actor.of(owner), program_id=program.id, **values)  # type: ignore[arg-type]
    db.commit()
    return benefit


def measure(db: Session, actor: Actor, benefit: Benefit, on: date, value: float) -> None:
    benefits.add_measurement(db, actor, benefit.id, measured_on=on, value=value, source="helpdesk")
    db.commit()


def test_a_benefit_starts_at_the_program_start_and_is_the_goal_kpi(
    db: Session, owner: User, program: Program
) -> None:
    benefit = tickets(db, owner, program, project_ids=[make_project(db, program, "TRAIN").id])
    assert benefit.baseline_date == date(2027, 1, 1)
    assert [p.key for p in benefit.projects] == ["TRAIN"]
    view = benefits.goal_benefit(db, program)
    assert view is not None and view.benefit.id == benefit.id
    assert view.realization.state == "no_data"


def test_only_one_benefit_is_the_goal_kpi(db: Session, owner: User, program: Program) -> None:
    first = tickets(db, owner, program)
    second = tickets(
        db,
        owner,
        program,
        name="client satisfaction",
        baseline_value=6,
        target_value=8,
        direction="up",
    )
    db.refresh(first)
    assert not first.is_goal and second.is_goal and first.version == 2


def test_realization_is_measured_against_the_linear_path(
    db: Session, owner: User, program: Program
) -> None:
    benefit = tickets(db, owner, program)
    me = Actor.of(owner)
    measure(db, me, benefit, date(2027, 4, 1), 1110)
    (view,) = benefits.list_benefits(db, me, program.id)
    assert view.realization.realization_pct == pytest.approx(25.0)
    assert view.realization.state == "on_track"
    assert benefits.benefits_off_track(db, program.id, date(2027, 7, 2)) == []
    measure(db, me, benefit, date(2027, 7, 2), 1150)  # 13.9 % against 49.9 % expected
    (off,) = benefits.benefits_off_track(db, program.id, date(2027, 7, 2))
    assert {
        k: off[k]
        for k in (
            "id",
            "name",
            "unit",
            "latest_value",
            "target_value",
            "target_date",
            "realization_pct",
            "url",
        )
    } == {
        "id": benefit.id,
        "name": "support tickets per month",
        "unit": "tickets",
        "latest_value": 1150,
        "target_value": 840,
        "target_date": date(2028, 1, 1),
        "realization_pct": 13.9,
        "url": f"/programs/{program.id}/benefits#benefit-{benefit.id}",
    }
    assert off["expected_value"] == pytest.approx(1020.49)


def test_a_benefit_off_its_path_turns_health_red_with_a_reason(
    db: Session, owner: User, program: Program
) -> None:
    benefit = tickets(db, owner, program)
    me = Actor.of(owner)
    measure(db, me, benefit, date(2027, 7, 2), 1150)
    report = health.program_health(db, me, program.id).report
    reason = next(r for r in report.program.reasons if r.rule == "benefit_off_track")
    assert reason.severity == "red" and (reason.ref.kind, reason.ref.id) == ("benefit", benefit.id)
    assert report.program.status == "red"


def test_outcomes_for_the_retrospective(db: Session, owner: User, program: Program) -> None:
    met = tickets(db, owner, program)
    missed = tickets(
        db,
        owner,
        program,
        name="uptime",
        unit="%",
        baseline_value=99.0,
        target_value=99.9,
        direction="up",
        is_goal=False,
    )
    tickets(db, owner, program, name="never measured", is_goal=False)
    me = Actor.of(owner)
    measure(db, me, met, date(2027, 12, 1), 830)
    measure(db, me, missed, date(2027, 12, 1), 99.45)
    measure(db, me, missed, date(2027, 12, 20), 99.95)  # after the day the outcomes are read
    outcomes = {
        o["name"]: o for o in benefits.benefit_outcomes(db, program.id, as_of=date(2027, 12, 15))
    }
    assert outcomes["support tickets per month"]["met"] is True
    assert outcomes["support tickets per month"]["realization_pct"] == pytest.approx(102.8)
    uptime = outcomes["uptime"]
    assert (uptime["latest_date"], uptime["met"], uptime["realization_pct"]) == (
        date(2027, 12, 1),
        False,
        50.0,
    )
    never = outcomes["never measured"]
    assert (never["latest_value"], never["realization_pct"], never["met"]) == (None, None, None)


def test_one_measurement_per_day_and_members_measure_but_do_not_define(
    db: Session, owner: User, program: Program
) -> None:
    benefit = tickets(db, owner, program)
    sam = make_user(db)
    add_member(db, program, sam, Role.MEMBER)
    measure(db, Actor.of(sam), benefit, date(2027, 2, 1), 1190)
    with pytest.raises(Conflict):
        benefits.add_measurement(
            db, Actor.of(sam), benefit.id, measured_on=date(2027, 2, 1), value=1
        )
    db.rollback()
    with pytest.raises(Forbidden):
        benefits.create_benefit(
            db,
            Actor.of(sam),
            program_id=program.id,
            name="x",
            baseline_value=1,
            target_value=2,
            target_date=date(2028, 1, 1),
            direction="up",
        )


def test_a_reading_of_the_same_day_recorded_meanwhile_is_refused_as_measurement_exists(
    db: Session, owner: User, program: Program
) -> None:
    benefit = tickets(db, owner, program)
    assert benefit.measurements == []  # what the service's check reads
    # another request records 1 Feb between that check and this one's write
    db.execute(
        insert(BenefitMeasurement).values(
            benefit_id=benefit.id, measured_on=date(2027, 2, 1), value=1190
        )
    )
    with pytest.raises(Conflict) as refused:
        benefits.add_measurement(
            db, Actor.of(owner), benefit.id, measured_on=date(2027, 2, 1), value=1180
        )
    assert (refused.value.code, refused.value.details) == (
        "measurement_exists",
        {"field": "measured_on"},
    )
    assert refused.value.message == (
        "support tickets per month already has a measurement on 2027-02-01; "
        "delete it first to replace it"
    )
    db.rollback()


def test_a_target_in_the_wrong_direction_is_refused(
    db: Session, owner: User, program: Program
) -> None:
    with pytest.raises(ValidationFailed, match="direction says up"):
        tickets(db, owner, program, direction="up")


def test_a_reading_taken_since_the_status_date_counts_at_once(db: Session, owner: User) -> None:
    today = datetime.now(UTC).astimezone().date()
    program = make_program(db, owner=owner, key="PAST", start_date=today - timedelta(days=120))
    program.status_date = today - timedelta(days=10)
    db.commit()
    benefit = tickets(db, owner, program, target_date=today + timedelta(days=240))
    measure(db, Actor.of(owner), benefit, today - timedelta(days=40), 1150)
    measure(db, Actor.of(owner), benefit, today - timedelta(days=2), 1000)
    view = benefits.describe(db, benefit)
    assert view.realization.as_of == today
    assert view.realization.latest is not None and view.realization.latest.value == 1000
