"""Governance arithmetic: review cadences, stakeholder grids, conflict detection lead times.

* **Cadences.** A review recurs every one, two or four weeks on the weekday of
  its first occurrence, or monthly on the same *n*-th weekday of the month as
  its first occurrence ("the first Tuesday"; a first occurrence in the fifth
  week means "the last Tuesday"), optionally until an end date.
  :func:`next_occurrence` and :func:`previous_occurrence` step along it.
* **Stakeholders** sit on Mendelow's power/interest grid (Mendelow, 1991):
  influence and interest are scored 1–5, 3 and above counts as high, and the
  quadrant says how to engage them.
* **Lead time of a conflict** (for the close-out retrospective): the working
  days between the moment a schedule conflict was first flagged and the date
  it threatened (the deadline, target or start it put at risk). A conflict
  flagged at least ``early_threshold`` working days ahead was caught *early*;
  one flagged later — or after the date had already passed — was caught *late*.
"""

from __future__ import annotations

import calendar as month_calendar
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from podium.engine.calendar import WorkCalendar

Frequency = Literal["weekly", "biweekly", "four_weekly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("weekly", "biweekly", "four_weekly", "monthly")
WEEKS: dict[str, int] = {"weekly": 1, "biweekly": 2, "four_weekly": 4}

# --- cadences -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a review recurs: from ``first`` at ``frequency``, up to ``until`` (inclusive),
    leaving out the ``skipped`` dates (a meeting called off: a holiday, a clash)."""

    first: date
    frequency: Frequency
    until: date | None = None
    skipped: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}: {', '.join(FREQUENCIES)}")
        if self.until is not None and self.until < self.first:
            raise ValueError("a cadence cannot end before its first occurrence")

    @property
    def week_of_month(self) -> int:
        """1–4 for the n-th weekday of a month, -1 for the last (monthly cadences)."""
        n = (self.first.day - 1) // 7 + 1
        return -1 if n == 5 else n


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th (1–4, or -1: last) ``weekday`` (0 = Monday) of a month."""
    days = month_calendar.monthrange(year, month)[1]
    if n == -1:
        last = date(year, month, days)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _months_from(year: int, month: int) -> Iterator[tuple[int, int]]:
    while True:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _monthly_dates(cadence: Cadence, start: date) -> Iterator[date]:
    """The monthly cadence's dates from the month of ``start`` on (unbounded)."""
    weekday, n = cadence.first.weekday(), cadence.week_of_month
    begin = max(start, cadence.first)
    for year, month in _months_from(begin.year, begin.month):
        yield _nth_weekday(year, month, weekday, n)


def _next_scheduled(cadence: Cadence, on_or_after: date) -> date | None:
    """The first cadence date on or after ``on_or_after``, skipped or not."""
    if on_or_after <= cadence.first:
        found: date | None = cadence.first
    elif cadence.frequency == "monthly":
        found = next(d for d in _monthly_dates(cadence, on_or_after) if d >= on_or_after)
    else:
        step = 7 * WEEKS[cadence.frequency]
        periods = -(-(on_or_after - cadence.first).days // step)  # ceiling division
        found = cadence.first + timedelta(days=periods * step)
    if found is not None and cadence.until is not None and found > cadence.until:
        return None
    return found


def _previous_scheduled(cadence: Cadence, before: date) -> date | None:
    """The last cadence date strictly before ``before``, skipped or not."""
    if before <= cadence.first:
        return None
    limit = before - timedelta(days=1)
    if cadence.until is not None:
        limit = min(limit, cadence.until)
    if cadence.frequency == "monthly":
        candidates = [
            _nth_weekday(y, m, cadence.first.weekday(), cadence.week_of_month)
            for y, m in (
                (limit.year, limit.month),
                (limit.year - (limit.month == 1), 12 if limit.month == 1 else limit.month - 1),
            )
        ]
        earlier = [d for d in candidates if cadence.first <= d <= limit]
        return max(earlier, default=None)
    step = 7 * WEEKS[cadence.frequency]
    periods = (limit - cadence.first).days // step
    return cadence.first + timedelta(days=periods * step)


def next_occurrence(cadence: Cadence, on_or_after: date) -> date | None:
    """The first occurrence on or after ``on_or_after`` (a skipped date is not one);
    ``None`` once the cadence has ended."""
    found = _next_scheduled(cadence, on_or_after)
    while found is not None and found in cadence.skipped:
        found = _next_scheduled(cadence, found + timedelta(days=1))
    return found


def previous_occurrence(cadence: Cadence, before: date) -> date | None:
    """The last occurrence strictly before ``before`` (``None`` if there is none; a
    skipped date is not one)."""
    found = _previous_scheduled(cadence, before)
    while found is not None and found in cadence.skipped:
        found = _previous_scheduled(cadence, found)
    return found


def is_scheduled(cadence: Cadence, day: date) -> bool:
    """Whether ``day`` is one of the cadence's dates (skipped or not)."""
    return _next_scheduled(cadence, day) == day


def occurrences_between(cadence: Cadence, start: date, end: date) -> list[date]:
    """Every occurrence in ``[start, end]``, in order."""
    out: list[date] = []
    day = next_occurrence(cadence, start)
    while day is not None and day <= end:
        out.append(day)
        day = next_occurrence(cadence, day + timedelta(days=1))
    return out


# --- stakeholders ---------------------------------------------------------------

Quadrant = Literal["manage_closely", "keep_satisfied", "keep_informed", "monitor"]
QUADRANT_LABELS: dict[str, str] = {
    "manage_closely": "Manage closely",
    "keep_satisfied": "Keep satisfied",
    "keep_informed": "Keep informed",
    "monitor": "Monitor",
}
HIGH = 3  # on the 1–5 scales, 3 and above is "high"


def engagement(influence: int, interest: int) -> Quadrant:
    """The power/interest grid quadrant of a stakeholder (scores 1–5; 3+ is high)."""
    for name, value in (("influence", influence), ("interest", interest)):
        if not 1 <= value <= 5:
            raise ValueError(f"{name} must be between 1 and 5, not {value}")
    if influence >= HIGH:
        return "manage_closely" if interest >= HIGH else "keep_satisfied"
    return "keep_informed" if interest >= HIGH else "monitor"


# --- detection lead times -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlaggedConflict:
    """A conflict from the alert history: when it was first flagged, which date it threatened."""

    key: str
    first_detected: date
    affected: date
    cross_project: bool = False


@dataclass(frozen=True, slots=True)
class DetectionLead:
    """How far ahead of the threatened date a conflict was flagged (working days)."""

    conflict: FlaggedConflict
    lead_days: int  # negative: flagged after the date had passed
    caught: Literal["early", "late"]


@dataclass(frozen=True, slots=True)
class LeadSummary:
    """Lead times of a set of conflicts: how many were caught early and late, and by how much."""

    count: int
    early: int
    late: int
    median_lead_days: float | None
    mean_lead_days: float | None
    shortest_lead_days: int | None
    longest_lead_days: int | None

    @property
    def share_early(self) -> float | None:
        """Early conflicts as a fraction of all (``None`` when there were none)."""
        return self.early / self.count if self.count else None


def detection_leads(
    conflicts: Iterable[FlaggedConflict],
    calendar: WorkCalendar,
    *,
    early_threshold: int = 10,
) -> list[DetectionLead]:
    """Each conflict's lead time: working days in ``[first_detected, affected)``.

    A conflict flagged on a Monday about a date on the Friday of the same week
    had 4 working days of warning; one flagged on the day itself had 0; one
    flagged after the date, a negative lead.
    """
    if early_threshold < 0:
        raise ValueError("early_threshold must be zero or more working days")
    out = []
    for conflict in conflicts:
        lead = calendar.count_workdays(conflict.first_detected, conflict.affected)
        caught: Literal["early", "late"] = "early" if lead >= early_threshold else "late"
        out.append(DetectionLead(conflict, lead, caught))
    return out


def summarize_leads(leads: Sequence[DetectionLead]) -> LeadSummary:
    """Counts and the median, mean, shortest and longest lead (working days)."""
    days = [lead.lead_days for lead in leads]
    early = sum(1 for lead in leads if lead.caught == "early")
    return LeadSummary(
        count=len(days),
        early=early,
        late=len(days) - early,
        median_lead_days=float(statistics.median(days)) if days else None,
        mean_lead_days=round(statistics.fmean(days), 1) if days else None,
        shortest_lead_days=min(days, default=None),
        longest_lead_days=max(days, default=None),
    )
