"""The load heatmap as cells the templates only print: one resource in one week or
month, demand against capacity, and how it reads (its colour, percent and tooltip)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from podium.engine.calendar import shifted

PeriodName = Literal["week", "month"]
BUSY, FULL = 0.8, 1.0


@dataclass(frozen=True, slots=True)
class Cell:
    """One resource in one period: demand against capacity, and how it reads."""

    start: date
    demand: float
    elsewhere: float
    capacity: float
    utilization: float | None
    over_days: int

    @property
    def level(self) -> str:
        """``empty``, ``off`` (no capacity), ``calm``, ``busy`` or ``over``."""
        if self.demand <= 0:
            return "off" if self.capacity <= 0 else "empty"
        if self.over_days > 0 or self.utilization is None or self.utilization > FULL + 1e-9:
            return "over"
        return "busy" if self.utilization >= BUSY - 1e-9 else "calm"

    @property
    def percent(self) -> str:
        if self.utilization is None:
            return "—" if self.demand <= 0 else "∞"
        return f"{round(self.utilization * 100)}"

    @property
    def elsewhere_share(self) -> int:
        """Width (percent of the cell) of the other programs' part."""
        return round(100 * self.elsewhere / self.demand) if self.demand > 0 else 0

    def describe(self, resource: str, period_label: str) -> str:
        """What the cell says, for its tooltip and screen readers."""
        parts = [
            f"{resource}, {period_label}: {_days(self.demand)} of {_days(self.capacity)} days"
            + (f" ({self.percent} %)" if self.utilization is not None else "")
        ]
        if self.elsewhere > 0:
            parts.append(f"{_days(self.elsewhere)} of {_days(self.demand)} days elsewhere")
        if self.over_days:
            parts.append(f"{self.over_days} over-allocated day{'s' * (self.over_days != 1)}")
        return "; ".join(parts)


def _days(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class Column:
    start: date
    label: str
    title: str
    first_of_month: bool


@dataclass(frozen=True, slots=True)
class Row:
    resource: dict[str, Any]
    cells: list[Cell]
    over_days: int
    peak: float | None


def _columns(starts: list[date], period: PeriodName) -> list[Column]:
    columns = []
    previous_month = None
    for start in starts:
        if period == "month":
            columns.append(Column(start, f"{start:%b %y}", f"{start:%B %Y}", True))
            continue
        first = (start.year, start.month) != previous_month
        previous_month = (start.year, start.month)
        columns.append(
            Column(start, f"{start.day} {start:%b}", f"week of {start.day} {start:%b %Y}", first)
        )
    return columns


def heatmap(view: dict[str, Any], period: PeriodName) -> tuple[list[Column], list[Row]]:
    """The columns and rows of the load of :func:`load.program_resource_load`."""
    rows = []
    starts: list[date] = []
    for item in view["resources"]:
        cells = [
            Cell(
                start=b["start"],
                demand=b["demand"],
                elsewhere=max(0.0, b.get("demand_elsewhere", 0.0)),
                capacity=b["capacity"],
                utilization=b["utilization"],
                over_days=b["over_allocated_days"],
            )
            for b in item["buckets"]
        ]
        if len(cells) > len(starts):
            starts = [c.start for c in cells]
        rows.append(Row(item["resource"], cells, item["over_allocated_days"], item["peak"]))
    return _columns(starts, period), rows


def period_end(start: date, period: PeriodName) -> date:
    if period == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return shifted(start, 6)


def period_label(start: date, period: PeriodName) -> str:
    if period == "month":
        return f"{start:%B %Y}"
    return f"week of {start.day} {start:%b %Y}"
