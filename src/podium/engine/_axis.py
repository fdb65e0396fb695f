"""Moving points between calendars, for links between activities on different calendars.

A point of one calendar is a *working time*, which stands for a span of real
days (the end of Friday and the start of Monday are one point of a Mon-Fri
calendar). Crossing to another calendar picks the real instant by the role of
the point, as Microsoft Project does with 17:00 and 8:00: a *finish* point is
read at the end of its last working day, a *start* point at the start of its
working day; the instant is then placed in the other calendar. Lookup tables
(point → day, day → point, per calendar) make a conversion two array lookups;
they grow when the schedule reaches past them.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from podium.engine._bounds import BIG
from podium.engine.calendar import IntArray, WorkCalendar

_EPOCH_1970 = np.datetime64("1970-01-01", "D")


class TimeAxis:
    """Point ↔ day tables for a list of calendars, all counted from ``epoch``."""

    def __init__(self, calendars: list[WorkCalendar], epoch: date) -> None:
        self.calendars = calendars
        self.epoch = epoch
        self.epoch_day = int((np.datetime64(epoch, "D") - _EPOCH_1970).astype(np.int64))
        self._points = (0, 0)
        self._days = (0, 0)
        self._day_table = np.zeros((len(calendars), 0), np.int64)
        self._point_table = np.zeros((len(calendars), 0), np.int64)
        self._grow_points(-400, 4000)
        self._grow_days(self.epoch_day - 600, self.epoch_day + 6000)

    def _grow_points(self, lo: int, hi: int) -> None:
        old_lo, old_hi = self._points
        if old_lo <= lo and hi <= old_hi:
            return
        span = max(hi, old_hi) - min(lo, old_lo)
        lo, hi = min(lo, old_lo) - span // 2, max(hi, old_hi) + span // 2
        k = np.arange(lo, hi)
        rows = [
            (cal.day(k, epoch=self.epoch) - _EPOCH_1970).astype(np.int64) for cal in self.calendars
        ]
        self._day_table, self._points = np.stack(rows), (lo, hi)

    def _grow_days(self, lo: int, hi: int) -> None:
        old_lo, old_hi = self._days
        if old_lo <= lo and hi <= old_hi:
            return
        span = max(hi, old_hi) - min(lo, old_lo)
        lo, hi = min(lo, old_lo) - span // 2, max(hi, old_hi) + span // 2
        days = _EPOCH_1970 + np.arange(lo, hi)
        rows = [cal.index(days, epoch=self.epoch) for cal in self.calendars]
        self._point_table, self._days = np.stack(rows), (lo, hi)

    def day(self, cal: IntArray, points: IntArray) -> IntArray:
        """The day (days since 1970) of working point ``points`` in calendar ``cal``."""
        if points.size:
            self._grow_points(int(points.min()), int(points.max()) + 1)
        return self._day_table[cal, points - self._points[0]]

    def point(self, cal: IntArray, days: IntArray) -> IntArray:
        """Working days of ``cal`` from the epoch up to (not including) ``days``."""
        if days.size:
            self._grow_days(int(days.min()), int(days.max()) + 1)
        return self._point_table[cal, days - self._days[0]]

    def forward(
        self, points: IntArray, start_type: IntArray, src: IntArray, dst: IntArray
    ) -> IntArray:
        """The same instant in calendar ``dst``: a start point at the start of its day,
        a finish point at the end of the previous working day."""
        out = points.copy()
        real = np.abs(points) < BIG // 2
        p, t, a, b = points[real], start_type[real], src[real], dst[real]
        day = np.where(t == 1, self.day(a, p), self.day(a, p - 1) + 1)
        out[real] = self.point(b, day)
        return out

    def backward(
        self, points: IntArray, start_type: IntArray, src: IntArray, dst: IntArray
    ) -> IntArray:
        """The latest point of calendar ``src`` whose :meth:`forward` is at most ``points``."""
        out = points.copy()
        real = np.abs(points) < BIG // 2
        q, t, a, b = points[real], start_type[real], src[real], dst[real]
        limit = self.day(b, q)
        out[real] = np.where(t == 1, self.point(a, limit + 1) - 1, self.point(a, limit))
        return out
