"""Benefits as changed: defining, changing and deleting a KPI (managers), recording and
deleting its readings; every change judges the program's benefits again for alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podium.engine.benefits import DIRECTIONS
from podium.errors import Conflict, NotFound, ValidationFailed, field_error
from podium.models import Benefit, BenefitMeasurement, Program, Role, utcnow
from podium.services.actor import Actor, refuse_on_scenario_copy, require_role
from podium.services.audit import record_change, record_created, record_deleted
from podium.services.benefits.alerts import sync_benefit_alerts
from podium.services.benefits.reading import get_benefit, plan_of
from podium.services.common import apply_update, check_version, flush
from podium.services.projects import projects_by_id

BENEFIT_FIELDS = [
    "name",
    "description",
    "unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "direction",
    "is_goal",
]
MEASUREMENT_FIELDS = ["measured_on", "value", "source", "note"]


def _check_plan(benefit: Benefit) -> None:
    if benefit.direction not in DIRECTIONS:
        raise field_error("direction", f"must be one of {', '.join(DIRECTIONS)}")
    problems = plan_of(benefit).problems()
    if problems:
        fields = {"target date": "target_date", "target": "target_value"}  # longest first
        details = [
            {"field": next((f for w, f in fields.items() if w in p), "target_value"), "message": p}
            for p in problems
        ]
        raise ValidationFailed("; ".join(problems), details=details)


def _check_name_free(
    session: Session, program_id: int, name: str, except_id: int | None = None
) -> None:
    """Names are unique in a program whatever their case ("Cost per ticket" and "cost per
    ticket" would read as one benefit in every report); compared in Python, so that both
    databases fold accents' case alike (a program has a few dozen benefits at most)."""
    wanted = name.casefold()
    rows = session.execute(
        select(Benefit.id, Benefit.name).where(Benefit.program_id == program_id)
    ).all()
    taken = next((r for r in rows if r.name.casefold() == wanted and r.id != except_id), None)
    if taken is not None:
        raise Conflict(
            f"a benefit named {taken.name!r} already exists in this program",
            details={"field": "name"},
        )


def _only_goal(session: Session, benefit: Benefit) -> None:
    """One goal KPI per program: marking this one unmarks the others."""
    if benefit.is_goal:
        session.execute(
            update(Benefit)
            .where(
                Benefit.program_id == benefit.program_id,
                Benefit.id != benefit.id,
                Benefit.is_goal.is_(True),
            )
            .values(is_goal=False, version=Benefit.version + 1)
            .execution_options(synchronize_session=False)
        )


def create_benefit(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    name: str,
    baseline_value: float,
    target_value: float,
    target_date: date,
    direction: str,
    unit: str = "",
    description: str = "",
    baseline_date: date | None = None,
    is_goal: bool = False,
    project_ids: Sequence[int] = (),
) -> Benefit:
    """Define a KPI (managers); the baseline date defaults to the program's start."""
    require_role(session, actor, program_id, Role.MANAGER)
    refuse_on_scenario_copy(session, program_id, "benefits")
    program = session.get(Program, program_id)
    assert program is not None
    _check_name_free(session, program_id, name)
    benefit = Benefit(
        program_id=program_id,
        name=name,
        description=description,
        unit=unit,
        baseline_value=baseline_value,
        baseline_date=baseline_date or program.start_date,
        target_value=target_value,
        target_date=target_date,
        direction=direction,
        is_goal=is_goal,
    )
    _check_plan(benefit)
    benefit.projects = projects_by_id(session, program_id, project_ids)
    session.add(benefit)
    flush(session)
    _only_goal(session, benefit)
    record_created(session, actor, benefit, program_id=program_id, fields=BENEFIT_FIELDS)
    sync_benefit_alerts(session, program_id, triggered_by=actor.email)
    return benefit


def update_benefit(
    session: Session,
    actor: Actor,
    benefit_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Benefit:
    """Change a KPI (managers); ``project_ids`` replaces the contributing projects."""
    benefit = get_benefit(session, actor, benefit_id, needed=Role.MANAGER)
    check_version(benefit, expected_version)
    updates = dict(updates)
    if "name" in updates and updates["name"] != benefit.name:
        _check_name_free(session, benefit.program_id, updates["name"], benefit.id)
    if "project_ids" in updates:
        before = sorted(p.id for p in benefit.projects)
        benefit.projects = projects_by_id(
            session, benefit.program_id, updates.pop("project_ids") or []
        )
        after = sorted(p.id for p in benefit.projects)
        if before != after:
            record_change(
                session,
                actor,
                program_id=benefit.program_id,
                entity_type="benefit",
                entity_id=benefit.id,
                action="update",
                changes={"project_ids": [before, after]},
                label=benefit.name,
            )
            benefit.updated_at = utcnow()  # the links live elsewhere: a new version all the same
    apply_update(
        session, actor, benefit, updates, program_id=benefit.program_id, expected_version=None
    )
    _check_plan(benefit)
    _only_goal(session, benefit)
    sync_benefit_alerts(session, benefit.program_id, triggered_by=actor.email)
    return benefit


def delete_benefit(
    session: Session, actor: Actor, benefit_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a KPI and its measurements (managers)."""
    benefit = get_benefit(session, actor, benefit_id, needed=Role.MANAGER)
    check_version(benefit, expected_version)
    program_id = benefit.program_id
    record_deleted(session, actor, benefit, program_id=program_id, fields=BENEFIT_FIELDS)
    session.delete(benefit)
    sync_benefit_alerts(session, program_id, triggered_by=actor.email)


def add_measurement(
    session: Session,
    actor: Actor,
    benefit_id: int,
    *,
    measured_on: date,
    value: float,
    source: str = "",
    note: str = "",
) -> BenefitMeasurement:
    """Record a reading of the KPI (members); one per day. A reading of the same day
    recorded meanwhile by someone else is refused by the database's unique key, and said
    as the check here says it."""
    benefit = get_benefit(session, actor, benefit_id, needed=Role.MEMBER)
    taken = Conflict(
        f"{benefit.name} already has a measurement on {measured_on.isoformat()}; "
        "delete it first to replace it",
        code="measurement_exists",
        details={"field": "measured_on"},
    )
    if any(m.measured_on == measured_on for m in benefit.measurements):
        raise taken
    measurement = BenefitMeasurement(
        measured_on=measured_on, value=value, source=source, note=note, recorded_by=actor.email
    )
    # the key as each database names it in its refusal: PostgreSQL the constraint,
    # SQLite its columns
    same_day = (
        "uq_benefit_measurements_benefit_id_measured_on",
        "benefit_measurements.benefit_id, benefit_measurements.measured_on",
    )
    # a savepoint keeps PostgreSQL's transaction usable after the refusal; not on SQLite,
    # where pysqlite's first SAVEPOINT opens the transaction and its release would commit it
    sqlite = session.get_bind().dialect.name == "sqlite"
    try:
        with nullcontext() if sqlite else session.begin_nested():
            benefit.measurements.append(measurement)
            flush(session)
    except Conflict as exc:
        refusal = exc.__cause__
        if isinstance(refusal, IntegrityError) and any(k in str(refusal.orig) for k in same_day):
            raise taken from refusal
        raise
    record_created(
        session, actor, measurement, program_id=benefit.program_id, fields=MEASUREMENT_FIELDS
    )
    sync_benefit_alerts(session, benefit.program_id, triggered_by=actor.email)
    return measurement


def delete_measurement(
    session: Session, actor: Actor, benefit_id: int, measurement_id: int
) -> None:
    """Remove a reading (managers)."""
    benefit = get_benefit(session, actor, benefit_id, needed=Role.MANAGER)
    measurement = next((m for m in benefit.measurements if m.id == measurement_id), None)
    if measurement is None:
        raise NotFound(f"measurement {measurement_id} of benefit {benefit.id} not found")
    record_deleted(
        session,
        actor,
        measurement,
        program_id=benefit.program_id,
        fields=MEASUREMENT_FIELDS,
        label=f"{benefit.name} on {measurement.measured_on.isoformat()}",
    )
    benefit.measurements.remove(measurement)
    sync_benefit_alerts(session, benefit.program_id, triggered_by=actor.email)
