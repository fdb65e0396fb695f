"""Benefits as read: a KPI with its readings and where it stands on a day, and what the
health rules, the governance agenda and the retrospective read from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from podium.engine.benefits import (
    DEFAULT_TOLERANCE,
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
from podium.errors import NotFound
from podium.models import Benefit, BenefitMeasurement, Program, Role
from podium.services.actor import Actor, require_role, role_in
from podium.services.date_window import check_plan_date

MAX_ID = 2**31 - 1


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
    return tolerance_limits(program)[0]


def tolerance_limits(program: Program) -> tuple[float, float | None]:
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
    check_plan_date("as_of", as_of)
    program = session.get(Program, benefit.program_id)
    assert program is not None
    return _view(benefit, as_of or as_of_date(program), tolerance_of(program))


def program_benefits(session: Session, program_id: int) -> list[Benefit]:
    """A program's benefits as every list shows them: the goal's KPI first, then by name
    whatever its case ("apdex score" before "Racks in use", on both databases)."""
    return list(
        session.scalars(
            select(Benefit)
            .where(Benefit.program_id == program_id)
            .options(*_loaded())
            .order_by(Benefit.is_goal.desc(), func.lower(Benefit.name), Benefit.id)
        )
    )


def list_benefits(
    session: Session, actor: Actor, program_id: int, *, as_of: date | None = None
) -> list[BenefitView]:
    """Every benefit of a program (the goal's KPI first), each with where it stands."""
    check_plan_date("as_of", as_of)
    require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None
    day, tolerance = as_of or as_of_date(program), tolerance_of(program)
    return [_view(b, day, tolerance) for b in program_benefits(session, program_id)]


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


# --- for governance, the retrospective and health -----------------------------------


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def off_track(session: Session, program: Program, as_of: date) -> list[tuple[Benefit, Realization]]:
    tolerance = tolerance_of(program)
    found = []
    for benefit in program_benefits(session, program.id):
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
            "expected_value": rounded(r.expected_value, 2),
            "target_value": benefit.target_value,
            "target_date": benefit.target_date,
            "realization_pct": rounded(r.realization_pct),
            "expected_pct": rounded(r.expected_pct),
            "gap_points": rounded(r.gap_points),
            "url": benefit_url(benefit),
        }
        for benefit, r in off_track(session, program, as_of)
        if r.latest is not None
    ]


def benefit_outcomes(session: Session, program_id: int, *, as_of: date) -> list[dict[str, Any]]:
    """Every benefit's outcome for the retrospective: baseline, target, and its latest
    reading on or before ``as_of`` (the close, or today for a draft) with its realization
    and whether it met the target (``None`` for both without a reading)."""
    outcomes = []
    for benefit in program_benefits(session, program_id):
        view = _view(benefit, as_of, DEFAULT_TOLERANCE)  # the tolerance plays no part here
        plan, latest = view.plan, view.realization.latest
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
                "latest_date": latest.on if latest else None,
                "realization_pct": rounded(realization_pct(plan, latest.value)) if latest else None,
                "met": is_met(plan, latest.value) if latest else None,
                "url": benefit_url(benefit),
            }
        )
    return outcomes


def health_benefit_facts(session: Session, program: Program, as_of: date) -> list[BenefitFacts]:
    """Each benefit with readings, as the health rule reads it."""
    facts = []
    for benefit in program_benefits(session, program.id):
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
