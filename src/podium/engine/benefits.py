"""Benefit realization: how far a KPI has moved from its baseline towards its target,
against the straight path from baseline to target, and where its trend leads.

The method is that of benefits realization management (*Managing Successful
Programmes*, AXELOS 2020, ch. 7; PMI, *The Standard for Program Management*,
4th ed., §3.3): each benefit has a baseline, a target and a target date; its
realization is the share of the planned change achieved so far,

    realization % = (value − baseline) / (target − baseline) × 100,

which reads the same whether the good direction is up or down (1200 → 840
tickets, measured at 1020: 50 %). The *expected* realization on a day is the
share of the time from the baseline date to the target date that has passed
(the linear path); a benefit whose realization trails the path by more than a
tolerance, in percentage points, is *off track*. The trend is the
least-squares line through the measurements since the baseline date, projected
to the target date.

Readings taken before the baseline date describe the old normal, not the
program's pace: they are neither judged against the path nor part of the
trend, so a benefit with no reading since its baseline date has no judgement
yet (``no_data``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

import numpy as np

Direction = Literal["up", "down"]
BenefitState = Literal["no_data", "met", "on_track", "behind", "off_track"]

DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
BENEFIT_STATES: tuple[BenefitState, ...] = get_args(BenefitState)
DEFAULT_TOLERANCE = 10.0  # percentage points behind the path before a benefit is off track


@dataclass(frozen=True, slots=True)
class BenefitPlan:
    """A KPI's planned change: from ``baseline`` on ``start`` to ``target`` on ``target_date``."""

    baseline: float
    target: float
    start: date
    target_date: date
    direction: Direction

    def problems(self) -> list[str]:
        """What makes the plan unusable (empty: nothing)."""
        found = []
        if self.target == self.baseline:
            found.append("the target must differ from the baseline")
        elif (self.target > self.baseline) != (self.direction == "up"):
            good = "up" if self.target > self.baseline else "down"
            found.append(
                f"the target lies {good} from the baseline, but the direction says "
                f"{self.direction} is good"
            )
        if self.target_date <= self.start:
            found.append("the target date must be after the baseline date")
        return found


@dataclass(frozen=True, slots=True)
class Measurement:
    """One reading of the KPI."""

    on: date
    value: float


@dataclass(frozen=True, slots=True)
class Realization:
    """Where a benefit stands on ``as_of``."""

    as_of: date
    state: BenefitState
    latest: Measurement | None  # the latest reading since the baseline date: the one judged
    realization_pct: float | None  # of the planned change achieved by the latest reading
    expected_pct: float  # where the linear path is on the latest reading's day (or as_of)
    expected_value: float  # the path's value on that day
    gap_points: float | None  # realization − expected, in percentage points (negative: behind)
    trend_at_target: float | None  # the trend line's value on the target date
    trend_pct_at_target: float | None
    trend_from: date | None = None  # the first reading the trend is fitted from
    trend_at_from: float | None = None  # the trend line's value on that day
    before_baseline: Measurement | None = None  # the latest reading before the baseline date


def path_fraction(plan: BenefitPlan, on: date) -> float:
    """The share of the time from the baseline date to the target date passed on ``on`` (0-1)."""
    total = (plan.target_date - plan.start).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (on - plan.start).days / total))


def expected_value(plan: BenefitPlan, on: date) -> float:
    """The value on the straight path from baseline to target (held flat outside the span)."""
    return plan.baseline + (plan.target - plan.baseline) * path_fraction(plan, on)


def realization_pct(plan: BenefitPlan, value: float) -> float:
    """The share of the planned change achieved by ``value``, in percent (can pass 100 or 0)."""
    change = plan.target - plan.baseline
    if change == 0:
        raise ValueError("the target must differ from the baseline")
    return (value - plan.baseline) / change * 100.0


def linear_path(plan: BenefitPlan, days: Sequence[date]) -> list[float]:
    """The path's value on each day."""
    return [expected_value(plan, d) for d in days]


def trend_line(measurements: Sequence[Measurement]) -> tuple[float, float, date] | None:
    """Least-squares ``(slope per day, intercept, origin day)``; needs two readings on
    different days."""
    if len({m.on for m in measurements}) < 2:
        return None
    origin = min(m.on for m in measurements)
    x = np.array([(m.on - origin).days for m in measurements], dtype=np.float64)
    y = np.array([m.value for m in measurements], dtype=np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept), origin


def trend_value(trend: tuple[float, float, date], on: date) -> float:
    slope, intercept, origin = trend
    return intercept + slope * (on - origin).days


def is_met(plan: BenefitPlan, value: float) -> bool:
    """The target is reached (or passed in the good direction)."""
    return value >= plan.target if plan.direction == "up" else value <= plan.target


def assess_benefit(
    plan: BenefitPlan,
    measurements: Sequence[Measurement],
    as_of: date,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Realization:
    """Realization and trend from the readings since the baseline date up to ``as_of``.

    The latest reading is compared with the path on *its* day, so a benefit is
    not judged behind merely because nobody measured it this week. States:
    ``met`` (target reached), ``on_track`` (at or ahead of the path),
    ``behind`` (behind, within ``tolerance`` points), ``off_track`` (behind by
    more), ``no_data`` (no reading since the baseline date: one taken before it,
    kept as ``before_baseline``, describes the old normal and is not judged).
    """
    readings = sorted((m for m in measurements if m.on <= as_of), key=lambda m: m.on)
    earlier = [m for m in readings if m.on < plan.start]
    during = [m for m in readings if m.on >= plan.start]  # the program's own period
    latest = during[-1] if during else None
    day = latest.on if latest else as_of
    expected_pct = path_fraction(plan, day) * 100.0
    trend = trend_line(during)
    trend_at = trend_value(trend, plan.target_date) if trend else None
    trend_pct = realization_pct(plan, trend_at) if trend_at is not None else None
    pct = realization_pct(plan, latest.value) if latest else None
    gap = pct - expected_pct if pct is not None else None
    state: BenefitState
    if latest is None or gap is None:
        state = "no_data"
    elif is_met(plan, latest.value):
        state = "met"
    elif gap >= 0:
        state = "on_track"
    elif gap >= -tolerance:
        state = "behind"
    else:
        state = "off_track"
    return Realization(
        as_of=as_of,
        state=state,
        latest=latest,
        realization_pct=pct,
        expected_pct=expected_pct,
        expected_value=expected_value(plan, day),
        gap_points=gap,
        trend_at_target=trend_at,
        trend_pct_at_target=trend_pct,
        trend_from=trend[2] if trend else None,
        trend_at_from=trend[1] if trend else None,
        before_baseline=earlier[-1] if earlier else None,
    )
