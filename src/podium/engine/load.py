"""Resource load: demand against capacity per resource per day, and over-allocations.

A :class:`Booking` is one assignment placed in time: ``units`` of a resource on
every working day of a task between its ``start`` and ``finish`` (both
included), where the task's working days are those of its effective calendar
(its own calendar and its resources' calendars together). A resource's
capacity is its ``capacity`` on each of its own working days and nothing on its
days off (holidays, time off). A resource without a calendar of its own works
whenever its tasks do: its working days are every day one of its bookings works,
and the working days of the programs that book it (so that a week without work
reads as free, not as no capacity), less its time off. They depend on its
bookings alone, never on which program looks. A day is *over-allocated* when the
demand on it exceeds the capacity; consecutive over-allocated days of one
resource form one :class:`Overload`, naming the tasks that collide on those days.

Everything is computed as NumPy arrays over the whole horizon at once: one row
per resource, one column per calendar day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from podium.engine.calendar import (
    BoolArray,
    DateArray,
    DaysOff,
    FloatArray,
    IntArray,
    WorkCalendar,
    to_date,
)
from podium.engine.leveling.model import Resource

EPSILON = 1e-6  # demand above capacity by less than this is rounding, not overload
Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class Booking:
    """``units`` of ``resource`` on ``task`` on each working day of ``calendar`` from
    ``start`` to ``finish`` (both included). ``group`` is a free label (the project)."""

    task: str
    resource: str
    units: float
    start: date
    finish: date
    calendar: WorkCalendar
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Overload:
    """Consecutive over-allocated days of one resource and the tasks that collide on them."""

    resource: str
    start: date
    finish: date
    days: int  # over-allocated days in the period
    peak_demand: float
    capacity: float  # the resource's capacity on its peak day
    excess: float  # unit-days above capacity over the period
    tasks: tuple[str, ...]
    groups: tuple[str, ...]
    # demand ÷ capacity at its highest on the over-allocated days with capacity (None:
    # work asked only on days without any), and the over-allocated days without capacity
    peak_utilization: float | None = None
    days_off: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class Load:
    """Demand and capacity of each resource (rows, in input order) on each day (columns)."""

    resources: tuple[str, ...]
    days: DateArray
    capacity: FloatArray
    demand: FloatArray
    overloads: tuple[Overload, ...] = field(default=())

    @property
    def over(self) -> BoolArray:
        """Per resource and day: demand above capacity."""
        over: BoolArray = self.demand > self.capacity + EPSILON
        return over

    def overloads_from(self, since: date) -> list[tuple[Overload, date, int]]:
        """The over-allocations still to come on ``since`` (earlier ones are history), each
        with its first day from then and its over-allocated days from then."""
        over = self.over
        row_of = {resource: k for k, resource in enumerate(self.resources)}
        left = []
        for o in self.overloads:
            if o.finish < since:
                continue
            first = max(o.start, since)
            inside = (self.days >= np.datetime64(first, "D")) & (
                self.days <= np.datetime64(o.finish, "D")
            )
            left.append((o, first, int(over[row_of[o.resource]][inside].sum())))
        return left

    def buckets(self, period: Period) -> tuple[DateArray, FloatArray, FloatArray]:
        """The first day of each ``period`` in the horizon, and the demand and capacity
        summed over each (unit-days: one person for a day is 1.0)."""
        if period == "day" or not len(self.days):
            return self.days, self.demand, self.capacity
        starts = period_starts(self.days, period)
        first, index = np.unique(starts, return_inverse=True)
        demand = np.zeros((len(self.resources), len(first)))
        capacity = np.zeros_like(demand)
        for r in range(len(self.resources)):
            demand[r] = np.bincount(index, weights=self.demand[r], minlength=len(first))
            capacity[r] = np.bincount(index, weights=self.capacity[r], minlength=len(first))
        return first, demand, capacity


def period_starts(days: DateArray, period: Period) -> DateArray:
    """The Monday of each day's week, or the first of its month."""
    if period == "week":
        weekday = (days.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01: Thu
        monday: DateArray = days - weekday.astype("timedelta64[D]")
        return monday
    if period == "month":
        month: DateArray = days.astype("datetime64[M]").astype("datetime64[D]")
        return month
    return days


def resource_load(
    resources: Sequence[Resource],
    bookings: Sequence[Booking],
    *,
    start: date | None = None,
    finish: date | None = None,
    default_calendar: WorkCalendar | None = None,
    home_calendars: Mapping[str, Sequence[WorkCalendar]] | None = None,
) -> Load:
    """Demand and capacity per resource per day from ``start`` to ``finish`` (default:
    the span of the bookings), with every over-allocation.

    A resource without a calendar of its own (none, or only :class:`DaysOff`) has its
    capacity on every day one of its bookings works and on the working days of its
    ``home_calendars`` (resource id → the calendars of the programs that book it;
    ``default_calendar``, or Monday to Friday, for a resource not in them), less its
    days off. Bookings of resources not in ``resources`` are ignored.
    """
    ids = tuple(r.id for r in resources)
    row_of = {rid: k for k, rid in enumerate(ids)}
    mine = [b for b in bookings if b.resource in row_of and b.finish >= b.start]
    if start is None or finish is None:
        if not mine:
            empty = np.zeros((len(ids), 0))
            return Load(ids, np.array([], "datetime64[D]"), empty, empty.copy())
        start = start or min(b.start for b in mine)
        finish = finish or max(b.finish for b in mine)
    if finish < start:
        finish = start
    days = np.arange(np.datetime64(start, "D"), np.datetime64(finish, "D") + 1)
    width = len(days)
    masks: dict[WorkCalendar, BoolArray] = {}

    def mask(cal: WorkCalendar) -> BoolArray:
        if cal not in masks:
            masks[cal] = cal.is_workday_array(days)
        return masks[cal]

    demand = np.zeros((len(ids), width))
    booked = np.zeros((len(ids), width), np.bool_)  # a booking of the resource works
    first = days[0] if width else np.datetime64(start, "D")
    n = len(mine)
    rows = np.fromiter((row_of[b.resource] for b in mine), np.int64, n)
    units = np.fromiter((b.units for b in mine), np.float64, n)
    lo = (np.array([b.start for b in mine], "datetime64[D]") - first).astype(np.int64)
    hi = (np.array([b.finish for b in mine], "datetime64[D]") - first).astype(np.int64) + 1
    lo, hi = np.clip(lo, 0, width), np.clip(hi, 0, width)
    calendars: dict[WorkCalendar, int] = {}
    cal = np.fromiter((calendars.setdefault(b.calendar, len(calendars)) for b in mine), np.int64, n)
    keep = hi > lo
    # per calendar: a difference array of each resource's bookings (their units, and
    # how many there are), summed along the days and kept on the calendar's working
    # days (one cumulative sum, no loop over bookings)
    for calendar, c in calendars.items():
        sel = keep & (cal == c)
        if not sel.any():
            continue
        present, row_in = np.unique(rows[sel], return_inverse=True)
        diff = np.zeros((len(present), width + 1))
        np.add.at(diff, (row_in, lo[sel]), units[sel])
        np.add.at(diff, (row_in, hi[sel]), -units[sel])
        demand[present] += np.cumsum(diff, axis=1)[:, :width] * mask(calendar)
        count = np.zeros((len(present), width + 1), np.int64)
        np.add.at(count, (row_in, lo[sel]), 1)
        np.add.at(count, (row_in, hi[sel]), -1)
        booked[present] |= (np.cumsum(count, axis=1)[:, :width] > 0) & mask(calendar)
    demand = np.round(demand, 9)  # the sums' rounding is not load
    capacity = np.zeros((len(ids), width))
    homes = home_calendars or {}
    fallback = (default_calendar or WorkCalendar(),)
    for k, r in enumerate(resources):
        if r.calendar is not None and not isinstance(r.calendar, DaysOff):
            capacity[k] = r.capacity * mask(r.calendar)
            continue
        works = booked[k].copy()
        for home in homes.get(r.id) or fallback:
            works |= mask(home)
        if r.calendar is not None:  # less the days off
            works &= mask(r.calendar)
        capacity[k] = r.capacity * works
    spans = _Spans(
        rows[keep],
        lo[keep],
        hi[keep],
        cal[keep],
        [b for b, k in zip(mine, keep.tolist(), strict=True) if k],
        [mask(c) for c in calendars],
    )
    load = Load(ids, days, capacity, demand)
    return Load(ids, days, capacity, demand, _overloads(load, spans))


@dataclass(frozen=True, slots=True)
class _Spans:
    """The bookings inside the horizon as arrays: resource row, first and past-last day
    column, calendar index (into ``masks``), and the bookings themselves."""

    rows: IntArray
    lo: IntArray
    hi: IntArray
    cal: IntArray
    bookings: list[Booking]
    masks: list[BoolArray]


def _overloads(load: Load, spans: _Spans) -> tuple[Overload, ...]:
    over = load.over
    found: list[Overload] = []
    for row in np.flatnonzero(over.any(axis=1)).tolist():
        cols = np.flatnonzero(over[row])
        # consecutive runs, allowing gaps of days on which the resource has no capacity
        # and no demand (a weekend inside a week-long overload stays one period)
        idle = (load.capacity[row] <= 0) & (load.demand[row] <= EPSILON)
        idle_before = np.concatenate([[0], np.cumsum(~idle)])  # non-idle days before col
        gaps = idle_before[cols[1:]] - idle_before[cols[:-1] + 1]
        breaks = (np.flatnonzero(gaps > 0) + 1).tolist()
        mine = np.flatnonzero(spans.rows == row)
        for run in np.split(cols, breaks):
            lo, hi = int(run[0]), int(run[-1]) + 1
            peak_at = int(run[np.argmax(load.demand[row, run])])
            tasks: list[str] = []
            groups: list[str] = []
            near = mine[(spans.lo[mine] < hi) & (spans.hi[mine] > lo)]
            for k in near.tolist():
                inside = run[(run >= spans.lo[k]) & (run < spans.hi[k])]
                if not spans.masks[spans.cal[k]][inside].any():
                    continue  # its days off are exactly the overloaded days
                b = spans.bookings[k]
                tasks.append(b.task)
                if b.group is not None and b.group not in groups:
                    groups.append(b.group)
            excess = float(np.sum(load.demand[row, run] - load.capacity[row, run]))
            capacity = load.capacity[row, run]
            held = capacity > 0
            share = load.demand[row, run][held] / capacity[held]
            found.append(
                Overload(
                    resource=load.resources[row],
                    start=to_date(load.days[lo]),
                    finish=to_date(load.days[hi - 1]),
                    days=len(run),
                    peak_demand=float(load.demand[row, peak_at]),
                    capacity=float(load.capacity[row, peak_at]),
                    excess=round(excess, 6),
                    tasks=tuple(dict.fromkeys(tasks)),
                    groups=tuple(sorted(groups)),
                    peak_utilization=float(share.max()) if share.size else None,
                    days_off=int(np.count_nonzero(~held)),
                )
            )
    return tuple(found)
