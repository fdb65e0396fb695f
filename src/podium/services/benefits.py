"""Benefits: the KPIs a program exists to move, their measurements, realization against
the linear path to target, and what the health rules, the governance agenda and the
retrospective read from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from podium.engine.benefits import (
    DEFAULT_TOLERANCE,
    DIRECTIONS,
    BenefitPlan,
    Direction,
    Measurement,
    Realization,
    assess_benefit,
    is_met,
    realization_pct,
)
from podium.engine.health import BenefitFacts, InvalidRules, RuleSet
from podium.engine.health import Ref as HealthRef
from podium.errors import Conflict, NotFound, ValidationFailed, field_error
from podium.models import (
    AlertKind,
    Benefit,
    BenefitMeasurement,
    Program,
    Project,
    Role,
    Severity,
    utcnow,
)
from podium.services.actor import Actor, require_role, role_in
from podium.services.audit import record_change, record_created, record_deleted
from podium.services.common import apply_update, check_version, flush, human_day
from podium.services.scheduling.alerts import AlertValues, sync_detected

MAX_ID = 2**31 - 1
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


def benefit_url(benefit: Benefit) -> str:
    """The web page a benefit is shown on."""
    return f"/programs/{benefit.program_id}/benefits#benefit-{benefit.id}"


def as_of_date(program: Program) -> date:
    """The day benefits are judged on: today, or the program's status date when it is later.

    A reading is a fact that arrives any day, so one taken since the last status date
    counts at once (the status date dates the progress of tasks, not the KPIs)."""
    today = datetime.now(UTC).astimezone().date()  # the local calendar day
    return max(program.status_date or today, today)


def plan_of(benefit: Benefit) -> BenefitPlan:
    direction: Direction = "up" if benefit.direction == "up" else "down"
    return BenefitPlan(
        baseline=benefit.baseline_value,
        target=benefit.target_value,
        start=benefit.baseline_date,
        target_date=benefit.target_date,
        direction=direction,
    )


def tolerance_of(program: Program) -> float:
    """Points behind the path before a benefit is off track: the health rule's amber limit."""
    return _limits(program)[0]


def _limits(program: Program) -> tuple[float, float | None]:
    """The health rule's limits in points behind the path: off track (its amber limit, or
    its red one when amber is off) and red (``None``: off)."""
    try:
        rules = RuleSet.from_json(program.health_rules)
    except InvalidRules:
        rules = RuleSet()
    settings = rules["benefit_off_track"]
    amber = settings.number("amber_behind_points")
    red = settings.number("red_behind_points")
    limit = amber if amber is not None else red
    return (DEFAULT_TOLERANCE if limit is None else limit), red


@dataclass(frozen=True, slots=True)
class BenefitView:
    """A benefit with its readings and where it stands."""

    benefit: Benefit
    plan: BenefitPlan
    realization: Realization

    @property
    def measurements(self) -> list[BenefitMeasurement]:
        return self.benefit.measurements


def _view(benefit: Benefit, as_of: date, tolerance: float) -> BenefitView:
    plan = plan_of(benefit)
    readings = [Measurement(m.measured_on, m.value) for m in benefit.measurements]
    return BenefitView(benefit, plan, assess_benefit(plan, readings, as_of, tolerance=tolerance))


def _loaded() -> Any:
    return (selectinload(Benefit.projects), selectinload(Benefit.measurements))


def get_benefit(
    session: Session, actor: Actor, benefit_id: int, *, needed: Role = Role.VIEWER
) -> Benefit:
    """A benefit of a program the actor may act on with at least ``needed``."""
    benefit = (
        session.scalar(select(Benefit).where(Benefit.id == benefit_id).options(*_loaded()))
        if 0 < benefit_id <= MAX_ID
        else None
    )
    if benefit is None or role_in(session, actor, benefit.program_id) is None:
        raise NotFound(f"benefit {benefit_id} not found")
    require_role(session, actor, benefit.program_id, needed)
    return benefit


def describe(session: Session, benefit: Benefit, as_of: date | None = None) -> BenefitView:
    """One benefit and where it stands (on ``as_of``, default :func:`as_of_date`)."""
    program = session.get(Program, benefit.program_id)
    assert program is not None
    return _view(benefit, as_of or as_of_date(program), tolerance_of(program))


def _program_benefits(session: Session, program_id: int) -> list[Benefit]:
    return list(
        session.scalars(
            select(Benefit)
            .where(Benefit.program_id == program_id)
            .options(*_loaded())
            .order_by(Benefit.is_goal.desc(), Benefit.name)
        )
    )


def list_benefits(
    session: Session, actor: Actor, program_id: int, *, as_of: date | None = None
) -> list[BenefitView]:
    """Every benefit of a program (the goal's KPI first), each with where it stands."""
    require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None
    day, tolerance = as_of or as_of_date(program), tolerance_of(program)
    return [_view(b, day, tolerance) for b in _program_benefits(session, program_id)]


def goal_benefit(session: Session, program: Program) -> BenefitView | None:
    """The KPI the program's goal is measured by, if one is marked."""
    benefit = session.scalar(
        select(Benefit)
        .where(Benefit.program_id == program.id, Benefit.is_goal.is_(True))
        .options(*_loaded())
    )
    if benefit is None:
        return None
    return _view(benefit, as_of_date(program), tolerance_of(program))


def _projects(session: Session, program_id: int, ids: Sequence[int]) -> list[Project]:
    found = list(
        session.scalars(
            select(Project).where(Project.program_id == program_id, Project.id.in_(list(ids)))
        )
    )
    missing = sorted(set(ids) - {p.id for p in found})
    if missing:
        raise field_error("project_ids", f"no project {missing[0]} in this program")
    return found


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
    benefit.projects = _projects(session, program_id, project_ids)
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
        benefit.projects = _projects(session, benefit.program_id, updates.pop("project_ids") or [])
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
    """Record a reading of the KPI (members); one per day."""
    benefit = get_benefit(session, actor, benefit_id, needed=Role.MEMBER)
    if any(m.measured_on == measured_on for m in benefit.measurements):
        raise Conflict(
            f"{benefit.name} already has a measurement on {measured_on.isoformat()}; "
            "delete it first to replace it",
            code="measurement_exists",
            details={"field": "measured_on"},
        )
    measurement = BenefitMeasurement(
        measured_on=measured_on, value=value, source=source, note=note, recorded_by=actor.email
    )
    benefit.measurements.append(measurement)
    flush(session)
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
        session, actor, measurement, program_id=benefit.program_id, fields=MEASUREMENT_FIELDS
    )
    benefit.measurements.remove(measurement)
    sync_benefit_alerts(session, benefit.program_id, triggered_by=actor.email)


# --- for governance, the retrospective and health -----------------------------------


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _off_track(
    session: Session, program: Program, as_of: date
) -> list[tuple[Benefit, Realization]]:
    tolerance = tolerance_of(program)
    found = []
    for benefit in _program_benefits(session, program.id):
        r = _view(benefit, as_of, tolerance).realization
        if r.state == "off_track" and r.latest is not None:
            found.append((benefit, r))
    return found


def benefits_off_track(session: Session, program_id: int, as_of: date) -> list[dict[str, Any]]:
    """Benefits whose latest reading trails the linear path by more than the tolerance.

    No permission check: the caller (the review agenda) made one. Each item has
    ``id, name, unit, latest_value, expected_value, target_value, target_date,
    realization_pct, url`` (and the gap in points).
    """
    program = session.get(Program, program_id)
    if program is None:
        return []
    return [
        {
            "id": benefit.id,
            "name": benefit.name,
            "unit": benefit.unit,
            "latest_value": r.latest.value,
            "latest_date": r.latest.on,
            "expected_value": _rounded(r.expected_value, 2),
            "target_value": benefit.target_value,
            "target_date": benefit.target_date,
            "realization_pct": _rounded(r.realization_pct),
            "expected_pct": _rounded(r.expected_pct),
            "gap_points": _rounded(r.gap_points),
            "url": benefit_url(benefit),
        }
        for benefit, r in _off_track(session, program, as_of)
        if r.latest is not None
    ]


# --- alerts ---------------------------------------------------------------------------


def sync_benefit_alerts(session: Session, program_id: int, *, triggered_by: str) -> None:
    """One open alert per benefit off track on the program's as-of date; the alerts of
    benefits back on their path (or deleted) are resolved. Called after every change
    that can move a benefit's state: its definition, its readings, the health rule's
    tolerance and the program's status date."""
    program = session.get(Program, program_id)
    if program is None:
        return
    flush(session)
    tolerance, red = _limits(program)
    found = [
        _alert_values(benefit, r, tolerance, red)
        for benefit, r in _off_track(session, program, as_of_date(program))
    ]
    sync_detected(
        session, program_id, (AlertKind.BENEFIT_OFF_TRACK,), found, triggered_by=triggered_by
    )


def _alert_values(
    benefit: Benefit, r: Realization, tolerance: float, red: float | None
) -> AlertValues:
    assert r.latest is not None
    behind = -(r.gap_points or 0.0)
    unit = f" {benefit.unit}" if benefit.unit else ""
    projects = sorted(p.key for p in benefit.projects)
    return AlertValues(
        fingerprint=f"benefit_off_track:{benefit.id}",
        kind=AlertKind.BENEFIT_OFF_TRACK,
        severity=Severity.HIGH if red is not None and behind > red else Severity.MEDIUM,
        subject_type="benefit",
        subject_id=benefit.id,
        title=f"Benefit {benefit.name} off track: {r.realization_pct or 0:.0f} % realized, "
        f"{r.expected_pct or 0:.0f} % expected",
        message=f"{r.latest.value:,.4g}{unit} on {human_day(r.latest.on)}; the path to "
        f"{benefit.target_value:,.4g}{unit} by {human_day(benefit.target_date)} expected "
        f"{r.expected_value:,.4g}{unit} by then: {behind:.0f} points behind (off track "
        f"beyond {tolerance:g})",
        projects=projects,
        cross_project=len(projects) > 1,
        details={
            "url": benefit_url(benefit),
            "latest_value": r.latest.value,
            "latest_date": r.latest.on.isoformat(),
            "expected_value": _rounded(r.expected_value, 2),
            "realization_pct": _rounded(r.realization_pct),
            "expected_pct": _rounded(r.expected_pct),
            "gap_points": _rounded(r.gap_points),
        },
    )


def benefit_outcomes(session: Session, program_id: int) -> list[dict[str, Any]]:
    """Every benefit's outcome for the retrospective: baseline, target, latest, realization, met."""
    outcomes = []
    for benefit in _program_benefits(session, program_id):
        plan = plan_of(benefit)
        latest = benefit.measurements[-1] if benefit.measurements else None
        outcomes.append(
            {
                "id": benefit.id,
                "name": benefit.name,
                "unit": benefit.unit,
                "direction": benefit.direction,
                "is_goal": benefit.is_goal,
                "baseline_value": benefit.baseline_value,
                "target_value": benefit.target_value,
                "target_date": benefit.target_date,
                "latest_value": latest.value if latest else None,
                "latest_date": latest.measured_on if latest else None,
                "realization_pct": _rounded(realization_pct(plan, latest.value))
                if latest
                else None,
                "met": bool(latest and is_met(plan, latest.value)),
                "url": benefit_url(benefit),
            }
        )
    return outcomes


def health_benefit_facts(session: Session, program: Program, as_of: date) -> list[BenefitFacts]:
    """Each benefit with readings, as the health rule reads it."""
    facts = []
    for benefit in _program_benefits(session, program.id):
        view = _view(benefit, as_of, DEFAULT_TOLERANCE)
        r = view.realization
        if r.latest is None or r.realization_pct is None or r.state == "met":
            continue
        facts.append(
            BenefitFacts(
                HealthRef("benefit", benefit.id, benefit.name),
                realization_pct=r.realization_pct,
                expected_pct=r.expected_pct,
                measured_on=r.latest.on,
            )
        )
    return facts
