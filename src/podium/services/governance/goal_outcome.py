"""The outcome against the program's goal in a retrospective: the value typed at close,
else the goal KPI's latest reading up to the close, judged against the goal's own
baseline and target — never against a goal KPI's that differ."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.currency import figure
from podium.models import Benefit, BenefitMeasurement, Program
from podium.models.governance import ProgramCloseout


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _goal_kpi(session: Session, program: Program) -> Benefit | None:
    """The benefit marked as the measure of the program's goal, if one is."""
    return session.scalar(
        select(Benefit).where(Benefit.program_id == program.id, Benefit.is_goal.is_(True))
    )


def _goal_reading(session: Session, kpi: Benefit, until: date) -> BenefitMeasurement | None:
    """The goal KPI's latest reading on or before ``until``."""
    return session.scalar(
        select(BenefitMeasurement)
        .where(BenefitMeasurement.benefit_id == kpi.id, BenefitMeasurement.measured_on <= until)
        .order_by(BenefitMeasurement.measured_on.desc(), BenefitMeasurement.id.desc())
        .limit(1)
    )


def _differences(program: Program, kpi: Benefit) -> list[str]:
    """Where the goal KPI's terms differ from the goal's own (``unit``, ``baseline``,
    ``target``), among those the goal sets."""
    unit, kpi_unit = (program.goal_unit or "").strip(), (kpi.unit or "").strip()
    baseline, target = program.goal_baseline_value, program.goal_target_value
    return [
        name
        for name, differs in (
            ("unit", bool(unit and kpi_unit) and unit.casefold() != kpi_unit.casefold()),
            ("baseline", baseline is not None and kpi.baseline_value != baseline),
            ("target", target is not None and kpi.target_value != target),
        )
        if differs
    ]


def _terms(baseline: float | None, target: float | None, unit: str | None) -> str:
    """A measure's planned change in words: "from 1,200 to 840 tickets", "to 50"."""
    words = [f"from {figure(baseline)}"] if baseline is not None else []
    words.append(f"to {figure(target)}" if target is not None else "to no target")
    return " ".join(words) + (f" {unit.strip()}" if unit and unit.strip() else "")


def _good_direction(program: Program, kpi: Benefit | None, unit_differs: bool) -> str | None:
    """Which way the goal's measure should move: from the goal's baseline to its target,
    else as the goal KPI should move (unless it counts in another unit, and so measures
    something else); ``None``: unknown."""
    baseline, target = program.goal_baseline_value, program.goal_target_value
    if baseline is not None and target is not None and target != baseline:
        return "down" if target < baseline else "up"
    return kpi.direction if kpi is not None and not unit_differs else None


def _why_not_judged(
    program: Program, unlike_kpi: Benefit | None, direction: str | None, *, closed: bool
) -> str | None:
    """Why an outcome is not judged against the goal, in a sentence (``None``: it is).
    ``unlike_kpi``: the goal KPI whose reading it is, when its terms are not the goal's;
    ``closed``: kept at a close, when there is no more to do about it."""
    baseline, target = program.goal_baseline_value, program.goal_target_value
    if unlike_kpi is not None:
        kpi = unlike_kpi
        note = (
            f"The goal KPI “{kpi.name}” runs "
            f"{_terms(kpi.baseline_value, kpi.target_value, kpi.unit)}, the goal "
            f"{_terms(baseline, target, program.goal_unit)}: its reading is not judged "
            "against the goal."
        )
        if not closed:
            note += (
                " Make them agree (on the Benefits page or in the program's Settings), or "
                "type the outcome achieved when closing."
            )
        return note
    if target is None:
        return "The goal sets no target: met or not cannot be judged."
    if direction is None:
        return (
            "The goal has no baseline to tell whether up or down is better (nor a goal KPI "
            "in its unit): met or not cannot be judged."
        )
    return None


def goal_outcome(
    session: Session, program: Program, closeout: ProgramCloseout | None, until: date
) -> dict[str, Any]:
    """The goal against its own baseline and target (the program's goal settings).

    The value achieved is the one typed at close, else the goal KPI's latest reading up
    to ``until`` (the close, or today for a draft). A reading stands for the goal only
    when the KPI measures it in the goal's terms (unit, baseline and target, where the
    goal sets them); when it does not, the reading is shown but neither the share of
    the change nor met is computed, and ``note`` says why, as it does when the goal
    gives no target or no way to tell whether up or down is better.
    """
    kpi = _goal_kpi(session, program)
    differences = _differences(program, kpi) if kpi is not None else []
    value = closeout.outcome_value if closeout else None
    source, measured_on = ("typed at close" if value is not None else None), None
    judged = True
    if value is None and kpi is not None:
        reading = _goal_reading(session, kpi, until)
        if reading is not None:
            value, measured_on, source = reading.value, reading.measured_on, "goal KPI"
            judged = not differences
    baseline, target = program.goal_baseline_value, program.goal_target_value
    direction = _good_direction(program, kpi, "unit" in differences)
    # a reading is in the goal KPI's unit, which may not be the goal's
    unit = kpi.unit if kpi is not None and source == "goal KPI" else program.goal_unit
    note = None
    if value is not None:
        unlike = None if judged else kpi
        note = _why_not_judged(program, unlike, direction, closed=closeout is not None)
    met = None
    if value is not None and judged and target is not None and direction is not None:
        met = value <= target if direction == "down" else value >= target
    achieved_pct = None
    if (
        value is not None
        and judged
        and target is not None
        and baseline is not None
        and target != baseline
    ):
        achieved_pct = round(100 * (value - baseline) / (target - baseline), 1)
    return {
        "outcome": program.goal_outcome,
        "measure": program.goal_measure,
        "unit": program.goal_unit,
        "baseline_value": baseline,
        "target_value": target,
        "target_date": _iso(program.goal_target_date),
        "achieved_value": value,
        "achieved_unit": unit,
        "achieved_on": _iso(measured_on),
        "achieved_from": source,
        "achieved_pct": achieved_pct,
        "met": met,
        "direction": direction,
        "kpi": (
            {
                "id": kpi.id,
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline_value": kpi.baseline_value,
                "target_value": kpi.target_value,
                "direction": kpi.direction,
                "differs": differences,
            }
            if kpi is not None
            else None
        ),
        "note": note,
        "summary": closeout.outcome_summary if closeout else "",
    }
