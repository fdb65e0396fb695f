"""Working points ↔ calendar days of each calendar, as growable Python lists.

The leveling loops look up a handful of days per step, where NumPy's per-call
cost would dominate, so the tables are plain lists, built per calendar on first
use from one vectorized working-day mask (a program whose people all have their
own time off has thousands of effective calendars; most are used by a few tasks).
``rows[c][p - lo[c]]`` is the day (counted from the epoch, minus ``d0``) of
working point ``p`` of calendar ``c`` — an index straight into a resource's load
list — and ``cols[c][day - d0]`` is the point at the start of that day (the
calendar's working days from the epoch before it). ``row_arrays[c]`` holds
``rows[c]`` as an array, for the compiled passes. The conversions across
calendars are those of :class:`podium.engine._axis.TimeAxis` (a start point is
read at the start of its day, a finish point at the end of the previous working
day).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from podium.engine.calendar import LAST_DATE, IntArray, WorkCalendar, days_to_last_date
from podium.engine.leveling.model import InvalidResources


class Tables:
    """Point → day and day → point per calendar over the days ``[d0, d_hi)``, grown on demand."""

    def __init__(self, calendars: list[WorkCalendar], epoch: date, *, d0: int, d_hi: int) -> None:
        self.calendars = calendars
        self.epoch = epoch
        self._zero = np.datetime64(epoch, "D")
        self.d0 = min(d0, 0) - 8
        self.d_hi = max(d_hi, self.d0 + 64)
        self.rows: list[list[int]] = [[] for _ in calendars]
        self.row_arrays: list[IntArray] = [np.zeros(0, np.int64) for _ in calendars]
        self.cols: list[list[int]] = [[] for _ in calendars]
        self.lo: list[int] = [0] * len(calendars)
        self._built = [False] * len(calendars)

    @property
    def span(self) -> int:
        """Length a load list needs to hold every day the tables reach."""
        return self.d_hi - self.d0

    def row(self, c: int) -> list[int]:
        """Calendar ``c``'s point → day list (built on first use)."""
        if not self._built[c]:
            self._build(c)
        return self.rows[c]

    def _build(self, c: int) -> None:
        cal = self.calendars[c]
        days = self._zero + np.arange(self.d0, self.d_hi, dtype=np.int64)
        mask = cal.is_workday_array(days)
        before = int(cal.index(days[:1], epoch=self.epoch)[0])
        self.lo[c] = before
        self.row_arrays[c] = np.flatnonzero(mask)
        self.rows[c] = self.row_arrays[c].tolist()
        counts = np.cumsum(mask, dtype=np.int64) - mask.astype(np.int64) + before
        self.cols[c] = counts.tolist()
        self._built[c] = True

    def grow(self, d_hi: int) -> None:
        """Reach day ``d_hi`` (exclusive), at least doubling the range, never past the last
        date there is (:data:`~podium.engine.calendar.LAST_DATE`): a leveled schedule that would
        need a later day is refused."""
        if d_hi <= self.d_hi:
            return
        end = days_to_last_date(self.epoch) + 1
        if d_hi > end:
            raise InvalidResources(
                [
                    f"leveling would move work past {LAST_DATE.isoformat()}: the tasks that "
                    "share these resources are too long to fit one after another"
                ]
            )
        old = self.d_hi
        self.d_hi = min(max(d_hi, old + (old - self.d0)), end)
        days = self._zero + np.arange(old, self.d_hi, dtype=np.int64)
        for c, built in enumerate(self._built):
            if not built:
                continue
            mask = self.calendars[c].is_workday_array(days)
            start = self.cols[c][-1] + (
                1 if self.rows[c] and self.rows[c][-1] == old - 1 - self.d0 else 0
            )
            more = np.flatnonzero(mask) + (old - self.d0)
            self.row_arrays[c] = np.concatenate([self.row_arrays[c], more])
            self.rows[c].extend(more.tolist())
            self.cols[c].extend(
                (np.cumsum(mask, dtype=np.int64) - mask.astype(np.int64) + start).tolist()
            )

    def ensure_point(self, c: int, p: int) -> list[int]:
        """Calendar ``c``'s row, long enough to hold point ``p``."""
        row = self.row(c)
        while p - self.lo[c] >= len(row):
            self.grow(self.d_hi + 1)
        return row

    def day(self, c: int, p: int) -> int:
        """The day (from the epoch) of working point ``p`` of calendar ``c``."""
        row = self.row(c)
        i = p - self.lo[c]
        if i < 0:
            return int(
                (self.calendars[c].day([p], epoch=self.epoch)[0] - self._zero).astype(np.int64)
            )
        if i >= len(row):
            row = self.ensure_point(c, p)
        return row[i] + self.d0

    def point(self, c: int, day: int) -> int:
        """Working days of calendar ``c`` from the epoch up to (not including) ``day``."""
        if day < self.d0:
            when = self._zero + np.array([day], dtype=np.int64)
            return int(self.calendars[c].index(when, epoch=self.epoch)[0])
        if day >= self.d_hi:
            self.grow(day + 1)
        self.row(c)
        return self.cols[c][day - self.d0]

    def forward(self, p: int, start_type: int, a: int, b: int) -> int:
        """Point ``p`` of calendar ``a`` as a point of calendar ``b`` (TimeAxis.forward)."""
        day = self.day(a, p) if start_type == 1 else self.day(a, p - 1) + 1
        return self.point(b, day)

    def backward(self, q: int, start_type: int, a: int, b: int) -> int:
        """The latest point of ``a`` whose :meth:`forward` to ``b`` is at most ``q``."""
        limit = self.day(b, q)
        return self.point(a, limit + 1) - 1 if start_type == 1 else self.point(a, limit)
