"""From points back to dates, and the constraint conflicts and deadline misses of a schedule."""

from __future__ import annotations

from datetime import date

import numpy as np

from podium.engine._compile import Compiled
from podium.engine._passes import Passes
from podium.engine.calendar import (
    BoolArray,
    DateArray,
    IntArray,
    WorkCalendar,
    to_date,
    working_days,
)
from podium.engine.results import Conflict, DeadlineMiss


class Days:
    """Days counted from the program start, for points of each activity's calendar."""

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.zero = np.datetime64(c.net.start, "D")

    def of(self, points: IntArray) -> IntArray:
        """The working day of each activity's point ``points[i]`` (its own calendar)."""
        cal = self.c.slot_cal[: self.c.n]
        out = np.zeros(len(points), np.int64)
        for k, calendar in enumerate(self.c.calendars):
            mask = np.flatnonzero(cal == k) if len(self.c.calendars) > 1 else np.arange(len(cal))
            out[mask] = self._days(calendar, points[mask])
        return out

    def _days(self, calendar: WorkCalendar, points: IntArray) -> IntArray:
        if not points.size:
            return np.zeros(0, np.int64)
        low, high = int(points.min()), int(points.max())
        if high - low > 4 * points.size:  # sparse: convert each point
            return (calendar.day(points, epoch=self.c.net.start) - self.zero).astype(np.int64)
        # dense (the usual case): the working days of the range, then a lookup
        first, last = calendar.day([low, high], epoch=self.c.net.start)
        days = np.arange(first, last + np.timedelta64(1, "D"))
        table = days[calendar.is_workday_array(days)] - self.zero
        return table.astype(np.int64)[points - low]

    def points_at(self, day: int) -> IntArray:
        """Per calendar, the point at the start of ``day``."""
        when = self.zero + np.timedelta64(day, "D")
        return np.asarray(
            [cal.index([when], epoch=self.c.net.start)[0] for cal in self.c.calendars], np.int64
        )

    def dates(self, days: IntArray) -> DateArray:
        """``datetime64[D]`` dates of day counts."""
        return self.zero + days.astype("timedelta64[D]")

    def date(self, day: int) -> date:
        """One day count as a date."""
        return to_date(self.zero + np.timedelta64(day, "D"))

    def count(self, who: IntArray, after: IntArray, until: IntArray) -> IntArray:
        """Working days of each activity's calendar in ``(after, until]``."""
        out = np.zeros(len(who), np.int64)
        cal = self.c.slot_cal[who]
        for k in np.unique(cal).tolist():
            mask = cal == k
            out[mask] = self.c.calendars[k].count_workdays_array(
                self.dates(after[mask] + 1), self.dates(until[mask] + 1)
            )
        return out


def conflicts_and_misses(
    c: Compiled, passes: Passes, days: Days, es_day: IntArray, ef_day: IntArray
) -> tuple[tuple[Conflict, ...], tuple[DeadlineMiss, ...], BoolArray]:
    """Late constraints and pinned dates the schedule breaks, and deadlines it misses."""
    missed = np.zeros(c.n, np.bool_)
    misses: list[DeadlineMiss] = []
    if c.bounds.deadlines:
        who = np.array([i for i, _ in c.bounds.deadlines], np.int64)
        limit = np.array([(d - c.net.start).days for _, d in c.bounds.deadlines], np.int64)
        late = ef_day[who] > limit  # finished work too: a milestone reached late was missed
        who, limit = who[late], limit[late]
        missed[who] = True
        lateness = days.count(who, limit, ef_day[who])
        for i, lim, n_days in zip(who.tolist(), limit.tolist(), lateness.tolist(), strict=True):
            misses.append(DeadlineMiss(c.ids[i], days.date(lim), days.date(int(ef_day[i])), n_days))
    conflicts: list[Conflict] = []
    for i, kind, day in c.bounds.late_constraints:
        limit_day = (day - c.net.start).days
        actual = int(es_day[i] if kind == "snlt" else ef_day[i])
        if actual > limit_day and not c.bounds.finished[i]:
            who = np.array([i])
            n_days = int(
                days.count(
                    who,
                    np.array([limit_day - (kind == "snlt")]),
                    np.array([actual - (kind == "snlt")]),
                )[0]
            )
            verb = "starts" if kind == "snlt" else "finishes"
            conflicts.append(
                Conflict(
                    c.ids[i],
                    kind,
                    n_days,
                    f"{c.ids[i]} {verb} {working_days(n_days)} after its {kind} date {day}",
                )
            )
    conflicts += _link_conflicts(c, passes)
    return tuple(conflicts), tuple(misses), missed


def _link_conflicts(c: Compiled, passes: Passes) -> list[Conflict]:
    """Links into pinned (mso/mfo) activities that the pinned date breaks."""
    e = c.edges
    logic_links = np.flatnonzero(e.link >= 0)  # their targets are leaves
    into_pinned = logic_links[c.bounds.pinned[e.dst[logic_links]]]
    if not into_pinned.size:
        return []
    edges = e.take(into_pinned)
    gap = (passes.candidates(edges) >> 1) - (passes.early[edges.dst] >> 1)
    out = []
    for k in np.flatnonzero(gap > 0).tolist():
        link = c.net.links[int(edges.link[k])]
        succ = c.net.activities[int(edges.dst[k])]
        out.append(
            Conflict(
                succ.id,
                "link",
                int(gap[k]),
                f"{succ.id} is pinned ({succ.constraint_type} {succ.constraint_date})"
                f" {working_days(int(gap[k]))} before its {link.type} link from {link.pred} allows",
                pred=link.pred,
            )
        )
    return out
